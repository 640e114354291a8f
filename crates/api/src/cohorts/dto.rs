//! What the cohort endpoints read and answer, with their OpenAPI schemas; the bulk result
//! mirrors the service's outcome field by field, so the spec says exactly what a row holds.

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::cohorts::{self as rules, CohortDraft};
use help_lms_domain::enrolment::{AfterEnd, CohortState, RejectReason, RowStatus};
use help_lms_persistence::cohorts::Cohort;
use help_lms_persistence::enrolments::{BulkOutcome, BulkSummary, RowResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDto {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub course: String,
    pub course_version_id: Uuid,
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: i32,
    /// Today's standing: `open`, `closed` by a manager, or `ended` (its end date passed).
    pub status: CohortStatusDto,
    /// What learners may do after `ends_on`.
    pub after_end: AfterEndDto,
    pub tutor_ids: Vec<Uuid>,
    /// Seats taken: enrolments not withdrawn, and invitations waiting for an answer.
    pub enrolled: u64,
    pub created_at: DateTime<Utc>,
}

impl From<Cohort> for CohortDto {
    fn from(c: Cohort) -> Self {
        let status = c.state().into();
        CohortDto {
            id: c.id,
            institution_id: c.institution_id,
            course: c.course_slug,
            course_version_id: c.course_version_id,
            language: c.language.to_string(),
            name: c.name,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            capacity: c.capacity,
            status,
            after_end: c.after_end.into(),
            tutor_ids: c.tutor_ids,
            enrolled: c.enrolled,
            created_at: c.created_at,
        }
    }
}

/// Whether a cohort takes enrolments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CohortStatusDto {
    Open,
    /// Closed by a manager: no further enrolments; its learners keep theirs
    /// (`POST /cohorts/{id}/reopen` opens it again).
    Closed,
    /// Its end date has passed: no further enrolments; its learners may go on only when
    /// `after_end` is `continue` (move `ends_on` to open it again).
    Ended,
}

impl From<CohortState> for CohortStatusDto {
    fn from(s: CohortState) -> Self {
        match s {
            CohortState::Open => CohortStatusDto::Open,
            CohortState::Closed => CohortStatusDto::Closed,
            CohortState::Ended => CohortStatusDto::Ended,
        }
    }
}

/// What a cohort's learners may do after its end date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AfterEndDto {
    /// They read their courses, results and certificates; progress and quizzes answer 409
    /// `cohort_ended`.
    ReadOnly,
    /// They go on learning as before.
    Continue,
}

impl From<AfterEnd> for AfterEndDto {
    fn from(a: AfterEnd) -> Self {
        match a {
            AfterEnd::ReadOnly => AfterEndDto::ReadOnly,
            AfterEnd::Continue => AfterEndDto::Continue,
        }
    }
}

