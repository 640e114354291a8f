//! Black-box tests of a cohort over time and across institutions: enrolment stops at the end
//! date and when closed, managers reopen and move dates, what learners may do after the end;
//! bulk rows naming accounts the caller's institution does not manage are answered as new
//! addresses, and those people join only when they accept.

use std::collections::BTreeSet;

use help_lms_domain::values::Role;
use help_lms_tests::{Nti, PASSWORD, Res, TestApp, institution, spawn_with_catalogue, token_of};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const PRE_TRIAL: &str = "international-cooperation-pre-trial-detention";
const EVIDENCE: &str = "evidence-counter-terrorism";
const HEADER: &str = "email,given name,family name,profession,country,language\n";

async fn cohort_of(app: &TestApp, nti: &Nti, course: &str, starts: &str, ends: &str) -> Uuid {
    let res = app
        .post(
            "/api/v1/cohorts",
            &json!({"course": course, "language": "en", "name": "Giudici 2027", "starts_on": starts, "ends_on": ends, "capacity": 20, "tutor_ids": [nti.tutor_id]}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().parse().unwrap()
}

async fn enrol_csv(app: &TestApp, token: &str, cohort: Uuid, csv: &str, query: &str) -> Res {
    app.send(
        app.request(
            Method::POST,
            &format!("/api/v1/cohorts/{cohort}/enrolments{query}"),
            Some(token),
        )
        .header("content-type", "text/csv")
        .body(csv.to_owned()),
    )
    .await
}

/// Activates the account invited at `email` with the link of its invitation.
async fn activate_from_mail(app: &TestApp, email: &str) {
    let token = app.token_in_mail(email, 1).await;
    let activated = app
        .post(
            "/api/v1/auth/activate",
            &json!({"token": token, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(activated.status, 200, "{}", activated.text);
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn keys(row: &Value) -> BTreeSet<String> {
    row.as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "row" && *k != "email")
        .cloned()
        .collect()
}

#[tokio::test]
async fn rows_naming_accounts_the_institution_does_not_manage_answer_as_new_addresses() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let a = institution(&app, &admin, "Institut national de la magistrature", "FR").await;
    let b = institution(&app, &admin, "Scuola superiore della magistratura", "IT").await;
    // A's learner, who activated; A's staff; an admin; a self-registered learner.
    let a_cohort = cohort_of(&app, &a, PRE_TRIAL, "2027-01-11", "2027-04-09").await;
    let res = enrol_csv(
        &app,
        &a.manager,
        a_cohort,
        &format!("{HEADER}claire@inm.example,Claire,Martin,judge,FR,fr\n"),
        "",
    )
    .await;
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
    activate_from_mail(&app, "claire@inm.example").await;
    app.create_user("tutor.a@inm.example", Role::Tutor, Some(a.id))
        .await;
    app.create_user("manager.a@inm.example", Role::NtiManager, Some(a.id))
        .await;
    app.create_user("secretariat@coe.example", Role::Admin, None)
        .await;
    let (_, free) = app
        .user_with_token("free@learner.example", Role::Learner, None)
        .await;
    let self_study = app
        .post(
            "/api/v1/enrolments",
            &json!({"course": EVIDENCE}),
            Some(&free),
        )
        .await;
    assert_eq!(self_study.status, 201, "{}", self_study.text);

    // B lists them all, with names of its own choosing, and one new address.
    let b_cohort = cohort_of(&app, &b, EVIDENCE, "2027-01-11", "2027-04-09").await;
    let sheet = format!(
        "{HEADER}nuovo@giustizia.example,Nuovo,Rossi,judge,IT,\nclaire@inm.example,C,Sent-by-B,prosecutor,IT,\ntutor.a@inm.example,T,Sent-by-B,judge,IT,\nmanager.a@inm.example,M,Sent-by-B,judge,IT,\nsecretariat@coe.example,S,Sent-by-B,judge,IT,\nfree@learner.example,F,Sent-by-B,lawyer,IT,\n"
    );
    let dry = enrol_csv(&app, &b.manager, b_cohort, &sheet, "?dry_run=true").await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    let res = enrol_csv(&app, &b.manager, b_cohort, &sheet, "").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["summary"]["created"], 6, "{}", res.text);
    let rows = res.body["rows"].as_array().unwrap();
    let new_address = keys(&rows[0]);
    assert!(new_address.contains("enrolment_id"));
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["result"], "created", "{row}");
        assert_eq!(
            keys(row),
            new_address,
            "row {i} answers as a new address: {row}"
        );
        assert!(row.get("user_id").is_none(), "{row}");
        // The dry run answered the same, without ids.
        assert_eq!(dry.body["rows"][i]["result"], "created", "{}", dry.text);
        assert!(dry.body["rows"][i].get("enrolment_id").is_none());
    }
    // Delivering links itself, B also gets a token per row, alike.
    let b_links = cohort_of(&app, &b, PRE_TRIAL, "2027-01-11", "2027-04-09").await;
    let sheet2 = sheet.replace("nuovo@", "altro@");
    let links = enrol_csv(&app, &b.manager, b_links, &sheet2, "?delivery=links").await;
    for row in links.body["rows"].as_array().unwrap() {
        assert_eq!(row["result"], "created", "{row}");
        assert!(row["activation_token"].is_string(), "{row}");
        assert_eq!(keys(row), keys(&links.body["rows"][0]), "{row}");
    }

    // A link B delivers to an existing account opens the join page and activates nothing.
    let claire_link_token = links.body["rows"][1]["activation_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = app
        .send(app.request(
            Method::GET,
            &format!("/account/activate?token={claire_link_token}"),
            None,
        ))
        .await;
    assert!(page.text.contains("action=\"join\""), "{}", page.text);
    app.post(
        "/api/v1/auth/activate",
        &json!({"token": claire_link_token, "password": "another sound passphrase"}),
        None,
    )
    .await
    .assert_problem(409, "sign_in_to_join");

    // What B's roster shows is what B sent, pending; nothing of the accounts.
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{b_cohort}/enrolments"),
            Some(&b.manager),
        )
        .await;
    assert_eq!(roster.status, 200, "{}", roster.text);
    assert_eq!(roster.body["total"], 6, "{}", roster.text);
    let text = roster.text.clone();
    for leak in [
        "Claire",
        "Martin",
        "Test tutor",
        "Test admin",
        "Test learner",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    let claire_entry = roster.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["email"] == "claire@inm.example")
        .unwrap()
        .clone();
    assert_eq!(claire_entry["name"], "C Sent-by-B", "{claire_entry}");
    assert_eq!(claire_entry["profession"], "prosecutor");
    assert_eq!(
        claire_entry["enrolment"]["status"], "pending",
        "{claire_entry}"
    );
    assert!(
        claire_entry["enrolment"]["user_id"].is_null(),
        "{claire_entry}"
    );

    // The owners are asked; staff and admins are only told nothing was done.
    let ask = app.mail_to("claire@inm.example").await;
    let mails = app
        .mailbox
        .wait_for("claire@inm.example", 2, std::time::Duration::from_secs(10))
        .await;
    let ask = mails.last().cloned().unwrap_or(ask);
    assert!(
        ask.text().contains("Scuola superiore della magistratura"),
        "{}",
        ask.text()
    );
    let claire_token = token_of(&ask);
    let notice = app.mail_to("tutor.a@inm.example").await;
    assert!(
        notice.text().contains("nothing was changed"),
        "{}",
        notice.text()
    );
    assert!(!notice.text().contains("token="));

    // Only the owner can use the token.
    app.post(
        "/api/v1/me/invitations/accept",
        &json!({"token": claire_token}),
        Some(&free),
    )
    .await
    .assert_problem(404, "not_found");
    let claire = app.login("claire@inm.example", PASSWORD).await;
    let waiting = app.get("/api/v1/me/invitations", Some(&claire)).await;
    assert_eq!(waiting.status, 200, "{}", waiting.text);
    assert_eq!(
        waiting.body.as_array().unwrap().len(),
        2,
        "{}",
        waiting.text
    );
    let accepted = app
        .post(
            "/api/v1/me/invitations/accept",
            &json!({"token": claire_token}),
            Some(&claire),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.body["cohort_id"], b_cohort.to_string());
    assert_eq!(accepted.body["id"], rows[1]["enrolment_id"]);
    app.post(
        "/api/v1/me/invitations/accept",
        &json!({"token": claire_token}),
        Some(&claire),
    )
    .await
    .assert_problem(409, "invitation_answered");

    // The self-study learner declines; the tutor cannot join as a learner.
    let free_waiting = app.get("/api/v1/me/invitations", Some(&free)).await;
    let free_inv = free_waiting
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["cohort_id"] == b_cohort.to_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let declined = app
        .post(
            &format!("/api/v1/me/invitations/{free_inv}/decline"),
            &json!({}),
            Some(&free),
        )
        .await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(declined.body["status"], "declined");
    let tutor = app.login("tutor.a@inm.example", PASSWORD).await;
    let tutor_inv = app.get("/api/v1/me/invitations", Some(&tutor)).await;
    let tutor_inv = tutor_inv.body[0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/me/invitations/{tutor_inv}/accept"),
        &json!({}),
        Some(&tutor),
    )
    .await
    .assert_problem(409, "not_a_learner");

    // Once she accepted, B sees Claire as she is; the rest stays as B sent it.
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{b_cohort}/enrolments"),
            Some(&b.manager),
        )
        .await;
    let items = roster.body["items"].as_array().unwrap();
    let claire_entry = items
        .iter()
        .find(|e| e["email"] == "claire@inm.example")
        .unwrap();
    assert_eq!(claire_entry["name"], "Claire Martin", "{claire_entry}");
    assert_eq!(claire_entry["enrolment"]["status"], "active");
    let free_entry = items
        .iter()
        .find(|e| e["email"] == "free@learner.example")
        .unwrap();
    assert_eq!(
        free_entry["enrolment"]["status"], "declined",
        "{free_entry}"
    );
    assert_eq!(free_entry["name"], "F Sent-by-B");

    // Sending the sheet again asks nobody twice and takes no further seat.
    let seats = app
        .get(&format!("/api/v1/cohorts/{b_cohort}"), Some(&b.manager))
        .await
        .body["enrolled"]
        .clone();
    let again = enrol_csv(&app, &b.manager, b_cohort, &sheet, "").await;
    assert_eq!(again.body["summary"]["created"], 0, "{}", again.text);
    assert_eq!(
        again.body["summary"]["already_enrolled"], 6,
        "{}",
        again.text
    );
    assert!(
        again.body["rows"][1]["user_id"].is_string(),
        "accepted: named"
    );
    assert!(again.body["rows"][2].get("user_id").is_none());
    assert_eq!(
        app.get(&format!("/api/v1/cohorts/{b_cohort}"), Some(&b.manager))
            .await
            .body["enrolled"],
        seats
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        app.mailbox.to("tutor.a@inm.example").len(),
        2,
        "one notice per cohort"
    );
}

