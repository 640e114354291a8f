//! Completion statistics, the funnel of one course, and the programme's targets.
//!
//! The reporting dimensions of an enrolment (course, the learner's country and profession,
//! the cohort's institution, cohort, language, self-study or tutored, month of enrolment)
//! are copied onto the enrolment row when it is created, and its final score and days to
//! complete when it completes, in the same transactions. A completions request is then one
//! GROUP BY over `enrolments` plus a small query for revoked certificates: it never reads
//! progress records, whatever the size of the platform. The funnel of one course reads the
//! submitted attempts of that course and the progress of its enrolments not yet complete.
//!
//! Every query is built with sea-query, so the same code runs on SQLite and PostgreSQL.
//! Who may see what is decided by the caller and passed in as a [`Scope`], which is applied
//! on top of (never instead of) the caller's [`Filters`].

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::content::{Localized, QuestionBody};
use help_lms_domain::quiz::{self, Outcome};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Set, Statement,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::entities::{
    attempts, certificates, cohorts, course_versions, courses, enrolments as en, institutions,
    lesson_progress as lp, lessons, stats_targets as tg,
};
use crate::error::StoreError;
use crate::{Db, catalogue};

// ----------------------------------------------------------------------------------------
// Values recorded on enrolments

/// How an enrolment is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    SelfStudy,
    Tutored,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::SelfStudy, Mode::Tutored];

    pub fn of(in_cohort: bool) -> Mode {
        if in_cohort {
            Mode::Tutored
        } else {
            Mode::SelfStudy
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::SelfStudy => "self_study",
            Mode::Tutored => "tutored",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The month of a moment, as the statistics group it: `YYYY-MM` (UTC).
pub fn month_of(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}

/// Whole days from `from` to `to` (never negative).
pub fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i32 {
    i32::try_from(std::cmp::max((to - from).num_days(), 0)).unwrap_or(i32::MAX)
}

// ----------------------------------------------------------------------------------------
// Dimensions, filters and scope

/// What completion statistics can be grouped and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Course,
    Country,
    Profession,
    Institution,
    Cohort,
    Language,
    Mode,
    Month,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Course,
        Dimension::Country,
        Dimension::Profession,
        Dimension::Institution,
        Dimension::Cohort,
        Dimension::Language,
        Dimension::Mode,
        Dimension::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Course => "course",
            Dimension::Country => "country",
            Dimension::Profession => "profession",
            Dimension::Institution => "institution",
            Dimension::Cohort => "cohort",
            Dimension::Language => "language",
            Dimension::Mode => "mode",
            Dimension::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    fn column(self) -> en::Column {
        match self {
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

    /// The dimensions in the order of the covering index `idx_enrolments_stats`.
    const INDEX_ORDER: [Dimension; 8] = [
        Dimension::Course,
        Dimension::Country,
        Dimension::Profession,
        Dimension::Mode,
        Dimension::Language,
        Dimension::Institution,
        Dimension::Cohort,
        Dimension::Month,
    ];

    /// The same, month first: the order of `idx_enrolments_stats_by_month`.
    const MONTH_INDEX_ORDER: [Dimension; 8] = [
        Dimension::Month,
        Dimension::Course,
        Dimension::Country,
        Dimension::Profession,
        Dimension::Mode,
        Dimension::Language,
        Dimension::Institution,
        Dimension::Cohort,
    ];

    /// The leading index columns that cover `group_by`: month-first when it groups by
    /// month (trends), else the main order.
    fn index_prefix(group_by: &[Dimension]) -> &'static [Dimension] {
        let order: &'static [Dimension; 8] = if group_by.contains(&Dimension::Month) {
            &Dimension::MONTH_INDEX_ORDER
        } else {
            &Dimension::INDEX_ORDER
        };
        let depth = group_by
            .iter()
            .filter_map(|d| order.iter().position(|o| o == d))
            .map(|p| p + 1)
            .max()
            .unwrap_or(0);
        &order[..depth]
    }

    /// Whether the column holds an id (read back as a UUID, shown with a name).
    fn is_id(self) -> bool {
        matches!(
            self,
            Dimension::Course | Dimension::Institution | Dimension::Cohort
        )
    }
}

/// Which enrolments a caller may count at all. Applied in addition to the filters, so no
/// filter can widen it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Admins.
    All,
    /// An NTI manager: enrolments in the cohorts of their institution.
    Institution(Uuid),
    /// A tutor: enrolments in the cohorts they tutor (possibly none).
    Cohorts(Vec<Uuid>),
}

