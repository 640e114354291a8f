//! Black-box tests of the signed-in account.

use help_lms_domain::values::Role;
use help_lms_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_user_changes_their_name_and_language() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("lena@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .patch(
            "/api/v1/me",
            &json!({"name": "  Lena Fischer ", "language": "de"}),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name"], "Lena Fischer");
    assert_eq!(res.body["language"], "de");
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["language"], "de");
}

#[tokio::test]
async fn a_learner_cannot_change_their_role_status_or_institution() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("sneaky@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .patch(
            "/api/v1/me",
            &json!({"name": "Changed", "role": "admin", "status": "active", "institution_id": "0190f000-0000-7000-8000-000000000000"}),
            Some(&token),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    let mut fields = res.problem_fields();
    fields.sort();
    assert_eq!(fields, ["institution_id", "role", "status"]);
    assert!(
        res.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"] == "read_only")
    );
    // Nothing changed, not even the valid field.
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["role"], "learner");
    assert_eq!(me.body["name"], "Test learner");
}

#[tokio::test]
async fn invalid_profile_values_name_their_field() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("typo@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .patch(
            "/api/v1/me",
            &json!({"language": "klingon", "name": ""}),
            Some(&token),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    let mut fields = res.problem_fields();
    fields.sort();
    assert_eq!(fields, ["language", "name"]);
}

#[tokio::test]
async fn malformed_json_is_a_problem_too() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("broken@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .send(
            app.request(reqwest::Method::PATCH, "/api/v1/me", Some(&token))
                .header("content-type", "application/json")
                .body("{\"name\": "),
        )
        .await;
    res.assert_problem(400, "invalid_json");
    let res = app
        .send(
            app.request(reqwest::Method::PATCH, "/api/v1/me", Some(&token))
                .header("content-type", "text/plain")
                .body("name=x"),
        )
        .await;
    res.assert_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("big@justiz.example", Role::Learner, None)
        .await;
    let huge = json!({"name": "x".repeat(3 * 1024 * 1024)});
    let res = app.patch("/api/v1/me", &huge, Some(&token)).await;
    res.assert_problem(413, "payload_too_large");
}