#[tokio::test]
async fn an_ended_cohort_takes_no_enrolments_until_a_manager_moves_its_dates() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "Judicial Academy", "HR").await;
    let cohort = cohort_of(&app, &nti, PRE_TRIAL, &day(-290), &day(-200)).await;
    let path = format!("/api/v1/cohorts/{cohort}");
    let read = app.get(&path, Some(&nti.manager)).await;
    assert_eq!(read.body["status"], "ended", "{}", read.text);
    assert_eq!(read.body["after_end"], "read_only");
    let row = format!("{HEADER}ana@sud.example,Ana,Horvat,judge,HR,en\n");
    enrol_csv(&app, &nti.manager, cohort, &row, "")
        .await
        .assert_problem(409, "cohort_ended");
    enrol_csv(&app, &nti.manager, cohort, &row, "?dry_run=true")
        .await
        .assert_problem(409, "cohort_ended");

    let moved = app
        .patch(&path, &json!({"ends_on": day(30)}), Some(&nti.manager))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["status"], "open");
    let res = enrol_csv(&app, &nti.manager, cohort, &row, "").await;
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);

    let closed = app
        .post(&format!("{path}/close"), &json!({}), Some(&nti.manager))
        .await;
    assert_eq!(closed.body["status"], "closed");
    let row2 = format!("{HEADER}ivo@sud.example,Ivo,Kovac,judge,HR,en\n");
    enrol_csv(&app, &nti.manager, cohort, &row2, "")
        .await
        .assert_problem(409, "cohort_closed");
    // Tutors may not reopen; managers may.
    app.post(&format!("{path}/reopen"), &json!({}), Some(&nti.tutor))
        .await
        .assert_problem(403, "managers_only");
    let reopened = app
        .post(&format!("{path}/reopen"), &json!({}), Some(&nti.manager))
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.body["status"], "open");
    let res = enrol_csv(&app, &nti.manager, cohort, &row2, "").await;
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
    // A rule that is neither is refused, naming the field.
    let bad = app
        .patch(&path, &json!({"after_end": "forever"}), Some(&nti.manager))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(bad.problem_fields(), ["after_end"]);
}

