//! The credentials of the learning record store, as the platform's API manages them:
//! admins and institutions' managers create, list and revoke HTTP Basic credentials for
//! their systems, and a learner's content gets a short-lived launch credential for one
//! enrolment (cmi5's fetch step).

use actix_web::{HttpResponse, delete, get, post, web};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use help_lms_domain::ValidationErrors;
use help_lms_domain::values::Title;
use help_lms_persistence::xapi::credentials::{self as store, Credential, Kind, NewCredential};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Authenticated, Person};
use crate::error::{ApiError, problems};
use crate::state::AppState;

/// How long a launch credential works.
const LAUNCH_TTL_MINUTES: i64 = 60;

/// A new LRS credential.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLrsCredential {
    /// What uses it, for the people who manage it.
    #[schema(value_type = help_lms_domain::values::Title)]
    pub name: String,
    /// The institution whose credential it is. Admins may leave it out for a credential
    /// that reads the whole store; managers' credentials are their institution's.
    #[serde(default)]
    pub institution_id: Option<Uuid>,
}

/// An LRS credential, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct LrsCredentialDto {
    pub id: Uuid,
    /// The HTTP Basic user name.
    pub key: String,
    pub name: String,
    pub kind: CredentialKind,
    pub institution_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a credential reads: `admin`, the whole store; `institution`, what the platform
/// recorded about the institution's learners and what its credentials wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    Admin,
    Institution,
    /// A learner's content, for one enrolment (never listed).
    Launch,
}

impl From<Kind> for CredentialKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Admin => CredentialKind::Admin,
            Kind::Institution => CredentialKind::Institution,
            Kind::Launch => CredentialKind::Launch,
        }
    }
}

impl From<Credential> for LrsCredentialDto {
    fn from(c: Credential) -> Self {
        LrsCredentialDto {
            id: c.id,
            key: c.key,
            name: c.name,
            kind: c.kind.into(),
            institution_id: c.institution_id,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
        }
    }
}

/// A credential just made, with its secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewLrsCredentialDto {
    #[serde(flatten)]
    pub credential: LrsCredentialDto,
    /// The HTTP Basic password.
    pub secret: String,
    /// The store's endpoint.
    pub endpoint: String,
}

