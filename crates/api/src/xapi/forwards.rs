//! The forwards of the learning record store, as the platform's API manages them: admins
//! and institutions' managers register an external store (its endpoint, its Basic
//! credentials and, if they wish, which verbs), list them without their passwords, and
//! remove them.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use help_lms_domain::ValidationErrors;
use help_lms_domain::values::Title;
use help_lms_persistence::xapi::forwards::{self as store, Forward, NewForward};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Authenticated, Person};
use crate::error::{ApiError, problems};
use crate::state::AppState;

/// A new forward.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewForwardRequest {
    #[schema(value_type = help_lms_domain::values::Title)]
    pub name: String,
    /// The external store's base URL (statements go to `{endpoint}/statements`).
    #[schema(value_type = EndpointUrl)]
    pub endpoint: String,
    /// Any text without a colon (HTTP Basic's separator).
    #[schema(min_length = 1, pattern = r"^[^:]+$")]
    pub username: String,
    #[schema(min_length = 1)]
    pub password: String,
    /// Admins may name an institution, or leave it out to forward every statement;
    /// managers' forwards are their institution's.
    #[serde(default)]
    pub institution_id: Option<Uuid>,
    /// Only statements with these verbs (IRIs); left out, every statement.
    #[serde(default)]
    #[schema(value_type = Option<Vec<VerbIri>>)]
    pub verbs: Option<Vec<String>>,
}

/// What an endpoint may be: the document's pattern, which the server applies as written,
/// so that the two cannot differ. Every string it admits is a URL that parses (a last
/// label that starts with a letter is never read as an IPv4 number, and labels without
/// `--` are never punycode).
pub const ENDPOINT_PATTERN: &str = concat!(
    r"^https?://",
    r"(([A-Za-z0-9]+(-[A-Za-z0-9]+)*\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*",
    r"|((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))",
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?",
    r"(/[A-Za-z0-9._~/-]*)?$",
);

/// What a verb may be: any absolute IRI, as `help_lms_domain::xapi::is_iri` reads it (a
/// scheme, a colon, then no space, control character, `<>"{}|\^` or backtick, and `%` only
/// before two hex digits). A unit test keeps the two equal.
pub const VERB_PATTERN: &str =
    r#"^[A-Za-z][A-Za-z0-9+.-]*:([^%\s\x00-\x1f\x7f-\x9f<>"{}|\\^`]|%[0-9A-Fa-f]{2})+$"#;

static ENDPOINT: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(ENDPOINT_PATTERN).ok());

/// Whether the endpoint is one the document admits (a unit test proves the pattern
/// compiles; were it not to, every endpoint would be refused, never one let through).
fn endpoint_admitted(endpoint: &str) -> bool {
    ENDPOINT.as_ref().is_some_and(|r| r.is_match(endpoint))
        && url::Url::parse(endpoint).is_ok_and(|u| u.host().is_some())
}

/// A forward's endpoint, for the document.
pub struct EndpointUrl;

impl utoipa::PartialSchema for EndpointUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(ENDPOINT_PATTERN))
            .description(Some(
                "An external store's base URL: http or https; a host name (dot-separated \
                 labels of letters, digits and inner hyphens, the last starting with a \
                 letter) or a dotted IPv4 address; a port from 1 to 65535; a path of unreserved \
                 characters. No credentials, query or fragment. \
                 E.g. `https://lrs.inm.example/xapi`.",
            ))
            .into()
    }
}

impl ToSchema for EndpointUrl {}

/// A verb's IRI, for the document.
pub struct VerbIri;

impl utoipa::PartialSchema for VerbIri {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(VERB_PATTERN))
            .description(Some(
                "A verb's IRI: any absolute IRI, e.g. `http://adlnet.gov/expapi/verbs/completed`.",
            ))
            .into()
    }
}

impl ToSchema for VerbIri {}

/// A forward, without its password.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForwardDto {
    pub id: Uuid,
    pub name: String,
    pub endpoint: String,
    pub username: String,
    pub institution_id: Option<Uuid>,
    pub verbs: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<Forward> for ForwardDto {
    fn from(f: Forward) -> Self {
        ForwardDto {
            id: f.id,
            name: f.name,
            endpoint: f.endpoint,
            username: f.username,
            institution_id: f.institution_id,
            verbs: f.verbs,
            created_at: f.created_at,
            revoked_at: f.revoked_at,
        }
    }
}

