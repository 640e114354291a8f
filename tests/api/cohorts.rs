//! Black-box tests of cohorts: creation, bulk enrolment from JSON and CSV, rosters, withdrawal
//! and scoping.

use help_lms_domain::values::Role;
use help_lms_tests::{
    Nti, Options, PASSWORD, Res, TestApp, institution, spawn_with, spawn_with_catalogue,
};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const COURSE: &str = "international-cooperation-pre-trial-detention";
const HEADER: &str = "email,given name,family name,profession,country,language\n";

async fn cohort(app: &TestApp, nti: &Nti, capacity: i32) -> Uuid {
    let res = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": COURSE, "language": "fr", "name": "Juges 2027", "starts_on": "2027-01-11", "ends_on": "2027-04-09", "capacity": capacity, "tutor_ids": [nti.tutor_id]}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().parse().unwrap()
}

async fn enrol_csv(
    app: &TestApp,
    token: &str,
    cohort: Uuid,
    csv: &str,
    query: &str,
    key: Option<&str>,
) -> Res {
    let mut r = app
        .request(
            Method::POST,
            &format!("/api/v1/cohorts/{cohort}/enrolments{query}"),
            Some(token),
        )
        .header("content-type", "text/csv")
        .body(csv.to_owned());
    if let Some(k) = key {
        r = r.header("idempotency-key", k);
    }
    app.send(r).await
}

fn results(res: &Res) -> Vec<(u64, String, String)> {
    res.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["result"].as_str().unwrap().to_owned(),
                r["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn setup() -> (TestApp, String, Nti) {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "Institut national de la magistrature", "FR").await;
    (app, admin, nti)
}

#[tokio::test]
async fn a_manager_enrols_a_cohort_from_a_spreadsheet_and_the_invited_learner_activates() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 50).await;
    let csv = String::from(
        "\u{feff}E-mail;Given name;Family name;Profession;Country;Language;Notes\n\
         Claire.Martin@Justice.example;Claire;Martin;judge;FR;fr;chambre 1\n\
         paul@justice.example;Paul;Durand;prosecutor;FR;;\n\
         not-an-email;X;Y;judge;FR;fr;\n\
         claire.martin@justice.example;Claire;Martin;judge;FR;fr;\n\
         z@justice.example;Z;Z;astronaut;FR;fr;\n\
         w@justice.example;W;W;judge;US;fr;\n",
    );
    let res = enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        results(&res),
        [
            (2, "created".into(), "".into()),
            (3, "created".into(), "".into()),
            (4, "rejected".into(), "invalid_email".into()),
            (5, "rejected".into(), "duplicate_in_request".into()),
            (6, "rejected".into(), "invalid_profession".into()),
            (7, "rejected".into(), "invalid_country".into()),
        ]
    );
    assert_eq!(res.body["ignored_columns"], json!(["Notes"]));
    assert_eq!(res.body["summary"]["created"], 2);
    assert_eq!(res.body["rows"][1]["email"], "paul@justice.example");

    // The same file again changes nothing.
    let again = enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    assert_eq!(again.body["summary"]["created"], 0);
    assert_eq!(again.body["summary"]["already_enrolled"], 2);

    // The answer carries no token: the invitation went by mail, and its link's single-use
    // token sets the password.
    assert!(res.body["rows"][0].get("activation_token").is_none());
    let token = app.token_in_mail("claire.martin@justice.example", 1).await;
    let token = token.as_str();
    let act = app
        .post(
            "/api/v1/auth/activate",
            &json!({"token": token, "password": "mon mot de passe solide"}),
            None,
        )
        .await;
    assert_eq!(act.status, 200, "{}", act.text);
    assert_eq!(act.body["user"]["email"], "claire.martin@justice.example");
    assert_eq!(act.body["user"]["institution_id"], nti.id.to_string());
    app.post(
        "/api/v1/auth/activate",
        &json!({"token": token, "password": "another long password"}),
        None,
    )
    .await
    .assert_problem(400, "invalid_activation_token");
    let learner = app
        .login("claire.martin@justice.example", "mon mot de passe solide")
        .await;
    let mine = app.get("/api/v1/me/enrolments", Some(&learner)).await;
    assert_eq!(mine.body[0]["cohort_id"], cohort.to_string());
    assert_eq!(mine.body[0]["language"], "fr");
    assert_eq!(mine.body[0]["source"], "nti");

    // Roster as JSON and as CSV that parses back to the same learners.
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.tutor),
        )
        .await;
    assert_eq!(roster.status, 200, "{}", roster.text);
    assert_eq!(roster.body["total"], 2);
    let csv_res = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/cohorts/{cohort}/enrolments"),
                Some(&nti.manager),
            )
            .header("accept", "text/csv"),
        )
        .await;
    assert!(
        csv_res
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv_res.text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("\u{feff}enrolment_id,user_id,email"));
    assert!(
        lines[1].contains("claire.martin@justice.example")
            && lines[2].contains("paul@justice.example")
    );
}

