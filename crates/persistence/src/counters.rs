//! Named counters that hand out consecutive numbers inside the caller's transaction. The
//! increment takes the counter row's write lock (PostgreSQL) or the database's write lock
//! (SQLite) until the transaction ends, so two transactions never get the same number, and
//! a transaction that rolls back leaves no gap taken.

use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::counters;
use crate::error::StoreError;

/// The certificates' positions in their credentials' revocation status list.
pub const CERTIFICATE_STATUS_INDEX: &str = "certificate_status_index";

/// Takes `n` consecutive numbers of counter `name` and returns the first. A counter starts
/// at 0.
pub async fn take<C: ConnectionTrait>(txn: &C, name: &str, n: i64) -> Result<i64, StoreError> {
    let updated = counters::Entity::update_many()
        .col_expr(
            counters::Column::Value,
            Expr::col(counters::Column::Value).add(n),
        )
        .filter(counters::Column::Name.eq(name))
        .exec(txn)
        .await?
        .rows_affected;
    if updated == 0 {
        counters::ActiveModel {
            name: Set(name.to_owned()),
            value: Set(n),
        }
        .insert(txn)
        .await?;
        return Ok(0);
    }
    let row = counters::Entity::find_by_id(name.to_owned())
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.value - n)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn numbers_are_consecutive_and_never_handed_out_twice() {
        let t = crate::test_support::TestDb::new().await;
        let txn = t.db.begin_write().await.unwrap();
        assert_eq!(take(&txn, "test", 1).await.unwrap(), 0);
        assert_eq!(take(&txn, "test", 3).await.unwrap(), 1);
        assert_eq!(take(&txn, "test", 1).await.unwrap(), 4);
        txn.rollback().await.unwrap();
        // A rolled back transaction took nothing.
        let txn = t.db.begin_write().await.unwrap();
        assert_eq!(take(&txn, "test", 2).await.unwrap(), 0);
        txn.commit().await.unwrap();
        let txn = t.db.begin_write().await.unwrap();
        assert_eq!(take(&txn, "test", 1).await.unwrap(), 2);
        txn.commit().await.unwrap();
    }
}
