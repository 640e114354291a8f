//! The programme's targets: recorded by admins, each with where its metric stands now.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use help_lms_domain::reporting::{Metric, TargetSpec};
use help_lms_domain::values::{Country, Profession};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use uuid::Uuid;

use super::{col, count, start_of};
use crate::Db;
use crate::entities::{certificates, courses, enrolments as en, stats_targets as tg};
use crate::error::StoreError;

/// A valid target, for the course resolved from its slug, recorded by `created_by`.
pub struct NewTarget {
    pub spec: TargetSpec,
    pub course_id: Option<Uuid>,
    pub created_by: Uuid,
}

/// A recorded target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: Uuid,
    pub name: String,
    pub metric: Metric,
    pub target: i64,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub course_id: Option<Uuid>,
    pub profession: Option<Profession>,
    pub country: Option<Country>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A target with its course slug and where it stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetProgress {
    pub target: Target,
    pub course_slug: Option<String>,
    pub current: u64,
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("stats_targets.{column} holds '{value}'"))
}

fn metric_of(t: &tg::Model) -> Result<Metric, StoreError> {
    Metric::parse(&t.metric).ok_or_else(|| corrupt("metric", &t.metric))
}

fn target_of(t: tg::Model, metric: Metric) -> Result<Target, StoreError> {
    let profession = match t.profession.as_deref() {
        Some(p) => Some(Profession::parse(p).map_err(|_| corrupt("profession", p))?),
        None => None,
    };
    let country = match t.country.as_deref() {
        Some(c) => Some(Country::parse(c).map_err(|_| corrupt("country", c))?),
        None => None,
    };
    Ok(Target {
        id: t.id,
        name: t.name,
        metric,
        target: t.target,
        period_from: t.period_from,
        period_to: t.period_to,
        course_id: t.course_id,
        profession,
        country,
        created_by: t.created_by,
        created_at: t.created_at,
    })
}

/// The target with its current value, its course's slug looked up in `slugs` (or read).
async fn progress_of<C: ConnectionTrait>(
    conn: &C,
    t: tg::Model,
    slugs: Option<&HashMap<Uuid, String>>,
) -> Result<TargetProgress, StoreError> {
    let metric = metric_of(&t)?;
    let current = current_value(conn, &t, metric).await?;
    let course_slug = match (t.course_id, slugs) {
        (None, _) => None,
        (Some(c), Some(slugs)) => slugs.get(&c).cloned(),
        (Some(c), None) => courses::Entity::find_by_id(c)
            .one(conn)
            .await?
            .map(|c| c.slug),
    };
    Ok(TargetProgress {
        target: target_of(t, metric)?,
        course_slug,
        current,
    })
}

/// Records a target; answers it with where it stands, read in the same transaction.
pub async fn create_target(db: &Db, new: NewTarget) -> Result<TargetProgress, StoreError> {
    let spec = new.spec;
    let txn = db.begin_write().await?;
    let t = tg::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(spec.name.into_string()),
        metric: Set(spec.metric.as_str().to_owned()),
        target: Set(spec.target),
        period_from: Set(spec.period_from),
        period_to: Set(spec.period_to),
        course_id: Set(new.course_id),
        profession: Set(spec.profession.map(|p| p.as_str().to_owned())),
        country: Set(spec.country.map(|c| c.as_str().to_owned())),
        created_by: Set(new.created_by),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let progress = progress_of(&txn, t, None).await?;
    txn.commit().await?;
    Ok(progress)
}

pub async fn delete_target(db: &Db, id: Uuid) -> Result<(), StoreError> {
    let txn = db.begin_write().await?;
    let res = tg::Entity::delete_by_id(id).exec(&txn).await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    txn.commit().await?;
    Ok(())
}

/// Every target, oldest first, with its current value.
pub async fn targets<C: ConnectionTrait>(conn: &C) -> Result<Vec<TargetProgress>, StoreError> {
    let list = tg::Entity::find()
        .order_by_asc(tg::Column::CreatedAt)
        .order_by_asc(tg::Column::Id)
        .all(conn)
        .await?;
    let slugs: HashMap<Uuid, String> = courses::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect();
    let mut out = Vec::with_capacity(list.len());
    for t in list {
        out.push(progress_of(conn, t, Some(&slugs)).await?);
    }
    Ok(out)
}

pub async fn target<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<TargetProgress, StoreError> {
    let t = tg::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    progress_of(conn, t, None).await
}

async fn current_value<C: ConnectionTrait>(
    conn: &C,
    t: &tg::Model,
    metric: Metric,
) -> Result<u64, StoreError> {
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
    let row = conn.query_one(&q).await?;
    match row {
        Some(r) => count(&r, "value"),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use help_lms_domain::values::Title;

    use super::*;
    use crate::test_support::TestDb;

    fn spec(metric: Metric) -> TargetSpec {
        TargetSpec {
            name: Title::parse("Greek judges, 2027").unwrap(),
            metric,
            target: 40,
            period_from: NaiveDate::from_ymd_opt(2027, 1, 1),
            period_to: NaiveDate::from_ymd_opt(2027, 12, 31),
            profession: Some(Profession::Judge),
            country: Some(Country::Gr),
        }
    }

    #[tokio::test]
    async fn a_recorded_target_comes_back_with_where_it_stands() {
        let t = TestDb::new().await;
        let admin = Uuid::now_v7();
        let created = create_target(
            &t.db,
            NewTarget {
                spec: spec(Metric::Certificates),
                course_id: None,
                created_by: admin,
            },
        )
        .await
        .unwrap();
        let target = &created.target;
        assert_eq!(target.name, "Greek judges, 2027");
        assert_eq!(target.metric, Metric::Certificates);
        assert_eq!(
            (target.profession, target.country),
            (Some(Profession::Judge), Some(Country::Gr))
        );
        assert_eq!(target.created_by, admin);
        assert_eq!((created.current, created.course_slug.as_deref()), (0, None));

        let read = super::target(&t.db.conn, target.id).await.unwrap();
        assert_eq!(read.target.id, target.id);
        assert_eq!(read.target.metric, Metric::Certificates);
        assert_eq!(read.current, 0);
        let all = targets(&t.db.conn).await.unwrap();
        assert_eq!(
            all.iter().map(|p| p.target.id).collect::<Vec<_>>(),
            [target.id]
        );
    }

    #[tokio::test]
    async fn a_deleted_target_is_gone() {
        let t = TestDb::new().await;
        let created = create_target(
            &t.db,
            NewTarget {
                spec: spec(Metric::Enrolled),
                course_id: None,
                created_by: Uuid::now_v7(),
            },
        )
        .await
        .unwrap();
        let id = created.target.id;
        delete_target(&t.db, id).await.unwrap();
        assert!(matches!(
            delete_target(&t.db, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            super::target(&t.db.conn, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(targets(&t.db.conn).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_metric_the_code_does_not_know_is_reported_as_corrupt() {
        let t = TestDb::new().await;
        let row = tg::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set("Edited by hand".into()),
            metric: Set("learners".into()),
            target: Set(10),
            period_from: Set(None),
            period_to: Set(None),
            course_id: Set(None),
            profession: Set(None),
            country: Set(None),
            created_by: Set(Uuid::now_v7()),
            created_at: Set(Utc::now()),
        }
        .insert(&t.db.conn)
        .await
        .unwrap();
        let err = super::target(&t.db.conn, row.id).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt(m) if m.contains("metric")),
            "{err:?}"
        );
    }
}