#[tokio::test]
async fn json_rows_dry_run_and_capacity() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 2).await;
    let rows = json!([
        {"email": "a@x.example", "given_name": "A", "family_name": "A", "profession": "judge", "country": "FR"},
        {"email": "b@x.example", "given_name": "B", "family_name": "B", "profession": "lawyer", "country": "BE", "language": "en"},
        {"email": "c@x.example", "given_name": "C", "family_name": "C", "profession": "judge", "country": "FR"},
    ]);
    let dry = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments?dry_run=true"),
            &rows,
            Some(&nti.manager),
        )
        .await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.body["dry_run"], true);
    let expected = [
        (1, "created".to_owned(), "".to_owned()),
        (2, "created".into(), "".into()),
        (3, "rejected".into(), "capacity_reached".into()),
    ];
    assert_eq!(results(&dry), expected);
    // It names no account, enrolment or token that does not exist.
    for row in dry.body["rows"].as_array().unwrap() {
        for absent in [
            "user_id",
            "enrolment_id",
            "activation_token",
            "activation_url",
        ] {
            assert!(row.get(absent).is_none(), "{absent} in {row}");
        }
    }
    // Nothing was written.
    assert_eq!(
        app.get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.manager)
        )
        .await
        .body["total"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/cohorts/{cohort}"), Some(&nti.manager))
            .await
            .body["enrolled"],
        0
    );

    let real = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            &rows,
            Some(&nti.manager),
        )
        .await;
    assert_eq!(results(&real), expected);
    assert_eq!(
        app.get(&format!("/api/v1/cohorts/{cohort}"), Some(&nti.manager))
            .await
            .body["enrolled"],
        2
    );
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_result() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 10).await;
    let csv = format!("{HEADER}k@x.example,K,K,judge,FR,fr\n");
    let first = enrol_csv(&app, &nti.manager, cohort, &csv, "", Some("batch-2027-01")).await;
    let second = enrol_csv(&app, &nti.manager, cohort, &csv, "", Some("batch-2027-01")).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.body, second.body);
    assert_eq!(second.body["rows"][0]["result"], "created");
    let other = enrol_csv(
        &app,
        &nti.manager,
        cohort,
        &format!("{HEADER}l@x.example,L,L,judge,FR,fr\n"),
        "",
        Some("batch-2027-01"),
    )
    .await;
    other.assert_problem(409, "idempotency_key_reused");
}

#[tokio::test]
async fn concurrent_identical_requests_enrol_each_learner_once() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 100).await;
    let mut csv = HEADER.to_owned();
    for i in 0..20 {
        csv.push_str(&format!("p{i}@x.example,P,{i},judge,FR,fr\n"));
    }
    let (a, b, c) = tokio::join!(
        enrol_csv(&app, &nti.manager, cohort, &csv, "", None),
        enrol_csv(&app, &nti.manager, cohort, &csv, "", None),
        enrol_csv(&app, &nti.manager, cohort, &csv, "", None),
    );
    for r in [&a, &b, &c] {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let created: u64 = [&a, &b, &c]
        .iter()
        .map(|r| r.body["summary"]["created"].as_u64().unwrap())
        .sum();
    assert_eq!(created, 20);
    assert_eq!(
        app.get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.manager)
        )
        .await
        .body["total"],
        20
    );
}

