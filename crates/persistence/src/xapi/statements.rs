//! Statements: stored in batches inside the caller's transaction (so that the platform's
//! own statements commit with the learning event they record), fetched one by one, and
//! queried by the filters of the xAPI statement resource with keyset paging.

use sea_orm::{ConnectionTrait, Value};
use serde_json::Value as Json;

use super::{Visibility, all, exec, marks, one};
use crate::error::{Conflict, StoreError};

/// The verb whose statements void the statement they refer to.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// What a statement mentions, for `related_agents` and `related_activities`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mention {
    Agent(String),
    Activity(String),
}

/// A statement ready to store, with the columns its queries filter on.
#[derive(Clone, Debug)]
pub struct NewStatement {
    /// Lower-case hyphenated UUID.
    pub id: String,
    /// The statement as stored (with `id`, `stored`, `timestamp`, `authority`, `version`).
    pub body: String,
    /// The statement as it was received, to tell a repeat from a conflict.
    pub received: Json,
    pub stored_us: i64,
    pub verb_id: String,
    pub actor_key: Option<String>,
    pub object_activity: Option<String>,
    pub object_agent_key: Option<String>,
    /// The statement a StatementRef object points to.
    pub object_ref: Option<String>,
    pub registration: Option<String>,
    pub scope: String,
    pub learner_id: Option<uuid::Uuid>,
    pub mentions: Vec<Mention>,
    /// Activity definitions it carries, as (activity id, definition JSON).
    pub definitions: Vec<(String, String)>,
}

/// An attachment's content, stored once per hash.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub sha2: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Whether two statements with the same id are the same statement: the properties the
/// LRS sets (`stored`, `authority`, `version`) do not count, nor a `timestamp` the
/// receiver did not send.
pub fn equivalent(stored: &Json, received: &Json) -> bool {
    let strip = |v: &Json, drop_timestamp: bool| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            for k in ["stored", "authority", "version", "id"] {
                o.remove(k);
            }
            if drop_timestamp {
                o.remove("timestamp");
            }
        }
        v
    };
    let no_timestamp = received.get("timestamp").is_none();
    strip(stored, no_timestamp) == strip(received, no_timestamp)
}

/// How many statements of a batch go into one INSERT: well under SQLite's 32,766
/// variables and PostgreSQL's 65,535.
pub(crate) const CHUNK: usize = 200;

/// Stores a batch. A statement whose id is already stored is skipped if it is the same
/// statement and refused with [`Conflict::StatementIdTaken`] if not; attachments are
/// stored once per hash; voiding statements void their targets (never a voiding
/// statement) among those `writer` may see.
pub async fn insert<C: ConnectionTrait>(
    c: &C,
    batch: Vec<NewStatement>,
    attachments: Vec<Attachment>,
    writer: &Visibility,
) -> Result<usize, StoreError> {
    let mut fresh = Vec::with_capacity(batch.len());
    for chunk in batch.chunks(CHUNK) {
        let ids: Vec<Value> = chunk.iter().map(|s| Value::from(s.id.clone())).collect();
        let existing = all(
            c,
            &format!(
                "SELECT id, body FROM xapi_statements WHERE id IN ({})",
                marks(ids.len())
            ),
            ids,
        )
        .await?;
        let mut known = std::collections::HashMap::new();
        for row in existing {
            let id: String = row.try_get("", "id")?;
            let body: String = row.try_get("", "body")?;
            known.insert(id, body);
        }
        for s in chunk {
            match known.get(&s.id) {
                Some(body) => {
                    let stored: Json = serde_json::from_str(body)?;
                    if !equivalent(&stored, &s.received) {
                        return Err(Conflict::StatementIdTaken.into());
                    }
                }
                None => fresh.push(s),
            }
        }
    }
    store(c, &fresh, attachments, writer).await
}

/// Stores statements whose ids the platform has just drawn (version 4 UUIDs), without
/// looking for stored ones first: none can be. The primary key would still refuse one.
pub(crate) async fn insert_new<C: ConnectionTrait>(
    c: &C,
    batch: &[NewStatement],
) -> Result<usize, StoreError> {
    let fresh: Vec<&NewStatement> = batch.iter().collect();
    store(c, &fresh, Vec::new(), &Visibility::All).await
}

