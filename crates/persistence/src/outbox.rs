//! The outbox: messages written in the same transaction as the event that causes them, so
//! that an event and its message are stored together or not at all, and delivered later
//! by a worker. Delivery is at least once: a worker leases a batch (no other worker takes
//! a leased message until the lease ends: `FOR UPDATE SKIP LOCKED` on PostgreSQL, the
//! single writer on SQLite), delivers it, and marks it delivered; a worker that dies
//! mid-send leaves the lease to run out, and the message is delivered again. What a
//! delivered message said (links with tokens, addresses) is cleared at once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use help_lms_domain::accounts::User;
use help_lms_domain::values::{Language, Role};

use crate::Db;
use crate::entities::outbox as ob;
use crate::error::StoreError;

/// The topic of mail messages.
pub const MAIL: &str = "mail";

/// Who a message goes to.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub language: Language,
    pub role: Role,
}

impl<'a> From<&'a User> for Recipient<'a> {
    fn from(u: &'a User) -> Self {
        Recipient {
            email: u.email.as_str(),
            name: &u.name,
            language: u.language,
            role: u.role,
        }
    }
}

/// What a message is about, with the token its link carries.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// An invited account: the token activates it.
    Invitation {
        token: &'a str,
        institution: Option<&'a str>,
    },
    /// A self-registration: the token confirms the address.
    ConfirmAddress {
        token: &'a str,
    },
    /// Someone registered with the address of an active account: a password reset token.
    RegisteredAlready {
        reset_token: &'a str,
    },
    /// Someone registered with the address of an account never activated: an activation
    /// token with which the owner sets their own password.
    RegistrationPending {
        activation_token: &'a str,
    },
    PasswordReset {
        token: &'a str,
    },
    /// A notice, no token.
    PasswordChanged,
    /// An institution asks the owner of an existing account to join a cohort; the token
    /// identifies the invitation (accepting also needs the owner signed in).
    CohortInvitation {
        token: &'a str,
        institution: &'a str,
        cohort: &'a str,
    },
    /// An institution listed a staff or admin account's address as a cohort learner: a
    /// notice that nothing was done.
    CohortInvitationRefused {
        institution: &'a str,
        cohort: &'a str,
    },
}

/// Renders messages: the services decide what to send inside their transactions, and the
/// caller, who knows the wording and the links, writes it.
pub trait Compose: Send + Sync {
    fn compose(&self, to: Recipient<'_>, notice: Notice<'_>) -> OutgoingMail;
}

/// An email, rendered, as the worker sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub to_name: String,
    /// The language it is written in (ISO 639-1), for `Content-Language`.
    pub language: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

const CHUNK: usize = 300;

fn row(topic: &str, payload: String, now: DateTime<Utc>) -> ob::ActiveModel {
    ob::ActiveModel {
        id: Set(Uuid::now_v7()),
        topic: Set(topic.to_owned()),
        payload: Set(Some(payload)),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_owner: Set(None),
        lease_until: Set(None),
        delivered_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
    }
}

