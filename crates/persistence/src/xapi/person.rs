//! A person in the learning record store: the keys that name them, and the statements
//! about them, which their export shows and their erasure deletes.

use sea_orm::{ConnectionTrait, Value};

use super::{all, marks};
use crate::error::StoreError;

/// The keys (see `help_lms_domain::xapi::agent_key`) of a person as an xAPI agent: the
/// platform's account for them at `home_page`, and their address as an mbox or its SHA-1
/// (as other tools may name them).
pub fn person_keys(home_page: &str, user_id: uuid::Uuid, email: &str) -> Vec<String> {
    use sha1::Digest;
    let mbox = format!("mailto:{email}");
    let mbox_sha1sum = hex::encode(sha1::Sha1::digest(mbox.as_bytes()));
    [
        serde_json::json!({"account": {"homePage": home_page, "name": user_id.to_string()}}),
        serde_json::json!({"mbox": mbox}),
        serde_json::json!({"mbox_sha1sum": mbox_sha1sum}),
    ]
    .iter()
    .filter_map(help_lms_domain::xapi::agent_key)
    .collect()
}

/// A stored statement about a person.
#[derive(Debug, Clone)]
pub struct AboutPerson {
    pub seq: i64,
    pub id: String,
    pub scope: String,
    pub verb_id: String,
    pub stored_us: i64,
    /// As stored (JSON).
    pub body: String,
}

/// Every statement about a person, oldest first: recorded for them (`learner_id`), or
/// naming one of `keys` as actor, object, group member or in the context. What their
/// export shows and their erasure deletes.
pub async fn about_person<C: ConnectionTrait>(
    c: &C,
    learner_id: uuid::Uuid,
    keys: &[String],
) -> Result<Vec<AboutPerson>, StoreError> {
    let mut values = vec![Value::from(learner_id)];
    let mut named = String::new();
    if !keys.is_empty() {
        let n = marks(keys.len());
        for _ in 0..3 {
            values.extend(keys.iter().map(|k| Value::from(k.clone())));
        }
        named = format!(
            " OR actor_key IN ({n}) OR object_agent_key IN ({n}) \
             OR seq IN (SELECT seq FROM xapi_statement_refs WHERE kind = 'a' AND value IN ({n}))"
        );
    }
    let rows = all(
        c,
        &format!(
            "SELECT seq, id, scope, verb_id, stored_us, body FROM xapi_statements \
             WHERE learner_id = ?{named} ORDER BY seq"
        ),
        values,
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AboutPerson {
                seq: r.try_get("", "seq")?,
                id: r.try_get("", "id")?,
                scope: r.try_get("", "scope")?,
                verb_id: r.try_get("", "verb_id")?,
                stored_us: r.try_get("", "stored_us")?,
                body: r.try_get("", "body")?,
            })
        })
        .collect()
}
