//! A cohort's gradebook for its tutors: per learner, per quiz the grade that counts, pass,
//! attempts used and left (extra attempts counted), with progress, last activity and
//! completion; JSON pages, or the whole gradebook as CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_persistence::enrolments::{self, Gradebook, GradebookRow, Window};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{gradebook_csv, visible};
use crate::auth::Authenticated;
use crate::catalogue::dto::text;
use crate::error::{ApiError, problems};
use crate::pagination::PageParams;
use crate::spreadsheet::{self, CsvParams, CsvQuery};
use crate::state::AppState;

/// One quiz column: a quiz of the cohort's course version, in course order.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradebookQuizDto {
    pub quiz_id: Uuid,
    /// The key of the quiz's module (the CSV's column prefix).
    pub module_key: String,
    /// In the cohort's language.
    pub title: String,
    pub pass_mark: u8,
    /// 0 means unlimited.
    pub max_attempts: u32,
}

/// One learner's standing at one quiz.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradebookCellDto {
    /// The column's quiz.
    pub quiz_id: Uuid,
    /// The grade that counts, by the quiz's grading method (highest, last, first or
    /// average of the graded attempts), in percent; none before a graded attempt.
    pub grade: Option<f64>,
    pub passed: bool,
    /// Graded attempts (an attempt in progress or void is not counted).
    pub attempts_used: u32,
    /// Extra attempts counted; none when unlimited.
    pub attempts_left: Option<u32>,
    /// Attempts granted beyond the quiz's own.
    pub extra_attempts: u32,
}

/// One learner (enrolment) of the gradebook.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradebookRowDto {
    pub enrolment_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub status: EnrolmentStatus,
    /// Lessons completed and quizzes passed, out of all, in percent.
    pub percent: f64,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// One per quiz column the learner's course version has, in column order.
    pub quizzes: Vec<GradebookCellDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GradebookDto {
    pub quizzes: Vec<GradebookQuizDto>,
    pub items: Vec<GradebookRowDto>,
    /// Learners on all pages.
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}

fn row_dto(g: &Gradebook, r: GradebookRow) -> GradebookRowDto {
    let e = &r.entry.enrolment;
    GradebookRowDto {
        enrolment_id: e.id,
        user_id: e.user_id,
        email: r.entry.email.to_string(),
        name: r.entry.name.clone(),
        status: e.status,
        percent: r.entry.standing.percent,
        last_activity_at: r.entry.last_activity_at,
        completed_at: e.completed_at,
        withdrawn_at: e.withdrawn_at,
        quizzes: g
            .quizzes
            .iter()
            .zip(r.quizzes)
            .filter_map(|(col, cell)| {
                cell.map(|q| GradebookCellDto {
                    quiz_id: col.quiz_id,
                    grade: q.grade,
                    passed: q.passed,
                    attempts_used: q.attempts_submitted,
                    attempts_left: q.attempts_left,
                    extra_attempts: q.extra_attempts,
                })
            })
            .collect(),
    }
}

fn quizzes_dto(g: &Gradebook, lang: help_lms_domain::values::Language) -> Vec<GradebookQuizDto> {
    g.quizzes
        .iter()
        .map(|q| GradebookQuizDto {
            quiz_id: q.quiz_id,
            module_key: q.module_key.clone(),
            title: g
                .course
                .quiz(q.quiz_id)
                .map(|p| text(&p.def.title, lang, &g.course.course.languages))
                .unwrap_or_default(),
            pass_mark: q.pass_mark,
            max_attempts: q.max_attempts,
        })
        .collect()
}

/// Read a cohort's gradebook
///
/// The cohort's tutors, its institution's managers (and API clients), and admins. One row
/// per enrolment of someone who has accepted it, in enrolment order (withdrawn ones
/// included, with their status), and for
/// each quiz of the cohort's course version the grade that counts by its grading method,
/// whether it passes, the attempts used and left (extra attempts granted counted), with
/// progress, last activity and completion. An attempt left open at withdrawal is void and
/// counts nowhere. In pages as JSON, or the whole gradebook as CSV with `Accept: text/csv`.
/// Changes nothing.
///
/// Problems: `not_found` (404) for anyone else, `validation_failed` (422: `limit`, or a
/// malformed query).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "cohort_gradebook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id"), PageParams, CsvParams),
    responses(
        (status = 200, description = "The quiz columns and one row per learner; with `Accept: text/csv` the whole gradebook as CSV", body = GradebookDto),
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/cohorts/{id}/gradebook", wrap = "crate::headers::no_store()")]
pub async fn cohort_gradebook(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: CsvQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = q.params.checked()?;
    let c = visible(&state, &auth.0, *id).await?;
    let csv = crate::negotiate::asks_for(&req, "text/csv");
    let window = if csv {
        Window::ALL
    } else {
        Window {
            limit: u64::from(page.limit()),
            offset: u64::from(page.offset()),
        }
    };
    let mut g = enrolments::gradebook(&state.db, &c, window).await?;
    let rows = std::mem::take(&mut g.rows);
    let dto = GradebookDto {
        quizzes: quizzes_dto(&g, c.language),
        items: rows.into_iter().map(|r| row_dto(&g, r)).collect(),
        total: g.total,
        limit: page.limit(),
        offset: page.offset(),
    };
    if csv {
        let name = spreadsheet::file_name(&["gradebook", &c.name], spreadsheet::today());
        return Ok(gradebook_csv::write(&dto, q.delimiter).into_response(&name));
    }
    Ok(HttpResponse::Ok().json(dto))
}
