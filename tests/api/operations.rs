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
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        m.text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/courses/{slug}\",status=\"404\"} 3"
        ),
        "{}",
        m.text
    );
    assert!(m.text.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/courses/{slug}\",status=\"404\",le=\"+Inf\"} 3"));
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
