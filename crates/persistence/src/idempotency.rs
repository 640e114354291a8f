//! Stored answers for `Idempotency-Key`: a retry of the same request returns the first
//! answer instead of doing the work again. The answer is stored in the same transaction as
//! the work, so a retry sees both or neither. Keys expire after a day.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
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

#[derive(Debug, PartialEq)]
pub enum Stored {
    /// The first answer: status and JSON body.
    Replay(u16, String),
    /// The key was used for a different request.
    Mismatch,
}

pub async fn lookup<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    hash: &str,
) -> Result<Option<Stored>, StoreError> {
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
    Ok(Some(Stored::Replay(
        row.status.clamp(100, 599) as u16,
        row.body,
    )))
}

pub async fn store<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    hash: &str,
    status: u16,
    body: &str,
) -> Result<(), StoreError> {
    ik::ActiveModel {
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        status: Set(i32::from(status)),
        body: Set(body.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}