impl AfterEndDto {
    fn as_str(self) -> &'static str {
        match self {
            AfterEndDto::ReadOnly => AfterEnd::ReadOnly.as_str(),
            AfterEndDto::Continue => AfterEnd::Continue.as_str(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohortDto {
    /// Required for admins; managers may omit it (their own) and may not name another.
    pub institution_id: Option<Uuid>,
    /// The slug of a published course.
    #[schema(value_type = help_lms_domain::values::Slug)]
    pub course: String,
    /// One of the course's languages.
    #[schema(value_type = help_lms_domain::values::Language)]
    pub language: String,
    #[schema(value_type = help_lms_domain::values::Title)]
    pub name: String,
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    pub ends_on: NaiveDate,
    /// Seats.
    #[schema(minimum = 1, maximum = 5000)]
    pub capacity: i32,
    #[serde(default)]
    pub tutor_ids: Vec<Uuid>,
    /// What learners may do after `ends_on` (default `read_only`).
    pub after_end: Option<AfterEndDto>,
}

impl NewCohortDto {
    /// The course slug, and the rest as a draft for the rules.
    pub fn into_parts(self) -> (String, CohortDraft) {
        (
            self.course,
            CohortDraft {
                name: self.name,
                language: self.language,
                starts_on: self.starts_on,
                ends_on: self.ends_on,
                capacity: self.capacity,
                tutor_ids: self.tutor_ids,
                after_end: self.after_end.map(|a| a.as_str().to_owned()),
            },
        )
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CohortListQuery {
    /// Only this institution's cohorts (managers: only their own; another answers 404).
    pub institution_id: Option<Uuid>,
    /// Only cohorts of this course slug.
    pub course: Option<String>,
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortPatch {
    #[schema(value_type = Option<help_lms_domain::values::Title>)]
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Seats; not fewer than the learners enrolled.
    #[schema(minimum = 1, maximum = 5000)]
    pub capacity: Option<i32>,
    pub tutor_ids: Option<Vec<Uuid>>,
    pub after_end: Option<AfterEndDto>,
}

impl From<CohortPatch> for rules::CohortPatch {
    fn from(p: CohortPatch) -> Self {
        rules::CohortPatch {
            name: p.name,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            capacity: p.capacity,
            tutor_ids: p.tutor_ids,
            after_end: p.after_end.map(|a| a.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BulkQuery {
    /// Report what would happen without writing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// `email` (default): the platform emails each new account its invitation. `links`: the
    /// answer carries each new account's activation link and token for you to deliver, and
    /// nothing is emailed (a replayed answer carries none: resend the invitation).
    #[serde(default)]
    pub delivery: crate::delivery::Delivery,
    /// Enrol again, on their old enrolment and with their progress, people withdrawn from
    /// the course earlier; without it their rows are refused as `withdrawn`.
    #[serde(default)]
    pub reactivate: bool,
}

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowResultKind {
    /// Nobody the institution manages had this address: a new invited account was enrolled,
    /// or, when the address has an account the institution does not manage, its owner was
    /// asked to join (the enrolment is made when they accept). Both are answered alike.
    Created,
    /// An existing account, enrolled (a self-study enrolment joins the cohort).
    Enrolled,
    AlreadyEnrolled,
    /// Completed the course already: not enrolled again, no seat taken.
    AlreadyCompleted,
    /// See `reason`.
    Rejected,
}

impl From<RowStatus> for RowResultKind {
    fn from(s: RowStatus) -> Self {
        match s {
            RowStatus::Created => RowResultKind::Created,
            RowStatus::Enrolled => RowResultKind::Enrolled,
            RowStatus::AlreadyEnrolled => RowResultKind::AlreadyEnrolled,
            RowStatus::AlreadyCompleted => RowResultKind::AlreadyCompleted,
            RowStatus::Rejected => RowResultKind::Rejected,
        }
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowRejectReason {
    InvalidEmail,
    /// The email appears on an earlier row of the same request.
    DuplicateInRequest,
    MissingName,
    InvalidName,
    InvalidProfession,
    InvalidCountry,
    InvalidLanguage,
    /// A language the course is not offered in.
    LanguageNotOffered,
    AccountDisabled,
    CapacityReached,
    /// Enrolled in the course with another cohort.
    EnrolledInAnotherCohort,
    /// Withdrawn from the course earlier; `reactivate=true` enrols them again.
    Withdrawn,
    /// A tutor or manager of the caller's institution: staff do not enrol as learners.
    StaffAccount,
}

impl From<RejectReason> for RowRejectReason {
    fn from(r: RejectReason) -> Self {
        match r {
            RejectReason::InvalidEmail => RowRejectReason::InvalidEmail,
            RejectReason::DuplicateInRequest => RowRejectReason::DuplicateInRequest,
            RejectReason::MissingName => RowRejectReason::MissingName,
            RejectReason::InvalidName => RowRejectReason::InvalidName,
            RejectReason::InvalidProfession => RowRejectReason::InvalidProfession,
            RejectReason::InvalidCountry => RowRejectReason::InvalidCountry,
            RejectReason::InvalidLanguage => RowRejectReason::InvalidLanguage,
            RejectReason::LanguageNotOffered => RowRejectReason::LanguageNotOffered,
            RejectReason::AccountDisabled => RowRejectReason::AccountDisabled,
            RejectReason::CapacityReached => RowRejectReason::CapacityReached,
            RejectReason::EnrolledInAnotherCohort => RowRejectReason::EnrolledInAnotherCohort,
            RejectReason::Withdrawn => RowRejectReason::Withdrawn,
            RejectReason::StaffAccount => RowRejectReason::StaffAccount,
        }
    }
}

/// One row's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowResultDto {
    /// The row's number as people see it: for CSV its line in the spreadsheet (the header is
    /// line 1, the first data row line 2); for JSON its place in the list, from 1.
    pub row: u64,
    pub email: String,
    pub result: RowResultKind,
    /// The account, once its owner has accepted (activated a new account, or accepted the
    /// invitation); never for `created` rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// The enrolment (for `created` rows: the id it has once accepted); absent in dry runs
    /// for enrolments that do not exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrolment_id: Option<Uuid>,
    /// With `delivery=links`, for new accounts: the page that activates the account, to
    /// deliver to them (valid 30 days, once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
    /// With `delivery=links`, for new accounts: the single-use token of `activation_url`,
    /// for `POST /auth/activate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
    /// For rejected rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<RowRejectReason>,
    /// For rejected rows: what to fix, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl RowResultDto {
    /// The row's result, with its activation link only when `links` says where it leads.
    fn new(r: RowResult, links: Option<&crate::mail::Links>) -> Self {
        let token = links.and(r.activation_token);
        RowResultDto {
            row: r.row as u64,
            email: r.email,
            result: r.result.into(),
            user_id: r.user_id,
            enrolment_id: r.enrolment_id,
            activation_url: links.zip(token.as_deref()).map(|(l, t)| l.activate(t)),
            activation_token: token,
            reason: r.reason.map(Into::into),
            message: r.message,
        }
    }
}

/// Rows per result.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkSummaryDto {
    pub created: u64,
    pub enrolled: u64,
    pub already_enrolled: u64,
    pub already_completed: u64,
    pub rejected: u64,
}

impl From<BulkSummary> for BulkSummaryDto {
    fn from(s: BulkSummary) -> Self {
        BulkSummaryDto {
            created: s.created as u64,
            enrolled: s.enrolled as u64,
            already_enrolled: s.already_enrolled as u64,
            already_completed: s.already_completed as u64,
            rejected: s.rejected as u64,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResultDto {
    pub dry_run: bool,
    /// Counts per result.
    pub summary: BulkSummaryDto,
    /// One result per row, in row order. With `delivery=links`, created rows carry their
    /// `activation_url` and `activation_token` to deliver.
    pub rows: Vec<RowResultDto>,
    /// CSV columns that were not understood and were ignored.
    pub ignored_columns: Vec<String>,
}

impl BulkResultDto {
    /// The answer; activation links only with `links` (`delivery=links`).
    pub fn new(
        outcome: BulkOutcome,
        ignored_columns: Vec<String>,
        links: Option<&crate::mail::Links>,
    ) -> Self {
        BulkResultDto {
            dry_run: outcome.dry_run,
            summary: outcome.summary.into(),
            rows: outcome
                .rows
                .into_iter()
                .map(|r| RowResultDto::new(r, links))
                .collect(),
            ignored_columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_names_are_the_domains() {
        for (s, wire) in [
            (CohortState::Open, "open"),
            (CohortState::Closed, "closed"),
            (CohortState::Ended, "ended"),
        ] {
            assert_eq!(
                serde_json::to_value(CohortStatusDto::from(s)).unwrap(),
                wire
            );
        }
        for a in AfterEnd::ALL {
            assert_eq!(
                serde_json::to_value(AfterEndDto::from(*a)).unwrap(),
                a.as_str()
            );
            assert_eq!(AfterEndDto::from(*a).as_str(), a.as_str());
        }
        for s in RowStatus::ALL {
            assert_eq!(
                serde_json::to_value(RowResultKind::from(*s)).unwrap(),
                s.as_str()
            );
        }
        for r in RejectReason::ALL {
            assert_eq!(
                serde_json::to_value(RowRejectReason::from(*r)).unwrap(),
                r.as_str()
            );
        }
    }
}
