//! What erasing a person does to the learning record store: every statement about them
//! (as actor, as object, as a member or in the context) is deleted with its index rows,
//! so are the documents kept under their agent, the attachments no other statement uses,
//! and their launch credentials; and each
//! external store that was queued any of those statements is queued a notice voiding them,
//! recorded in `xapi_erasure_notices`. Which forward was queued which statement follows
//! from the forward's rules and lifetime (it takes a statement stored while it was live,
//! of a scope it sees and, if it names verbs, of one of them), so nothing more is kept per
//! delivery; voiding a statement a store never received is harmless there. A forward
//! stopped before the erasure is not sent anything more, this notice included.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::forwards::{Batch, TOPIC};
use super::person::AboutPerson;
use super::{all, exec, marks};
use crate::error::StoreError;

/// What the store removed and whom it told.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    pub statements: u64,
    pub documents: u64,
    pub attachments: u64,
    pub credentials: u64,
    /// One per external store told: (forward, statements voided).
    pub notices: Vec<(Uuid, u64)>,
}

/// Removes what the store holds about the person known by `agent_keys` (see
/// [`super::person::person_keys`]) or recorded as `learner_id` (the statements
/// [`super::person::about_person`] lists), inside the caller's transaction.
pub(crate) async fn erase<C: ConnectionTrait>(
    c: &C,
    learner_id: Uuid,
    agent_keys: &[String],
    now: DateTime<Utc>,
) -> Result<Erased, StoreError> {
    if agent_keys.is_empty() {
        return Err(StoreError::Internal("an erasure without agent keys".into()));
    }
    let erased = super::person::about_person(c, learner_id, agent_keys).await?;
    let mut hashes = std::collections::BTreeSet::new();
    for s in &erased {
        let body: serde_json::Value = serde_json::from_str(&s.body)?;
        for a in body["attachments"].as_array().into_iter().flatten() {
            if let Some(h) = a["sha2"].as_str() {
                hashes.insert(h.to_owned());
            }
        }
    }
    let seqs: Vec<i64> = erased.iter().map(|s| s.seq).collect();
    let notices = notify(c, learner_id, &erased, now).await?;
    let mut statements = 0;
    for part in seqs.chunks(500) {
        let v: Vec<Value> = part.iter().map(|s| Value::from(*s)).collect();
        exec(
            c,
            &format!(
                "DELETE FROM xapi_statement_refs WHERE seq IN ({})",
                marks(v.len())
            ),
            v.clone(),
        )
        .await?;
        statements += exec(
            c,
            &format!(
                "DELETE FROM xapi_statements WHERE seq IN ({})",
                marks(v.len())
            ),
            v,
        )
        .await?;
    }
    let documents = exec(
        c,
        &format!(
            "DELETE FROM xapi_documents WHERE agent_key IN ({})",
            marks(agent_keys.len())
        ),
        agent_keys.iter().map(|k| Value::from(k.clone())).collect(),
    )
    .await?;
    // An attachment is stored once per hash: it goes when no statement left names it.
    let mut attachments = 0;
    for h in hashes {
        let used = all(
            c,
            "SELECT 1 AS used FROM xapi_statements WHERE body LIKE ? LIMIT 1",
            vec![Value::from(format!("%\"sha2\":\"{h}\"%"))],
        )
        .await?;
        if used.is_empty() {
            attachments += exec(
                c,
                "DELETE FROM xapi_attachments WHERE sha2 = ?",
                vec![Value::from(h)],
            )
            .await?;
        }
    }
    let credentials = exec(
        c,
        "DELETE FROM xapi_credentials WHERE learner_id = ?",
        vec![Value::from(learner_id)],
    )
    .await?;
    Ok(Erased {
        statements,
        documents,
        attachments,
        credentials,
        notices,
    })
}

/// The most voiding statements one notice message carries.
const NOTICE_BATCH: usize = 100;

/// Queues, for each live forward that was queued some of `erased`, a message voiding
/// them there, and records the notice.
async fn notify<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    erased: &[AboutPerson],
    now: DateTime<Utc>,
) -> Result<Vec<(Uuid, u64)>, StoreError> {
    if erased.is_empty() {
        return Ok(Vec::new());
    }
    let mut sent: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for f in super::forwards::live(c).await? {
        let since = f.created_at.timestamp_micros();
        let ids: Vec<String> = erased
            .iter()
            .filter(|s| s.stored_us >= since && f.takes(&s.scope, &s.verb_id))
            .map(|s| s.id.clone())
            .collect();
        if !ids.is_empty() {
            sent.insert(f.id, ids);
        }
    }
    let mut notices = Vec::with_capacity(sent.len());
    for (forward, mut voids) in sent {
        voids.sort();
        voids.dedup();
        let count = voids.len() as u64;
        // In messages of a size any store takes in one request; a row for each.
        for part in voids.chunks(NOTICE_BATCH) {
            let payload = serde_json::to_string(&Batch {
                forward,
                statements: Vec::new(),
                voids: part.to_vec(),
            })?;
            let outbox_id = crate::outbox::enqueue_one(c, TOPIC, payload).await?;
            exec(
                c,
                "INSERT INTO xapi_erasure_notices (id, forward_id, user_id, statements, \
                 outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    Uuid::now_v7().into(),
                    forward.into(),
                    user_id.into(),
                    Value::from(part.len() as i64),
                    outbox_id.into(),
                    now.into(),
                ],
            )
            .await?;
        }
        notices.push((forward, count));
    }
    Ok(notices)
}
