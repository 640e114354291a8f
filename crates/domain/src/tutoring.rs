//! What tutors ask of a cohort, as rules: which learners a roster filter picks, how a
//! roster sorts, and what an extra-attempts grant must say.

use std::cmp::Ordering;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::ValidationErrors;
use crate::enrolment::EnrolmentStatus;
use crate::progress::Standing;
use crate::values::{Reason, string_enum};

string_enum!(
    /// A roster filter. Several combine: a learner must match each. Every filter but
    /// `completed` picks active enrolments only (who is behind, not who left):
    /// `not_started`: nothing done yet, no lesson viewed, no attempt started;
    /// `failed_quiz`: below the pass mark on a quiz they attempted (by its grading method);
    /// `out_of_attempts`: no attempt left on a quiz they have not passed;
    /// `completed`: the course completed.
    RosterFilter, "roster filter" {
    NotStarted => "not_started",
    FailedQuiz => "failed_quiz",
    OutOfAttempts => "out_of_attempts",
    Completed => "completed",
});

string_enum!(
    /// What a roster is ordered by, ties in enrolment order: `enrolled` (enrolment order,
    /// the default), `name` (case-insensitive), `progress` (percent of the course done),
    /// `last_activity` (never active first when ascending).
    RosterSort, "roster sort" {
    Enrolled => "enrolled",
    Name => "name",
    Progress => "progress",
    LastActivity => "last_activity",
});

string_enum!(
    /// The direction of a sort.
    SortOrder, "sort order" {
    Asc => "asc",
    Desc => "desc",
});

/// Most days `inactive_days` takes.
pub const MAX_INACTIVE_DAYS: u32 = 3650;

/// Most extra attempts one grant gives.
pub const MAX_EXTRA_ATTEMPTS: u32 = 10;

/// A roster query, checked: filters, inactivity, order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterView {
    pub filters: Vec<RosterFilter>,
    /// Only active learners who have done nothing for this many days (counted from their
    /// enrolment when they never did anything).
    pub inactive_days: Option<u32>,
    pub sort: RosterSort,
    pub order: SortOrder,
}

impl Default for RosterView {
    fn default() -> Self {
        RosterView {
            filters: Vec::new(),
            inactive_days: None,
            sort: RosterSort::Enrolled,
            order: SortOrder::Asc,
        }
    }
}

impl RosterView {
    /// Reads the query's values: `filter` comma-separated, the others single; every wrong
    /// one is named.
    pub fn parse(
        filter: Option<&str>,
        inactive_days: Option<&str>,
        sort: Option<&str>,
        order: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut filters = Vec::new();
        for part in filter
            .map(|f| f.split(',').map(str::trim))
            .into_iter()
            .flatten()
        {
            // `filter=` or `filter=a,,b`: a value left blank is a mistake, not "any".
            if part.is_empty() {
                errors.push("filter", "blank", "a filter value is empty");
                continue;
            }
            if let Some(f) = errors.check("filter", RosterFilter::parse(part))
                && !filters.contains(&f)
            {
                filters.push(f);
            }
        }
        let inactive_days = match inactive_days {
            None => None,
            Some(d) => match d.trim().parse::<u32>() {
                Ok(d) if (1..=MAX_INACTIVE_DAYS).contains(&d) => Some(d),
                _ => {
                    errors.push(
                        "inactive_days",
                        "out_of_range",
                        format!("inactive_days is 1 to {MAX_INACTIVE_DAYS}"),
                    );
                    None
                }
            },
        };
        let sort = sort
            .and_then(|s| errors.check("sort", RosterSort::parse(s)))
            .unwrap_or(RosterSort::Enrolled);
        let order = order
            .and_then(|s| errors.check("order", SortOrder::parse(s)))
            .unwrap_or(SortOrder::Asc);
        errors.into_result()?;
        Ok(RosterView {
            filters,
            inactive_days,
            sort,
            order,
        })
    }

