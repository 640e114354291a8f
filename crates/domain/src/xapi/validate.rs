//! Validation of statements as clients send them to the LRS (xAPI 2.0, IEEE 9274.1.1,
//! section 4.2): the properties each object may have, the types and formats of their values,
//! and the rules that tie them together.
//!
//! The first fault found is returned as an [`Invalid`], naming the path of the property
//! (`context.contextActivities.parent[0].id`) and what is wrong with it.

use std::fmt;

use serde_json::Value;

pub use super::agents::{ACCOUNT_KEY_SEPARATOR, agent_key, validate_agent};
pub use super::syntax::{is_iri, is_language_map, normalise_timestamp};

use super::activity::activity;
use super::agents::{actor, agent, authority, group};
use super::context::context;
use super::fields::{Fields, index};
use super::syntax::{is_duration, is_hex, is_media_type, is_version};

/// Why a statement (or agent, or document parameter) is refused: where and why, for a 400
/// answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The path of the property at fault, such as `context.contextActivities.parent[0].id`;
    /// empty when the whole value is at fault.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl Invalid {
    /// A refusal of the property at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Invalid {
    /// `"{path}: {message}"`, or the message alone when the path is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Invalid {}

/// The verb of a voiding statement.
const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";
/// The usage type of the attachment holding a statement's signature.
const SIGNATURE: &str = "http://adlnet.gov/expapi/attachments/signature";

const STATEMENT_KEYS: [&str; 11] = [
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
];
const SUB_STATEMENT_KEYS: [&str; 8] = [
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
];
const ATTACHMENT_KEYS: [&str; 7] = [
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
];

/// What the object of a statement turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    Activity,
    Agent,
    Group,
    StatementRef,
    SubStatement,
}

/// Validates one statement as a client sent it to the LRS (xAPI 2.0, IEEE 9274.1.1).
///
/// Only the properties the standard defines are allowed, at every level, with the case it
/// gives them, and none may be `null` (extension values excepted). `actor`, `verb` and
/// `object` are required; `id`, `result`, `context`, `timestamp`, `stored`, `authority`,
/// `version` and `attachments` are optional. A voiding statement must have a StatementRef as
/// its object.
pub fn validate_statement(statement: &Value) -> Result<(), Invalid> {
    let fields = Fields::new(statement, "", "a statement", &STATEMENT_KEYS)?;
    fields.uuid("id")?;
    let object = body(&fields, false)?;
    if verb_id(&fields) == Some(VOIDED) && object != Object::StatementRef {
        return Err(Invalid::new(
            "object",
            "a voiding statement's object must be a StatementRef",
        ));
    }
    fields.formatted(
        "stored",
        |s| normalise_timestamp(s).is_some(),
        "an RFC 3339 timestamp with a time zone",
    )?;
    if let Some(value) = fields.get("authority") {
        authority(value, "authority")?;
    }
    fields.formatted(
        "version",
        is_version,
        "an xAPI version (\"1.0.x\" or \"2.0.x\")",
    )?;
    Ok(())
}

/// The verb id of a statement, if it has one.
fn verb_id<'a>(fields: &Fields<'a, '_>) -> Option<&'a str> {
    fields.get("verb")?.get("id")?.as_str()
}

/// Validates what a statement and a SubStatement share: actor, verb, object, result,
/// context, timestamp and attachments. Returns the kind of the object.
fn body(fields: &Fields<'_, '_>, nested: bool) -> Result<Object, Invalid> {
    actor(fields.required("actor")?, &fields.at("actor"))?;
    verb(fields.required("verb")?, &fields.at("verb"))?;
    let object = object(fields.required("object")?, &fields.at("object"), nested)?;
    if let Some(value) = fields.get("result") {
        result(value, &fields.at("result"))?;
    }
    if let Some(value) = fields.get("context") {
        context(value, &fields.at("context"), object == Object::Activity)?;
    }
    fields.formatted(
        "timestamp",
        |s| normalise_timestamp(s).is_some(),
        "an RFC 3339 timestamp with a time zone",
    )?;
    if let Some(items) = fields.array("attachments")? {
        let path = fields.at("attachments");
        for (i, item) in items.iter().enumerate() {
            attachment(item, &index(&path, i))?;
        }
    }
    Ok(object)
}

/// Validates a verb: an IRI `id` and an optional `display` language map.
fn verb(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "a Verb", &["id", "display"])?;
    fields.required_iri("id")?;
    fields.language_map("display")
}

