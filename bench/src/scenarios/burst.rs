//! Scenario 3: a quiz burst. 1,000 learners of one cohort start a 20-question attempt at
//! the same instant, then all submit at the same instant (an exam start in a tutored
//! cohort); every submission is graded at once.

use std::sync::Arc;

use help_lms_domain::values::Role;
use help_lms_persistence::entities::{enrolments, users};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::report::Scenario;
use crate::{Summary, cohort, load};

use super::Ctx;

fn quiz_toml() -> String {
    let mut q = String::from(
        "title = { en = \"Exam\" }\npass_mark = 60\nmax_attempts = 0\ntime_limit_minutes = 30\ngrading = \"highest\"\nshuffle_questions = true\nshuffle_options = true\nreview = \"correct_answers\"\nreview_when = \"immediately\"\n",
    );
    let head = |q: &mut String, i: usize, kind: &str| {
        q.push_str(&format!(
            "\n[[questions]]\nkey = \"q{i}\"\nkind = \"{kind}\"\nprompt = {{ en = \"Question {i}\" }}\nexplanation = {{ en = \"Because.\" }}\nfeedback_correct = {{ en = \"Yes.\" }}\nfeedback_incorrect = {{ en = \"No.\" }}\nreferences = [{{ kind = \"instrument\", citation = \"ECHR, Article 5\" }}]\n"
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
        "course.toml": "slug = \"burst-exam\"\nlanguages = [\"en\"]\ntopics = [\"bench\"]\nestimated_hours = 1\nstatus = \"published\"\ntitle = { en = \"Burst exam\" }\nsummary = { en = \"Load test.\" }\n\n[[modules]]\nkey = \"m1\"\ntitle = { en = \"One\" }\nsummary = { en = \"One.\" }\n\n  [[modules.lessons]]\n  key = \"l1\"\n  title = { en = \"Lesson\" }\n  minutes = 5\n",
        "lessons/l1.en.md": "## One\n\nText.",
        "quizzes/m1.toml": quiz_toml(),
    }})
}

/// Answers as a learner would give them: right for most questions.
fn answers(attempt: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for q in attempt["questions"].as_array().into_iter().flatten() {
        let Some(key) = q["key"].as_str() else {
            continue;
        };
        let pick = |t: &str| {
            q["options"]
                .as_array()
                .and_then(|o| o.iter().find(|o| o["text"] == t))
                .map(|o| o["id"].clone())
                .unwrap_or(Value::Null)
        };
        let v = match q["kind"].as_str() {
            Some("single_choice") => pick("Option a"),
            Some("multiple_choice") => json!([pick("Option a"), pick("Option c")]),
            Some("true_false") => json!(true),
            _ => json!(12),
        };
        out.insert(key.to_owned(), v);
    }
    Value::Object(out)
}

/// `n` learners in one cohort of the exam course, active and signed in:
/// (token, enrolment id).
async fn candidates(ctx: &Ctx, n: usize) -> Result<Vec<(String, String)>, String> {
    let (c, base) = (&ctx.client, ctx.base());
    let up = c
        .put(format!("{base}/api/v1/courses/burst-exam/content"))
        .bearer_auth(&ctx.admin)
        .json(&course())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !up.status().is_success() {
        return Err(format!("uploading the exam course: {}", up.status()));
    }
    let (manager, _) = cohort(c, base, &ctx.admin, 10).await;
    let exam: Value = c
        .post(format!("{base}/api/v1/cohorts"))
        .bearer_auth(&manager)
        .json(&json!({"course": "burst-exam", "language": "en", "name": "Exam day", "starts_on": "2027-01-01", "ends_on": "2027-06-30", "capacity": n}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let cohort_id = exam["id"]
        .as_str()
        .ok_or_else(|| format!("exam cohort: {exam}"))?
        .to_owned();
    let mut csv = String::from("email,given name,family name,profession,country,language\n");
    for i in 0..n {
        csv.push_str(&format!(
            "candidate{i}@court.example,Candidate,{i},judge,FR,en\n"
        ));
    }
    let res = c
        .post(format!("{base}/api/v1/cohorts/{cohort_id}/enrolments"))
        .bearer_auth(&manager)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("enrolling the candidates: {}", res.status()));
    }
    // Activation sets a password (an argon2 hash each); that is the login flood's cost,
    // not the exam's, so the candidates are made active directly and given tokens.
    let cohort_uuid: Uuid = cohort_id.parse().map_err(|e| format!("{e}"))?;
    let rows = enrolments::Entity::find()
        .filter(enrolments::Column::CohortId.eq(cohort_uuid))
        .all(&ctx.db.conn)
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<Uuid> = rows.iter().map(|e| e.user_id).collect();
    users::Entity::update_many()
        .col_expr(users::Column::Status, Expr::value("active"))
        .filter(users::Column::Id.is_in(ids.clone()))
        .exec(&ctx.db.conn)
        .await
        .map_err(|e| e.to_string())?;
    let people = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(&ctx.db.conn)
        .await
        .map_err(|e| e.to_string())?;
    let institution = people.first().and_then(|u| u.institution_id);
    rows.iter()
        .map(|e| {
            Ok((
                ctx.signer.token(e.user_id, Role::Learner, institution, 6)?,
                e.id.to_string(),
            ))
        })
        .collect()
}