#[tokio::test]
async fn bad_files_are_answered_clearly_and_change_nothing() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 5000).await;
    let m = &nti.manager;

    let missing = enrol_csv(
        &app,
        m,
        cohort,
        "email,given name,profession,country\nx@y.example,X,judge,FR\n",
        "",
        None,
    )
    .await;
    missing.assert_problem(422, "validation_failed");
    // The language column may be left out; the others may not.
    assert_eq!(missing.problem_fields(), ["header.family_name"]);

    enrol_csv(&app, m, cohort, "", "", None)
        .await
        .assert_problem(422, "validation_failed");
    let header_only = enrol_csv(&app, m, cohort, HEADER, "", None).await;
    header_only.assert_problem(422, "validation_failed");
    assert_eq!(header_only.problem_fields(), ["rows"]);

    let mut big = HEADER.to_owned();
    for i in 0..5001 {
        big.push_str(&format!("u{i}@x.example,U,{i},judge,FR,fr\n"));
    }
    let too_many = enrol_csv(&app, m, cohort, &big, "", None).await;
    too_many.assert_problem(422, "validation_failed");
    assert_eq!(too_many.body["errors"][0]["code"], "too_many_rows");

    let latin1 = app
        .send(
            app.request(Method::POST, &format!("/api/v1/cohorts/{cohort}/enrolments"), Some(m))
                .header("content-type", "text/csv")
                .body(b"email,given name,family name,profession,country,language\nj@x.example,J\xe9r\xf4me,D,judge,FR,fr\n".to_vec()),
        )
        .await;
    latin1.assert_problem(400, "invalid_encoding");

    let huge = format!("{HEADER}{}", "x".repeat(3 * 1024 * 1024));
    enrol_csv(&app, m, cohort, &huge, "", None)
        .await
        .assert_problem(413, "payload_too_large");

    let xml = app
        .send(
            app.request(
                Method::POST,
                &format!("/api/v1/cohorts/{cohort}/enrolments"),
                Some(m),
            )
            .header("content-type", "application/xml")
            .body("<rows/>"),
        )
        .await;
    xml.assert_problem(415, "unsupported_media_type");

    assert_eq!(
        app.get(&format!("/api/v1/cohorts/{cohort}/enrolments"), Some(m))
            .await
            .body["total"],
        0
    );
}

#[tokio::test]
async fn a_5000_row_file_is_enrolled_in_one_request() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 5000).await;
    let mut csv = HEADER.to_owned();
    for i in 0..5000 {
        csv.push_str(&format!(
            "judge{i}@court.example,Given{i},Family{i},judge,FR,fr\n"
        ));
    }
    let res = enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    assert_eq!(res.status, 200, "{}", &res.text[..res.text.len().min(500)]);
    assert_eq!(res.body["summary"]["created"], 5000);
    assert_eq!(
        app.get(&format!("/api/v1/cohorts/{cohort}"), Some(&nti.manager))
            .await
            .body["enrolled"],
        5000
    );
}

