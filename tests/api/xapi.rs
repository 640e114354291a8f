//! The learning record store as its users use it: the statements a learner's journey
//! records, what each credential may read and write, launch credentials for content, and
//! the store's answers to bad requests.

use help_lms_domain::values::Role;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use help_lms_tests::{PUBLIC_URL, Res, TestApp, institution, spawn_app};

use crate::learning::{complete, demo, enrol_in_demo, right_answers, start};

const VERSION: &str = "2.0.0";

/// An LRS credential made by the holder of `token`: (key, secret).
pub(crate) async fn credential(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let res = app
        .post("/api/v1/xapi/credentials", &body, Some(token))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["endpoint"], format!("{PUBLIC_URL}/xapi/"));
    (
        res.body["key"].as_str().unwrap().to_owned(),
        res.body["secret"].as_str().unwrap().to_owned(),
    )
}

pub(crate) fn lrs(
    app: &TestApp,
    method: Method,
    path: &str,
    (key, secret): &(String, String),
) -> reqwest::RequestBuilder {
    app.client
        .request(method, app.url(&format!("/xapi{path}")))
        .basic_auth(key, Some(secret))
        .header("X-Experience-API-Version", VERSION)
}

pub(crate) async fn statements(app: &TestApp, cred: &(String, String), query: &str) -> Vec<Value> {
    let res = app
        .send(lrs(app, Method::GET, &format!("/statements?{query}"), cred))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("x-experience-api-version"), Some(VERSION));
    assert!(res.header("x-experience-api-consistent-through").is_some());
    res.body["statements"].as_array().unwrap().clone()
}