#[tokio::test]
async fn after_the_end_learners_only_read_unless_the_cohort_lets_them_continue() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let nti = institution(&app, &admin, "Judicial Academy", "HR").await;
    let cohort = cohort_of(&app, &nti, PRE_TRIAL, &day(-10), &day(30)).await;
    let res = enrol_csv(
        &app,
        &nti.manager,
        cohort,
        &format!("{HEADER}ana@sud.example,Ana,Horvat,judge,HR,en\n"),
        "",
    )
    .await;
    let enrolment = res.body["rows"][0]["enrolment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    activate_from_mail(&app, "ana@sud.example").await;
    let ana = app.login("ana@sud.example", PASSWORD).await;
    let e = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), Some(&ana))
        .await;
    assert_eq!(e.status, 200, "{}", e.text);
    let lesson = first_lesson(&e.body);
    let progress = format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/progress");
    let write = |secs: u32| json!({"status": "viewed", "time_spent_seconds": secs});
    let ok = app.put(&progress, &write(60), Some(&ana)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    // The cohort ends (its dates moved into the past): reading goes on, writing stops.
    let path = format!("/api/v1/cohorts/{cohort}");
    let ended = app
        .patch(
            &path,
            &json!({"starts_on": day(-40), "ends_on": day(-1)}),
            Some(&nti.manager),
        )
        .await;
    assert_eq!(ended.body["status"], "ended", "{}", ended.text);
    app.put(&progress, &write(30), Some(&ana))
        .await
        .assert_problem(409, "cohort_ended");
    let quiz = e.body["modules"][0]["quiz"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = format!("/api/v1/enrolments/{enrolment}/quizzes/{quiz}/attempts");
    app.post(&start, &json!({}), Some(&ana))
        .await
        .assert_problem(409, "cohort_ended");
    let e = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), Some(&ana))
        .await;
    assert_eq!(e.status, 200, "{}", e.text);
    assert_eq!(e.body["time_spent_seconds"], 60, "{}", e.text);

    let cont = app
        .patch(&path, &json!({"after_end": "continue"}), Some(&nti.manager))
        .await;
    assert_eq!(cont.body["after_end"], "continue", "{}", cont.text);
    let ok = app.put(&progress, &write(30), Some(&ana)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let started = app.post(&start, &json!({}), Some(&ana)).await;
    assert_eq!(started.status, 201, "{}", started.text);
}

