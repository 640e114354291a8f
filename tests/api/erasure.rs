//! Erasure as its users meet it: a learner erases their own account; what identified them
//! is gone from the platform and from the external store it forwarded to, their
//! certificate verifies as `erased`, and every statistic is what it was.

use serde_json::{Value, json};

use help_lms_tests::{PASSWORD, TestApp, spawn_app};

use crate::learning::{complete, demo, enrol_in_demo};
use crate::xapi::{count_at, credential, external_store, lrs, statements, wait_for};

/// Every statistic an admin can ask for, grouped by each dimension and by all at once.
async fn every_statistic(app: &TestApp, admin: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for query in [
        "",
        "group_by=course",
        "group_by=country",
        "group_by=profession",
        "group_by=institution",
        "group_by=cohort",
        "group_by=language",
        "group_by=mode",
        "group_by=month",
        "group_by=course,country,profession,institution,language,month",
    ] {
        let res = app
            .get(&format!("/api/v1/stats/completions?{query}"), Some(admin))
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        all.push(res.body);
    }
    let funnel = app
        .get("/api/v1/stats/courses/demo/funnel", Some(admin))
        .await;
    assert_eq!(funnel.status, 200, "{}", funnel.text);
    all.push(funnel.body);
    all
}

#[tokio::test]
async fn an_erased_learner_leaves_no_name_behind_here_or_at_the_store_told_and_the_counts_stay() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (receiver, inbound, forward) = external_store(&app, &admin).await;
    let own = credential(&app, &admin, json!({"name": "own"})).await;

    let l = demo(&app, "correct_answers", "immediately").await;
    let code = complete(&app, &l).await;
    let other = enrol_in_demo(&app, None).await;
    let viewed = app
        .put(
            &format!(
                "/api/v1/enrolments/{}/lessons/{}/progress",
                other.enrolment, other.lessons[0]
            ),
            &json!({"status": "viewed"}),
            Some(&other.token),
        )
        .await;
    assert_eq!(viewed.status, 200, "{}", viewed.text);
    let me = app.get("/api/v1/me", Some(&l.token)).await;
    let user_id = me.body["id"].as_str().unwrap().to_owned();
    let email = me.body["email"].as_str().unwrap().to_owned();
    let agent = json!({"account": {"homePage": help_lms_tests::PUBLIC_URL, "name": user_id}});
    // An external tool may name the learner by their address, or its SHA-1.
    let mbox = format!("mailto:{email}");
    let sha1sum = {
        use sha1::Digest;
        hex::encode(sha1::Sha1::digest(mbox.as_bytes()))
    };
    for actor in [json!({"mbox": mbox}), json!({"mbox_sha1sum": sha1sum})] {
        let sent = app
            .send(
                lrs(&app, reqwest::Method::POST, "/statements", &own).json(&json!({
                    "actor": actor,
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
                    "object": {"id": "https://ntis.example/sessions/pre-trial-2027"},
                })),
            )
            .await;
        assert_eq!(sent.status, 200, "{}", sent.text);
    }
    let theirs = |list: &[Value]| {
        list.iter()
            .filter(|s| {
                s["actor"]["account"]["name"] == user_id.as_str()
                    || s["actor"]["mbox"] == mbox.as_str()
                    || s["actor"]["mbox_sha1sum"] == sha1sum.as_str()
            })
            .count()
    };
    let total = count_at(&app, &own).await;
    let about_them = theirs(&statements(&app, &own, "limit=500").await);
    assert!(about_them >= 10, "{about_them}");
    assert!(total > about_them, "the other learner's statements");
    // Their export shows every statement their erasure will delete, by whatever name.
    let export = app.get("/api/v1/me/export", Some(&l.token)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert_eq!(
        export.body["learning_records"].as_array().unwrap().len(),
        about_them
    );
    assert_eq!(wait_for(&receiver, &inbound, total).await, total);
    let before = every_statistic(&app, &admin).await;

    // A wrong password erases nothing.
    let wrong = app
        .post(
            "/api/v1/me/erasure",
            &json!({"password": "not the password"}),
            Some(&l.token),
        )
        .await;
    wrong.assert_problem(422, "validation_failed");
    assert_eq!(wrong.problem_fields(), ["password"]);
    assert_eq!(app.get("/api/v1/me", Some(&l.token)).await.status, 200);
    assert_eq!(count_at(&app, &own).await, total);

    let erased = app
        .post(
            "/api/v1/me/erasure",
            &json!({"password": PASSWORD}),
            Some(&l.token),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    let done = &erased.body;
    assert_eq!(done["already_erased"], false);
    assert_eq!(done["certificates"], 1);
    assert_eq!(done["learning_records"]["statements"], about_them);
    let notices = done["learning_records"]["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["forward_id"], forward.body["id"]);
    assert_eq!(notices[0]["statements"], about_them);

    // The account is gone: its token, its password, its data.
    assert_eq!(app.get("/api/v1/me", Some(&l.token)).await.status, 401);
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, 401, "{}", login.text);
    let here = statements(&app, &own, "limit=500").await;
    assert_eq!(theirs(&here), 0);
    assert_eq!(
        here.len(),
        total - about_them,
        "the other learner's are kept"
    );
    let by_agent = statements(
        &app,
        &own,
        &format!("agent={}", urlencoding(&agent.to_string())),
    )
    .await;
    assert!(by_agent.is_empty(), "{by_agent:?}");

    // The certificate says it was earned, by nobody it can name; not that it was revoked.
    let verified = app.get(&format!("/api/v1/certificates/{code}"), None).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["status"], "erased");
    assert_eq!(verified.body["valid"], false);
    assert_eq!(verified.body["learner_name"], "");
    assert_eq!(verified.body["revoked_on"], Value::Null);
    app.get(&format!("/api/v1/certificates/{code}/credential"), None)
        .await
        .assert_problem(409, "certificate_erased");
    let page = app
        .send(
            app.request(reqwest::Method::GET, &format!("/verify/{code}"), None)
                .header("accept", "text/html"),
        )
        .await;
    assert!(page.text.contains("erased"), "{}", page.text);

    // Every statistic is exactly what it was.
    assert_eq!(every_statistic(&app, &admin).await, before);

    // The external store was told: the statements it had are voided there (so its
    // queries leave them out), by voiding statements that name nobody.
    let voiding = "verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fvoided&limit=500";
    let mut voided = Vec::new();
    for _ in 0..100 {
        voided = statements(&receiver, &inbound, voiding).await;
        if voided.len() >= about_them {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(voided.len(), about_them);
    assert!(!serde_json::to_string(&voided).unwrap().contains(&user_id));
    let there = statements(&receiver, &inbound, "limit=500").await;
    assert_eq!(theirs(&there), 0, "voided at the receiver");
    assert_eq!(
        there.len(),
        (total - about_them) + voided.len(),
        "the others' statements and the notices"
    );

    // The audit trail records it, by ids: nothing in it names the person.
    let audit = app
        .get("/api/v1/audit?action=account_erased", Some(&admin))
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let entries = audit.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["object_id"], user_id.as_str());
    assert!(!audit.text.contains(&email));

    // Erasing again changes nothing.
    let again = app
        .post(
            &format!("/api/v1/users/{user_id}/erasure"),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["already_erased"], true);
    assert_eq!(every_statistic(&app, &admin).await, before);
}

#[tokio::test]
async fn admins_erase_others_and_nobody_erases_what_is_not_theirs_to() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let other = enrol_in_demo(&app, None).await;
    let id = app.get("/api/v1/me", Some(&l.token)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin_id = app.get("/api/v1/me", Some(&admin)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A learner may not erase someone else, nor an admin themselves.
    app.post(
        &format!("/api/v1/users/{id}/erasure"),
        &json!({}),
        Some(&other.token),
    )
    .await
    .assert_problem(403, "admin_only");
    app.post(
        "/api/v1/me/erasure",
        &json!({"password": PASSWORD}),
        Some(&admin),
    )
    .await
    .assert_problem(403, "admin_only");
    let own = app
        .post(
            &format!("/api/v1/users/{admin_id}/erasure"),
            &json!({}),
            Some(&admin),
        )
        .await;
    own.assert_problem(422, "validation_failed");
    app.post(
        &format!("/api/v1/users/{}/erasure", uuid::Uuid::now_v7()),
        &json!({}),
        Some(&admin),
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(app.get("/api/v1/me", Some(&l.token)).await.status, 200);

    let erased = app
        .post(
            &format!("/api/v1/users/{id}/erasure"),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    assert_eq!(erased.body["user_id"], id.as_str());
    assert_eq!(app.get("/api/v1/me", Some(&l.token)).await.status, 401);
    // An erased account is not enabled back into life.
    let enabled = app
        .post(
            &format!("/api/v1/users/{id}/enable"),
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(enabled.status, 200, "{}", enabled.text);
    assert_eq!(enabled.body["status"], "erased");
    assert_eq!(enabled.body["name"], "");
    assert_eq!(app.get("/api/v1/me", Some(&other.token)).await.status, 200);
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn retention_reports_then_erases_the_accounts_unused_for_longer_than_the_period() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let l = demo(&app, "correct_answers", "immediately").await;
    let id = app.get("/api/v1/me", Some(&l.token)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now();

    // Used today: nothing is due under a year's retention.
    assert_eq!(
        help_lms_api::retention::run_once(&app.db, 365, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.get("/api/v1/me", Some(&l.token)).await.status, 200);

    // Four hundred days on, the learner is due; the admin never is.
    let later = now + chrono::Duration::days(400);
    assert_eq!(
        help_lms_api::retention::run_once(&app.db, 365, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(app.get("/api/v1/me", Some(&l.token)).await.status, 401);
    assert_eq!(app.get("/api/v1/me", Some(&admin)).await.status, 200);
    let reported = app
        .get("/api/v1/audit?action=retention_reported", Some(&admin))
        .await;
    assert_eq!(reported.status, 200, "{}", reported.text);
    let entry = &reported.body["items"][0];
    assert_eq!(entry["detail"]["accounts"], json!([id]));
    assert_eq!(entry["actor_id"], Value::Null);
    let erased = app
        .get("/api/v1/audit?action=account_erased", Some(&admin))
        .await;
    assert_eq!(erased.body["items"][0]["object_id"], id.as_str());
    assert_eq!(erased.body["items"][0]["detail"]["reason"], "retention");
}
