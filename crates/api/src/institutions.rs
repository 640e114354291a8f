//! Institutions, their staff and their API clients. Admins see every institution; its own
//! staff see theirs; anyone else is answered 404, as if it did not exist.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use help_lms_domain::ValidationErrors;
use help_lms_domain::enrolment::InstitutionKind;
use help_lms_domain::values::{Country, Email, Language, PersonName, Profession, Role, UserStatus};
use help_lms_persistence::accounts::{self, NewUser};
use help_lms_persistence::institutions::{self, ApiClient, Institution};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::{ApiError, Code, problems};
use crate::me::UserDto;
use crate::state::AppState;

/// How long an invitation stays valid.
pub const INVITATION_DAYS: i64 = 30;

#[derive(Debug, Serialize, ToSchema)]
pub struct InstitutionDto {
    pub id: Uuid,
    pub name: String,
    /// ISO 3166-1 alpha-2, or `other`
    pub country: String,
    /// judicial_training, prosecution_training, prison_probation_training, bar_association, university, other
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

impl From<Institution> for InstitutionDto {
    fn from(i: Institution) -> Self {
        InstitutionDto {
            id: i.id,
            name: i.name,
            country: i.country.to_string(),
            kind: i.kind.to_string(),
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstitution {
    pub name: String,
    pub country: String,
    pub kind: String,
}

/// The institution if the actor belongs to it or is an admin; otherwise 404.
pub(crate) async fn visible_institution(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
) -> Result<Institution, ApiError> {
    let a = auth.0;
    if !(a.is_admin() || a.institution_id == Some(id)) {
        return Err(ApiError::NotFound);
    }
    institutions::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The institution if the actor manages it; 404 when it is not theirs, 403 for its other staff.
pub(crate) async fn managed_institution(
    state: &AppState,
    auth: &Authenticated,
    id: Uuid,
) -> Result<Institution, ApiError> {
    let inst = visible_institution(state, auth, id).await?;
    if auth.0.manages_institution(id) {
        Ok(inst)
    } else {
        Err(ApiError::from(Code::ManagersOnly))
    }
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "create_institution",
    security(("bearer" = [])),
    request_body = NewInstitution,
    responses(
        (status = 201, description = "Created", body = InstitutionDto),
        problems::Forbidden,
        problems::Unprocessable,
    )
)]
#[post("/institutions")]
pub async fn create_institution(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<NewInstitution>,
) -> Result<HttpResponse, ApiError> {
    if !auth.0.is_admin() {
        return Err(ApiError::from(Code::AdminOnly));
    }
    let mut errors = ValidationErrors::new();
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(
            "name",
            "invalid_name",
            "the name must be 1 to 200 characters",
        );
    }
    let country = errors.check("country", Country::parse_lenient(&body.country));
    let kind = errors.check("kind", InstitutionKind::parse(&body.kind));
    let (Some(country), Some(kind)) = (country, kind) else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let inst = institutions::create(&state.db, name, country, kind).await?;
    tracing::info!(institution_id = %inst.id, "institution created");
    Ok(HttpResponse::Created().json(InstitutionDto::from(inst)))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "list_institutions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every institution for admins; one's own for its staff", body = Vec<InstitutionDto>),
        problems::Forbidden,
    )
)]
#[get("/institutions")]
pub async fn list_institutions(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let a = auth.0;
    let list = if a.is_admin() {
        institutions::list(&state.db, None).await?
    } else if let Some(id) = a.institution_id.filter(|_| a.role != Role::Learner) {
        institutions::list(&state.db, Some(id)).await?
    } else {
        return Err(ApiError::from(Code::StaffOnly));
    };
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(InstitutionDto::from)
            .collect::<Vec<_>>(),
    ))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "get_institution",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution", body = InstitutionDto),
        problems::NotFound,
    )
)]
#[get("/institutions/{id}")]
pub async fn get_institution(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(InstitutionDto::from(
        visible_institution(&state, &auth, *id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    /// learner, tutor or nti_manager (admins are created with `help-lms admin create`)
    pub role: String,
    /// Default `other`.
    pub profession: Option<String>,
    /// Default: the institution's country.
    pub country: Option<String>,
    /// Default `en`.
    pub language: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub user: UserDto,
    /// Single-use token for `POST /auth/activate`, valid 30 days; deliver it to the person.
    pub activation_token: String,
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "invite_staff",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    request_body = NewStaff,
    responses(
        (status = 201, description = "An invited account and its activation token", body = Invitation),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/institutions/{id}/users")]
pub async fn invite_staff(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<NewStaff>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &auth, *id).await?;
    let b = body.into_inner();
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&b.email));
    let name = errors.check("name", PersonName::parse(&b.name));
    let role = errors.check("role", Role::parse(&b.role));
    let profession = match b.profession.as_deref() {
        Some(p) => errors.check("profession", Profession::parse(p)),
        None => Some(Profession::Other),
    };
    let country = match b.country.as_deref() {
        Some(c) => errors.check("country", Country::parse_lenient(c)),
        None => Some(inst.country),
    };
    let language = match b.language.as_deref() {
        Some(l) => errors.check("language", Language::parse(l)),
        None => Some(Language::En),
    };
    let (Some(email), Some(name), Some(role), Some(profession), Some(country), Some(language)) =
        (email, name, role, profession, country, language)
    else {
        return Err(errors.into());
    };
    if !auth.0.may_assign_role(role, inst.id) {
        return Err(ApiError::from(Code::RoleNotAllowed));
    }
    let (user, token) = accounts::invite(
        &state.db,
        NewUser {
            email,
            name,
            profession,
            country,
            language,
            institution_id: Some(inst.id),
            role,
            status: UserStatus::Invited,
            password_hash: None,
        },
        chrono::Duration::days(INVITATION_DAYS),
    )
    .await?;
    tracing::info!(user_id = %user.id, institution_id = %inst.id, role = %user.role, "account invited");
    state.mailer.send(&crate::mail::Invitation {
        user_id: user.id,
        email: user.email.as_str(),
        name: &user.name,
        activation_token: &token,
        institution_id: user.institution_id,
    });
    Ok(HttpResponse::Created().json(Invitation {
        user: user.into(),
        activation_token: token,
    }))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "list_staff",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution's accounts, by email", body = Vec<UserDto>),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/institutions/{id}/users")]
pub async fn list_staff(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &auth, *id).await?;
    let users = institutions::staff(&state.db, inst.id).await?;
    Ok(HttpResponse::Ok().json(users.into_iter().map(UserDto::from).collect::<Vec<_>>()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientDto {
    /// The `client_id` for `POST /auth/token`.
    pub id: Uuid,
    pub institution_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiClient> for ApiClientDto {
    fn from(c: ApiClient) -> Self {
        ApiClientDto {
            id: c.id,
            institution_id: c.institution_id,
            name: c.name,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
            last_used_at: c.last_used_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiClientDto {
    #[serde(flatten)]
    pub client: ApiClientDto,
    /// Shown once, stored only as a hash.
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiClient {
    pub name: String,
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "create_api_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    request_body = NewApiClient,
    responses(
        (status = 201, description = "The client and its secret (shown once)", body = NewApiClientDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/institutions/{id}/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
    auth.person()?;
    let inst = managed_institution(&state, &auth, *id).await?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::field(
            "name",
            "invalid_name",
            "the name must be 1 to 200 characters",
        ));
    }
    let (client, secret) =
        institutions::create_client(&state.db, inst.id, name, auth.0.user_id).await?;
    tracing::info!(client_id = %client.id, institution_id = %inst.id, "api client created");
    Ok(HttpResponse::Created().json(NewApiClientDto {
        client: client.into(),
        client_secret: secret,
    }))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "list_api_clients",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution's clients (no secrets)", body = Vec<ApiClientDto>),
        problems::NotFound,
    )
)]
#[get("/institutions/{id}/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &auth, *id).await?;
    let clients = institutions::list_clients(&state.db, inst.id).await?;
    Ok(HttpResponse::Ok().json(
        clients
            .into_iter()
            .map(ApiClientDto::from)
            .collect::<Vec<_>>(),
    ))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "revoke_api_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id"), ("client_id" = Uuid, Path, description = "Client id")),
    responses(
        (status = 204, description = "Revoked: its tokens stop working at once"),
        problems::NotFound,
    )
)]
#[delete("/institutions/{id}/clients/{client_id}")]
pub async fn revoke_client(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, client_id) = path.into_inner();
    let inst = managed_institution(&state, &auth, id).await?;
    if !institutions::revoke_client(&state.db, inst.id, client_id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(client_id = %client_id, "api client revoked");
    Ok(HttpResponse::NoContent().finish())
}
