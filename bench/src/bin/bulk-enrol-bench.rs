//! Bulk enrolment of 5,000 new learners in one request, against the bare inserts of the
//! same rows (users, activation tokens, enrolments) in one transaction, in the same run.
//!
//! cargo build --release && cargo run --release -p help-lms-bench --bin bulk-enrol-bench [-- --pg URL]

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use help_lms_bench::{Backend, client, cohort, login, start};
use help_lms_persistence::entities::{activation_tokens, cohorts, enrolments, users};
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
use serde_json::Value;
use uuid::Uuid;

const ROWS: usize = 5000;
const RUNS: usize = 3;

fn csv(tag: &str) -> String {
    let mut s = String::from("email,given name,family name,profession,country,language\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "judge{i}.{tag}@court.example,Given{i},Family{i},judge,FR,fr\n"
        ));
    }
    s
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn bare_inserts(url: &str, cohort_id: Uuid, tag: &str) -> Duration {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let c = cohorts::Entity::find_by_id(cohort_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    let start = Instant::now();
    let txn = db.begin().await.unwrap();
    let mut us = Vec::new();
    let mut ts = Vec::new();
    let mut es = Vec::new();
    for i in 0..ROWS {
        let uid = Uuid::now_v7();
        us.push(users::ActiveModel {
            id: Set(uid),
            email: Set(format!("judge{i}.{tag}@court.example")),
            name: Set(format!("Given{i} Family{i}")),
            profession: Set("judge".into()),
            country: Set("FR".into()),
            language: Set("fr".into()),
            institution_id: Set(Some(c.institution_id)),
            role: Set("learner".into()),
            status: Set("invited".into()),
            password_hash: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
        });
        ts.push(activation_tokens::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(uid),
            token_hash: Set(format!("{tag}-{i}")),
            expires_at: Set(now),
            used_at: Set(None),
            created_at: Set(now),
        });
        es.push(enrolments::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(uid),
            course_id: Set(c.course_id),
            course_version_id: Set(c.course_version_id),
            cohort_id: Set(Some(c.id)),
            source: Set("nti".into()),
            status: Set("active".into()),
            language: Set("fr".into()),
            enrolled_at: Set(now),
            completed_at: Set(None),
            withdrawn_at: Set(None),
            updated_at: Set(now),
            last_activity_at: Set(None),
            // The reporting columns the API fills on enrolment (see persistence::stats).
            country: Set(Some("FR".into())),
            profession: Set(Some("judge".into())),
            institution_id: Set(Some(c.institution_id)),
            mode: Set(Some("tutored".into())),
            enrolled_month: Set(Some(now.format("%Y-%m").to_string())),
            final_score: Set(None),
            days_to_complete: Set(None),
        });
    }
    for chunk in us.chunks(400) {
        users::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap();
    }
    for chunk in ts.chunks(400) {
        activation_tokens::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap();
    }
    for chunk in es.chunks(400) {
        enrolments::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    let took = start.elapsed();
    db.close().await.ok();
    took
}

#[tokio::main]
async fn main() {
    let backend = Backend::from_args();
    let server = start(&backend).await;
    let c = client();
    let admin = login(
        &c,
        &server.base,
        help_lms_bench::ADMIN_EMAIL,
        help_lms_bench::ADMIN_PASSWORD,
    )
    .await;
    let mut api = Vec::new();
    let mut bare = Vec::new();
    for run in 0..RUNS {
        let (manager, cohort_id) = cohort(&c, &server.base, &admin, ROWS as i32).await;
        let body = csv(&format!("api{run}"));
        let t = Instant::now();
        let res = c
            .post(format!(
                "{}/api/v1/cohorts/{cohort_id}/enrolments",
                server.base
            ))
            .bearer_auth(&manager)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap();
        let took = t.elapsed();
        let status = res.status();
        let json: Value = res.json().await.unwrap();
        assert!(status.is_success(), "{status}: {json}");
        assert_eq!(json["summary"]["created"], ROWS, "{}", json["summary"]);
        api.push(took);
        // The same rows, bare, into another cohort of the same course.
        let (_, other) = cohort(&c, &server.base, &admin, ROWS as i32).await;
        bare.push(
            bare_inserts(
                &server.database_url,
                other.parse().unwrap(),
                &format!("bare{run}"),
            )
            .await,
        );
        eprintln!("run {run}: api {:?}, bare inserts {:?}", took, bare[run]);
    }
    let (a, b) = (median(api), median(bare));
    println!(
        "| {} | {ROWS} | {:.2} s | {:.2} s | {:.1} |",
        backend.name(),
        a.as_secs_f64(),
        b.as_secs_f64(),
        a.as_secs_f64() / b.as_secs_f64()
    );
}
