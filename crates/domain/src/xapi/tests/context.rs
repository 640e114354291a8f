//! The context of a statement.

use serde_json::{Value, json};

use super::{accepted, refused, statement, with};

fn with_context(context: Value) -> Value {
    with(statement(), "/context", context)
}

fn activity(id: &str) -> Value {
    json!({"objectType": "Activity", "id": format!("http://www.example.com/{id}")})
}

#[test]
fn a_context_with_an_unknown_property_is_refused() {
    accepted(&with_context(json!({})));
    refused(
        &with_context(json!({"objectType": "Context"})),
        "context.objectType",
    );
    refused(&with_context(json!("context")), "context");
}

#[test]
fn a_registration_is_a_uuid() {
    accepted(&with_context(
        json!({"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"}),
    ));
    refused(
        &with_context(json!({"registration": "AA97B177-9383-4934-8543-0F91A7A028368"})),
        "context.registration",
    );
    refused(
        &with_context(json!({"registration": {"key": "x"}})),
        "context.registration",
    );
}

#[test]
fn an_instructor_is_an_agent_or_group() {
    accepted(&with_context(
        json!({"instructor": {"mbox": "mailto:pri@adlnet.gov"}}),
    ));
    accepted(&with_context(
        json!({"instructor": {"objectType": "Group", "mbox": "mailto:t@adlnet.gov"}}),
    ));
    refused(
        &with_context(json!({"instructor": "should fail"})),
        "context.instructor",
    );
    refused(
        &with_context(json!({"instructor": {"key": "value"}})),
        "context.instructor.key",
    );
}

#[test]
fn a_team_is_a_group() {
    accepted(&with_context(
        json!({"team": {"objectType": "Group", "mbox": "mailto:t@adlnet.gov"}}),
    ));
    refused(
        &with_context(json!({"team": {"objectType": "Agent", "mbox": "mailto:a@adlnet.gov"}})),
        "context.team.objectType",
    );
    refused(
        &with_context(json!({"team": {"mbox": "mailto:a@adlnet.gov"}})),
        "context.team.objectType",
    );
}

#[test]
fn context_activities_are_activities_or_arrays_of_them() {
    let activities = json!({
        "parent": activity("parent"),
        "grouping": [activity("grouping")],
        "category": [activity("category"), {"id": "http://www.example.com/c2"}],
        "other": []
    });
    accepted(&with_context(json!({ "contextActivities": activities })));
    refused(
        &with_context(json!({"contextActivities": {"consequences": [activity("x")]}})),
        "context.contextActivities.consequences",
    );
    refused(
        &with_context(json!({"contextActivities": {"parent": "http://www.example.com/p"}})),
        "context.contextActivities.parent",
    );
    let bad = json!({"other": [activity("a"), {"id": "http://www.example.com/b", "key": "v"}]});
    refused(
        &with_context(json!({ "contextActivities": bad })),
        "context.contextActivities.other[1].key",
    );
    refused(
        &with_context(json!({"contextActivities": "parent"})),
        "context.contextActivities",
    );
}

fn context_agent() -> Value {
    json!({
        "objectType": "contextAgent",
        "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
        "relevantTypes": ["https://example.com/xapi/activity-types/personnel/player"]
    })
}

fn context_group() -> Value {
    json!({
        "objectType": "contextGroup",
        "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com",
                  "member": [{"mbox": "mailto:player-1@example.com"}]},
        "relevantTypes": ["https://example.com/xapi/activity-types/team/a"]
    })
}

#[test]
fn context_agents_are_accepted() {
    accepted(&with_context(json!({"contextAgents": [context_agent()]})));
    let plain = json!({"objectType": "contextAgent", "agent": {"mbox": "mailto:a@b.c"}});
    accepted(&with_context(json!({"contextAgents": [plain]})));
}

