//! Completion statistics, the funnel of one course, and the programme's targets.
//!
//! The reporting dimensions of an enrolment (course, the learner's country and profession,
//! the cohort's institution, cohort, language, self-study or tutored, month of enrolment)
//! are copied onto the enrolment row when it is created, and its final score and days to
//! complete when it completes, in the same transactions. A completions request is then one
//! GROUP BY over `enrolments` plus a small query for revoked certificates: it never reads
//! progress records, whatever the size of the platform. The funnel of one course likewise
//! groups the course's enrolments by their module marks and its graded attempts by their
//! outcome letters, both kept by the writes that change them (see [`backfill_marks`] for
//! rows older than they are).
//!
//! Every query is built with sea-query, so the same code runs on SQLite and PostgreSQL.
//! Who may see what is decided by the caller and passed in as a [`Scope`], which is applied
//! on top of (never instead of) the caller's [`Filters`]; both are domain values
//! (`help_lms_domain::reporting`), as are the dimensions, modes and metrics.

mod backfill;
mod completions;
mod funnel;
mod targets;

pub use backfill::{Backfilled, backfill_marks};
pub use completions::{CompletionRow, KeyValue, completion_statements, completions};
pub use funnel::{Funnel, FunnelModule, FunnelQuestion, FunnelQuiz, QuestionCell, funnel};
pub use targets::{
    NewTarget, Target, TargetProgress, create_target, delete_target, target, targets,
};

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::reporting::{Dimension, Filters, Scope};
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};

use crate::entities::enrolments as en;
use crate::error::StoreError;

/// The column of `enrolments` that holds a dimension.
fn column(d: Dimension) -> en::Column {
    match d {
        Dimension::Course => en::Column::CourseId,
        Dimension::Country => en::Column::Country,
        Dimension::Profession => en::Column::Profession,
        Dimension::Institution => en::Column::InstitutionId,
        Dimension::Cohort => en::Column::CohortId,
        Dimension::Language => en::Column::Language,
        Dimension::Mode => en::Column::Mode,
        Dimension::Month => en::Column::EnrolledMonth,
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn col(c: en::Column) -> Expr {
    Expr::col((en::Entity, c))
}

/// `SUM(CASE WHEN cond THEN 1 ELSE 0 END)`: how many rows meet `cond`.
fn count_if(cond: Expr) -> Expr {
    Expr::case(cond, Expr::cust("1"))
        .finally(Expr::cust("0"))
        .sum()
}

/// Adds the scope and the filters to a statement that reads `enrolments`.
fn restrict(q: &mut SelectStatement, filters: &Filters, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Institution(id) => {
            q.and_where(col(en::Column::InstitutionId).eq(*id));
        }
        Scope::Cohorts(ids) if ids.is_empty() => {
            q.and_where(Expr::cust("1 = 0"));
        }
        Scope::Cohorts(ids) => {
            q.and_where(col(en::Column::CohortId).is_in(ids.iter().copied()));
        }
    }
    let f = filters;
    if !f.courses.is_empty() {
        q.and_where(col(en::Column::CourseId).is_in(f.courses.iter().copied()));
    }
    if !f.countries.is_empty() {
        q.and_where(col(en::Column::Country).is_in(f.countries.iter().map(|c| c.as_str())));
    }
    if !f.professions.is_empty() {
        q.and_where(col(en::Column::Profession).is_in(f.professions.iter().map(|p| p.as_str())));
    }
    if !f.institutions.is_empty() {
        q.and_where(col(en::Column::InstitutionId).is_in(f.institutions.iter().copied()));
    }
    if !f.cohorts.is_empty() {
        q.and_where(col(en::Column::CohortId).is_in(f.cohorts.iter().copied()));
    }
    if !f.languages.is_empty() {
        q.and_where(col(en::Column::Language).is_in(f.languages.iter().map(|l| l.as_str())));
    }
    if !f.modes.is_empty() {
        q.and_where(col(en::Column::Mode).is_in(f.modes.iter().map(|m| m.as_str())));
    }
    if let Some(from) = f.from {
        q.and_where(col(en::Column::EnrolledAt).gte(start_of(from)));
    }
    if let Some(to) = f.to.and_then(|d| d.succ_opt()) {
        q.and_where(col(en::Column::EnrolledAt).lt(start_of(to)));
    }
}

fn count(row: &sea_orm::QueryResult, name: &str) -> Result<u64, StoreError> {
    Ok(u64::try_from(row.try_get::<Option<i64>>("", name)?.unwrap_or(0)).unwrap_or(0))
}
