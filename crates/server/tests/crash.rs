//! The real binary as a child process: killed with SIGKILL in the middle of a storm of
//! progress writes, quiz submissions and bulk enrolments, then started again on the same
//! database, every write that was answered 2xx is there and the invariants hold; and
//! SIGTERM lets a request in flight finish before the process exits. On SQLite, or on the
//! PostgreSQL server of `HELP_TEST_DATABASE_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use help_lms_persistence::Db;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const COURSE: &str = "international-cooperation-pre-trial-detention";
const ADMIN: &str = "admin@help-lms.local";
const ADMIN_PASSWORD: &str = "crash-test-admin-password";
const LEARNER_PASSWORD: &str = "a sound passphrase for tests";

struct Server {
    child: Child,
    base: String,
}

/// An HTTP client; the process's TLS provider installed first, as reqwest needs here.
fn client() -> reqwest::Client {
    help_lms_api::xapi::forward::install_tls_provider();
    reqwest::Client::new()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `help-lms serve` on `url` and waits until it is ready.
async fn start(url: &str, dir: &std::path::Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_help-lms"))
        .arg("serve")
        .env_remove("HELP_JWT_SECRET")
        .env("DATABASE_URL", url)
        .env("HELP_ENV", "development")
        .env("HELP_DATA_DIR", dir)
        .env("HELP_BIND", format!("127.0.0.1:{port}"))
        .env("HELP_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("HELP_DEV_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("HELP_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start help-lms");
    let base = format!("http://127.0.0.1:{port}");
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = c.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Server { child, base }
}

async fn login(c: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let r: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().expect("a token").to_owned()
}

async fn post(c: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let r = c
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

struct Learner {
    token: String,
    enrolment: String,
    lessons: Vec<String>,
    quizzes: Vec<String>,
}

/// A learner account made directly in the database, signed in and enrolled in `COURSE`.
async fn learner(db: &Db, c: &reqwest::Client, base: &str, n: usize) -> Learner {
    use help_lms_domain::values::*;
    let hasher = help_lms_persistence::passwords::PasswordHasher::new(1);
    let email = format!(
        "learner-{n}-{}@crash.example",
        uuid::Uuid::new_v4().simple()
    );
    help_lms_persistence::accounts::insert(
        &db.conn,
        help_lms_persistence::accounts::NewUser {
            email: Email::parse(&email).unwrap(),
            name: PersonName::parse("Crash Test").unwrap(),
            profession: Profession::Judge,
            country: Country::Fr,
            language: Language::En,
            institution_id: None,
            role: Role::Learner,
            status: UserStatus::Active,
            password_hash: Some(hasher.hash(LEARNER_PASSWORD.to_owned()).await.unwrap()),
        },
    )
    .await
    .unwrap();
    let token = login(c, base, &email, LEARNER_PASSWORD).await;
    let (status, e) = post(
        c,
        format!("{base}/api/v1/enrolments"),
        &token,
        json!({"course": COURSE}),
    )
    .await;
    assert_eq!(status, 201, "{e}");
    let enrolment = e["id"].as_str().unwrap().to_owned();
    let view: Value = c
        .get(format!("{base}/api/v1/enrolments/{enrolment}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let modules = view["modules"].as_array().unwrap();
    let ids = |v: &Value| v.as_str().unwrap().to_owned();
    Learner {
        token,
        enrolment,
        lessons: modules
            .iter()
            .flat_map(|m| {
                m["lessons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| ids(&l["id"]))
            })
            .collect(),
        quizzes: modules
            .iter()
            .filter(|m| !m["quiz"].is_null())
            .map(|m| ids(&m["quiz"]["id"]))
            .collect(),
    }
}

/// What the server answered 2xx to during the storm.
#[derive(Default)]
struct Acked {
    progress: Vec<(String, String)>,
    submitted: Vec<String>,
    enrolled_rows: usize,
}

async fn one(db: &Db, sql: &str) -> i64 {
    count(db, sql, Vec::new()).await
}

/// A count, with `?` placeholders bound to `values` (ids are bound, not quoted: SQLite
/// keeps UUIDs as blobs).
async fn count(db: &Db, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let mut text = String::new();
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' && db.backend() == sea_orm::DbBackend::Postgres {
            n += 1;
            text.push_str(&format!("${n}"));
        } else {
            text.push(ch);
        }
    }
    let row = db
        .conn
        .query_one_raw(Statement::from_sql_and_values(db.backend(), text, values))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn id(s: &str) -> sea_orm::Value {
    sea_orm::Value::from(s.parse::<uuid::Uuid>().unwrap())
}

#[tokio::test]
async fn a_killed_server_loses_no_acknowledged_write_and_its_invariants_hold() {
    let dir = tempfile::tempdir().unwrap();
    let url = help_lms_persistence::test_support::fresh_database_url(dir.path()).await;
    let mut server = start(&url, dir.path()).await;
    let db = Db::connect(&url, 2).await.unwrap();
    let c = client();
    let base = server.base.clone();
    let admin = login(&c, &base, ADMIN, ADMIN_PASSWORD).await;
    let (_, inst) = post(
        &c,
        format!("{base}/api/v1/institutions"),
        &admin,
        json!({"name": "Institut de crash", "country": "FR", "kind": "judicial_training"}),
    )
    .await;
    let capacity = 12;
    let (status, cohort) = post(
        &c,
        format!("{base}/api/v1/cohorts"),
        &admin,
        json!({"institution_id": inst["id"], "course": COURSE, "language": "en", "name": "Crash 2027",
               "starts_on": "2026-01-11", "ends_on": "2028-04-09", "capacity": capacity}),
    )
    .await;
    assert_eq!(status, 201, "{cohort}");
    let cohort = cohort["id"].as_str().unwrap().to_owned();
    let mut learners = Vec::new();
    for n in 0..6 {
        learners.push(learner(&db, &c, &base, n).await);
    }

    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut storm = Vec::new();
    for l in learners {
        let (c, base, acked) = (c.clone(), base.clone(), acked.clone());
        storm.push(tokio::spawn(async move {
            for round in 0.. {
                for lesson in &l.lessons {
                    let url = format!(
                        "{base}/api/v1/enrolments/{}/lessons/{lesson}/progress",
                        l.enrolment
                    );
                    let body = json!({"status": "completed", "time_spent_seconds": 30 + round});
                    if let Ok(r) = c.put(url).bearer_auth(&l.token).json(&body).send().await
                        && r.status().is_success()
                    {
                        acked
                            .lock()
                            .unwrap()
                            .progress
                            .push((l.enrolment.clone(), lesson.clone()));
                    }
                }
                for quiz in &l.quizzes {
                    let url = format!(
                        "{base}/api/v1/enrolments/{}/quizzes/{quiz}/attempts",
                        l.enrolment
                    );
                    let Ok(r) = c
                        .post(url)
                        .bearer_auth(&l.token)
                        .json(&json!({}))
                        .send()
                        .await
                    else {
                        continue;
                    };
                    let Ok(attempt) = r.json::<Value>().await else {
                        continue;
                    };
                    let Some(id) = attempt["id"].as_str() else {
                        continue;
                    };
                    let url = format!("{base}/api/v1/attempts/{id}/submit");
                    if let Ok(r) = c
                        .post(url)
                        .bearer_auth(&l.token)
                        .json(&json!({}))
                        .send()
                        .await
                        && r.status().is_success()
                    {
                        acked.lock().unwrap().submitted.push(id.to_owned());
                    }
                }
            }
        }));
    }
    {
        let (c, base, acked, cohort, admin) = (
            c.clone(),
            base.clone(),
            acked.clone(),
            cohort.clone(),
            admin.clone(),
        );
        storm.push(tokio::spawn(async move {
            for batch in 0.. {
                let rows: Vec<Value> = (0..4)
                    .map(|i| json!({"email": format!("bulk-{batch}-{i}@crash.example"), "given_name": "Bulk", "family_name": "Row", "profession": "judge", "country": "FR"}))
                    .collect();
                let url = format!("{base}/api/v1/cohorts/{cohort}/enrolments");
                if let Ok(r) = c.post(url).bearer_auth(&admin).json(&rows).send().await
                    && r.status().is_success()
                    && let Ok(v) = r.json::<Value>().await
                {
                    let n = v["rows"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|r| matches!(r["result"].as_str(), Some("created" | "enrolled")))
                        .count();
                    acked.lock().unwrap().enrolled_rows += n;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // SIGKILL: no drain, no flush beyond what each commit already made durable.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for t in &storm {
        t.abort();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        !acked.progress.is_empty() && !acked.submitted.is_empty(),
        "the storm wrote too little to test"
    );

    eprintln!(
        "acknowledged before the kill: {} progress writes, {} submissions, {} enrolled rows",
        acked.progress.len(),
        acked.submitted.len(),
        acked.enrolled_rows
    );
    let mut server = start(&url, dir.path()).await;
    for (enrolment, lesson) in &acked.progress {
        let n = count(
            &db,
            "SELECT COUNT(*) FROM lesson_progress WHERE enrolment_id = ? AND lesson_id = ? AND status = 'completed'",
            vec![id(enrolment), id(lesson)],
        )
        .await;
        assert_eq!(
            n, 1,
            "an acknowledged progress write of {enrolment} is lost"
        );
    }
    let submitted: HashSet<&String> = acked.submitted.iter().collect();
    for attempt in &submitted {
        let graded = count(
            &db,
            "SELECT COUNT(*) FROM attempts WHERE id = ? AND status = 'submitted' AND score IS NOT NULL",
            vec![id(attempt)],
        )
        .await;
        assert_eq!(
            graded, 1,
            "an acknowledged submission {attempt} is not graded"
        );
    }
    // Every graded attempt has exactly one passed-or-failed statement: graded once.
    let attempts = one(
        &db,
        "SELECT COUNT(*) FROM attempts WHERE status = 'submitted'",
    )
    .await;
    let verdicts = one(
        &db,
        "SELECT COUNT(*) FROM xapi_statements WHERE verb_id IN \
         ('http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/failed')",
    )
    .await;
    assert_eq!(
        verdicts, attempts,
        "graded attempts and their statements differ"
    );
    // Completed if and only if certified.
    let mismatched = one(
        &db,
        "SELECT COUNT(*) FROM enrolments e WHERE (e.status = 'completed') <> \
         EXISTS (SELECT 1 FROM certificates c WHERE c.enrolment_id = e.id)",
    )
    .await;
    assert_eq!(mismatched, 0);
    let seats = help_lms_persistence::cohorts::active_count(&db.conn, cohort.parse().unwrap())
        .await
        .unwrap();
    assert!(
        seats <= capacity as u64,
        "{seats} seats taken of {capacity}"
    );
    assert!(
        seats as usize >= acked.enrolled_rows,
        "an acknowledged enrolment is lost"
    );
    // Every invitation written is in the outbox (delivered or waiting), none lost.
    let invited = one(&db, "SELECT COUNT(*) FROM users WHERE email LIKE 'bulk-%'").await;
    let mail = one(&db, "SELECT COUNT(*) FROM outbox WHERE topic = 'mail'").await;
    assert!(
        mail >= invited,
        "{invited} accounts invited, {mail} messages"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_before_the_process_exits() {
    let dir = tempfile::tempdir().unwrap();
    let url = help_lms_persistence::test_support::fresh_database_url(dir.path()).await;
    let mut server = start(&url, dir.path()).await;
    let c = client();
    let base = server.base.clone();
    let admin = login(&c, &base, ADMIN, ADMIN_PASSWORD).await;
    let (_, inst) = post(
        &c,
        format!("{base}/api/v1/institutions"),
        &admin,
        json!({"name": "Institut du signal", "country": "FR", "kind": "judicial_training"}),
    )
    .await;
    let (_, cohort) = post(
        &c,
        format!("{base}/api/v1/cohorts"),
        &admin,
        json!({"institution_id": inst["id"], "course": COURSE, "language": "en", "name": "Signal 2027",
               "starts_on": "2026-01-11", "ends_on": "2028-04-09", "capacity": 5000}),
    )
    .await;
    let cohort = cohort["id"].as_str().unwrap().to_owned();
    let rows: Vec<Value> = (0..3000)
        .map(|i| json!({"email": format!("term-{i}@signal.example"), "given_name": "Term", "family_name": "Row", "profession": "judge", "country": "FR"}))
        .collect();
    let request = {
        let (c, base, admin) = (c.clone(), base.clone(), admin.clone());
        tokio::spawn(async move {
            post(
                &c,
                format!("{base}/api/v1/cohorts/{cohort}/enrolments"),
                &admin,
                json!(rows),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.child.id().to_string();
    assert!(
        // The shell's own kill: a minimal system may have no kill binary.
        Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .unwrap()
            .success()
    );
    let (status, body) = request.await.unwrap();
    assert_eq!(status, 200, "the request in flight was cut: {body}");
    assert_eq!(body["rows"].as_array().unwrap().len(), 3000);
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit}");
    assert!(
        c.get(format!("{base}/healthz")).send().await.is_err(),
        "still serving after SIGTERM"
    );
    let db = Db::connect(&url, 1).await.unwrap();
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM users WHERE email LIKE 'term-%'").await,
        3000
    );
}
