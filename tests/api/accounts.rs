//! Getting into accounts end to end, over HTTP and a real SMTP server: invitations by
//! mail, a mail server that is away, restarts, resending, password reset and change,
//! disabling, and the pages the links lead to.

use std::time::Duration;

use help_lms_domain::values::Role;
use help_lms_tests::smtp_sink::SmtpSink;
use help_lms_tests::{
    Nti, PASSWORD, Res, TestApp, institution, spawn_with, spawn_with_catalogue, token_of,
};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const COURSE: &str = "international-cooperation-pre-trial-detention";
const HEADER: &str = "email,given name,family name,profession,country,language\n";

async fn cohort(app: &TestApp, nti: &Nti) -> Uuid {
    let res = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": COURSE, "language": "fr", "name": "Juges 2027", "starts_on": "2027-01-11", "ends_on": "2027-04-09", "capacity": 50, "tutor_ids": [nti.tutor_id]}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().parse().unwrap()
}

async fn enrol_csv(app: &TestApp, token: &str, cohort: Uuid, csv: &str, query: &str) -> Res {
    app.send(
        app.request(
            Method::POST,
            &format!("/api/v1/cohorts/{cohort}/enrolments{query}"),
            Some(token),
        )
        .header("content-type", "text/csv")
        .body(csv.to_owned()),
    )
    .await
}

async fn activate(app: &TestApp, token: &str, password: &str) -> Res {
    app.post(
        "/api/v1/auth/activate",
        &json!({"token": token, "password": password}),
        None,
    )
    .await
}

async fn setup() -> (TestApp, Nti, Uuid) {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "Institutul National al Magistraturii", "RO").await;
    let cohort = cohort(&app, &nti).await;
    (app, nti, cohort)
}

#[tokio::test]
async fn a_csv_enrolled_learner_gets_an_invitation_whose_link_activates_the_account() {
    let (app, nti, cohort) = setup().await;
    let csv = format!("{HEADER}claire.martin@justice.example,Claire,Martin,judge,FR,fr\n");
    let res = enrol_csv(&app, &nti.manager, cohort, &csv, "").await;
    assert_eq!(res.body["summary"]["created"], 1, "{}", res.text);
    assert!(res.body["rows"][0].get("activation_token").is_none());
    let mail = app.mail_to("claire.martin@justice.example").await;
    // In French, from the institution, with a stable id and both parts.
    assert!(mail.subject().starts_with("HELP"), "{}", mail.subject());
    assert!(mail.text().contains("Institutul National al Magistraturii"));
    assert!(
        mail.text().contains("Bonjour Claire Martin"),
        "{}",
        mail.text()
    );
    assert!(mail.html().contains("lang=\"fr\""));
    let id = mail.message_id().expect("a Message-ID");
    assert!(id.ends_with("@help.example.org"), "{id}");
    let link = mail.links().into_iter().next().unwrap();
    assert!(
        link.starts_with("https://help.example.org/account/activate?token="),
        "{link}"
    );
    let act = activate(&app, &token_of(&mail), "mon mot de passe solide").await;
    assert_eq!(act.status, 200, "{}", act.text);
    app.login("claire.martin@justice.example", "mon mot de passe solide")
        .await;
}

#[tokio::test]
async fn with_the_mail_server_down_requests_succeed_and_the_message_arrives_once_it_is_back() {
    let (mut app, nti, cohort) = setup().await;
    let sink = app.sink.take().unwrap();
    let port = sink.port();
    sink.stop().await;
    let csv = format!("{HEADER}ana.popescu@example.ro,Ana,Popescu,judge,RO,\n");
    let res = enrol_csv(&app, &nti.manager, cohort, &csv, "").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["summary"]["created"], 1);
    // A few attempts fail while it is away.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(app.mailbox.all().is_empty());
    // help-lms restarts meanwhile: the message is still waiting in the outbox.
    let mut app = app.restart().await;
    app.sink = Some(SmtpSink::start_on(port, app.mailbox.clone()).await);
    let mail = app.mail_to("ana.popescu@example.ro").await;
    assert_eq!(activate(&app, &token_of(&mail), PASSWORD).await.status, 200);
    // Delivered once: another restart sends nothing again.
    let app = app.restart().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.mailbox.to("ana.popescu@example.ro").len(), 1);
}

