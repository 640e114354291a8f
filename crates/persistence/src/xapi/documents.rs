//! The state, activity profile and agent profile documents: opaque content with its type,
//! an ETag and the time it last changed, under a key made of the reader's scope, the kind,
//! the activity, the agent, the registration and the document's id.

use sea_orm::{ConnectionTrait, Value};

use super::{all, exec, one};
use crate::error::StoreError;

/// Which of the three document resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    State,
    ActivityProfile,
    AgentProfile,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::State => "state",
            Kind::ActivityProfile => "activity_profile",
            Kind::AgentProfile => "agent_profile",
        }
    }
}

/// Where a document lives. Blank strings stand for a part that does not apply (no
/// registration, no agent for an activity profile).
#[derive(Clone, Debug)]
pub struct Key {
    pub scope: String,
    pub kind: Kind,
    pub activity_id: String,
    pub agent_key: String,
    pub registration: String,
    pub doc_id: String,
}

#[derive(Clone, Debug)]
pub struct Document {
    pub content_type: String,
    pub content: Vec<u8>,
    /// Quoted, as the `ETag` header carries it.
    pub etag: String,
    pub updated_us: i64,
}

fn key_values(k: &Key) -> Vec<Value> {
    vec![
        k.scope.clone().into(),
        k.kind.as_str().into(),
        k.activity_id.clone().into(),
        k.agent_key.clone().into(),
        k.registration.clone().into(),
    ]
}

const KEY: &str =
    "scope = ? AND kind = ? AND activity_id = ? AND agent_key = ? AND registration = ?";

pub async fn get<C: ConnectionTrait>(c: &C, k: &Key) -> Result<Option<Document>, StoreError> {
    let mut values = key_values(k);
    values.push(k.doc_id.clone().into());
    let row = one(
        c,
        &format!(
            "SELECT content_type, content, etag, updated_us FROM xapi_documents \
             WHERE {KEY} AND doc_id = ?"
        ),
        values,
    )
    .await?;
    Ok(match row {
        Some(r) => Some(Document {
            content_type: r.try_get("", "content_type")?,
            content: r.try_get("", "content")?,
            etag: r.try_get("", "etag")?,
            updated_us: r.try_get("", "updated_us")?,
        }),
        None => None,
    })
}

/// The ids of the documents under `k` (its `doc_id` ignored) changed after `since_us`,
/// with the latest change among them.
pub async fn ids<C: ConnectionTrait>(
    c: &C,
    k: &Key,
    since_us: Option<i64>,
) -> Result<(Vec<String>, Option<i64>), StoreError> {
    let mut values = key_values(k);
    let mut text = format!("SELECT doc_id, updated_us FROM xapi_documents WHERE {KEY}");
    if let Some(since) = since_us {
        text.push_str(" AND updated_us > ?");
        values.push(since.into());
    }
    text.push_str(" ORDER BY doc_id");
    let rows = all(c, &text, values).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut latest = None;
    for r in rows {
        out.push(r.try_get("", "doc_id")?);
        let t: i64 = r.try_get("", "updated_us")?;
        latest = latest.max(Some(t));
    }
    Ok((out, latest))
}

/// Creates or replaces the document at `k`. An update first, then an insert: upserts
/// naming their conflict target are refused by SQLite connections whose schema cache
/// predates the unique index, which a pool opened before migrating can have.
pub async fn put<C: ConnectionTrait>(c: &C, k: &Key, doc: &Document) -> Result<(), StoreError> {
    let mut values = vec![
        Value::from(doc.content_type.clone()),
        Value::from(doc.content.clone()),
        Value::from(doc.etag.clone()),
        Value::from(doc.updated_us),
    ];
    values.extend(key_values(k));
    values.push(k.doc_id.clone().into());
    let update = format!(
        "UPDATE xapi_documents SET content_type = ?, content = ?, etag = ?, updated_us = ? \
         WHERE {KEY} AND doc_id = ?"
    );
    if exec(c, &update, values.clone()).await? > 0 {
        return Ok(());
    }
    let mut insert = key_values(k);
    insert.push(k.doc_id.clone().into());
    insert.extend(values.into_iter().take(4));
    let inserted = exec(
        c,
        "INSERT INTO xapi_documents (scope, kind, activity_id, agent_key, registration, doc_id, \
         content_type, content, etag, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT DO NOTHING",
        insert,
    )
    .await?;
    if inserted == 0 {
        return Err(StoreError::Conflict(crate::error::Conflict::DocumentRaced));
    }
    Ok(())
}

/// Deletes the document at `k`, or with `all_ids` every document under `k` (the state
/// resource's delete without a `stateId`).
pub async fn delete<C: ConnectionTrait>(c: &C, k: &Key, all_ids: bool) -> Result<u64, StoreError> {
    let mut values = key_values(k);
    let mut text = format!("DELETE FROM xapi_documents WHERE {KEY}");
    if !all_ids {
        text.push_str(" AND doc_id = ?");
        values.push(k.doc_id.clone().into());
    }
    exec(c, &text, values).await
}
