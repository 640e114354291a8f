//! Black-box tests of signing in, refreshing, signing out, registering, activating and client
//! tokens.

use help_lms_domain::values::Role;
use help_lms_tests::{Options, PASSWORD, spawn_app, spawn_with};
use serde_json::json;

fn registration(email: &str) -> serde_json::Value {
    json!({
        "email": email,
        "password": "a long enough passphrase",
        "name": "Maria Rossi",
        "profession": "prosecutor",
        "country": "IT",
        "language": "it"
    })
}

#[tokio::test]
async fn a_learner_registers_logs_in_and_reads_their_account() {
    let app = spawn_app().await;
    let res = app
        .register_and_confirm(&registration("Maria.Rossi@Giustizia.example"))
        .await;
    assert_eq!(res.body["user"]["email"], "maria.rossi@giustizia.example");
    assert_eq!(res.body["user"]["status"], "active");
    assert_eq!(res.body["user"]["role"], "learner");
    assert_eq!(res.body["token_type"], "Bearer");

    // Email is matched case-insensitively at login.
    let token = app
        .login("MARIA.ROSSI@giustizia.example", "a long enough passphrase")
        .await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["name"], "Maria Rossi");
    assert_eq!(me.body["country"], "IT");
    assert_eq!(me.body["language"], "it");
    assert!(me.body.get("password_hash").is_none());
}

#[tokio::test]
async fn registration_lists_every_invalid_field_and_creates_nothing() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "not-an-email", "password": "short", "name": " ", "profession": "astronaut", "country": "US", "language": "xx"}),
            None,
        )
        .await;
    res.assert_problem(422, "validation_failed");
    let mut fields = res.problem_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "country",
            "email",
            "language",
            "name",
            "password",
            "profession"
        ]
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "not-an-email", "password": "short"}),
            None,
        )
        .await;
    assert_eq!(login.status, 422);
}

#[tokio::test]
async fn greece_registers_with_the_eu_code() {
    let app = spawn_app().await;
    let mut body = registration("nikos@dikastis.example");
    body["country"] = json!("EL");
    let res = app.register_and_confirm(&body).await;
    assert_eq!(res.body["user"]["country"], "GR");
}

#[tokio::test]
async fn registering_a_new_and_a_known_address_gives_identical_answers() {
    let app = spawn_app().await;
    app.register_and_confirm(&registration("ana@example.eu"))
        .await;
    let known = app
        .post(
            "/api/v1/auth/register",
            &registration("  ANA@Example.EU "),
            None,
        )
        .await;
    let new = app
        .post(
            "/api/v1/auth/register",
            &registration("ion@example.eu"),
            None,
        )
        .await;
    assert_eq!(known.status, 202, "{}", known.text);
    assert_eq!(new.status, known.status);
    assert_eq!(new.text, known.text);
    assert_eq!(new.header("content-type"), known.header("content-type"));
    // The owner hears that someone tried, with a reset link; the stranger learns nothing.
    let mails = app
        .mailbox
        .wait_for("ana@example.eu", 2, std::time::Duration::from_secs(10))
        .await;
    let notice = mails.last().unwrap();
    assert!(
        notice
            .links()
            .iter()
            .any(|l| l.contains("/account/reset-password?token=")),
        "{}",
        notice.text()
    );
    // No second account, and the owner's password still works.
    app.login("ana@example.eu", "a long enough passphrase")
        .await;
    let confirm = app.token_in_mail("ion@example.eu", 1).await;
    assert!(!confirm.is_empty());
}

#[tokio::test]
async fn unknown_fields_in_a_write_are_refused() {
    let app = spawn_app().await;
    let mut body = registration("x@example.eu");
    body["role"] = json!("admin");
    let res = app.post("/api/v1/auth/register", &body, None).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.problem_fields(), ["role"]);
}

#[tokio::test]
async fn registration_can_be_switched_off() {
    let app = spawn_with(Options {
        registration: false,
        ..Default::default()
    })
    .await;
    app.post("/api/v1/auth/register", &registration("x@example.eu"), None)
        .await
        .assert_problem(403, "registration_disabled");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("judge@court.example", Role::Learner, None)
        .await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "judge@court.example", "password": "not the password"}),
            None,
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nobody@court.example", "password": "not the password"}),
            None,
        )
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    unknown.assert_problem(401, "invalid_credentials");
    assert_ne!(wrong.body["request_id"], unknown.body["request_id"]);
    assert_eq!(wrong.body_but_request_id(), unknown.body_but_request_id());
}

