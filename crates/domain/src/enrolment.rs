//! Institutions, cohorts and enrolments: their states, and checking the rows of a bulk
//! enrolment (from JSON or a spreadsheet) before anything is written.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;

use crate::values::{Country, Email, Language, PersonName, Profession, string_enum};

string_enum!(
    /// What a national training institution is.
    InstitutionKind, "institution kind" {
    JudicialTraining => "judicial_training",
    ProsecutionTraining => "prosecution_training",
    PrisonProbationTraining => "prison_probation_training",
    BarAssociation => "bar_association",
    University => "university",
    Other => "other",
});

string_enum!(
    /// Whether a cohort takes enrolments.
    CohortStatus, "cohort status" {
    Open => "open",
    Closed => "closed",
});

string_enum!(
    /// What a cohort's learners may do after its end date: only read (the default), or go on
    /// learning.
    AfterEnd, "after_end" {
    ReadOnly => "read_only",
    Continue => "continue",
});

/// Where a cohort stands on a given day: `Ended` once its end date has passed, unless it was
/// closed first; neither takes enrolments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortState {
    Open,
    Closed,
    Ended,
}

impl CohortState {
    pub fn of(status: CohortStatus, ends_on: NaiveDate, today: NaiveDate) -> CohortState {
        match status {
            CohortStatus::Closed => CohortState::Closed,
            CohortStatus::Open if today > ends_on => CohortState::Ended,
            CohortStatus::Open => CohortState::Open,
        }
    }
}

/// Whether a cohort's learners may still record progress and take quizzes on `today`: always
/// before the end date (a closed cohort's learners keep learning), and after it only when the
/// cohort says `continue`.
pub fn learning_open(ends_on: NaiveDate, after_end: AfterEnd, today: NaiveDate) -> bool {
    today <= ends_on || after_end == AfterEnd::Continue
}

string_enum!(
    /// Where an invitation to join a cohort stands. It waits, holding its seat, until its
    /// addressee answers or the institution withdraws it, as a new account's enrolment waits
    /// for its activation: towards the institution the two never differ.
    InvitationStatus, "invitation status" {
    Pending => "pending",
    Accepted => "accepted",
    Declined => "declined",
    Withdrawn => "withdrawn",
});

string_enum!(
    /// The life of an enrolment.
    EnrolmentStatus, "enrolment status" {
    Active => "active",
    Completed => "completed",
    Withdrawn => "withdrawn",
});

string_enum!(
    /// Who enrolled the learner.
    EnrolmentSource, "enrolment source" {
    SelfEnrolled => "self",
    Nti => "nti",
    Admin => "admin",
});

string_enum!(
    /// What happened to one row of a bulk enrolment.
    RowStatus, "row result" {
    Created => "created",
    Enrolled => "enrolled",
    AlreadyEnrolled => "already_enrolled",
    AlreadyCompleted => "already_completed",
    Rejected => "rejected",
});

string_enum!(
    /// Why a row of a bulk enrolment was refused: the first eight reasons come from the row
    /// itself, the others from the cohort or from an account the caller's institution
    /// manages (nothing is ever said about an account it does not manage).
    RejectReason, "rejection reason" {
    InvalidEmail => "invalid_email",
    DuplicateInRequest => "duplicate_in_request",
    MissingName => "missing_name",
    InvalidName => "invalid_name",
    InvalidProfession => "invalid_profession",
    InvalidCountry => "invalid_country",
    InvalidLanguage => "invalid_language",
    LanguageNotOffered => "language_not_offered",
    AccountDisabled => "account_disabled",
    CapacityReached => "capacity_reached",
    EnrolledInAnotherCohort => "enrolled_in_another_cohort",
    Withdrawn => "withdrawn",
    StaffAccount => "staff_account",
});

impl RejectReason {
    /// What a row refused for this reason is told, when the reason does not depend on
    /// what the row held (those messages come from the check that refused it).
    pub fn explained(self) -> Option<&'static str> {
        match self {
            RejectReason::AccountDisabled => Some("this account is disabled"),
            RejectReason::CapacityReached => Some("the cohort is full"),
            RejectReason::EnrolledInAnotherCohort => {
                Some("already enrolled in this course with another cohort")
            }
            RejectReason::Withdrawn => Some(
                "withdrawn from this course earlier; send reactivate=true to enrol them again, with their progress",
            ),
            RejectReason::StaffAccount => Some(
                "this address belongs to a tutor or manager of your institution; staff accounts do not enrol as learners",
            ),
            RejectReason::InvalidEmail
            | RejectReason::DuplicateInRequest
            | RejectReason::MissingName
            | RejectReason::InvalidName
            | RejectReason::InvalidProfession
            | RejectReason::InvalidCountry
            | RejectReason::InvalidLanguage
            | RejectReason::LanguageNotOffered => None,
        }
    }
}

/// Most rows one bulk request may carry.
pub const MAX_BULK_ROWS: usize = 5000;

/// One row as received, before checking. `row` is the number people see for it: for a CSV
/// file its line in the spreadsheet (the header is line 1, the first data row line 2), for a
/// JSON list its place in the list, from 1.
#[derive(Debug, Clone, Default)]
pub struct RowInput {
    pub row: usize,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub profession: String,
    pub country: String,
    pub language: String,
}

/// A row that can be enrolled.
#[derive(Debug, Clone)]
pub struct ValidRow {
    pub row: usize,
    pub email: Email,
    pub name: PersonName,
    pub profession: Profession,
    pub country: Country,
    pub language: Language,
}

/// A row refused before touching the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub row: usize,
    pub email: String,
    pub reason: RejectReason,
    pub message: String,
}

