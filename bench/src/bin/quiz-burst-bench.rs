//! A quiz burst: 1,000 learners start and submit a 20-question attempt together (an exam
//! start in a tutored cohort); then lesson-progress writes by those learners, as a ratio
//! to the trivial JSON endpoint (`/healthz`) of the same binary in the same run.
//!
//! cargo build --release && cargo run --release -p help-lms-bench --bin quiz-burst-bench [-- --pg URL] [--learners N]

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use help_lms_bench::{Backend, Summary, TABLE_HEAD, client, load, load_for, login, start};
use serde_json::{Value, json};

fn quiz_toml() -> String {
    let mut q = String::from(
        "title = { en = \"Exam\" }\npass_mark = 60\nmax_attempts = 0\ntime_limit_minutes = 30\ngrading = \"highest\"\nshuffle_questions = true\nshuffle_options = true\nreview = \"correct_answers\"\nreview_when = \"immediately\"\n",
    );
    let head = |q: &mut String, i: usize, kind: &str| {
        q.push_str(&format!(
            "\n[[questions]]\nkey = \"q{i}\"\nkind = \"{kind}\"\nprompt = {{ en = \"Question {i}\" }}\nexplanation = {{ en = \"Because.\" }}\nfeedback_correct = {{ en = \"Yes.\" }}\nfeedback_incorrect = {{ en = \"No.\" }}\n"
        ));
    };
    for i in 0..20 {
        match i % 4 {
            0 => {
                head(&mut q, i, "single_choice");
                for (k, c) in [("a", true), ("b", false), ("c", false), ("d", false)] {
                    q.push_str(&format!("  [[questions.options]]\n  key = \"{k}\"\n  text = {{ en = \"Option {k}\" }}\n  correct = {c}\n"));
                }
            }
            1 => {
                head(&mut q, i, "multiple_choice");
                for (k, c) in [("a", true), ("b", true), ("c", false), ("d", false)] {
                    q.push_str(&format!("  [[questions.options]]\n  key = \"{k}\"\n  text = {{ en = \"Option {k}\" }}\n  correct = {c}\n"));
                }
            }
            2 => {
                head(&mut q, i, "true_false");
                q.push_str("answer = true\n");
            }
            _ => {
                head(&mut q, i, "numeric");
                q.push_str("value = 12\ntolerance = 0\n");
            }
        }
    }
    q
}

fn course() -> Value {
    json!({"files": {
        "course.toml": "slug = \"burst-exam\"\nlanguages = [\"en\"]\ntopics = [\"bench\"]\nestimated_hours = 1\nstatus = \"published\"\ntitle = { en = \"Burst exam\" }\nsummary = { en = \"Load test.\" }\n\n[[modules]]\nkey = \"m1\"\ntitle = { en = \"One\" }\nsummary = { en = \"One.\" }\n\n  [[modules.lessons]]\n  key = \"l1\"\n  title = { en = \"Lesson\" }\n  minutes = 5\n\n  [[modules.lessons]]\n  key = \"l2\"\n  title = { en = \"Lesson\" }\n  minutes = 5\n",
        "lessons/l1.en.md": "## One\n\nText.",
        "lessons/l2.en.md": "## Two\n\nText.",
        "quizzes/m1.toml": quiz_toml(),
    }})
}

/// Answers as a learner would give them: right for most questions.
fn answers(attempt: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for q in attempt["questions"].as_array().unwrap() {
        let key = q["key"].as_str().unwrap();
        let opts = q["options"].as_array();
        let pick = |t: &str| opts.unwrap().iter().find(|o| o["text"] == t).unwrap()["id"].clone();
        let v = match q["kind"].as_str().unwrap() {
            "single_choice" => pick("Option a"),
            "multiple_choice" => json!([pick("Option a"), pick("Option c")]),
            "true_false" => json!(true),
            _ => json!(12),
        };
        out.insert(key.to_owned(), v);
    }
    Value::Object(out)
}

struct Learner {
    token: String,
    enrolment: String,
}

