//! The signed-in user's own account: `GET /me` and `PATCH /me`.

use actix_web::{HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use help_lms_domain::ValidationErrors;
use help_lms_domain::accounts::User;
use help_lms_domain::values::{Language, PersonName};
use help_lms_persistence::accounts::{self, ProfileChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Person;
use crate::error::{ApiError, problems};
use crate::state::AppState;

/// An account as shown to its owner and to those who manage it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// judge, prosecutor, prison_staff, probation_staff, lawyer, court_staff, law_enforcement, other
    #[schema(value_type = help_lms_domain::values::Profession)]
    pub profession: String,
    /// ISO 3166-1 alpha-2 code of a Council of Europe member state, or `other`
    #[schema(value_type = help_lms_domain::values::Country)]
    pub country: String,
    /// Preferred language (ISO 639-1)
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub institution_id: Option<Uuid>,
    /// learner, tutor, nti_manager, admin
    #[schema(value_type = help_lms_domain::values::Role)]
    pub role: String,
    /// invited, active, disabled
    #[schema(value_type = help_lms_domain::values::UserStatus)]
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        UserDto {
            id: u.id,
            email: u.email.to_string(),
            name: u.name,
            profession: u.profession.to_string(),
            country: u.country.to_string(),
            language: u.language.to_string(),
            institution_id: u.institution_id,
            role: u.role.to_string(),
            status: u.status.to_string(),
            created_at: u.created_at,
        }
    }
}

/// Read your own account
///
/// Any signed-in person. Changes nothing.
///
/// Problems: `not_found` (404) for an API client's token, which has no account of its own.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = UserDto),
        problems::Unauthorized,
        problems::Forbidden,
    )
)]
#[get("/me", wrap = "crate::headers::no_store()")]
pub async fn get_me(state: web::Data<AppState>, person: Person) -> Result<HttpResponse, ApiError> {
    let user = accounts::find(&state.db.conn, person.0.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// The fields a user may change about themselves. Role, status, institution and email are
/// managed by others and are refused here.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMe {
    #[schema(value_type = Option<help_lms_domain::values::PersonName>)]
    pub name: Option<String>,
    /// Preferred language: ISO 639-1 code of an official language of a Council of Europe
    /// member state
    #[schema(value_type = Option<help_lms_domain::values::Language>)]
    pub language: Option<String>,
    #[serde(default)]
    #[schema(ignore)]
    pub role: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(ignore)]
    pub status: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(ignore)]
    pub institution_id: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(ignore)]
    pub email: Option<serde_json::Value>,
}

/// Change your own name or preferred language
///
/// Any signed-in person. Changes only the fields sent; the preferred language is used to
/// choose a course's language on self-enrolment. Role, status, institution and email are
/// managed by others: sending any of them is refused.
///
/// Problems: `validation_failed` (422: a wrong name or language, or `read_only` for role,
/// status, institution_id or email), `not_found` (404) for an API client's token.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "update_me",
    security(("bearer" = [])),
    request_body(content = PatchMe, example = json!({"name": "Ana-Maria Popescu", "language": "fr"})),
    responses(
        (status = 200, description = "The updated account", body = UserDto),
        problems::Unauthorized,
        problems::Forbidden,
        problems::Unprocessable,
    )
)]
#[patch("/me", wrap = "crate::headers::no_store()")]
pub async fn update_me(
    state: web::Data<AppState>,
    person: Person,
    body: crate::body::Json<PatchMe>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = ValidationErrors::new();
    for (field, present) in [
        ("role", body.role.is_some()),
        ("status", body.status.is_some()),
        ("institution_id", body.institution_id.is_some()),
        ("email", body.email.is_some()),
    ] {
        if present {
            errors.push(
                field,
                "read_only",
                format!("{field} cannot be changed by the account holder"),
            );
        }
    }
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", PersonName::parse(n)));
    let language = body
        .language
        .as_deref()
        .and_then(|l| errors.check("language", Language::parse(l)));
    errors.into_result()?;
    let user = accounts::update_profile(
        &state.db,
        person.0.user_id,
        ProfileChange { name, language },
    )
    .await?;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}
