//! Black-box tests of HTTP caching of published content: ETag, revalidation with
//! If-None-Match, Cache-Control and Vary.

use help_lms_tests::{Res, TestApp, spawn_with_catalogue};
use reqwest::Method;

const COOP: &str = "international-cooperation-pre-trial-detention";

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Res {
    let mut req = app.request(Method::GET, path, None);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    app.send(req).await
}

fn etag(res: &Res) -> String {
    let tag = res.header("etag").expect("an ETag").to_owned();
    assert!(
        tag.starts_with('"') && tag.ends_with('"'),
        "a strong, quoted tag: {tag}"
    );
    tag
}

fn vary(res: &Res) -> Vec<String> {
    res.headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

/// The three published-content paths: list, outline, and a lesson of the outline.
async fn published_paths(app: &TestApp) -> Vec<String> {
    let outline = app.get(&format!("/api/v1/courses/{COOP}"), None).await;
    let lesson = outline.body["modules"][0]["lessons"][0]["id"]
        .as_str()
        .expect("a lesson")
        .to_owned();
    vec![
        "/api/v1/courses".to_owned(),
        format!("/api/v1/courses/{COOP}"),
        format!("/api/v1/courses/{COOP}/lessons/{lesson}"),
    ]
}

#[tokio::test]
async fn published_content_carries_a_stable_etag_and_cache_headers() {
    let app = spawn_with_catalogue().await;
    for path in published_paths(&app).await {
        let first = app.get(&path, None).await;
        assert_eq!(first.status, 200, "{path}: {}", first.text);
        let second = app.get(&path, None).await;
        assert_eq!(etag(&first), etag(&second), "{path}");
        assert_eq!(
            first.header("cache-control"),
            Some("public, no-cache"),
            "{path}"
        );
        assert!(
            vary(&first).contains(&"accept-language".to_owned()),
            "{path}: {:?}",
            vary(&first)
        );
        assert_eq!(
            first.header("content-type"),
            Some("application/json"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_current_etag_in_if_none_match_gets_304_without_a_body() {
    let app = spawn_with_catalogue().await;
    for path in published_paths(&app).await {
        let first = app.get(&path, None).await;
        let tag = etag(&first);
        for sent in [
            tag.clone(),
            format!("\"stale\", {tag}"),
            format!("W/{tag}"),
            "*".to_owned(),
        ] {
            let again = get_with(&app, &path, &[("if-none-match", &sent)]).await;
            assert_eq!(again.status, 304, "{path} with If-None-Match {sent}");
            assert!(again.text.is_empty(), "{path}: a 304 has no body");
            assert_eq!(again.header("etag"), Some(tag.as_str()), "{path}");
            assert_eq!(again.header("cache-control"), Some("public, no-cache"));
            assert!(vary(&again).contains(&"accept-language".to_owned()));
        }
        let stale = get_with(&app, &path, &[("if-none-match", "\"stale\"")]).await;
        assert_eq!(stale.status, 200, "{path}");
        assert_eq!(stale.body, first.body);
    }
}

#[tokio::test]
async fn another_language_has_another_etag() {
    let app = spawn_with_catalogue().await;
    for path in published_paths(&app).await {
        let en = get_with(&app, &path, &[("accept-language", "en")]).await;
        let fr = get_with(&app, &path, &[("accept-language", "fr")]).await;
        assert_eq!(fr.status, 200, "{path}: {}", fr.text);
        assert_ne!(etag(&en), etag(&fr), "{path}");
        // The English copy's tag does not revalidate the French answer.
        let revalidated = get_with(
            &app,
            &path,
            &[("accept-language", "fr"), ("if-none-match", &etag(&en))],
        )
        .await;
        assert_eq!(revalidated.status, 200, "{path}");
        assert!(
            revalidated
                .header("content-language")
                .is_some_and(|l| l.contains("fr")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn errors_are_not_cached() {
    let app = spawn_with_catalogue().await;
    let res = app.get("/api/v1/courses/no-such-course", None).await;
    res.assert_problem(404, "not_found");
    assert!(res.header("etag").is_none());
    assert!(res.header("cache-control").is_none());
}