#[test]
fn a_context_agent_needs_its_object_type_and_a_valid_agent() {
    let path = "context.contextAgents[0]";
    let bad_type = with(context_agent(), "/objectType", json!("Should fail"));
    refused(
        &with_context(json!({"contextAgents": [bad_type]})),
        &format!("{path}.objectType"),
    );
    let bad_agent = with(context_agent(), "/agent", json!({"key": "Should fail"}));
    refused(
        &with_context(json!({"contextAgents": [bad_agent]})),
        &format!("{path}.agent.key"),
    );
    let group = with(context_agent(), "/agent", context_group()["group"].clone());
    refused(
        &with_context(json!({"contextAgents": [group]})),
        &format!("{path}.agent.objectType"),
    );
    refused(
        &with_context(json!({"contextAgents": context_agent()})),
        "context.contextAgents",
    );
}

#[test]
fn relevant_types_are_a_non_empty_array_of_iris() {
    let path = "context.contextAgents[0].relevantTypes";
    let empty = with(context_agent(), "/relevantTypes", json!([]));
    refused(&with_context(json!({"contextAgents": [empty]})), path);
    let not_iri = with(context_agent(), "/relevantTypes", json!(["abc"]));
    refused(
        &with_context(json!({"contextAgents": [not_iri]})),
        &format!("{path}[0]"),
    );
    let empty = with(context_group(), "/relevantTypes", json!([]));
    refused(
        &with_context(json!({"contextGroups": [empty]})),
        "context.contextGroups[0].relevantTypes",
    );
}

#[test]
fn a_context_group_needs_its_object_type_and_a_valid_group() {
    accepted(&with_context(
        json!({"contextGroups": [context_group(), context_group()]}),
    ));
    let path = "context.contextGroups[0]";
    let bad_type = with(context_group(), "/objectType", json!("contextAgent"));
    refused(
        &with_context(json!({"contextGroups": [bad_type]})),
        &format!("{path}.objectType"),
    );
    let agent = with(context_group(), "/group", json!({"mbox": "mailto:a@b.c"}));
    refused(
        &with_context(json!({"contextGroups": [agent]})),
        &format!("{path}.group.objectType"),
    );
    let extra = with(context_group(), "/member", json!([]));
    refused(
        &with_context(json!({"contextGroups": [extra]})),
        &format!("{path}.member"),
    );
}

#[test]
fn revision_and_platform_are_strings() {
    accepted(&with_context(
        json!({"revision": "rev_10_3_2", "platform": "Example virtual meeting software"}),
    ));
    refused(&with_context(json!({"revision": 123})), "context.revision");
    refused(
        &with_context(json!({"platform": {"key": "x"}})),
        "context.platform",
    );
}

#[test]
fn revision_and_platform_need_an_activity_as_object() {
    let objects = [
        json!({"objectType": "Agent", "mbox": "mailto:a@b.c"}),
        json!({"objectType": "Group", "mbox": "mailto:g@b.c"}),
        json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}),
    ];
    for object in objects {
        for key in ["revision", "platform"] {
            let statement = with(with_context(json!({ key: "1" })), "/object", object.clone());
            refused(&statement, &format!("context.{key}"));
        }
    }
    let no_type = with(
        with_context(json!({"platform": "web"})),
        "/object",
        json!({"id": "http://a.example/b"}),
    );
    accepted(&no_type);
}

#[test]
fn a_context_language_is_an_rfc_5646_tag() {
    for tag in ["tlh", "cmn", "fr-CA", "zh-Hans-CN", "es-419"] {
        accepted(&with_context(json!({ "language": tag })));
    }
    for tag in [json!("something"), json!("a12345"), json!(""), json!(12)] {
        refused(
            &with_context(json!({ "language": tag })),
            "context.language",
        );
    }
}

#[test]
fn a_context_statement_is_a_statement_ref() {
    let reference =
        json!({"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"});
    accepted(&with_context(json!({ "statement": reference })));
    let missing_type = json!({"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"});
    refused(
        &with_context(json!({ "statement": missing_type })),
        "context.statement.objectType",
    );
    let bad_id =
        json!({"objectType": "StatementRef", "id": "MA97B177-9383-4934-8543-0F91A7A02836"});
    refused(
        &with_context(json!({ "statement": bad_id })),
        "context.statement.id",
    );
}

#[test]
fn context_extensions_have_iri_keys() {
    accepted(&with_context(
        json!({"extensions": {"http://example.com/ex": null}}),
    ));
    refused(
        &with_context(json!({"extensions": {"example.com/extension/wrong": 1234}})),
        "context.extensions.example.com/extension/wrong",
    );
}
