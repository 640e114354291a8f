//! Black-box tests of learning: progress, attempts, grading, reviews, deadlines and
//! certificates.

use help_lms_domain::values::Role;
use help_lms_persistence::entities::{attempts, enrolments};
use help_lms_tests::{Options, Res, TestApp, spawn_app, spawn_with, spawn_with_catalogue};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

const QUIZ_HEAD: &str = r#"
title = { en = "Check" }
pass_mark = 60
max_attempts = 2
time_limit_minutes = 5
grading = "highest"
shuffle_questions = true
shuffle_options = true
"#;

const QUESTIONS: &str = r#"
[[questions]]
key = "detention-ground"
kind = "single_choice"
prompt = { en = "Which is an accepted ground for remand?" }
explanation = { en = "Buzadji lists the accepted grounds." }
feedback_correct = { en = "Right." }
feedback_incorrect = { en = "Not quite." }
references = [{ kind = "case", citation = "Buzadji v. the Republic of Moldova [GC], no. 23755/07, 5 July 2016" }]
  [[questions.options]]
  key = "abscond"
  text = { en = "Risk of absconding" }
  correct = true
  [[questions.options]]
  key = "popularity"
  text = { en = "Public opinion" }
  correct = false

[[questions]]
key = "eaw-days"
kind = "numeric"
prompt = { en = "Within how many days must a consented surrender be decided?" }
explanation = { en = "Article 17(2)." }
feedback_correct = { en = "Right." }
feedback_incorrect = { en = "Not quite." }
references = [{ kind = "instrument", citation = "ECHR, Article 5" }]
value = 10

[[questions]]
key = "steps"
kind = "ordering"
prompt = { en = "Order the Aranyosi steps." }
explanation = { en = "General first, then individual." }
feedback_correct = { en = "Right." }
feedback_incorrect = { en = "Not quite." }
references = [{ kind = "instrument", citation = "ECHR, Article 5" }]
  [[questions.items]]
  key = "general"
  text = { en = "General deficiencies" }
  [[questions.items]]
  key = "individual"
  text = { en = "Individual risk" }
  [[questions.items]]
  key = "decide"
  text = { en = "Decide on surrender" }
"#;

fn course_files(review: &str, review_when: &str) -> Value {
    json!({"files": {
        "course.toml": r#"
slug = "demo"
languages = ["en"]
topics = ["demo"]
estimated_hours = 2
status = "published"
title = { en = "Demo course" }
summary = { en = "A demo." }

[[modules]]
key = "m1"
title = { en = "One" }
summary = { en = "First." }

  [[modules.lessons]]
  key = "l1"
  title = { en = "Lesson one" }
  minutes = 5

  [[modules.lessons]]
  key = "l2"
  title = { en = "Lesson two" }
  minutes = 5
"#,
        "lessons/l1.en.md": "## One\n\nText.",
        "lessons/l2.en.md": "## Two\n\nText.",
        "quizzes/m1.toml": format!("{QUIZ_HEAD}review = \"{review}\"\nreview_when = \"{review_when}\"\n{QUESTIONS}"),
    }})
}

pub(crate) struct Learner {
    pub(crate) token: String,
    pub(crate) enrolment: String,
    pub(crate) lessons: Vec<String>,
    pub(crate) quiz: String,
}

pub(crate) async fn demo(app: &TestApp, review: &str, review_when: &str) -> Learner {
    let admin = app.admin_token().await;
    let up = app
        .put(
            "/api/v1/courses/demo/content",
            &course_files(review, review_when),
            Some(&admin),
        )
        .await;
    assert!(up.status.is_success(), "{}", up.text);
    enrol_in_demo(app, None).await
}

/// A new learner (of `institution`, if given) enrolled in the demo course on their own.
pub(crate) async fn enrol_in_demo(app: &TestApp, institution: Option<Uuid>) -> Learner {
    let email = format!("learner-{}@x.example", Uuid::new_v4().simple());
    let (_, token) = app
        .user_with_token(&email, Role::Learner, institution)
        .await;
    let e = app
        .post(
            "/api/v1/enrolments",
            &json!({"course": "demo"}),
            Some(&token),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let enrolment = e.body["id"].as_str().unwrap().to_owned();
    let view = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), Some(&token))
        .await;
    let m = &view.body["modules"][0];
    Learner {
        token,
        lessons: m["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect(),
        quiz: m["quiz"]["id"].as_str().unwrap().to_owned(),
        enrolment,
    }
}

/// The right answer for each delivered question, worked out from what the learner sees.
pub(crate) fn right_answers(attempt: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for q in attempt["questions"].as_array().unwrap() {
        let key = q["key"].as_str().unwrap();
        let answer = match key {
            "detention-ground" => json!(
                q["options"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| o["text"] == "Risk of absconding")
                    .unwrap()["id"]
            ),
            "eaw-days" => json!(10),
            "steps" => {
                let items = q["items"].as_array().unwrap();
                let id = |t: &str| items.iter().find(|i| i["text"] == t).unwrap()["id"].clone();
                json!([
                    id("General deficiencies"),
                    id("Individual risk"),
                    id("Decide on surrender")
                ])
            }
            other => panic!("unexpected question {other}"),
        };
        out.insert(key.to_owned(), answer);
    }
    Value::Object(out)
}

fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.clone());
            keys(x, out)
        }),
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

