//! Writing the demo rows: multi-row INSERTs of at most `MAX_PARAMS` bound values, a batch
//! of learners per transaction.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Iterable, ModelTrait};

use super::DemoReport;
use crate::Db;
use crate::entities::{attempts, certificates, enrolments, lesson_progress, users};

/// Bound values per INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;

/// Inserts the rows in as few statements as the parameter limit allows.
pub(super) async fn insert_chunks<M, C>(conn: &C, mut rows: Vec<M>) -> Result<(), DbErr>
where
    M: ModelTrait + IntoActiveModel<<M::Entity as EntityTrait>::ActiveModel> + Send,
    C: ConnectionTrait,
{
    let columns = <M::Entity as EntityTrait>::Column::iter().count();
    let per = (MAX_PARAMS / columns.max(1)).max(1);
    while !rows.is_empty() {
        let rest = rows.split_off(per.min(rows.len()));
        let chunk = std::mem::replace(&mut rows, rest);
        <M::Entity as EntityTrait>::insert_many(
            chunk.into_iter().map(IntoActiveModel::into_active_model),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// The learners generated since the last flush, with everything they did.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) users: Vec<users::Model>,
    pub(super) enrolments: Vec<enrolments::Model>,
    pub(super) progress: Vec<lesson_progress::Model>,
    pub(super) attempts: Vec<attempts::Model>,
    pub(super) certificates: Vec<certificates::Model>,
    pub(super) learners: usize,
}

impl Batch {
    /// Writes the batch in one transaction, counts it in the report and empties it.
    pub(super) async fn flush(&mut self, db: &Db, report: &mut DemoReport) -> Result<(), DbErr> {
        let b = std::mem::take(self);
        report.learners += b.learners;
        report.enrolments += b.enrolments.len();
        report.progress += b.progress.len();
        report.attempts += b.attempts.len();
        report.certificates += b.certificates.len();
        let txn = db.begin_write().await?;
        let mut certificates = b.certificates;
        let first = crate::counters::take(
            &txn,
            crate::counters::CERTIFICATE_STATUS_INDEX,
            certificates.len() as i64,
        )
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
        for (c, i) in certificates.iter_mut().zip(first..) {
            c.status_index = i;
        }
        insert_chunks(&txn, b.users).await?;
        insert_chunks(&txn, b.enrolments).await?;
        insert_chunks(&txn, b.progress).await?;
        insert_chunks(&txn, b.attempts).await?;
        insert_chunks(&txn, certificates).await?;
        txn.commit().await?;
        Ok(())
    }
}