/// Stores statements known to be new, with their attachments, activity definitions,
/// forwards and voiding.
async fn store<C: ConnectionTrait>(
    c: &C,
    fresh: &[&NewStatement],
    attachments: Vec<Attachment>,
    writer: &Visibility,
) -> Result<usize, StoreError> {
    for chunk in fresh.chunks(CHUNK) {
        let mut values = Vec::with_capacity(chunk.len() * 12);
        for s in chunk {
            values.extend([
                Value::from(s.id.clone()),
                Value::from(s.stored_us),
                Value::from(s.verb_id.clone()),
                Value::from(s.actor_key.clone()),
                Value::from(s.object_activity.clone()),
                Value::from(s.object_agent_key.clone()),
                Value::from(s.object_ref.clone()),
                Value::from(s.registration.clone()),
                Value::from(false),
                Value::from(s.scope.clone()),
                Value::from(s.learner_id),
                Value::from(s.body.clone()),
            ]);
        }
        let rows = vec![format!("({})", marks(12)); chunk.len()].join(", ");
        let seqs = all(
            c,
            &format!(
                "INSERT INTO xapi_statements (id, stored_us, verb_id, actor_key, \
                 object_activity, object_agent_key, object_ref, registration, voided, scope, \
                 learner_id, body) VALUES {rows} RETURNING seq, id"
            ),
            values,
        )
        .await?;
        let mut seq_of = std::collections::HashMap::new();
        for row in seqs {
            let seq: i64 = row.try_get("", "seq")?;
            let id: String = row.try_get("", "id")?;
            seq_of.insert(id, seq);
        }
        let mut refs = Vec::new();
        for s in chunk {
            let Some(seq) = seq_of.get(&s.id) else {
                return Err(StoreError::Internal(format!(
                    "statement {} not stored",
                    s.id
                )));
            };
            let mut mentions = s.mentions.clone();
            mentions.sort();
            mentions.dedup();
            for m in mentions {
                let (kind, value) = match m {
                    Mention::Agent(k) => ("a", k),
                    Mention::Activity(a) => ("c", a),
                };
                refs.push((*seq, kind, value));
            }
        }
        for part in refs.chunks(CHUNK * 3) {
            let mut values = Vec::with_capacity(part.len() * 3);
            for (seq, kind, value) in part {
                values.extend([
                    Value::from(*seq),
                    Value::from(*kind),
                    Value::from(value.clone()),
                ]);
            }
            let rows = vec!["(?, ?, ?)"; part.len()].join(", ");
            exec(
                c,
                &format!("INSERT INTO xapi_statement_refs (seq, kind, value) VALUES {rows}"),
                values,
            )
            .await?;
        }
    }
    for a in attachments {
        exec(
            c,
            "INSERT INTO xapi_attachments (sha2, content_type, content) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING",
            vec![a.sha2.into(), a.content_type.into(), a.content.into()],
        )
        .await?;
    }
    super::activities::store(c, fresh).await?;
    super::forwards::enqueue(c, fresh).await?;
    let targets: Vec<Value> = fresh
        .iter()
        .filter(|s| s.verb_id == VOIDED)
        .filter_map(|s| s.object_ref.clone().map(Value::from))
        .collect();
    if !targets.is_empty() {
        let (vis, mut values) = writer.condition("");
        let n = targets.len();
        let mut all_values = vec![Value::from(true)];
        all_values.extend(targets);
        all_values.push(Value::from(VOIDED));
        all_values.append(&mut values);
        exec(
            c,
            &format!(
                "UPDATE xapi_statements SET voided = ? WHERE id IN ({}) AND verb_id <> ? AND {vis}",
                marks(n)
            ),
            all_values,
        )
        .await?;
    }
    Ok(fresh.len())
}

/// One statement by id: voided ones only when `voided` is asked for, and only the voided.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    id: &str,
    voided: bool,
    reader: &Visibility,
) -> Result<Option<String>, StoreError> {
    let (vis, values) = reader.condition("");
    let mut all_values = vec![Value::from(id.to_owned()), Value::from(voided)];
    all_values.extend(values);
    let row = one(
        c,
        &format!("SELECT body FROM xapi_statements WHERE id = ? AND voided = ? AND {vis}"),
        all_values,
    )
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("", "body")?),
        None => None,
    })
}

/// The filters of a statement query, as the store applies them.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Query {
    /// An agent's key (see the domain's `agent_key`).
    pub agent: Option<String>,
    pub verb: Option<String>,
    pub activity: Option<String>,
    pub registration: Option<String>,
    pub related_agents: bool,
    pub related_activities: bool,
    /// Stored strictly after, in microseconds.
    pub since_us: Option<i64>,
    /// Stored at or before, in microseconds.
    pub until_us: Option<i64>,
    pub limit: u64,
    pub ascending: bool,
    /// Paging: the last sequence number the previous page returned.
    pub after: Option<i64>,
    /// Paging: the newest sequence number when the first page was asked, so that later
    /// statements do not shift the pages.
    pub upto: Option<i64>,
}

/// One page of a query.
#[derive(Debug)]
pub struct Page {
    /// (sequence number, stored statement, stored in microseconds)
    pub rows: Vec<(i64, String, i64)>,
    /// Whether more statements match after this page.
    pub more: bool,
    pub upto: i64,
}