fn validate(body: &NewForwardRequest) -> Result<Title, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = Title::parse(&body.name);
    if let Err(e) = &name {
        errors.push("name", e.code, e.message.clone());
    }
    if !endpoint_admitted(&body.endpoint) {
        errors.push(
            "endpoint",
            "invalid_url",
            "an http or https URL of a host name or IPv4 address, without credentials, query or fragment",
        );
    }
    if body.username.is_empty() || body.username.contains(':') {
        errors.push(
            "username",
            "invalid_username",
            "a user name without a colon",
        );
    }
    if body.password.is_empty() {
        errors.push("password", "required", "the external store's password");
    }
    for (i, v) in body.verbs.iter().flatten().enumerate() {
        if !help_lms_domain::xapi::is_iri(v) {
            errors.push(format!("verbs.{i}"), "invalid_iri", "a verb IRI");
        }
    }
    match (name, errors.is_empty()) {
        (Ok(n), true) => Ok(n),
        _ => Err(errors),
    }
}

/// Forward statements to an external learning record store
///
/// Admins and institutions' managers, signed in as people. Every statement stored from now
/// on that the owner's credential could read (and that has one of `verbs`, if given) is
/// queued in the same transaction and posted to `{endpoint}/statements`, retried with
/// back-off until the external store takes it. Statement ids make repeats harmless.
///
/// Problems: `people_only` (403) for an API client, `managers_only` (403) for learners and
/// tutors, `not_found` (404) for another institution, `validation_failed` (422: name,
/// endpoint, username, password, verbs).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "create_lrs_forward",
    security(("bearer" = [])),
    request_body(content = NewForwardRequest, example = json!({
        "name": "INM learning records",
        "endpoint": "https://lrs.inm.example/xapi",
        "username": "help-lms",
        "password": "a long secret from the external store",
        "verbs": ["http://adlnet.gov/expapi/verbs/completed"]
    })),
    responses(
        (status = 201, description = "The forward (without its password)", body = ForwardDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/xapi/forwards", wrap = "crate::headers::no_store()")]
pub async fn create_forward(
    state: web::Data<AppState>,
    person: Person,
    body: crate::body::Json<NewForwardRequest>,
) -> Result<HttpResponse, ApiError> {
    let actor = person.0;
    let body = body.into_inner();
    let institution = super::owner(&actor, body.institution_id)?;
    if let Some(i) = institution
        && help_lms_persistence::institutions::find(&state.db, i)
            .await?
            .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let name = validate(&body)?;
    let forward = store::create(
        &state.db.conn,
        NewForward {
            name: name.as_str().to_owned(),
            endpoint: body.endpoint,
            username: body.username,
            password: body.password,
            institution_id: institution,
            verbs: body.verbs,
            created_by: Some(actor.user_id),
        },
        Utc::now(),
    )
    .await?;
    tracing::info!(forward_id = %forward.id, "lrs forward created");
    let object = crate::audit::Object::new("lrs_forward", forward.id, forward.institution_id);
    crate::audit::record(
        &state,
        Some(&actor),
        crate::audit::Action::LrsForwardCreated,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Created().json(ForwardDto::from(forward)))
}

/// List the forwards to external learning record stores
///
/// Admins see every forward; an institution's managers see the institution's. Without
/// passwords. Changes nothing.
///
/// Problems: `managers_only` (403) for learners and tutors.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "list_lrs_forwards",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The forwards, newest first", body = Vec<ForwardDto>),
        problems::Forbidden,
    )
)]
#[get("/xapi/forwards", wrap = "crate::headers::no_store()")]
pub async fn list_forwards(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.0;
    let scope = super::owner(&actor, None)?;
    let list = store::list(&state.db.conn, scope).await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(ForwardDto::from).collect::<Vec<_>>()))
}

