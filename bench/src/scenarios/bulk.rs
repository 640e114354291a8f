//! Scenario 4: bulk enrolment of 5,000 new learners in one request, against the bare
//! inserts of the same rows (users, activation tokens, enrolments, and the invitation of
//! each in the outbox, as large as the real one) in one transaction.

use std::time::{Duration, Instant};

use help_lms_persistence::entities::{activation_tokens, cohorts, enrolments, outbox, users};
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::report::Scenario;
use crate::{Summary, cohort};

use super::Ctx;

fn csv(rows: usize, tag: &str) -> String {
    let mut s = String::from("email,given name,family name,profession,country,language\n");
    for i in 0..rows {
        s.push_str(&format!(
            "judge{i}.{tag}@court.example,Given{i},Family{i},judge,FR,fr\n"
        ));
    }
    s
}

async fn bare_inserts(
    ctx: &Ctx,
    rows: usize,
    cohort_id: Uuid,
    tag: &str,
) -> Result<Duration, String> {
    let db = &ctx.db.conn;
    let err = |e: sea_orm::DbErr| e.to_string();
    let c = cohorts::Entity::find_by_id(cohort_id)
        .one(db)
        .await
        .map_err(err)?
        .ok_or("no such cohort")?;
    let now = chrono::Utc::now();
    // A rendered invitation, as the real request writes one per new account.
    let mail = help_lms_domain::mail::render(
        &help_lms_domain::mail::Mail {
            kind: help_lms_domain::mail::MailKind::Invitation {
                institution: Some("Institut national".into()),
                role: help_lms_domain::values::Role::Learner,
            },
            name: "Given Family",
            link: "https://help.example.org/account/activate?token=0123456789abcdef0123456789abcdef0123456789a",
            valid_hours: 720,
        },
        help_lms_domain::values::Language::Fr,
    );
    let payload = serde_json::json!({"to": "judge@court.example", "to_name": "Given Family",
        "language": "fr", "subject": mail.subject, "text": mail.text, "html": mail.html})
    .to_string();
    let start = Instant::now();
    let txn = db.begin().await.map_err(err)?;
    let (mut us, mut ts, mut es) = (Vec::new(), Vec::new(), Vec::new());
    let mut ms = Vec::new();
    for i in 0..rows {
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
            status_before_disabled: Set(None),
            sessions_valid_from: Set(None),
            erased_at: Set(None),
        });
        ms.push(outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            topic: Set("mail".into()),
            payload: Set(Some(payload.clone())),
            attempts: Set(0),
            next_attempt_at: Set(now),
            lease_owner: Set(None),
            lease_until: Set(None),
            delivered_at: Set(None),
            failed_at: Set(None),
            last_error: Set(None),
            created_at: Set(now),
        });
        ts.push(activation_tokens::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(uid),
            token_hash: Set(format!("{tag}-{i}")),
            expires_at: Set(now),
            used_at: Set(None),
            created_at: Set(now),
            purpose: Set("activation".into()),
            revoked_at: Set(None),
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
            module_marks: Set(None),
        });
    }
    for chunk in us.chunks(400) {
        users::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .map_err(err)?;
    }
    for chunk in ts.chunks(400) {
        activation_tokens::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .map_err(err)?;
    }
    for chunk in ms.chunks(300) {
        outbox::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .map_err(err)?;
    }
    for chunk in es.chunks(400) {
        enrolments::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .map_err(err)?;
    }
    txn.commit().await.map_err(err)?;
    Ok(start.elapsed())
}

pub async fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let (rows, runs) = if ctx.smoke { (200, 1) } else { (5_000, 3) };
    let (mut api, mut bare) = (Vec::new(), Vec::new());
    let mut errors = 0;
    let started = Instant::now();
    for run in 0..runs {
        let (manager, cohort_id) = cohort(&ctx.client, ctx.base(), &ctx.admin, rows as i32).await;
        let t = Instant::now();
        let res = ctx
            .client
            .post(format!(
                "{}/api/v1/cohorts/{cohort_id}/enrolments",
                ctx.base()
            ))
            .bearer_auth(&manager)
            .header("content-type", "text/csv")
            .body(csv(rows, &format!("api{run}")))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let took = t.elapsed();
        let ok = res.status().is_success();
        let json: Value = res.json().await.map_err(|e| e.to_string())?;
        if ok && json["summary"]["created"] == rows {
            api.push(took);
        } else {
            errors += 1;
        }
        // The same rows, bare, into another cohort of the same course.
        let (_, other) = cohort(&ctx.client, ctx.base(), &ctx.admin, rows as i32).await;
        let other: Uuid = other.parse().map_err(|e| format!("{e}"))?;
        bare.push(bare_inserts(ctx, rows, other, &format!("bare{run}")).await?);
    }
    let per_rows = |mut s: Summary, d: &[Duration]| {
        // Throughput in rows: enrolments created per second of request time.
        let total: f64 = d.iter().map(Duration::as_secs_f64).sum();
        s.throughput = if total > 0.0 {
            (d.len() * rows) as f64 / total
        } else {
            0.0
        };
        s
    };
    let api_s = per_rows(Summary::of(api.clone(), errors, started.elapsed()), &api);
    let bare_s = per_rows(Summary::of(bare.clone(), 0, started.elapsed()), &bare);
    let ratio = api_s.p50_ms / bare_s.p50_ms.max(f64::MIN_POSITIVE);
    Ok(vec![
        ctx.driver_row(
            "4",
            &format!("bulk enrolment: {rows} new learners from one CSV, one request ({runs} runs)"),
            "rows",
            api_s,
        )
        .with_sql(
            "the same rows as bare batched INSERTs, one transaction",
            bare_s,
            ratio,
            "time of the request over the inserts, p50",
        )
        .note("throughput counts learners enrolled per second; the ratio to `/healthz` compares one enrolled learner with one trivial request"),
    ])
}