#[tokio::test]
async fn repeated_failures_for_one_account_are_refused_with_retry_after() {
    let app = spawn_app().await;
    app.create_user("target@court.example", Role::Learner, None)
        .await;
    let bad = json!({"email": "target@court.example", "password": "guess guess guess"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", &bad, None)
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let res = app.post("/api/v1/auth/login", &bad, None).await;
    res.assert_problem(429, "too_many_requests");
    let retry: u64 = res
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    // Even the right password waits now: the lock does not tell guesses apart.
    let good = json!({"email": "target@court.example", "password": PASSWORD});
    app.post("/api/v1/auth/login", &good, None)
        .await
        .assert_problem(429, "too_many_requests");
    // An unknown account is throttled the same way, so a 429 reveals nothing either.
    let ghost = json!({"email": "ghost@court.example", "password": "guess guess guess"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", &ghost, None).await;
    }
    app.post("/api/v1/auth/login", &ghost, None)
        .await
        .assert_problem(429, "too_many_requests");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_session() {
    let app = spawn_app().await;
    app.create_user("rotate@court.example", Role::Learner, None)
        .await;
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "rotate@court.example", "password": PASSWORD}),
            None,
        )
        .await;
    let first = login.body["refresh_token"].as_str().unwrap().to_owned();

    let r1 = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first}),
            None,
        )
        .await;
    assert_eq!(r1.status, 200, "{}", r1.text);
    let second = r1.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(
        app.get("/api/v1/me", r1.body["access_token"].as_str())
            .await
            .status,
        200
    );

    // Presenting the spent token again: refused, and the whole family dies with it.
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": first}),
        None,
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": second}),
        None,
    )
    .await
    .assert_problem(401, "invalid_refresh_token");

    // A new login starts a new, working family.
    let again = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "rotate@court.example", "password": PASSWORD}),
            None,
        )
        .await;
    let third = again.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": third}),
            None
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn concurrent_use_of_one_refresh_token_succeeds_at_most_once() {
    let app = spawn_app().await;
    app.create_user("race@court.example", Role::Learner, None)
        .await;
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "race@court.example", "password": PASSWORD}),
            None,
        )
        .await;
    let token = login.body["refresh_token"].as_str().unwrap().to_owned();
    let body = json!({"refresh_token": token});
    let (a, b) = tokio::join!(
        app.post("/api/v1/auth/refresh", &body, None),
        app.post("/api/v1/auth/refresh", &body, None)
    );
    let ok = [a.status.as_u16(), b.status.as_u16()]
        .iter()
        .filter(|s| **s == 200)
        .count();
    assert!(ok <= 1, "both uses succeeded: {} / {}", a.text, b.text);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.create_user("bye@court.example", Role::Learner, None)
        .await;
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "bye@court.example", "password": PASSWORD}),
            None,
        )
        .await;
    let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();
    let res = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": refresh}),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": refresh}),
        None,
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    // Logging out twice is harmless.
    assert_eq!(
        app.post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": refresh}),
            None
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let app = spawn_app().await;
    app.get("/api/v1/me", None)
        .await
        .assert_problem(401, "missing_token");
    app.get("/api/v1/me", Some("not.a.jwt"))
        .await
        .assert_problem(401, "invalid_token");
    let res = app.get("/api/v1/me", Some("not.a.jwt")).await;
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn a_disabled_account_loses_access_at_once() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let (id, token) = app
        .user_with_token("gone@court.example", Role::Learner, None)
        .await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    help_lms_persistence::entities::users::ActiveModel {
        id: Set(id),
        status: Set("disabled".into()),
        ..Default::default()
    }
    .update(&app.db.conn)
    .await
    .unwrap();
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401, "account_inactive");
    app.post(
        "/api/v1/auth/login",
        &json!({"email": "gone@court.example", "password": PASSWORD}),
        None,
    )
    .await
    .assert_problem(401, "account_inactive");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = spawn_app().await;
    let (id, _) = app
        .user_with_token("forger@court.example", Role::Learner, None)
        .await;
    let other = help_lms_api::jwt::JwtKeys::new(b"some-other-key-some-other-key-1234567").unwrap();
    let actor = help_lms_domain::accounts::Actor {
        user_id: id,
        role: Role::Learner,
        institution_id: None,
        via_client: false,
    };
    let (forged, _) = other.issue(&actor, chrono::Duration::minutes(5)).unwrap();
    app.get("/api/v1/me", Some(&forged))
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_token_whose_role_no_longer_matches_the_account_is_refused() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let (id, token) = app
        .user_with_token("demoted@court.example", Role::Admin, None)
        .await;
    help_lms_persistence::entities::users::ActiveModel {
        id: Set(id),
        role: Set("learner".into()),
        ..Default::default()
    }
    .update(&app.db.conn)
    .await
    .unwrap();
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled_across_accounts() {
    let app = spawn_app().await;
    // 30 different accounts, one guess each, from the same address.
    for i in 0..30 {
        let body =
            json!({"email": format!("guess{i}@court.example"), "password": "guess guess guess"});
        app.post("/api/v1/auth/login", &body, None)
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "guess99@court.example", "password": "guess guess guess"}),
            None,
        )
        .await;
    res.assert_problem(429, "too_many_requests");
    assert!(res.header("retry-after").is_some());
}
