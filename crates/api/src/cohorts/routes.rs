//! The cohort itself: create, list, read, change and close.

use actix_web::{HttpResponse, get, patch, post, web};
use help_lms_persistence::cohorts;
use uuid::Uuid;

use super::dto::{CohortDto, CohortListQuery, CohortPatch, NewCohortDto};
use super::{managed, visible};
use crate::auth::{Authenticated, Manager, Staff};
use crate::error::{ApiError, problems};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// Create a tutored cohort of a course
///
/// Managers (people or API clients), for their own institution, which they may omit;
/// admins, who must name the institution. Creates an open cohort on the course's current
/// published version, in one of its languages, with its dates, seats and tutors (tutors of
/// the same institution).
///
/// Problems: `managers_only` (403) for learners and tutors, `not_found` (404: another
/// institution named by a manager, or an institution that does not exist),
/// `validation_failed` (422: every wrong field, e.g. `unknown_course`,
/// `language_not_available`, `before_start`, `not_a_tutor`, or `institution_id` missing).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "create_cohort",
    security(("bearer" = [])),
    request_body(content = NewCohortDto, example = json!({
        "course": "international-cooperation-pre-trial-detention", "language": "fr",
        "name": "Magistrats 2027 : coopération et détention provisoire",
        "starts_on": "2027-01-11", "ends_on": "2027-04-09", "capacity": 40
    })),
    responses(
        (status = 201, description = "Created", body = CohortDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/cohorts")]
pub async fn create_cohort(
    state: web::Data<AppState>,
    manager: Manager,
    body: crate::body::Json<NewCohortDto>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let institution_id = manager.0.institution_for_new_cohort(b.institution_id)?;
    let (course, draft) = b.into_parts();
    let cohort = cohorts::create(&state.db, institution_id, &course, draft).await?;
    tracing::info!(cohort_id = %cohort.id, institution_id = %institution_id, "cohort created");
    Ok(HttpResponse::Created().json(CohortDto::from(cohort)))
}

/// List the cohorts you may see
///
/// Tutors get the cohorts they tutor; managers (and API clients) their institution's;
/// admins every cohort. Optionally narrowed to an institution or a course, newest first.
/// Changes nothing.
///
/// Problems: `staff_only` (403) for learners, `not_found` (404: an `institution_id` that
/// is not yours), `validation_failed` (422: a malformed query).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "list_cohorts",
    security(("bearer" = [])),
    params(CohortListQuery),
    responses(
        (status = 200, description = "Cohorts you may see, newest first", body = Page<CohortDto>),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/cohorts")]
pub async fn list_cohorts(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<CohortListQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = staff.0.cohort_scope(q.institution_id)?;
    let page = PageParams {
        limit: q.limit,
        offset: q.offset,
    }
    .checked()?;
    let (list, total) = cohorts::page(
        &state.db,
        scope,
        q.course.as_deref(),
        u64::from(page.limit()),
        u64::from(page.offset()),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: list.into_iter().map(CohortDto::from).collect(),
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// Read a cohort
///
/// The cohort's tutors, its institution's managers (and API clients), and admins.
/// Changes nothing.
///
/// Problems: `not_found` (404) for anyone else.
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "get_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id")),
    responses(
        (status = 200, description = "The cohort", body = CohortDto),
        problems::NotFound,
    )
)]
#[get("/cohorts/{id}")]
pub async fn get_cohort(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = visible(&state, &auth.0, *id).await?;
    Ok(HttpResponse::Ok().json(CohortDto::from(c)))
}

/// Change a cohort's name, dates, seats or tutors
///
/// The institution's managers (people or API clients) and admins. Changes only the fields
/// sent; `tutor_ids` replaces the whole list. The capacity may not go below the seats
/// taken.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404) for anyone
/// else, `validation_failed` (422: e.g. `before_start`, `out_of_range`, `below_enrolled`,
/// `not_a_tutor`).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "update_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id")),
    request_body(content = CohortPatch, example = json!({"starts_on": "2027-01-18", "ends_on": "2027-04-30", "capacity": 60})),
    responses(
        (status = 200, description = "Updated", body = CohortDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[patch("/cohorts/{id}")]
pub async fn update_cohort(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: crate::body::Json<CohortPatch>,
) -> Result<HttpResponse, ApiError> {
    let c = managed(&state, &auth.0, *id).await?;
    let updated = cohorts::update(&state.db, c.id, body.into_inner().into()).await?;
    Ok(HttpResponse::Ok().json(CohortDto::from(updated)))
}

/// Close a cohort to new enrolments
///
/// The institution's managers (people or API clients) and admins. The cohort takes no
/// more enrolments; its learners keep theirs and go on learning. Closing again is harmless.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404) for anyone
/// else.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "close_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id")),
    responses(
        (status = 200, description = "Closed: no further enrolments", body = CohortDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/cohorts/{id}/close")]
pub async fn close_cohort(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = managed(&state, &auth.0, *id).await?;
    let closed = cohorts::close(&state.db, c.id).await?;
    Ok(HttpResponse::Ok().json(CohortDto::from(closed)))
}

/// Reopen a closed cohort to enrolments
///
/// The institution's managers (people or API clients) and admins. A cohort past its end date
/// stays `ended` until its `ends_on` is moved (`PATCH /cohorts/{id}`). Reopening an open
/// cohort is harmless.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404) for anyone
/// else.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "reopen_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id")),
    responses(
        (status = 200, description = "Open again (or `ended`, if its end date has passed)", body = CohortDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[post("/cohorts/{id}/reopen")]
pub async fn reopen_cohort(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = managed(&state, &auth.0, *id).await?;
    let open = cohorts::reopen(&state.db, c.id).await?;
    Ok(HttpResponse::Ok().json(CohortDto::from(open)))
}