/// Stop forwarding to an external learning record store
///
/// Admins, and the managers of the forward's institution. Nothing more is queued for it,
/// and what is queued is not sent.
///
/// Problems: `managers_only` (403) for learners and tutors, `not_found` (404) for a
/// forward that is not the caller's institution's.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "revoke_lrs_forward",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Forward id")),
    responses(
        (status = 204, description = "Stopped"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/xapi/forwards/{id}")]
pub async fn revoke_forward(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.0;
    let forward = store::find(&state.db.conn, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Admins stop any forward; managers their institution's only (an admin's forward, of
    // no institution, is not theirs).
    if let Some(own) = super::owner(&actor, None)?
        && forward.institution_id != Some(own)
    {
        return Err(ApiError::NotFound);
    }
    store::revoke(&state.db.conn, forward.id, Utc::now()).await?;
    tracing::info!(forward_id = %forward.id, "lrs forward stopped");
    let object = crate::audit::Object::new("lrs_forward", forward.id, forward.institution_id);
    crate::audit::record(
        &state,
        Some(&actor),
        crate::audit::Action::LrsForwardRevoked,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::{NewForwardRequest, validate};

    fn request(endpoint: &str, username: &str, verbs: Vec<&str>) -> NewForwardRequest {
        NewForwardRequest {
            name: "records".into(),
            endpoint: endpoint.into(),
            username: username.into(),
            password: "p".into(),
            institution_id: None,
            verbs: Some(verbs.into_iter().map(str::to_owned).collect()),
        }
    }

    #[test]
    fn what_the_documents_patterns_admit_is_accepted() {
        // Edge cases of the documented patterns: a validator stricter than the document
        // would refuse requests the document allows.
        for endpoint in [
            "http://a",
            "https://lrs.inm.example:9999/xapi/",
            "http://A-1.b-c/_~/-.",
            "http://127.0.0.1:8080/xapi",
            "http://255.250.199.0",
            "http://0.x",
            "http://localhost:54321/xapi",
        ] {
            assert!(
                validate(&request(endpoint, "u", vec!["http://."])).is_ok(),
                "{endpoint}"
            );
        }
        for endpoint in [
            "ftp://a",
            "http://-",
            "http://a.4",
            "http://xn--a.b",
            "http://256.1.1.1",
            "http://a/*",
            "http://u:p@a",
            "http://a?q",
            "http://a:0",
            "http://a:65536",
            "http://a\n",
        ] {
            assert!(
                validate(&request(endpoint, "u", vec![])).is_err(),
                "{endpoint:?}"
            );
        }
        for verb in [
            "http://-",
            "https://x.example/v/~_.-",
            "http://0",
            "urn:a%2F",
        ] {
            assert!(
                validate(&request("http://a", "u", vec![verb])).is_ok(),
                "{verb}"
            );
        }
        assert!(validate(&request("http://a", "a:b", vec![])).is_err());
        assert!(validate(&request("http://a", "u", vec!["not an iri"])).is_err());
    }

    /// Every string over `alphabet` of up to `len` characters.
    fn strings(alphabet: &[char], len: u32) -> impl Iterator<Item = String> + '_ {
        (0..=len).flat_map(move |n| {
            (0..alphabet.len().pow(n)).map(move |mut k| {
                (0..n)
                    .map(|_| {
                        let c = alphabet[k % alphabet.len()];
                        k /= alphabet.len();
                        c
                    })
                    .collect()
            })
        })
    }

    #[test]
    fn every_endpoint_the_pattern_admits_parses_as_a_url() {
        let pattern = regex::Regex::new(super::ENDPOINT_PATTERN).unwrap();
        let mut admitted = 0;
        for host in strings(&['a', 'x', 'n', '0', '4', '9', '-', '.'], 5) {
            for tail in [
                "", ":1", ":9999", ":65535", ":65536", ":99999", "/", "/a/./..",
            ] {
                let endpoint = format!("http://{host}{tail}");
                let matches = pattern.is_match(&endpoint);
                assert_eq!(matches, super::endpoint_admitted(&endpoint), "{endpoint}");
                admitted += usize::from(matches);
            }
        }
        // The enumeration reached both sides of the pattern.
        assert!(admitted > 1000, "{admitted}");
    }

    #[test]
    fn the_verb_pattern_says_what_is_iri_takes() {
        let pattern = regex::Regex::new(super::VERB_PATTERN).unwrap();
        let alphabet = [
            'a', 'F', '1', '+', ':', '%', ' ', '<', '\\', '^', '`', '\u{7f}', '\u{9f}', '\u{a0}',
            '\u{85}', 'é',
        ];
        let mut iris = 0;
        for s in strings(&alphabet, 4) {
            let is_iri = help_lms_domain::xapi::is_iri(&s);
            assert_eq!(pattern.is_match(&s), is_iri, "{s:?}");
            iris += usize::from(is_iri);
        }
        assert!(iris > 100, "{iris}");
    }
}
