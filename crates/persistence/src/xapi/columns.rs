//! From a statement as stored to the row the store keeps: the columns its queries filter
//! on, every agent and activity it mentions (for `related_agents` and
//! `related_activities`), and the activity definitions it carries. Shared by the
//! statements clients send and the statements the platform records.

use help_lms_domain::xapi::agent_key;
use serde_json::Value as Json;

use super::statements::{Mention, NewStatement};
use crate::error::StoreError;

/// The row of a stored statement (`body`, with its id, stored, authority and version);
/// `received` is the statement as its writer sent it.
pub fn row(
    body: &Json,
    received: Json,
    stored_us: i64,
    scope: String,
    learner_id: Option<uuid::Uuid>,
) -> Result<NewStatement, StoreError> {
    let id = body["id"]
        .as_str()
        .ok_or_else(|| StoreError::Internal("a statement without an id".into()))?
        .to_ascii_lowercase();
    let object = &body["object"];
    let mut s = NewStatement {
        id,
        body: serde_json::to_string(body)?,
        received,
        stored_us,
        verb_id: body["verb"]["id"].as_str().unwrap_or_default().to_owned(),
        actor_key: agent_key(&body["actor"]),
        object_activity: None,
        object_agent_key: None,
        object_ref: None,
        registration: body["context"]["registration"]
            .as_str()
            .map(str::to_ascii_lowercase),
        scope,
        learner_id,
        mentions: Vec::new(),
        definitions: Vec::new(),
    };
    match object["objectType"].as_str().unwrap_or("Activity") {
        "Activity" => s.object_activity = object["id"].as_str().map(str::to_owned),
        "Agent" | "Group" => s.object_agent_key = agent_key(object),
        "StatementRef" => s.object_ref = object["id"].as_str().map(str::to_ascii_lowercase),
        _ => {}
    }
    mentions(body, &mut s.mentions, &mut s.definitions);
    Ok(s)
}

fn agent(v: &Json, out: &mut Vec<Mention>) {
    if let Some(k) = agent_key(v) {
        out.push(Mention::Agent(k));
    }
    for m in v["member"].as_array().into_iter().flatten() {
        if let Some(k) = agent_key(m) {
            out.push(Mention::Agent(k));
        }
    }
}

fn mentions(s: &Json, out: &mut Vec<Mention>, defs: &mut Vec<(String, String)>) {
    agent(&s["actor"], out);
    agent(&s["authority"], out);
    let object = &s["object"];
    match object["objectType"].as_str().unwrap_or("Activity") {
        "Activity" => activity(object, out, defs),
        "Agent" | "Group" => agent(object, out),
        "SubStatement" => {
            agent(&object["actor"], out);
            match object["object"]["objectType"]
                .as_str()
                .unwrap_or("Activity")
            {
                "Activity" => activity(&object["object"], out, defs),
                "Agent" | "Group" => agent(&object["object"], out),
                _ => {}
            }
            context(&object["context"], out, defs);
        }
        _ => {}
    }
    context(&s["context"], out, defs);
}

fn context(c: &Json, out: &mut Vec<Mention>, defs: &mut Vec<(String, String)>) {
    agent(&c["instructor"], out);
    agent(&c["team"], out);
    for a in c["contextAgents"].as_array().into_iter().flatten() {
        agent(&a["agent"], out);
    }
    for g in c["contextGroups"].as_array().into_iter().flatten() {
        agent(&g["group"], out);
    }
    if let Some(kinds) = c["contextActivities"].as_object() {
        for list in kinds.values() {
            match list {
                Json::Array(items) => items.iter().for_each(|a| activity(a, out, defs)),
                one => activity(one, out, defs),
            }
        }
    }
}

fn activity(a: &Json, out: &mut Vec<Mention>, defs: &mut Vec<(String, String)>) {
    if let Some(id) = a["id"].as_str() {
        out.push(Mention::Activity(id.to_owned()));
        if let Some(d) = a.get("definition") {
            defs.push((id.to_owned(), d.to_string()));
        }
    }
}
