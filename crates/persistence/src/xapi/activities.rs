//! Activity definitions, as the statements that mention an activity describe it: the
//! activity resource answers the merged definition.

use sea_orm::{ConnectionTrait, Value};
use serde_json::Value as Json;

use super::statements::{CHUNK, NewStatement};
use super::{all, exec, marks, one};
use crate::error::StoreError;

/// An activity's definition after another statement described it: language maps gain the
/// new languages (a language given again takes its new text); other properties take the
/// newer value.
pub fn merge_definition(stored: Json, given: Json) -> Json {
    let Json::Object(mut stored) = stored else {
        return given;
    };
    let Json::Object(given) = given else {
        return Json::Object(stored);
    };
    for (k, v) in given {
        match (stored.get_mut(&k), v) {
            (Some(Json::Object(old)), Json::Object(new)) if k == "name" || k == "description" => {
                old.extend(new);
            }
            (_, v) => {
                stored.insert(k, v);
            }
        }
    }
    Json::Object(stored)
}

/// Keeps the activity definitions a batch carries: one read of those stored, then a write
/// only for the definitions that change.
pub(crate) async fn store<C: ConnectionTrait>(
    c: &C,
    fresh: &[&NewStatement],
) -> Result<(), StoreError> {
    let mut given: Vec<(&str, Json)> = Vec::new();
    for (id, text) in fresh.iter().flat_map(|s| s.definitions.iter()) {
        let d: Json = serde_json::from_str(text)?;
        match given.iter_mut().find(|(known, _)| *known == id.as_str()) {
            Some((_, merged)) => *merged = merge_definition(merged.take(), d),
            None => given.push((id.as_str(), d)),
        }
    }
    for part in given.chunks(CHUNK) {
        let ids: Vec<Value> = part
            .iter()
            .map(|(id, _)| Value::from(id.to_string()))
            .collect();
        let rows = all(
            c,
            &format!(
                "SELECT id, definition FROM xapi_activities WHERE id IN ({})",
                marks(ids.len())
            ),
            ids,
        )
        .await?;
        let mut stored = std::collections::HashMap::new();
        for r in rows {
            let id: String = r.try_get("", "id")?;
            let d: String = r.try_get("", "definition")?;
            stored.insert(id, serde_json::from_str::<Json>(&d)?);
        }
        for (id, d) in part {
            match stored.remove(*id) {
                Some(old) => {
                    let merged = merge_definition(old.clone(), d.clone());
                    if merged != old {
                        exec(
                            c,
                            "UPDATE xapi_activities SET definition = ? WHERE id = ?",
                            vec![merged.to_string().into(), id.to_string().into()],
                        )
                        .await?;
                    }
                }
                // Never an upsert naming its target: see `documents::put`.
                None => {
                    exec(
                        c,
                        "INSERT INTO xapi_activities (id, definition) VALUES (?, ?) \
                         ON CONFLICT DO NOTHING",
                        vec![id.to_string().into(), d.to_string().into()],
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// The stored definition of an activity, as JSON text.
pub async fn definition<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<String>, StoreError> {
    let row = one(
        c,
        "SELECT definition FROM xapi_activities WHERE id = ?",
        vec![id.to_owned().into()],
    )
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("", "definition")?),
        None => None,
    })
}