/// Create a learning record store credential
///
/// Admins and institutions' managers, signed in as people. Makes an HTTP Basic credential
/// for `/xapi`: an admin's without an institution reads and writes the whole store; an
/// institution's reads what the platform recorded about the institution's learners and
/// what its own credentials wrote. The secret is in this answer only.
///
/// Problems: `people_only` (403) for an API client, `managers_only` (403) for learners and
/// tutors, `not_found` (404) for another institution, `validation_failed` (422: the name).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "create_lrs_credential",
    security(("bearer" = [])),
    request_body(content = NewLrsCredential, example = json!({"name": "INM learning record store"})),
    responses(
        (status = 201, description = "The credential and its secret (shown once)", body = NewLrsCredentialDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/xapi/credentials", wrap = "crate::headers::no_store()")]
pub async fn create_credential(
    state: web::Data<AppState>,
    person: Person,
    body: crate::body::Json<NewLrsCredential>,
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
    let name = Title::parse(&body.name)
        .map_err(|e| ValidationErrors::single("name", e.code, e.message))?;
    let (cred, secret) = store::create(
        &state.db.conn,
        NewCredential {
            name: name.as_str().to_owned(),
            kind: if institution.is_some() {
                Kind::Institution
            } else {
                Kind::Admin
            },
            institution_id: institution,
            learner_id: None,
            registration: None,
            created_by: Some(actor.user_id),
            expires_at: None,
        },
        Utc::now(),
    )
    .await?;
    tracing::info!(credential_id = %cred.id, "lrs credential created");
    let object = crate::audit::Object::new("lrs_credential", cred.id, cred.institution_id);
    crate::audit::record(
        &state,
        Some(&actor),
        crate::audit::Action::LrsCredentialCreated,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Created().json(NewLrsCredentialDto {
        credential: cred.into(),
        secret,
        endpoint: state.config.public_url.link("/xapi/"),
    }))
}

/// List learning record store credentials
///
/// Admins see every credential; an institution's managers (people or API clients) see
/// the institution's. No secrets. Changes nothing.
///
/// Problems: `managers_only` (403) for learners and tutors.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "list_lrs_credentials",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The credentials, newest first (no secrets)", body = Vec<LrsCredentialDto>),
        problems::Forbidden,
    )
)]
#[get("/xapi/credentials", wrap = "crate::headers::no_store()")]
pub async fn list_credentials(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.0;
    let scope = super::owner(&actor, None)?;
    let list = store::list(&state.db.conn, scope).await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(LrsCredentialDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Revoke a learning record store credential
///
/// Admins, and the managers of the credential's institution. It stops working at once;
/// what it wrote stays.
///
/// Problems: `managers_only` (403) for learners and tutors, `not_found` (404) for a
/// credential that is not the caller's institution's.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "revoke_lrs_credential",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Credential id")),
    responses(
        (status = 204, description = "Revoked"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/xapi/credentials/{id}")]
pub async fn revoke_credential(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.0;
    let scope = super::owner(&actor, None)?;
    let cred = store::find(&state.db.conn, *id, scope)
        .await?
        .ok_or(ApiError::NotFound)?;
    store::revoke(&state.db.conn, cred.id, Utc::now()).await?;
    tracing::info!(credential_id = %cred.id, "lrs credential revoked");
    let object = crate::audit::Object::new("lrs_credential", cred.id, cred.institution_id);
    crate::audit::record(
        &state,
        Some(&actor),
        crate::audit::Action::LrsCredentialRevoked,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}

/// What xAPI content needs to report one learner's learning.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaunchDto {
    /// The store's endpoint.
    pub endpoint: String,
    /// The `Authorization` header value to send with every request.
    pub auth: String,
    /// The learner as xAPI actor: an account on the platform, never their email.
    pub actor: LaunchActor,
    /// The registration: the enrolment's id.
    pub registration: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// The xAPI actor of a platform learner.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaunchActor {
    /// Always `Agent`.
    #[serde(rename = "objectType")]
    pub object_type: &'static str,
    pub account: LaunchAccount,
}

/// An account on the platform: its home page and the learner's opaque id.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaunchAccount {
    #[serde(rename = "homePage")]
    pub home_page: String,
    pub name: String,
}

/// Get a launch credential for xAPI content
///
/// The learner of the enrolment only. A credential for one hour that writes and reads
/// statements about this learner in this enrolment only, and their state documents: what
/// content running in the learner's browser may hold. Each call makes a new one.
///
/// Problems: `owner_only` (403) for staff who follow the enrolment, `not_found` (404)
/// for an enrolment the caller may not see.
#[utoipa::path(
    tags = ["learner"],
    operation_id = "xapi_launch",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 201, description = "The launch credential", body = LaunchDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/enrolments/{id}/xapi-launch", wrap = "crate::headers::no_store()")]
pub async fn launch(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (enrolment, access) = crate::learning::access(&state, &auth.0, *id).await?;
    access.owner_only()?;
    let institution = help_lms_persistence::xapi::institution_of(
        &state.db.conn,
        enrolment.cohort_id,
        enrolment.user_id,
    )
    .await?;
    let expires_at = Utc::now() + chrono::Duration::minutes(LAUNCH_TTL_MINUTES);
    let (cred, secret) = store::create(
        &state.db.conn,
        NewCredential {
            name: "launch".to_owned(),
            kind: Kind::Launch,
            institution_id: institution,
            learner_id: Some(enrolment.user_id),
            registration: Some(enrolment.id),
            created_by: Some(auth.0.user_id),
            expires_at: Some(expires_at),
        },
        Utc::now(),
    )
    .await?;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", cred.key));
    Ok(HttpResponse::Created().json(LaunchDto {
        endpoint: state.config.public_url.link("/xapi/"),
        auth: format!("Basic {basic}"),
        actor: LaunchActor {
            object_type: "Agent",
            account: LaunchAccount {
                home_page: state.config.public_url.as_str().to_owned(),
                name: enrolment.user_id.to_string(),
            },
        },
        registration: enrolment.id,
        expires_at,
    }))
}