pub async fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let n = if ctx.smoke { 50 } else { 1_000 };
    let learners = Arc::new(candidates(ctx, n).await?);
    let (first_token, first_enrolment) = &learners[0];
    let view: Value = ctx
        .client
        .get(format!(
            "{}/api/v1/enrolments/{first_enrolment}",
            ctx.base()
        ))
        .bearer_auth(first_token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let quiz = view["modules"][0]["quiz"]["id"]
        .as_str()
        .ok_or_else(|| format!("no quiz in {view}"))?
        .to_owned();
    let attempts = Arc::new(tokio::sync::Mutex::new(vec![Value::Null; n]));
    let starts = {
        let (l, a, c, base, quiz) = (
            learners.clone(),
            attempts.clone(),
            ctx.client.clone(),
            ctx.base().to_owned(),
            quiz.clone(),
        );
        load(n, n, move |i| {
            let (l, a, c, base, quiz) =
                (l.clone(), a.clone(), c.clone(), base.clone(), quiz.clone());
            async move {
                let r = c
                    .post(format!(
                        "{base}/api/v1/enrolments/{}/quizzes/{quiz}/attempts",
                        l[i].1
                    ))
                    .bearer_auth(&l[i].0)
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
    let submits = {
        let (l, a, c, base) = (
            learners.clone(),
            attempts.clone(),
            ctx.client.clone(),
            ctx.base().to_owned(),
        );
        load(n, n, move |i| {
            let (l, a, c, base) = (l.clone(), a.clone(), c.clone(), base.clone());
            async move {
                let attempt = a.lock().await[i].clone();
                let Some(id) = attempt["id"].as_str() else {
                    return false;
                };
                let r = c
                    .post(format!("{base}/api/v1/attempts/{id}/submit"))
                    .bearer_auth(&l[i].0)
                    .json(&json!({"responses": answers(&attempt)}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => r
                        .json::<Value>()
                        .await
                        .is_ok_and(|v| v["status"] == "submitted"),
                    _ => false,
                }
            }
        })
        .await
    };
    let wall = starts.seconds + submits.seconds;
    // Each phase: every request answered, none failed, p99 under a second.
    let held = |m: &Summary| m.errors == 0 && m.requests == n && m.p99_ms < 1000.0;
    let starts_held = held(&starts);
    let submits_held = held(&submits);
    let starts_p99 = starts.p99_ms;
    Ok(vec![
        ctx.driver_row(
            "3a",
            &format!("quiz burst: {n} learners start a 20-question attempt at once"),
            "attempts",
            starts,
        )
        .with_goal("no error, p99 under 1 s; p99 ms", starts_p99, starts_held),
        ctx.driver_row(
            "3b",
            &format!("quiz burst: the same {n} submit at once, each graded at once"),
            "attempts",
            submits.clone(),
        )
        .with_goal(
            "all graded, no error, p99 under 1 s; seconds for the whole burst",
            wall,
            submits_held,
        ),
    ])
}
