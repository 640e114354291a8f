//! Completion statistics: one GROUP BY over `enrolments` along a covering index, the
//! completion-time histogram for the medians, and the few revoked certificates.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use help_lms_domain::reporting::{Dimension, Filters, Scope, median_of_histogram, round};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use uuid::Uuid;

use super::{col, column, count, count_if, restrict};
use crate::entities::{certificates, cohorts, courses, enrolments as en, institutions};
use crate::error::StoreError;

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
        &MONTH_INDEX_ORDER
    } else {
        &INDEX_ORDER
    };
    let depth = group_by
        .iter()
        .filter_map(|d| order.iter().position(|o| o == d))
        .map(|p| p + 1)
        .max()
        .unwrap_or(0);
    &order[..depth]
}

/// Completion durations are counted in buckets so that the median comes out of the same
/// GROUP BY as the counts: this SQL and `help_lms_domain::reporting::bucket_of` must agree.
const BUCKET_SQL: &str = "CASE \
     WHEN days_to_complete IS NULL THEN NULL \
     WHEN days_to_complete < 14 THEN days_to_complete \
     WHEN days_to_complete < 98 THEN 14 + ((days_to_complete - 14) / 7) * 7 \
     WHEN days_to_complete < 368 THEN 98 + ((days_to_complete - 98) / 30) * 30 \
     ELSE 368 + ((days_to_complete - 368) / 365) * 365 END";

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
        inner.expr_as(col(column(*d)), key_alias(i));
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
    for d in index_prefix(group_by) {
        inner.add_group_by([col(column(*d))]);
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
        q.expr_as(col(column(*d)), key_alias(i));
    }
    q.expr_as(Expr::cust(BUCKET_SQL), Alias::new("bucket"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("completed"))
        .and_where(completed());
    restrict(&mut q, filters, scope);
    for d in group_by {
        q.add_group_by([col(column(*d))]);
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
        q.expr_as(col(column(*d)), key_alias(i));
    }
    q.expr_as(Expr::col(Asterisk).count(), Alias::new("revoked"))
        .and_where(
            Expr::col((certificates::Entity, certificates::Column::RevokedAt)).is_not_null(),
        );
    restrict(&mut q, filters, scope);
    for d in group_by {
        q.add_group_by([col(column(*d))]);
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

/// Completion statistics grouped by `group_by` (none: one row for everything), for the
/// enrolments within `scope` that match `filters`, ordered by the group keys (no value
/// first, then by name or code). No suppression: the caller applies it.
pub async fn completions<C: ConnectionTrait>(
    conn: &C,
    group_by: &[Dimension],
    filters: &Filters,
    scope: &Scope,
) -> Result<Vec<CompletionRow>, StoreError> {
    let [counts_sql, durations_sql, revoked_sql] =
        completion_statements(conn.get_database_backend(), group_by, filters, scope);
    let mut groups: BTreeMap<Vec<Option<String>>, Acc> = BTreeMap::new();
    for row in conn.query_all_raw(counts_sql).await? {
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
    for row in conn.query_all_raw(durations_sql).await? {
        let keys = read_keys(&row, group_by)?;
        if let (Some(acc), Some(b)) = (
            groups.get_mut(&keys),
            row.try_get::<Option<i32>>("", "bucket")?,
        ) {
            *acc.buckets.entry(i64::from(b)).or_default() += count(&row, "completed")?;
        }
    }
    let mut revoked: HashMap<Vec<Option<String>>, u64> = HashMap::new();
    for row in conn.query_all_raw(revoked_sql).await? {
        revoked.insert(read_keys(&row, group_by)?, count(&row, "revoked")?);
    }
    let labels = Labels::load(conn, group_by, groups.keys()).await?;
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

#[derive(Default)]
struct Labels {
    courses: HashMap<String, String>,
    institutions: HashMap<String, String>,
    cohorts: HashMap<String, String>,
}

impl Labels {
    async fn load<'a, C: ConnectionTrait>(
        conn: &C,
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
                            .all(conn)
                            .await?
                        {
                            out.courses.insert(c.id.to_string(), c.slug);
                        }
                    }
                    Dimension::Institution => {
                        for i in institutions::Entity::find()
                            .filter(institutions::Column::Id.is_in(chunk.to_vec()))
                            .all(conn)
                            .await?
                        {
                            out.institutions.insert(i.id.to_string(), i.name);
                        }
                    }
                    Dimension::Cohort => {
                        for c in cohorts::Entity::find()
                            .filter(cohorts::Column::Id.is_in(chunk.to_vec()))
                            .all(conn)
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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use help_lms_domain::values::Country;

    use super::*;

    #[test]
    fn the_statements_are_the_same_sql_shape_on_both_backends() {
        let f = Filters {
            countries: vec![Country::Fr],
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

    #[test]
    fn the_cells_follow_the_index_that_covers_the_grouping() {
        use Dimension::*;
        for (group_by, prefix) in [
            (&[][..], &[][..]),
            (&[Country][..], &[Course, Country][..]),
            (
                &[Profession, Country][..],
                &[Course, Country, Profession][..],
            ),
            (&[Cohort][..], &INDEX_ORDER[..7]),
            (&[Course, Month][..], &[Month, Course][..]),
            (&[Mode, Month][..], &MONTH_INDEX_ORDER[..5]),
        ] {
            assert_eq!(index_prefix(group_by), prefix, "{group_by:?}");
        }
    }

    #[tokio::test]
    async fn the_bucket_sql_agrees_with_the_domain_buckets() {
        use help_lms_domain::reporting::bucket_of;
        let t = crate::test_support::TestDb::new().await;
        let sql = format!(
            "WITH RECURSIVE d(days_to_complete) AS (SELECT 0 UNION ALL \
             SELECT days_to_complete + 1 FROM d WHERE days_to_complete < 1500) \
             SELECT days_to_complete AS days, {BUCKET_SQL} AS bucket FROM d"
        );
        let rows =
            t.db.conn
                .query_all_raw(Statement::from_string(t.db.backend(), sql))
                .await
                .unwrap();
        assert_eq!(rows.len(), 1501);
        for r in rows {
            let days: i32 = r.try_get("", "days").unwrap();
            let bucket: i32 = r.try_get("", "bucket").unwrap();
            assert_eq!(i64::from(bucket), bucket_of(i64::from(days)), "day {days}");
        }
    }
}
