//! Results, scores and attachments.

use serde_json::{Value, json};

use super::{accepted, refused, statement, with, without};

fn with_result(result: Value) -> Value {
    with(statement(), "/result", result)
}

fn with_score(score: Value) -> Value {
    with_result(json!({ "score": score }))
}

#[test]
fn a_full_result_is_accepted() {
    let result = json!({
        "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
        "success": true,
        "completion": false,
        "response": "We agreed on some example actions.",
        "duration": "PT1H0M0S",
        "extensions": {"http://example.com/ex": {"name": "Thomas"}}
    });
    accepted(&with_result(result));
    accepted(&with_result(json!({})));
}

#[test]
fn a_result_with_an_unknown_property_is_refused() {
    refused(&with_result(json!({"grade": "A"})), "result.grade");
    refused(&with_result(json!("passed")), "result");
}

#[test]
fn success_and_completion_are_booleans() {
    refused(&with_result(json!({"success": "true"})), "result.success");
    refused(&with_result(json!({"completion": 1})), "result.completion");
}

#[test]
fn a_response_is_a_string() {
    refused(&with_result(json!({"response": 12345})), "result.response");
}

#[test]
fn a_duration_is_an_iso_8601_duration() {
    for duration in [
        "PT1H0M0.1S",
        "PT4H35M59.14S",
        "PT16559.14S",
        "P3Y1M29DT4H35M59.14S",
        "P3Y",
        "P4W",
        "P1DT12H36M0.12567S",
    ] {
        accepted(&with_result(json!({ "duration": duration })));
    }
    for duration in [
        json!("PA1H0M0S"),
        json!("should fail"),
        json!("P4W1D"),
        json!(12345),
        json!({"key": "x"}),
    ] {
        refused(
            &with_result(json!({ "duration": duration })),
            "result.duration",
        );
    }
}

#[test]
fn result_extensions_have_iri_keys() {
    accepted(&with_result(json!({"extensions": {}})));
    refused(
        &with_result(json!({"extensions": {"should fail": 1}})),
        "result.extensions.should fail",
    );
}

#[test]
fn a_scaled_score_is_from_minus_one_to_one() {
    for scaled in [-1.0, 0.0, 0.12123434, 1.0] {
        accepted(&with_score(json!({ "scaled": scaled })));
    }
    refused(&with_score(json!({"scaled": 1.01})), "result.score.scaled");
    refused(&with_score(json!({"scaled": -1.01})), "result.score.scaled");
    refused(&with_score(json!({"scaled": "0.5"})), "result.score.scaled");
}

#[test]
fn a_raw_score_lies_between_min_and_max() {
    accepted(&with_score(
        json!({"raw": 12.125, "min": 0.12123434, "max": 45.45}),
    ));
    accepted(&with_score(json!({"raw": 0, "min": 0, "max": 1})));
    accepted(&with_score(json!({"raw": 1, "min": 0, "max": 1})));
    accepted(&with_score(json!({"raw": -1000})));
    refused(
        &with_score(json!({"raw": 101, "min": 0, "max": 100})),
        "result.score.raw",
    );
    refused(
        &with_score(json!({"raw": -1, "min": 0, "max": 100})),
        "result.score.raw",
    );
    refused(
        &with_score(json!({"raw": -1, "min": 0})),
        "result.score.raw",
    );
    refused(&with_score(json!({"raw": 2, "max": 1})), "result.score.raw");
}

#[test]
fn a_max_score_is_greater_than_min() {
    refused(
        &with_score(json!({"min": 10, "max": 1})),
        "result.score.max",
    );
    refused(&with_score(json!({"min": 1, "max": 1})), "result.score.max");
    refused(&with_score(json!({"max": "100"})), "result.score.max");
}

#[test]
fn a_score_with_an_unknown_property_is_refused() {
    refused(&with_score(json!({"percent": 95})), "result.score.percent");
    refused(&with_score(json!(95)), "result.score");
}

fn attachment() -> Value {
    json!({
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "description": {"en-US": "A test attachment (description)"},
        "contentType": "text/plain; charset=ascii",
        "length": 27,
        "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
        "fileUrl": "http://over.there.com/file.txt"
    })
}

fn with_attachment(attachment: Value) -> Value {
    with(statement(), "/attachments", json!([attachment]))
}

#[test]
fn an_attachment_is_accepted() {
    accepted(&with_attachment(attachment()));
    accepted(&with_attachment(without(
        without(attachment(), "/fileUrl"),
        "/description",
    )));
    accepted(&with(statement(), "/attachments", json!([])));
}

#[test]
fn attachments_must_be_an_array_of_objects() {
    refused(
        &with(statement(), "/attachments", attachment()),
        "attachments",
    );
    refused(
        &with(statement(), "/attachments", json!([1])),
        "attachments[0]",
    );
}

#[test]
fn an_attachment_lacking_a_required_property_is_refused() {
    for key in ["usageType", "display", "contentType", "length", "sha2"] {
        refused(
            &with_attachment(without(attachment(), &format!("/{key}"))),
            &format!("attachments[0].{key}"),
        );
    }
}

#[test]
fn an_attachment_checks_the_format_of_each_property() {
    let cases = [
        ("usageType", json!("example.com/attachment-usage/test")),
        ("display", json!({"something": "x"})),
        ("description", json!({"es-MX": "x", "something": "y"})),
        ("contentType", json!(123)),
        ("contentType", json!("plain text")),
        ("length", json!("27")),
        ("length", json!(-1)),
        ("length", json!(2.5)),
        ("sha2", json!("should fail")),
        ("sha2", json!(123)),
        ("fileUrl", json!("over.there.com/file.txt")),
        ("name", json!("file.txt")),
    ];
    for (key, value) in cases {
        refused(
            &with_attachment(with(attachment(), &format!("/{key}"), value)),
            &format!("attachments[0].{key}"),
        );
    }
}

#[test]
fn a_signature_attachment_is_an_octet_stream() {
    let signature = with(
        attachment(),
        "/usageType",
        json!("http://adlnet.gov/expapi/attachments/signature"),
    );
    accepted(&with_attachment(with(
        signature.clone(),
        "/contentType",
        json!("application/octet-stream"),
    )));
    refused(&with_attachment(signature), "attachments[0].contentType");
}