/// The filter of `q` on the statements of alias `t`, and its values; `None` without any.
fn filter(q: &Query, t: &str) -> Option<(String, Vec<Value>)> {
    let mut parts = Vec::new();
    let mut values = Vec::new();
    if let Some(agent) = &q.agent {
        if q.related_agents {
            parts.push(format!(
                "EXISTS (SELECT 1 FROM xapi_statement_refs r WHERE r.seq = {t}.seq \
                 AND r.kind = 'a' AND r.value = ?)"
            ));
            values.push(Value::from(agent.clone()));
        } else {
            parts.push(format!("({t}.actor_key = ? OR {t}.object_agent_key = ?)"));
            values.push(Value::from(agent.clone()));
            values.push(Value::from(agent.clone()));
        }
    }
    if let Some(verb) = &q.verb {
        parts.push(format!("{t}.verb_id = ?"));
        values.push(Value::from(verb.clone()));
    }
    if let Some(activity) = &q.activity {
        if q.related_activities {
            parts.push(format!(
                "EXISTS (SELECT 1 FROM xapi_statement_refs r WHERE r.seq = {t}.seq \
                 AND r.kind = 'c' AND r.value = ?)"
            ));
        } else {
            parts.push(format!("{t}.object_activity = ?"));
        }
        values.push(Value::from(activity.clone()));
    }
    if let Some(registration) = &q.registration {
        parts.push(format!("{t}.registration = ?"));
        values.push(Value::from(registration.clone()));
    }
    if parts.is_empty() {
        None
    } else {
        Some((parts.join(" AND "), values))
    }
}

/// The statements matching `q` that `reader` may see, newest first unless `ascending`.
/// A statement that refers to a matching statement (voided or not) by a StatementRef
/// matches too. Voided statements are never returned.
pub async fn query<C: ConnectionTrait>(
    c: &C,
    q: &Query,
    reader: &Visibility,
) -> Result<Page, StoreError> {
    let upto = match q.upto {
        Some(u) => u,
        None => {
            let row = one(c, "SELECT MAX(seq) AS top FROM xapi_statements", vec![]).await?;
            match row {
                Some(r) => r.try_get::<Option<i64>>("", "top")?.unwrap_or(0),
                None => 0,
            }
        }
    };
    let (vis, vis_values) = reader.condition("s");
    let mut text = format!(
        "SELECT s.seq, s.body, s.stored_us FROM xapi_statements s WHERE s.voided = ? AND {vis}"
    );
    let mut values = vec![Value::from(false)];
    values.extend(vis_values);
    if let Some((own, own_values)) = filter(q, "s") {
        let (target, target_values) = filter(q, "t").unwrap_or_default();
        let (tvis, tvis_values) = reader.condition("t");
        // Correlated, so that it runs only for the rows that refer to another statement
        // (an IN over the targets would first list every statement matching the filter).
        text.push_str(&format!(
            " AND (({own}) OR (s.object_ref IS NOT NULL AND EXISTS (SELECT 1 FROM \
             xapi_statements t WHERE t.id = s.object_ref AND {target} AND {tvis})))"
        ));
        values.extend(own_values);
        values.extend(target_values);
        values.extend(tvis_values);
    }
    if let Some(since) = q.since_us {
        text.push_str(" AND s.stored_us > ?");
        values.push(since.into());
    }
    if let Some(until) = q.until_us {
        text.push_str(" AND s.stored_us <= ?");
        values.push(until.into());
    }
    text.push_str(" AND s.seq <= ?");
    values.push(upto.into());
    if let Some(after) = q.after {
        text.push_str(if q.ascending {
            " AND s.seq > ?"
        } else {
            " AND s.seq < ?"
        });
        values.push(after.into());
    }
    text.push_str(if q.ascending {
        " ORDER BY s.seq ASC"
    } else {
        " ORDER BY s.seq DESC"
    });
    let limit = q.limit.max(1);
    text.push_str(&format!(" LIMIT {}", limit + 1));
    let found = all(c, &text, values).await?;
    let mut rows = Vec::with_capacity(found.len());
    for r in found {
        rows.push((
            r.try_get::<i64>("", "seq")?,
            r.try_get::<String>("", "body")?,
            r.try_get::<i64>("", "stored_us")?,
        ));
    }
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok(Page { rows, more, upto })
}

/// The attachments of these hashes that are stored, as (hash, content type, content).
pub async fn attachments<C: ConnectionTrait>(
    c: &C,
    hashes: &[String],
) -> Result<Vec<Attachment>, StoreError> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let values = hashes.iter().map(|h| Value::from(h.clone())).collect();
    let rows = all(
        c,
        &format!(
            "SELECT sha2, content_type, content FROM xapi_attachments WHERE sha2 IN ({})",
            marks(hashes.len())
        ),
        values,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Attachment {
            sha2: r.try_get("", "sha2")?,
            content_type: r.try_get("", "content_type")?,
            content: r.try_get("", "content")?,
        });
    }
    Ok(out)
}
