//! The statement as a whole: its properties, verb, kinds of object, SubStatements, voiding,
//! version, timestamps and errors.

use serde_json::json;

use super::{accepted, refused, statement, with, without};
use crate::xapi::{Invalid, validate_statement};

#[test]
fn a_minimal_statement_is_accepted() {
    accepted(&statement());
}

#[test]
fn a_statement_using_every_property_is_accepted() {
    let full = json!({
        "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0",
        "actor": {"objectType": "Agent", "mbox": "mailto:xapi@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {
            "id": "http://www.example.com/meetings/occurances/34534",
            "definition": {
                "name": {"en-US": "example meeting"},
                "type": "http://adlnet.gov/expapi/activities/meeting",
                "moreInfo": "http://virtualmeeting.example.com/345256"
            }
        },
        "result": {"score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100}, "success": true},
        "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "revision": "1", "platform": "web"},
        "timestamp": "2013-05-18T05:32:34.804Z",
        "stored": "2013-05-18T05:32:34.804+00:00",
        "authority": {"objectType": "Agent", "account": {"homePage": "http://example.com/lrs", "name": "client"}},
        "version": "2.0.0",
        "attachments": [{
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "contentType": "text/plain; charset=ascii",
            "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
        }]
    });
    accepted(&full);
}

#[test]
fn a_statement_that_is_not_an_object_is_refused() {
    refused(&json!([statement()]), "");
    refused(&json!("statement"), "");
}

#[test]
fn an_unknown_property_is_refused() {
    refused(&with(statement(), "/dummy", json!("dummy")), "dummy");
}

#[test]
fn a_property_named_in_another_case_is_refused() {
    let mut renamed = without(statement(), "/actor");
    renamed = with(renamed, "/Actor", statement()["actor"].clone());
    refused(&renamed, "Actor");
    refused(
        &with(statement(), "/timeStamp", json!("2013-05-18T05:32:34Z")),
        "timeStamp",
    );
}

#[test]
fn a_null_property_is_refused() {
    refused(&with(statement(), "/timestamp", json!(null)), "timestamp");
    refused(&with(statement(), "/actor/name", json!(null)), "actor.name");
    refused(
        &with(statement(), "/object/definition", json!({"moreInfo": null})),
        "object.definition.moreInfo",
    );
}

#[test]
fn a_statement_without_actor_verb_or_object_is_refused() {
    refused(&without(statement(), "/actor"), "actor");
    refused(&without(statement(), "/verb"), "verb");
    refused(&without(statement(), "/object"), "object");
}

#[test]
fn a_statement_id_must_be_a_uuid() {
    accepted(&with(
        statement(),
        "/id",
        json!("AA97B177-9383-4934-8543-0F91A7A02836"),
    ));
    accepted(&with(
        statement(),
        "/id",
        json!("8f87ccde-bb56-4c2e-ab83-44982ef22df0"),
    ));
    refused(
        &with(
            statement(),
            "/id",
            json!("AA97B177-9383-4934-8543-0F91A7A028368"),
        ),
        "id",
    );
    refused(
        &with(
            statement(),
            "/id",
            json!("MA97B177-9383-4934-8543-0F91A7A02836"),
        ),
        "id",
    );
    refused(
        &with(
            statement(),
            "/id",
            json!("aa97b1779383493485430f91a7a02836"),
        ),
        "id",
    );
    refused(&with(statement(), "/id", json!(12345)), "id");
}

#[test]
fn a_verb_needs_an_iri_id() {
    accepted(&without(statement(), "/verb/display"));
    refused(&without(statement(), "/verb/id"), "verb.id");
    refused(
        &with(
            statement(),
            "/verb/id",
            json!("adlnet.gov/expapi/verbs/attended"),
        ),
        "verb.id",
    );
    refused(
        &with(statement(), "/verb/id", json!("should fail")),
        "verb.id",
    );
    refused(
        &with(
            statement(),
            "/verb",
            json!("http://adlnet.gov/expapi/verbs/attended"),
        ),
        "verb",
    );
}

#[test]
fn a_verb_display_must_be_a_language_map() {
    accepted(&with(
        statement(),
        "/verb/display",
        json!({"de": "besucht", "sr-Cyrl": "присуствовао"}),
    ));
    refused(
        &with(
            statement(),
            "/verb/display",
            json!({"something": "besucht"}),
        ),
        "verb.display",
    );
    refused(
        &with(statement(), "/verb/display", json!({"en-US": null})),
        "verb.display",
    );
    refused(
        &with(statement(), "/verb/display", json!("attended")),
        "verb.display",
    );
}

#[test]
fn a_verb_with_an_unknown_property_is_refused() {
    refused(
        &with(statement(), "/verb/name", json!("attended")),
        "verb.name",
    );
}

#[test]
fn an_object_type_must_be_one_the_standard_names_in_its_case() {
    accepted(&without(statement(), "/object/objectType"));
    refused(
        &with(statement(), "/object/objectType", json!("activity")),
        "object.objectType",
    );
    refused(
        &with(statement(), "/object/objectType", json!(1)),
        "object.objectType",
    );
}

#[test]
fn an_agent_or_group_as_object_must_say_its_object_type() {
    let agent = json!({"objectType": "Agent", "mbox": "mailto:xapi@adlnet.gov"});
    let group = json!({"objectType": "Group", "mbox": "mailto:group@adlnet.gov"});
    accepted(&with(statement(), "/object", agent.clone()));
    accepted(&with(statement(), "/object", group.clone()));
    refused(
        &without(with(statement(), "/object", agent), "/object/objectType"),
        "object.mbox",
    );
    refused(
        &without(with(statement(), "/object", group), "/object/objectType"),
        "object.mbox",
    );
}

#[test]
fn a_statement_ref_needs_a_uuid_id_and_nothing_else() {
    let reference =
        json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"});
    accepted(&with(statement(), "/object", reference.clone()));
    refused(
        &without(
            with(statement(), "/object", reference.clone()),
            "/object/id",
        ),
        "object.id",
    );
    refused(
        &with(
            with(statement(), "/object", reference.clone()),
            "/object/id",
            json!("should fail"),
        ),
        "object.id",
    );
    refused(
        &with(
            with(statement(), "/object", reference),
            "/object/definition",
            json!({}),
        ),
        "object.definition",
    );
}

fn sub_statement() -> serde_json::Value {
    json!({
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:xapi@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/reported"},
        "object": {"id": "http://www.example.com/meetings/occurances/34534"},
        "timestamp": "2013-05-18T05:32:34.804Z"
    })
}

#[test]
fn a_sub_statement_is_accepted_as_object() {
    accepted(&with(statement(), "/object", sub_statement()));
    let agent_object = with(
        sub_statement(),
        "/object",
        json!({"objectType": "Agent", "mbox": "mailto:a@b.c"}),
    );
    accepted(&with(statement(), "/object", agent_object));
}

#[test]
fn a_sub_statement_needs_actor_verb_and_object() {
    for key in ["actor", "verb", "object"] {
        let sub = without(sub_statement(), &format!("/{key}"));
        refused(&with(statement(), "/object", sub), &format!("object.{key}"));
    }
}

#[test]
fn a_sub_statement_must_not_have_id_stored_version_or_authority() {
    let values = [
        ("id", json!("8f87ccde-bb56-4c2e-ab83-44982ef22df0")),
        ("stored", json!("2013-05-18T05:32:34.804Z")),
        ("version", json!("2.0.0")),
        ("authority", json!({"mbox": "mailto:a@b.c"})),
    ];
    for (key, value) in values {
        let sub = with(sub_statement(), &format!("/{key}"), value);
        refused(&with(statement(), "/object", sub), &format!("object.{key}"));
    }
}

#[test]
fn a_sub_statement_must_not_hold_another_sub_statement() {
    let nested = with(sub_statement(), "/object", sub_statement());
    refused(
        &with(statement(), "/object", nested),
        "object.object.objectType",
    );
}

#[test]
fn a_sub_statement_is_validated_like_a_statement() {
    let bad_verb = with(sub_statement(), "/verb/id", json!("ab=c://should.fail.com"));
    refused(&with(statement(), "/object", bad_verb), "object.verb.id");
    let bad_time = with(sub_statement(), "/timestamp", json!("01/011/2015"));
    refused(&with(statement(), "/object", bad_time), "object.timestamp");
}

#[test]
fn a_voiding_statement_must_reference_a_statement() {
    let voiding = with(
        statement(),
        "/verb/id",
        json!("http://adlnet.gov/expapi/verbs/voided"),
    );
    let reference =
        json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"});
    accepted(&with(voiding.clone(), "/object", reference));
    refused(&voiding, "object");
}

#[test]
fn a_version_must_be_1_0_or_2_0() {
    for version in ["1.0", "1.0.0", "1.0.3", "1.0.9", "2.0", "2.0.0"] {
        accepted(&with(statement(), "/version", json!(version)));
    }
    for version in [
        "should fail",
        "0.9.9",
        "1.1.0",
        "2.1",
        "1.0.",
        "1.0.x",
        "2.0.0.1",
    ] {
        refused(&with(statement(), "/version", json!(version)), "version");
    }
    refused(&with(statement(), "/version", json!(1.0)), "version");
}

#[test]
fn a_timestamp_must_be_rfc_3339_with_a_time_zone() {
    for time in [
        "2008-09-15T15:53:00.601+00:00",
        "2023-05-04T12:00:00-05:00",
        "2013-05-18T05:32:34Z",
    ] {
        accepted(&with(statement(), "/timestamp", json!(time)));
        accepted(&with(statement(), "/stored", json!(time)));
    }
    for time in [
        "should fail",
        "01/011/2015",
        "2008-09-15T15:53:00.601-00:00",
        "2008-09-15T15:53:00",
    ] {
        refused(&with(statement(), "/timestamp", json!(time)), "timestamp");
        refused(&with(statement(), "/stored", json!(time)), "stored");
    }
}

#[test]
fn a_refusal_is_shown_as_path_and_message() {
    let invalid = validate_statement(&with(statement(), "/id", json!("x"))).unwrap_err();
    assert_eq!(invalid.to_string(), format!("id: {}", invalid.message));
    assert!(invalid.message.contains("UUID"));
    assert_eq!(
        Invalid::new("", "must be a statement").to_string(),
        "must be a statement"
    );
}