#[tokio::test]
async fn a_manager_gets_404_for_another_institutions_cohorts_wherever_the_id_is() {
    let (app, admin, a) = setup().await;
    let b = institution(&app, &admin, "Other NTI", "IT").await;
    let b_cohort = cohort(&app, &b, 10).await;
    let m = &a.manager;
    app.get(&format!("/api/v1/cohorts/{b_cohort}"), Some(m))
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/cohorts/{b_cohort}/enrolments"), Some(m))
        .await
        .assert_problem(404, "not_found");
    enrol_csv(
        &app,
        m,
        b_cohort,
        &format!("{HEADER}q@x.example,Q,Q,judge,FR,fr\n"),
        "",
        None,
    )
    .await
    .assert_problem(404, "not_found");
    app.patch(
        &format!("/api/v1/cohorts/{b_cohort}"),
        &json!({"name": "mine now"}),
        Some(m),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        &format!("/api/v1/cohorts/{b_cohort}/close"),
        &json!({}),
        Some(m),
    )
    .await
    .assert_problem(404, "not_found");
    app.delete(
        &format!("/api/v1/cohorts/{b_cohort}/enrolments/{}", Uuid::now_v7()),
        Some(m),
    )
    .await
    .assert_problem(404, "not_found");
    // In the query and in the body.
    app.get(&format!("/api/v1/cohorts?institution_id={}", b.id), Some(m))
        .await
        .assert_problem(404, "not_found");
    let body = json!({"institution_id": b.id, "course": COURSE, "language": "fr", "name": "x", "starts_on": "2027-01-01", "ends_on": "2027-02-01", "capacity": 5});
    app.post("/api/v1/cohorts", &body, Some(m))
        .await
        .assert_problem(404, "not_found");
    // Their institution and its users.
    app.get(&format!("/api/v1/institutions/{}", b.id), Some(m))
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/institutions/{}/users", b.id), Some(m))
        .await
        .assert_problem(404, "not_found");
    app.post(
        &format!("/api/v1/institutions/{}/users", b.id),
        &json!({"email": "t@x.example", "name": "T", "role": "tutor"}),
        Some(m),
    )
    .await
    .assert_problem(404, "not_found");
    // Their list shows only their own.
    cohort(&app, &a, 5).await;
    let list = app.get("/api/v1/cohorts", Some(m)).await;
    assert_eq!(list.body["total"], 1);
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["institution_id"] == a.id.to_string())
    );
    let institutions = app.get("/api/v1/institutions", Some(m)).await;
    assert_eq!(institutions.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn tutors_see_only_their_cohorts_and_learners_see_no_roster() {
    let (app, _admin, nti) = setup().await;
    let mine = cohort(&app, &nti, 5).await;
    let others = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": COURSE, "language": "en", "name": "Untutored", "starts_on": "2027-01-11", "ends_on": "2027-04-09", "capacity": 5}),
            Some(&nti.manager),
        )
        .await;
    let others: Uuid = others.body["id"].as_str().unwrap().parse().unwrap();
    let list = app.get("/api/v1/cohorts", Some(&nti.tutor)).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], mine.to_string());
    app.get(&format!("/api/v1/cohorts/{others}"), Some(&nti.tutor))
        .await
        .assert_problem(404, "not_found");
    // A tutor reads but does not manage.
    assert_eq!(
        app.get(
            &format!("/api/v1/cohorts/{mine}/enrolments"),
            Some(&nti.tutor)
        )
        .await
        .status,
        200
    );
    enrol_csv(
        &app,
        &nti.tutor,
        mine,
        &format!("{HEADER}q@x.example,Q,Q,judge,FR,fr\n"),
        "",
        None,
    )
    .await
    .assert_problem(403, "managers_only");

    let (_, learner) = app
        .user_with_token("l@x.example", Role::Learner, Some(nti.id))
        .await;
    app.get(
        &format!("/api/v1/cohorts/{mine}/enrolments"),
        Some(&learner),
    )
    .await
    .assert_problem(404, "not_found");
    app.get("/api/v1/cohorts", Some(&learner))
        .await
        .assert_problem(403, "staff_only");
}