#[tokio::test]
async fn links_delivery_answers_the_links_mails_nothing_and_replays_hold_no_token() {
    let (app, nti, cohort) = setup().await;
    let csv = format!("{HEADER}ivan.petrov@example.bg,Ivan,Petrov,prosecutor,BG,\n");
    let res = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cohorts/{cohort}/enrolments?delivery=links"),
                Some(&nti.manager),
            )
            .header("content-type", "text/csv")
            .header("idempotency-key", "links-1")
            .body(csv.clone()),
        )
        .await;
    let row = &res.body["rows"][0];
    let token = row["activation_token"].as_str().unwrap();
    assert_eq!(
        row["activation_url"],
        format!("https://help.example.org/account/activate?token={token}")
    );
    let replay = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cohorts/{cohort}/enrolments?delivery=links"),
                Some(&nti.manager),
            )
            .header("content-type", "text/csv")
            .header("idempotency-key", "links-1")
            .body(csv),
        )
        .await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert!(replay.body["rows"][0].get("activation_token").is_none());
    // The stored answer holds no token, nor does any idempotency row.
    use sea_orm::EntityTrait;
    let stored = help_lms_persistence::entities::idempotency_keys::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].body.contains(token));
    assert!(
        !stored[0].body.contains("ivan.petrov"),
        "{}",
        stored[0].body
    );
    // The replay still names each row's address, from the body it came with.
    assert_eq!(replay.body["rows"][0]["email"], "ivan.petrov@example.bg");
    assert_eq!(activate(&app, token, PASSWORD).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.mailbox.all().is_empty(), "nothing is mailed");
}

#[tokio::test]
async fn resending_an_invitation_revokes_the_old_link() {
    let (app, nti, _) = setup().await;
    let invite = app
        .post(
            &format!("/api/v1/institutions/{}/users", nti.id),
            &json!({"email": "mihai@inm.example", "name": "Mihai Ionescu", "role": "tutor"}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let id = invite.body["user"]["id"].as_str().unwrap().to_owned();
    let old = app.token_in_mail("mihai@inm.example", 1).await;
    let resent = app
        .post(
            &format!("/api/v1/users/{id}/invitation"),
            &json!({}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(resent.status, 200, "{}", resent.text);
    assert!(resent.body.get("activation_token").is_none());
    let new = app.token_in_mail("mihai@inm.example", 2).await;
    assert_ne!(old, new);
    activate(&app, &old, PASSWORD)
        .await
        .assert_problem(400, "invalid_activation_token");
    assert_eq!(activate(&app, &new, PASSWORD).await.status, 200);
    // An active account has nothing to resend; another institution's is not found.
    app.post(
        &format!("/api/v1/users/{id}/invitation"),
        &json!({}),
        Some(&nti.manager),
    )
    .await
    .assert_problem(409, "not_invited");
    let admin = app.admin_token().await;
    let other = institution(&app, &admin, "Other NTI", "BG").await;
    app.post(
        &format!("/api/v1/users/{id}/invitation"),
        &json!({}),
        Some(&other.manager),
    )
    .await
    .assert_problem(404, "not_found");
}

#[tokio::test]
async fn an_expired_invitation_says_what_to_do() {
    use sea_orm::EntityTrait;
    use sea_orm::sea_query::Expr;
    let (app, nti, cohort) = setup().await;
    let csv = format!("{HEADER}late@example.ro,L,Ate,judge,RO,\n");
    enrol_csv(&app, &nti.manager, cohort, &csv, "").await;
    let token = app.token_in_mail("late@example.ro", 1).await;
    help_lms_persistence::entities::activation_tokens::Entity::update_many()
        .col_expr(
            help_lms_persistence::entities::activation_tokens::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::days(1)),
        )
        .exec(&app.db.conn)
        .await
        .unwrap();
    let res = activate(&app, &token, PASSWORD).await;
    res.assert_problem(400, "activation_token_expired");
}

async fn active_learner(app: &TestApp, email: &str) -> Value {
    app.register_and_confirm(&json!({
        "email": email, "password": PASSWORD, "name": "Olena Kovalenko",
        "profession": "judge", "country": "UA", "language": "uk"
    }))
    .await
    .body
}

#[tokio::test]
async fn a_reset_works_once_ends_every_session_and_is_throttled() {
    let app = spawn_with(Default::default()).await;
    let session = active_learner(&app, "olena@court.example").await;
    let refresh = session["refresh_token"].as_str().unwrap();
    let access = session["access_token"].as_str().unwrap();
    let asked = app
        .post(
            "/api/v1/auth/forgot-password",
            &json!({"email": "olena@court.example"}),
            None,
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/forgot-password",
            &json!({"email": "nobody@court.example"}),
            None,
        )
        .await;
    assert_eq!(asked.status, 202);
    assert_eq!(
        asked.text, unknown.text,
        "the same answer for an unknown address"
    );
    let token = app.token_in_mail("olena@court.example", 2).await;
    let body = json!({"token": token, "password": "a brand new passphrase"});
    let done = app.post("/api/v1/auth/reset-password", &body, None).await;
    assert_eq!(done.status, 200, "{}", done.text);
    app.post("/api/v1/auth/reset-password", &body, None)
        .await
        .assert_problem(400, "invalid_reset_token");
    // The old session is over; the old password too.
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": refresh}),
        None,
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    app.login("olena@court.example", "a brand new passphrase")
        .await;
    // Access tokens of the old sessions stop at their next request.
    app.get("/api/v1/me", Some(access))
        .await
        .assert_problem(401, "token_expired");
    // The owner is told. After three requests in an hour no more links are sent, and the
    // answer stays the same.
    let changed = app
        .mailbox
        .wait_for("olena@court.example", 3, Duration::from_secs(10))
        .await;
    assert!(
        changed
            .last()
            .unwrap()
            .links()
            .iter()
            .any(|l| l.contains("/account/forgot-password"))
    );
    for _ in 0..3 {
        let r = app
            .post(
                "/api/v1/auth/forgot-password",
                &json!({"email": "olena@court.example"}),
                None,
            )
            .await;
        assert_eq!(r.text, asked.text);
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // confirmation + 3 reset links (the first, and two of the last three) + the notice
    assert_eq!(app.mailbox.to("olena@court.example").len(), 5);
}

#[tokio::test]
async fn a_signed_in_user_changes_their_password_and_other_sessions_end() {
    let app = spawn_with(Default::default()).await;
    let first = active_learner(&app, "pass@court.example").await;
    let other = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "pass@court.example", "password": PASSWORD}),
            None,
        )
        .await;
    let access = first["access_token"].as_str().unwrap();
    app.post(
        "/api/v1/me/password",
        &json!({"current_password": "wrong wrong wrong", "new_password": "another passphrase"}),
        Some(access),
    )
    .await
    .assert_problem(422, "validation_failed");
    let res = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "another passphrase"}),
            Some(access),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["refresh_token"].is_string());
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": other.body["refresh_token"]}),
        None,
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    app.login("pass@court.example", "another passphrase").await;
}

