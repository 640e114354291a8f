//! Stored answers for `Idempotency-Key`: a retry of the same request returns the first
//! answer instead of doing the work again. The answer is stored in the same transaction as
//! the work, so a retry sees both or neither. Keys expire after a day. What is stored is
//! the service's outcome, not an HTTP answer: the caller decides how to present it.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::entities::idempotency_keys as ik;
use crate::error::StoreError;

pub const TTL_HOURS: i64 = 24;

pub fn request_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The `status` column predates typed answers and is no longer read; it is written with
/// the value older builds expect, so a rollback within a key's lifetime still replays.
const LEGACY_STATUS: i32 = 200;

#[derive(Debug, PartialEq)]
pub enum Stored<T> {
    /// The outcome of the first request with this key.
    Replay(T),
    /// The key was used for a different request.
    Mismatch,
}

pub async fn lookup<C: ConnectionTrait, T: DeserializeOwned>(
    conn: &C,
    key: &str,
    hash: &str,
) -> Result<Option<Stored<T>>, StoreError> {
    let Some(row) = ik::Entity::find_by_id(key.to_owned()).one(conn).await? else {
        return Ok(None);
    };
    if row.created_at < Utc::now() - Duration::hours(TTL_HOURS) {
        ik::Entity::delete_by_id(key.to_owned()).exec(conn).await?;
        return Ok(None);
    }
    if row.request_hash != hash {
        return Ok(Some(Stored::Mismatch));
    }
    Ok(Some(Stored::Replay(serde_json::from_str(&row.body)?)))
}

pub async fn store<C: ConnectionTrait, T: Serialize>(
    conn: &C,
    key: &str,
    hash: &str,
    outcome: &T,
) -> Result<(), StoreError> {
    ik::ActiveModel {
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        status: Set(LEGACY_STATUS),
        body: Set(serde_json::to_string(outcome)?),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Deletes the answers whose keys expired by `now` (housekeeping: an expired key is
/// otherwise removed only when the same key comes back).
pub async fn sweep(db: &crate::Db, now: chrono::DateTime<Utc>) -> Result<u64, StoreError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let txn = db.begin_write().await?;
    let n = ik::Entity::delete_many()
        .filter(ik::Column::CreatedAt.lt(now - Duration::hours(TTL_HOURS)))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn expired_answers_are_swept_and_fresh_ones_stay() {
        let t = crate::test_support::TestDb::new().await;
        store(&t.db.conn, "old", "h", &1).await.unwrap();
        store(&t.db.conn, "new", "h", &2).await.unwrap();
        ik::ActiveModel {
            key: Set("old".into()),
            created_at: Set(Utc::now() - Duration::hours(TTL_HOURS + 1)),
            ..Default::default()
        }
        .update(&t.db.conn)
        .await
        .unwrap();
        assert_eq!(sweep(&t.db, Utc::now()).await.unwrap(), 1);
        let kept: Option<Stored<i32>> = lookup(&t.db.conn, "new", "h").await.unwrap();
        assert_eq!(kept, Some(Stored::Replay(2)));
    }
}
