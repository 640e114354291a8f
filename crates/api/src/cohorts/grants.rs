//! Extra attempts for one learner of a cohort on one quiz: given by the cohort's tutors,
//! its institution's managers and admins (people, not API clients), recorded with who,
//! when and why, and listed back.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use help_lms_domain::tutoring::AttemptGrantDraft;
use help_lms_persistence::enrolments::{self, Enrolment};
use help_lms_persistence::idempotency;
use help_lms_persistence::learning::{self, Grant, GrantAnswer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::visible;
use crate::auth::Authenticated;
use crate::error::{ApiError, Code, problems};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAttemptGrant {
    /// A quiz of the course version the enrolment follows, with limited attempts.
    pub quiz_id: Uuid,
    /// How many more attempts.
    #[schema(minimum = 1, maximum = 10)]
    pub extra: i64,
    /// Why, kept with the record (1 to 500 characters).
    #[schema(value_type = help_lms_domain::values::Reason)]
    pub reason: String,
}

/// Extra attempts given to a learner.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptGrantDto {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub extra: u32,
    pub reason: String,
    /// The user who gave them.
    pub granted_by: Uuid,
    /// Their name; none if the account is gone.
    pub granted_by_name: Option<String>,
    pub granted_at: DateTime<Utc>,
}

impl From<Grant> for AttemptGrantDto {
    fn from(g: Grant) -> Self {
        AttemptGrantDto {
            id: g.id,
            enrolment_id: g.enrolment_id,
            quiz_id: g.quiz_id,
            extra: g.extra,
            reason: g.reason,
            granted_by: g.granted_by,
            granted_by_name: g.granted_by_name,
            granted_at: g.granted_at,
        }
    }
}

/// The enrolment if it is in the cohort the actor may see; else 404.
async fn cohort_enrolment(
    state: &AppState,
    auth: &Authenticated,
    cohort_id: Uuid,
    enrolment_id: Uuid,
) -> Result<Enrolment, ApiError> {
    let c = visible(state, &auth.0, cohort_id).await?;
    let e = enrolments::find(&state.db.conn, enrolment_id)
        .await?
        .filter(|e| e.cohort_id == Some(c.id))
        .ok_or(ApiError::NotFound)?;
    // Nobody is given attempts before accepting the enrolment: a pending line is answered
    // as an invitation is.
    if !crate::learning::has_accepted(state, e.user_id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(e)
}

/// Give a learner extra attempts at a quiz
///
/// The cohort's tutors, its institution's managers and admins, signed in as themselves
/// (an API client may not). Records who gave how many attempts at which quiz, when and
/// why; the learner's attempt limit counts them at once. A retry with the same
/// `Idempotency-Key` and body answers the first grant and gives nothing more.
///
/// Problems: `people_only` (403) for API clients, `not_found` (404: anyone else, or an
/// enrolment not in this cohort), `enrolment_not_active` (409: withdrawn),
/// `enrolment_completed` (409: its record is final), `idempotency_key_reused` (409: the
/// key came with another body), `validation_failed` (422: `extra` outside 1 to 10, an
/// empty `reason`, a `quiz_id` not of the course (`unknown_quiz`) or with unlimited
/// attempts (`unlimited_attempts`), a key over 200 characters).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "grant_attempts",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Cohort id"),
        ("enrolment_id" = Uuid, Path, description = "Enrolment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and body returns the first grant"),
    ),
    request_body(content = NewAttemptGrant, example = json!({
        "quiz_id": "0193a3c1-6f00-7000-8000-000000000000", "extra": 1,
        "reason": "Connection lost during the second attempt"
    })),
    responses(
        (status = 201, description = "Granted (or, for a retry with the same key, the first grant)", body = AttemptGrantDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::Unprocessable,
    )
)]
#[post(
    "/cohorts/{id}/enrolments/{enrolment_id}/attempt-grants",
    wrap = "crate::headers::no_store()"
)]
pub async fn grant_attempts(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::body::Json<NewAttemptGrant>,
) -> Result<HttpResponse, ApiError> {
    let (cohort_id, enrolment_id) = path.into_inner();
    let e = cohort_enrolment(&state, &auth, cohort_id, enrolment_id).await?;
    if auth.0.via_client {
        return Err(Code::PeopleOnly.into());
    }
    let b = body.into_inner();
    let draft = AttemptGrantDraft::parse(b.quiz_id, b.extra, &b.reason)?;
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return Err(ApiError::field(
            "Idempotency-Key",
            "too_long",
            "at most 200 characters",
        ));
    }
    let idempotency = key.map(|k| {
        (
            format!("grant:{}:{}:{k}", auth.0.user_id, e.id),
            idempotency::request_hash(&[
                draft.quiz_id.as_bytes(),
                &draft.extra.to_le_bytes(),
                draft.reason.as_str().as_bytes(),
            ]),
        )
    });
    match learning::grant_attempts(&state.db, e.id, draft, auth.0.user_id, idempotency).await? {
        GrantAnswer::Fresh(g) => {
            let institution = help_lms_persistence::cohorts::find(&state.db.conn, cohort_id)
                .await?
                .map(|c| c.institution_id);
            let object = crate::audit::Object::new("enrolment", e.id, institution);
            let detail = serde_json::json!({"grant": g.id, "extra": g.extra});
            crate::audit::record(
                &state,
                Some(&auth.0),
                crate::audit::Action::AttemptsGranted,
                object,
                Some(detail),
            )
            .await;
            Ok(HttpResponse::Created().json(AttemptGrantDto::from(g)))
        }
        GrantAnswer::Replay(g) => Ok(HttpResponse::Created()
            .insert_header(("idempotent-replayed", "true"))
            .json(AttemptGrantDto::from(g))),
        GrantAnswer::KeyMismatch => Err(ApiError::with(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}

/// List the extra attempts given to a learner
///
/// The cohort's tutors, its institution's managers (and API clients), and admins. Every
/// grant, oldest first, with who gave it, when and why. Changes nothing.
///
/// Problems: `not_found` (404: anyone else, or an enrolment not in this cohort),
/// `validation_failed` (422: `limit`).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "list_attempt_grants",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Cohort id"),
        ("enrolment_id" = Uuid, Path, description = "Enrolment id"),
        PageParams,
    ),
    responses(
        (status = 200, description = "The grants, oldest first", body = Page<AttemptGrantDto>),
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get(
    "/cohorts/{id}/enrolments/{enrolment_id}/attempt-grants",
    wrap = "crate::headers::no_store()"
)]
pub async fn list_attempt_grants(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner().checked()?;
    let (cohort_id, enrolment_id) = path.into_inner();
    let e = cohort_enrolment(&state, &auth, cohort_id, enrolment_id).await?;
    let all: Vec<AttemptGrantDto> = learning::grants_of(&state.db.conn, e.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of(all, page)))
}
