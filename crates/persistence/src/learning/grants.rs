//! Extra attempts for one learner on one quiz: giving them (recorded with who, when and
//! why; safe to retry with an idempotency key), listing them, and the sums the attempt
//! limit and the standing count.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use help_lms_domain::tutoring::AttemptGrantDraft;
use help_lms_domain::{ValidationErrors, quiz};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{enrolment_row, ensure_active};
use crate::Db;
use crate::catalogue::runtime::runtime;
use crate::entities::{attempt_grants as ag, users};
use crate::error::{StoreError, is_unique_violation};
use crate::idempotency::{self, Stored};

/// One grant of extra attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub extra: u32,
    pub reason: String,
    /// The user who gave it.
    pub granted_by: Uuid,
    /// Their name as it is now; `None` if the account is gone.
    pub granted_by_name: Option<String>,
    pub granted_at: DateTime<Utc>,
}

/// What a grant request came to.
#[derive(Debug, PartialEq)]
pub enum GrantAnswer {
    Fresh(Grant),
    /// The first answer to this idempotency key: nothing was granted again.
    Replay(Grant),
    /// The key was used for another request.
    KeyMismatch,
}

fn to_grant(m: ag::Model, name: Option<String>) -> Grant {
    Grant {
        id: m.id,
        enrolment_id: m.enrolment_id,
        quiz_id: m.quiz_id,
        extra: u32::try_from(m.extra).unwrap_or(0),
        reason: m.reason,
        granted_by: m.granted_by,
        granted_by_name: name,
        granted_at: m.granted_at,
    }
}

/// Gives `draft.extra` more attempts at a quiz of the enrolment's course version, by
/// `granted_by`. Refused when the enrolment is withdrawn or completed (409), and, naming
/// `quiz_id`, for a quiz not in the course version or one with unlimited attempts. With
/// `idempotency` (key, request hash) a retry answers the first grant and grants nothing.
pub async fn grant_attempts(
    db: &Db,
    enrolment_id: Uuid,
    draft: AttemptGrantDraft,
    granted_by: Uuid,
    idempotency: Option<(String, String)>,
) -> Result<GrantAnswer, StoreError> {
    let txn = db.begin_write().await?;
    if let Some((key, hash)) = &idempotency {
        match idempotency::lookup::<_, Grant>(&txn, key, hash).await? {
            Some(Stored::Replay(g)) => return Ok(GrantAnswer::Replay(g)),
            Some(Stored::Mismatch) => return Ok(GrantAnswer::KeyMismatch),
            None => {}
        }
    }
    let e = enrolment_row(&txn, enrolment_id).await?;
    ensure_active(&e)?;
    let rt = runtime(&txn, e.course_version_id).await?;
    let q = rt.quiz(draft.quiz_id).ok_or_else(|| {
        ValidationErrors::single(
            "quiz_id",
            "unknown_quiz",
            "not a quiz of the course version this enrolment follows",
        )
    })?;
    if quiz::attempts_allowed(q.def.settings.max_attempts, 0).is_none() {
        return Err(ValidationErrors::single(
            "quiz_id",
            "unlimited_attempts",
            "this quiz allows unlimited attempts already",
        )
        .into());
    }
    let m = ag::ActiveModel {
        id: Set(Uuid::now_v7()),
        enrolment_id: Set(enrolment_id),
        quiz_id: Set(draft.quiz_id),
        extra: Set(i32::try_from(draft.extra).unwrap_or(i32::MAX)),
        reason: Set(draft.reason.as_str().to_owned()),
        granted_by: Set(granted_by),
        granted_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let name = users::Entity::find_by_id(granted_by)
        .one(&txn)
        .await?
        .map(|u| u.name);
    let grant = to_grant(m, name);
    if let Some((key, hash)) = &idempotency
        && let Err(err) = idempotency::store(&txn, key, hash, &grant).await
    {
        return match err {
            // A concurrent request with the same key won: answer as it did.
            StoreError::Db(db_err) if is_unique_violation(&db_err) => {
                drop(txn);
                match idempotency::lookup::<_, Grant>(&db.conn, key, hash).await? {
                    Some(Stored::Replay(g)) => Ok(GrantAnswer::Replay(g)),
                    _ => Ok(GrantAnswer::KeyMismatch),
                }
            }
            other => Err(other),
        };
    }
    txn.commit().await?;
    tracing::info!(
        enrolment_id = %enrolment_id,
        quiz_id = %grant.quiz_id,
        extra = grant.extra,
        "extra attempts granted"
    );
    Ok(GrantAnswer::Fresh(grant))
}

/// The enrolment's grants, oldest first.
pub async fn grants_of<C: ConnectionTrait>(
    conn: &C,
    enrolment_id: Uuid,
) -> Result<Vec<Grant>, StoreError> {
    let rows = ag::Entity::find()
        .filter(ag::Column::EnrolmentId.eq(enrolment_id))
        .order_by_asc(ag::Column::GrantedAt)
        .order_by_asc(ag::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|g| g.granted_by).collect();
    let names: HashMap<Uuid, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|g| {
            let name = names.get(&g.granted_by).cloned();
            to_grant(g, name)
        })
        .collect())
}

/// Extra attempts per enrolment and quiz, for the enrolments given (400 per query).
pub(crate) async fn extra_by_quiz<C: ConnectionTrait>(
    conn: &C,
    enrolment_ids: &[Uuid],
) -> Result<HashMap<Uuid, BTreeMap<Uuid, u32>>, StoreError> {
    let mut out: HashMap<Uuid, BTreeMap<Uuid, u32>> = HashMap::new();
    for chunk in enrolment_ids.chunks(400) {
        for g in ag::Entity::find()
            .filter(ag::Column::EnrolmentId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            let n = out
                .entry(g.enrolment_id)
                .or_default()
                .entry(g.quiz_id)
                .or_default();
            *n = n.saturating_add(u32::try_from(g.extra).unwrap_or(0));
        }
    }
    Ok(out)
}