fn first_lesson(enrolment: &Value) -> String {
    let mut found = None;
    find_lesson(enrolment, &mut found);
    found.unwrap_or_else(|| panic!("no lesson in {enrolment}"))
}

fn find_lesson(v: &Value, found: &mut Option<String>) {
    if found.is_some() {
        return;
    }
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(lessons)) = m.get("lessons")
                && let Some(id) = lessons.first().and_then(|l| l["id"].as_str())
            {
                *found = Some(id.to_owned());
                return;
            }
            m.values().for_each(|x| find_lesson(x, found));
        }
        Value::Array(a) => a.iter().for_each(|x| find_lesson(x, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_invitations_link_opens_a_page_where_the_owner_signs_in_and_joins() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let b = institution(&app, &admin, "Scuola superiore della magistratura", "IT").await;
    app.create_user("free@learner.example", Role::Learner, None)
        .await;
    let cohort = cohort_of(&app, &b, EVIDENCE, "2027-01-11", "2027-04-09").await;
    let res = enrol_csv(
        &app,
        &b.manager,
        cohort,
        &format!("{HEADER}free@learner.example,Francesca,Liberi,lawyer,IT,\n"),
        "",
    )
    .await;
    assert_eq!(res.body["rows"][0]["result"], "created", "{}", res.text);
    let mail = app.mail_to("free@learner.example").await;
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/account/join?token="))
        .unwrap_or_else(|| panic!("no join link in {}", mail.text()));
    let token = token_of(&mail);
    let page = app
        .send(app.request(Method::GET, &format!("/account/join?token={token}"), None))
        .await;
    assert_eq!(page.status, 200, "{link}");
    assert!(
        page.text.contains("name=\"answer\" value=\"accept\""),
        "{}",
        page.text
    );

    let post = |password: &str, answer: &str| {
        app.request(Method::POST, "/account/join", None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "token={token}&email=free%40learner.example&password={password}&answer={answer}"
            ))
    };
    let wrong = app.send(post("not-the-password", "accept")).await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    let joined = app.send(post(&PASSWORD.replace(' ', "+"), "accept")).await;
    assert_eq!(joined.status, 200, "{}", joined.text);
    assert!(
        joined.text.contains("You have joined the cohort"),
        "{}",
        joined.text
    );
    let again = app.send(post(&PASSWORD.replace(' ', "+"), "decline")).await;
    assert_eq!(again.status, 409, "{}", again.text);
    let token = app.login("free@learner.example", PASSWORD).await;
    let mine = app.get("/api/v1/me/enrolments", Some(&token)).await;
    assert_eq!(
        mine.body[0]["cohort_id"],
        cohort.to_string(),
        "{}",
        mine.text
    );
}

