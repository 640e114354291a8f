//! The audit trail: who did what to which object, when, from which request. Append-only:
//! nothing here updates or deletes an entry. Entries carry ids and counts, never names,
//! emails, free text or secrets.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::raw::{all, exec, one};

use crate::error::StoreError;

/// One event, as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub actor_institution: Option<Uuid>,
    pub object_type: String,
    pub object_id: Option<String>,
    pub institution_id: Option<Uuid>,
    pub request_id: Option<String>,
    /// Ids and counts, as JSON.
    pub detail: Option<String>,
}

/// An event to record; `id` and `at` are set here.
#[derive(Clone, Debug, Default)]
pub struct NewEntry {
    pub action: &'static str,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub actor_institution: Option<Uuid>,
    pub object_type: &'static str,
    pub object_id: Option<String>,
    pub institution_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub detail: Option<serde_json::Value>,
}

/// Appends an entry, in the caller's transaction or on its own.
pub async fn record<C: ConnectionTrait>(c: &C, e: NewEntry) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let values = vec![
        Value::from(id),
        Value::from(Utc::now()),
        Value::from(e.action),
        Value::from(e.actor_id),
        Value::from(e.actor_role),
        Value::from(e.actor_institution),
        Value::from(e.object_type),
        Value::from(e.object_id),
        Value::from(e.institution_id),
        Value::from(e.request_id),
        Value::from(e.detail.map(|d| d.to_string())),
    ];
    exec(
        c,
        "INSERT INTO audit_events (id, at, action, actor_id, actor_role, actor_institution, \
         object_type, object_id, institution_id, request_id, detail) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    .await?;
    Ok(id)
}

/// Which entries to read.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub object_id: Option<String>,
    /// What this account did, or what was done to it.
    pub person: Option<Uuid>,
    /// A manager's reading: their institution's entries only.
    pub institution_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The entries matching `f`, newest first, and how many match in all.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    f: &Filter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<Entry>, u64), StoreError> {
    let mut cond = vec!["1 = 1".to_owned()];
    let mut values = Vec::new();
    if let Some(a) = &f.action {
        cond.push("action = ?".into());
        values.push(Value::from(a.clone()));
    }
    if let Some(a) = f.actor_id {
        cond.push("actor_id = ?".into());
        values.push(Value::from(a));
    }
    if let Some(o) = &f.object_id {
        cond.push("object_id = ?".into());
        values.push(Value::from(o.clone()));
    }
    if let Some(p) = f.person {
        cond.push("(actor_id = ? OR object_id = ?)".into());
        values.push(Value::from(p));
        values.push(Value::from(p.to_string()));
    }
    if let Some(i) = f.institution_id {
        cond.push("(institution_id = ? OR actor_institution = ?)".into());
        values.push(Value::from(i));
        values.push(Value::from(i));
    }
    if let Some(t) = f.since {
        cond.push("at >= ?".into());
        values.push(Value::from(t));
    }
    if let Some(t) = f.until {
        cond.push("at < ?".into());
        values.push(Value::from(t));
    }
    let cond = cond.join(" AND ");
    let total = one(
        c,
        &format!("SELECT COUNT(*) AS n FROM audit_events WHERE {cond}"),
        values.clone(),
    )
    .await?
    .map(|r| r.try_get::<i64>("", "n"))
    .transpose()?
    .unwrap_or(0);
    let rows = all(
        c,
        &format!(
            "SELECT id, at, action, actor_id, actor_role, actor_institution, object_type, \
             object_id, institution_id, request_id, detail FROM audit_events WHERE {cond} \
             ORDER BY at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        ),
        values,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Entry {
            id: r.try_get("", "id")?,
            at: r.try_get("", "at")?,
            action: r.try_get("", "action")?,
            actor_id: r.try_get("", "actor_id")?,
            actor_role: r.try_get("", "actor_role")?,
            actor_institution: r.try_get("", "actor_institution")?,
            object_type: r.try_get("", "object_type")?,
            object_id: r.try_get("", "object_id")?,
            institution_id: r.try_get("", "institution_id")?,
            request_id: r.try_get("", "request_id")?,
            detail: r.try_get("", "detail")?,
        });
    }
    Ok((out, u64::try_from(total).unwrap_or(0)))
}

/// The entries about a person: what they did, and what was done to their account, oldest
/// first.
pub async fn about<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<Vec<Entry>, StoreError> {
    let f = Filter {
        person: Some(user_id),
        ..Filter::default()
    };
    let (mut out, _) = list(c, &f, u64::MAX >> 1, 0).await?;
    out.reverse();
    Ok(out)
}
