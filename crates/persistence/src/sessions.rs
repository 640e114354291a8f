//! Refresh tokens: opaque, stored only as a SHA-256 hash, single use and rotated. Each login
//! starts a family; presenting a token that was already used revokes the whole family, since
//! either the client or a thief holds a copy.

use base64::Engine;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Db;
use crate::entities::refresh_tokens as rt;
use crate::error::StoreError;

/// Why a refresh token was refused. The API answers all of them the same way.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshRefused {
    Unknown,
    Expired,
    Revoked,
    /// Already used: the family has now been revoked.
    Reused,
}

/// A fresh random token (256 bits, URL-safe base64).
pub fn random_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues a refresh token in `family` (a new family when None) and returns the token.
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    family: Option<Uuid>,
    ttl: Duration,
) -> Result<String, StoreError> {
    let token = random_token()?;
    let now = Utc::now();
    rt::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family.unwrap_or_else(Uuid::now_v7)),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

async fn revoke_family<C: ConnectionTrait>(conn: &C, family_id: Uuid) -> Result<(), StoreError> {
    rt::Entity::update_many()
        .col_expr(rt::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(rt::Column::FamilyId.eq(family_id))
        .filter(rt::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Uses `token` once: marks it used and returns its user and a new token of the same family.
pub async fn rotate(
    db: &Db,
    token: &str,
    ttl: Duration,
) -> Result<Result<(Uuid, String), RefreshRefused>, StoreError> {
    let txn = db.begin_write().await?;
    let Some(row) = rt::Entity::find()
        .filter(rt::Column::TokenHash.eq(token_hash(token)))
        .one(&txn)
        .await?
    else {
        return Ok(Err(RefreshRefused::Unknown));
    };
    let now = Utc::now();
    if row.revoked_at.is_some() {
        return Ok(Err(RefreshRefused::Revoked));
    }
    // Marking it used is conditional, so of two concurrent uses exactly one wins.
    let claimed = rt::Entity::update_many()
        .col_expr(rt::Column::UsedAt, Expr::value(now))
        .filter(rt::Column::Id.eq(row.id))
        .filter(rt::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        revoke_family(&txn, row.family_id).await?;
        txn.commit().await?;
        return Ok(Err(RefreshRefused::Reused));
    }
    if row.expires_at <= now {
        txn.commit().await?;
        return Ok(Err(RefreshRefused::Expired));
    }
    let new_token = issue(&txn, row.user_id, Some(row.family_id), ttl).await?;
    txn.commit().await?;
    Ok(Ok((row.user_id, new_token)))
}

/// Ends every session of a user (a new password, a disabled account).
pub async fn revoke_all<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<u64, StoreError> {
    Ok(rt::Entity::update_many()
        .col_expr(rt::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(rt::Column::UserId.eq(user_id))
        .filter(rt::Column::RevokedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Ends the session that `token` belongs to. Unknown tokens are ignored: logging out twice
/// is not an error.
pub async fn revoke(db: &Db, token: &str) -> Result<(), StoreError> {
    let txn = db.begin_write().await?;
    if let Some(row) = rt::Entity::find()
        .filter(rt::Column::TokenHash.eq(token_hash(token)))
        .one(&txn)
        .await?
    {
        revoke_family(&txn, row.family_id).await?;
    }
    txn.commit().await?;
    Ok(())
}
