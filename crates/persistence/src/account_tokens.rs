//! Account tokens: single-use, random 256-bit tokens stored only as SHA-256 hashes, each for
//! one purpose (activating an invited account, confirming a registration's address,
//! resetting a password). A token is claimed with a conditional update, so it works exactly
//! once; issuing a new one of a purpose revokes the user's older open ones.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use crate::entities::activation_tokens as at;
use crate::error::StoreError;
use crate::sessions::{random_token, token_hash};

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Set the first password of an invited account (or of a registration, from the mail
    /// sent when someone registers again with the address).
    Activation,
    /// Confirm the address of a self-registration.
    ConfirmAddress,
    /// Set a new password.
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Activation => "activation",
            Purpose::ConfirmAddress => "confirm_address",
            Purpose::PasswordReset => "password_reset",
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No such token (or one of another purpose).
    Unknown,
    Expired,
    /// Already used, or replaced by a newer one.
    Spent,
}

/// A new token row for `user_id` and the token itself.
pub fn new_row(
    user_id: Uuid,
    purpose: Purpose,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<(at::ActiveModel, String), StoreError> {
    let token = random_token()?;
    Ok((
        at::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            token_hash: Set(token_hash(&token)),
            expires_at: Set(now + ttl),
            used_at: Set(None),
            created_at: Set(now),
            purpose: Set(purpose.as_str().to_owned()),
            revoked_at: Set(None),
        },
        token,
    ))
}

/// Revokes the user's open tokens of `purpose`.
pub async fn revoke_open<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    purpose: Purpose,
) -> Result<u64, StoreError> {
    Ok(at::Entity::update_many()
        .col_expr(at::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(at::Column::UserId.eq(user_id))
        .filter(at::Column::Purpose.eq(purpose.as_str()))
        .filter(at::Column::UsedAt.is_null())
        .filter(at::Column::RevokedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Issues a token of `purpose` for `user_id`, revoking the older open ones.
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    purpose: Purpose,
    ttl: Duration,
) -> Result<String, StoreError> {
    revoke_open(conn, user_id, purpose).await?;
    let (row, token) = new_row(user_id, purpose, ttl, Utc::now())?;
    row.insert(conn).await?;
    Ok(token)
}

/// Spends `token` for `purpose` inside `txn` and returns its user.
pub async fn claim(
    txn: &DatabaseTransaction,
    token: &str,
    purpose: Purpose,
) -> Result<Result<Uuid, Refused>, StoreError> {
    let now = Utc::now();
    let Some(row) = at::Entity::find()
        .filter(at::Column::TokenHash.eq(token_hash(token)))
        .filter(at::Column::Purpose.eq(purpose.as_str()))
        .one(txn)
        .await?
    else {
        return Ok(Err(Refused::Unknown));
    };
    if row.used_at.is_some() || row.revoked_at.is_some() {
        return Ok(Err(Refused::Spent));
    }
    if row.expires_at <= now {
        return Ok(Err(Refused::Expired));
    }
    let claimed = at::Entity::update_many()
        .col_expr(at::Column::UsedAt, Expr::value(now))
        .filter(at::Column::Id.eq(row.id))
        .filter(at::Column::UsedAt.is_null())
        .filter(at::Column::RevokedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    Ok(if claimed {
        Ok(row.user_id)
    } else {
        Err(Refused::Spent)
    })
}

/// Deletes tokens that expired before `before` (housekeeping).
pub async fn sweep<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(at::Entity::delete_many()
        .filter(at::Column::ExpiresAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
