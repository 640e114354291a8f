//! The committed spec must match the code: regenerate it with
//! `cargo run -q -- openapi > openapi/openapi.json`.

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = help_lms_api::openapi()
        .to_pretty_json()
        .expect("serialise the spec");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is out of date; run: cargo run -q -- openapi > openapi/openapi.json"
    );
}

#[test]
fn every_operation_has_an_id_a_tag_and_documents_its_problems() {
    let spec = serde_json::to_value(help_lms_api::openapi()).expect("spec as JSON");
    let mut count = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            count += 1;
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has no tag"
            );
            if path.starts_with("/api/v1") && method != "get" {
                let responses = op["responses"].as_object().expect("responses");
                let documents = |content_type: &str| {
                    responses.iter().any(|(code, r)| {
                        code.starts_with('4') && r["content"].get(content_type).is_some()
                    })
                };
                if path == "/api/v1/auth/token" {
                    // The OAuth token endpoint answers RFC 6749 errors, not problems.
                    assert!(
                        documents("application/json") && !documents("application/problem+json"),
                        "{method} {path} must document OAuth errors only"
                    );
                    continue;
                }
                assert!(
                    documents("application/problem+json")
                        || method == "post" && path.ends_with("/logout"),
                    "{method} {path} documents no problem+json error"
                );
            }
        }
    }
    assert!(count >= 10);
}

#[test]
fn operations_document_the_problems_their_extractors_answer() {
    let spec = serde_json::to_value(help_lms_api::openapi()).expect("spec as JSON");
    let (mut secured, mut json_writes) = (0, 0);
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if op["operationId"] == "client_token" {
                continue;
            }
            let problem = |status: &str| {
                op["responses"][status]["content"]
                    .get("application/problem+json")
                    .is_some()
            };
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                secured += 1;
                assert!(
                    problem("401"),
                    "{method} {path} needs a token but documents no 401"
                );
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params
                .iter()
                .any(|p| p["in"] == "path" && p["schema"]["format"] == "uuid")
            {
                assert!(
                    problem("400"),
                    "{method} {path} takes a UUID but documents no 400"
                );
            }
            if params.iter().any(|p| p["in"] == "query") {
                assert!(
                    problem("422"),
                    "{method} {path} takes a query but documents no 422"
                );
            }
            if op["requestBody"]["content"]
                .get("application/json")
                .is_some()
            {
                json_writes += 1;
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        problem(status),
                        "{method} {path} reads JSON but documents no {status}"
                    );
                }
            }
        }
    }
    assert!(
        secured > 20 && json_writes > 10,
        "{secured} secured, {json_writes} JSON writes"
    );
}

#[test]
fn closed_sets_of_values_are_enums_in_the_spec() {
    let spec = serde_json::to_value(help_lms_api::openapi()).expect("spec as JSON");
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    // Properties that hold a value of a closed set, and the few that are left as text:
    // the completion row's group keys (absent, null or a value) and a health answer.
    let closed = [
        "country",
        "profession",
        "role",
        "language",
        "languages",
        "kind",
        "source",
        "account_status",
        "enrolment_status",
        "status",
    ];
    let left_as_text = [
        ("CompletionRowDto", "country"),
        ("CompletionRowDto", "profession"),
        ("CompletionRowDto", "language"),
        ("Health", "status"),
        ("ProgressWrite", "status"),
    ];
    let mut checked = 0;
    for (name, schema) in schemas {
        for (prop, value) in schema["properties"].as_object().into_iter().flatten() {
            if !closed.contains(&prop.as_str())
                || left_as_text.contains(&(name.as_str(), prop.as_str()))
            {
                continue;
            }
            let text = value.to_string();
            if !text.contains("\"$ref\"") && !text.contains("\"string\"") {
                continue; // a number, such as Problem.status
            }
            checked += 1;
            assert!(
                text.contains("\"$ref\"") || value["enum"].is_array(),
                "{name}.{prop} is free text in the spec: {text}"
            );
        }
    }
    assert!(checked > 25, "only {checked} properties checked");
}