/// Writes mail messages to the outbox, inside the caller's transaction.
pub async fn enqueue_mail<C: ConnectionTrait>(
    conn: &C,
    mails: &[OutgoingMail],
) -> Result<(), StoreError> {
    let now = Utc::now();
    for chunk in mails.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|m| Ok(row(MAIL, serde_json::to_string(m)?, now)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        ob::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// Writes messages of `topic` to the outbox, inside the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    topic: &str,
    payloads: Vec<String>,
) -> Result<(), StoreError> {
    let now = Utc::now();
    for chunk in payloads.chunks(CHUNK) {
        let rows = chunk.iter().map(|p| row(topic, p.clone(), now));
        ob::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// Writes one message of `topic` to the outbox, inside the caller's transaction, and says
/// its id.
pub async fn enqueue_one<C: ConnectionTrait>(
    conn: &C,
    topic: &str,
    payload: String,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let mut r = row(topic, payload, Utc::now());
    r.id = Set(id);
    ob::Entity::insert(r).exec(conn).await?;
    Ok(id)
}

/// A leased message.
#[derive(Debug, Clone)]
pub struct Leased {
    pub id: Uuid,
    /// Including this one.
    pub attempt: i32,
    pub payload: String,
    pub created_at: DateTime<Utc>,
}

/// Leases up to `n` due messages of `topic` to `owner` for `lease`, oldest first.
pub async fn lease(
    db: &Db,
    topic: &str,
    owner: &str,
    lease: Duration,
    n: u64,
) -> Result<Vec<Leased>, StoreError> {
    let now = Utc::now();
    let due = Query::select()
        .column(ob::Column::Id)
        .from(ob::Entity)
        .and_where(ob::Column::Topic.eq(topic))
        .and_where(ob::Column::DeliveredAt.is_null())
        .and_where(ob::Column::FailedAt.is_null())
        .and_where(ob::Column::NextAttemptAt.lte(now))
        .and_where(
            ob::Column::LeaseUntil
                .is_null()
                .or(ob::Column::LeaseUntil.lt(now)),
        )
        .order_by(ob::Column::NextAttemptAt, sea_orm::Order::Asc)
        .limit(n)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let txn = db.begin_write().await?;
    let rows = ob::Entity::update_many()
        .col_expr(ob::Column::LeaseOwner, Expr::value(owner))
        .col_expr(ob::Column::LeaseUntil, Expr::value(now + lease))
        .col_expr(ob::Column::Attempts, Expr::col(ob::Column::Attempts).add(1))
        .filter(ob::Column::Id.in_subquery(due))
        .exec_with_returning(&txn)
        .await?;
    txn.commit().await?;
    let mut leased: Vec<Leased> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Leased {
                id: r.id,
                attempt: r.attempts,
                payload: r.payload?,
                created_at: r.created_at,
            })
        })
        .collect();
    leased.sort_by_key(|l| l.id);
    Ok(leased)
}

/// Ends a lease `owner` still holds: delivered, due again at `retry_at`, or given up
/// (`retry_at` None); delivered and given-up messages lose their payload. False when the lease was lost meanwhile.
pub async fn settle(
    db: &Db,
    id: Uuid,
    owner: &str,
    outcome: Result<(), (&str, Option<DateTime<Utc>>)>,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let mut q = ob::Entity::update_many()
        .col_expr(ob::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(
            ob::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    q = match outcome {
        Ok(()) => q
            .col_expr(ob::Column::DeliveredAt, Expr::value(now))
            .col_expr(ob::Column::Payload, Expr::value(Option::<String>::None))
            .col_expr(ob::Column::LastError, Expr::value(Option::<String>::None)),
        Err((error, Some(at))) => q
            .col_expr(ob::Column::NextAttemptAt, Expr::value(at))
            .col_expr(ob::Column::LastError, Expr::value(truncate(error))),
        Err((error, None)) => q
            .col_expr(ob::Column::FailedAt, Expr::value(now))
            .col_expr(ob::Column::Payload, Expr::value(Option::<String>::None))
            .col_expr(ob::Column::LastError, Expr::value(truncate(error))),
    };
    let txn = db.begin_write().await?;
    let n = q
        .filter(ob::Column::Id.eq(id))
        .filter(ob::Column::LeaseOwner.eq(owner))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(n == 1)
}

fn truncate(error: &str) -> String {
    error.chars().take(500).collect()
}

/// Messages of `topic` not yet delivered nor given up.
pub async fn pending<C: ConnectionTrait>(conn: &C, topic: &str) -> Result<u64, StoreError> {
    Ok(ob::Entity::find()
        .filter(ob::Column::Topic.eq(topic))
        .filter(ob::Column::DeliveredAt.is_null())
        .filter(ob::Column::FailedAt.is_null())
        .count(conn)
        .await?)
}

/// Deletes the messages delivered or given up before `before` (housekeeping).
pub async fn sweep(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let txn = db.begin_write().await?;
    let n = ob::Entity::delete_many()
        .filter(
            ob::Column::DeliveredAt
                .lt(before)
                .or(ob::Column::FailedAt.lt(before)),
        )
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests;