#[tokio::test]
async fn managers_cannot_make_admins_or_borrow_tutors() {
    let (app, admin, a) = setup().await;
    let b = institution(&app, &admin, "Other NTI", "IT").await;
    let res = app
        .post(
            &format!("/api/v1/institutions/{}/users", a.id),
            &json!({"email": "boss@x.example", "name": "Boss", "role": "admin"}),
            Some(&a.manager),
        )
        .await;
    res.assert_problem(403, "role_not_allowed");
    let body = json!({"course": COURSE, "language": "fr", "name": "x", "starts_on": "2027-01-01", "ends_on": "2027-02-01", "capacity": 5, "tutor_ids": [b.tutor_id, Uuid::now_v7()]});
    let res = app.post("/api/v1/cohorts", &body, Some(&a.manager)).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.problem_fields(), ["tutor_ids.0", "tutor_ids.1"]);
    // A manager invites a tutor of their own institution, who activates.
    let invite = app
        .post(
            &format!("/api/v1/institutions/{}/users", a.id),
            &json!({"email": "new.tutor@x.example", "name": "New Tutor", "role": "tutor"}),
            Some(&a.manager),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    assert_eq!(invite.body["user"]["status"], "invited");
    assert!(invite.body.get("activation_token").is_none());
    let token = app.token_in_mail("new.tutor@x.example", 1).await;
    let act = app
        .post(
            "/api/v1/auth/activate",
            &json!({"token": token, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(act.body["user"]["role"], "tutor");
}

#[tokio::test]
async fn cohort_fields_are_validated() {
    let (app, _admin, nti) = setup().await;
    let body = json!({"course": "no-such-course", "language": "xx", "name": " ", "starts_on": "2027-05-01", "ends_on": "2027-01-01", "capacity": 0});
    let res = app.post("/api/v1/cohorts", &body, Some(&nti.manager)).await;
    res.assert_problem(422, "validation_failed");
    let mut f = res.problem_fields();
    f.sort();
    assert_eq!(f, ["capacity", "course", "ends_on", "language", "name"]);
    let res = app
        .post("/api/v1/cohorts", &json!({"course": "evidence-counter-terrorism", "language": "de", "name": "x", "starts_on": "2027-01-01", "ends_on": "2027-02-01", "capacity": 5}), Some(&nti.manager))
        .await;
    assert_eq!(res.body["errors"][0]["code"], "language_not_available");
}

#[tokio::test]
async fn an_api_client_acts_for_its_institution_until_revoked() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 10).await;
    let created = app
        .post(
            &format!("/api/v1/institutions/{}/clients", nti.id),
            &json!({"name": "Registry sync"}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let client_id = created.body["id"].as_str().unwrap().to_owned();
    let secret = created.body["client_secret"].as_str().unwrap().to_owned();
    let listed = app
        .get(
            &format!("/api/v1/institutions/{}/clients", nti.id),
            Some(&nti.manager),
        )
        .await;
    assert!(listed.body[0].get("client_secret").is_none());

    let form =
        format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}");
    let token_res = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.clone()),
        )
        .await;
    assert_eq!(token_res.status, 200, "{}", token_res.text);
    let token = token_res.body["access_token"].as_str().unwrap().to_owned();
    let res = enrol_csv(
        &app,
        &token,
        cohort,
        &format!("{HEADER}sync@x.example,S,Y,judge,FR,fr\n"),
        "",
        None,
    )
    .await;
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
    // A client cannot mint further clients.
    app.post(
        &format!("/api/v1/institutions/{}/clients", nti.id),
        &json!({"name": "x"}),
        Some(&token),
    )
    .await
    .assert_problem(403, "people_only");

    let wrong = format!("grant_type=client_credentials&client_id={client_id}&client_secret=nope");
    let refused = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(wrong),
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["error"], "invalid_client");

    let revoked = app
        .delete(
            &format!("/api/v1/institutions/{}/clients/{client_id}", nti.id),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.get("/api/v1/cohorts", Some(&token))
        .await
        .assert_problem(401, "client_revoked");
    let refused = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["error"], "invalid_client");
}