/// What the caller asked to count; an empty list means "any". Values are already
/// validated and canonical (country codes upper case, ids that exist).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub courses: Vec<Uuid>,
    pub countries: Vec<String>,
    pub professions: Vec<String>,
    pub institutions: Vec<Uuid>,
    pub cohorts: Vec<Uuid>,
    pub languages: Vec<String>,
    pub modes: Vec<Mode>,
    /// Enrolled on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Enrolled on or before this day (UTC).
    pub to: Option<NaiveDate>,
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
        q.and_where(col(en::Column::Country).is_in(f.countries.iter().cloned()));
    }
    if !f.professions.is_empty() {
        q.and_where(col(en::Column::Profession).is_in(f.professions.iter().cloned()));
    }
    if !f.institutions.is_empty() {
        q.and_where(col(en::Column::InstitutionId).is_in(f.institutions.iter().copied()));
    }
    if !f.cohorts.is_empty() {
        q.and_where(col(en::Column::CohortId).is_in(f.cohorts.iter().copied()));
    }
    if !f.languages.is_empty() {
        q.and_where(col(en::Column::Language).is_in(f.languages.iter().cloned()));
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

// ----------------------------------------------------------------------------------------
// Median days to complete, from a histogram

/// Completion durations are counted in buckets (exact days up to two weeks, weeks up to
/// 14 weeks, 30-day months up to a year, then years) so that the median comes out of the
/// same GROUP BY as the counts. The SQL below and [`bucket_width`] must agree.
const BUCKET_SQL: &str = "CASE \
     WHEN days_to_complete IS NULL THEN NULL \
     WHEN days_to_complete < 14 THEN days_to_complete \
     WHEN days_to_complete < 98 THEN 14 + ((days_to_complete - 14) / 7) * 7 \
     WHEN days_to_complete < 368 THEN 98 + ((days_to_complete - 98) / 30) * 30 \
     ELSE 368 + ((days_to_complete - 368) / 365) * 365 END";

/// The width in days of the bucket starting at `lower`.
pub fn bucket_width(lower: i64) -> i64 {
    match lower {
        ..14 => 1,
        14..98 => 7,
        98..368 => 30,
        _ => 365,
    }
}

/// The bucket a duration falls in (the Rust twin of `BUCKET_SQL`, for tests).
pub fn bucket_of(days: i64) -> i64 {
    match days {
        ..14 => days,
        14..98 => 14 + ((days - 14) / 7) * 7,
        98..368 => 98 + ((days - 98) / 30) * 30,
        _ => 368 + ((days - 368) / 365) * 365,
    }
}

/// The median of a histogram of whole days `(bucket lower bound, count)`, to one decimal.
/// Exact while every value is under 14 days; within wider buckets the values are taken as
/// spread evenly, so the error is at most half the bucket's width.
pub fn median_of_histogram(buckets: &BTreeMap<i64, u64>) -> Option<f64> {
    let n: u64 = buckets.values().sum();
    if n == 0 {
        return None;
    }
    let value_at = |rank: u64| -> f64 {
        let mut seen = 0;
        for (&lower, &count) in buckets {
            if rank < seen + count {
                let width = bucket_width(lower);
                if width == 1 {
                    return lower as f64;
                }
                let within = (rank - seen) as f64 + 0.5;
                return lower as f64 + width as f64 * within / count as f64;
            }
            seen += count;
        }
        0.0
    };
    let m = (value_at((n - 1) / 2) + value_at(n / 2)) / 2.0;
    Some((m * 10.0).round() / 10.0)
}

/// Whether a cell of `count` enrolments is too small to show to someone who is not an
/// admin (`threshold` 0 or 1 shows everything).
pub fn is_small(count: u64, threshold: u64) -> bool {
    count < threshold
}

// ----------------------------------------------------------------------------------------
// Completions

/// One value of a group key: what is stored (`value`, an id for course, institution and
/// cohort) and what people read (`label`: the course slug, the institution's or cohort's
/// name). Both are `None` for self-study enrolments grouped by institution or cohort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub dimension: Dimension,
    pub value: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompletionRow {
    pub keys: Vec<KeyValue>,
    pub enrolled: u64,
    pub active: u64,
    /// Ever completed (a completed enrolment later withdrawn still counts here).
    pub completed: u64,
    /// Left before completing.
    pub withdrawn: u64,
    /// `completed / enrolled`, 4 decimals.
    pub completion_rate: f64,
    /// Mean final score of the completed, 2 decimals.
    pub average_final_score: Option<f64>,
    pub median_days_to_complete: Option<f64>,
    /// Certificates issued and not revoked.
    pub certificates_issued: u64,
}

#[derive(Default)]
struct Acc {
    enrolled: u64,
    active: u64,
    completed: u64,
    withdrawn: u64,
    score_sum: f64,
    score_n: u64,
    buckets: BTreeMap<i64, u64>,
}

fn key_alias(i: usize) -> Alias {
    Alias::new(format!("k{i}"))
}

fn completed() -> Expr {
    // Set in the same UPDATE as `completed_at`, and part of the covering indexes.
    col(en::Column::DaysToComplete).is_not_null()
}

/// Counts per group, in two levels so that SQLite never sorts the whole table: the inner
/// query aggregates enrolments into cells along a covering index (`idx_enrolments_stats`,
/// or `idx_enrolments_stats_by_month` when grouping by month: its leading columns up to
/// the last dimension asked for, read in index order, so no sort), and the outer query
/// adds the cells up per group (a sort of a few thousand cells at most). On PostgreSQL
/// both levels are hash aggregates.
fn counts_select(group_by: &[Dimension], filters: &Filters, scope: &Scope) -> SelectStatement {
    let mut inner = Query::select();
    inner.from(en::Entity);
    for (i, d) in group_by.iter().enumerate() {
        inner.expr_as(col(d.column()), key_alias(i));
    }
    inner
        .expr_as(Expr::col(Asterisk).count(), Alias::new("enrolled"))
        .expr_as(
            count_if(col(en::Column::Status).eq("active")),
            Alias::new("active"),
        )
        .expr_as(count_if(completed()), Alias::new("completed"))
        .expr_as(
            count_if(
                col(en::Column::Status)
                    .eq("withdrawn")
                    .and(col(en::Column::DaysToComplete).is_null()),
            ),
            Alias::new("withdrawn"),
        )
        .expr_as(col(en::Column::FinalScore).sum(), Alias::new("score_sum"))
        .expr_as(col(en::Column::FinalScore).count(), Alias::new("score_n"));
    restrict(&mut inner, filters, scope);
    if group_by.is_empty() {
        return inner;
    }
    for d in Dimension::index_prefix(group_by) {
        inner.add_group_by([col(d.column())]);
    }
    let cells = Alias::new("cells");
    let mut outer = Query::select();
    outer.from_subquery(inner, cells.clone());
    for i in 0..group_by.len() {
        outer.expr_as(Expr::col((cells.clone(), key_alias(i))), key_alias(i));
    }
    for name in ["enrolled", "active", "completed", "withdrawn", "score_n"] {
        // PostgreSQL sums bigints into numeric: back to a bigint.
        outer.expr_as(
            Expr::col((cells.clone(), Alias::new(name)))
                .sum()
                .cast_as(Alias::new("BIGINT")),
            Alias::new(name),
        );
    }
    outer.expr_as(
        Expr::col((cells.clone(), Alias::new("score_sum"))).sum(),
        Alias::new("score_sum"),
    );
    for i in 0..group_by.len() {
        outer.add_group_by([Expr::col((cells.clone(), key_alias(i)))]);
    }
    outer
}

/// Completions per group and completion-time bucket, for the median; reads the partial
/// covering index of completed enrolments.
fn durations_select(group_by: &[Dimension], filters: &Filters, scope: &Scope) -> SelectStatement {
    let mut q = Query::select();
    q.from(en::Entity);
    for (i, d) in group_by.iter().enumerate() {
        q.expr_as(col(d.column()), key_alias(i));
    }
    q.expr_as(Expr::cust(BUCKET_SQL), Alias::new("bucket"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("completed"))
        .and_where(completed());
    restrict(&mut q, filters, scope);
    for d in group_by {
        q.add_group_by([col(d.column())]);
    }
    q.add_group_by([Expr::cust(BUCKET_SQL)]);
    q
}

/// Revoked certificates per group (they are few; the index on `revoked_at` finds them).
fn revoked_select(group_by: &[Dimension], filters: &Filters, scope: &Scope) -> SelectStatement {
    let mut q = Query::select();
    q.from(certificates::Entity).inner_join(
        en::Entity,
        Expr::col((en::Entity, en::Column::Id))
            .equals((certificates::Entity, certificates::Column::EnrolmentId)),
    );
    for (i, d) in group_by.iter().enumerate() {
        q.expr_as(col(d.column()), key_alias(i));
    }
    q.expr_as(Expr::col(Asterisk).count(), Alias::new("revoked"))
        .and_where(
            Expr::col((certificates::Entity, certificates::Column::RevokedAt)).is_not_null(),
        );
    restrict(&mut q, filters, scope);
    for d in group_by {
        q.add_group_by([col(d.column())]);
    }
    q
}

/// The SQL of a completions request, as [`completions`] runs it: counts, completion
/// durations, revoked certificates (for benchmarks and `EXPLAIN`).
pub fn completion_statements(
    backend: DbBackend,
    group_by: &[Dimension],
    filters: &Filters,
    scope: &Scope,
) -> [Statement; 3] {
    [
        backend.build(&counts_select(group_by, filters, scope)),
        backend.build(&durations_select(group_by, filters, scope)),
        backend.build(&revoked_select(group_by, filters, scope)),
    ]
}

fn read_keys(
    row: &sea_orm::QueryResult,
    group_by: &[Dimension],
) -> Result<Vec<Option<String>>, StoreError> {
    group_by
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let name = format!("k{i}");
            Ok(if d.is_id() {
                row.try_get::<Option<Uuid>>("", &name)?
                    .map(|u| u.to_string())
            } else {
                row.try_get::<Option<String>>("", &name)?
            })
        })
        .collect()
}

