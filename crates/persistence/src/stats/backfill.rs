//! Fills in the funnel's compact rows (module marks on enrolments, outcome letters on
//! graded attempts) for rows written before the store kept them. Every write keeps them
//! since; this runs when the store starts, after the migrations, and finds nothing to do
//! once it has run. It is safe beside serving instances: a row is written only while it is
//! still empty, so a write that filled it meanwhile is never overwritten.

use help_lms_domain::quiz::QuizResult;
use help_lms_domain::reporting::marks;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Db;
use crate::entities::{attempts as at, enrolments as en, lesson_progress as lp};
use crate::error::StoreError;
use crate::learning::{Runtimes, records_of};

/// Rows per transaction.
const PAGE: u64 = 400;

/// What a backfill filled in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backfilled {
    pub attempts: u64,
    pub enrolments: u64,
}

/// Fills in the outcome letters of graded attempts and the marks of enrolments with
/// records that have none.
pub async fn backfill_marks(db: &Db) -> Result<Backfilled, StoreError> {
    let mut done = Backfilled::default();
    let mut after = Uuid::nil();
    loop {
        let rows: Vec<(Uuid, Option<serde_json::Value>)> = at::Entity::find()
            .select_only()
            .column(at::Column::Id)
            .column(at::Column::Result)
            .filter(at::Column::Status.eq("submitted"))
            .filter(at::Column::Outcomes.is_null())
            .filter(at::Column::Id.gt(after))
            .order_by_asc(at::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(&db.conn)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let txn = db.begin_write().await?;
        for (id, result) in rows {
            let Some(result) = result else { continue };
            let letters = match serde_json::from_value::<QuizResult>(result) {
                Ok(r) => marks::outcome_codes(&r),
                Err(e) => {
                    // Counted as an attempt, with no question outcomes.
                    tracing::warn!(attempt_id = %id, error = %e, "unreadable attempt result");
                    String::new()
                }
            };
            done.attempts += at::Entity::update_many()
                .col_expr(at::Column::Outcomes, Expr::value(letters))
                .filter(at::Column::Id.eq(id))
                .filter(at::Column::Outcomes.is_null())
                .exec(&txn)
                .await?
                .rows_affected;
        }
        txn.commit().await?;
    }

    let mut after = Uuid::nil();
    let mut courses = Runtimes::default();
    loop {
        // Enrolments without marks that have a record to mark (the others have nothing
        // to count yet, and the funnel reads no marks as nothing).
        let has_records = Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(lp::Entity)
                .and_where(
                    Expr::col((lp::Entity, lp::Column::EnrolmentId))
                        .equals((en::Entity, en::Column::Id)),
                )
                .to_owned(),
        )
        .or(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(at::Entity)
                .and_where(
                    Expr::col((at::Entity, at::Column::EnrolmentId))
                        .equals((en::Entity, en::Column::Id)),
                )
                .and_where(Expr::col((at::Entity, at::Column::Status)).eq("submitted"))
                .to_owned(),
        ));
        let rows: Vec<(Uuid, Uuid)> = en::Entity::find()
            .select_only()
            .column(en::Column::Id)
            .column(en::Column::CourseVersionId)
            .filter(en::Column::ModuleMarks.is_null())
            .filter(en::Column::Id.gt(after))
            .filter(has_records)
            .order_by_asc(en::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(&db.conn)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
        let txn = db.begin_write().await?;
        let mut records = records_of(&txn, &ids).await?;
        for (id, version) in rows {
            let rt = courses.get(&txn, version).await?;
            let (_, text) = records.remove(&id).unwrap_or_default().marked(&rt);
            done.enrolments += en::Entity::update_many()
                .col_expr(en::Column::ModuleMarks, Expr::value(text))
                .filter(en::Column::Id.eq(id))
                .filter(en::Column::ModuleMarks.is_null())
                .exec(&txn)
                .await?
                .rows_affected;
        }
        txn.commit().await?;
    }
    if done != Backfilled::default() {
        tracing::info!(
            attempts = done.attempts,
            enrolments = done.enrolments,
            "filled in the funnel's marks of earlier records"
        );
    }
    Ok(done)
}