#[tokio::test]
async fn withdrawing_keeps_history_and_ends_access_to_the_cohort() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 10).await;
    let res = enrol_csv(
        &app,
        &nti.manager,
        cohort,
        &format!("{HEADER}w@x.example,W,X,judge,FR,fr\n"),
        "",
        None,
    )
    .await;
    let enrolment = res.body["rows"][0]["enrolment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let w = app
        .delete(
            &format!("/api/v1/cohorts/{cohort}/enrolments/{enrolment}"),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(w.status, 200, "{}", w.text);
    assert_eq!(w.body["status"], "withdrawn");
    assert!(w.body["withdrawn_at"].is_string());
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(roster.body["items"][0]["enrolment"]["status"], "withdrawn");
    assert_eq!(
        app.get(&format!("/api/v1/cohorts/{cohort}"), Some(&nti.manager))
            .await
            .body["enrolled"],
        0
    );
    // Closing the cohort stops enrolments.
    app.post(
        &format!("/api/v1/cohorts/{cohort}/close"),
        &json!({}),
        Some(&nti.manager),
    )
    .await;
    enrol_csv(
        &app,
        &nti.manager,
        cohort,
        &format!("{HEADER}v@x.example,V,X,judge,FR,fr\n"),
        "",
        None,
    )
    .await
    .assert_problem(409, "cohort_closed");
}

#[tokio::test]
async fn a_learner_enrols_themselves_once_per_course() {
    let app = spawn_with(Options {
        seed_catalogue: true,
        ..Default::default()
    })
    .await;
    let (_, learner) = app
        .user_with_token("self@learner.example", Role::Learner, None)
        .await;
    // The preferred language of the profile decides when the request names none.
    app.patch("/api/v1/me", &json!({"language": "fr"}), Some(&learner))
        .await;
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/enrolments", Some(&learner))
                .header("accept-language", "en")
                .json(&json!({"course": COURSE})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["source"], "self");
    assert_eq!(res.body["language"], "fr");
    app.post(
        "/api/v1/enrolments",
        &json!({"course": COURSE}),
        Some(&learner),
    )
    .await
    .assert_problem(409, "already_enrolled");
    app.post(
        "/api/v1/enrolments",
        &json!({"course": "no-such-course"}),
        Some(&learner),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        "/api/v1/enrolments",
        &json!({"course": "evidence-counter-terrorism", "language": "de"}),
        Some(&learner),
    )
    .await
    .assert_problem(422, "validation_failed");
    let mine = app.get("/api/v1/me/enrolments", Some(&learner)).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invitations_are_mailed_once_per_new_account_and_not_on_dry_runs() {
    let app = spawn_with(Options {
        seed_catalogue: true,
        ..Default::default()
    })
    .await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "NTI", "FR").await;
    let cohort = cohort(&app, &nti, 10).await;
    let csv = format!("{HEADER}one@x.example,O,N,judge,FR,fr\ntwo@x.example,T,W,judge,FR,fr\n");
    let dry = enrol_csv(&app, &nti.manager, cohort, &csv, "?dry_run=true", None).await;
    assert!(dry.body["rows"][0].get("activation_token").is_none());
    enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    let one = app.mail_to("one@x.example").await;
    app.mail_to("two@x.example").await;
    assert!(one.subject().starts_with("HELP"), "{}", one.subject());
    assert!(
        one.text().contains("NTI"),
        "the institution invites: {}",
        one.text()
    );
    // Two mail polls later, still one message each: the dry run and the repeat sent none.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(app.mailbox.all().len(), 2);
}

#[tokio::test]
async fn a_row_in_a_language_the_course_lacks_is_refused_and_the_column_may_be_left_out() {
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 10).await;
    let csv = "email;given name;family name;profession;country;language\n\
               hans@gericht.example;Hans;Muster;judge;DE;de\n\
               ana@instanta.example;Ana;Pop;judge;RO;en\n";
    let res = enrol_csv(&app, &nti.manager, cohort, csv, "", None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["rows"][0]["result"], "rejected");
    assert_eq!(res.body["rows"][0]["reason"], "language_not_offered");
    assert!(
        res.body["rows"][0]["message"]
            .as_str()
            .unwrap()
            .contains("'de'")
    );
    assert_eq!(res.body["rows"][1]["result"], "created");
    // Without the column, as JSON rows may be: the cohort's language (French here).
    let csv =
        "email;given name;family name;profession;country\nion@instanta.example;Ion;Pop;judge;RO\n";
    let res = enrol_csv(&app, &nti.manager, cohort, csv, "", None).await;
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.manager),
        )
        .await;
    let ion = roster.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "ion@instanta.example")
        .unwrap_or_else(|| panic!("{}", roster.text));
    assert_eq!(ion["enrolment"]["language"], "fr", "{ion}");
}

