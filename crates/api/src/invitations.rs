//! Invitations to join a cohort, as their addressee answers them: the owner of an account
//! that the inviting institution does not manage lists the invitations waiting for them and
//! accepts or declines each, signed in, by id (from the list) or by the token of the mail.
//! Nothing about the account reaches the institution until they accept.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use help_lms_persistence::cohorts::invitations::{self, Invitation, Which};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Person;
use crate::enrolments::EnrolmentDto;
use crate::error::{ApiError, problems};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub cohort_name: String,
    /// The course's slug.
    pub course: String,
    /// The institution that invites.
    pub institution: String,
    /// The language the enrolment will be in.
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[schema(value_type = help_lms_domain::enrolment::InvitationStatus)]
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<Invitation> for InvitationDto {
    fn from(i: Invitation) -> Self {
        InvitationDto {
            id: i.id,
            cohort_id: i.cohort_id,
            cohort_name: i.cohort_name,
            course: i.course_slug,
            institution: i.institution,
            language: i.language.to_string(),
            starts_on: i.starts_on,
            ends_on: i.ends_on,
            status: i.status.to_string(),
            created_at: i.created_at,
        }
    }
}

/// The token from an invitation's mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
}

/// The token as sent, trimmed; a blank one names no invitation (404, as an unknown one).
fn token_of(body: &InvitationToken) -> Result<&str, ApiError> {
    let t = body.token.trim();
    // Characters, as the schema counts them (a byte count refused 200 accented ones).
    if t.chars().count() > 200 {
        return Err(ApiError::field(
            "token",
            "invalid_token",
            "the token from the invitation's link, at most 200 characters",
        ));
    }
    if t.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(t)
}

/// List the invitations waiting for your answer
///
/// Any signed-in person: invitations to join a cohort sent to your account by an institution
/// that does not manage it, newest first; expired and answered ones are not listed.
///
/// Problems: `people_only` (403) for an API client.
#[utoipa::path(
    tags = ["learner"],
    operation_id = "my_invitations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Invitations waiting for you", body = Vec<InvitationDto>),
        problems::Unauthorized,
        problems::Forbidden,
    )
)]
#[get("/me/invitations", wrap = "crate::headers::no_store()")]
pub async fn my_invitations(
    state: web::Data<AppState>,
    person: Person,
) -> Result<HttpResponse, ApiError> {
    let list = invitations::for_user(&state.db, person.0.user_id).await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(InvitationDto::from)
            .collect::<Vec<_>>(),
    ))
}

async fn accept(
    state: &AppState,
    person: &Person,
    which: Which<'_>,
) -> Result<HttpResponse, ApiError> {
    let e = invitations::accept(&state.db, person.0.user_id, which).await?;
    tracing::info!(enrolment_id = %e.id, cohort_id = ?e.cohort_id, "invitation accepted");
    Ok(HttpResponse::Ok().json(EnrolmentDto::from(e)))
}

async fn decline(
    state: &AppState,
    person: &Person,
    which: Which<'_>,
) -> Result<HttpResponse, ApiError> {
    let i = invitations::decline(&state.db, person.0.user_id, which).await?;
    tracing::info!(cohort_id = %i.cohort_id, "invitation declined");
    Ok(HttpResponse::Ok().json(InvitationDto::from(i)))
}

/// Accept an invitation to join a cohort
///
/// The invitation's addressee, signed in. The enrolment is made now, in the invitation's
/// language: a self-study enrolment in the course joins the cohort with its progress, one
/// withdrawn earlier comes back with its history. From now on the institution sees your
/// name, profession, country and progress in this course.
///
/// Problems: `not_found` (404: no invitation of yours with this id), `invitation_answered`
/// (409: already accepted or declined, or expired), `cohort_closed` or `cohort_ended` (409),
/// `not_a_learner` (409: staff and admin accounts do not join cohorts),
/// `enrolled_in_another_cohort` (409), `course_completed` (409), `people_only` (403).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "accept_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "Enrolled in the cohort", body = EnrolmentDto),
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/me/invitations/{id}/accept", wrap = "crate::headers::no_store()")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    person: Person,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    accept(&state, &person, Which::Id(*id)).await
}

/// Decline an invitation to join a cohort
///
/// The invitation's addressee, signed in. Nothing is enrolled; the institution's roster shows
/// the row it sent as `declined`, and its seat is freed.
///
/// Problems: `not_found` (404), `invitation_answered` (409), `people_only` (403).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "decline_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "Declined", body = InvitationDto),
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
    )
)]
#[post("/me/invitations/{id}/decline", wrap = "crate::headers::no_store()")]
pub async fn decline_invitation(
    state: web::Data<AppState>,
    person: Person,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    decline(&state, &person, Which::Id(*id)).await
}

/// Accept an invitation by the token of its mail
///
/// As `POST /me/invitations/{id}/accept`, for the page the mail's link opens: the token
/// names the invitation, and it must be addressed to the signed-in account (anyone else's
/// is 404).
///
/// Problems: as accepting by id (an unknown or blank token is 404).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "accept_invitation_by_token",
    security(("bearer" = [])),
    request_body(content = InvitationToken, example = json!({"token": "Xq3v9dJk2mZP0bW7sA1cR5tY8uE4oL6nH2gF0iK9jMw"})),
    responses(
        (status = 200, description = "Enrolled in the cohort", body = EnrolmentDto),
        problems::BadRequest,
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::Unprocessable,
    )
)]
#[post("/me/invitations/accept", wrap = "crate::headers::no_store()")]
pub async fn accept_invitation_by_token(
    state: web::Data<AppState>,
    person: Person,
    body: crate::body::Json<InvitationToken>,
) -> Result<HttpResponse, ApiError> {
    accept(&state, &person, Which::Token(token_of(&body)?)).await
}

/// Decline an invitation by the token of its mail
///
/// As `POST /me/invitations/{id}/decline`, naming the invitation by its mail's token.
///
/// Problems: as declining by id (an unknown or blank token is 404).
#[utoipa::path(
    tags = ["learner"],
    operation_id = "decline_invitation_by_token",
    security(("bearer" = [])),
    request_body(content = InvitationToken, example = json!({"token": "Xq3v9dJk2mZP0bW7sA1cR5tY8uE4oL6nH2gF0iK9jMw"})),
    responses(
        (status = 200, description = "Declined", body = InvitationDto),
        problems::BadRequest,
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::Unprocessable,
    )
)]
#[post("/me/invitations/decline", wrap = "crate::headers::no_store()")]
pub async fn decline_invitation_by_token(
    state: web::Data<AppState>,
    person: Person,
    body: crate::body::Json<InvitationToken>,
) -> Result<HttpResponse, ApiError> {
    decline(&state, &person, Which::Token(token_of(&body)?)).await
}