fn count(row: &sea_orm::QueryResult, name: &str) -> Result<u64, StoreError> {
    Ok(u64::try_from(row.try_get::<Option<i64>>("", name)?.unwrap_or(0)).unwrap_or(0))
}

/// Completion statistics grouped by `group_by` (none: one row for everything), for the
/// enrolments within `scope` that match `filters`, ordered by the group keys (no value
/// first, then by name or code). No suppression: the caller applies it.
pub async fn completions(
    db: &Db,
    group_by: &[Dimension],
    filters: &Filters,
    scope: &Scope,
) -> Result<Vec<CompletionRow>, StoreError> {
    let [counts_sql, durations_sql, revoked_sql] =
        completion_statements(db.backend(), group_by, filters, scope);
    let mut groups: BTreeMap<Vec<Option<String>>, Acc> = BTreeMap::new();
    for row in db.conn.query_all_raw(counts_sql).await? {
        let enrolled = count(&row, "enrolled")?;
        if enrolled == 0 {
            continue;
        }
        let acc = groups.entry(read_keys(&row, group_by)?).or_default();
        acc.enrolled += enrolled;
        acc.active += count(&row, "active")?;
        acc.completed += count(&row, "completed")?;
        acc.withdrawn += count(&row, "withdrawn")?;
        acc.score_sum += row.try_get::<Option<f64>>("", "score_sum")?.unwrap_or(0.0);
        acc.score_n += count(&row, "score_n")?;
    }
    for row in db.conn.query_all_raw(durations_sql).await? {
        let keys = read_keys(&row, group_by)?;
        if let (Some(acc), Some(b)) = (
            groups.get_mut(&keys),
            row.try_get::<Option<i32>>("", "bucket")?,
        ) {
            *acc.buckets.entry(i64::from(b)).or_default() += count(&row, "completed")?;
        }
    }
    let mut revoked: HashMap<Vec<Option<String>>, u64> = HashMap::new();
    for row in db.conn.query_all_raw(revoked_sql).await? {
        revoked.insert(read_keys(&row, group_by)?, count(&row, "revoked")?);
    }
    let labels = Labels::load(db, group_by, groups.keys()).await?;
    let mut rows: Vec<CompletionRow> = groups
        .into_iter()
        .map(|(keys, a)| {
            let revoked = revoked.get(&keys).copied().unwrap_or(0);
            CompletionRow {
                keys: group_by
                    .iter()
                    .zip(keys)
                    .map(|(d, value)| KeyValue {
                        dimension: *d,
                        label: labels.label(*d, value.as_deref()),
                        value,
                    })
                    .collect(),
                enrolled: a.enrolled,
                active: a.active,
                completed: a.completed,
                withdrawn: a.withdrawn,
                completion_rate: round(a.completed as f64 / a.enrolled as f64, 4),
                average_final_score: (a.score_n > 0)
                    .then(|| round(a.score_sum / a.score_n as f64, 2)),
                median_days_to_complete: median_of_histogram(&a.buckets),
                certificates_issued: a.completed.saturating_sub(revoked),
            }
        })
        .collect();
    rows.sort_by_cached_key(|r| sort_key(&r.keys));
    Ok(rows)
}

