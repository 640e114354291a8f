//! Login throttling, kept in the database so that it holds across several instances.
//! Failures are counted per key (an account or an address) in a sliding 15-minute window;
//! past the key's limit the key is locked for an exponentially growing time.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::Db;
use crate::entities::login_throttle as lt;
use crate::error::StoreError;

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub window: Duration,
    pub per_account: i32,
    pub per_address: i32,
    pub base_lock: Duration,
    pub max_lock: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 30,
            base_lock: Duration::seconds(30),
            max_lock: Duration::minutes(15),
        }
    }
}

/// A throttle key for an account: the email is hashed so the table holds no address.
pub fn account_key(email: &str) -> String {
    format!(
        "acct:{}",
        hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
    )
}

pub fn address_key(addr: &str) -> String {
    format!("ip:{addr}")
}

/// If any key is locked, how long until it opens.
pub async fn locked_for<C: ConnectionTrait>(
    conn: &C,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<Option<Duration>, StoreError> {
    let rows = lt::Entity::find()
        .filter(lt::Column::Key.is_in(keys.iter().cloned()))
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.locked_until)
        .filter(|u| *u > now)
        .max()
        .map(|u| u - now))
}

/// Counts one failure against `key`; locks it when the count reaches `limit`.
pub async fn record_failure(
    db: &Db,
    policy: &Policy,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let cutoff = now - policy.window;
    let txn = db.begin_write().await?;
    // On conflict the existing row restarts its window if the window has passed.
    let expired = Expr::col((lt::Entity, lt::Column::WindowStartedAt)).lt(cutoff);
    let upsert = Query::insert()
        .into_table(lt::Entity)
        .columns([
            lt::Column::Key,
            lt::Column::Failures,
            lt::Column::WindowStartedAt,
        ])
        .values([key.into(), 1i32.into(), now.into()])
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .on_conflict(
            OnConflict::column(lt::Column::Key)
                .value(
                    lt::Column::Failures,
                    Expr::case(expired.clone(), 1i32)
                        .finally(Expr::col((lt::Entity, lt::Column::Failures)).add(1i32)),
                )
                .value(
                    lt::Column::WindowStartedAt,
                    Expr::case(expired, now)
                        .finally(Expr::col((lt::Entity, lt::Column::WindowStartedAt))),
                )
                .to_owned(),
        )
        .to_owned();
    sea_orm::ConnectionTrait::execute(&txn, &upsert).await?;
    if let Some(row) = lt::Entity::find_by_id(key.to_owned()).one(&txn).await?
        && row.failures >= limit
    {
        let excess = (row.failures - limit).clamp(0, 20) as u32;
        let lock = std::cmp::min(
            policy.base_lock * 2i32.pow(std::cmp::min(excess, 16)),
            policy.max_lock,
        );
        lt::Entity::update_many()
            .col_expr(lt::Column::LockedUntil, Expr::value(now + lock))
            .filter(lt::Column::Key.eq(key))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful login to that account).
pub async fn clear(db: &Db, key: &str) -> Result<(), StoreError> {
    let txn = db.begin_write().await?;
    lt::Entity::delete_by_id(key.to_owned()).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}