#[tokio::test]
async fn a_pending_line_answers_alike_whether_or_not_its_address_had_an_account() {
    let app = spawn_with_catalogue().await;
    let admin = app.admin_token().await;
    let b = institution(&app, &admin, "Scuola superiore della magistratura", "IT").await;
    let (_, free) = app
        .user_with_token("free@learner.example", Role::Learner, None)
        .await;
    let cohort = cohort_of(&app, &b, EVIDENCE, "2027-01-11", "2027-04-09").await;
    let res = enrol_csv(
        &app,
        &b.manager,
        cohort,
        &format!("{HEADER}nuovo@giustizia.example,Nuovo,Rossi,judge,IT,\nfree@learner.example,Francesca,Liberi,lawyer,IT,\n"),
        "",
    )
    .await;
    let ids: Vec<String> = (0..2)
        .map(|i| {
            res.body["rows"][i]["enrolment_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // Before anyone accepted, staff reach neither line's enrolment.
    for id in &ids {
        app.get(&format!("/api/v1/enrolments/{id}"), Some(&b.manager))
            .await
            .assert_problem(404, "not_found");
        app.get(
            &format!("/api/v1/cohorts/{cohort}/enrolments/{id}/attempt-grants"),
            Some(&b.tutor),
        )
        .await
        .assert_problem(404, "not_found");
    }
    // Either can be sent its invitation again, alike; the owner of the account is mailed.
    let mut reminders = Vec::new();
    for id in &ids {
        let r = app
            .post(
                &format!("/api/v1/cohorts/{cohort}/enrolments/{id}/invitation?delivery=links"),
                &json!({}),
                Some(&b.manager),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body["activation_token"].is_string(), "{}", r.text);
        reminders.push(r.body);
    }
    assert_eq!(keys(&reminders[0]), keys(&reminders[1]));
    let mails = app
        .mailbox
        .wait_for(
            "free@learner.example",
            2,
            std::time::Duration::from_secs(10),
        )
        .await;
    assert_eq!(
        token_of(&mails[1]),
        reminders[1]["activation_token"].as_str().unwrap()
    );
    // Neither shows among the institution's accounts before accepting.
    let accounts = app
        .get(
            &format!("/api/v1/institutions/{}/users", b.id),
            Some(&b.manager),
        )
        .await;
    assert_eq!(accounts.status, 200, "{}", accounts.text);
    assert!(
        !accounts.text.contains("nuovo@giustizia.example"),
        "{}",
        accounts.text
    );
    assert!(!accounts.text.contains("free@learner.example"));
    // Withdrawn, both answer the same way and free their seats.
    let answers: Vec<Value> = withdraw_each(&app, &b.manager, cohort, &ids).await;
    assert_eq!(keys(&answers[0]), keys(&answers[1]), "{answers:?}");
    for a in &answers {
        assert_eq!(a["status"], "withdrawn", "{a}");
        assert!(a["user_id"].is_null(), "{a}");
    }
    let c = app
        .get(&format!("/api/v1/cohorts/{cohort}"), Some(&b.manager))
        .await;
    assert_eq!(c.body["enrolled"], 0, "{}", c.text);
    let roster = app
        .get(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            Some(&b.manager),
        )
        .await;
    let statuses: Vec<&Value> = roster.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["enrolment"]["status"])
        .collect();
    assert_eq!(
        statuses,
        [&json!("withdrawn"), &json!("withdrawn")],
        "{}",
        roster.text
    );
    for id in &ids {
        app.post(
            &format!("/api/v1/cohorts/{cohort}/enrolments/{id}/invitation"),
            &json!({}),
            Some(&b.manager),
        )
        .await
        .assert_problem(409, "not_invited");
    }
    // The owner can no longer join; sent again with reactivate, they are asked again.
    let waiting = app.get("/api/v1/me/invitations", Some(&free)).await;
    assert_eq!(waiting.body, json!([]), "{}", waiting.text);
    let again = enrol_csv(
        &app,
        &b.manager,
        cohort,
        &format!("{HEADER}nuovo@giustizia.example,Nuovo,Rossi,judge,IT,\nfree@learner.example,Francesca,Liberi,lawyer,IT,\n"),
        "?reactivate=true",
    )
    .await;
    for (i, id) in ids.iter().enumerate() {
        let row = &again.body["rows"][i];
        assert_eq!(row["result"], "enrolled", "{}", again.text);
        assert_eq!(row["enrolment_id"], id.as_str());
        assert!(row.get("user_id").is_none(), "{row}");
    }
    assert_eq!(keys(&again.body["rows"][0]), keys(&again.body["rows"][1]));
    let waiting = app.get("/api/v1/me/invitations", Some(&free)).await;
    assert_eq!(
        waiting.body.as_array().unwrap().len(),
        1,
        "{}",
        waiting.text
    );
}

async fn withdraw_each(app: &TestApp, token: &str, cohort: Uuid, ids: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        let r = app
            .delete(
                &format!("/api/v1/cohorts/{cohort}/enrolments/{id}"),
                Some(token),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        out.push(r.body);
    }
    out
}
