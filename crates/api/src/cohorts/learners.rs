//! A cohort's roster (JSON pages, or the whole roster as CSV), filtered and sorted as a
//! tutor asks, and withdrawing a learner.

use actix_web::{HttpRequest, HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use help_lms_domain::enrolment::{EnrolmentStatus, InvitationStatus};
use help_lms_domain::tutoring::{RosterFilter, RosterSort, RosterView, SortOrder};
use help_lms_domain::values::UserStatus;
use help_lms_persistence::cohorts::invitations;
use help_lms_persistence::enrolments::{self, Enrolment, RosterEntry, Window};
use help_lms_persistence::{StoreError, accounts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{managed, roster_csv, visible};
use crate::auth::Authenticated;
use crate::error::{ApiError, problems};
use crate::pagination::{Page, PageParams};
use crate::spreadsheet::{self, CsvParams, CsvQuery};
use crate::state::AppState;

/// Where a roster line stands: an enrolment's status, or `pending` until the person has
/// accepted (activated the account made for them, or accepted an invitation to join), or
/// `declined` when they said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RosterStatus {
    Pending,
    Active,
    Completed,
    Withdrawn,
    Declined,
}

impl RosterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RosterStatus::Pending => "pending",
            RosterStatus::Active => "active",
            RosterStatus::Completed => "completed",
            RosterStatus::Withdrawn => "withdrawn",
            RosterStatus::Declined => "declined",
        }
    }
}