fn verbs(list: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .map(|s| {
            s["verb"]["id"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_learners_journey_is_recorded_as_statements_about_an_account_not_an_email() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let code = complete(&app, &l).await;
    let admin = app.admin_token().await;
    let cred = credential(&app, &admin, json!({"name": "secretariat records"})).await;
    let mine = statements(&app, &cred, &format!("registration={}", l.enrolment)).await;
    assert_eq!(
        verbs(&mine),
        [
            "answered",
            "answered",
            "answered",
            "attempted",
            "completed",
            "completed",
            "completed",
            "earned",
            "experienced",
            "experienced",
            "passed"
        ],
        "{mine:#?}"
    );
    let text = serde_json::to_string(&mine).unwrap();
    assert!(!text.contains("@x.example"), "an email is in a statement");
    for s in &mine {
        assert_eq!(s["actor"]["account"]["homePage"], PUBLIC_URL);
        assert_eq!(s["context"]["registration"], l.enrolment);
        assert_eq!(s["version"], VERSION);
        assert!(
            s["object"]["id"].as_str().unwrap().starts_with(PUBLIC_URL),
            "{s}"
        );
        assert_eq!(
            s["context"]["contextActivities"]["grouping"][0]["id"],
            format!("{PUBLIC_URL}/xapi/activities/courses/demo")
        );
        assert_eq!(
            s["context"]["extensions"][format!("{PUBLIC_URL}/xapi/extensions/course-version")],
            1
        );
    }
    let passed = mine
        .iter()
        .find(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed")
        .unwrap();
    assert_eq!(passed["result"]["success"], true);
    assert_eq!(passed["result"]["score"]["scaled"], 1.0);
    assert!(
        passed["result"]["duration"]
            .as_str()
            .unwrap()
            .starts_with("PT")
    );
    let earned = mine
        .iter()
        .find(|s| s["verb"]["id"] == "http://id.tincanapi.com/verb/earned")
        .unwrap();
    assert_eq!(
        earned["object"]["id"],
        format!("{PUBLIC_URL}/verify/{code}")
    );
    // The activities carry their names in the course's language.
    let quiz = mine
        .iter()
        .find(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted")
        .unwrap();
    let activity = app
        .send(lrs(
            &app,
            Method::GET,
            &format!(
                "/activities?activityId={}",
                quiz["object"]["id"].as_str().unwrap()
            ),
            &cred,
        ))
        .await;
    assert_eq!(activity.status, 200, "{}", activity.text);
    assert!(
        activity.body["definition"]["name"]["en"].is_string(),
        "{}",
        activity.text
    );

    // A revocation is recorded too, in its own transaction's statement.
    let revoked = app
        .post(
            &format!("/api/v1/certificates/{code}/revoke"),
            &json!({"reason": "issued in error"}),
            Some(&admin),
        )
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.text);
    let after = statements(&app, &cred, &format!("registration={}", l.enrolment)).await;
    assert_eq!(after.len(), mine.len() + 1);
    assert!(
        after[0]["verb"]["id"]
            .as_str()
            .unwrap()
            .ends_with("/xapi/verbs/certificate-revoked")
    );
}

#[tokio::test]
async fn a_refused_learning_write_records_no_statement() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let admin = app.admin_token().await;
    let cred = credential(&app, &admin, json!({"name": "records"})).await;
    let attempt = start(&app, &l).await;
    assert_eq!(attempt.status, 201);
    let before = statements(&app, &cred, &format!("registration={}", l.enrolment)).await;
    // Responses to a question the attempt does not have: 400, and nothing graded.
    let bad = app
        .post(
            &format!(
                "/api/v1/attempts/{}/submit",
                attempt.body["id"].as_str().unwrap()
            ),
            &json!({"responses": {"no-such-question": 1}}),
            Some(&l.token),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    let after = statements(&app, &cred, &format!("registration={}", l.enrolment)).await;
    assert_eq!(after.len(), before.len());
    // A second submission of a graded attempt grades nothing more.
    let id = attempt.body["id"].as_str().unwrap();
    for _ in 0..2 {
        let ok = app
            .post(
                &format!("/api/v1/attempts/{id}/submit"),
                &json!({"responses": right_answers(&attempt.body)}),
                Some(&l.token),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
    let graded = statements(&app, &cred, &format!("registration={}", l.enrolment)).await;
    assert_eq!(
        verbs(&graded).iter().filter(|v| *v == "passed").count(),
        1,
        "graded once"
    );
}

#[tokio::test]
async fn an_institutions_credential_reads_its_learners_and_its_own_writes_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let a = institution(&app, &admin, "Institut A", "FR").await;
    let b = institution(&app, &admin, "Institut B", "BE").await;
    demo(&app, "correct_answers", "immediately").await;
    let of_a = enrol_in_demo(&app, Some(a.id)).await;
    let of_b = enrol_in_demo(&app, Some(b.id)).await;
    for l in [&of_a, &of_b] {
        let res = app
            .put(
                &format!(
                    "/api/v1/enrolments/{}/lessons/{}/progress",
                    l.enrolment, l.lessons[0]
                ),
                &json!({"status": "viewed"}),
                Some(&l.token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let cred_a = credential(&app, &a.manager, json!({"name": "A's records"})).await;
    let cred_b = credential(&app, &b.manager, json!({"name": "B's records"})).await;
    // A manager may not make a credential for another institution, nor a learner at all.
    let other = app
        .post(
            "/api/v1/xapi/credentials",
            &json!({"name": "x", "institution_id": b.id}),
            Some(&a.manager),
        )
        .await;
    other.assert_problem(404, "not_found");
    let seen_by_a = statements(&app, &cred_a, "").await;
    assert_eq!(seen_by_a.len(), 1);
    assert_eq!(seen_by_a[0]["context"]["registration"], of_a.enrolment);

    // What A writes stays in A's scope, whoever it is about.
    let written = app
        .send(lrs(&app, Method::POST, "/statements", &cred_a).json(&json!({
            "actor": {"mbox": "mailto:someone@nti-a.example"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en": "attended"}},
            "object": {"id": "http://nti-a.example/seminars/42"}
        })))
        .await;
    assert_eq!(written.status, 200, "{}", written.text);
    let id = written.body[0].as_str().unwrap();
    assert_eq!(statements(&app, &cred_a, "").await.len(), 2);
    let by_b = app
        .send(lrs(
            &app,
            Method::GET,
            &format!("/statements?statementId={id}"),
            &cred_b,
        ))
        .await;
    by_b.assert_problem(404, "not_found");
    assert_eq!(statements(&app, &cred_b, "").await.len(), 1);
    let admin_cred = credential(&app, &admin, json!({"name": "everything"})).await;
    assert_eq!(statements(&app, &admin_cred, "").await.len(), 3);

    // Revoked, it stops working at once.
    let listed = app.get("/api/v1/xapi/credentials", Some(&a.manager)).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.text);
    let cred_id = listed.body[0]["id"].as_str().unwrap();
    let gone = app
        .delete(
            &format!("/api/v1/xapi/credentials/{cred_id}"),
            Some(&a.manager),
        )
        .await;
    assert_eq!(gone.status, 204);
    let refused = app
        .send(lrs(&app, Method::GET, "/statements", &cred_a))
        .await;
    refused.assert_problem(401, "invalid_lrs_credential");
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic")
    );

    // A forward is stopped by its institution's managers and admins only.
    let body = json!({"name": "A's store", "endpoint": "https://lrs.a.example/xapi", "username": "u", "password": "p"});
    let made = app
        .post("/api/v1/xapi/forwards", &body, Some(&a.manager))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let path = format!(
        "/api/v1/xapi/forwards/{}",
        made.body["id"].as_str().unwrap()
    );
    app.delete(&path, Some(&b.manager))
        .await
        .assert_problem(404, "not_found");
    let admins = app.post("/api/v1/xapi/forwards", &body, Some(&admin)).await;
    let admins = format!(
        "/api/v1/xapi/forwards/{}",
        admins.body["id"].as_str().unwrap()
    );
    app.delete(&admins, Some(&a.manager))
        .await
        .assert_problem(404, "not_found");
    assert_eq!(app.delete(&path, Some(&a.manager)).await.status, 204);
    assert_eq!(app.delete(&admins, Some(&admin)).await.status, 204);
}

#[tokio::test]
async fn content_gets_a_launch_credential_for_its_learner_and_registration_only() {
    let app = spawn_app().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let other = enrol_in_demo(&app, None).await;
    let launch = app
        .post(
            &format!("/api/v1/enrolments/{}/xapi-launch", l.enrolment),
            &json!({}),
            Some(&l.token),
        )
        .await;
    assert_eq!(launch.status, 201, "{}", launch.text);
    let stolen = app
        .post(
            &format!("/api/v1/enrolments/{}/xapi-launch", l.enrolment),
            &json!({}),
            Some(&other.token),
        )
        .await;
    stolen.assert_problem(404, "not_found");
    let auth = launch.body["auth"].as_str().unwrap().to_owned();
    let actor = launch.body["actor"].clone();
    let post = |body: Value| {
        app.client
            .post(app.url("/xapi/statements"))
            .header("Authorization", auth.clone())
            .header("X-Experience-API-Version", VERSION)
            .json(&body)
    };
    let statement = |actor: Value, registration: &str| {
        json!({
            "actor": actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": format!("{PUBLIC_URL}/content/video-1")},
            "context": {"registration": registration}
        })
    };
    let ok = app.send(post(statement(actor.clone(), &l.enrolment))).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let not_me = app
        .send(post(statement(
            json!({"mbox": "mailto:x@y.example"}),
            &l.enrolment,
        )))
        .await;
    not_me.assert_problem(400, "invalid_xapi_request");
    let not_here = app
        .send(post(statement(actor.clone(), &other.enrolment)))
        .await;
    not_here.assert_problem(400, "invalid_xapi_request");
    // It reads its learner's statements of this registration, nothing else.
    let progress = app
        .put(
            &format!(
                "/api/v1/enrolments/{}/lessons/{}/progress",
                other.enrolment, other.lessons[0]
            ),
            &json!({"status": "viewed"}),
            Some(&other.token),
        )
        .await;
    assert_eq!(progress.status, 200);
    let read = app
        .send(
            app.client
                .get(app.url("/xapi/statements"))
                .header("Authorization", auth.clone())
                .header("X-Experience-API-Version", VERSION),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    let ids: Vec<&Value> = read.body["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["context"]["registration"])
        .collect();
    assert_eq!(ids, vec![&json!(l.enrolment)]);
}

#[tokio::test]
async fn the_store_answers_bad_requests_with_problems_and_keeps_statements_immutable() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let cred = credential(&app, &admin, json!({"name": "records"})).await;
    let id = Uuid::new_v4();
    let body = json!({
        "id": id,
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": "http://example.org/a"}
    });
    // No version header: 400, and nothing stored.
    let unversioned = app
        .send(
            app.client
                .post(app.url("/xapi/statements"))
                .basic_auth(&cred.0, Some(&cred.1))
                .json(&body),
        )
        .await;
    unversioned.assert_problem(400, "invalid_xapi_request");
    assert_eq!(
        unversioned.header("x-experience-api-version"),
        Some(VERSION)
    );
    let missing = app
        .send(lrs(
            &app,
            Method::GET,
            &format!("/statements?statementId={id}"),
            &cred,
        ))
        .await;
    missing.assert_problem(404, "not_found");
    // A wrong property is named.
    let mut wrong = body.clone();
    wrong["verb"]["display"] = json!({"not a language tag": "x"});
    let bad: Res = app
        .send(lrs(&app, Method::POST, "/statements", &cred).json(&wrong))
        .await;
    bad.assert_problem(400, "invalid_xapi_request");
    assert!(
        bad.body["detail"]
            .as_str()
            .unwrap()
            .contains("verb.display"),
        "{}",
        bad.text
    );
    // Stored once; the same again is fine; a different statement with its id is a 409.
    let put = app
        .send(
            lrs(
                &app,
                Method::PUT,
                &format!("/statements?statementId={id}"),
                &cred,
            )
            .json(&body),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.text);
    let again = app
        .send(
            lrs(
                &app,
                Method::PUT,
                &format!("/statements?statementId={id}"),
                &cred,
            )
            .json(&body),
        )
        .await;
    assert_eq!(again.status, 204, "{}", again.text);
    let mut changed = body.clone();
    changed["object"]["id"] = json!("http://example.org/b");
    let conflict = app
        .send(
            lrs(
                &app,
                Method::PUT,
                &format!("/statements?statementId={id}"),
                &cred,
            )
            .json(&changed),
        )
        .await;
    conflict.assert_problem(409, "statement_conflict");
    let got = app
        .send(lrs(
            &app,
            Method::GET,
            &format!("/statements?statementId={id}"),
            &cred,
        ))
        .await;
    assert_eq!(got.body["object"]["id"], "http://example.org/a");
    // Learners and tutors make no credentials.
    let (_, learner) = app
        .user_with_token("l@x.example", Role::Learner, None)
        .await;
    let refused = app
        .post(
            "/api/v1/xapi/credentials",
            &json!({"name": "mine"}),
            Some(&learner),
        )
        .await;
    refused.assert_problem(403, "managers_only");
}

/// A port nothing listens on now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn count_at(app: &TestApp, cred: &(String, String)) -> usize {
    statements(app, cred, "limit=500").await.len()
}

/// Waits up to 20 s for `cred` to see `n` statements at `app`.
pub(crate) async fn wait_for(app: &TestApp, cred: &(String, String), n: usize) -> usize {
    let mut seen = 0;
    for _ in 0..100 {
        seen = count_at(app, cred).await;
        if seen >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    seen
}

/// An external store: another help-lms on a fixed port, with a credential for `sender`'s
/// forward; (the store, its credential, the forward as `sender`'s admin created it).
pub(crate) async fn external_store(
    sender: &TestApp,
    admin: &str,
) -> (TestApp, (String, String), Res) {
    let port = free_port();
    let receiver = help_lms_tests::spawn_with(help_lms_tests::Options {
        bind: format!("127.0.0.1:{port}"),
        ..Default::default()
    })
    .await;
    let receiver_admin = receiver.admin_token().await;
    let inbound = credential(&receiver, &receiver_admin, json!({"name": "inbound"})).await;
    let forward = sender
        .post(
            "/api/v1/xapi/forwards",
            &json!({
                "name": "receiver",
                "endpoint": format!("http://127.0.0.1:{port}/xapi"),
                "username": inbound.0,
                "password": inbound.1,
            }),
            Some(admin),
        )
        .await;
    assert_eq!(forward.status, 201, "{}", forward.text);
    (receiver, inbound, forward)
}

#[tokio::test]
async fn statements_reach_an_external_store_once_even_while_it_is_down_and_across_restarts() {
    let sender = spawn_app().await;
    let admin = sender.admin_token().await;
    let l = demo(&sender, "correct_answers", "immediately").await;
    let (receiver, inbound, forward) = external_store(&sender, &admin).await;
    assert!(
        forward.body.get("password").is_none(),
        "the password is never answered"
    );
    // A forward with a wrong endpoint is refused, and changes nothing.
    let bad = sender
        .post(
            "/api/v1/xapi/forwards",
            &json!({"name": "x", "endpoint": "ftp://nowhere", "username": "u", "password": "p"}),
            Some(&admin),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.problem_fields(), ["endpoint"]);
    let own = credential(&sender, &admin, json!({"name": "own"})).await;

    // One lesson while the receiver is up.
    let path = format!(
        "/api/v1/enrolments/{}/lessons/{}/progress",
        l.enrolment, l.lessons[0]
    );
    let viewed = sender
        .put(&path, &json!({"status": "viewed"}), Some(&l.token))
        .await;
    assert_eq!(viewed.status, 200, "{}", viewed.text);
    assert_eq!(wait_for(&receiver, &inbound, 1).await, 1);

    // The receiver goes down; the sender keeps recording, and restarts.
    let sender_ref = &sender;
    let receiver = receiver
        .restart_after(|_| async move {
            let res = sender_ref
                .put(
                    &format!(
                        "/api/v1/enrolments/{}/lessons/{}/progress",
                        l.enrolment, l.lessons[1]
                    ),
                    &json!({"status": "completed"}),
                    Some(&l.token),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.text);
            // Long enough for a failed attempt or two (the tests retry after a second).
            tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        })
        .await;
    let sender = sender.restart().await;
    let expected = count_at(&sender, &own).await;
    assert_eq!(expected, 3, "viewed, then viewed and completed");
    assert_eq!(wait_for(&receiver, &inbound, expected).await, expected);
    // Nothing arrives twice, however often it was sent.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(count_at(&receiver, &inbound).await, expected);
    let ids = |list: Vec<Value>| {
        let mut v: Vec<String> = list
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(statements(&receiver, &inbound, "").await),
        ids(statements(&sender, &own, "").await)
    );
}
