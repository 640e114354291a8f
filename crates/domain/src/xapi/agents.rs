//! Agents and Groups: the actor of a statement, an instructor or team, an authority, the
//! object of a statement, a member of a Group, and the `agent` parameter of the resources.

use serde_json::Value;

use super::fields::{Fields, at, index};
use super::syntax::{is_hex, is_mailto, strip_mailto};
use super::validate::Invalid;

const AGENT_KEYS: [&str; 6] = [
    "objectType",
    "name",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
];
const GROUP_KEYS: [&str; 7] = [
    "objectType",
    "name",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
    "member",
];

/// The separator between the home page and the name in the key of an account
/// ([`agent_key`]): the ASCII unit separator, a control character no IRI may contain.
pub const ACCOUNT_KEY_SEPARATOR: char = '\u{1f}';

/// Validates an Agent or Group object on its own (used for the `agent` query parameter and
/// the document resources' `agent` parameter): same rules as the actor of a statement. An
/// Agent may leave out `objectType`; a Group must say `"objectType": "Group"`. Refusals name
/// paths under `agent`.
pub fn validate_agent(agent: &Value) -> Result<(), Invalid> {
    actor(agent, "agent")
}

/// Validates an Agent or a Group at `path`, as the actor of a statement or an instructor:
/// without `objectType`, an Agent.
pub(crate) fn actor(value: &Value, path: &str) -> Result<(), Invalid> {
    if !value.is_object() {
        return Err(Invalid::new(
            path,
            "must be an Agent or a Group (a JSON object)",
        ));
    }
    match value.get("objectType") {
        None => agent(value, path),
        Some(Value::String(t)) if t == "Agent" => agent(value, path),
        Some(Value::String(t)) if t == "Group" => group(value, path).map(|_| ()),
        Some(_) => Err(Invalid::new(
            at(path, "objectType"),
            "must be \"Agent\" or \"Group\"",
        )),
    }
}

/// Validates an Agent at `path` (its `objectType`, if present, must be `"Agent"`): exactly
/// one inverse functional identifier and an optional name.
pub(crate) fn agent(value: &Value, path: &str) -> Result<(), Invalid> {
    // The object type first: a Group where an Agent is expected is refused as such, not for
    // its `member` property.
    if let Some(kind) = value.get("objectType")
        && kind != "Agent"
    {
        return Err(Invalid::new(at(path, "objectType"), "must be \"Agent\""));
    }
    let fields = Fields::new(value, path, "an Agent", &AGENT_KEYS)?;
    fields.string("name")?;
    match identifiers(&fields)? {
        1 => Ok(()),
        0 => Err(Invalid::new(
            path,
            "an Agent needs an inverse functional identifier (mbox, mbox_sha1sum, openid or account)",
        )),
        _ => Err(Invalid::new(
            path,
            "an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)",
        )),
    }
}

/// Validates a Group at `path` (`"objectType": "Group"` required). An identified Group has
/// exactly one inverse functional identifier and may list members; an anonymous Group has
/// none and must list at least one member. Members are Agents. Returns whether the Group is
/// identified and how many members it lists.
pub(crate) fn group(value: &Value, path: &str) -> Result<(bool, usize), Invalid> {
    let fields = Fields::new(value, path, "a Group", &GROUP_KEYS)?;
    match fields.object_type()? {
        Some("Group") => {}
        Some(_) => return Err(Invalid::new(fields.at("objectType"), "must be \"Group\"")),
        None => {
            return Err(Invalid::new(
                fields.at("objectType"),
                "is required (\"Group\")",
            ));
        }
    }
    fields.string("name")?;
    let identified = match identifiers(&fields)? {
        0 => false,
        1 => true,
        _ => {
            return Err(Invalid::new(
                path,
                "a Group may have at most one inverse functional identifier (mbox, mbox_sha1sum, openid or account)",
            ));
        }
    };
    let members = fields.array("member")?;
    if let Some(members) = members {
        let member_path = fields.at("member");
        for (i, member) in members.iter().enumerate() {
            let item = index(&member_path, i);
            if member.get("objectType").and_then(Value::as_str) == Some("Group") {
                return Err(Invalid::new(
                    item,
                    "a Group's members must be Agents, not Groups",
                ));
            }
            agent(member, &item)?;
        }
    }
    let count = members.map_or(0, Vec::len);
    if !identified && count == 0 {
        return Err(Invalid::new(
            fields.at("member"),
            "an anonymous Group (one without an inverse functional identifier) must list its members",
        ));
    }
    Ok((identified, count))
}

/// Validates the `authority` of a statement: an Agent, or an anonymous Group of exactly two
/// Agents (an OAuth application and a user).
pub(crate) fn authority(value: &Value, path: &str) -> Result<(), Invalid> {
    if value.get("objectType").and_then(Value::as_str) != Some("Group") {
        return actor(value, path);
    }
    let (identified, members) = group(value, path)?;
    if identified {
        Err(Invalid::new(
            path,
            "an authority Group must be anonymous (no inverse functional identifier)",
        ))
    } else if members != 2 {
        Err(Invalid::new(
            at(path, "member"),
            "an authority Group must have exactly two members",
        ))
    } else {
        Ok(())
    }
}

/// Checks each inverse functional identifier present and returns how many there are.
fn identifiers(fields: &Fields<'_, '_>) -> Result<usize, Invalid> {
    fields.formatted(
        "mbox",
        is_mailto,
        "a mailto IRI holding an e-mail address (\"mailto:name@example.com\")",
    )?;
    fields.formatted(
        "mbox_sha1sum",
        |s| is_hex(s, 40),
        "the hexadecimal SHA-1 of a mailto IRI (40 digits)",
    )?;
    fields.iri("openid")?;
    if let Some(account) = fields.get("account") {
        let path = fields.at("account");
        let account = Fields::new(account, &path, "an account", &["homePage", "name"])?;
        account.required_iri("homePage")?;
        account.required_string("name")?;
    }
    Ok(["mbox", "mbox_sha1sum", "openid", "account"]
        .iter()
        .filter(|key| fields.has(key))
        .count())
}

/// The canonical key of an Agent's (or identified Group's) inverse functional identifier,
/// under which the LRS finds the same person or group again:
///
/// - `mbox:mailto:<address>` (the scheme written in lower case, the address as given),
/// - `mbox_sha1sum:<hex digits in lower case>`,
/// - `openid:<uri as given>`,
/// - `account:<homePage><U+001F><name>`: home page and name joined by
///   [`ACCOUNT_KEY_SEPARATOR`], which cannot occur in an IRI.
///
/// The identifiers are looked for in that order. `None` when the object has none (an
/// anonymous Group) or is not an object. The object is not validated here.
pub fn agent_key(agent: &Value) -> Option<String> {
    if let Some(mbox) = agent.get("mbox").and_then(Value::as_str) {
        return Some(match strip_mailto(mbox) {
            Some(address) => format!("mbox:mailto:{address}"),
            None => format!("mbox:{mbox}"),
        });
    }
    if let Some(sum) = agent.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("mbox_sha1sum:{}", sum.to_ascii_lowercase()));
    }
    if let Some(openid) = agent.get("openid").and_then(Value::as_str) {
        return Some(format!("openid:{openid}"));
    }
    let account = agent.get("account")?;
    let home_page = account.get("homePage").and_then(Value::as_str)?;
    let name = account.get("name").and_then(Value::as_str)?;
    Some(format!("account:{home_page}{ACCOUNT_KEY_SEPARATOR}{name}"))
}