/// A roster line's enrolment. Until its person has accepted, it names no account and shows
/// only what the institution sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEnrolmentDto {
    /// The enrolment's id (for an invitation, the id the enrolment has once accepted).
    pub id: Uuid,
    /// Absent until the person has accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    pub course_id: Uuid,
    pub course_version_id: Uuid,
    pub cohort_id: Option<Uuid>,
    #[schema(value_type = help_lms_domain::enrolment::EnrolmentSource)]
    pub source: String,
    pub status: RosterStatus,
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl RosterEnrolmentDto {
    fn new(r: &RosterEntry) -> Self {
        Self::of(&r.enrolment, r.invitation, r.user_status)
    }

    /// The enrolment as the institution sees it, from whether it is an invitation and how
    /// far its person's account is.
    fn of(e: &Enrolment, invitation: Option<InvitationStatus>, user_status: UserStatus) -> Self {
        let status = match (invitation, user_status, e.status) {
            (Some(InvitationStatus::Declined), _, _) => RosterStatus::Declined,
            (Some(InvitationStatus::Withdrawn), _, _) => RosterStatus::Withdrawn,
            (Some(_), _, _) => RosterStatus::Pending,
            (None, UserStatus::Invited, EnrolmentStatus::Active) => RosterStatus::Pending,
            (None, _, EnrolmentStatus::Active) => RosterStatus::Active,
            (None, _, EnrolmentStatus::Completed) => RosterStatus::Completed,
            (None, _, EnrolmentStatus::Withdrawn) => RosterStatus::Withdrawn,
        };
        let accepted = invitation.is_none() && user_status != UserStatus::Invited;
        RosterEnrolmentDto {
            id: e.id,
            user_id: accepted.then_some(e.user_id),
            course_id: e.course_id,
            course_version_id: e.course_version_id,
            cohort_id: e.cohort_id,
            source: e.source.to_string(),
            status,
            language: e.language.to_string(),
            enrolled_at: e.enrolled_at,
            completed_at: e.completed_at,
            withdrawn_at: e.withdrawn_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntryDto {
    pub enrolment: RosterEnrolmentDto,
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

fn roster_dto(r: RosterEntry) -> RosterEntryDto {
    let st = &r.standing;
    let progress = RosterProgress {
        percent: st.percent,
        modules_completed: st.modules_completed(),
        modules_total: st.modules.len(),
        time_spent_seconds: st.time_spent_seconds,
        last_activity_at: r.last_activity_at,
        quizzes: st
            .quizzes
            .iter()
            .map(|(id, q)| RosterQuiz {
                quiz_id: *id,
                attempts: q.attempts_submitted,
                grade: q.grade,
                passed: q.passed,
            })
            .collect(),
    };
    RosterEntryDto {
        enrolment: RosterEnrolmentDto::new(&r),
        email: r.email.to_string(),
        name: r.name,
        profession: r.profession.to_string(),
        country: r.country.to_string(),
        account_status: r.user_status.to_string(),
        progress,
    }
}

/// The roster's query: paging, and the filters and order a tutor asks for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// Only the learners matching every filter given (repeat the parameter or separate
    /// values with commas): `not_started` (nothing done yet), `failed_quiz` (below the
    /// pass mark on a quiz they attempted), `out_of_attempts` (no attempt left on a quiz
    /// not passed), all three among active enrolments; `completed`.
    #[param(style = Form, explode = true, value_type = Option<Vec<RosterFilter>>)]
    pub filter: Option<String>,
    /// Only active learners who have done nothing for at least this many days (counted
    /// from their enrolment if they never did anything).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 3650)]
    pub inactive_days: Option<String>,
    /// The order (default `enrolled`, enrolment order); ties in enrolment order.
    #[param(value_type = Option<RosterSort>)]
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    #[param(value_type = Option<SortOrder>)]
    pub order: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
}

impl RosterQuery {
    /// The checked view and page; every wrong parameter is named.
    pub(super) fn checked(&self) -> Result<(RosterView, PageParams), ApiError> {
        let page = PageParams {
            limit: self.limit,
            offset: self.offset,
        }
        .checked()?;
        let view = RosterView::parse(
            self.filter.as_deref(),
            self.inactive_days.as_deref(),
            self.sort.as_deref(),
            self.order.as_deref(),
        )?;
        Ok((view, page))
    }
}

/// Read a cohort's roster with each learner's progress
///
/// The cohort's tutors, its institution's managers (and API clients), and admins. Each
/// enrolment with the learner's details, account status, progress and quiz grades, then
/// the invitations to join not yet accepted (`pending`, `declined`, `withdrawn`) with only
/// what the institution sent; in pages as JSON, or the whole roster as CSV with
/// `Accept: text/csv`. Until a person has accepted (activated the account made for them,
/// or accepted an invitation), their line shows what was sent and no `user_id`. Filters
/// pick who is behind (`filter=not_started`, `failed_quiz`, `out_of_attempts`,
/// `inactive_days=N`) or done (`filter=completed`); `sort` orders by `name`, `progress` or
/// `last_activity`; filtered or sorted, the roster lists only people who have accepted.
/// The CSV takes the same filters and order. Changes nothing.
///
/// Problems: `not_found` (404) for anyone else, `validation_failed` (422: `filter`,
/// `inactive_days`, `sort`, `order`, `limit`, or a malformed query).
#[utoipa::path(
    tags = ["tutor", "nti", "admin"],
    operation_id = "cohort_roster",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id"), RosterQuery, CsvParams),
    responses(
        (status = 200, description = "The roster, filtered and in the order asked (enrolment order by default); with `Accept: text/csv` all of it as CSV", body = Page<RosterEntryDto>),
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[get("/cohorts/{id}/enrolments", wrap = "crate::headers::no_store()")]
pub async fn roster(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: CsvQuery<RosterQuery>,
) -> Result<HttpResponse, ApiError> {
    let (view, page) = q.params.checked()?;
    let c = visible(&state, &auth.0, *id).await?;
    if crate::negotiate::asks_for(&req, "text/csv") {
        let (rows, _) = enrolments::roster(&state.db, c.id, &view, Window::ALL, Utc::now()).await?;
        let lines: Vec<RosterEntryDto> = rows.into_iter().map(roster_dto).collect();
        let name = spreadsheet::file_name(&["roster", &c.name], spreadsheet::today());
        let object = crate::audit::Object::new("cohort", c.id, Some(c.institution_id));
        let detail = serde_json::json!({"rows": lines.len()});
        crate::audit::record(
            &state,
            Some(&auth.0),
            crate::audit::Action::RosterExported,
            object,
            Some(detail),
        )
        .await;
        return Ok(roster_csv::write(&lines, q.delimiter).into_response(&name));
    }
    let (rows, total) = enrolments::roster(
        &state.db,
        c.id,
        &view,
        Window {
            limit: u64::from(page.limit()),
            offset: u64::from(page.offset()),
        },
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(roster_dto).collect::<Vec<_>>(),
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// Withdraw a learner from a cohort
///
/// The institution's managers (people or API clients) and admins. The enrolment becomes
/// withdrawn: its seat is freed and it takes no more progress, but its history stays; an
/// attempt left open is closed ungraded (`void`) and never counts. A line still pending
/// (an invitation, or a new account not activated) is withdrawn alike and can no longer be
/// accepted. The answer is the enrolment as the roster shows it. Withdrawing again is
/// harmless; `reactivate=true` in a bulk enrolment brings the person back.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404: anyone else,
/// or an enrolment that is not in this cohort).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "withdraw_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Cohort id"), ("enrolment_id" = Uuid, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "Withdrawn; history kept, access to the cohort ends", body = RosterEnrolmentDto),
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
    let dto = match enrolments::withdraw(&state.db, c.id, enrolment_id).await {
        Ok(e) => {
            let status = accounts::find(&state.db.conn, e.user_id)
                .await?
                .map_or(UserStatus::Invited, |u| u.status);
            RosterEnrolmentDto::of(&e, None, status)
        }
        Err(StoreError::NotFound) => {
            let e = invitations::withdraw(&state.db, c.id, enrolment_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            RosterEnrolmentDto::of(&e, Some(InvitationStatus::Withdrawn), UserStatus::Invited)
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(enrolment_id = %dto.id, cohort_id = %c.id, "learner withdrawn");
    let object = crate::audit::Object::new("enrolment", dto.id, Some(c.institution_id));
    crate::audit::record(
        &state,
        Some(&auth.0),
        crate::audit::Action::Withdrawn,
        object,
        None,
    )
    .await;
    Ok(HttpResponse::Ok().json(dto))
}
