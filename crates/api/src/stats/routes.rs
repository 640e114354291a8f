//! The statistics routes: each parses its input, checks who may ask, calls one service
//! and maps the outcome.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use help_lms_domain::ValidationErrors;
use help_lms_domain::reporting::{TargetSpec, parse_group_by};
use help_lms_persistence::catalogue;
use help_lms_persistence::stats::{self, NewTarget};
use uuid::Uuid;

use super::csv::{file_name, to_csv, wants_csv};
use super::dto::{CompletionsDto, FunnelDto, TargetDto};
use super::query::{CompletionsQuery, FunnelQuery, NewTargetDto, course_of, resolve_filters};
use super::{scope_of, threshold_for};
use crate::auth::{Admin, Staff};
use crate::error::{ApiError, problems};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// Completion statistics, grouped and filtered (JSON or CSV)
///
/// Tutors (the cohorts they tutor), managers and API clients (their institution's
/// cohorts) and admins (everything). Enrolments, completions, scores and certificates per
/// group of the dimensions asked for; `Accept: text/csv` gives the rows as CSV. Groups
/// smaller than the deployment's minimum cell are suppressed, except for admins. Changes
/// nothing.
///
/// Problems: `staff_only` (403) for learners, `not_found` (404: an institution or cohort
/// named that you may not see), `validation_failed` (422: every wrong filter, an unknown
/// dimension, course, institution or cohort).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "completion_statistics",
    security(("bearer" = [])),
    params(CompletionsQuery, crate::spreadsheet::CsvParams),
    responses(
        (status = 200, description = "Enrolments, completions, scores and certificates per group; `Accept: text/csv` gives the same rows as CSV", body = CompletionsDto),
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/stats/completions")]
pub async fn completions(
    state: web::Data<AppState>,
    Staff(a): Staff,
    req: HttpRequest,
    q: crate::spreadsheet::CsvQuery<CompletionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(&state, &a).await?;
    let mut errors = ValidationErrors::new();
    let group_by = parse_group_by(q.group_by.as_deref(), &mut errors);
    let filters = resolve_filters(
        &state,
        &a,
        &scope,
        q.course.as_deref(),
        q.raw(),
        &mut errors,
    )
    .await?;
    errors.into_result()?;
    let rows = stats::completions(&state.db.conn, &group_by, &filters, &scope).await?;
    let dto = CompletionsDto::new(&group_by, rows, threshold_for(&state, &a));
    if wants_csv(&req) {
        let name = file_name(q.course.as_deref().map(str::trim), &group_by);
        return Ok(to_csv(&dto, &group_by, q.delimiter).into_response(&name));
    }
    Ok(HttpResponse::Ok().json(dto))
}

/// A course's funnel: modules, quizzes and questions
///
/// Tutors, managers (and API clients) and admins, each over the enrolments they may see,
/// as for the completions. Per module in course order: started, completed, quiz passed,
/// average score and attempts; per question the share answered right. Small groups are
/// suppressed except for admins. Changes nothing.
///
/// Problems: `staff_only` (403) for learners, `not_found` (404: no course with this slug,
/// or an institution or cohort named that you may not see), `validation_failed` (422).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "course_funnel",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Course slug"), FunnelQuery),
    responses(
        (status = 200, description = "Per module in course order: started, completed, quiz passed, average score and attempts; per question the share answered right, overall and per attempt language", body = FunnelDto),
        problems::Unauthorized,
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/stats/courses/{slug}/funnel")]
pub async fn course_funnel(
    state: web::Data<AppState>,
    Staff(a): Staff,
    slug: web::Path<String>,
    q: crate::lists::ListQuery<FunnelQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope_of(&state, &a).await?;
    let course = catalogue::current_version(&state.db.conn, slug.trim())
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut errors = ValidationErrors::new();
    let filters = resolve_filters(&state, &a, &scope, None, q.raw(), &mut errors).await?;
    errors.into_result()?;
    let f = stats::funnel(&state.db.conn, course.course_id, &filters, &scope).await?;
    Ok(HttpResponse::Ok().json(FunnelDto::new(f, threshold_for(&state, &a))))
}

/// Record a programme target
///
/// Admins only. Records a target such as "300 judges completing any course in 2027": a
/// metric (enrolled, completed or certificates), the number to reach, and optionally a
/// period, a course, a profession and a country. The answer says where it stands now.
///
/// Problems: `admin_only` (403), `validation_failed` (422: every wrong field, e.g.
/// `invalid_metric`, `out_of_range`, `before_from`, `unknown_course`).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "create_target",
    security(("bearer" = [])),
    request_body(content = NewTargetDto, example = json!({
        "name": "Romanian judges completing the pre-trial detention course, 2027",
        "metric": "completed", "target": 300, "from": "2027-01-01", "to": "2027-12-31",
        "course": "international-cooperation-pre-trial-detention", "profession": "judge", "country": "RO"
    })),
    responses(
        (status = 201, description = "Recorded, with where it stands now", body = TargetDto),
        problems::Forbidden,
        problems::Unprocessable,
    )
)]
#[post("/stats/targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    body: crate::body::Json<NewTargetDto>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let spec = TargetSpec::parse(body.draft(), &mut errors);
    let course_id = match body.course.as_deref().map(str::trim) {
        None => None,
        Some(slug) => course_of(&state, slug, &mut errors).await?,
    };
    let Some(spec) = spec else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let created = stats::create_target(
        &state.db,
        NewTarget {
            spec,
            course_id,
            created_by: admin.user_id,
        },
    )
    .await?;
    tracing::info!(target_id = %created.target.id, "statistics target recorded");
    Ok(HttpResponse::Created().json(TargetDto::from(created)))
}

/// List the programme targets
///
/// Admins only. Every target, oldest first, each with its current value and the percent
/// achieved. Changes nothing.
///
/// Problems: `admin_only` (403).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "list_targets",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "The targets, oldest first, each with its current value and percent achieved", body = Page<TargetDto>),
        problems::Forbidden,
    )
)]
#[get("/stats/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    _admin: Admin,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let all = stats::targets(&state.db.conn).await?;
    Ok(HttpResponse::Ok().json(Page::of(
        all.into_iter().map(TargetDto::from).collect(),
        page.into_inner().checked()?,
    )))
}

/// Read a programme target
///
/// Admins only. The target with its current value and the percent achieved. Changes
/// nothing.
///
/// Problems: `admin_only` (403), `not_found` (404).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "get_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    responses(
        (status = 200, description = "The target and where it stands", body = TargetDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/stats/targets/{id}")]
pub async fn get_target(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(TargetDto::from(stats::target(&state.db.conn, *id).await?)))
}

/// Delete a programme target
///
/// Admins only. Removes the target; the statistics it counts are untouched.
///
/// Problems: `admin_only` (403), `not_found` (404).
#[utoipa::path(
    tags = ["admin"],
    operation_id = "delete_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    responses(
        (status = 204, description = "Deleted"),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/stats/targets/{id}")]
pub async fn delete_target(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    stats::delete_target(&state.db, *id).await?;
    tracing::info!(target_id = %id, "statistics target deleted");
    Ok(HttpResponse::NoContent().finish())
}