#[tokio::main]
async fn main() {
    let backend = Backend::from_args();
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--learners")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let server = start(&backend).await;
    let base = server.base.clone();
    let c = client();
    let admin = login(
        &c,
        &base,
        help_lms_bench::ADMIN_EMAIL,
        help_lms_bench::ADMIN_PASSWORD,
    )
    .await;
    let up = c
        .put(format!("{base}/api/v1/courses/burst-exam/content"))
        .bearer_auth(&admin)
        .json(&course())
        .send()
        .await
        .unwrap();
    assert!(up.status().is_success());

    // A cohort of n learners, enrolled from one CSV and activated.
    let (manager, _) = help_lms_bench::cohort(&c, &base, &admin, 10).await;
    let cohort: Value = c
        .post(format!("{base}/api/v1/cohorts"))
        .bearer_auth(&manager)
        .json(&json!({"course": "burst-exam", "language": "en", "name": "Exam day", "starts_on": "2027-01-01", "ends_on": "2027-06-30", "capacity": n}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cohort_id = cohort["id"].as_str().unwrap().to_owned();
    let mut csv = String::from("email,given name,family name,profession,country,language\n");
    for i in 0..n {
        csv.push_str(&format!(
            "candidate{i}@court.example,Candidate,{i},judge,FR,en\n"
        ));
    }
    let res: Value = c
        .post(format!("{base}/api/v1/cohorts/{cohort_id}/enrolments"))
        .bearer_auth(&manager)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows: Vec<(String, String)> = res["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["activation_token"].as_str().unwrap().to_owned(),
                r["enrolment_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    eprintln!(
        "activating {n} learners (password hashing is bounded on the server; this takes a while)"
    );
    let rows = Arc::new(rows);
    let learners = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    {
        let (rows, learners, c, base) = (rows.clone(), learners.clone(), c.clone(), base.clone());
        load(n, 8, move |i| {
            let (rows, learners, c, base) =
                (rows.clone(), learners.clone(), c.clone(), base.clone());
            async move {
                let (token, enrolment) = rows[i].clone();
                let r: Value = match c
                    .post(format!("{base}/api/v1/auth/activate"))
                    .json(&json!({"token": token, "password": "candidate password"}))
                    .send()
                    .await
                {
                    Ok(r) => r.json().await.unwrap_or(Value::Null),
                    Err(_) => return false,
                };
                let Some(t) = r["access_token"].as_str() else {
                    return false;
                };
                learners.lock().await.push(Learner {
                    token: t.to_owned(),
                    enrolment,
                });
                true
            }
        })
        .await;
    }
    let learners: Arc<Vec<Learner>> = Arc::new(std::mem::take(&mut *learners.lock().await));
    let view: Value = c
        .get(format!(
            "{base}/api/v1/enrolments/{}",
            learners[0].enrolment
        ))
        .bearer_auth(&learners[0].token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let quiz = view["modules"][0]["quiz"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lesson = view["modules"][0]["lessons"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The burst: everyone starts, then everyone submits.
    let attempts = Arc::new(tokio::sync::Mutex::new(vec![Value::Null; learners.len()]));
    let start_summary = {
        let (l, a, c, base, quiz) = (
            learners.clone(),
            attempts.clone(),
            c.clone(),
            base.clone(),
            quiz.clone(),
        );
        load(learners.len(), learners.len(), move |i| {
            let (l, a, c, base, quiz) =
                (l.clone(), a.clone(), c.clone(), base.clone(), quiz.clone());
            async move {
                let r = c
                    .post(format!(
                        "{base}/api/v1/enrolments/{}/quizzes/{quiz}/attempts",
                        l[i].enrolment
                    ))
                    .bearer_auth(&l[i].token)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        a.lock().await[i] = r.json().await.unwrap_or(Value::Null);
                        true
                    }
                    _ => false,
                }
            }
        })
        .await
    };
    let submit_summary = {
        let (l, a, c, base) = (learners.clone(), attempts.clone(), c.clone(), base.clone());
        load(learners.len(), learners.len(), move |i| {
            let (l, a, c, base) = (l.clone(), a.clone(), c.clone(), base.clone());
            async move {
                let attempt = a.lock().await[i].clone();
                let Some(id) = attempt["id"].as_str() else {
                    return false;
                };
                let r = c
                    .post(format!("{base}/api/v1/attempts/{id}/submit"))
                    .bearer_auth(&l[i].token)
                    .json(&json!({"responses": answers(&attempt)}))
                    .send()
                    .await;
                matches!(r, Ok(r) if r.status().is_success())
            }
        })
        .await
    };

    // Progress writes against the trivial endpoint, 10 s each, 64 connections.
    let secs = Duration::from_secs(10);
    let baseline = {
        let (c, base) = (c.clone(), base.clone());
        load_for(secs, 64, move |_| {
            let (c, base) = (c.clone(), base.clone());
            async move { matches!(c.get(format!("{base}/healthz")).send().await, Ok(r) if r.status().is_success()) }
        })
        .await
    };
    let writes = {
        let (l, c, base, lesson) = (learners.clone(), c.clone(), base.clone(), lesson.clone());
        load_for(secs, 64, move |i| {
            let (l, c, base, lesson) = (l.clone(), c.clone(), base.clone(), lesson.clone());
            async move {
                let who = &l[i % l.len()];
                let body =
                    json!({"status": "viewed", "time_spent_seconds": (i / l.len() + 1) * 30});
                let r = c
                    .put(format!(
                        "{base}/api/v1/enrolments/{}/lessons/{lesson}/progress",
                        who.enrolment
                    ))
                    .bearer_auth(&who.token)
                    .json(&body)
                    .send()
                    .await;
                matches!(r, Ok(r) if r.status().is_success())
            }
        })
        .await
    };
    println!(
        "\n### {} ({} learners)\n\n{TABLE_HEAD}",
        backend.name(),
        learners.len()
    );
    println!(
        "{}",
        Summary::row(&baseline, "GET /healthz (baseline)", None)
    );
    println!("{}", start_summary.row("start attempt (burst)", None));
    println!("{}", submit_summary.row("submit 20 answers (burst)", None));
    println!("{}", writes.row("PUT lesson progress", Some(&baseline)));
    println!(
        "\nburst wall time: start {:.2} s, submit {:.2} s",
        start_summary.seconds, submit_summary.seconds
    );
}