fn assert_no_answer_key(v: &Value) {
    let mut ks = Vec::new();
    keys(v, &mut ks);
    for bad in [
        "correct",
        "accepted",
        "answer",
        "tolerance",
        "explanation",
        "correct_response",
        "feedback",
    ] {
        assert!(!ks.iter().any(|k| k == bad), "'{bad}' leaked: {v}");
    }
    assert!(
        !v.to_string().contains("\"value\":10"),
        "numeric answer leaked"
    );
}

pub(crate) async fn start(app: &TestApp, l: &Learner) -> Res {
    app.post(
        &format!(
            "/api/v1/enrolments/{}/quizzes/{}/attempts",
            l.enrolment, l.quiz
        ),
        &json!({}),
        Some(&l.token),
    )
    .await
}

#[tokio::test]
async fn a_learner_completes_a_course_and_the_certificate_verifies() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    // Progress, repeated: the first completion time stays, time is a running total.
    let path = format!(
        "/api/v1/enrolments/{}/lessons/{}/progress",
        l.enrolment, l.lessons[0]
    );
    let first = app
        .put(
            &path,
            &json!({"status": "completed", "time_spent_seconds": 120}),
            Some(&l.token),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    // The answer names the lesson and says where the enrolment stands after the write.
    assert_eq!(first.body["lesson"]["id"], l.lessons[0]);
    assert_eq!(first.body["lesson"]["key"], "l1");
    assert_eq!(first.body["lesson"]["title"], "Lesson one");
    assert_eq!(first.body["percent"], 33.33);
    assert_eq!(first.body["next"]["kind"], "lesson");
    assert_eq!(first.body["next"]["id"], l.lessons[1]);
    let again = app
        .put(
            &path,
            &json!({"status": "completed", "time_spent_seconds": 120}),
            Some(&l.token),
        )
        .await;
    assert_eq!(
        again.body["lesson"]["completed_at"],
        first.body["lesson"]["completed_at"]
    );
    assert_eq!(again.body["lesson"]["time_spent_seconds"], 120);
    let view = app
        .put(
            &path,
            &json!({"status": "viewed", "time_spent_seconds": 90}),
            Some(&l.token),
        )
        .await;
    assert_eq!(view.body["lesson"]["status"], "completed");
    assert_eq!(view.body["lesson"]["time_spent_seconds"], 120);

    let state = app
        .get(
            &format!("/api/v1/enrolments/{}", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(state.body["next"]["kind"], "lesson");
    assert_eq!(state.body["next"]["id"], l.lessons[1]);
    assert_eq!(state.body["percent"], 33.33);

    let p2 = format!(
        "/api/v1/enrolments/{}/lessons/{}/progress",
        l.enrolment, l.lessons[1]
    );
    assert_eq!(
        app.put(&p2, &json!({"status": "completed"}), Some(&l.token))
            .await
            .body["enrolment_status"],
        "active"
    );

    // The quiz: questions without answer keys, the same order every time it is read.
    let attempt = start(&app, &l).await;
    assert_eq!(attempt.status, 201, "{}", attempt.text);
    assert_no_answer_key(&attempt.body);
    assert!(attempt.body["deadline"].is_string());
    let id = attempt.body["id"].as_str().unwrap().to_owned();
    let reread = app
        .get(&format!("/api/v1/attempts/{id}"), Some(&l.token))
        .await;
    assert_eq!(reread.body["questions"], attempt.body["questions"]);
    // Starting again returns the attempt in progress.
    let same = start(&app, &l).await;
    assert_eq!(same.status, 200);
    assert_eq!(same.body["id"], id);

    let answers = right_answers(&attempt.body);
    let saved = app
        .put(
            &format!("/api/v1/attempts/{id}/responses"),
            &json!({"responses": {"eaw-days": 10}}),
            Some(&l.token),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["responses"]["eaw-days"], 10);
    let submitted = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &json!({"responses": answers}),
            Some(&l.token),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    let result = &submitted.body["result"];
    assert_eq!(result["percent"], 100.0);
    assert_eq!(result["passed"], true);
    assert!(result["questions"][0]["explanation"].is_string());

    // Completion happened in the same transaction: the certificate is there at once.
    let state = app
        .get(
            &format!("/api/v1/enrolments/{}", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(state.body["enrolment"]["status"], "completed");
    assert_eq!(state.body["percent"], 100.0);
    let code = state.body["certificate_code"].as_str().unwrap().to_owned();
    let cert = app
        .get(
            &format!("/api/v1/enrolments/{}/certificate", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(cert.body["code"], code);
    assert_eq!(cert.body["course_title"], "Demo course");
    assert_eq!(cert.body["final_score"], 100.0);
    assert_eq!(cert.body["estimated_hours"], 2.0);
    let pdf = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/enrolments/{}/certificate", l.enrolment),
                Some(&l.token),
            )
            .header("accept", "application/pdf"),
        )
        .await;
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.text.starts_with("%PDF-"));
    assert_eq!(
        pdf.header("content-disposition"),
        Some(format!("inline; filename=\"help-certificate-{code}.pdf\"").as_str())
    );
    // The text is in subset fonts; what the page says is checked with pdftotext in CI.
    // The document's metadata (PDF/A's XMP) names the certificate in plain text.
    assert!(pdf.text.contains("pdfaid:part"), "not PDF/A");
    assert!(pdf.text.contains("Certificate of completion"));

    // Public verification shows only what it needs.
    let public = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["valid"], true);
    assert_eq!(public.body["course_title"], "Demo course");
    assert!(
        public.body.get("final_score").is_none()
            && public.body.get("user_id").is_none()
            && public.body.get("email").is_none()
    );
    app.get("/api/v1/certificates/AAAA-BBBB-CCCC-DDDD-EEEE", None)
        .await
        .assert_problem(404, "not_found");

    // Further progress is answered and not recorded; the admin can revoke.
    let again = app
        .put(&path, &json!({"status": "viewed"}), Some(&l.token))
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["enrolment_status"], "completed");
    let admin = app.admin_token().await;
    app.post(
        &format!("/api/v1/certificates/{code}/revoke"),
        &json!({"reason": ""}),
        Some(&admin),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post(
        &format!("/api/v1/certificates/{code}/revoke"),
        &json!({"reason": "x"}),
        Some(&l.token),
    )
    .await
    .assert_problem(403, "admin_only");
    let revoked = app
        .post(
            &format!("/api/v1/certificates/{code}/revoke"),
            &json!({"reason": "issued in error"}),
            Some(&admin),
        )
        .await;
    assert_eq!(revoked.body["status"], "revoked");
    let public = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(public.body["valid"], false);
    assert_eq!(public.body["status"], "revoked");
    assert!(public.body["revoked_on"].is_string());
    // A revoked certificate is never printed as if it were valid.
    app.send(
        app.request(
            Method::GET,
            &format!("/api/v1/enrolments/{}/certificate", l.enrolment),
            Some(&l.token),
        )
        .header("accept", "application/pdf"),
    )
    .await
    .assert_problem(409, "certificate_revoked");
}

/// Completes the demo course with the right answers; the certificate's code.
pub(crate) async fn complete(app: &TestApp, l: &Learner) -> String {
    for lesson in &l.lessons {
        let res = app
            .put(
                &format!(
                    "/api/v1/enrolments/{}/lessons/{lesson}/progress",
                    l.enrolment
                ),
                &json!({"status": "completed"}),
                Some(&l.token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let attempt = start(app, l).await;
    assert_eq!(attempt.status, 201, "{}", attempt.text);
    let id = attempt.body["id"].as_str().unwrap();
    let submitted = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &json!({"responses": right_answers(&attempt.body)}),
            Some(&l.token),
        )
        .await;
    assert_eq!(
        submitted.body["result"]["passed"], true,
        "{}",
        submitted.text
    );
    let state = app
        .get(
            &format!("/api/v1/enrolments/{}", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(
        state.body["enrolment"]["status"], "completed",
        "{}",
        state.text
    );
    state.body["certificate_code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_certificate_links_to_the_public_url_whatever_the_request_says() {
    let app = spawn_with(Options {
        public_url: "https://Help.Coe.example/help/".into(),
        ..Default::default()
    })
    .await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let code = complete(&app, &l).await;
    let expected = format!("https://help.coe.example/help/verify/{code}");
    let path = format!("/api/v1/enrolments/{}/certificate", l.enrolment);
    // What a client, or a proxy passing its headers on, could claim about the address.
    let spoofed = |accept: &str| {
        app.request(Method::GET, &path, Some(&l.token))
            .header("accept", accept)
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "http")
            .header("forwarded", "host=evil.example;proto=http")
    };
    let json = app.send(spoofed("application/json")).await;
    assert_eq!(json.status, 200, "{}", json.text);
    assert_eq!(json.body["verification_url"], expected);
    assert_eq!(
        json.body["verification_path"],
        format!("/api/v1/certificates/{code}")
    );
    let pdf = app.send(spoofed("application/pdf")).await;
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    // The metadata carries the link the page prints (and its QR code holds).
    assert!(pdf.text.contains(&expected), "no {expected} in the PDF");
    assert!(!pdf.text.contains("evil"));
    assert_eq!(
        json.body["credential_url"],
        format!("https://help.coe.example/help/api/v1/certificates/{code}/credential")
    );
    // The revocation answer carries the same link.
    let admin = app.admin_token().await;
    let revoked = app
        .post(
            &format!("/api/v1/certificates/{code}/revoke"),
            &json!({"reason": "issued in error"}),
            Some(&admin),
        )
        .await;
    assert_eq!(revoked.body["verification_url"], expected);
}

#[tokio::test]
async fn the_attempt_limit_and_review_policy_hold() {
    let app = spawn_app().await;
    let l = demo(&app, "score_only", "immediately").await;
    for n in 1..=2 {
        let a = start(&app, &l).await;
        assert_eq!(a.status, 201, "{}", a.text);
        assert_eq!(a.body["number"], n);
        let id = a.body["id"].as_str().unwrap();
        let s = app
            .post(
                &format!("/api/v1/attempts/{id}/submit"),
                &json!({"responses": {"eaw-days": 3}}),
                Some(&l.token),
            )
            .await;
        assert_eq!(s.status, 200, "{}", s.text);
        // Score only: no correctness, no answers.
        assert!(s.body["result"]["percent"].is_number());
        assert_no_answer_key(&s.body["questions"]);
        assert!(
            s.body["result"]["questions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|q| q["outcome"].is_null() && q["correct_response"].is_null())
        );
    }
    start(&app, &l)
        .await
        .assert_problem(409, "attempt_limit_reached");
}

#[tokio::test]
async fn answers_wait_for_the_last_attempt_when_the_policy_says_so() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "after_last_attempt").await;
    let a = start(&app, &l).await;
    let id = a.body["id"].as_str().unwrap().to_owned();
    let s = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &json!({}),
            Some(&l.token),
        )
        .await;
    assert_eq!(s.body["result"]["passed"], false);
    assert!(s.body["result"]["questions"][0]["correct_response"].is_null());
    let b = start(&app, &l).await;
    let id2 = b.body["id"].as_str().unwrap().to_owned();
    let s2 = app
        .post(
            &format!("/api/v1/attempts/{id2}/submit"),
            &json!({}),
            Some(&l.token),
        )
        .await;
    assert!(
        !s2.body["result"]["questions"][0]["correct_response"].is_null(),
        "{}",
        s2.text
    );
    // And now for the first attempt too.
    let first = app
        .get(&format!("/api/v1/attempts/{id}"), Some(&l.token))
        .await;
    assert!(!first.body["result"]["questions"][0]["correct_response"].is_null());
}

#[tokio::test]
async fn responses_outside_the_attempt_are_a_400_and_change_nothing() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let a = start(&app, &l).await;
    let id = a.body["id"].as_str().unwrap().to_owned();
    for bad in [
        json!({"no-such-question": 1}),
        json!({"detention-ground": "not-an-option-id"}),
        json!({"eaw-days": "ten"}),
        json!({"steps": ["x", "y", "z"]}),
    ] {
        let res = app
            .put(
                &format!("/api/v1/attempts/{id}/responses"),
                &json!({"responses": bad}),
                Some(&l.token),
            )
            .await;
        res.assert_problem(400, "invalid_responses");
        app.post(
            &format!("/api/v1/attempts/{id}/submit"),
            &json!({"responses": bad}),
            Some(&l.token),
        )
        .await
        .assert_problem(400, "invalid_responses");
    }
    let now = app
        .get(&format!("/api/v1/attempts/{id}"), Some(&l.token))
        .await;
    assert_eq!(now.body["responses"], json!({}));
    assert_eq!(now.body["status"], "in_progress");
}

#[tokio::test]
async fn many_concurrent_submissions_grade_once() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let a = start(&app, &l).await;
    let id = a.body["id"].as_str().unwrap().to_owned();
    let answers = right_answers(&a.body);
    let url = format!("/api/v1/attempts/{id}/submit");
    let body = json!({"responses": answers});
    let futures: Vec<_> = (0..12)
        .map(|_| app.post(&url, &body, Some(&l.token)))
        .collect();
    let results = futures_join(futures).await;
    let submitted_at: Vec<&Value> = results.iter().map(|r| &r.body["submitted_at"]).collect();
    for r in &results {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["result"]["percent"], 100.0);
    }
    assert!(
        submitted_at.iter().all(|s| *s == submitted_at[0]),
        "graded more than once: {submitted_at:?}"
    );
    let state = app
        .get(
            &format!("/api/v1/enrolments/{}", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(state.body["modules"][0]["quiz"]["attempts_submitted"], 1);
}

async fn futures_join(fs: Vec<impl std::future::Future<Output = Res>>) -> Vec<Res> {
    let handles: Vec<_> = fs.into_iter().collect();
    let mut out = Vec::new();
    // Drive them together so the requests really overlap.
    let joined = futures_all(handles).await;
    out.extend(joined);
    out
}

async fn futures_all<F: std::future::Future<Output = Res>>(fs: Vec<F>) -> Vec<Res> {
    use std::pin::Pin;
    let mut pinned: Vec<Pin<Box<F>>> = fs.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<Res>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => results[i] = Some(r),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}

#[tokio::test]
async fn an_attempt_past_its_deadline_is_closed_with_what_was_saved() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let a = start(&app, &l).await;
    let id: Uuid = a.body["id"].as_str().unwrap().parse().unwrap();
    let answers = right_answers(&a.body);
    app.put(
        &format!("/api/v1/attempts/{id}/responses"),
        &json!({"responses": {"eaw-days": answers["eaw-days"]}}),
        Some(&l.token),
    )
    .await;
    // The clock moves past the deadline and the grace.
    attempts::ActiveModel {
        id: Set(id),
        deadline: Set(Some(chrono::Utc::now() - chrono::Duration::seconds(31))),
        ..Default::default()
    }
    .update(&app.db.conn)
    .await
    .unwrap();
    let late = app
        .post(
            &format!("/api/v1/attempts/{id}/submit"),
            &json!({"responses": answers}),
            Some(&l.token),
        )
        .await;
    late.assert_problem(409, "deadline_passed");
    let closed = app
        .get(&format!("/api/v1/attempts/{id}"), Some(&l.token))
        .await;
    assert_eq!(closed.body["status"], "submitted");
    assert_eq!(closed.body["auto_closed"], true);
    // Closing it graded it for the funnel too: its outcome letters, and the quiz marked
    // attempted (not passed) on the enrolment, in the attempt's language.
    let row = attempts::Entity::find_by_id(id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    let letters = row.outcomes.clone().unwrap();
    assert_eq!(
        letters.len(),
        closed.body["result"]["questions"].as_array().unwrap().len()
    );
    assert!(letters.contains('c') && letters.contains('u'), "{letters}");
    let marks = enrolments::Entity::find_by_id(row.enrolment_id)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap()
        .module_marks
        .unwrap();
    let quiz_mark = marks.split(';').find(|m| m.contains(':')).unwrap();
    assert_eq!(quiz_mark, "4:en", "{marks}");
    // Only the saved numeric answer counted, not the late ones.
    assert_eq!(closed.body["result"]["score"], 1.0);
    app.put(
        &format!("/api/v1/attempts/{id}/responses"),
        &json!({"responses": {"eaw-days": 10}}),
        Some(&l.token),
    )
    .await
    .assert_problem(409, "attempt_closed");

    // Within the grace a submission is still taken.
    let b = start(&app, &l).await;
    let id2: Uuid = b.body["id"].as_str().unwrap().parse().unwrap();
    attempts::ActiveModel {
        id: Set(id2),
        deadline: Set(Some(chrono::Utc::now() - chrono::Duration::seconds(10))),
        ..Default::default()
    }
    .update(&app.db.conn)
    .await
    .unwrap();
    let ok = app
        .post(
            &format!("/api/v1/attempts/{id2}/submit"),
            &json!({"responses": right_answers(&b.body)}),
            Some(&l.token),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["result"]["percent"], 100.0);
    let row = attempts::Entity::find_by_id(id2)
        .one(&app.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.auto_closed,
        "submitted within the grace, not closed by the server"
    );
}

#[tokio::test]
async fn other_learners_get_404_and_tutors_read_but_do_not_write() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let inst = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "NTI", "country": "FR", "kind": "judicial_training"}),
            Some(&admin),
        )
        .await;
    let inst: Uuid = inst.body["id"].as_str().unwrap().parse().unwrap();
    let (_, manager) = app
        .user_with_token("m@nti.example", Role::NtiManager, Some(inst))
        .await;
    let (tutor_id, tutor) = app
        .user_with_token("t@nti.example", Role::Tutor, Some(inst))
        .await;
    let cohort = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": "international-cooperation-pre-trial-detention", "language": "en", "name": "C", "starts_on": "2027-01-01", "ends_on": "2027-03-01", "capacity": 5, "tutor_ids": [tutor_id]}),
            Some(&manager),
        )
        .await;
    let cohort = cohort.body["id"].as_str().unwrap().to_owned();
    let rows = json!([{"email": "learner@x.example", "given_name": "L", "family_name": "N", "profession": "judge", "country": "FR"}]);
    let res = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            &rows,
            Some(&manager),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let token = app.token_in_mail("learner@x.example", 1).await;
    let act = app
        .post(
            "/api/v1/auth/activate",
            &json!({"token": token, "password": "learner password 1"}),
            None,
        )
        .await;
    let learner = act.body["access_token"].as_str().unwrap().to_owned();
    let enrolment = res.body["rows"][0]["enrolment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), Some(&learner))
        .await;
    assert_eq!(view.status, 200, "{}", view.text);
    let quiz = view.body["modules"][0]["quiz"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lesson = view.body["modules"][0]["lessons"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let attempt = app
        .post(
            &format!("/api/v1/enrolments/{enrolment}/quizzes/{quiz}/attempts"),
            &json!({}),
            Some(&learner),
        )
        .await;
    assert_eq!(attempt.status, 201, "{}", attempt.text);
    let attempt = attempt.body["id"].as_str().unwrap().to_owned();

    let (_, other) = app
        .user_with_token("other@x.example", Role::Learner, None)
        .await;
    app.get(&format!("/api/v1/enrolments/{enrolment}"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/attempts/{attempt}"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.put(
        &format!("/api/v1/attempts/{attempt}/responses"),
        &json!({"responses": {}}),
        Some(&other),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        &format!("/api/v1/attempts/{attempt}/submit"),
        &json!({}),
        Some(&other),
    )
    .await
    .assert_problem(404, "not_found");
    app.put(
        &format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/progress"),
        &json!({"status": "viewed"}),
        Some(&other),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(
        &format!("/api/v1/enrolments/{enrolment}/certificate"),
        Some(&other),
    )
    .await
    .assert_problem(404, "not_found");

    // The tutor reads the attempt and the progress, and may not write either.
    let seen = app
        .get(&format!("/api/v1/attempts/{attempt}"), Some(&tutor))
        .await;
    assert_eq!(seen.status, 200);
    app.post(
        &format!("/api/v1/attempts/{attempt}/submit"),
        &json!({}),
        Some(&tutor),
    )
    .await
    .assert_problem(403, "owner_only");
    app.put(
        &format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/progress"),
        &json!({"status": "viewed"}),
        Some(&tutor),
    )
    .await
    .assert_problem(403, "owner_only");

    // The roster shows the learner's progress.
    app.put(
        &format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/progress"),
        &json!({"status": "completed", "time_spent_seconds": 300}),
        Some(&learner),
    )
    .await;
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&tutor),
        )
        .await;
    let p = &roster.body["items"][0]["progress"];
    assert!(p["percent"].as_f64().unwrap() > 0.0, "{p}");
    assert_eq!(p["time_spent_seconds"], 300);
    assert!(p["last_activity_at"].is_string());

    // Withdrawn: access to the cohort's course ends at once.
    app.delete(
        &format!("/api/v1/cohorts/{cohort}/enrolments/{enrolment}"),
        Some(&manager),
    )
    .await;
    app.put(
        &format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/progress"),
        &json!({"status": "viewed"}),
        Some(&learner),
    )
    .await
    .assert_problem(409, "enrolment_not_active");
    app.post(
        &format!("/api/v1/enrolments/{enrolment}/quizzes/{quiz}/attempts"),
        &json!({}),
        Some(&learner),
    )
    .await
    .assert_problem(409, "enrolment_not_active");
    // The attempt left open was closed ungraded: it takes no more answers.
    app.put(
        &format!("/api/v1/attempts/{attempt}/responses"),
        &json!({"responses": {}}),
        Some(&learner),
    )
    .await
    .assert_problem(409, "enrolment_not_active");
    app.post(
        &format!("/api/v1/attempts/{attempt}/submit"),
        &json!({}),
        Some(&learner),
    )
    .await
    .assert_problem(409, "enrolment_not_active");
    let after = app
        .get(&format!("/api/v1/attempts/{attempt}"), Some(&learner))
        .await;
    assert_eq!(after.body["status"], "void", "{}", after.text);
    assert!(after.body["result"].is_null());
}

/// The French course of the catalogue, taken whole in French through the API: every lesson,
/// every quiz answered right (the answers come from the course files, the ids from the
/// attempt), until the certificate verifies.
#[tokio::test]
async fn a_whole_help_course_is_taken_end_to_end_in_french() {
    use help_lms_domain::content::parse_catalogue;
    use help_lms_domain::quiz::correct_response;
    use help_lms_domain::values::Language;

    let app = spawn_with_catalogue().await;
    let courses = parse_catalogue(&help_lms::content::bundled()).unwrap();
    let course = courses
        .iter()
        .find(|c| c.slug == "international-cooperation-pre-trial-detention")
        .unwrap();
    let (_, token) = app
        .user_with_token("juge@justice.example", Role::Learner, None)
        .await;
    let e = app
        .post(
            "/api/v1/enrolments",
            &json!({"course": course.slug, "language": "fr"}),
            Some(&token),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let enrolment = e.body["id"].as_str().unwrap().to_owned();
    let view = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), Some(&token))
        .await;
    assert!(
        view.body["title"]
            .as_str()
            .unwrap()
            .starts_with("Coopération")
    );
    let modules = view.body["modules"].as_array().unwrap().clone();
    assert_eq!(modules.len(), course.modules.len());
    for (m, def) in modules.iter().zip(&course.modules) {
        for l in m["lessons"].as_array().unwrap() {
            let res = app
                .put(
                    &format!(
                        "/api/v1/enrolments/{enrolment}/lessons/{}/progress",
                        l["id"].as_str().unwrap()
                    ),
                    &json!({"status": "completed", "time_spent_seconds": 600}),
                    Some(&token),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.text);
        }
        let quiz = def.quiz.as_ref().unwrap();
        let started = app
            .post(
                &format!(
                    "/api/v1/enrolments/{enrolment}/quizzes/{}/attempts",
                    m["quiz"]["id"].as_str().unwrap()
                ),
                &json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(started.status, 201, "{}", started.text);
        assert_eq!(started.body["language"], "fr");
        assert_no_answer_key(&started.body["questions"]);
        let id: Uuid = started.body["id"].as_str().unwrap().parse().unwrap();
        let secret = attempts::Entity::find_by_id(id)
            .one(&app.db.conn)
            .await
            .unwrap()
            .unwrap()
            .secret;
        let mut responses = serde_json::Map::new();
        for q in &quiz.questions {
            responses.insert(
                q.key.clone(),
                correct_response(q, &secret, Language::Fr, &[Language::En]),
            );
        }
        let graded = app
            .post(
                &format!("/api/v1/attempts/{id}/submit"),
                &json!({"responses": responses}),
                Some(&token),
            )
            .await;
        assert_eq!(graded.status, 200, "{}", graded.text);
        assert_eq!(
            graded.body["result"]["percent"], 100.0,
            "module {}: {}",
            def.key, graded.text
        );
    }
    let done = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), Some(&token))
        .await;
    assert_eq!(done.body["enrolment"]["status"], "completed");
    assert_eq!(done.body["time_spent_seconds"], 600 * 11);
    let code = done.body["certificate_code"].as_str().unwrap();
    let verified = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(verified.body["valid"], true);
    assert_eq!(verified.body["language"], "fr");
    assert!(
        verified.body["course_title"]
            .as_str()
            .unwrap()
            .starts_with("Coopération")
    );
    // The certificate and its page speak French.
    let pdf = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/enrolments/{enrolment}/certificate"),
                Some(&token),
            )
            .header("accept", "application/pdf"),
        )
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.text.contains("Certificat de réussite"));
    assert!(!pdf.text.contains("Certificate of completion"));
    let page = app
        .send(
            app.request(Method::GET, &format!("/verify/{code}"), None)
                .header("accept", "text/html"),
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<html lang=\"fr\">"), "{}", page.text);
    assert!(page.text.contains("Ce certificat est valide."));
    // The credential's achievement is the course in French, its criteria too.
    let credential = app
        .get(
            &format!("/api/v1/enrolments/{enrolment}/certificate/credential"),
            Some(&token),
        )
        .await;
    let achievement = &credential.body["credentialSubject"]["achievement"];
    assert_eq!(achievement["inLanguage"], "fr");
    assert!(
        achievement["name"]
            .as_str()
            .unwrap()
            .starts_with("Coopération")
    );
    assert!(
        achievement["criteria"]["narrative"]
            .as_str()
            .unwrap()
            .starts_with("Avoir")
    );
}

