//! A cohort's roster (JSON pages, or the whole roster as CSV) and withdrawing a learner.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use help_lms_domain::progress::Standing;
use help_lms_persistence::enrolments::{self, RosterEntry};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{managed, roster_csv, visible};
use crate::auth::Authenticated;
use crate::enrolments::EnrolmentDto;
use crate::error::{ApiError, problems};
use crate::pagination::{Page, PageParams};
use crate::spreadsheet::{self, CsvParams, CsvQuery};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntryDto {
    pub enrolment: EnrolmentDto,
    pub email: String,
    pub name: String,
    #[schema(value_type = help_lms_domain::values::Profession)]
    pub profession: String,
    #[schema(value_type = help_lms_domain::values::Country)]
    pub country: String,
    /// invited, active or disabled
    #[schema(value_type = help_lms_domain::values::UserStatus)]
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

fn roster_dto(r: RosterEntry, st: Option<&Standing>) -> RosterEntryDto {
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
        email: r.email.to_string(),
        name: r.name,
        profession: r.profession.to_string(),
        country: r.country.to_string(),
        account_status: r.user_status.to_string(),
        progress,
    }
}

/// The roster lines with each learner's standing.
async fn with_standings(
    state: &AppState,
    rows: Vec<RosterEntry>,
) -> Result<Vec<RosterEntryDto>, ApiError> {
    let pairs: Vec<(Uuid, Uuid)> = rows
        .iter()
        .map(|r| (r.enrolment.id, r.enrolment.course_version_id))
        .collect();
    let standings: HashMap<Uuid, Standing> =
        help_lms_persistence::learning::standings(&state.db.conn, &pairs).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let st = standings.get(&r.enrolment.id);
            roster_dto(r, st)
        })
        .collect())
}

/// Read a cohort's roster with each learner's progress
///
/// The cohort's tutors, its institution's managers (and API clients), and admins. Each
/// enrolment with the learner's details, account status, progress and quiz grades; in
/// pages as JSON, or the whole roster as CSV with `Accept: text/csv`. Changes nothing.
///
/// Problems: `not_found` (404) for anyone else.
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "cohort_roster",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id"), PageParams, CsvParams),
    responses(
        (status = 200, description = "The roster in enrolment order; with `Accept: text/csv` the whole roster as CSV", body = Page<RosterEntryDto>),
        problems::NotFound,
    )
)]
#[get("/cohorts/{id}/enrolments", wrap = "crate::headers::no_store()")]
pub async fn roster(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: CsvQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = q.params.checked()?;
    let c = visible(&state, &auth.0, *id).await?;
    if crate::negotiate::asks_for(&req, "text/csv") {
        let (rows, _) = enrolments::roster(&state.db, c.id, u64::MAX >> 1, 0).await?;
        let lines = with_standings(&state, rows).await?;
        let name = spreadsheet::file_name(&["roster", &c.name], spreadsheet::today());
        return Ok(roster_csv::write(&lines, q.delimiter).into_response(&name));
    }
    let (rows, total) = enrolments::roster(
        &state.db,
        c.id,
        u64::from(page.limit()),
        u64::from(page.offset()),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: with_standings(&state, rows).await?,
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// Withdraw a learner from a cohort
///
/// The institution's managers (people or API clients) and admins. The enrolment becomes
/// withdrawn: its seat is freed and it takes no more progress, but its history stays.
/// Withdrawing again is harmless.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404: anyone else,
/// or an enrolment that is not in this cohort).
#[utoipa::path(
    tags = ["nti", "admin"],
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
