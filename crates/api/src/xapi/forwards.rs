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
    /// The external store's base IRI, http or https (statements go to `{endpoint}/statements`).
    #[schema(pattern = r"^https?://[A-Za-z0-9.-]+(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~/-]*)?$")]
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

/// A verb's IRI, for the document: it shows the usual http and https form; any absolute
/// IRI is taken.
pub struct VerbIri;

impl utoipa::PartialSchema for VerbIri {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^https?://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$"))
            .description(Some(
                "A verb's IRI, e.g. `http://adlnet.gov/expapi/verbs/completed`.",
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
    match url::Url::parse(&body.endpoint) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => errors.push("endpoint", "invalid_url", "an http or https URL"),
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
            "http://-",
            "http://.",
            "https://a:9999/x",
            "http://A-1.b/_~/-",
            "http://a/",
        ] {
            assert!(
                validate(&request(endpoint, "u", vec!["http://."])).is_ok(),
                "{endpoint}"
            );
        }
        for verb in ["http://-", "https://x.example/v/~_.-", "http://0"] {
            assert!(
                validate(&request("http://a", "u", vec![verb])).is_ok(),
                "{verb}"
            );
        }
        assert!(validate(&request("ftp://a", "u", vec![])).is_err());
        assert!(validate(&request("http://a", "a:b", vec![])).is_err());
        assert!(validate(&request("http://a", "u", vec!["not an iri"])).is_err());
    }
}
