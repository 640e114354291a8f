//! Statistics at scale. On the demo platform (`help-lms demo-data`, 100,000 learners by
//! default), in one run:
//!
//! (a) `GET /api/v1/stats/completions?group_by=country,profession` through the HTTP API
//!     against the same SQL run directly on the database (and against the persistence
//!     function that runs it), interleaved request by request: p50/p95 and the ratio;
//! (b) progress writes (`PUT .../lessons/{id}/progress` by many learners at once) with
//!     concurrent statistics requests running and without them, alternated: the ratio.
//!
//! Loopback only; every phase is bounded in count or time.
//!
//! cargo build --release && ./target/release/stats-bench [--pg URL] [--learners N]
//!     [--samples N] [--writers N] [--write-seconds S] [--stats-clients N] [--stats-pause-ms MS]

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use help_lms_bench::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, DEMO_PASSWORD, StartOptions, Summary, arg_num, client,
    load, load_for, login, percentile_ms, start_with,
};
use help_lms_domain::reporting::{Dimension, Filters, Scope};
use help_lms_persistence::Db;
use help_lms_persistence::entities::{enrolments, lessons, users};
use help_lms_persistence::stats;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

/// Where a learner can write progress: an active enrolment and the lessons of its version.
struct Writer {
    token: String,
    enrolment: Uuid,
    lessons: Vec<Uuid>,
}

