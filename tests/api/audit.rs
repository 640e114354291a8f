//! The audit trail: security-relevant events are recorded with who, what, when and the
//! request's id, nothing personal; admins read all of it, managers their institution's.

use help_lms_domain::values::Role;
use serde_json::json;

use help_lms_tests::{PASSWORD, institution, spawn_app};

#[tokio::test]
async fn security_events_are_recorded_with_ids_only_and_each_reader_sees_their_share() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let a = institution(&app, &admin, "Institut A", "FR").await;
    let b = institution(&app, &admin, "Institut B", "BE").await;
    let (learner_id, _) = app
        .user_with_token("lea@justice.example", Role::Learner, Some(a.id))
        .await;
    // A failed login and a successful one.
    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "lea@justice.example", "password": "not it at all"}),
            None,
        )
        .await;
    assert_eq!(wrong.status, 401);
    app.login("lea@justice.example", PASSWORD).await;
    // Institution A's manager makes and revokes an API client; B's makes one.
    let client = app
        .post(
            &format!("/api/v1/institutions/{}/clients", a.id),
            &json!({"name": "records"}),
            Some(&a.manager),
        )
        .await;
    assert_eq!(client.status, 201, "{}", client.text);
    let client_id = client.body["id"].as_str().unwrap().to_owned();
    let gone = app
        .delete(
            &format!("/api/v1/institutions/{}/clients/{client_id}", a.id),
            Some(&a.manager),
        )
        .await;
    assert_eq!(gone.status, 204);
    let other = app
        .post(
            &format!("/api/v1/institutions/{}/clients", b.id),
            &json!({"name": "theirs"}),
            Some(&b.manager),
        )
        .await;
    assert_eq!(other.status, 201);

    let all = app.get("/api/v1/audit?limit=100", Some(&admin)).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let actions: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "login_failed",
        "login_succeeded",
        "api_client_created",
        "api_client_revoked",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert!(
        !all.text.contains("@justice.example"),
        "an email is in the audit trail"
    );
    let failed = app
        .get("/api/v1/audit?action=login_failed", Some(&admin))
        .await;
    assert_eq!(failed.body["total"], 1, "{}", failed.text);
    let entry = &failed.body["items"][0];
    assert_eq!(entry["object_id"], learner_id.to_string());
    assert!(entry["request_id"].is_string());

    // A's manager reads A's events only, and may not ask for B's.
    let theirs = app.get("/api/v1/audit?limit=100", Some(&a.manager)).await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    let items = theirs.body["items"].as_array().unwrap();
    assert!(items.iter().any(|e| e["object_id"] == client_id.as_str()));
    assert!(
        items.iter().all(|e| e["institution_id"] == a.id.to_string()
            || e["actor_institution"] == a.id.to_string()),
        "{}",
        theirs.text
    );
    app.get(
        &format!("/api/v1/audit?institution_id={}", b.id),
        Some(&a.manager),
    )
    .await
    .assert_problem(404, "not_found");
    // The CSV of it, which is itself recorded.
    let csv = app
        .send(
            app.request(
                reqwest::Method::GET,
                "/api/v1/audit?action=api_client_created",
                Some(&admin),
            )
            .header("accept", "text/csv"),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.lines().count() >= 3, "{}", csv.text);
    let exported = app
        .get("/api/v1/audit?action=audit_exported", Some(&admin))
        .await;
    assert_eq!(exported.body["total"], 1);
    // Learners and tutors read none of it; a wrong action is named.
    let (_, learner) = app
        .user_with_token("l2@x.example", Role::Learner, None)
        .await;
    app.get("/api/v1/audit", Some(&learner))
        .await
        .assert_problem(403, "managers_only");
    let bad = app.get("/api/v1/audit?action=nonsense", Some(&admin)).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.problem_fields(), ["action"]);
}

#[tokio::test]
async fn an_over_long_object_id_is_named_and_an_invitation_token_counts_characters() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let long = "0".repeat(101);
    let res = app
        .get(&format!("/api/v1/audit?object_id={long}"), Some(&admin))
        .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.problem_fields(), ["object_id"]);
    // 200 accented characters are within the documented bound: an unknown token, 404.
    let (_, learner) = app
        .user_with_token("t@x.example", Role::Learner, None)
        .await;
    let token = "é".repeat(200);
    app.post(
        "/api/v1/me/invitations/decline",
        &json!({"token": token}),
        Some(&learner),
    )
    .await
    .assert_problem(404, "not_found");
}
