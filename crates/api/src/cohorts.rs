//! Cohorts and their enrolments: create, list, read, update and close cohorts; enrol a
//! cohort in bulk (JSON or CSV), read its roster (JSON or CSV), withdraw a learner.
//! A cohort another institution owns is answered 404, wherever its id appears.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use help_lms_domain::ValidationErrors;
use help_lms_domain::accounts::Actor;
use help_lms_domain::content::CourseStatus;
use help_lms_domain::enrolment::{CohortStatus, check_rows};
use help_lms_domain::values::{Language, Role, UserStatus};
use help_lms_persistence::cohorts::{self, Cohort, CohortChange, NewCohort};
use help_lms_persistence::enrolments::{self, BulkAnswer, BulkOutcome, BulkRequest, RosterEntry};
use help_lms_persistence::{accounts, catalogue, idempotency};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::bulk;
use crate::enrolments::EnrolmentDto;
use crate::error::{ApiError, Code, problems};
use crate::institutions::INVITATION_DAYS;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDto {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub course: String,
    pub course_version_id: Uuid,
    pub language: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    /// open or closed
    pub status: String,
    pub tutor_ids: Vec<Uuid>,
    /// Enrolments that take a seat (not withdrawn).
    pub enrolled: u64,
    pub created_at: DateTime<Utc>,
}

async fn dto(state: &AppState, c: Cohort) -> Result<CohortDto, ApiError> {
    let enrolled = cohorts::active_count(&state.db.conn, c.id).await?;
    Ok(CohortDto {
        id: c.id,
        institution_id: c.institution_id,
        course: c.course_slug,
        course_version_id: c.course_version_id,
        language: c.language.to_string(),
        name: c.name,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        capacity: c.capacity,
        status: c.status.to_string(),
        tutor_ids: c.tutor_ids,
        enrolled,
        created_at: c.created_at,
    })
}

