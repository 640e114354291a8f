//! Black-box tests of the catalogue: languages, outlines, lessons and authoring.

use help_lms_domain::values::Role;
use help_lms_tests::{spawn_app, spawn_with_catalogue};
use serde_json::{Value, json};

const COOP: &str = "international-cooperation-pre-trial-detention";

/// Every object key anywhere in a JSON value.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

fn assert_no_answer_keys(v: &Value) {
    let mut ks = Vec::new();
    keys(v, &mut ks);
    for forbidden in [
        "correct",
        "accepted",
        "answer",
        "tolerance",
        "explanation",
        "feedback_correct",
        "questions",
    ] {
        assert!(
            !ks.iter().any(|k| k == forbidden),
            "'{forbidden}' leaked in {v}"
        );
    }
}

#[tokio::test]
async fn the_catalogue_lists_the_three_help_courses_without_login() {
    let app = spawn_with_catalogue().await;
    let res = app.get("/api/v1/courses", None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["total"], 3);
    let slugs: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "evidence-counter-terrorism",
            COOP,
            "radicalisation-prevention-prison-probation"
        ]
    );
    assert_no_answer_keys(&res.body);
}

#[tokio::test]
async fn courses_filter_by_language_and_topic_and_paginate() {
    let app = spawn_with_catalogue().await;
    // Every course is in the Council of Europe's two official languages.
    let fr = app.get("/api/v1/courses?language=fr", None).await;
    assert_eq!(fr.body["total"], 3);
    let de = app.get("/api/v1/courses?language=de", None).await;
    assert_eq!(de.body["total"], 0);

    let topic = app.get("/api/v1/courses?topic=probation", None).await;
    assert_eq!(topic.body["total"], 1);
    assert_eq!(
        topic.body["items"][0]["slug"],
        "radicalisation-prevention-prison-probation"
    );

    let page = app.get("/api/v1/courses?limit=1&offset=1", None).await;
    assert_eq!(page.body["total"], 3);
    assert_eq!(page.body["limit"], 1);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["items"][0]["slug"], COOP);

    for limit in ["0", "101", "100000"] {
        let res = app
            .get(&format!("/api/v1/courses?limit={limit}"), None)
            .await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.problem_fields(), ["limit"]);
    }
    let most = app.get("/api/v1/courses?limit=100", None).await;
    assert_eq!(most.body["limit"], 100);

    app.get("/api/v1/courses?language=xx", None)
        .await
        .assert_problem(422, "validation_failed");
    let bad = app.get("/api/v1/courses?limit=abc", None).await;
    bad.assert_problem(422, "validation_failed");
    let unknown = app.get("/api/v1/courses?colour=red", None).await;
    unknown.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn titles_follow_accept_language_with_quality_values() {
    let app = spawn_with_catalogue().await;
    let res = app
        .send(
            app.request(
                reqwest::Method::GET,
                &format!("/api/v1/courses/{COOP}"),
                None,
            )
            .header("accept-language", "de;q=0.9, fr-BE;q=0.95, en;q=0.5"),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-language"), Some("fr"));
    assert_eq!(res.body["language"], "fr");
    assert!(
        res.body["title"]
            .as_str()
            .unwrap()
            .starts_with("Coopération"),
        "{}",
        res.body["title"]
    );

    // ?lang= wins over the header.
    let en = app
        .send(
            app.request(
                reqwest::Method::GET,
                &format!("/api/v1/courses/{COOP}?lang=en"),
                None,
            )
            .header("accept-language", "fr"),
        )
        .await;
    assert_eq!(en.header("content-language"), Some("en"));
    assert!(
        en.body["title"]
            .as_str()
            .unwrap()
            .starts_with("International")
    );

    // A language the course lacks falls back to English, and says so.
    let de = app
        .get("/api/v1/courses/evidence-counter-terrorism?lang=de", None)
        .await;
    assert_eq!(de.status, 200);
    assert_eq!(de.header("content-language"), Some("en"));
    assert_eq!(de.body["language"], "en");
}

#[tokio::test]
async fn the_outline_shows_modules_lessons_and_quiz_settings_but_no_questions() {
    let app = spawn_with_catalogue().await;
    let res = app
        .get(
            "/api/v1/courses/radicalisation-prevention-prison-probation",
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    let modules = res.body["modules"].as_array().unwrap();
    assert!(modules.len() >= 5);
    for m in modules {
        assert!(m["lessons"].as_array().unwrap().len() >= 2, "{}", m["key"]);
        let quiz = &m["quiz"];
        assert!(quiz["question_count"].as_u64().unwrap() >= 5);
        assert!((0..=100).contains(&quiz["pass_mark"].as_u64().unwrap()));
        assert!(quiz["grading"].is_string());
    }
    assert!(res.body["total_minutes"].as_i64().unwrap() > 0);
    assert_no_answer_keys(&res.body);
    app.get("/api/v1/courses/no-such-course", None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_lesson_is_served_as_markdown_and_sanitised_html_in_the_chosen_language() {
    let app = spawn_with_catalogue().await;
    let outline = app.get(&format!("/api/v1/courses/{COOP}"), None).await;
    let lesson = &outline.body["modules"][1]["lessons"][0];
    let id = lesson["id"].as_str().unwrap();
    let key = lesson["key"].as_str().unwrap();

    let fr = app
        .get(
            &format!("/api/v1/courses/{COOP}/lessons/{id}?lang=fr"),
            None,
        )
        .await;
    assert_eq!(fr.status, 200, "{}", fr.text);
    assert_eq!(fr.header("content-language"), Some("fr"));
    assert!(fr.body["body_markdown"].as_str().unwrap().len() > 1000);
    assert!(fr.body["body_html"].as_str().unwrap().contains("<h2>"));
    assert!(!fr.body["references"].as_array().unwrap().is_empty());

    let by_key = app
        .get(
            &format!("/api/v1/courses/{COOP}/lessons/{key}?lang=en"),
            None,
        )
        .await;
    assert_eq!(by_key.body["id"], id);
    assert_eq!(by_key.body["language"], "en");
    assert_ne!(by_key.body["body_markdown"], fr.body["body_markdown"]);
    // Citations are in the lesson's language too, as each language cites the source.
    let citations = |r: &Value| -> Vec<String> {
        r["references"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["citation"].as_str().unwrap().to_owned())
            .collect()
    };
    let (fr_cites, en_cites) = (citations(&fr.body), citations(&by_key.body));
    assert_eq!(fr_cites.len(), en_cites.len());
    assert_ne!(fr_cites, en_cites);

    // A lesson of another course is not found through this one.
    let other = app
        .get(
            &format!("/api/v1/courses/evidence-counter-terrorism/lessons/{id}"),
            None,
        )
        .await;
    other.assert_problem(404, "not_found");
}

fn demo_files(extra_lesson_text: &str, status: &str) -> Value {
    json!({"files": {
        "course.toml": format!(r#"
slug = "demo"
languages = ["en"]
topics = ["demo"]
estimated_hours = 1
status = "{status}"
title = {{ en = "Demo course" }}
summary = {{ en = "A demo." }}

[[modules]]
key = "m1"
title = {{ en = "One" }}
summary = {{ en = "First." }}

  [[modules.lessons]]
  key = "l1"
  title = {{ en = "Lesson one" }}
  minutes = 5
"#),
        "lessons/l1.en.md": format!("## Hello\n\n{extra_lesson_text}\n\n<script>alert('x')</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"steal()\">link</a>\n"),
    }})
}

#[tokio::test]
async fn an_admin_uploads_versions_publishes_and_archives_a_course() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    // A draft is not listed.
    let res = app
        .put(
            "/api/v1/courses/demo/content",
            &demo_files("First text.", "draft"),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["action"], "created");
    assert_eq!(res.body["version"], 1);
    assert_eq!(app.get("/api/v1/courses", None).await.body["total"], 0);

    let published = app
        .post("/api/v1/courses/demo/publish", &json!({}), Some(&admin))
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    assert_eq!(app.get("/api/v1/courses", None).await.body["total"], 1);
    let v1 = app.get("/api/v1/courses/demo", None).await;
    let v1_lesson = v1.body["modules"][0]["lessons"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The same files again change nothing.
    let same = app
        .put(
            "/api/v1/courses/demo/content",
            &demo_files("First text.", "draft"),
            Some(&admin),
        )
        .await;
    assert_eq!(same.body["action"], "unchanged");
    assert_eq!(same.body["version"], 1);

    // Changed files make version 2; version 1's lesson stays readable for those following it.
    let changed = app
        .put(
            "/api/v1/courses/demo/content",
            &demo_files("Second text.", "published"),
            Some(&admin),
        )
        .await;
    assert_eq!(changed.body["action"], "new_version");
    assert_eq!(changed.body["version"], 2);
    let v2 = app.get("/api/v1/courses/demo", None).await;
    assert_eq!(v2.body["version"], 2);
    let old = app
        .get(&format!("/api/v1/courses/demo/lessons/{v1_lesson}"), None)
        .await;
    assert_eq!(old.status, 200);
    assert_eq!(old.body["course_version"], 1);
    assert!(
        old.body["body_markdown"]
            .as_str()
            .unwrap()
            .contains("First text.")
    );

    // Whatever the source holds, the HTML has nothing active.
    let html = app.get("/api/v1/courses/demo/lessons/l1", None).await.body["body_html"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(html.contains("second text."));
    for bad in ["<script", "javascript:", "onclick"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }

    let archived = app
        .post("/api/v1/courses/demo/archive", &json!({}), Some(&admin))
        .await;
    assert_eq!(archived.body["status"], "archived");
    assert_eq!(app.get("/api/v1/courses", None).await.body["total"], 0);
    app.get("/api/v1/courses/demo", None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn invalid_content_is_refused_with_file_and_line_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut files = demo_files("Text.", "published");
    files["files"]["quizzes/m1.toml"] = json!(
        "title = { en = \"Quiz\" }\npass_mark = 170\nmax_attempts = 1\ngrading = \"highest\"\nshuffle_questions = false\nshuffle_options = false\nreview = \"score_only\"\nreview_when = \"immediately\"\n\n[[questions]]\nkey = \"q1\"\nkind = \"essay\"\nprompt = { en = \"?\" }\nexplanation = { en = \"!\" }\nfeedback_correct = { en = \"y\" }\nfeedback_incorrect = { en = \"n\" }\n"
    );
    let res = app
        .put("/api/v1/courses/demo/content", &files, Some(&admin))
        .await;
    res.assert_problem(422, "validation_failed");
    let fields = res.problem_fields();
    assert!(
        fields.contains(&"files.quizzes/m1.toml:2".to_owned()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"files.quizzes/m1.toml:12".to_owned()),
        "{fields:?}"
    );
    assert!(res.text.contains("unknown question kind"));
    // Nothing was created.
    let admin_list = app.get("/api/v1/courses", None).await;
    assert_eq!(admin_list.body["total"], 0);
    app.post("/api/v1/courses/demo/publish", &json!({}), Some(&admin))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn only_admins_author_content() {
    let app = spawn_app().await;
    let (_, learner) = app
        .user_with_token("learner@court.example", Role::Learner, None)
        .await;
    app.put(
        "/api/v1/courses/demo/content",
        &demo_files("x", "published"),
        Some(&learner),
    )
    .await
    .assert_problem(403, "admin_only");
    app.post("/api/v1/courses/demo/publish", &json!({}), Some(&learner))
        .await
        .assert_problem(403, "admin_only");
    app.put(
        "/api/v1/courses/demo/content",
        &demo_files("x", "published"),
        None,
    )
    .await
    .assert_problem(401, "missing_token");
    let admin = app.admin_token().await;
    let traversal = json!({"files": {"../etc/passwd": "x", "course.toml": "slug = \"demo\""}});
    let res = app
        .put("/api/v1/courses/demo/content", &traversal, Some(&admin))
        .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.problem_fields(), ["files.../etc/passwd"]);
}

#[tokio::test]
async fn importing_the_bundled_catalogue_twice_changes_nothing() {
    let app = spawn_with_catalogue().await;
    let courses = help_lms_domain::content::parse_catalogue(&help_lms::content::bundled()).unwrap();
    let outcomes = help_lms_persistence::catalogue::import(&app.db, &courses)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes.iter().all(|o| o.action
        == help_lms_persistence::catalogue::ImportAction::Unchanged
        && o.version == 1));
}

/// Whether `app` lists `slug`, and the statuses of its outline and of its lesson `lesson`,
/// in three requests.
async fn probe(
    app: &help_lms_tests::TestApp,
    slug: &str,
    lesson: &str,
) -> (bool, reqwest::StatusCode, reqwest::StatusCode) {
    let listed = app.get("/api/v1/courses", None).await.body["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|c| c["slug"] == slug));
    let outline = app
        .get(&format!("/api/v1/courses/{slug}"), None)
        .await
        .status;
    let lesson = app
        .get(&format!("/api/v1/courses/{slug}/lessons/{lesson}"), None)
        .await
        .status;
    (listed, outline, lesson)
}

/// Whether `app` lists `slug`, serves its outline and the lesson `lesson` of it, which must
/// agree: for an instance that is not in the middle of taking a change.
async fn serves(app: &help_lms_tests::TestApp, slug: &str, lesson: &str) -> bool {
    let (listed, outline, lesson) = probe(app, slug, lesson).await;
    assert_eq!(
        outline, lesson,
        "{slug}: outline {outline}, lesson {lesson}"
    );
    assert_eq!(
        listed,
        outline == 200,
        "{slug}: listed {listed}, outline {outline}"
    );
    listed
}

/// Whether `app` comes to serve `slug` (or to stop serving it), in the list, the outline
/// and the lesson alike, within five seconds. While it takes the change, a recheck between
/// the three requests can make them disagree; that is not yet the change served.
async fn comes_to(app: &help_lms_tests::TestApp, slug: &str, lesson: &str, served: bool) -> bool {
    let status: u16 = if served { 200 } else { 404 };
    for _ in 0..50 {
        let (listed, outline, lesson_status) = probe(app, slug, lesson).await;
        if listed == served && outline == status && lesson_status == status {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn every_instance_serves_a_change_to_the_catalogue_within_its_recheck_time() {
    let a = spawn_with_catalogue().await;
    // Two more instances on the same database: one compares the catalogue it serves from
    // memory with the database every 200 ms, one hourly.
    let prompt = a.another_instance(200).await;
    let hourly = a.another_instance(3_600_000).await;
    let outline = a.get("/api/v1/courses", None).await.body["items"][0].clone();
    let slug = outline["slug"].as_str().unwrap().to_owned();
    let course = a.get(&format!("/api/v1/courses/{slug}"), None).await;
    let lesson = course.body["modules"][0]["lessons"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for app in [&a, &prompt, &hourly] {
        assert!(serves(app, &slug, &lesson).await);
    }

    let admin = a.admin_token().await;
    let archived = a
        .post(
            &format!("/api/v1/courses/{slug}/archive"),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.text);
    // The instance that made the change serves it at once.
    assert!(!serves(&a, &slug, &lesson).await);
    // One that checks every 200 ms serves it once it has checked.
    assert!(
        comes_to(&prompt, &slug, &lesson, false).await,
        "the archived course is still served by the second instance"
    );
    // The hourly one still answers from what it read: from memory, not the database.
    assert!(serves(&hourly, &slug, &lesson).await);

    // Published again, it comes back the same way.
    let published = a
        .post(
            &format!("/api/v1/courses/{slug}/publish"),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    assert!(serves(&a, &slug, &lesson).await);
    assert!(
        comes_to(&prompt, &slug, &lesson, true).await,
        "the republished course is not served by the second instance"
    );
}
