//! Black-box tests of health, readiness, metrics and the documents.

use help_lms_tests::spawn_app;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let h = app.get("/healthz", None).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.body["status"], "ok");
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ready");
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.get("/api/v1/courses/no-such-course", None).await;
    }
    let m = app.get("/metrics", None).await;
    assert_eq!(m.status, 200);
    assert!(
        m.header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    assert!(
        m.text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/courses/{slug}\",status=\"404\"} 3"
        ),
        "{}",
        m.text
    );
    assert!(m.text.contains("http_request_duration_seconds_bucket{le=\"+Inf\",method=\"GET\",route=\"/api/v1/courses/{slug}\",status=\"404\"} 3"), "{}", m.text);
    // Raw paths (with ids) never become labels.
    assert!(!m.text.contains("no-such-course"));
}

#[tokio::test]
async fn unknown_routes_answer_problem_json() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing-here", None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_interactive_docs_are_served_offline() {
    let app = spawn_app().await;
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.text.contains("swagger"),
        "{}",
        &docs.text[..docs.text.len().min(300)]
    );
    let spec = app.get("/openapi.json", None).await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body["info"]["title"], "help-lms");
}

#[tokio::test]
async fn a_known_path_with_another_method_answers_405_with_allow() {
    let app = spawn_app().await;
    let courses = app.delete("/api/v1/courses", None).await;
    courses.assert_problem(405, "method_not_allowed");
    assert_eq!(courses.header("allow"), Some("GET"));
    let login = app
        .put("/api/v1/auth/login", &serde_json::json!({}), None)
        .await;
    login.assert_problem(405, "method_not_allowed");
    assert_eq!(login.header("allow"), Some("POST"));
    // A template matches any one segment: `{id}` here.
    let cohort = app
        .send(app.request(
            reqwest::Method::POST,
            "/api/v1/cohorts/0195d3a0-0000-7000-8000-000000000000",
            None,
        ))
        .await;
    cohort.assert_problem(405, "method_not_allowed");
    assert_eq!(cohort.header("allow"), Some("GET, PATCH"));
}

#[tokio::test]
async fn an_unknown_path_still_answers_404_whatever_the_method() {
    let app = spawn_app().await;
    app.delete("/api/v1/nothing-here", None)
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/courses/x/y/z", None)
        .await
        .assert_problem(404, "not_found");
    // The right method on a known path is untouched.
    let listed = app.get("/api/v1/courses", None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
}

#[tokio::test]
async fn problem_types_resolve_to_json_and_html() {
    let app = spawn_app().await;
    let json = app.get("/problems/cohort_closed", None).await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(json.body["code"], "cohort_closed");
    assert_eq!(json.body["status"], 409);
    assert_eq!(json.body["type"], "/problems/cohort_closed");
    assert_eq!(json.body["title"], "The cohort is closed to new enrolments");
    assert!(
        !json.body["what_to_do"].as_str().unwrap().is_empty(),
        "{}",
        json.text
    );
    let html = app
        .send(
            app.request(reqwest::Method::GET, "/problems/cohort_closed", None)
                .header("accept", "text/html,application/xhtml+xml;q=0.9"),
        )
        .await;
    assert_eq!(html.status, 200);
    assert!(
        html.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        html.text
            .contains("<h1>The cohort is closed to new enrolments</h1>")
    );
    assert!(html.text.contains("409"));
    let advice = help_lms_domain::markdown::escape(json.body["what_to_do"].as_str().unwrap());
    assert!(html.text.contains(&advice), "{}", html.text);
    app.get("/problems/nope", None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn docs_without_the_slash_redirect_to_the_docs() {
    let app = spawn_app().await;
    let res = app.get("/docs", None).await;
    assert!(
        res.status == 308 || res.status == 301,
        "status {}",
        res.status
    );
    assert_eq!(res.header("location"), Some("/docs/"));
}

#[tokio::test]
async fn production_refuses_to_start_without_an_https_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let start = |public_url: Option<&'static str>| {
        let mut args = vec![
            "--env".to_owned(),
            "production".to_owned(),
            "--jwt-secret".to_owned(),
            help_lms_tests::JWT_SECRET.to_owned(),
            "--data-dir".to_owned(),
            dir.path().display().to_string(),
            "--bind".to_owned(),
            "127.0.0.1:0".to_owned(),
        ];
        if let Some(u) = public_url {
            args.extend(["--public-url".to_owned(), u.to_owned()]);
        }
        let settings = help_lms::Settings::from_args(args).unwrap();
        async move {
            match help_lms::Application::build(&settings).await {
                Ok(_) => panic!("started with public URL {public_url:?}"),
                Err(e) => e.to_string(),
            }
        }
    };
    let missing = start(None).await;
    assert!(missing.contains("HELP_PUBLIC_URL is required"), "{missing}");
    let plain = start(Some("http://help.example.org")).await;
    assert!(plain.contains("must be https"), "{plain}");
    let query = start(Some("https://help.example.org/?from=mail")).await;
    assert!(query.contains("HELP_PUBLIC_URL"), "{query}");
}

#[tokio::test]
async fn development_makes_an_issuer_key_once_and_keeps_it_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let settings = || {
        help_lms::Settings::from_args([
            "--data-dir".to_owned(),
            dir.path().display().to_string(),
            "--bind".to_owned(),
            "127.0.0.1:0".to_owned(),
            "--seed-catalogue".to_owned(),
            "false".to_owned(),
        ])
        .unwrap()
    };
    let first = help_lms::Application::build(&settings()).await.unwrap();
    let key = *first.state.issuer.current();
    drop(first);
    assert!(dir.path().join("dev-issuer-key").exists());
    let second = help_lms::Application::build(&settings()).await.unwrap();
    assert_eq!(*second.state.issuer.current(), key);
    drop(second);
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_exactly_what_was_there() {
    let app = help_lms_tests::spawn_app().await;
    if !app.settings().is_sqlite() {
        // PostgreSQL is backed up with pg_dump; `.ci/run` checks that on its server.
        return;
    }
    let admin = app.admin_token().await;
    let names = |res: &help_lms_tests::Res| -> Vec<String> {
        let list = res.body.as_array().or_else(|| res.body["items"].as_array());
        list.unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    help_lms_tests::institution(&app, &admin, "Before the backup", "RO").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("help-lms-backup.db");
    help_lms::backup::backup(app.settings(), &file)
        .await
        .unwrap();
    // A backup never overwrites a file.
    assert!(
        help_lms::backup::backup(app.settings(), &file)
            .await
            .is_err()
    );
    help_lms_tests::institution(&app, &admin, "After the backup", "RO").await;
    let before = names(&app.get("/api/v1/institutions", Some(&admin)).await);
    assert!(before.contains(&"After the backup".to_owned()));

    let not_a_backup = dir.path().join("notes.txt");
    std::fs::write(&not_a_backup, "not a database").unwrap();
    let restored = app
        .restart_after(|settings| async move {
            // A file that is not a help-lms database is refused and changes nothing.
            assert!(
                help_lms::backup::restore(&settings, &not_a_backup)
                    .await
                    .is_err()
            );
            help_lms::backup::restore(&settings, &file).await.unwrap();
        })
        .await;
    let admin = restored.admin_token().await;
    let after = names(&restored.get("/api/v1/institutions", Some(&admin)).await);
    assert!(after.contains(&"Before the backup".to_owned()), "{after:?}");
    assert!(!after.contains(&"After the backup".to_owned()), "{after:?}");
}