fn sort_key(keys: &[KeyValue]) -> Vec<(bool, String, String)> {
    keys.iter()
        .map(|k| {
            (
                k.value.is_some(),
                k.label
                    .clone()
                    .or_else(|| k.value.clone())
                    .unwrap_or_default(),
                k.value.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Readable names for the id dimensions of a result.
#[derive(Default)]
struct Labels {
    courses: HashMap<String, String>,
    institutions: HashMap<String, String>,
    cohorts: HashMap<String, String>,
}

impl Labels {
    async fn load<'a>(
        db: &Db,
        group_by: &[Dimension],
        keys: impl Iterator<Item = &'a Vec<Option<String>>>,
    ) -> Result<Labels, StoreError> {
        let mut wanted: BTreeMap<Dimension, BTreeSet<Uuid>> = BTreeMap::new();
        for k in keys {
            for (d, v) in group_by.iter().zip(k) {
                if let (true, Some(id)) = (d.is_id(), v.as_deref().map(Uuid::parse_str)) {
                    wanted.entry(*d).or_default().extend(id.ok());
                }
            }
        }
        let mut out = Labels::default();
        for (d, ids) in wanted {
            let ids: Vec<Uuid> = ids.into_iter().collect();
            for chunk in ids.chunks(500) {
                match d {
                    Dimension::Course => {
                        for c in courses::Entity::find()
                            .filter(courses::Column::Id.is_in(chunk.to_vec()))
                            .all(&db.conn)
                            .await?
                        {
                            out.courses.insert(c.id.to_string(), c.slug);
                        }
                    }
                    Dimension::Institution => {
                        for i in institutions::Entity::find()
                            .filter(institutions::Column::Id.is_in(chunk.to_vec()))
                            .all(&db.conn)
                            .await?
                        {
                            out.institutions.insert(i.id.to_string(), i.name);
                        }
                    }
                    Dimension::Cohort => {
                        for c in cohorts::Entity::find()
                            .filter(cohorts::Column::Id.is_in(chunk.to_vec()))
                            .all(&db.conn)
                            .await?
                        {
                            out.cohorts.insert(c.id.to_string(), c.name);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    fn label(&self, d: Dimension, value: Option<&str>) -> Option<String> {
        let v = value?;
        match d {
            Dimension::Course => self.courses.get(v).cloned(),
            Dimension::Institution => self.institutions.get(v).cloned(),
            Dimension::Cohort => self.cohorts.get(v).cloned(),
            _ => None,
        }
    }
}

// ----------------------------------------------------------------------------------------
// The funnel of one course

/// How one question went, in one language or in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionCell {
    /// Enrolments with a submitted attempt (in this language).
    pub learners: u64,
    /// Submitted attempts that contained the question.
    pub attempts: u64,
    pub correct: u64,
    pub partial: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelQuestion {
    pub key: String,
    /// single_choice, multiple_choice, …
    pub kind: &'static str,
    pub all: QuestionCell,
    /// Per attempt language, in language order.
    pub by_language: BTreeMap<String, QuestionCell>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelQuiz {
    pub title: Localized,
    pub pass_mark: u8,
    /// Enrolments whose grade (by the quiz's grading method) reaches the pass mark.
    pub passed: u64,
    /// Enrolments with at least one submitted attempt.
    pub learners: u64,
    pub attempts: u64,
    /// Mean percent over the submitted attempts, 2 decimals.
    pub average_score: Option<f64>,
    /// Submitted attempts per learner who submitted one, 2 decimals.
    pub average_attempts: Option<f64>,
    pub questions: Vec<FunnelQuestion>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelModule {
    pub key: String,
    pub title: Localized,
    /// Enrolments with any progress in one of its lessons.
    pub started: u64,
    /// Enrolments with every lesson completed and the quiz passed.
    pub completed: u64,
    pub quiz: Option<FunnelQuiz>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub course_slug: String,
    /// The course's languages, the original first (for titles).
    pub languages: Vec<help_lms_domain::values::Language>,
    /// Enrolments in scope.
    pub enrolled: u64,
    pub completed: u64,
    /// In the order of the current version; modules only older versions had come last.
    pub modules: Vec<FunnelModule>,
}

/// What the funnel reads of `attempts.result`: the outcome of each question.
#[derive(Deserialize)]
struct ResultOutcomes<'a> {
    #[serde(borrow)]
    questions: Vec<QuestionOutcome<'a>>,
}

#[derive(Deserialize)]
struct QuestionOutcome<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    outcome: Outcome,
}

fn kind_of(body: &QuestionBody) -> &'static str {
    match body {
        QuestionBody::SingleChoice { .. } => "single_choice",
        QuestionBody::MultipleChoice { .. } => "multiple_choice",
        QuestionBody::TrueFalse { .. } => "true_false",
        QuestionBody::Matching { .. } => "matching",
        QuestionBody::Ordering { .. } => "ordering",
        QuestionBody::ShortText { .. } => "short_text",
        QuestionBody::Numeric { .. } => "numeric",
    }
}

/// The ids of the enrolments within `scope` matching `filters` (and `extra`).
fn scoped_ids(filters: &Filters, scope: &Scope, extra: Option<Expr>) -> SelectStatement {
    let mut q = Query::select();
    q.column((en::Entity, en::Column::Id)).from(en::Entity);
    restrict(&mut q, filters, scope);
    if let Some(e) = extra {
        q.and_where(e);
    }
    q
}

/// One submitted attempt of an enrolment's quiz, as the funnel grades it.
struct Submitted {
    number: i32,
    percent: f64,
    language: String,
}

/// Where a module of some version sits in the funnel, and what completing it takes.
struct ModuleRef {
    slot: usize,
    lessons: usize,
    quiz: Option<Uuid>,
}

/// The funnel of the course `course_id` for the enrolments within `scope` matching
/// `filters` (the course filter is ignored: the course is this one).
pub async fn funnel(
    db: &Db,
    course_id: Uuid,
    filters: &Filters,
    scope: &Scope,
) -> Result<Funnel, StoreError> {
    let conn = &db.conn;
    let course = courses::Entity::find_by_id(course_id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut versions = course_versions::Entity::find()
        .filter(course_versions::Column::CourseId.eq(course_id))
        .order_by_desc(course_versions::Column::Version)
        .all(conn)
        .await?;
    // The current version first, then the others newest first.
    if let Some(cur) = course.current_version_id
        && let Some(pos) = versions.iter().position(|v| v.id == cur)
    {
        let v = versions.remove(pos);
        versions.insert(0, v);
    }
    let mut modules: Vec<FunnelModule> = Vec::new();
    let mut slots: HashMap<String, usize> = HashMap::new();
    let mut module_refs: HashMap<Uuid, ModuleRef> = HashMap::new();
    let mut version_modules: HashMap<Uuid, Vec<usize>> = HashMap::new();
    // quiz id -> (slot, grading, pass mark)
    let mut quiz_refs: HashMap<Uuid, (usize, help_lms_domain::content::GradingMethod, u8)> =
        HashMap::new();
    let mut languages = Vec::new();
    for v in &versions {
        let rt = catalogue::runtime::runtime(conn, v.id).await?;
        if languages.is_empty() {
            languages = rt.course.languages.clone();
        }
        let outline = catalogue::outline(db, v.id).await?;
        for m in &rt.modules {
            let title = outline
                .iter()
                .find(|o| o.id == m.id)
                .map(|o| o.title.clone())
                .unwrap_or_default();
            let slot = *slots.entry(m.key.clone()).or_insert_with(|| {
                modules.push(FunnelModule {
                    key: m.key.clone(),
                    title,
                    started: 0,
                    completed: 0,
                    quiz: None,
                });
                modules.len() - 1
            });
            if let Some(q) = &m.quiz {
                let fq = modules[slot].quiz.get_or_insert_with(|| FunnelQuiz {
                    title: q.def.title.clone(),
                    pass_mark: q.def.settings.pass_mark,
                    ..Default::default()
                });
                for qd in &q.def.questions {
                    if !fq.questions.iter().any(|x| x.key == qd.key) {
                        fq.questions.push(FunnelQuestion {
                            key: qd.key.clone(),
                            kind: kind_of(&qd.body),
                            all: QuestionCell::default(),
                            by_language: BTreeMap::new(),
                        });
                    }
                }
                quiz_refs.insert(
                    q.id,
                    (slot, q.def.settings.grading, q.def.settings.pass_mark),
                );
            }
            module_refs.insert(
                m.id,
                ModuleRef {
                    slot,
                    lessons: m.lessons.len(),
                    quiz: m.quiz.as_ref().map(|q| q.id),
                },
            );
            version_modules.entry(v.id).or_default().push(slot);
        }
    }

    let mut this_course = filters.clone();
    this_course.courses = vec![course_id];

    // Enrolments in scope, and the completed ones per version: they started and completed
    // every module of their version.
    let mut q = Query::select();
    q.from(en::Entity)
        .expr_as(col(en::Column::CourseVersionId), Alias::new("version"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("enrolled"))
        .expr_as(
            count_if(col(en::Column::CompletedAt).is_not_null()),
            Alias::new("completed"),
        );
    restrict(&mut q, &this_course, scope);
    q.add_group_by([col(en::Column::CourseVersionId)]);
    let (mut enrolled, mut completed) = (0, 0);
    for row in conn.query_all(&q).await? {
        let version: Uuid = row.try_get("", "version")?;
        let n = count(&row, "enrolled")?;
        let done = count(&row, "completed")?;
        enrolled += n;
        completed += done;
        for slot in version_modules.get(&version).into_iter().flatten() {
            modules[*slot].started += done;
            modules[*slot].completed += done;
        }
    }

    // Submitted attempts of the enrolments in scope: scores, passes, question outcomes.
    // `IN (subquery)` lets both databases start from the scoped enrolments and reach
    // their attempts through `uq_attempts_number` (enrolment_id, …).
    let mut q = Query::select();
    q.from(attempts::Entity)
        .columns([
            (attempts::Entity, attempts::Column::EnrolmentId),
            (attempts::Entity, attempts::Column::QuizId),
            (attempts::Entity, attempts::Column::Number),
            (attempts::Entity, attempts::Column::Language),
            (attempts::Entity, attempts::Column::Percent),
        ])
        .expr_as(
            Expr::col((attempts::Entity, attempts::Column::Result)).cast_as(Alias::new("TEXT")),
            Alias::new("result"),
        )
        .and_where(Expr::col((attempts::Entity, attempts::Column::Status)).eq("submitted"))
        .and_where(
            Expr::col((attempts::Entity, attempts::Column::EnrolmentId)).in_subquery(scoped_ids(
                &this_course,
                scope,
                None,
            )),
        );
    let mut graded: HashMap<(Uuid, Uuid), Vec<Submitted>> = HashMap::new();
    let mut percent_sums: HashMap<usize, (f64, u64)> = HashMap::new();
    for row in conn.query_all(&q).await? {
        let enrolment: Uuid = row.try_get("", "enrolment_id")?;
        let quiz_id: Uuid = row.try_get("", "quiz_id")?;
        let Some(&(slot, _, _)) = quiz_refs.get(&quiz_id) else {
            continue;
        };
        let Some(fq) = modules[slot].quiz.as_mut() else {
            continue;
        };
        let number: i32 = row.try_get("", "number")?;
        let language: String = row.try_get("", "language")?;
        let percent = row.try_get::<Option<f64>>("", "percent")?.unwrap_or(0.0);
        let sums = percent_sums.entry(slot).or_default();
        sums.0 += percent;
        sums.1 += 1;
        if let Some(text) = row.try_get::<Option<String>>("", "result")? {
            let parsed: ResultOutcomes<'_> = serde_json::from_str(&text)?;
            for o in parsed.questions {
                let Some(question) = fq.questions.iter_mut().find(|x| x.key == o.key) else {
                    continue;
                };
                if !question.by_language.contains_key(&language) {
                    question
                        .by_language
                        .insert(language.clone(), QuestionCell::default());
                }
                let by_language = question.by_language.get_mut(&language);
                for cell in std::iter::once(&mut question.all).chain(by_language) {
                    cell.attempts += 1;
                    match o.outcome {
                        Outcome::Correct => cell.correct += 1,
                        Outcome::Partial => cell.partial += 1,
                        Outcome::Incorrect | Outcome::Unanswered => {}
                    }
                }
            }
        }
        graded
            .entry((enrolment, quiz_id))
            .or_default()
            .push(Submitted {
                number,
                percent,
                language,
            });
    }
    let mut passed: HashSet<(Uuid, Uuid)> = HashSet::new();
    for ((enrolment, quiz_id), mut list) in graded {
        let Some(&(slot, grading, pass_mark)) = quiz_refs.get(&quiz_id) else {
            continue;
        };
        let Some(fq) = modules[slot].quiz.as_mut() else {
            continue;
        };
        list.sort_by_key(|a| a.number);
        let percents: Vec<f64> = list.iter().map(|a| a.percent).collect();
        fq.learners += 1;
        fq.attempts += percents.len() as u64;
        if quiz::aggregate(grading, &percents).is_some_and(|g| quiz::passed(g, pass_mark)) {
            fq.passed += 1;
            passed.insert((enrolment, quiz_id));
        }
        let mut languages: Vec<&str> = list.iter().map(|a| a.language.as_str()).collect();
        languages.sort_unstable();
        languages.dedup();
        for lang in languages {
            for question in &mut fq.questions {
                if let Some(cell) = question.by_language.get_mut(lang) {
                    cell.learners += 1;
                }
            }
        }
    }
    for (slot, (sum, n)) in percent_sums {
        if let Some(fq) = modules[slot].quiz.as_mut() {
            fq.average_score = (n > 0).then(|| round(sum / n as f64, 2));
            fq.average_attempts =
                (fq.learners > 0).then(|| round(fq.attempts as f64 / fq.learners as f64, 2));
            for question in &mut fq.questions {
                question.all.learners = fq.learners;
            }
        }
    }

    // Lesson progress of the enrolments in scope not yet complete (the complete ones
    // were counted above), per enrolment and module.
    let mut q = Query::select();
    q.from(lp::Entity)
        .inner_join(
            lessons::Entity,
            Expr::col((lessons::Entity, lessons::Column::Id))
                .equals((lp::Entity, lp::Column::LessonId)),
        )
        .expr_as(
            Expr::col((lp::Entity, lp::Column::EnrolmentId)),
            Alias::new("enrolment_id"),
        )
        .expr_as(
            Expr::col((lessons::Entity, lessons::Column::ModuleId)),
            Alias::new("module_id"),
        )
        .expr_as(
            count_if(Expr::col((lp::Entity, lp::Column::CompletedAt)).is_not_null()),
            Alias::new("done"),
        )
        .and_where(
            Expr::col((lp::Entity, lp::Column::EnrolmentId)).in_subquery(scoped_ids(
                &this_course,
                scope,
                Some(col(en::Column::CompletedAt).is_null()),
            )),
        );
    q.add_group_by([
        Expr::col((lp::Entity, lp::Column::EnrolmentId)),
        Expr::col((lessons::Entity, lessons::Column::ModuleId)),
    ]);
    for row in conn.query_all(&q).await? {
        let enrolment: Uuid = row.try_get("", "enrolment_id")?;
        let module_id: Uuid = row.try_get("", "module_id")?;
        let Some(m) = module_refs.get(&module_id) else {
            continue;
        };
        let fm = &mut modules[m.slot];
        fm.started += 1;
        let lessons_done = count(&row, "done")? as usize >= m.lessons;
        let quiz_done = m.quiz.is_none_or(|q| passed.contains(&(enrolment, q)));
        if lessons_done && quiz_done {
            fm.completed += 1;
        }
    }

    Ok(Funnel {
        course_slug: course.slug,
        languages,
        enrolled,
        completed,
        modules,
    })
}

// ----------------------------------------------------------------------------------------
// Targets

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Distinct learners enrolled (in the period: enrolled in it).
    Enrolled,
    /// Distinct learners who completed (in the period: completed in it).
    Completed,
    /// Certificates issued and not revoked (in the period: issued in it).
    Certificates,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Enrolled, Metric::Completed, Metric::Certificates];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Enrolled => "enrolled",
            Metric::Completed => "completed",
            Metric::Certificates => "certificates",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

pub struct NewTarget {
    pub name: String,
    pub metric: Metric,
    pub target: i64,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub course_id: Option<Uuid>,
    pub profession: Option<String>,
    pub country: Option<String>,
    pub created_by: Uuid,
}

/// A target with its course slug and where it stands now.
#[derive(Debug, Clone)]
pub struct TargetProgress {
    pub target: tg::Model,
    pub course_slug: Option<String>,
    pub current: u64,
}

pub async fn create_target(db: &Db, new: NewTarget) -> Result<tg::Model, StoreError> {
    Ok(tg::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(new.name),
        metric: Set(new.metric.as_str().to_owned()),
        target: Set(new.target),
        period_from: Set(new.period_from),
        period_to: Set(new.period_to),
        course_id: Set(new.course_id),
        profession: Set(new.profession),
        country: Set(new.country),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
    }
    .insert(&db.conn)
    .await?)
}

pub async fn delete_target(db: &Db, id: Uuid) -> Result<(), StoreError> {
    let res = tg::Entity::delete_by_id(id).exec(&db.conn).await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Every target, oldest first, with its current value.
pub async fn targets(db: &Db) -> Result<Vec<TargetProgress>, StoreError> {
    let list = tg::Entity::find()
        .order_by_asc(tg::Column::CreatedAt)
        .order_by_asc(tg::Column::Id)
        .all(&db.conn)
        .await?;
    let slugs: HashMap<Uuid, String> = courses::Entity::find()
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect();
    let mut out = Vec::with_capacity(list.len());
    for t in list {
        let current = current_value(db, &t).await?;
        out.push(TargetProgress {
            course_slug: t.course_id.and_then(|c| slugs.get(&c).cloned()),
            target: t,
            current,
        });
    }
    Ok(out)
}

pub async fn target(db: &Db, id: Uuid) -> Result<TargetProgress, StoreError> {
    let t = tg::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let course_slug = match t.course_id {
        Some(c) => courses::Entity::find_by_id(c)
            .one(&db.conn)
            .await?
            .map(|c| c.slug),
        None => None,
    };
    let current = current_value(db, &t).await?;
    Ok(TargetProgress {
        target: t,
        course_slug,
        current,
    })
}

async fn current_value(db: &Db, t: &tg::Model) -> Result<u64, StoreError> {
    let metric = Metric::parse(&t.metric)
        .ok_or_else(|| StoreError::Corrupt(format!("stats_targets.metric holds '{}'", t.metric)))?;
    let mut q = Query::select();
    let when = match metric {
        Metric::Enrolled => {
            q.from(en::Entity).expr_as(
                col(en::Column::UserId).count_distinct(),
                Alias::new("value"),
            );
            col(en::Column::EnrolledAt)
        }
        Metric::Completed => {
            q.from(en::Entity)
                .expr_as(
                    col(en::Column::UserId).count_distinct(),
                    Alias::new("value"),
                )
                .and_where(col(en::Column::CompletedAt).is_not_null());
            col(en::Column::CompletedAt)
        }
        Metric::Certificates => {
            q.from(certificates::Entity)
                .inner_join(
                    en::Entity,
                    Expr::col((en::Entity, en::Column::Id))
                        .equals((certificates::Entity, certificates::Column::EnrolmentId)),
                )
                .expr_as(Expr::col(Asterisk).count(), Alias::new("value"))
                .and_where(
                    Expr::col((certificates::Entity, certificates::Column::RevokedAt)).is_null(),
                );
            Expr::col((certificates::Entity, certificates::Column::IssuedAt))
        }
    };
    if let Some(from) = t.period_from {
        q.and_where(when.clone().gte(start_of(from)));
    }
    if let Some(to) = t.period_to.and_then(|d| d.succ_opt()) {
        q.and_where(when.lt(start_of(to)));
    }
    if let Some(c) = t.course_id {
        q.and_where(col(en::Column::CourseId).eq(c));
    }
    if let Some(p) = &t.profession {
        q.and_where(col(en::Column::Profession).eq(p.as_str()));
    }
    if let Some(c) = &t.country {
        q.and_where(col(en::Column::Country).eq(c.as_str()));
    }
    let row = db.conn.query_one(&q).await?;
    match row {
        Some(r) => count(&r, "value"),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[i64]) -> BTreeMap<i64, u64> {
        let mut h = BTreeMap::new();
        for v in values {
            *h.entry(bucket_of(*v)).or_default() += 1;
        }
        h
    }

    #[test]
    fn buckets_cover_every_duration_without_gaps() {
        let mut expected_next = 0;
        let mut lower = 0;
        while lower < 2000 {
            assert_eq!(bucket_of(lower), lower, "{lower} starts a bucket");
            let w = bucket_width(lower);
            for d in lower..lower + w {
                assert_eq!(bucket_of(d), lower, "day {d}");
            }
            expected_next += w;
            lower += w;
            assert_eq!(lower, expected_next);
        }
    }

    #[test]
    fn the_median_is_exact_for_short_durations() {
        assert_eq!(median_of_histogram(&hist(&[])), None);
        assert_eq!(median_of_histogram(&hist(&[3])), Some(3.0));
        assert_eq!(median_of_histogram(&hist(&[0, 1, 5])), Some(1.0));
        assert_eq!(median_of_histogram(&hist(&[2, 3, 10, 13])), Some(6.5));
        assert_eq!(median_of_histogram(&hist(&[0, 0, 0, 1])), Some(0.0));
    }

    #[test]
    fn the_median_of_long_durations_stays_within_its_bucket() {
        // 30, 31, 32 fall in the week bucket 28..35: the estimate lies in it.
        let m = median_of_histogram(&hist(&[1, 30, 31, 32, 200])).unwrap();
        assert!((28.0..35.0).contains(&m), "{m}");
        let m = median_of_histogram(&hist(&[400, 500, 600])).unwrap();
        assert!((368.0..733.0).contains(&m), "{m}");
    }

    #[test]
    fn dimensions_and_modes_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
        }
        assert_eq!(Dimension::parse("planet"), None);
        assert_eq!(Mode::parse("tutored"), Some(Mode::Tutored));
        assert_eq!(Mode::of(false), Mode::SelfStudy);
        assert_eq!(Metric::parse("certificates"), Some(Metric::Certificates));
    }

    #[test]
    fn months_and_days() {
        let a = DateTime::parse_from_rfc3339("2026-01-31T23:00:00Z")
            .unwrap()
            .to_utc();
        let b = DateTime::parse_from_rfc3339("2026-02-02T22:59:59Z")
            .unwrap()
            .to_utc();
        assert_eq!(month_of(a), "2026-01");
        assert_eq!(days_between(a, b), 1);
        assert_eq!(days_between(b, a), 0);
    }

    #[test]
    fn small_cells() {
        assert!(is_small(4, 5));
        assert!(!is_small(5, 5));
        assert!(!is_small(0, 0));
    }

    #[test]
    fn the_statements_are_the_same_sql_shape_on_both_backends() {
        let f = Filters {
            countries: vec!["FR".into()],
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: NaiveDate::from_ymd_opt(2026, 12, 31),
            ..Default::default()
        };
        for b in [DbBackend::Sqlite, DbBackend::Postgres] {
            let [counts, durations, revoked] = completion_statements(
                b,
                &[Dimension::Country, Dimension::Profession],
                &f,
                &Scope::Institution(Uuid::nil()),
            );
            // Cells along the index prefix (course, country, profession), then groups.
            assert!(counts.sql.contains("cells"), "{}", counts.sql);
            assert_eq!(counts.sql.matches("GROUP BY").count(), 2, "{}", counts.sql);
            assert!(
                durations.sql.contains("days_to_complete"),
                "{}",
                durations.sql
            );
            assert!(revoked.sql.contains("revoked_at"), "{}", revoked.sql);
        }
    }
}
