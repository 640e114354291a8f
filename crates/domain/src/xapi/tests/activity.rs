//! Activities, their definitions and interaction activities.

use serde_json::{Value, json};

use super::{accepted, refused, statement, with, without};

fn with_definition(definition: Value) -> Value {
    with(statement(), "/object/definition", definition)
}

fn components(ids: &[&str]) -> Value {
    ids.iter()
        .map(|id| json!({"id": id, "description": {"en-US": format!("Component {id}")}}))
        .collect()
}

#[test]
fn an_activity_needs_an_iri_id() {
    accepted(&with(
        statement(),
        "/object/id",
        json!("http://example.com/path/../abc"),
    ));
    accepted(&with(
        statement(),
        "/object/id",
        json!("urn:uuid:8f87ccde-bb56-4c2e-ab83-44982ef22df0"),
    ));
    refused(&without(statement(), "/object/id"), "object.id");
    refused(
        &with(
            statement(),
            "/object/id",
            json!("www.example.com/meetings/occurances/34534"),
        ),
        "object.id",
    );
    refused(
        &with(statement(), "/object/id", json!("ab=c://should.fail.com")),
        "object.id",
    );
}

#[test]
fn an_activity_with_an_unknown_property_is_refused() {
    refused(
        &with(statement(), "/object/name", json!({"en-US": "x"})),
        "object.name",
    );
}

#[test]
fn a_definition_must_be_an_object() {
    accepted(&with_definition(json!({})));
    refused(&with_definition(json!("definition")), "object.definition");
}

#[test]
fn a_definition_name_and_description_are_language_maps() {
    let maps = json!({"name": {"de-DE": "Treffen"}, "description": {"zh-Hant": "會議", "en": "a meeting"}});
    accepted(&with_definition(maps));
    refused(
        &with_definition(json!({"name": "meeting"})),
        "object.definition.name",
    );
    refused(
        &with_definition(json!({"name": 12345})),
        "object.definition.name",
    );
    refused(
        &with_definition(json!({"description": {"en-US": 1}})),
        "object.definition.description",
    );
    refused(
        &with_definition(json!({"description": {"a12345678": "x"}})),
        "object.definition.description",
    );
}

#[test]
fn a_definition_type_and_more_info_are_iris() {
    let good = json!({"type": "http://adlnet.gov/expapi/activities/meeting", "moreInfo": "http://virtualmeeting.example.com/345256"});
    accepted(&with_definition(good));
    refused(
        &with_definition(json!({"type": "adlnet.gov/expapi/activities/meeting"})),
        "object.definition.type",
    );
    refused(
        &with_definition(json!({"moreInfo": "virtualmeeting.example.com/345256"})),
        "object.definition.moreInfo",
    );
}

#[test]
fn a_definition_extensions_object_has_iri_keys() {
    accepted(&with_definition(
        json!({"extensions": {"http://example.com/ex": null}}),
    ));
    accepted(&with_definition(
        json!({"extensions": {"http://example.com/ex": "", "http://example.com/o": {}}}),
    ));
    refused(
        &with_definition(json!({"extensions": "should fail"})),
        "object.definition.extensions",
    );
    refused(
        &with_definition(json!({"extensions": {"not.valid.com/extension": 1234}})),
        "object.definition.extensions.not.valid.com/extension",
    );
}

#[test]
fn every_interaction_type_is_accepted() {
    for kind in ["true-false", "fill-in", "long-fill-in", "numeric", "other"] {
        accepted(&with_definition(
            json!({"interactionType": kind, "correctResponsesPattern": ["true"]}),
        ));
    }
    let lists = [
        (
            "choice",
            json!({"choices": components(&["golf", "tetris"])}),
        ),
        (
            "sequencing",
            json!({"choices": components(&["tim", "ben"])}),
        ),
        (
            "likert",
            json!({"scale": components(&["likert_0", "likert_1"])}),
        ),
        (
            "matching",
            json!({"source": components(&["ben"]), "target": components(&["1"])}),
        ),
        ("performance", json!({"steps": components(&["pong", "dg"])})),
    ];
    for (kind, mut definition) in lists {
        definition["interactionType"] = json!(kind);
        definition["correctResponsesPattern"] = json!(["golf[,]tetris"]);
        accepted(&with_definition(definition));
    }
}

#[test]
fn an_unknown_or_miscased_interaction_type_is_refused() {
    for kind in [
        json!("true-faLse"),
        json!("Other"),
        json!("http://adlnet.gov/choice"),
        json!(12),
        json!({}),
    ] {
        refused(
            &with_definition(json!({ "interactionType": kind })),
            "object.definition.interactionType",
        );
    }
}

#[test]
fn interaction_properties_without_interaction_type_are_refused() {
    refused(
        &with_definition(json!({"correctResponsesPattern": ["true"]})),
        "object.definition.correctResponsesPattern",
    );
    for list in ["choices", "scale", "source", "target", "steps"] {
        let definition = json!({ list: components(&["a"]) });
        refused(
            &with_definition(definition),
            &format!("object.definition.{list}"),
        );
    }
}

#[test]
fn a_component_list_must_fit_the_interaction_type() {
    let wrong = json!({"interactionType": "true-false", "choices": components(&["a"])});
    refused(&with_definition(wrong), "object.definition.choices");
    let wrong = json!({"interactionType": "choice", "scale": components(&["a"])});
    refused(&with_definition(wrong), "object.definition.scale");
}

#[test]
fn a_correct_responses_pattern_is_an_array_of_strings() {
    accepted(&with_definition(
        json!({"interactionType": "fill-in", "correctResponsesPattern": []}),
    ));
    let number = json!({"interactionType": "numeric", "correctResponsesPattern": [4]});
    refused(
        &with_definition(number),
        "object.definition.correctResponsesPattern[0]",
    );
    let string = json!({"interactionType": "numeric", "correctResponsesPattern": "4"});
    refused(
        &with_definition(string),
        "object.definition.correctResponsesPattern",
    );
}

#[test]
fn an_interaction_component_needs_a_distinct_string_id() {
    let choice =
        |items: Value| with_definition(json!({"interactionType": "choice", "choices": items}));
    accepted(&choice(json!([{"id": "golf"}])));
    refused(
        &choice(json!([{"description": {"en-US": "Golf"}}])),
        "object.definition.choices[0].id",
    );
    refused(
        &choice(json!([{"id": 1}])),
        "object.definition.choices[0].id",
    );
    refused(
        &choice(components(&["golf", "golf"])),
        "object.definition.choices[1].id",
    );
    refused(
        &choice(json!([{"id": "golf", "name": "x"}])),
        "object.definition.choices[0].name",
    );
}

#[test]
fn an_interaction_component_description_is_a_language_map() {
    let steps = json!([{"id": "pong", "description": {"sr-Latn-RS": "Pong"}}]);
    accepted(&with_definition(
        json!({"interactionType": "performance", "steps": steps}),
    ));
    let steps = json!([{"id": "pong", "description": {"a12345": "Pong"}}]);
    refused(
        &with_definition(json!({"interactionType": "performance", "steps": steps})),
        "object.definition.steps[0].description",
    );
}
