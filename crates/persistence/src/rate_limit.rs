//! One rate limiter for the flows that send mail or take tokens (registration, password
//! reset, resending an invitation, using a token), kept in the database like the login
//! throttle so that it holds across instances. Requests are counted per key in fixed
//! windows: the first request of a key starts its window, and past the limit the key is
//! refused until the window ends.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::Db;
use crate::entities::rate_limits as rl;
use crate::error::StoreError;

/// How many requests a key may make per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_hour(max: i32) -> Limit {
        Limit {
            max,
            window: Duration::hours(1),
        }
    }

    pub const fn per_minutes(max: i32, minutes: i64) -> Limit {
        Limit {
            max,
            window: Duration::minutes(minutes),
        }
    }
}

/// A key for something personal (an email address): hashed, so the table holds none.
pub fn personal_key(flow: &str, value: &str) -> String {
    let digest = Sha256::digest(value.trim().to_lowercase().as_bytes());
    format!("{flow}:{}", hex::encode(digest))
}

/// A key for a client address or an id.
pub fn key(flow: &str, value: &str) -> String {
    format!("{flow}:{value}")
}

/// Counts one request against `key`: `None` when it is within the limit, otherwise how
/// long until the key may try again. Concurrent requests are counted exactly (one upsert).
pub async fn hit(
    db: &Db,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Option<Duration>, StoreError> {
    let cutoff = now - limit.window;
    let txn = db.begin_write().await?;
    // On conflict an existing row starts a new window once its window has passed.
    let expired = Expr::col((rl::Entity, rl::Column::WindowStartedAt)).lte(cutoff);
    let upsert = Query::insert()
        .into_table(rl::Entity)
        .columns([
            rl::Column::Key,
            rl::Column::Hits,
            rl::Column::WindowStartedAt,
        ])
        .values([key.into(), 1i32.into(), now.into()])
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .on_conflict(
            OnConflict::column(rl::Column::Key)
                .value(
                    rl::Column::Hits,
                    Expr::case(expired.clone(), 1i32)
                        .finally(Expr::col((rl::Entity, rl::Column::Hits)).add(1i32)),
                )
                .value(
                    rl::Column::WindowStartedAt,
                    Expr::case(expired, now)
                        .finally(Expr::col((rl::Entity, rl::Column::WindowStartedAt))),
                )
                .to_owned(),
        )
        .to_owned();
    sea_orm::ConnectionTrait::execute(&txn, &upsert).await?;
    let row = rl::Entity::find_by_id(key.to_owned()).one(&txn).await?;
    txn.commit().await?;
    Ok(row.and_then(|r| {
        (r.hits > limit.max)
            .then(|| (r.window_started_at + limit.window - now).max(Duration::seconds(1)))
    }))
}

/// Forgets the windows that ended before `before` (housekeeping).
pub async fn sweep(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let txn = db.begin_write().await?;
    let n = rl::Entity::delete_many()
        .filter(rl::Column::WindowStartedAt.lt(before))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_key_is_refused_past_its_limit_until_its_window_ends() {
        let t = crate::test_support::TestDb::new().await;
        let limit = Limit::per_minutes(3, 10);
        let now = Utc::now();
        for _ in 0..3 {
            assert_eq!(hit(&t.db, "reset:x", limit, now).await.unwrap(), None);
        }
        let wait = hit(&t.db, "reset:x", limit, now).await.unwrap().unwrap();
        assert!(wait > Duration::minutes(9) && wait <= Duration::minutes(10));
        // Another key has its own count.
        assert_eq!(hit(&t.db, "reset:y", limit, now).await.unwrap(), None);
        // Once the window has passed, the key starts again.
        let later = now + Duration::minutes(10) + Duration::seconds(1);
        assert_eq!(hit(&t.db, "reset:x", limit, later).await.unwrap(), None);
        assert_eq!(sweep(&t.db, later).await.unwrap(), 1);
    }

    #[test]
    fn personal_keys_hold_no_address() {
        let k = personal_key("reset", " Ana@Example.RO ");
        assert!(!k.contains("ana"));
        assert_eq!(k, personal_key("reset", "ana@example.ro"));
    }
}
