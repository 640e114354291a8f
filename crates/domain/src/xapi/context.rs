//! The context of a statement: registration, instructor, team, context activities, the
//! context agents and groups of xAPI 2.0, revision, platform, language, a statement
//! reference and extensions.

use serde_json::Value;

use super::activity::activity;
use super::agents::{actor, agent, group};
use super::fields::{Fields, index};
use super::syntax::{is_iri, is_language_tag};
use super::validate::{Invalid, statement_ref};

const CONTEXT_KEYS: [&str; 11] = [
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "contextAgents",
    "contextGroups",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
];
const CONTEXT_ACTIVITY_KEYS: [&str; 4] = ["parent", "grouping", "category", "other"];

/// Validates the context at `path`. `object_is_activity` tells whether the statement's
/// object is an Activity: `revision` and `platform` are refused otherwise.
pub(crate) fn context(value: &Value, path: &str, object_is_activity: bool) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "a Context", &CONTEXT_KEYS)?;
    fields.uuid("registration")?;
    if let Some(instructor) = fields.get("instructor") {
        actor(instructor, &fields.at("instructor"))?;
    }
    if let Some(team) = fields.get("team") {
        group(team, &fields.at("team"))?;
    }
    if let Some(activities) = fields.get("contextActivities") {
        context_activities(activities, &fields.at("contextActivities"))?;
    }
    if let Some(items) = fields.array("contextAgents")? {
        context_members(items, &fields.at("contextAgents"), "contextAgent", "agent")?;
    }
    if let Some(items) = fields.array("contextGroups")? {
        context_members(items, &fields.at("contextGroups"), "contextGroup", "group")?;
    }
    for key in ["revision", "platform"] {
        if fields.string(key)?.is_some() && !object_is_activity {
            return Err(Invalid::new(
                fields.at(key),
                "is only allowed when the statement's object is an Activity",
            ));
        }
    }
    fields.formatted("language", is_language_tag, "an RFC 5646 language tag")?;
    if let Some(statement) = fields.get("statement") {
        statement_ref(statement, &fields.at("statement"))?;
    }
    fields.extensions("extensions")
}

/// Validates `contextActivities`: `parent`, `grouping`, `category` and `other`, each an
/// Activity or an array of Activities.
fn context_activities(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(
        value,
        path,
        "a contextActivities object",
        &CONTEXT_ACTIVITY_KEYS,
    )?;
    for key in CONTEXT_ACTIVITY_KEYS {
        let key_path = fields.at(key);
        match fields.get(key) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    activity(item, &index(&key_path, i))?;
                }
            }
            Some(item @ Value::Object(_)) => activity(item, &key_path)?,
            Some(_) => {
                return Err(Invalid::new(
                    key_path,
                    "must be an Activity or an array of Activities",
                ));
            }
        }
    }
    Ok(())
}

/// Validates the items of `contextAgents` (`kind` `"contextAgent"`, holding an Agent under
/// `member` `"agent"`) or of `contextGroups` (`"contextGroup"`, a Group under `"group"`):
/// each has the `objectType` `kind`, its Agent or Group, and optionally `relevantTypes`, a
/// non-empty array of IRIs.
fn context_members(items: &[Value], path: &str, kind: &str, member: &str) -> Result<(), Invalid> {
    for (i, item) in items.iter().enumerate() {
        let item_path = index(path, i);
        let what = format!("a {kind} object");
        let fields = Fields::new(
            item,
            &item_path,
            &what,
            &["objectType", member, "relevantTypes"],
        )?;
        if fields.object_type()? != Some(kind) {
            return Err(Invalid::new(
                fields.at("objectType"),
                format!("is required and must be \"{kind}\""),
            ));
        }
        let member_value = fields.required(member)?;
        if member == "agent" {
            agent(member_value, &fields.at(member))?;
        } else {
            group(member_value, &fields.at(member))?;
        }
        if let Some(types) = fields.array("relevantTypes")? {
            let types_path = fields.at("relevantTypes");
            if types.is_empty() {
                return Err(Invalid::new(types_path, "must not be empty"));
            }
            if let Some(i) = types.iter().position(|t| !t.as_str().is_some_and(is_iri)) {
                return Err(Invalid::new(
                    index(&types_path, i),
                    "must be an absolute IRI (with a scheme)",
                ));
            }
        }
    }
    Ok(())
}