#[tokio::test]
async fn a_disabled_account_loses_its_refresh_and_access_tokens() {
    let (app, nti, _) = setup().await;
    let (learner_id, _) = app
        .user_with_token("learner@inm.example", Role::Learner, Some(nti.id))
        .await;
    let session = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "learner@inm.example", "password": PASSWORD}),
            None,
        )
        .await;
    let access = session.body["access_token"].as_str().unwrap();
    let disabled = app
        .post(
            &format!("/api/v1/users/{learner_id}/disable"),
            &json!({}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert_eq!(disabled.body["status"], "disabled");
    app.get("/api/v1/me", Some(access))
        .await
        .assert_problem(401, "account_inactive");
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session.body["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(refreshed.status, 401, "{}", refreshed.text);
    // A tutor may not disable; a manager may not disable another manager; enabling restores.
    app.post(
        &format!("/api/v1/users/{learner_id}/enable"),
        &json!({}),
        Some(&nti.tutor),
    )
    .await
    .assert_problem(403, "managers_only");
    let (manager2, _) = app
        .user_with_token("m2@inm.example", Role::NtiManager, Some(nti.id))
        .await;
    app.post(
        &format!("/api/v1/users/{manager2}/disable"),
        &json!({}),
        Some(&nti.manager),
    )
    .await
    .assert_problem(403, "admin_only");
    let enabled = app
        .post(
            &format!("/api/v1/users/{learner_id}/enable"),
            &json!({}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(enabled.body["status"], "active");
    app.login("learner@inm.example", PASSWORD).await;
}

#[tokio::test]
async fn the_pages_of_the_links_work_without_a_frontend() {
    let (app, nti, cohort) = setup().await;
    let csv = format!("{HEADER}page@example.ro,Pa,Ge,judge,RO,fr\n");
    enrol_csv(&app, &nti.manager, cohort, &csv, "").await;
    let mail = app.mail_to("page@example.ro").await;
    let link = mail.links().into_iter().next().unwrap();
    let path = link.strip_prefix("https://help.example.org").unwrap();
    let page = app
        .send(
            app.request(Method::GET, path, None)
                .header("accept-language", "fr-BE, en;q=0.5"),
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("lang=\"fr\""));
    assert!(page.text.contains("type=\"password\""));
    // The form posts next to the page, so a public address with a path keeps working.
    assert!(page.text.contains("action=\"activate\""), "{}", page.text);
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let short = app
        .send(
            app.request(Method::POST, "/account/activate", None)
                .form(&[("token", token_of(&mail).as_str()), ("password", "short")]),
        )
        .await;
    assert_eq!(short.status, 200, "the form again, with the reason");
    assert!(short.text.contains("role=\"alert\""));
    let done = app
        .send(
            app.request(Method::POST, "/account/activate", None)
                .form(&[("token", token_of(&mail).as_str()), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    app.login("page@example.ro", PASSWORD).await;
    let again = app
        .send(
            app.request(Method::POST, "/account/activate", None)
                .form(&[("token", token_of(&mail).as_str()), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(again.status, 400);
}

#[tokio::test]
async fn reset_requests_from_one_address_are_limited() {
    let app = spawn_with(Default::default()).await;
    for i in 0..20 {
        let body = json!({"email": format!("someone{i}@court.example")});
        let res = app.post("/api/v1/auth/forgot-password", &body, None).await;
        assert_eq!(res.status, 202);
    }
    let body = json!({"email": "one.too.many@court.example"});
    let refused = app.post("/api/v1/auth/forgot-password", &body, None).await;
    refused.assert_problem(429, "too_many_requests");
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 3600, "{wait}");
}

#[tokio::test]
async fn an_api_client_disables_its_institutions_learners_but_not_its_tutors() {
    let (app, nti, _) = setup().await;
    let client = app
        .post(
            &format!("/api/v1/institutions/{}/clients", nti.id),
            &json!({"name": "HR system"}),
            Some(&nti.manager),
        )
        .await;
    let token = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth(
                    client.body["id"].as_str().unwrap(),
                    client.body["client_secret"].as_str(),
                )
                .form(&[("grant_type", "client_credentials")]),
        )
        .await;
    let access = token.body["access_token"].as_str().unwrap();
    let (learner, _) = app
        .user_with_token("l@inm.example", Role::Learner, Some(nti.id))
        .await;
    let res = app
        .post(
            &format!("/api/v1/users/{learner}/disable"),
            &json!({}),
            Some(access),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    app.post(
        &format!("/api/v1/users/{}/disable", nti.tutor_id),
        &json!({}),
        Some(access),
    )
    .await
    .assert_problem(403, "people_only");
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_count_the_client_it_saw_not_what_the_client_wrote() {
    let app = spawn_with(help_lms_tests::Options {
        extra: vec!["--trusted-proxies".to_owned(), "127.0.0.1".to_owned()],
        ..Default::default()
    })
    .await;
    let forgot = |i: usize, forwarded: String| {
        let body = json!({"email": format!("someone{i}@court.example")});
        app.send(
            app.request(Method::POST, "/api/v1/auth/forgot-password", None)
                .header("x-forwarded-for", forwarded)
                .json(&body),
        )
    };
    // The client writes a new address first each time; the proxy appends the one it saw.
    for i in 0..20 {
        let res = forgot(i, format!("6.6.6.{i}, 203.0.113.7")).await;
        assert_eq!(res.status, 202, "{}", res.text);
    }
    forgot(20, "9.9.9.9, 203.0.113.7".to_owned())
        .await
        .assert_problem(429, "too_many_requests");
    // Another client behind the same proxy has a limit of its own.
    assert_eq!(forgot(21, "203.0.113.8".to_owned()).await.status, 202);
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_address_is_not_believed() {
    let app = spawn_with(Default::default()).await;
    for i in 0..20 {
        let res = app
            .send(
                app.request(Method::POST, "/api/v1/auth/forgot-password", None)
                    .header("x-forwarded-for", format!("203.0.113.{i}"))
                    .json(&json!({"email": format!("someone{i}@court.example")})),
            )
            .await;
        assert_eq!(res.status, 202);
    }
    app.send(
        app.request(Method::POST, "/api/v1/auth/forgot-password", None)
            .header("x-forwarded-for", "198.51.100.1")
            .json(&json!({"email": "one.too.many@court.example"})),
    )
    .await
    .assert_problem(429, "too_many_requests");
}
