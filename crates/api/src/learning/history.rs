//! An enrolment's attempts as a list, for its learner and the staff who follow it: scores,
//! pass, times and each attempt's review, as the quiz's review policy allows the learner
//! to see it (staff see everything), the same review as `GET /attempts/{id}`.

use actix_web::{HttpResponse, get, web};
use help_lms_persistence::learning;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::AttemptDto;
use super::{access, view};
use crate::auth::Authenticated;
use crate::error::{ApiError, problems};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AttemptListQuery {
    /// Only the attempts at this quiz.
    pub quiz_id: Option<Uuid>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
}

/// List an enrolment's quiz attempts
///
/// The learner who owns the enrolment; admins; and the tutors and managers (and API
/// clients) of its cohort. Every attempt, oldest first: graded ones with their score,
/// pass and review (for the learner as the quiz's review policy allows, staff see
/// everything), the one in progress, and `void` ones (left open when the enrolment was
/// withdrawn or completed, never graded, counted nowhere). Attempts left open past their
/// deadline are closed and graded first. Changes nothing else.
///
/// Problems: `not_found` (404) for anyone else, `validation_failed` (422: `limit`, or a
/// malformed query).
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "list_attempts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Enrolment id"), AttemptListQuery),
    responses(
        (status = 200, description = "The enrolment's attempts, oldest first", body = Page<AttemptDto>),
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/enrolments/{id}/attempts", wrap = "crate::headers::no_store()")]
pub async fn list_attempts(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    q: web::Query<AttemptListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageParams {
        limit: q.limit,
        offset: q.offset,
    }
    .checked()?;
    let (e, access) = access(&state, &auth.0, *id).await?;
    let history = learning::attempts_of(
        &state.db,
        e.id,
        q.quiz_id,
        u64::from(page.limit()),
        u64::from(page.offset()),
    )
    .await?;
    let items = history
        .attempts
        .iter()
        .map(|a| view::attempt(a, access))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total: history.total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}