/// Checks every row; valid rows go on even when others are refused. An email seen twice in
/// the file is refused the second time. Empty language means the cohort's language; any
/// other must be one of the course's (`offered`): a learner is never enrolled, and counted,
/// in a language the course does not have.
pub fn check_rows(
    rows: Vec<RowInput>,
    default_language: Language,
    offered: &[Language],
) -> (Vec<ValidRow>, Vec<Rejection>) {
    let mut seen = BTreeSet::new();
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for r in rows {
        let reject = |reason: RejectReason, message: String| Rejection {
            row: r.row,
            email: r.email.trim().chars().take(254).collect(),
            reason,
            message,
        };
        let email = match Email::parse(&r.email) {
            Ok(e) => e,
            Err(e) => {
                rejected.push(reject(RejectReason::InvalidEmail, e.message));
                continue;
            }
        };
        if !seen.insert(email.clone()) {
            rejected.push(reject(
                RejectReason::DuplicateInRequest,
                "this email appears on an earlier row".into(),
            ));
            continue;
        }
        let full = format!("{} {}", r.given_name.trim(), r.family_name.trim());
        if r.given_name.trim().is_empty() || r.family_name.trim().is_empty() {
            rejected.push(reject(
                RejectReason::MissingName,
                "given name and family name are required".into(),
            ));
            continue;
        }
        let name = match PersonName::parse(&full) {
            Ok(n) => n,
            Err(e) => {
                rejected.push(reject(RejectReason::InvalidName, e.message));
                continue;
            }
        };
        let profession = match Profession::parse(&r.profession.trim().to_lowercase()) {
            Ok(p) => p,
            Err(e) => {
                rejected.push(reject(RejectReason::InvalidProfession, e.message));
                continue;
            }
        };
        let country = match Country::parse_lenient(&r.country) {
            Ok(c) => c,
            Err(e) => {
                rejected.push(reject(RejectReason::InvalidCountry, e.message));
                continue;
            }
        };
        let language = if r.language.trim().is_empty() {
            default_language
        } else {
            match Language::parse(&r.language.trim().to_lowercase()) {
                Ok(l) if offered.contains(&l) => l,
                Ok(l) => {
                    let offered: Vec<&str> = offered.iter().map(|o| o.as_str()).collect();
                    let message = format!(
                        "the course is not offered in '{l}' (it is in {}); leave the language empty for the cohort's",
                        offered.join(", ")
                    );
                    rejected.push(reject(RejectReason::LanguageNotOffered, message));
                    continue;
                }
                Err(e) => {
                    rejected.push(reject(RejectReason::InvalidLanguage, e.message));
                    continue;
                }
            }
        };
        valid.push(ValidRow {
            row: r.row,
            email,
            name,
            profession,
            country,
            language,
        });
    }
    (valid, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, email: &str, profession: &str, country: &str, language: &str) -> RowInput {
        RowInput {
            row: n,
            email: email.into(),
            given_name: "Ana".into(),
            family_name: "Novak".into(),
            profession: profession.into(),
            country: country.into(),
            language: language.into(),
        }
    }

    #[test]
    fn each_row_is_judged_on_its_own() {
        let (valid, rejected) = check_rows(
            vec![
                row(1, " Ana.Novak@Sodisce.example ", "Judge", "si", ""),
                row(2, "not-an-email", "judge", "SI", "sl"),
                row(3, "ana.novak@sodisce.example", "judge", "SI", "sl"),
                row(4, "b@sodisce.example", "astronaut", "SI", "sl"),
                row(5, "c@sodisce.example", "judge", "US", "sl"),
                row(6, "d@sodisce.example", "judge", "EL", "xx"),
                row(7, "e@sodisce.example", "prosecutor", "EL", "el"),
                row(8, "f@sodisce.example", "judge", "DE", "de"),
            ],
            Language::Sl,
            &[Language::Sl, Language::El],
        );
        assert_eq!(valid.len(), 2);
        assert_eq!(valid[0].email.as_str(), "ana.novak@sodisce.example");
        assert_eq!(valid[0].language, Language::Sl);
        assert_eq!(valid[0].profession, Profession::Judge);
        assert_eq!(valid[1].country, Country::Gr);
        let reasons: Vec<(usize, &str)> = rejected
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (2, "invalid_email"),
                (3, "duplicate_in_request"),
                (4, "invalid_profession"),
                (5, "invalid_country"),
                (6, "invalid_language"),
                (8, "language_not_offered")
            ]
        );
    }

    #[test]
    fn a_cohort_ends_after_its_last_day_unless_closed_first() {
        let last: NaiveDate = "2027-04-09".parse().unwrap();
        let next = last.succ_opt().unwrap();
        assert_eq!(
            CohortState::of(CohortStatus::Open, last, last),
            CohortState::Open
        );
        assert_eq!(
            CohortState::of(CohortStatus::Open, last, next),
            CohortState::Ended
        );
        assert_eq!(
            CohortState::of(CohortStatus::Closed, last, last),
            CohortState::Closed
        );
        assert_eq!(
            CohortState::of(CohortStatus::Closed, last, next),
            CohortState::Closed
        );
        assert!(learning_open(last, AfterEnd::ReadOnly, last));
        assert!(!learning_open(last, AfterEnd::ReadOnly, next));
        assert!(learning_open(last, AfterEnd::Continue, next));
    }

    #[test]
    fn names_are_required() {
        let mut r = row(1, "x@y.example", "judge", "FR", "fr");
        r.family_name = " ".into();
        let (valid, rejected) = check_rows(vec![r], Language::Fr, &[Language::Fr]);
        assert!(valid.is_empty());
        assert_eq!(rejected[0].reason, RejectReason::MissingName);
    }
}
