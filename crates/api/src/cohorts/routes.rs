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

#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "create_cohort",
    security(("bearer" = [])),
    request_body = NewCohortDto,
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
    body: web::Json<NewCohortDto>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let institution_id = manager.0.institution_for_new_cohort(b.institution_id)?;
    let (course, draft) = b.into_parts();
    let cohort = cohorts::create(&state.db, institution_id, &course, draft).await?;
    tracing::info!(cohort_id = %cohort.id, institution_id = %institution_id, "cohort created");
    Ok(HttpResponse::Created().json(CohortDto::from(cohort)))
}

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
    };
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

#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "update_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id")),
    request_body = CohortPatch,
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
    body: web::Json<CohortPatch>,
) -> Result<HttpResponse, ApiError> {
    let c = managed(&state, &auth.0, *id).await?;
    let updated = cohorts::update(&state.db, c.id, body.into_inner().into()).await?;
    Ok(HttpResponse::Ok().json(CohortDto::from(updated)))
}

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