/// The cohort if the actor may see it, else 404.
pub(crate) async fn visible(state: &AppState, actor: &Actor, id: Uuid) -> Result<Cohort, ApiError> {
    let c = cohorts::find(&state.db.conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if actor.can_view_cohort(c.institution_id, &c.tutor_ids) {
        Ok(c)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The cohort if the actor manages its institution; 404 if they cannot see it, 403 if they
/// only tutor it.
async fn managed(state: &AppState, actor: &Actor, id: Uuid) -> Result<Cohort, ApiError> {
    let c = visible(state, actor, id).await?;
    if actor.manages_institution(c.institution_id) {
        Ok(c)
    } else {
        Err(ApiError::from(Code::ManagersOnly))
    }
}

/// Checks that every tutor is a tutor of the institution; others are reported the same way
/// whether or not they exist, so nothing leaks about other institutions.
async fn check_tutors(
    state: &AppState,
    institution_id: Uuid,
    ids: &[Uuid],
    errors: &mut ValidationErrors,
) -> Result<(), ApiError> {
    for (i, id) in ids.iter().enumerate() {
        let ok = accounts::find(&state.db.conn, *id).await?.is_some_and(|u| {
            u.institution_id == Some(institution_id)
                && u.role == Role::Tutor
                && u.status != UserStatus::Disabled
        });
        if !ok {
            errors.push(
                format!("tutor_ids.{i}"),
                "not_a_tutor",
                "not a tutor of this institution",
            );
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohortDto {
    /// Required for admins; managers may omit it (their own) and may not name another.
    pub institution_id: Option<Uuid>,
    /// The slug of a published course.
    pub course: String,
    /// One of the course's languages.
    pub language: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// 1 to 5000 seats.
    pub capacity: i32,
    #[serde(default)]
    pub tutor_ids: Vec<Uuid>,
}

#[utoipa::path(
    tag = "cohorts",
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
    auth: Authenticated,
    body: web::Json<NewCohortDto>,
) -> Result<HttpResponse, ApiError> {
    let a = auth.0;
    let b = body.into_inner();
    let institution_id = match (a.role, b.institution_id, a.institution_id) {
        (Role::Admin, Some(i), _) => i,
        (Role::Admin, None, _) => {
            return Err(ApiError::field(
                "institution_id",
                "required",
                "admins name the institution",
            ));
        }
        (Role::NtiManager, None, Some(own)) => own,
        (Role::NtiManager, Some(i), Some(own)) if i == own => own,
        (Role::NtiManager, Some(_), _) => return Err(ApiError::NotFound),
        _ => return Err(ApiError::from(Code::ManagersOnly)),
    };
    help_lms_persistence::institutions::find(&state.db, institution_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut errors = ValidationErrors::new();
    let course = match catalogue::current_version(&state.db.conn, b.course.trim()).await? {
        Some(c) if c.status == CourseStatus::Published => Some(c),
        _ => {
            errors.push(
                "course",
                "unknown_course",
                "no published course has this slug",
            );
            None
        }
    };
    let language = errors.check("language", Language::parse(&b.language));
    if let (Some(c), Some(l)) = (&course, language)
        && !c.languages.contains(&l)
    {
        errors.push(
            "language",
            "language_not_available",
            format!(
                "the course is available in: {}",
                c.languages
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let name = b.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(
            "name",
            "invalid_name",
            "the name must be 1 to 200 characters",
        );
    }
    if b.ends_on < b.starts_on {
        errors.push(
            "ends_on",
            "before_start",
            "the cohort must end on or after its start",
        );
    }
    if !(1..=5000).contains(&b.capacity) {
        errors.push("capacity", "out_of_range", "capacity is 1 to 5000 seats");
    }
    check_tutors(&state, institution_id, &b.tutor_ids, &mut errors).await?;
    let (Some(course), Some(language)) = (course, language) else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let mut tutor_ids = b.tutor_ids;
    tutor_ids.sort();
    tutor_ids.dedup();
    let cohort = cohorts::create(
        &state.db,
        NewCohort {
            institution_id,
            course_id: course.course_id,
            course_version_id: course.version_id,
            language,
            name,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            capacity: b.capacity,
            tutor_ids,
        },
    )
    .await?;
    tracing::info!(cohort_id = %cohort.id, institution_id = %institution_id, "cohort created");
    Ok(HttpResponse::Created().json(dto(&state, cohort).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CohortListQuery {
    /// Only this institution's cohorts (managers: only their own; another answers 404).
    pub institution_id: Option<Uuid>,
    /// Only cohorts of this course slug.
    pub course: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[utoipa::path(
    tag = "cohorts",
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
    auth: Authenticated,
    q: web::Query<CohortListQuery>,
) -> Result<HttpResponse, ApiError> {
    let a = auth.0;
    let (institution, tutor) = match a.role {
        Role::Admin => (q.institution_id, None),
        Role::NtiManager => {
            if q.institution_id
                .is_some_and(|i| Some(i) != a.institution_id)
            {
                return Err(ApiError::NotFound);
            }
            (a.institution_id.or(Some(Uuid::nil())), None)
        }
        Role::Tutor => {
            if q.institution_id
                .is_some_and(|i| Some(i) != a.institution_id)
            {
                return Err(ApiError::NotFound);
            }
            (None, Some(a.user_id))
        }
        Role::Learner => return Err(ApiError::from(Code::StaffOnly)),
    };
    let list = cohorts::list(&state.db, institution, tutor).await?;
    let filtered: Vec<Cohort> = list
        .into_iter()
        .filter(|c| q.course.as_deref().is_none_or(|s| c.course_slug == s))
        .collect();
    let page = PageParams {
        limit: q.limit,
        offset: q.offset,
    };
    let total = filtered.len() as u64;
    let mut items = Vec::new();
    for c in filtered
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
    {
        items.push(dto(&state, c).await?);
    }
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

#[utoipa::path(
    tag = "cohorts",
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
    Ok(HttpResponse::Ok().json(dto(&state, c).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortPatch {
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub tutor_ids: Option<Vec<Uuid>>,
}

#[utoipa::path(
    tag = "cohorts",
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
    let b = body.into_inner();
    let mut errors = ValidationErrors::new();
    let name = b.name.map(|n| n.trim().to_owned());
    if name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().count() > 200)
    {
        errors.push(
            "name",
            "invalid_name",
            "the name must be 1 to 200 characters",
        );
    }
    if b.ends_on.unwrap_or(c.ends_on) < b.starts_on.unwrap_or(c.starts_on) {
        errors.push(
            "ends_on",
            "before_start",
            "the cohort must end on or after its start",
        );
    }
    if let Some(cap) = b.capacity {
        let taken = cohorts::active_count(&state.db.conn, c.id).await?;
        if !(1..=5000).contains(&cap) {
            errors.push("capacity", "out_of_range", "capacity is 1 to 5000 seats");
        } else if i64::from(cap) < taken as i64 {
            errors.push(
                "capacity",
                "below_enrolled",
                format!("{taken} learners are already enrolled"),
            );
        }
    }
    if let Some(t) = &b.tutor_ids {
        check_tutors(&state, c.institution_id, t, &mut errors).await?;
    }
    errors.into_result()?;
    let tutor_ids = b.tutor_ids.map(|mut t| {
        t.sort();
        t.dedup();
        t
    });
    let updated = cohorts::update(
        &state.db,
        c.id,
        CohortChange {
            name,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            capacity: b.capacity,
            tutor_ids,
            status: None,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(dto(&state, updated).await?))
}

#[utoipa::path(
    tag = "cohorts",
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
    let updated = cohorts::update(
        &state.db,
        c.id,
        CohortChange {
            status: Some(CohortStatus::Closed),
            ..Default::default()
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(dto(&state, updated).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BulkQuery {
    /// Report what would happen without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResultDto {
    pub dry_run: bool,
    /// Counts per result.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// One result per row, in row order: created, enrolled, already_enrolled or rejected
    /// (with `reason` and `message`). Created rows carry the `activation_token` to deliver.
    #[schema(value_type = Vec<Object>)]
    pub rows: serde_json::Value,
    /// CSV columns that were not understood and were ignored.
    pub ignored_columns: Vec<String>,
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::with(Code::InvalidBody, e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::with(
                Code::PayloadTooLarge,
                format!("the body exceeds the limit of {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn encode(
    outcome: &BulkOutcome,
    ignored: &[String],
) -> Result<String, help_lms_persistence::StoreError> {
    let mut v = serde_json::to_value(outcome)?;
    v["ignored_columns"] = serde_json::json!(ignored);
    Ok(serde_json::to_string(&v)?)
}

#[utoipa::path(
    tag = "cohorts",
    operation_id = "enrol_cohort",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Cohort id"),
        BulkQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and body returns the first result"),
    ),
    request_body(
        description = "A JSON list of rows, or CSV (UTF-8, comma or semicolon, header: email, given name, family name, profession, country, language); at most 5,000 rows",
        content(
            (Vec<bulk::RowJson> = "application/json"),
            (String = "text/csv"),
        )
    ),
    responses(
        (status = 200, description = "A result per row; valid rows went through", body = BulkResultDto),
        problems::BadRequest,
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::PayloadTooLarge,
        problems::UnsupportedMediaType,
        problems::Unprocessable,
    )
)]
#[post("/cohorts/{id}/enrolments")]
pub async fn enrol_cohort(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<BulkQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let cohort = managed(&state, &auth.0, *id).await?;
    if cohort.status == CohortStatus::Closed {
        return Err(ApiError::with(
            Code::CohortClosed,
            "the cohort is closed to new enrolments",
        ));
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let body = read_body(payload, state.config.body_limit).await?;
    let parsed = if content_type.starts_with("application/json") {
        bulk::from_json(&body)?
    } else if content_type.starts_with("text/csv") {
        bulk::from_csv(&body)?
    } else {
        return Err(ApiError::with(
            Code::UnsupportedMediaType,
            "send application/json or text/csv",
        ));
    };
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
            format!("bulk:{}:{}:{k}", auth.0.user_id, cohort.id),
            idempotency::request_hash(&[content_type.as_bytes(), &body]),
        )
    });
    let (valid, rejected) = check_rows(parsed.rows, cohort.language);
    let ignored = parsed.ignored_columns;
    let answer = enrolments::bulk_enrol(
        &state.db,
        BulkRequest {
            cohort: &cohort,
            valid,
            rejected,
            dry_run: q.dry_run,
            activation_ttl: chrono::Duration::days(INVITATION_DAYS),
            idempotency,
        },
        |o| encode(o, &ignored),
    )
    .await?;
    match answer {
        BulkAnswer::Fresh(outcome) => {
            if !outcome.dry_run {
                for r in outcome.rows.iter().filter(|r| r.result == "created") {
                    if let (Some(user_id), Some(token)) = (r.user_id, r.activation_token.as_deref())
                    {
                        state.mailer.send(&crate::mail::Invitation {
                            user_id,
                            email: &r.email,
                            name: "",
                            activation_token: token,
                            institution_id: Some(cohort.institution_id),
                        });
                    }
                }
            }
            tracing::info!(
                cohort_id = %cohort.id,
                dry_run = outcome.dry_run,
                created = outcome.summary.created,
                enrolled = outcome.summary.enrolled,
                rejected = outcome.summary.rejected,
                "bulk enrolment"
            );
            Ok(HttpResponse::Ok()
                .content_type("application/json")
                .body(encode(&outcome, &ignored)?))
        }
        BulkAnswer::Replay(status, body) => Ok(HttpResponse::build(
            actix_web::http::StatusCode::from_u16(status)
                .unwrap_or(actix_web::http::StatusCode::OK),
        )
        .insert_header(("idempotent-replayed", "true"))
        .content_type("application/json")
        .body(body)),
        BulkAnswer::KeyMismatch => Err(ApiError::with(
            Code::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntryDto {
    pub enrolment: EnrolmentDto,
    pub email: String,
    pub name: String,
    pub profession: String,
    pub country: String,
    /// invited, active or disabled
    pub account_status: String,
    pub progress: RosterProgress,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterQuiz {
    pub quiz_id: Uuid,
    pub attempts: u32,
    pub grade: Option<f64>,
    pub passed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterProgress {
    pub percent: f64,
    pub modules_completed: usize,
    pub modules_total: usize,
    pub time_spent_seconds: i64,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub quizzes: Vec<RosterQuiz>,
}

fn roster_dto(r: RosterEntry, st: Option<&help_lms_domain::progress::Standing>) -> RosterEntryDto {
    let progress = RosterProgress {
        percent: st.map(|s| s.percent).unwrap_or(0.0),
        modules_completed: st
            .map(|s| s.modules.iter().filter(|m| m.completed).count())
            .unwrap_or(0),
        modules_total: st.map(|s| s.modules.len()).unwrap_or(0),
        time_spent_seconds: st.map(|s| s.time_spent_seconds).unwrap_or(0),
        last_activity_at: r.last_activity_at,
        quizzes: st
            .map(|s| {
                s.quizzes
                    .iter()
                    .map(|(id, q)| RosterQuiz {
                        quiz_id: *id,
                        attempts: q.attempts_submitted,
                        grade: q.grade,
                        passed: q.passed,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    RosterEntryDto {
        enrolment: r.enrolment.into(),
        email: r.email,
        name: r.name,
        profession: r.profession,
        country: r.country,
        account_status: r.user_status,
        progress,
    }
}

async fn standings_of(
    state: &AppState,
    rows: &[RosterEntry],
) -> Result<std::collections::HashMap<Uuid, help_lms_domain::progress::Standing>, ApiError> {
    let pairs: Vec<(Uuid, Uuid)> = rows
        .iter()
        .map(|r| (r.enrolment.id, r.enrolment.course_version_id))
        .collect();
    Ok(help_lms_persistence::learning::standings(&state.db.conn, &pairs).await?)
}

fn roster_csv(entries: &[RosterEntryDto]) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "enrolment_id",
        "user_id",
        "email",
        "name",
        "profession",
        "country",
        "account_status",
        "status",
        "language",
        "enrolled_at",
        "completed_at",
        "withdrawn_at",
        "percent",
        "modules_completed",
        "time_spent_seconds",
        "last_activity_at",
        "quizzes_passed",
    ])
    .map_err(ApiError::internal)?;
    for e in entries {
        let en = &e.enrolment;
        let opt = |d: &Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_default();
        w.write_record([
            en.id.to_string(),
            en.user_id.to_string(),
            e.email.clone(),
            e.name.clone(),
            e.profession.clone(),
            e.country.clone(),
            e.account_status.clone(),
            en.status.clone(),
            en.language.clone(),
            en.enrolled_at.to_rfc3339(),
            opt(&en.completed_at),
            opt(&en.withdrawn_at),
            e.progress.percent.to_string(),
            e.progress.modules_completed.to_string(),
            e.progress.time_spent_seconds.to_string(),
            opt(&e.progress.last_activity_at),
            e.progress
                .quizzes
                .iter()
                .filter(|q| q.passed)
                .count()
                .to_string(),
        ])
        .map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

#[utoipa::path(
    tag = "cohorts",
    operation_id = "cohort_roster",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id"), PageParams),
    responses(
        (status = 200, description = "The roster in enrolment order; with `Accept: text/csv` the whole roster as CSV", body = Page<RosterEntryDto>),
        problems::NotFound,
    )
)]
#[get("/cohorts/{id}/enrolments")]
pub async fn roster(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let c = visible(&state, &auth.0, *id).await?;
    let wants_csv = crate::negotiate::asks_for(&req, "text/csv");
    if wants_csv {
        let (rows, _) = enrolments::roster(&state.db, c.id, u64::MAX >> 1, 0).await?;
        let standings = standings_of(&state, &rows).await?;
        let dtos: Vec<RosterEntryDto> = rows
            .into_iter()
            .map(|r| {
                let st = standings.get(&r.enrolment.id).cloned();
                roster_dto(r, st.as_ref())
            })
            .collect();
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(roster_csv(&dtos)?));
    }
    let (rows, total) = enrolments::roster(
        &state.db,
        c.id,
        u64::from(page.limit()),
        u64::from(page.offset()),
    )
    .await?;
    let standings = standings_of(&state, &rows).await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows
            .into_iter()
            .map(|r| {
                let st = standings.get(&r.enrolment.id).cloned();
                roster_dto(r, st.as_ref())
            })
            .collect(),
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

#[utoipa::path(
    tag = "cohorts",
    operation_id = "withdraw_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id"), ("enrolment_id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "Withdrawn; history kept, access to the cohort ends", body = EnrolmentDto),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[delete("/cohorts/{id}/enrolments/{enrolment_id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let c = managed(&state, &auth.0, id).await?;
    let e = enrolments::withdraw(&state.db, c.id, enrolment_id).await?;
    tracing::info!(enrolment_id = %e.id, cohort_id = %c.id, "learner withdrawn");
    Ok(HttpResponse::Ok().json(EnrolmentDto::from(e)))
}
