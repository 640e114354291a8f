//! From a statement as received to the statement as stored (id, timestamp, stored,
//! authority and version filled in) with the columns and mentions its queries use; and
//! from a stored statement to the `ids` and `canonical` formats of a query's answer.

use help_lms_domain::xapi::{agent_key, normalise_timestamp, validate_statement};
use help_lms_persistence::xapi::credentials::Credential;
use help_lms_persistence::xapi::statements::NewStatement;
use serde_json::{Map, Value, json};

use super::bad;
use crate::error::ApiError;

/// The agent that vouches for what a credential writes.
pub fn authority(cred: &Credential, home_page: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": cred.name,
        "account": {"homePage": home_page, "name": cred.key},
    })
}

/// Who is writing, and as which scope.
pub struct Writer<'a> {
    pub authority: Value,
    pub scope: String,
    pub learner_id: Option<uuid::Uuid>,
    pub cred: Option<&'a Credential>,
    /// The platform's home page: its learners' accounts are on it.
    pub home_page: &'a str,
}

/// Validates a received statement and prepares it for the store, stored at `stored_us`.
pub fn prepare(
    mut received: Value,
    stored_us: i64,
    writer: &Writer<'_>,
) -> Result<NewStatement, ApiError> {
    validate_statement(&received).map_err(|e| bad(format!("statement {e}")))?;
    let Some(obj) = received.as_object_mut() else {
        return Err(bad("a statement is a JSON object"));
    };
    let id = match obj.get("id").and_then(Value::as_str) {
        Some(id) => uuid::Uuid::parse_str(id)
            .map_err(|_| bad("statement id: not a UUID"))?
            .to_string(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    obj.insert("id".into(), Value::String(id.clone()));
    context_activities_as_arrays(obj.get_mut("context"));
    if let Some(sub) = obj.get_mut("object").and_then(Value::as_object_mut) {
        context_activities_as_arrays(sub.get_mut("context"));
    }
    if let Some(ts) = obj.get("timestamp").and_then(Value::as_str) {
        let normal =
            normalise_timestamp(ts).ok_or_else(|| bad("statement timestamp: not RFC 3339"))?;
        obj.insert("timestamp".into(), Value::String(normal));
    }
    let received = Value::Object(obj.clone());
    let stored = super::rfc3339(stored_us);
    let mut body = obj.clone();
    body.insert("stored".into(), Value::String(stored.clone()));
    body.entry("timestamp").or_insert(Value::String(stored));
    body.insert("authority".into(), writer.authority.clone());
    body.entry("version")
        .or_insert(Value::String(super::VERSION.into()));
    let body = Value::Object(body);

    let s = help_lms_persistence::xapi::columns::row(
        &body,
        received,
        stored_us,
        writer.scope.clone(),
        writer.learner_id,
    )?;
    if let Some(cred) = writer.cred {
        launch_bounds(cred, &s, writer.home_page)?;
    }
    Ok(s)
}

/// A context activity given alone is stored as an array of one, as it is returned.
fn context_activities_as_arrays(context: Option<&mut Value>) {
    let Some(kinds) = context
        .and_then(|c| c.get_mut("contextActivities"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for list in kinds.values_mut() {
        if list.is_object() {
            *list = Value::Array(vec![list.take()]);
        }
    }
}

/// A launch credential writes statements about its learner in its registration only.
fn launch_bounds(cred: &Credential, s: &NewStatement, home_page: &str) -> Result<(), ApiError> {
    use help_lms_persistence::xapi::credentials::Kind;
    if cred.kind != Kind::Launch {
        return Ok(());
    }
    let learner = cred
        .learner_id
        .and_then(|l| agent_key(&learner_account(home_page, l)));
    if s.actor_key.is_none() || s.actor_key != learner {
        return Err(bad(
            "a launch credential writes statements about its learner only",
        ));
    }
    if s.registration != cred.registration.map(|r| r.to_string()) {
        return Err(bad(
            "a launch credential writes statements of its registration only",
        ));
    }
    Ok(())
}

/// A platform learner as an xAPI actor: an account on the platform with an opaque id.
pub fn learner_account(home_page: &str, learner: uuid::Uuid) -> Value {
    json!({"objectType": "Agent", "account": {"homePage": home_page, "name": learner.to_string()}})
}

/// The `ids` format: agents and groups by their identifier only, activities and verbs by
/// id only.
pub fn ids_only(s: &mut Value) {
    fn agent(v: &mut Value) {
        let Some(o) = v.as_object_mut() else { return };
        o.retain(|k, _| {
            matches!(
                k.as_str(),
                "objectType" | "mbox" | "mbox_sha1sum" | "openid" | "account" | "member"
            )
        });
        let identified = o.contains_key("mbox")
            || o.contains_key("mbox_sha1sum")
            || o.contains_key("openid")
            || o.contains_key("account");
        if identified {
            o.remove("member");
        }
        if let Some(Value::Array(members)) = o.get_mut("member") {
            members.iter_mut().for_each(agent);
        }
    }
    fn activity(v: &mut Value) {
        if let Some(o) = v.as_object_mut() {
            o.retain(|k, _| k == "id");
        }
    }
    fn context(c: &mut Value) {
        if let Some(i) = c.get_mut("instructor") {
            agent(i);
        }
        if let Some(t) = c.get_mut("team") {
            agent(t);
        }
        if let Some(Value::Object(kinds)) = c.get_mut("contextActivities") {
            for list in kinds.values_mut() {
                match list {
                    Value::Array(items) => items.iter_mut().for_each(activity),
                    one => activity(one),
                }
            }
        }
    }
    fn statement(s: &mut Value) {
        if let Some(a) = s.get_mut("actor") {
            agent(a);
        }
        if let Some(v) = s.get_mut("verb").and_then(Value::as_object_mut) {
            v.retain(|k, _| k == "id");
        }
        if let Some(o) = s.get_mut("object") {
            match o["objectType"].as_str().unwrap_or("Activity") {
                "Activity" => activity(o),
                "Agent" | "Group" => agent(o),
                "SubStatement" => statement(o),
                _ => {}
            }
        }
        if let Some(c) = s.get_mut("context") {
            context(c);
        }
        if let Some(a) = s.get_mut("authority") {
            agent(a);
        }
    }
    statement(s);
}

/// The `canonical` format: every language map reduced to the one language that suits the
/// reader best (`languages` in order of preference), or its first entry.
pub fn canonical(s: &mut Value, languages: &[String]) {
    const MAPS: [&str; 3] = ["display", "name", "description"];
    fn walk(v: &mut Value, languages: &[String], parent_is_map_holder: bool) {
        match v {
            Value::Object(o) => {
                for (k, child) in o.iter_mut() {
                    if MAPS.contains(&k.as_str()) && child.is_object() && parent_is_map_holder {
                        pick(child, languages);
                    } else if k != "extensions" {
                        walk(child, languages, true);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, languages, true)),
            _ => {}
        }
    }
    fn pick(map: &mut Value, languages: &[String]) {
        let Some(o) = map.as_object() else { return };
        let chosen = languages
            .iter()
            .find_map(|l| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(l))
                    .or_else(|| {
                        o.iter().find(|(k, _)| {
                            k.split('-').next().is_some_and(|p| {
                                p.eq_ignore_ascii_case(l.split('-').next().unwrap_or(l))
                            })
                        })
                    })
            })
            .or_else(|| o.iter().next())
            .map(|(k, v)| (k.clone(), v.clone()));
        if let Some((k, v)) = chosen {
            let mut one = Map::new();
            one.insert(k, v);
            *map = Value::Object(one);
        }
    }
    walk(s, languages, true);
}

/// The languages of `Accept-Language`, best first.
pub fn accepted_languages(req: &actix_web::HttpRequest) -> Vec<String> {
    let mut ranked: Vec<(f32, String)> = req
        .headers()
        .get_all(actix_web::http::header::ACCEPT_LANGUAGE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            (!tag.is_empty() && tag != "*" && q > 0.0).then(|| (q, tag.to_owned()))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_format_keeps_identifiers_only() {
        let mut s = json!({
            "actor": {"objectType": "Agent", "name": "A", "mbox": "mailto:a@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en": "passed"}},
            "object": {"id": "http://example.org/a", "definition": {"name": {"en": "A"}}},
            "context": {"contextActivities": {"parent": [{"id": "http://example.org/p", "definition": {}}]}}
        });
        ids_only(&mut s);
        assert_eq!(
            s["actor"],
            json!({"objectType": "Agent", "mbox": "mailto:a@example.org"})
        );
        assert_eq!(
            s["verb"],
            json!({"id": "http://adlnet.gov/expapi/verbs/passed"})
        );
        assert_eq!(s["object"], json!({"id": "http://example.org/a"}));
        assert_eq!(
            s["context"]["contextActivities"]["parent"][0],
            json!({"id": "http://example.org/p"})
        );
    }

    #[test]
    fn canonical_format_keeps_the_readers_language() {
        let mut s = json!({
            "verb": {"id": "x:y", "display": {"en-GB": "passed", "fr-FR": "a réussi"}},
            "object": {"id": "x:z", "definition": {"name": {"en-GB": "Quiz", "fr-FR": "Quiz FR"}}}
        });
        canonical(&mut s, &["fr".to_owned()]);
        assert_eq!(s["verb"]["display"], json!({"fr-FR": "a réussi"}));
        assert_eq!(
            s["object"]["definition"]["name"],
            json!({"fr-FR": "Quiz FR"})
        );
    }
}
