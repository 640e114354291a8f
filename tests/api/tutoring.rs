//! Black-box tests of the tutor's tools: the gradebook (JSON and CSV), a learner's attempts,
//! extra attempts, roster filters and sorting, and frozen enrolments (withdrawn, completed).

use chrono::{Duration, Utc};
use help_lms_domain::values::Role;
use help_lms_persistence::entities::enrolments;
use help_lms_tests::{Nti, PASSWORD, Res, TestApp, institution, spawn_app};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

fn quiz_file(max_attempts: u32, grading: &str) -> String {
    format!(
        r#"
title = {{ en = "Check" }}
pass_mark = 50
max_attempts = {max_attempts}
grading = "{grading}"
shuffle_questions = false
shuffle_options = false
review = "correct_answers"
review_when = "after_last_attempt"

[[questions]]
key = "tf"
kind = "true_false"
prompt = {{ en = "Pre-trial detention is the exception." }}
explanation = {{ en = "Article 5 ECHR." }}
feedback_correct = {{ en = "Right." }}
feedback_incorrect = {{ en = "Not quite." }}
references = [{{ kind = "instrument", citation = "ECHR, Article 5" }}]
answer = true
"#
    )
}

/// A course of two modules, each a lesson and a quiz: `m1` allows 2 attempts (highest
/// counts), `m2` one.
fn course_files() -> Value {
    json!({"files": {
        "course.toml": r#"
slug = "tutored"
languages = ["en"]
topics = ["demo"]
estimated_hours = 1
status = "published"
title = { en = "Tutored course" }
summary = { en = "A tutored course." }

[[modules]]
key = "m1"
title = { en = "One" }
summary = { en = "First." }

  [[modules.lessons]]
  key = "l1"
  title = { en = "Lesson one" }
  minutes = 5

[[modules]]
key = "m2"
title = { en = "Two" }
summary = { en = "Second." }

  [[modules.lessons]]
  key = "l2"
  title = { en = "Lesson two" }
  minutes = 5
"#,
        "lessons/l1.en.md": "## One\n\nText.",
        "lessons/l2.en.md": "## Two\n\nText.",
        "quizzes/m1.toml": quiz_file(2, "highest"),
        "quizzes/m2.toml": quiz_file(1, "last"),
    }})
}

struct Learner {
    name: &'static str,
    token: String,
    enrolment: String,
}

struct Class {
    app: TestApp,
    admin: String,
    nti: Nti,
    cohort: String,
    lessons: [String; 2],
    quizzes: [String; 2],
    learners: Vec<Learner>,
}

impl Class {
    fn learner(&self, name: &str) -> &Learner {
        self.learners.iter().find(|l| l.name == name).unwrap()
    }

    fn cohort_path(&self, rest: &str) -> String {
        format!("/api/v1/cohorts/{}{rest}", self.cohort)
    }

    async fn attempt(&self, who: &str, quiz: usize) -> Res {
        let l = self.learner(who);
        self.app
            .post(
                &format!(
                    "/api/v1/enrolments/{}/quizzes/{}/attempts",
                    l.enrolment, self.quizzes[quiz]
                ),
                &json!({}),
                Some(&l.token),
            )
            .await
    }

