//! External learning record stores that statements are forwarded to. A forward belongs to
//! an admin (every statement) or an institution (the statements its credentials may read),
//! optionally for some verbs only. Statements are queued in the outbox in the transaction
//! that stores them, one message per batch and forward, naming the statements by id: the
//! worker reads them when it sends, so a statement erased meanwhile is not sent, and the
//! receiver's idempotence on statement ids makes a repeated delivery harmless.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::credentials::platform_scope;
use super::statements::NewStatement;
use super::{all, exec, marks, one};
use crate::error::StoreError;

/// The outbox topic of forwarded statements.
pub const TOPIC: &str = "xapi_forward";

#[derive(Clone, Debug)]
pub struct Forward {
    pub id: Uuid,
    pub name: String,
    pub endpoint: String,
    pub username: String,
    pub password: String,
    pub institution_id: Option<Uuid>,
    /// None: every verb.
    pub verbs: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Forward {
    /// Whether a statement of `scope` with `verb` goes to this forward.
    pub(crate) fn takes(&self, scope: &str, verb: &str) -> bool {
        let visible = match self.institution_id {
            None => true,
            Some(i) => scope == platform_scope(Some(i)) || scope == format!("institution:{i}"),
        };
        visible
            && self
                .verbs
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| x == verb))
    }
}

/// A message of the outbox: which forward, which statements, and which statements to void
/// there (the notice of an erasure).
#[derive(Debug, Serialize, Deserialize)]
pub struct Batch {
    pub forward: Uuid,
    pub statements: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voids: Vec<String>,
}

/// The statement that voids `target` at an external store, from the platform: its id is
/// drawn from the forward and the target, so that a notice sent again is the same
/// statement (and the receiver takes it once).
pub fn voiding(forward: Uuid, target: &str, home_page: &str) -> serde_json::Value {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("void:{forward}:{target}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = uuid::Builder::from_custom_bytes(bytes).into_uuid();
    serde_json::json!({
        "id": id,
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": home_page, "name": "help-lms"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/voided",
            "display": {"en-US": "voided"},
        },
        "object": {"objectType": "StatementRef", "id": target},
    })
}

#[derive(Clone, Debug)]
pub struct NewForward {
    pub name: String,
    pub endpoint: String,
    pub username: String,
    pub password: String,
    pub institution_id: Option<Uuid>,
    pub verbs: Option<Vec<String>>,
    pub created_by: Option<Uuid>,
}

const COLUMNS: &str =
    "id, name, endpoint, username, password, institution_id, verbs, created_at, revoked_at";

fn read(r: &sea_orm::QueryResult) -> Result<Forward, StoreError> {
    let verbs: Option<String> = r.try_get("", "verbs")?;
    Ok(Forward {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        endpoint: r.try_get("", "endpoint")?,
        username: r.try_get("", "username")?,
        password: r.try_get("", "password")?,
        institution_id: r.try_get("", "institution_id")?,
        verbs: verbs.map(|v| serde_json::from_str(&v)).transpose()?,
        created_at: r.try_get("", "created_at")?,
        revoked_at: r.try_get("", "revoked_at")?,
    })
}

pub async fn create<C: ConnectionTrait>(
    c: &C,
    new: NewForward,
    now: DateTime<Utc>,
) -> Result<Forward, StoreError> {
    let id = Uuid::now_v7();
    let verbs = new.verbs.as_ref().map(serde_json::to_string).transpose()?;
    exec(
        c,
        "INSERT INTO xapi_forwards (id, name, endpoint, username, password, institution_id, \
         verbs, created_by, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            Value::from(id),
            new.name.clone().into(),
            new.endpoint.clone().into(),
            new.username.clone().into(),
            new.password.clone().into(),
            new.institution_id.into(),
            verbs.into(),
            new.created_by.into(),
            now.into(),
            Value::from(None::<DateTime<Utc>>),
        ],
    )
    .await?;
    Ok(Forward {
        id,
        name: new.name,
        endpoint: new.endpoint,
        username: new.username,
        password: new.password,
        institution_id: new.institution_id,
        verbs: new.verbs,
        created_at: now,
        revoked_at: None,
    })
}

/// The forwards an admin (`None`: all) or an institution's managers see, newest first.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    institution: Option<Uuid>,
) -> Result<Vec<Forward>, StoreError> {
    let (cond, values) = match institution {
        Some(i) => ("WHERE institution_id = ?", vec![Value::from(i)]),
        None => ("", vec![]),
    };
    all(
        c,
        &format!("SELECT {COLUMNS} FROM xapi_forwards {cond} ORDER BY created_at DESC, id DESC"),
        values,
    )
    .await?
    .iter()
    .map(read)
    .collect()
}

pub async fn find<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<Option<Forward>, StoreError> {
    one(
        c,
        &format!("SELECT {COLUMNS} FROM xapi_forwards WHERE id = ?"),
        vec![id.into()],
    )
    .await?
    .as_ref()
    .map(read)
    .transpose()
}

/// Stops a forward: nothing more is queued for it, and what is queued is dropped.
pub async fn revoke<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec(
        c,
        "UPDATE xapi_forwards SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        vec![now.into(), id.into()],
    )
    .await?;
    Ok(())
}

/// The forwards not stopped.
pub(crate) async fn live<C: ConnectionTrait>(c: &C) -> Result<Vec<Forward>, StoreError> {
    all(
        c,
        &format!("SELECT {COLUMNS} FROM xapi_forwards WHERE revoked_at IS NULL"),
        vec![],
    )
    .await?
    .iter()
    .map(read)
    .collect()
}

/// Queues the statements just stored for every live forward that takes them.
pub(crate) async fn enqueue<C: ConnectionTrait>(
    c: &C,
    stored: &[&NewStatement],
) -> Result<(), StoreError> {
    if stored.is_empty() {
        return Ok(());
    }
    let mut messages = Vec::new();
    for f in live(c).await? {
        let ids: Vec<String> = stored
            .iter()
            .filter(|s| f.takes(&s.scope, &s.verb_id))
            .map(|s| s.id.clone())
            .collect();
        if !ids.is_empty() {
            messages.push(serde_json::to_string(&Batch {
                forward: f.id,
                statements: ids,
                voids: Vec::new(),
            })?);
        }
    }
    crate::outbox::enqueue(c, TOPIC, messages).await
}

/// The stored statements of a batch that still exist, in its order, as JSON text.
pub async fn bodies<C: ConnectionTrait>(c: &C, ids: &[String]) -> Result<Vec<String>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let values = ids.iter().map(|i| Value::from(i.clone())).collect();
    let rows = all(
        c,
        &format!(
            "SELECT id, body FROM xapi_statements WHERE id IN ({}) ORDER BY seq",
            marks(ids.len())
        ),
        values,
    )
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String>("", "body")?))
        .collect()
}