    /// Whether picking or ordering needs each learner's standing (their lessons and
    /// attempts), not only the enrolment.
    pub fn needs_standing(&self) -> bool {
        self.sort == RosterSort::Progress
            || self
                .filters
                .iter()
                .any(|f| matches!(f, RosterFilter::FailedQuiz | RosterFilter::OutOfAttempts))
    }

    /// Whether this is the plain roster: everyone, in enrolment order.
    pub fn is_plain(&self) -> bool {
        self.filters.is_empty()
            && self.inactive_days.is_none()
            && self.sort == RosterSort::Enrolled
            && self.order == SortOrder::Asc
    }
}

/// What the roster rules read of one learner's enrolment.
#[derive(Debug, Clone, Copy)]
pub struct LearnerFacts<'a> {
    pub enrolment_id: Uuid,
    pub name: &'a str,
    pub status: EnrolmentStatus,
    pub enrolled_at: DateTime<Utc>,
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Needed only when [`RosterView::needs_standing`].
    pub standing: Option<&'a Standing>,
}

fn failed_a_quiz(st: &Standing) -> bool {
    st.quizzes.values().any(|q| q.grade.is_some() && !q.passed)
}

fn out_of_attempts(st: &Standing) -> bool {
    st.quizzes
        .values()
        .any(|q| !q.passed && q.attempts_left == Some(0))
}

impl RosterView {
    /// Whether the learner is on the filtered roster at `now`.
    pub fn picks(&self, l: &LearnerFacts<'_>, now: DateTime<Utc>) -> bool {
        let active = l.status == EnrolmentStatus::Active;
        let filters_match = self.filters.iter().all(|f| match f {
            RosterFilter::NotStarted => active && l.last_activity_at.is_none(),
            RosterFilter::FailedQuiz => active && l.standing.is_some_and(failed_a_quiz),
            RosterFilter::OutOfAttempts => active && l.standing.is_some_and(out_of_attempts),
            RosterFilter::Completed => l.status == EnrolmentStatus::Completed,
        });
        let quiet_enough = self.inactive_days.is_none_or(|days| {
            let since = l.last_activity_at.unwrap_or(l.enrolled_at);
            active && since <= now - Duration::days(i64::from(days))
        });
        filters_match && quiet_enough
    }

    /// The roster's order: by the sort, then enrolment order (`enrolled_at`, then id).
    pub fn compare(&self, a: &LearnerFacts<'_>, b: &LearnerFacts<'_>) -> Ordering {
        let by = match self.sort {
            RosterSort::Enrolled => Ordering::Equal,
            RosterSort::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            RosterSort::Progress => {
                let p = |l: &LearnerFacts<'_>| l.standing.map_or(0.0, |s| s.percent);
                p(a).total_cmp(&p(b))
            }
            RosterSort::LastActivity => a.last_activity_at.cmp(&b.last_activity_at),
        };
        let enrolled = (a.enrolled_at, a.enrolment_id).cmp(&(b.enrolled_at, b.enrolment_id));
        match self.order {
            SortOrder::Asc => by.then(enrolled),
            SortOrder::Desc => by.reverse().then(enrolled),
        }
    }
}

/// A request for extra attempts, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptGrantDraft {
    pub quiz_id: Uuid,
    pub extra: u32,
    pub reason: Reason,
}

impl AttemptGrantDraft {
    /// `extra` is 1 to [`MAX_EXTRA_ATTEMPTS`]; the reason 1 to 500 characters.
    pub fn parse(quiz_id: Uuid, extra: i64, reason: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let extra = match u32::try_from(extra) {
            Ok(n) if (1..=MAX_EXTRA_ATTEMPTS).contains(&n) => Some(n),
            _ => {
                errors.push(
                    "extra",
                    "out_of_range",
                    format!("extra is 1 to {MAX_EXTRA_ATTEMPTS}"),
                );
                None
            }
        };
        let reason = errors.check("reason", Reason::parse(reason));
        match (extra, reason) {
            (Some(extra), Some(reason)) => Ok(AttemptGrantDraft {
                quiz_id,
                extra,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
