//! Unit tests of the xAPI rules. The cases follow xAPI 2.0 and the statements of the ADL LRS
//! conformance test suite: for each rule, at least one statement that must be accepted and
//! one that must be refused, the refusal checked to name the property at fault.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod activity;
mod agents;
mod context;
mod result;
mod statement;
mod syntax;

use serde_json::{Value, json};

use super::validate_statement;

/// A small valid statement: an Agent attended an Activity.
fn statement() -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attended",
            "display": {"en-GB": "attended", "en-US": "attended"}
        },
        "object": {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"}
    })
}

/// `value` with the property at the JSON pointer `pointer` set to `new`; the parent must
/// exist.
fn with(mut value: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match value.pointer_mut(parent).unwrap() {
        Value::Object(map) => {
            map.insert(key.to_owned(), new);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = new,
        other => panic!("{parent} is not an object or array: {other}"),
    }
    value
}

/// `value` without the property at the JSON pointer `pointer`, which must exist.
fn without(mut value: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let removed = value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|map| map.remove(key));
    assert!(removed.is_some(), "{pointer} is not in the statement");
    value
}

/// The small statement with another actor.
fn with_actor(actor: Value) -> Value {
    with(statement(), "/actor", actor)
}

#[track_caller]
fn accepted(value: &Value) {
    if let Err(invalid) = validate_statement(value) {
        panic!("refused: {invalid}\n{value:#}");
    }
}

#[track_caller]
fn refused(value: &Value, path: &str) {
    match validate_statement(value) {
        Ok(()) => panic!("accepted, though {path} is wrong:\n{value:#}"),
        Err(invalid) => assert_eq!(invalid.path, path, "refused for another reason: {invalid}"),
    }
}
