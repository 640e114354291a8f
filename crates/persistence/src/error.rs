//! Errors of the storage layer, in terms the API can map to problems without guessing.

use help_lms_domain::ValidationErrors;
use help_lms_domain::enrolment::EnrolmentStatus;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(#[from] Conflict),
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// Data in the database that the code cannot read back: a bug or a manual edit.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The ways a write can conflict with what is already there. The message is for people;
/// the variant is what callers match on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("you already have an active enrolment in this course")]
    AlreadyEnrolled,
    #[error("the cohort is closed to new enrolments")]
    CohortClosed,
    /// The cohort's end date has passed: no enrolments, and (unless the cohort says
    /// `continue`) no further learning writes.
    #[error("the cohort ended on {0}")]
    CohortEnded(chrono::NaiveDate),
    #[error("this enrolment is {0}; it takes no further progress")]
    EnrolmentNotActive(EnrolmentStatus),
    #[error("this quiz allows {0} attempt(s)")]
    AttemptLimitReached(u32),
    #[error("this attempt is already submitted")]
    AttemptClosed,
    /// A concurrent request changed the attempt first; trying again will succeed.
    #[error("another request changed this attempt; try again")]
    AttemptRaced,
    #[error("a version cannot be returned to draft")]
    InvalidTransition,
    /// The invitation was already accepted or declined, or has expired.
    #[error("this invitation is {0}")]
    InvitationAnswered(help_lms_domain::enrolment::InvitationStatus),
    /// Staff and admin accounts do not join cohorts as learners.
    #[error("only learner accounts join cohorts")]
    NotALearner,
    #[error("you are enrolled in this course with another cohort")]
    EnrolledInAnotherCohort,
    #[error("you have completed this course; its record is final")]
    CourseCompleted,
    /// The learning record store has a different statement with this id.
    #[error("a different statement with this id is stored")]
    StatementIdTaken,
    /// Another request created the same learning record store document at the same time.
    #[error("another request created this document at the same time; try again")]
    DocumentRaced,
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// True when the error is a violated unique constraint (on SQLite or PostgreSQL).
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