#[tokio::test]
async fn uploading_the_sheet_again_reenrols_nobody_who_completed_or_was_withdrawn() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (app, _admin, nti) = setup().await;
    let cohort = cohort(&app, &nti, 10).await;
    let csv = format!(
        "{HEADER}done@x.example,D,One,judge,FR,fr\ngone@x.example,G,Two,judge,FR,fr\nstill@x.example,S,Three,judge,FR,fr\n"
    );
    let first = enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    assert_eq!(first.body["summary"]["created"], 3, "{}", first.text);
    let id = |i: usize| {
        first.body["rows"][i]["enrolment_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // One completes the course (its standing, written as grading writes it), one is withdrawn.
    use help_lms_persistence::entities::enrolments as en;
    en::Entity::update_many()
        .col_expr(en::Column::Status, Expr::value("completed"))
        .col_expr(en::Column::CompletedAt, Expr::value(chrono::Utc::now()))
        .filter(en::Column::Id.eq(id(0).parse::<Uuid>().unwrap()))
        .exec(&app.db.conn)
        .await
        .unwrap();
    let w = app
        .delete(
            &format!("/api/v1/cohorts/{cohort}/enrolments/{}", id(1)),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(w.status, 200, "{}", w.text);
    let seats = || async {
        app.get(&format!("/api/v1/cohorts/{cohort}"), Some(&nti.manager))
            .await
            .body["enrolled"]
            .clone()
    };
    let before = seats().await;

    let again = enrol_csv(&app, &nti.manager, cohort, &csv, "", None).await;
    assert_eq!(results(&again)[0].1, "already_completed", "{}", again.text);
    assert_eq!(again.body["rows"][0]["enrolment_id"], id(0));
    assert_eq!(
        results(&again)[1],
        (3, "rejected".into(), "withdrawn".into())
    );
    assert_eq!(results(&again)[2].1, "already_enrolled");
    assert_eq!(again.body["summary"]["already_completed"], 1);
    assert_eq!(seats().await, before, "no seat taken");
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(
        roster.body["total"], 3,
        "one entry per person: {}",
        roster.text
    );

    // Asked to, the withdrawn learner comes back on the same enrolment.
    let back = enrol_csv(&app, &nti.manager, cohort, &csv, "?reactivate=true", None).await;
    assert_eq!(results(&back)[1].1, "enrolled", "{}", back.text);
    assert_eq!(back.body["rows"][1]["enrolment_id"], id(1));
    let e = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&nti.manager),
        )
        .await;
    let gone = e.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "gone@x.example")
        .unwrap()
        .clone();
    // Active again; shown as pending while the account was never activated.
    assert_eq!(gone["enrolment"]["status"], "pending", "{gone}");
    assert_eq!(gone["enrolment"]["withdrawn_at"], Value::Null, "{gone}");
    assert_eq!(e.body["total"], 3);
}

#[tokio::test]
async fn an_api_client_invites_learners_but_never_staff() {
    let (app, _admin, nti) = setup().await;
    let created = app
        .post(
            &format!("/api/v1/institutions/{}/clients", nti.id),
            &json!({"name": "Registry sync"}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        created.body["id"].as_str().unwrap(),
        created.body["client_secret"].as_str().unwrap()
    );
    let token = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let invite = |email: &str, role: &str| json!({"email": email, "name": "Invited Person", "role": role, "profession": "judge", "country": "FR", "language": "fr"});
    let path = format!("/api/v1/institutions/{}/users", nti.id);
    for role in ["nti_manager", "tutor"] {
        app.post(
            &path,
            &invite(&format!("{role}@inm.example"), role),
            Some(&token),
        )
        .await
        .assert_problem(403, "people_only");
    }
    let learner = app
        .post(
            &path,
            &invite("learner@inm.example", "learner"),
            Some(&token),
        )
        .await;
    assert_eq!(learner.status, 201, "{}", learner.text);
    // Nobody was made staff: the institution's users are its manager, tutor and the learner.
    let staff = app.get(&path, Some(&nti.manager)).await;
    assert!(
        !staff.text.contains("nti_manager@inm.example"),
        "{}",
        staff.text
    );
    assert!(!staff.text.contains("tutor@inm.example"), "{}", staff.text);
    // Nor changed: the client cannot disable the institution's tutor.
    app.post(
        &format!("/api/v1/users/{}/disable", nti.tutor_id),
        &json!({}),
        Some(&token),
    )
    .await
    .assert_problem(403, "people_only");
}