#[tokio::test]
async fn a_malformed_submit_body_is_refused_and_the_attempt_stays_open() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let a = start(&app, &l).await;
    let id = a.body["id"].as_str().unwrap().to_owned();
    let url = format!("/api/v1/attempts/{id}/submit");
    let send = |body: &'static str, content_type: &'static str| {
        app.send(
            app.request(Method::POST, &url, Some(&l.token))
                .header("content-type", content_type)
                .body(body),
        )
    };
    send("{\"responses\": ", "application/json")
        .await
        .assert_problem(400, "invalid_json");
    let unknown = send(r#"{"answers": {}}"#, "application/json").await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.problem_fields(), vec!["answers"]);
    send(r#"{"responses": {}}"#, "text/plain")
        .await
        .assert_problem(415, "unsupported_media_type");
    // A response of a shape no question takes (an object of objects) is malformed.
    let shapeless = send(
        r#"{"responses": {"q": {"a": {"b": 1}}}}"#,
        "application/json",
    )
    .await;
    shapeless.assert_problem(422, "validation_failed");
    assert_eq!(shapeless.problem_fields(), vec!["responses.q"]);
    let now = app
        .get(&format!("/api/v1/attempts/{id}"), Some(&l.token))
        .await;
    assert_eq!(now.body["status"], "in_progress", "{}", now.text);
    // Also once graded: a replay does not make a malformed body acceptable.
    let graded = send("", "application/json").await;
    assert_eq!(graded.status, 200, "{}", graded.text);
    send(r#"{"responses": {"q": [1, [2]]}}"#, "application/json")
        .await
        .assert_problem(422, "validation_failed");
    let autosave = app
        .put(
            &format!("/api/v1/attempts/{id}/responses"),
            &json!({"responses": {"q": {"a": {"b": 1}}}}),
            Some(&l.token),
        )
        .await;
    autosave.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn an_empty_submit_body_grades_the_saved_responses() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let a = start(&app, &l).await;
    let id = a.body["id"].as_str().unwrap().to_owned();
    let saved = app
        .put(
            &format!("/api/v1/attempts/{id}/responses"),
            &json!({"responses": right_answers(&a.body)}),
            Some(&l.token),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let submitted = app
        .send(app.request(
            Method::POST,
            &format!("/api/v1/attempts/{id}/submit"),
            Some(&l.token),
        ))
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_eq!(submitted.body["status"], "submitted");
    assert_eq!(
        submitted.body["result"]["passed"], true,
        "{}",
        submitted.text
    );
}

/// The bit of position `index` in a status list credential's `encodedList`.
fn status_bit(list: &Value, index: i64) -> bool {
    use base64::Engine as _;
    use std::io::Read as _;
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').unwrap())
        .unwrap();
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_end(&mut bits)
        .unwrap();
    assert_eq!(bits.len(), 16_384, "a list holds 131,072 positions");
    let i = (index % 131_072) as usize;
    bits[i / 8] & (0x80 >> (i % 8)) != 0
}

#[tokio::test]
async fn the_credential_verifies_with_the_published_key_until_revocation_sets_its_bit() {
    use help_lms_api::certificates::badge::{self, keys};
    use help_lms_api::public_url::PublicUrl;

    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let code = complete(&app, &l).await;
    let name = app.get("/api/v1/me", Some(&l.token)).await.body["name"].clone();
    let mine = app
        .get(
            &format!("/api/v1/enrolments/{}/certificate/credential", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.header("content-type"), Some("application/vc"));
    assert_eq!(
        mine.header("content-disposition"),
        Some(format!("attachment; filename=\"help-credential-{code}.json\"").as_str())
    );
    let c = &mine.body;
    assert_eq!(
        c["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(c["issuer"]["id"], "https://help.example.org/api/v1/issuer");
    assert_eq!(
        c["credentialSubject"]["identifier"][0]["identityHash"],
        name
    );
    assert_eq!(c["credentialSubject"]["achievement"]["name"], "Demo course");
    // Anyone holding the code gets the same document; the JSON flavour on asking.
    let public = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/certificates/{code}/credential"),
                None,
            )
            .header("accept", "application/json"),
        )
        .await;
    assert_eq!(public.header("content-type"), Some("application/json"));
    assert_eq!(&public.body, c);

    // The proof's key is the issuer's, as its profile and its JWKS publish it.
    let method = c["proof"]["verificationMethod"].as_str().unwrap();
    let profile = app.get("/api/v1/issuer", None).await;
    assert_eq!(profile.body["id"], c["issuer"]["id"]);
    assert!(
        profile.body["assertionMethod"]
            .as_array()
            .unwrap()
            .contains(&json!(method))
    );
    let vm = &profile.body["verificationMethod"][0];
    assert_eq!(vm["id"], method);
    assert_eq!(vm["controller"], profile.body["id"]);
    let key = keys::parse_multikey(vm["publicKeyMultibase"].as_str().unwrap()).unwrap();
    let jwks = app.get("/api/v1/issuer/jwks", None).await;
    assert_eq!(jwks.body["keys"][0]["kid"], method);
    assert_eq!(jwks.body["keys"][0]["crv"], "Ed25519");
    let base = PublicUrl::parse(help_lms_tests::PUBLIC_URL).unwrap();
    assert_eq!(badge::verify(c, &[key], &base), Ok(()));
    let mut forged = c.clone();
    forged["credentialSubject"]["achievement"]["name"] = json!("Another course");
    assert!(badge::verify(&forged, &[key], &base).is_err());

    // Its achievement is published where its id says.
    let achievement_id = c["credentialSubject"]["achievement"]["id"]
        .as_str()
        .unwrap();
    let path = achievement_id
        .strip_prefix(help_lms_tests::PUBLIC_URL)
        .unwrap();
    let achievement = app.get(path, None).await;
    assert_eq!(achievement.status, 200, "{}", achievement.text);
    assert_eq!(achievement.body["id"], achievement_id);
    assert_eq!(achievement.body["name"], "Demo course");

    // Its status list is signed by the same key, and its bit is clear until revocation.
    let status = &c["credentialStatus"];
    assert_eq!(status["statusPurpose"], "revocation");
    let index: i64 = status["statusListIndex"].as_str().unwrap().parse().unwrap();
    let list_path = status["statusListCredential"]
        .as_str()
        .unwrap()
        .strip_prefix(help_lms_tests::PUBLIC_URL)
        .unwrap()
        .to_owned();
    let list = app.get(&list_path, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(badge::verify(&list.body, &[key], &base), Ok(()));
    assert!(!status_bit(&list.body, index));
    for beyond in ["1", "-1", "9223372036854775808", "first"] {
        app.get(&format!("/api/v1/credentials/status/{beyond}"), None)
            .await
            .assert_problem(404, "not_found");
    }
    let admin = app.admin_token().await;
    let revoked = app
        .post(
            &format!("/api/v1/certificates/{code}/revoke"),
            &json!({"reason": "issued in error"}),
            Some(&admin),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let list = app.get(&list_path, None).await;
    assert_eq!(badge::verify(&list.body, &[key], &base), Ok(()));
    assert!(status_bit(&list.body, index));
    // The credential itself is unchanged: its signature holds, its status says revoked.
    let again = app
        .get(
            &format!("/api/v1/enrolments/{}/certificate/credential", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(&again.body, c);
}

#[tokio::test]
async fn verification_is_a_page_for_browsers_json_for_clients_and_rate_limited() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let code = complete(&app, &l).await;
    let name = app.get("/api/v1/me", Some(&l.token)).await.body["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let mut lookups = 0;
    for path in [
        format!("/verify/{code}"),
        format!("/api/v1/certificates/{code}"),
    ] {
        let page = app
            .send(
                app.request(Method::GET, &path, None)
                    .header("accept", browser),
            )
            .await;
        lookups += 1;
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert!(page.text.contains("<html lang=\"en\">"));
        assert!(page.text.contains(&name), "{}", page.text);
        assert!(page.text.contains("This certificate is valid."));
        assert!(page.text.contains(&format!(
            "href=\"{}/api/v1/certificates/{code}/credential\"",
            help_lms_tests::PUBLIC_URL
        )));
        let json = app
            .send(
                app.request(Method::GET, &path, None)
                    .header("accept", "application/json"),
            )
            .await;
        lookups += 1;
        assert_eq!(json.header("content-type"), Some("application/json"));
        assert_eq!(json.body["valid"], true);
        assert_eq!(json.body["learner_name"], name.as_str());
        assert_eq!(
            json.body["issuer"]["url"],
            format!("{}/api/v1/issuer", help_lms_tests::PUBLIC_URL)
        );
        assert!(json.body.get("final_score").is_none() && json.body.get("email").is_none());
    }
    app.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE", None)
        .await
        .assert_problem(404, "not_found");
    lookups += 1;
    // 120 lookups a minute from one address; the next is refused, whatever the code.
    while lookups < 120 {
        let res = app.get(&format!("/verify/{code}"), None).await;
        assert_eq!(res.status, 200, "lookup {lookups}: {}", res.text);
        lookups += 1;
    }
    let refused = app
        .get(&format!("/api/v1/certificates/{code}/credential"), None)
        .await;
    refused.assert_problem(429, "too_many_requests");
    assert!(refused.header("retry-after").is_some());
    // The learner's own copy is not a public lookup.
    let own = app
        .get(
            &format!("/api/v1/enrolments/{}/certificate", l.enrolment),
            Some(&l.token),
        )
        .await;
    assert_eq!(own.status, 200);
}

#[tokio::test]
async fn after_a_key_rotation_credentials_signed_with_the_earlier_key_still_verify() {
    use help_lms_api::certificates::badge::{self, IssuerKeys, keys};
    use help_lms_api::public_url::PublicUrl;

    // The key used before the rotation, and a credential it signed then.
    let earlier = IssuerKeys::new([42; 32], Vec::new());
    let earlier_name = keys::multikey(earlier.current());
    let app = spawn_with(Options {
        extra: vec!["--issuer-previous-keys".to_owned(), earlier_name.clone()],
        ..Default::default()
    })
    .await;
    let l = demo(&app, "correct_answers", "immediately").await;
    complete(&app, &l).await;
    let base = PublicUrl::parse(help_lms_tests::PUBLIC_URL).unwrap();
    let current = app
        .get(
            &format!("/api/v1/enrolments/{}/certificate/credential", l.enrolment),
            Some(&l.token),
        )
        .await
        .body;
    let mut unsigned = current.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    let issued = chrono::DateTime::parse_from_rfc3339(current["validFrom"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let before = badge::sign(unsigned, &earlier, &base, issued).unwrap();
    assert_ne!(before["proof"], current["proof"]);

    // The profile lists the signing key first, then the earlier one; both verify.
    let profile = app.get("/api/v1/issuer", None).await.body;
    let published: Vec<keys::VerifyingKey> = profile["verificationMethod"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| keys::parse_multikey(m["publicKeyMultibase"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(published.len(), 2);
    assert_eq!(keys::multikey(&published[1]), earlier_name);
    assert_eq!(
        profile["assertionMethod"][1],
        format!(
            "{}/api/v1/issuer#{earlier_name}",
            help_lms_tests::PUBLIC_URL
        )
    );
    assert_eq!(badge::verify(&current, &published, &base), Ok(()));
    assert_eq!(badge::verify(&before, &published, &base), Ok(()));
    // Had the earlier key been dropped, its credentials would no longer verify.
    assert!(badge::verify(&before, &published[..1], &base).is_err());
    assert_eq!(
        app.get("/api/v1/issuer/jwks", None).await.body["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