/// Validates the object of a statement (or, when `nested`, of a SubStatement, which may not
/// be a SubStatement again).
fn object(value: &Value, path: &str, nested: bool) -> Result<Object, Invalid> {
    if !value.is_object() {
        return Err(Invalid::new(path, "must be a JSON object"));
    }
    let type_path = super::fields::at(path, "objectType");
    match value.get("objectType") {
        None => activity(value, path).map(|()| Object::Activity),
        Some(Value::String(kind)) => match kind.as_str() {
            "Activity" => activity(value, path).map(|()| Object::Activity),
            "Agent" => agent(value, path).map(|()| Object::Agent),
            "Group" => group(value, path).map(|_| Object::Group),
            "StatementRef" => statement_ref(value, path).map(|()| Object::StatementRef),
            "SubStatement" if nested => Err(Invalid::new(
                type_path,
                "a SubStatement's object must not be a SubStatement",
            )),
            "SubStatement" => sub_statement(value, path).map(|()| Object::SubStatement),
            _ => Err(Invalid::new(
                type_path,
                "must be \"Activity\", \"Agent\", \"Group\", \"StatementRef\" or \"SubStatement\"",
            )),
        },
        Some(_) => Err(Invalid::new(type_path, "must be a string")),
    }
}

/// Validates a statement reference: `"objectType": "StatementRef"` and a UUID `id`, nothing
/// else.
pub(crate) fn statement_ref(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "a StatementRef", &["objectType", "id"])?;
    if fields.object_type()? != Some("StatementRef") {
        return Err(Invalid::new(
            fields.at("objectType"),
            "is required and must be \"StatementRef\"",
        ));
    }
    fields.required("id")?;
    fields.uuid("id").map(|_| ())
}

/// Validates a SubStatement: like a statement, without `id`, `stored`, `version` or
/// `authority`, and with an object that is not itself a SubStatement.
fn sub_statement(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "a SubStatement", &SUB_STATEMENT_KEYS)?;
    body(&fields, true).map(|_| ())
}

/// Validates a result: score, success, completion, response, duration and extensions.
fn result(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(
        value,
        path,
        "a Result",
        &[
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        ],
    )?;
    if let Some(value) = fields.get("score") {
        score(value, &fields.at("score"))?;
    }
    fields.boolean("success")?;
    fields.boolean("completion")?;
    fields.string("response")?;
    fields.formatted(
        "duration",
        is_duration,
        "an ISO 8601 duration (\"PT1H30M\", \"P1D\", \"P3W\")",
    )?;
    fields.extensions("extensions")
}

/// Validates a score: `scaled` from -1 to 1, and `raw` between `min` and `max`, with `min`
/// below `max`.
fn score(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "a Score", &["scaled", "raw", "min", "max"])?;
    if let Some(scaled) = fields.number("scaled")?
        && !(-1.0..=1.0).contains(&scaled)
    {
        return Err(Invalid::new(fields.at("scaled"), "must be from -1 to 1"));
    }
    let raw = fields.number("raw")?;
    let min = fields.number("min")?;
    let max = fields.number("max")?;
    if let (Some(min), Some(max)) = (min, max)
        && min >= max
    {
        return Err(Invalid::new(fields.at("max"), "must be greater than min"));
    }
    if let (Some(raw), Some(min)) = (raw, min)
        && raw < min
    {
        return Err(Invalid::new(fields.at("raw"), "must not be less than min"));
    }
    if let (Some(raw), Some(max)) = (raw, max)
        && raw > max
    {
        return Err(Invalid::new(
            fields.at("raw"),
            "must not be greater than max",
        ));
    }
    Ok(())
}

/// Validates an attachment's metadata: `usageType` (IRI), `display` (language map),
/// `contentType` (media type), `length` (integer, at least 0) and `sha2` (hexadecimal) are
/// required; `description` (language map) and `fileUrl` (IRL) optional. A signature
/// attachment must be `application/octet-stream`.
fn attachment(value: &Value, path: &str) -> Result<(), Invalid> {
    let fields = Fields::new(value, path, "an Attachment", &ATTACHMENT_KEYS)?;
    let usage_type = fields.required_iri("usageType")?;
    fields.required("display")?;
    fields.language_map("display")?;
    fields.language_map("description")?;
    fields.required("contentType")?;
    let content_type = fields
        .formatted(
            "contentType",
            is_media_type,
            "an Internet media type (\"text/plain\")",
        )?
        .unwrap_or_default();
    match fields.required("length")? {
        Value::Number(n) if n.is_u64() => {}
        _ => {
            return Err(Invalid::new(
                fields.at("length"),
                "must be a whole number of octets, at least 0",
            ));
        }
    }
    fields.required("sha2")?;
    fields.formatted(
        "sha2",
        |s| [56, 64, 96, 128].into_iter().any(|len| is_hex(s, len)),
        "the hexadecimal SHA-2 hash of the attachment",
    )?;
    fields.iri("fileUrl")?;
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if usage_type == SIGNATURE && !media_type.eq_ignore_ascii_case("application/octet-stream") {
        return Err(Invalid::new(
            fields.at("contentType"),
            "a signature attachment must be application/octet-stream",
        ));
    }
    Ok(())
}