    /// Starts an attempt and submits it, right or wrong.
    async fn answer(&self, who: &str, quiz: usize, right: bool) {
        let a = self.attempt(who, quiz).await;
        assert_eq!(a.status, 201, "{}", a.text);
        let id = a.body["id"].as_str().unwrap();
        let res = self
            .app
            .post(
                &format!("/api/v1/attempts/{id}/submit"),
                &json!({"responses": {"tf": right}}),
                Some(&self.learner(who).token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["result"]["passed"], right);
    }

    async fn complete_lesson(&self, who: &str, lesson: usize) -> Res {
        let l = self.learner(who);
        self.app
            .put(
                &format!(
                    "/api/v1/enrolments/{}/lessons/{}/progress",
                    l.enrolment, self.lessons[lesson]
                ),
                &json!({"status": "completed", "time_spent_seconds": 120}),
                Some(&l.token),
            )
            .await
    }

    async fn grant(&self, token: &str, who: &str, body: &Value, key: Option<&str>) -> Res {
        let path = self.cohort_path(&format!(
            "/enrolments/{}/attempt-grants",
            self.learner(who).enrolment
        ));
        let mut r = self
            .app
            .request(Method::POST, &path, Some(token))
            .json(body);
        if let Some(k) = key {
            r = r.header("idempotency-key", k);
        }
        self.app.send(r).await
    }

    async fn withdraw(&self, who: &str) {
        let res = self
            .app
            .delete(
                &self.cohort_path(&format!("/enrolments/{}", self.learner(who).enrolment)),
                Some(&self.nti.manager),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }

    async fn csv(&self, path: &str, token: &str) -> Res {
        self.app
            .send(
                self.app
                    .request(Method::GET, path, Some(token))
                    .header("accept", "text/csv"),
            )
            .await
    }

    /// The names on the roster asked with `query`, in its order.
    async fn roster_names(&self, query: &str) -> Vec<String> {
        let res = self
            .app
            .get(
                &self.cohort_path(&format!("/enrolments?{query}")),
                Some(&self.nti.tutor),
            )
            .await;
        assert_eq!(res.status, 200, "{query}: {}", res.text);
        let names: Vec<String> = res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(res.body["total"], names.len(), "{query}");
        names
    }
}

/// A cohort of the course with its institution's tutor, and these learners enrolled in
/// this order (accounts of the institution, signed in).
async fn class(names: &[&'static str]) -> Class {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let up = app
        .put(
            "/api/v1/courses/tutored/content",
            &course_files(),
            Some(&admin),
        )
        .await;
    assert!(up.status.is_success(), "{}", up.text);
    let nti = institution(&app, &admin, "Académie de justice", "FR").await;
    let res = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": "tutored", "language": "en", "name": "Tutored 2027",
                "starts_on": "2027-01-11", "ends_on": "2027-04-09", "capacity": 20,
                "tutor_ids": [nti.tutor_id]}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let cohort = res.body["id"].as_str().unwrap().to_owned();
    let mut learners = Vec::new();
    for name in names {
        let email = format!("{}@learners.example", name.to_lowercase());
        app.create_user(&email, Role::Learner, Some(nti.id)).await;
        let rows = json!([{"email": email, "given_name": name, "family_name": "Learner",
            "profession": "judge", "country": "FR"}]);
        let res = app
            .post(
                &format!("/api/v1/cohorts/{cohort}/enrolments"),
                &rows,
                Some(&nti.manager),
            )
            .await;
        assert_eq!(res.body["rows"][0]["result"], "enrolled", "{}", res.text);
        let enrolment = res.body["rows"][0]["enrolment_id"]
            .as_str()
            .unwrap()
            .to_owned();
        // The account's own name is what the roster shows: give each its own.
        let token = app.login(&email, PASSWORD).await;
        let renamed = app
            .patch("/api/v1/me", &json!({"name": name}), Some(&token))
            .await;
        assert_eq!(renamed.status, 200, "{}", renamed.text);
        learners.push(Learner {
            name,
            token,
            enrolment,
        });
    }
    let view = app
        .get(
            &format!("/api/v1/enrolments/{}", learners[0].enrolment),
            Some(&learners[0].token),
        )
        .await;
    let module = |i: usize| &view.body["modules"][i];
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    Class {
        lessons: [id(&module(0)["lessons"][0]), id(&module(1)["lessons"][0])],
        quizzes: [id(&module(0)["quiz"]), id(&module(1)["quiz"])],
        app,
        admin,
        nti,
        cohort,
        learners,
    }
}

/// Ana passes m1 at her second try; Ben fails m1 twice and is given one more attempt;
/// Cleo does nothing; Dan is withdrawn with an attempt open (his right answer saved); Eve
/// completes the course.
async fn story() -> Class {
    let c = class(&["Ana", "Ben", "Cleo", "Dan", "Eve"]).await;
    c.complete_lesson("Ana", 0).await;
    c.answer("Ana", 0, false).await;
    c.answer("Ana", 0, true).await;
    c.answer("Ben", 0, false).await;
    c.answer("Ben", 0, false).await;
    let g = c
        .grant(
            &c.nti.tutor,
            "Ben",
            &json!({"quiz_id": c.quizzes[0], "extra": 1, "reason": "Lost his connection"}),
            None,
        )
        .await;
    assert_eq!(g.status, 201, "{}", g.text);
    let open = c.attempt("Dan", 0).await;
    let attempt = open.body["id"].as_str().unwrap();
    let saved = c
        .app
        .put(
            &format!("/api/v1/attempts/{attempt}/responses"),
            &json!({"responses": {"tf": true}}),
            Some(&c.learner("Dan").token),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    c.withdraw("Dan").await;
    for lesson in 0..2 {
        c.complete_lesson("Eve", lesson).await;
    }
    c.answer("Eve", 0, true).await;
    c.answer("Eve", 1, true).await;
    c
}

/// One gradebook cell as (grade, passed, used, left, extra).
type Cell = (Option<f64>, bool, u64, Option<u64>, u64);

fn cells(row: &Value) -> Vec<Cell> {
    row["quizzes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["grade"].as_f64(),
                q["passed"].as_bool().unwrap(),
                q["attempts_used"].as_u64().unwrap(),
                q["attempts_left"].as_u64(),
                q["extra_attempts"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_gradebook_counts_a_hand_built_cohort_exactly_and_its_csv_agrees() {
    let c = story().await;
    let res = c
        .app
        .get(&c.cohort_path("/gradebook"), Some(&c.nti.tutor))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let b = &res.body;
    assert_eq!(b["total"], 5);
    let cols: Vec<(&str, &str)> = b["quizzes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["quiz_id"].as_str().unwrap(),
                q["module_key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cols,
        [(c.quizzes[0].as_str(), "m1"), (c.quizzes[1].as_str(), "m2")]
    );
    let none2: Cell = (None, false, 0, Some(1), 0);
    let expected: Vec<(&str, &str, f64, Vec<Cell>)> = vec![
        (
            "Ana",
            "active",
            50.0,
            vec![(Some(100.0), true, 2, Some(0), 0), none2],
        ),
        (
            "Ben",
            "active",
            0.0,
            vec![(Some(0.0), false, 2, Some(1), 1), none2],
        ),
        (
            "Cleo",
            "active",
            0.0,
            vec![(None, false, 0, Some(2), 0), none2],
        ),
        // Dan's open attempt was voided at withdrawal: it counts nowhere.
        (
            "Dan",
            "withdrawn",
            0.0,
            vec![(None, false, 0, Some(2), 0), none2],
        ),
        (
            "Eve",
            "completed",
            100.0,
            vec![
                (Some(100.0), true, 1, Some(1), 0),
                (Some(100.0), true, 1, Some(0), 0),
            ],
        ),
    ];
    let rows = b["items"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, (name, status, percent, want)) in rows.iter().zip(&expected) {
        assert_eq!(row["name"], *name, "{row}");
        assert_eq!(row["status"], *status, "{name}");
        assert_eq!(row["percent"].as_f64(), Some(*percent), "{name}");
        assert_eq!(&cells(row), want, "{name}");
        assert_eq!(
            row["completed_at"].is_string(),
            *name == "Eve",
            "{name}: {row}"
        );
        assert_eq!(
            row["last_activity_at"].is_string(),
            *name != "Cleo",
            "{name}"
        );
    }
    // Paged like the roster.
    let page = c
        .app
        .get(
            &c.cohort_path("/gradebook?limit=2&offset=3"),
            Some(&c.nti.manager),
        )
        .await;
    let names: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        (names, &page.body["total"]),
        (vec!["Dan", "Eve"], &json!(5))
    );

    // The CSV says the same, row for row and cell for cell.
    let csv = c.csv(&c.cohort_path("/gradebook"), &c.admin).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(
        header.contains(&"m2.extra_attempts".to_owned()),
        "{header:?}"
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    for (rec, row) in records.iter().zip(rows) {
        assert_eq!(
            &rec[at("enrolment_id")],
            row["enrolment_id"].as_str().unwrap()
        );
        assert_eq!(&rec[at("name")], row["name"].as_str().unwrap());
        assert_eq!(&rec[at("status")], row["status"].as_str().unwrap());
        assert_eq!(
            rec[at("percent")].parse::<f64>().unwrap(),
            row["percent"].as_f64().unwrap()
        );
        for (cell, key) in cells(row).iter().zip(["m1", "m2"]) {
            let f = |c: &str| rec[at(&format!("{key}.{c}"))].to_owned();
            let from_csv: Cell = (
                Some(f("grade"))
                    .filter(|g| !g.is_empty())
                    .map(|g| g.parse().unwrap()),
                f("passed") == "true",
                f("attempts_used").parse().unwrap(),
                Some(f("attempts_left"))
                    .filter(|g| !g.is_empty())
                    .map(|g| g.parse().unwrap()),
                f("extra_attempts").parse().unwrap(),
            );
            assert_eq!(&from_csv, cell, "{} {key}", row["name"]);
        }
    }
}

#[tokio::test]
async fn an_extra_attempt_lets_a_learner_out_of_attempts_try_once_more_and_is_listed() {
    let c = class(&["Ben"]).await;
    c.answer("Ben", 0, false).await;
    c.answer("Ben", 0, false).await;
    c.attempt("Ben", 0)
        .await
        .assert_problem(409, "attempt_limit_reached");

    // Refused requests change nothing, each naming its field.
    let bad = c
        .grant(
            &c.nti.tutor,
            "Ben",
            &json!({"quiz_id": c.quizzes[0], "extra": 0, "reason": " "}),
            None,
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.problem_fields(), ["extra", "reason"]);
    let unknown = c
        .grant(
            &c.nti.tutor,
            "Ben",
            &json!({"quiz_id": Uuid::now_v7(), "extra": 1, "reason": "Ill"}),
            None,
        )
        .await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.problem_fields(), ["quiz_id"]);

    let body = json!({"quiz_id": c.quizzes[0], "extra": 1, "reason": "Lost his connection"});
    let first = c.grant(&c.nti.tutor, "Ben", &body, Some("grant-1")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    // A retry with the same key answers the same grant and gives nothing more.
    let retry = c.grant(&c.nti.tutor, "Ben", &body, Some("grant-1")).await;
    assert_eq!(retry.status, 201, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body);
    let other = json!({"quiz_id": c.quizzes[0], "extra": 2, "reason": "Lost his connection"});
    c.grant(&c.nti.tutor, "Ben", &other, Some("grant-1"))
        .await
        .assert_problem(409, "idempotency_key_reused");

    let list = c
        .app
        .get(
            &c.cohort_path(&format!(
                "/enrolments/{}/attempt-grants",
                c.learner("Ben").enrolment
            )),
            Some(&c.nti.manager),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total"], 1);
    let g = &list.body["items"][0];
    assert_eq!(g["quiz_id"], c.quizzes[0].as_str());
    assert_eq!(g["extra"], 1);
    assert_eq!(g["reason"], "Lost his connection");
    assert_eq!(g["granted_by"], c.nti.tutor_id.to_string());
    assert_eq!(g["granted_by_name"], "Test tutor");
    let when: chrono::DateTime<Utc> = g["granted_at"].as_str().unwrap().parse().unwrap();
    assert!(Utc::now() - when < Duration::minutes(1));

    // The learner sees one attempt left, takes it, and then the limit holds again.
    let view = c
        .app
        .get(
            &format!("/api/v1/enrolments/{}", c.learner("Ben").enrolment),
            Some(&c.learner("Ben").token),
        )
        .await;
    let q = &view.body["modules"][0]["quiz"];
    assert_eq!(
        (&q["attempts_left"], &q["extra_attempts"]),
        (&json!(1), &json!(1))
    );
    c.answer("Ben", 0, true).await;
    c.attempt("Ben", 0)
        .await
        .assert_problem(409, "attempt_limit_reached");

    // Managers and admins may grant too; the learner and an API client may not.
    let by_manager = c.grant(&c.nti.manager, "Ben", &body, None).await;
    assert_eq!(by_manager.status, 201, "{}", by_manager.text);
    let by_admin = c.grant(&c.admin, "Ben", &body, None).await;
    assert_eq!(by_admin.status, 201, "{}", by_admin.text);
    let learner = c.learner("Ben").token.clone();
    c.grant(&learner, "Ben", &body, None)
        .await
        .assert_problem(404, "not_found");
    let client = c
        .app
        .post(
            &format!("/api/v1/institutions/{}/clients", c.nti.id),
            &json!({"name": "SIS"}),
            Some(&c.nti.manager),
        )
        .await;
    assert_eq!(client.status, 201, "{}", client.text);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        client.body["id"].as_str().unwrap(),
        client.body["client_secret"].as_str().unwrap()
    );
    let token = c
        .app
        .send(
            c.app
                .request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    let client_token = token.body["access_token"].as_str().unwrap().to_owned();
    c.grant(&client_token, "Ben", &body, None)
        .await
        .assert_problem(403, "people_only");
}

#[tokio::test]
async fn a_tutor_of_another_cohort_and_another_institutions_manager_get_404() {
    let c = class(&["Ana"]).await;
    c.answer("Ana", 0, false).await;
    // A tutor of the same institution, tutoring another cohort.
    let tag = Uuid::new_v4().simple();
    let (other_tutor_id, other_tutor) = c
        .app
        .user_with_token(
            &format!("t2-{tag}@nti.example"),
            Role::Tutor,
            Some(c.nti.id),
        )
        .await;
    let res = c
        .app
        .post(
            "/api/v1/cohorts",
            &json!({"course": "tutored", "language": "en", "name": "Other", "starts_on": "2027-01-11",
                "ends_on": "2027-04-09", "capacity": 5, "tutor_ids": [other_tutor_id]}),
            Some(&c.nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let elsewhere = institution(&c.app, &c.admin, "Other school", "RO").await;
    let ana = c.learner("Ana");
    let grant = json!({"quiz_id": c.quizzes[0], "extra": 1, "reason": "Ill"});
    for token in [
        &other_tutor,
        &elsewhere.manager,
        &elsewhere.tutor,
        &ana.token,
    ] {
        c.app
            .get(&c.cohort_path("/gradebook"), Some(token))
            .await
            .assert_problem(404, "not_found");
        c.csv(&c.cohort_path("/gradebook"), token)
            .await
            .assert_problem(404, "not_found");
        let grants = c.cohort_path(&format!("/enrolments/{}/attempt-grants", ana.enrolment));
        c.app
            .get(&grants, Some(token))
            .await
            .assert_problem(404, "not_found");
        c.grant(token, "Ana", &grant, None)
            .await
            .assert_problem(404, "not_found");
    }
    for token in [&other_tutor, &elsewhere.manager] {
        c.app
            .get(
                &format!("/api/v1/enrolments/{}/attempts", ana.enrolment),
                Some(token),
            )
            .await
            .assert_problem(404, "not_found");
    }
    // Nothing was granted.
    let list = c
        .app
        .get(
            &c.cohort_path(&format!("/enrolments/{}/attempt-grants", ana.enrolment)),
            Some(&c.nti.tutor),
        )
        .await;
    assert_eq!(list.body["total"], 0, "{}", list.text);
}

#[tokio::test]
async fn a_learner_and_their_tutor_list_the_learners_attempts_with_the_review_each_may_see() {
    let c = class(&["Ana", "Ben"]).await;
    c.answer("Ana", 0, false).await;
    let open = c.attempt("Ana", 1).await;
    assert_eq!(open.status, 201, "{}", open.text);
    let ana = c.learner("Ana");
    let path = format!("/api/v1/enrolments/{}/attempts", ana.enrolment);

    let mine = c.app.get(&path, Some(&ana.token)).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["total"], 2);
    let first = &mine.body["items"][0];
    assert_eq!(first["quiz_id"], c.quizzes[0].as_str());
    assert_eq!(first["status"], "submitted");
    assert!(first["started_at"].is_string() && first["submitted_at"].is_string());
    assert_eq!(first["result"]["percent"], 0.0);
    assert_eq!(first["result"]["passed"], false);
    // One attempt of two used: the review opens only after the last (the quiz's policy).
    assert_eq!(first["result"]["visibility"]["correct_answers"], false);
    assert!(first["result"]["questions"][0]["correct_response"].is_null());
    assert_eq!(mine.body["items"][1]["status"], "in_progress");
    assert!(mine.body["items"][1]["result"].is_null());

    // The tutor sees the same attempts, and everything of their review.
    let seen = c.app.get(&path, Some(&c.nti.tutor)).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["total"], 2);
    let first = &seen.body["items"][0];
    assert_eq!(first["result"]["visibility"]["correct_answers"], true);
    assert_eq!(first["result"]["questions"][0]["correct_response"], true);

    // Narrowed to one quiz; paged.
    let one = c
        .app
        .get(
            &format!("{path}?quiz_id={}", c.quizzes[1]),
            Some(&c.nti.tutor),
        )
        .await;
    assert_eq!(one.body["total"], 1, "{}", one.text);
    assert_eq!(one.body["items"][0]["quiz_id"], c.quizzes[1].as_str());
    c.app
        .get(&format!("{path}?limit=0"), Some(&ana.token))
        .await
        .assert_problem(422, "validation_failed");

    // Another learner of the same cohort does not see them.
    c.app
        .get(&path, Some(&c.learner("Ben").token))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn roster_filters_pick_exactly_the_expected_learners_and_sorts_order_them() {
    let c = story().await;
    // Ana has done nothing for ten days.
    enrolments::ActiveModel {
        id: Set(c.learner("Ana").enrolment.parse().unwrap()),
        last_activity_at: Set(Some(Utc::now() - Duration::days(10))),
        ..Default::default()
    }
    .update(&c.app.db.conn)
    .await
    .unwrap();

    assert_eq!(c.roster_names("filter=not_started").await, ["Cleo"]);
    assert_eq!(c.roster_names("filter=failed_quiz").await, ["Ben"]);
    // Ben's extra attempt takes him off the out-of-attempts list; Ana passed.
    assert!(c.roster_names("filter=out_of_attempts").await.is_empty());
    assert_eq!(c.roster_names("filter=completed").await, ["Eve"]);
    assert_eq!(c.roster_names("inactive_days=7").await, ["Ana"]);
    assert_eq!(
        c.roster_names("filter=failed_quiz&filter=not_started")
            .await,
        Vec::<String>::new()
    );
    // Ben uses his extra attempt and fails: now out of attempts.
    c.answer("Ben", 0, false).await;
    assert_eq!(c.roster_names("filter=out_of_attempts").await, ["Ben"]);
    assert_eq!(
        c.roster_names("filter=failed_quiz,out_of_attempts").await,
        ["Ben"]
    );

    assert_eq!(
        c.roster_names("sort=name&order=desc").await,
        ["Eve", "Dan", "Cleo", "Ben", "Ana"]
    );
    assert_eq!(
        c.roster_names("sort=progress&order=desc").await,
        ["Eve", "Ana", "Ben", "Cleo", "Dan"]
    );
    let by_activity = c.roster_names("sort=last_activity").await;
    assert_eq!(by_activity[..2], ["Cleo", "Ana"]);
    assert_eq!(
        c.roster_names("filter=not_started,completed&sort=name")
            .await,
        Vec::<String>::new()
    );
    // Paged after filtering.
    let page = c
        .app
        .get(
            &c.cohort_path("/enrolments?sort=name&limit=2&offset=1"),
            Some(&c.nti.tutor),
        )
        .await;
    assert_eq!(page.body["total"], 5);
    assert_eq!(page.body["items"][0]["name"], "Ben");
    assert_eq!(page.body["items"][1]["name"], "Cleo");
    // The CSV takes the same filters.
    let csv = c
        .csv(&c.cohort_path("/enrolments?filter=completed"), &c.nti.tutor)
        .await;
    assert_eq!(csv.text.lines().count(), 2, "{}", csv.text);
    assert!(csv.text.contains("eve@learners.example"));

    for (query, field) in [
        ("filter=lazy", "filter"),
        ("inactive_days=0", "inactive_days"),
        ("inactive_days=soon", "inactive_days"),
        ("sort=age", "sort"),
        ("order=up", "order"),
    ] {
        let res = c
            .app
            .get(
                &c.cohort_path(&format!("/enrolments?{query}")),
                Some(&c.nti.tutor),
            )
            .await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.problem_fields(), [field], "{query}");
    }
}

#[tokio::test]
async fn a_withdrawn_learners_open_attempt_is_closed_ungraded_and_counts_nowhere() {
    let c = class(&["Dan"]).await;
    let dan = c.learner("Dan");
    let open = c.attempt("Dan", 0).await;
    let attempt = open.body["id"].as_str().unwrap().to_owned();
    c.app
        .put(
            &format!("/api/v1/attempts/{attempt}/responses"),
            &json!({"responses": {"tf": true}}),
            Some(&dan.token),
        )
        .await;
    c.withdraw("Dan").await;

    let after = c
        .app
        .get(&format!("/api/v1/attempts/{attempt}"), Some(&c.nti.tutor))
        .await;
    assert_eq!(after.body["status"], "void", "{}", after.text);
    assert!(after.body["result"].is_null());
    assert!(after.body["submitted_at"].is_null());
    // Every write answers 409 and changes nothing.
    c.app
        .post(
            &format!("/api/v1/attempts/{attempt}/submit"),
            &json!({}),
            Some(&dan.token),
        )
        .await
        .assert_problem(409, "enrolment_not_active");
    c.app
        .put(
            &format!("/api/v1/attempts/{attempt}/responses"),
            &json!({"responses": {"tf": false}}),
            Some(&dan.token),
        )
        .await
        .assert_problem(409, "enrolment_not_active");
    c.attempt("Dan", 0)
        .await
        .assert_problem(409, "enrolment_not_active");
    c.complete_lesson("Dan", 0)
        .await
        .assert_problem(409, "enrolment_not_active");
    c.grant(
        &c.nti.tutor,
        "Dan",
        &json!({"quiz_id": c.quizzes[0], "extra": 1, "reason": "Ill"}),
        None,
    )
    .await
    .assert_problem(409, "enrolment_not_active");

    let view = c
        .app
        .get(
            &format!("/api/v1/enrolments/{}", dan.enrolment),
            Some(&c.nti.tutor),
        )
        .await;
    let q = &view.body["modules"][0]["quiz"];
    assert_eq!(q["attempts_submitted"], 0, "{q}");
    assert_eq!(q["passed"], false);
    assert!(q["grade"].is_null() && q["in_progress_attempt"].is_null());
    let gradebook = c
        .app
        .get(&c.cohort_path("/gradebook"), Some(&c.nti.tutor))
        .await;
    assert_eq!(
        cells(&gradebook.body["items"][0])[0],
        (None, false, 0, Some(2), 0)
    );
    let stats = c
        .app
        .get("/api/v1/stats/courses/tutored/funnel", Some(&c.admin))
        .await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(
        stats.body["modules"][0]["quiz"]["attempts"], 0,
        "{}",
        stats.text
    );
}

#[tokio::test]
async fn a_completed_enrolment_answers_progress_writes_unchanged_and_starts_no_attempt() {
    let c = class(&["Eve"]).await;
    for lesson in 0..2 {
        c.complete_lesson("Eve", lesson).await;
    }
    c.answer("Eve", 0, true).await;
    c.answer("Eve", 1, true).await;
    let eve = c.learner("Eve");
    let path = format!("/api/v1/enrolments/{}", eve.enrolment);
    let before = c.app.get(&path, Some(&eve.token)).await;
    assert_eq!(
        before.body["enrolment"]["status"], "completed",
        "{}",
        before.text
    );

    let write = c
        .app
        .put(
            &format!("{path}/lessons/{}/progress", c.lessons[0]),
            &json!({"status": "viewed", "time_spent_seconds": 5000}),
            Some(&eve.token),
        )
        .await;
    assert_eq!(write.status, 200, "{}", write.text);
    assert_eq!(write.body["enrolment_status"], "completed");
    assert_eq!(write.body["lesson"]["status"], "completed");
    assert_eq!(write.body["lesson"]["time_spent_seconds"], 120);
    assert!(write.body["certificate_code"].is_null());
    let after = c.app.get(&path, Some(&eve.token)).await;
    assert_eq!(after.body, before.body);

    // Its record is final: no attempt, no grant.
    c.attempt("Eve", 0)
        .await
        .assert_problem(409, "enrolment_completed");
    c.grant(
        &c.nti.tutor,
        "Eve",
        &json!({"quiz_id": c.quizzes[0], "extra": 1, "reason": "Wants to retry"}),
        None,
    )
    .await
    .assert_problem(409, "enrolment_completed");
}

#[tokio::test]
async fn a_tutored_certificate_names_the_institution_the_tutor_and_the_runs_dates() {
    let c = story().await;
    let eve = c.learner("Eve");
    let cert = c
        .app
        .get(
            &format!("/api/v1/enrolments/{}/certificate", eve.enrolment),
            Some(&eve.token),
        )
        .await;
    assert_eq!(cert.status, 200, "{}", cert.text);
    assert_eq!(
        cert.body["run"],
        json!({"institution_name": "Académie de justice", "tutors": ["Test tutor"],
            "starts_on": "2027-01-11", "ends_on": "2027-04-09"})
    );
    let pdf = c
        .app
        .send(
            c.app
                .request(
                    reqwest::Method::GET,
                    &format!("/api/v1/enrolments/{}/certificate", eve.enrolment),
                    Some(&eve.token),
                )
                .header("accept", "application/pdf"),
        )
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.text.starts_with("%PDF-"));
}
