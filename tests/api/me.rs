//! Black-box tests of the signed-in account.

use help_lms_domain::values::Role;
use help_lms_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_user_changes_their_name_and_language() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("lena@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .patch(
            "/api/v1/me",
            &json!({"name": "  Lena Fischer ", "language": "de"}),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name"], "Lena Fischer");
    assert_eq!(res.body["language"], "de");
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["language"], "de");
}

#[tokio::test]
async fn a_learner_cannot_change_their_role_status_or_institution() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("sneaky@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .patch(
            "/api/v1/me",
            &json!({"name": "Changed", "role": "admin", "status": "active", "institution_id": "0190f000-0000-7000-8000-000000000000"}),
            Some(&token),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    let mut fields = res.problem_fields();
    fields.sort();
    assert_eq!(fields, ["institution_id", "role", "status"]);
    assert!(
        res.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"] == "read_only")
    );
    // Nothing changed, not even the valid field.
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["role"], "learner");
    assert_eq!(me.body["name"], "Test learner");
}

#[tokio::test]
async fn invalid_profile_values_name_their_field() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("typo@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .patch(
            "/api/v1/me",
            &json!({"language": "klingon", "name": ""}),
            Some(&token),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    let mut fields = res.problem_fields();
    fields.sort();
    assert_eq!(fields, ["language", "name"]);
}

#[tokio::test]
async fn malformed_json_is_a_problem_too() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("broken@justiz.example", Role::Learner, None)
        .await;
    let res = app
        .send(
            app.request(reqwest::Method::PATCH, "/api/v1/me", Some(&token))
                .header("content-type", "application/json")
                .body("{\"name\": "),
        )
        .await;
    res.assert_problem(400, "invalid_json");
    let res = app
        .send(
            app.request(reqwest::Method::PATCH, "/api/v1/me", Some(&token))
                .header("content-type", "text/plain")
                .body("name=x"),
        )
        .await;
    res.assert_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let (_, token) = app
        .user_with_token("big@justiz.example", Role::Learner, None)
        .await;
    let huge = json!({"name": "x".repeat(3 * 1024 * 1024)});
    let res = app.patch("/api/v1/me", &huge, Some(&token)).await;
    res.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn a_learner_sees_their_courses_and_reads_lessons_in_the_enrolments_language() {
    let app = help_lms_tests::spawn_with_catalogue().await;
    let (_, token) = app
        .user_with_token("lea@barreau.example", Role::Learner, None)
        .await;
    let course = "international-cooperation-pre-trial-detention";
    let e = app
        .post(
            "/api/v1/enrolments",
            &json!({"course": course, "language": "fr"}),
            Some(&token),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.text);
    let id = e.body["id"].as_str().unwrap().to_owned();

    let mine = app.get("/api/v1/me/enrolments", Some(&token)).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    let first = &mine.body[0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["course"], course);
    assert_eq!(first["language"], "fr");
    assert_eq!(
        first["title"],
        "Coopération internationale en matière pénale\u{a0}: l'enjeu de la détention provisoire"
    );
    assert_eq!(first["percent"], 0.0);
    assert_eq!(first["next"]["kind"], "lesson", "{first}");
    let lesson = first["next"]["id"].as_str().unwrap().to_owned();

    // The lesson comes in French, whatever the browser says, unless `lang` asks otherwise.
    let path = format!("/api/v1/enrolments/{id}/lessons/{lesson}");
    let fr = app
        .send(
            app.request(reqwest::Method::GET, &path, Some(&token))
                .header("accept-language", "en"),
        )
        .await;
    assert_eq!(fr.status, 200, "{}", fr.text);
    assert_eq!(fr.header("content-language"), Some("fr"));
    assert_eq!(
        fr.body["title"],
        "De l'entraide à la reconnaissance mutuelle"
    );
    let en = app.get(&format!("{path}?lang=en"), Some(&token)).await;
    assert_eq!(en.header("content-language"), Some("en"));
    assert_eq!(
        en.body["title"],
        "From mutual assistance to mutual recognition"
    );
    let by_key = app
        .get(
            &format!("/api/v1/enrolments/{id}/lessons/cooperation-instruments"),
            Some(&token),
        )
        .await;
    assert_eq!(by_key.body["id"], lesson.as_str());

    // Progress shows in the list; nobody else reads the lesson through this enrolment.
    let done = app
        .put(
            &format!("{path}/progress"),
            &json!({"status": "completed", "time_spent_seconds": 300}),
            Some(&token),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let mine = app.get("/api/v1/me/enrolments", Some(&token)).await;
    assert!(
        mine.body[0]["percent"].as_f64().unwrap() > 0.0,
        "{}",
        mine.text
    );
    assert_ne!(mine.body[0]["next"]["id"], lesson.as_str());
    let (_, other) = app
        .user_with_token("other@barreau.example", Role::Learner, None)
        .await;
    app.get(&path, Some(&other))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_learner_downloads_everything_held_about_them_and_nothing_of_anyone_else() {
    let app = help_lms_tests::spawn_app().await;
    let l = crate::learning::demo(&app, "correct_answers", "immediately").await;
    let code = crate::learning::complete(&app, &l).await;
    let other = crate::learning::enrol_in_demo(&app, None).await;
    let res = app.get("/api/v1/me/export", Some(&l.token)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(
        res.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(res.header("cache-control").unwrap().contains("no-store"));
    let data = &res.body;
    assert!(
        data["account"]["email"]
            .as_str()
            .unwrap()
            .ends_with("@x.example")
    );
    let enrolments = data["enrolments"].as_array().unwrap();
    assert_eq!(enrolments.len(), 1);
    let e = &enrolments[0];
    assert_eq!(e["enrolment"]["id"], l.enrolment);
    assert_eq!(e["course"], "demo");
    assert_eq!(e["lessons"].as_array().unwrap().len(), 2);
    assert_eq!(e["attempts"].as_array().unwrap().len(), 1);
    assert!(
        e["attempts"][0]["responses"].as_object().unwrap().len() >= 3,
        "{}",
        e["attempts"][0]
    );
    assert_eq!(e["certificate"]["code"], code);
    let records = data["learning_records"].as_array().unwrap();
    assert_eq!(records.len(), 11, "the journey's statements");
    assert!(
        records
            .iter()
            .all(|s| s["context"]["registration"] == l.enrolment)
    );
    let audit = data["audit"].as_array().unwrap();
    assert!(
        audit.iter().any(|e| e["action"] == "login_succeeded"),
        "{audit:?}"
    );
    assert!(
        !res.text.contains(&other.enrolment),
        "another learner's enrolment is in the export"
    );
}