#[tokio::main]
async fn main() {
    let backend = Backend::from_args();
    let learners: usize = arg_num("--learners", 100_000);
    let samples: usize = arg_num("--samples", 200);
    let writers: usize = arg_num("--writers", 32);
    let write_seconds: u64 = arg_num("--write-seconds", 10);
    let stats_clients: usize = arg_num("--stats-clients", 1);
    let stats_pause_ms: u64 = arg_num("--stats-pause-ms", 0);
    let server = start_with(
        &backend,
        &StartOptions {
            demo_learners: Some(learners),
            trust_forwarded_for: false,
        },
    )
    .await;
    println!(
        "demo platform of {learners} learners built in {:.0} s",
        server.demo_seconds.unwrap_or_default()
    );
    let url = server.database_url.clone();
    let c = client();
    let base = server.base.clone();
    let admin_token = login(&c, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let db = Db::connect(&url, 4).await.expect("connect directly");

    // (a) The grouped request, through HTTP and straight on the database.
    let group_by = [Dimension::Country, Dimension::Profession];
    let filters = Filters::default();
    let statements = stats::completion_statements(db.backend(), &group_by, &filters, &Scope::All);
    let path = format!("{base}/api/v1/stats/completions?group_by=country,profession");
    let http = |c: reqwest::Client, token: String, path: String| async move {
        let r = c.get(&path).bearer_auth(&token).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.bytes().await.unwrap().len()
    };
    let rows = {
        let r: serde_json::Value = c
            .get(&path)
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["rows"].as_array().unwrap().len()
    };
    for _ in 0..20 {
        http(c.clone(), admin_token.clone(), path.clone()).await;
        for s in &statements {
            db.conn.query_all_raw(s.clone()).await.unwrap();
        }
    }
    let (mut t_http, mut t_sql, mut t_fn) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let t = Instant::now();
        http(c.clone(), admin_token.clone(), path.clone()).await;
        t_http.push(t.elapsed());
        let t = Instant::now();
        for s in &statements {
            db.conn.query_all_raw(s.clone()).await.unwrap();
        }
        t_sql.push(t.elapsed());
        let t = Instant::now();
        stats::completions(&db.conn, &group_by, &filters, &Scope::All)
            .await
            .unwrap();
        t_fn.push(t.elapsed());
    }
    for v in [&mut t_http, &mut t_sql, &mut t_fn] {
        v.sort();
    }
    let (h50, h95) = (percentile_ms(&t_http, 0.5), percentile_ms(&t_http, 0.95));
    let (s50, s95) = (percentile_ms(&t_sql, 0.5), percentile_ms(&t_sql, 0.95));
    let (f50, f95) = (percentile_ms(&t_fn, 0.5), percentile_ms(&t_fn, 0.95));
    println!(
        "\n(a) group_by=country,profession on {} ({rows} rows), {samples} samples each, interleaved",
        backend.name()
    );
    println!("| path | p50 ms | p95 ms | p50 vs SQL | p95 vs SQL |\n|---|---|---|---|---|");
    println!(
        "| HTTP API (auth, query, JSON) | {h50:.1} | {h95:.1} | {:.2} | {:.2} |",
        h50 / s50,
        h95 / s95
    );
    println!(
        "| persistence function, in process | {f50:.1} | {f95:.1} | {:.2} | {:.2} |",
        f50 / s50,
        f95 / s95
    );
    println!("| the same SQL, directly | {s50:.1} | {s95:.1} | 1.00 | 1.00 |");

    // Other requests, for scale (HTTP, p50 and p95 of 20; 5 for the funnels).
    let manager = users::Entity::find()
        .filter(users::Column::Role.eq("nti_manager"))
        .filter(users::Column::Email.starts_with("manager.0@de."))
        .one(&db.conn)
        .await
        .unwrap()
        .expect("the German judicial school's manager");
    let manager_token = login(&c, &base, &manager.email, DEMO_PASSWORD).await;
    println!("\n| other request | p50 ms | p95 ms |\n|---|---|---|");
    for (who, token, query) in [
        ("admin", &admin_token, "stats/completions"),
        (
            "admin",
            &admin_token,
            "stats/completions?group_by=course,month",
        ),
        (
            "admin",
            &admin_token,
            "stats/completions?group_by=institution,mode",
        ),
        ("admin", &admin_token, "stats/completions?group_by=cohort"),
        (
            "admin",
            &admin_token,
            "stats/completions?group_by=country,profession&from=2025-01-01&to=2025-12-31",
        ),
        (
            "NTI manager",
            &manager_token,
            "stats/completions?group_by=country,profession",
        ),
        (
            "NTI manager",
            &manager_token,
            "stats/courses/international-cooperation-pre-trial-detention/funnel",
        ),
        (
            "admin",
            &admin_token,
            "stats/courses/international-cooperation-pre-trial-detention/funnel",
        ),
    ] {
        let mut t = Vec::new();
        let n = if query.contains("funnel") { 5 } else { 20 };
        for _ in 0..n {
            let s = Instant::now();
            http(c.clone(), token.clone(), format!("{base}/api/v1/{query}")).await;
            t.push(s.elapsed());
        }
        t.sort();
        println!(
            "| {who}: `{query}` | {:.1} | {:.1} |",
            percentile_ms(&t, 0.5),
            percentile_ms(&t, 0.95)
        );
    }

    // (b) Progress writes with and without a reporting load.
    let active = enrolments::Entity::find()
        .filter(enrolments::Column::Status.eq("active"))
        .order_by_asc(enrolments::Column::Id)
        .limit(writers as u64 * 8)
        .all(&db.conn)
        .await
        .unwrap();
    let mut picked = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for e in active {
        if seen.insert(e.user_id) {
            picked.push(e);
        }
        if picked.len() == writers * 4 {
            break;
        }
    }
    let mut all_writers = Vec::new();
    for e in picked {
        let u = users::Entity::find_by_id(e.user_id)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        let lesson_ids: Vec<Uuid> = lessons::Entity::find()
            .filter(lessons::Column::CourseVersionId.eq(e.course_version_id))
            .order_by_asc(lessons::Column::Position)
            .all(&db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect();
        all_writers.push((u.email, e.id, lesson_ids));
    }
    let logins = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for (email, enrolment, lessons) in all_writers {
        let (c, base, logins) = (c.clone(), base.clone(), logins.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = logins.acquire().await.unwrap();
            Writer {
                token: login(&c, &base, &email, DEMO_PASSWORD).await,
                enrolment,
                lessons,
            }
        }));
    }
    let mut ws = Vec::new();
    for t in tasks {
        ws.push(t.await.unwrap());
    }
    let ws = Arc::new(ws);
    let write = {
        let (c, base, ws) = (c.clone(), base.clone(), ws.clone());
        move |i: usize| {
            let (c, base, ws) = (c.clone(), base.clone(), ws.clone());
            async move {
                let w = &ws[i % ws.len()];
                let round = i / ws.len();
                let lesson = w.lessons[round % w.lessons.len()];
                c.put(format!(
                    "{base}/api/v1/enrolments/{}/lessons/{lesson}/progress",
                    w.enrolment
                ))
                .bearer_auth(&w.token)
                .json(&json!({"status": "viewed", "time_spent_seconds": 30 + round}))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            }
        }
    };
    let reporting = [
        "group_by=country,profession",
        "group_by=course,month",
        "group_by=institution,mode",
        "group_by=language,mode&country=FR",
        "group_by=course,profession&from=2025-01-01",
    ];
    let duration = Duration::from_secs(write_seconds);
    let mut base_runs = Vec::new();
    let mut loaded_runs = Vec::new();
    let mut report_runs = Vec::new();
    // Warm-up.
    load(writers * 20, writers, write.clone()).await;
    for _ in 0..2 {
        base_runs.push(load_for(duration, writers, write.clone()).await);
        let (c2, base2, token2) = (c.clone(), base.clone(), admin_token.clone());
        let report = tokio::spawn(load_for(duration, stats_clients, move |i| {
            let (c, base, token) = (c2.clone(), base2.clone(), token2.clone());
            async move {
                let ok = c
                    .get(format!(
                        "{base}/api/v1/stats/completions?{}",
                        reporting[i % reporting.len()]
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if stats_pause_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(stats_pause_ms)).await;
                }
                ok
            }
        }));
        loaded_runs.push(load_for(duration, writers, write.clone()).await);
        report_runs.push(report.await.unwrap());
    }
    let mean = |v: &[Summary]| v.iter().map(Summary::throughput).sum::<f64>() / v.len() as f64;
    let (b, l) = (mean(&base_runs), mean(&loaded_runs));
    println!(
        "\n(b) progress writes, {} learners on {writers} connections, {write_seconds} s per phase, alternated twice; reporting load: {stats_clients} client(s) in a loop{}",
        ws.len(),
        if stats_pause_ms > 0 {
            format!(" with {stats_pause_ms} ms between requests")
        } else {
            String::new()
        }
    );
    println!(
        "| phase | writes/s | write p50 ms | write p95 ms | errors | stats requests/s | stats p50 ms | stats p95 ms |\n|---|---|---|---|---|---|---|---|"
    );
    for (i, s) in base_runs.iter().enumerate() {
        println!(
            "| writes alone ({}) | {:.0} | {:.1} | {:.1} | {} | - | - | - |",
            i + 1,
            s.throughput(),
            s.p50_ms,
            s.p95_ms,
            s.errors
        );
    }
    for (i, (s, r)) in loaded_runs.iter().zip(&report_runs).enumerate() {
        println!(
            "| writes + statistics ({}) | {:.0} | {:.1} | {:.1} | {} | {:.1} | {:.1} | {:.1} |",
            i + 1,
            s.throughput(),
            s.p50_ms,
            s.p95_ms,
            s.errors,
            r.throughput(),
            r.p50_ms,
            r.p95_ms
        );
    }
    println!(
        "write throughput under the reporting load: {:.0}/s vs {:.0}/s alone = {:.2}",
        l,
        b,
        l / b
    );
    db.conn.close().await.ok();
    // Dropping the server drops a PostgreSQL benchmark database with it.
    drop(server);
}
