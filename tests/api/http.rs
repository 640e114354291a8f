//! Black-box tests of the HTTP contract around the resources: security headers, caching of
//! answers that hold tokens or personal data, CORS, and the OAuth 2.0 token endpoint's errors.

use help_lms_tests::{
    Options, PASSWORD, Res, TestApp, institution, spawn_app, spawn_with, spawn_with_catalogue,
};
use reqwest::Method;
use serde_json::json;

fn all(res: &Res, name: &str) -> String {
    res.headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

#[track_caller]
fn assert_no_store(res: &Res, what: &str) {
    assert_eq!(
        res.header("cache-control"),
        Some("no-store"),
        "{what} ({}): {}",
        res.status,
        res.text
    );
}

/// An API client of a fresh institution: (client_id, client_secret).
async fn api_client(app: &TestApp) -> (String, String) {
    let admin = app.admin_token().await;
    let nti = institution(app, &admin, "Scuola Superiore della Magistratura", "IT").await;
    let created = app
        .post(
            &format!("/api/v1/institutions/{}/clients", nti.id),
            &json!({"name": "Registry sync"}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_no_store(&created, "a new client and its secret");
    (
        created.body["id"].as_str().unwrap().to_owned(),
        created.body["client_secret"].as_str().unwrap().to_owned(),
    )
}

async fn token_form(app: &TestApp, form: &str) -> Res {
    app.send(
        app.request(Method::POST, "/api/v1/auth/token", None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned()),
    )
    .await
}

#[tokio::test]
async fn every_answer_tells_browsers_not_to_sniff_its_type() {
    let app = spawn_app().await;
    for (path, status) in [
        ("/api/v1/courses", 200),
        ("/healthz", 200),
        ("/metrics", 200),
        ("/openapi.json", 200),
        ("/docs/", 200),
        ("/api/v1/me", 401),
        ("/no/such/page", 404),
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status.as_u16(), status, "{path}: {}", res.text);
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    let problem = app.get("/api/v1/me", None).await;
    problem.assert_problem(401, "missing_token");
    let not_found = app.get("/no/such/page", None).await;
    not_found.assert_problem(404, "not_found");
}

#[tokio::test]
async fn answers_with_tokens_secrets_or_personal_data_are_never_cached() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "Institut national de la magistrature", "FR").await;

    let registered = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "learner@court.example", "password": PASSWORD, "name": "Ana Novak", "profession": "judge", "country": "SI"}),
            None,
        )
        .await;
    assert_eq!(registered.status, 202, "{}", registered.text);
    assert_no_store(&registered, "register");
    let confirm_token = app.token_in_mail("learner@court.example", 1).await;
    let confirmed = app
        .post(
            "/api/v1/auth/confirm-email",
            &json!({"token": confirm_token}),
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_no_store(&confirmed, "confirm-email");
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "learner@court.example", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, 200);
    assert_no_store(&login, "login");
    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "learner@court.example", "password": "not the passphrase"}),
            None,
        )
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    assert_no_store(&wrong, "a refused login");
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": login.body["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_no_store(&refreshed, "refresh");
    let me = app
        .get("/api/v1/me", login.body["access_token"].as_str())
        .await;
    assert_eq!(me.status, 200);
    assert_no_store(&me, "GET /me");

    let invite = app
        .post(
            &format!("/api/v1/institutions/{}/users?delivery=links", nti.id),
            &json!({"email": "new.tutor@inm.example", "name": "Nouveau Tuteur", "role": "tutor"}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    assert_no_store(&invite, "an invitation and its activation token");
    let activated = app
        .post(
            "/api/v1/auth/activate",
            &json!({"token": invite.body["activation_token"], "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(activated.status, 200, "{}", activated.text);
    assert_no_store(&activated, "activate");

    let cohort = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": "international-cooperation-pre-trial-detention", "language": "fr", "name": "Juges 2027", "starts_on": "2027-01-11", "ends_on": "2027-04-09", "capacity": 10, "tutor_ids": [nti.tutor_id]}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(cohort.status, 201, "{}", cohort.text);
    let bulk = app
        .send(
            app.request(
                Method::POST,
                &format!(
                    "/api/v1/cohorts/{}/enrolments?delivery=links",
                    cohort.body["id"].as_str().unwrap()
                ),
                Some(&nti.manager),
            )
            .header("content-type", "text/csv")
            .body(
                "email,given name,family name,profession,country,language\nj@x.example,J,D,judge,FR,fr\n",
            ),
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    assert!(bulk.body["rows"][0]["activation_token"].is_string());
    assert_no_store(&bulk, "bulk enrolment with activation tokens");

    let (id, secret) = api_client(&app).await;
    let token = token_form(
        &app,
        &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
    )
    .await;
    assert_eq!(token.status, 200, "{}", token.text);
    assert_no_store(&token, "client credentials token");
    assert_eq!(token.header("pragma"), Some("no-cache"));

    // The public catalogue may be cached.
    let catalogue = app.get("/api/v1/courses", None).await;
    assert_eq!(catalogue.status, 200);
    assert!(
        !all(&catalogue, "cache-control").contains("no-store"),
        "{:?}",
        catalogue.headers
    );
    let course = app
        .get(
            "/api/v1/courses/international-cooperation-pre-trial-detention",
            None,
        )
        .await;
    assert_eq!(course.status, 200);
    assert!(!all(&course, "cache-control").contains("no-store"));
}

async fn cors_app() -> TestApp {
    spawn_with(Options {
        extra: vec![
            "--cors-origins".into(),
            "https://a.example,https://b.example/".into(),
        ],
        ..Default::default()
    })
    .await
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> Res {
    app.send(
        app.request(Method::OPTIONS, path, None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            ),
    )
    .await
}

async fn get_from(app: &TestApp, path: &str, origin: &str) -> Res {
    app.send(
        app.request(Method::GET, path, None)
            .header("origin", origin),
    )
    .await
}

#[tokio::test]
async fn a_listed_origin_passes_the_preflight() {
    let app = cors_app().await;
    let res = preflight(&app, "/api/v1/cohorts/123/enrolments", "https://a.example").await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://a.example")
    );
    let methods = all(&res, "access-control-allow-methods");
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let headers = all(&res, "access-control-allow-headers").to_ascii_lowercase();
    for h in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-none-match",
        "accept",
        "accept-language",
    ] {
        assert!(headers.contains(h), "{headers}");
    }
    let max_age: u32 = res
        .header("access-control-max-age")
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age > 0);
    assert!(all(&res, "vary").contains("Origin"), "{:?}", res.headers);
    // Bearer tokens, not cookies: credentials are never allowed.
    assert!(res.header("access-control-allow-credentials").is_none());
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn a_listed_origin_may_read_answers_and_their_headers() {
    let app = cors_app().await;
    for path in ["/api/v1/courses", "/api/v1/me"] {
        let res = get_from(&app, path, "https://b.example").await;
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://b.example"),
            "{path}"
        );
        let exposed = all(&res, "access-control-expose-headers").to_ascii_lowercase();
        for h in [
            "etag",
            "location",
            "retry-after",
            "content-disposition",
            "content-language",
            "x-request-id",
        ] {
            assert!(exposed.contains(h), "{path}: {exposed}");
        }
        assert!(all(&res, "vary").contains("Origin"), "{path}");
        assert!(res.header("access-control-allow-credentials").is_none());
    }
    // Even the problem answers: a browser front end must be able to read why.
    get_from(&app, "/api/v1/me", "https://b.example")
        .await
        .assert_problem(401, "missing_token");
}

#[tokio::test]
async fn an_unlisted_origin_gets_no_cors_headers() {
    let app = cors_app().await;
    for origin in [
        "https://evil.example",
        "https://a.example.evil.example",
        "http://a.example",
        "null",
    ] {
        let res = preflight(&app, "/api/v1/auth/login", origin).await;
        // Not routed: no 404 or 405 from a handler, just no permission.
        assert_eq!(res.status, 204, "{origin}: {}", res.text);
        for h in [
            "access-control-allow-origin",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-max-age",
        ] {
            assert!(res.header(h).is_none(), "{origin}: {h}");
        }
        let res = get_from(&app, "/api/v1/courses", origin).await;
        assert_eq!(res.status, 200);
        assert!(
            res.header("access-control-allow-origin").is_none(),
            "{origin}"
        );
        assert!(res.header("access-control-expose-headers").is_none());
        assert!(all(&res, "vary").contains("Origin"));
    }
}

#[tokio::test]
async fn without_listed_origins_there_is_no_cors_at_all() {
    let app = spawn_app().await;
    let res = preflight(&app, "/api/v1/auth/login", "https://a.example").await;
    assert_ne!(res.status, 204);
    let got = get_from(&app, "/api/v1/courses", "https://a.example").await;
    assert_eq!(got.status, 200);
    for res in [&res, &got] {
        let cors: Vec<_> = res
            .headers
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{cors:?}");
        assert!(!all(res, "vary").contains("Origin"));
    }
}

#[track_caller]
fn assert_oauth_error(res: &Res, status: u16, error: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.body["error"], error, "{}", res.text);
    assert!(res.body["error_description"].is_string(), "{}", res.text);
    assert_eq!(
        res.body.as_object().unwrap().len(),
        2,
        "only error and error_description: {}",
        res.text
    );
    assert_no_store(res, error);
    assert_eq!(res.header("pragma"), Some("no-cache"));
}

#[tokio::test]
async fn the_token_endpoint_answers_rfc_6749_errors() {
    let app = spawn_app().await;
    let (id, secret) = api_client(&app).await;

    let wrong = token_form(
        &app,
        &format!("grant_type=client_credentials&client_id={id}&client_secret=nope"),
    )
    .await;
    assert_oauth_error(&wrong, 401, "invalid_client");
    let unknown = token_form(
        &app,
        &format!(
            "grant_type=client_credentials&client_id={}&client_secret={secret}",
            uuid::Uuid::now_v7()
        ),
    )
    .await;
    assert_oauth_error(&unknown, 401, "invalid_client");
    assert_eq!(unknown.body, wrong.body, "no hint which part was wrong");

    let basic = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth(&id, Some("nope"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials"),
        )
        .await;
    assert_oauth_error(&basic, 401, "invalid_client");
    assert_eq!(
        basic.header("www-authenticate"),
        Some(r#"Basic realm="help-lms""#)
    );

    let missing = token_form(&app, &format!("client_id={id}&client_secret={secret}")).await;
    assert_oauth_error(&missing, 400, "invalid_request");
    // RFC 6749 section 5.2: no client authentication at all is `invalid_client`.
    let no_credentials = token_form(&app, "grant_type=client_credentials").await;
    assert_oauth_error(&no_credentials, 401, "invalid_client");
    assert!(no_credentials.header("www-authenticate").is_some());
    let no_secret = token_form(
        &app,
        &format!("grant_type=client_credentials&client_id={id}"),
    )
    .await;
    assert_oauth_error(&no_secret, 401, "invalid_client");
    let twice = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth(&id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "grant_type=client_credentials&client_secret={secret}"
                )),
        )
        .await;
    assert_oauth_error(&twice, 400, "invalid_request");
    let not_a_form = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "text/plain")
                .body("grant_type=client_credentials"),
        )
        .await;
    assert_oauth_error(&not_a_form, 400, "invalid_request");

    let grant = token_form(
        &app,
        &format!("grant_type=password&client_id={id}&client_secret={secret}"),
    )
    .await;
    assert_oauth_error(&grant, 400, "unsupported_grant_type");
    let json_grant = app
        .post(
            "/api/v1/auth/token",
            &json!({"grant_type": "authorization_code", "client_id": id, "client_secret": secret}),
            None,
        )
        .await;
    assert_oauth_error(&json_grant, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn the_token_endpoint_takes_basic_credentials_and_ignores_unknown_parameters() {
    let app = spawn_app().await;
    let (id, secret) = api_client(&app).await;
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .basic_auth(&id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&audience=help-lms"),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["token_type"], "Bearer");
    let token = res.body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/cohorts", Some(token)).await.status, 200);
}

#[tokio::test]
async fn an_accept_that_admits_none_of_the_answers_gets_406() {
    let app = spawn_with_catalogue().await;
    let ask = |path: &'static str, accept: &'static str| {
        app.send(
            app.request(Method::GET, path, None)
                .header("accept", accept),
        )
    };
    let refused = ask("/api/v1/courses", "text/html").await;
    refused.assert_problem(406, "not_acceptable");
    assert!(
        refused.text.contains("application/json"),
        "{}",
        refused.text
    );
    assert_eq!(
        ask("/api/v1/courses", "application/pdf, text/*;q=0.5")
            .await
            .status,
        406
    );
    // What the operation produces, a wildcard, or a browser's usual header all go through.
    for accept in [
        "application/json",
        "*/*",
        "application/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "",
    ] {
        let res = ask("/api/v1/courses", accept).await;
        assert_eq!(res.status, 200, "{accept:?}: {}", res.text);
    }
    // An operation with several representations takes any of them.
    assert_eq!(ask("/problems/not_found", "text/html").await.status, 200);
    // A path the document does not list is left to the router.
    assert_eq!(ask("/no/such/page", "text/html").await.status, 404);
}

#[tokio::test]
async fn answers_to_signed_in_requests_are_private_unless_they_say_more() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let cohorts = app.get("/api/v1/cohorts", Some(&admin)).await;
    assert_eq!(cohorts.status, 200, "{}", cohorts.text);
    assert_eq!(cohorts.header("cache-control"), Some("private, no-cache"));
    // Personal data keeps its stricter no-store; published content its public caching.
    assert_eq!(
        app.get("/api/v1/me", Some(&admin))
            .await
            .header("cache-control"),
        Some("no-store")
    );
    let catalogue = app.get("/api/v1/courses", Some(&admin)).await;
    assert_eq!(catalogue.header("cache-control"), Some("public, no-cache"));
    // Without credentials nothing is added.
    assert_eq!(
        app.get("/healthz", None).await.header("cache-control"),
        None
    );
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_problems_quote_it() {
    let app = spawn_app().await;
    let made = app.get("/healthz", None).await;
    let id = made.header("x-request-id").unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let other = app.get("/healthz", None).await;
    assert_ne!(other.header("x-request-id"), Some(id.as_str()));
    // A caller's id is kept, so that a chain of services shares one.
    let kept = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/courses/no-such-course", None)
                .header("x-request-id", "lb-01:req.8842"),
        )
        .await;
    assert_eq!(kept.header("x-request-id"), Some("lb-01:req.8842"));
    kept.assert_problem(404, "not_found");
    assert_eq!(kept.body["request_id"], "lb-01:req.8842");
    // One that could garble a log line is replaced.
    let replaced = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/courses/no-such-course", None)
                .header("x-request-id", "a b;c"),
        )
        .await;
    let id = replaced.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(replaced.body["request_id"], id);
}
