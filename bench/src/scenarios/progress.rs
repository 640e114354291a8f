//! Scenario 2: progress writes (a lesson completed) by many learners, against the same
//! statements run directly on the database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use help_lms_persistence::Db;
use help_lms_persistence::entities::{enrolments as en, lesson_progress as lp};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use crate::fixtures::Learner;
use crate::report::Scenario;
use crate::wrk::{Mode, Wrk, request_file};
use crate::{Summary, load_for};

use super::Ctx;

/// 409 is the answer once an enrolment has completed during the run (every lesson and
/// quiz done): the server then refuses further writes, as it must.
pub const EXPECTED: &[u16] = &[200, 409];

/// Writes for `learners` learners: each completes its lessons in turn, with a growing time.
pub fn requests(learners: &[Learner]) -> Vec<(String, String, Option<String>, Option<String>)> {
    let mut rows = Vec::new();
    let most = learners.iter().map(|l| l.lessons.len()).max().unwrap_or(0);
    for round in 0..most {
        for l in learners {
            let lesson = l.lessons[round % l.lessons.len()];
            rows.push((
                "PUT".into(),
                format!(
                    "/api/v1/enrolments/{}/lessons/{lesson}/progress",
                    l.enrolment
                ),
                Some(l.token.clone()),
                Some(r#"{"status":"completed","time_spent_seconds":{n}}"#.into()),
            ));
        }
    }
    rows
}

/// The writers of scenarios 2 and 5: learners other than the journey's first ones.
pub fn writers(ctx: &Ctx) -> Vec<Learner> {
    let n = if ctx.smoke { 50 } else { 2_000 };
    ctx.learners.iter().rev().take(n).cloned().collect()
}

/// The request file of the writes of `writers`, for [`wrk_writes`].
pub fn write_requests(ctx: &Ctx, writers: &[Learner]) -> Result<PathBuf, String> {
    request_file(ctx.dir.path(), "progress.tsv", requests(writers)).map_err(|e| e.to_string())
}

/// One phase of the writes of `file` (from [`write_requests`]) by wrk.
pub fn wrk(ctx: &Ctx, file: &Path) -> Wrk {
    Wrk::new(
        ctx.base(),
        ctx.connections,
        ctx.phase,
        Mode::Requests(file.to_owned()),
    )
}

/// One progress write's statements without HTTP, authentication or the course rules: in a
/// write transaction, read the enrolment and the lesson's progress, write the progress and
/// the enrolment's last activity.
async fn bare_write(db: &Db, enrolment: Uuid, lesson: Uuid, seconds: i32) -> bool {
    let work = async {
        let txn = db.begin_write().await?;
        let e = en::Entity::find_by_id(enrolment).one(&txn).await?;
        let now = Utc::now();
        match lp::Entity::find_by_id((enrolment, lesson))
            .one(&txn)
            .await?
        {
            None => {
                lp::ActiveModel {
                    enrolment_id: Set(enrolment),
                    lesson_id: Set(lesson),
                    status: Set("completed".into()),
                    time_spent_seconds: Set(seconds),
                    first_viewed_at: Set(now),
                    completed_at: Set(Some(now)),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
            }
            Some(_) => {
                lp::ActiveModel {
                    enrolment_id: Set(enrolment),
                    lesson_id: Set(lesson),
                    time_spent_seconds: Set(seconds),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
            }
        }
        if let Some(e) = e {
            en::ActiveModel {
                id: Set(e.id),
                last_activity_at: Set(Some(now)),
                ..Default::default()
            }
            .update(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(())
    };
    work.await.is_ok()
}

/// The same writes, straight on the database from this process, with as many workers as
/// wrk has connections.
async fn bare_writes(ctx: &Ctx, writers: Vec<Learner>) -> Summary {
    let ws = Arc::new(writers);
    let db = ctx.db.clone();
    load_for(ctx.phase, ctx.connections, move |i| {
        let (ws, db) = (ws.clone(), db.clone());
        async move {
            let l = &ws[i % ws.len()];
            let round = i / ws.len();
            let lesson = l.lessons[round % l.lessons.len()];
            bare_write(&db, l.enrolment, lesson, 30 + round as i32).await
        }
    })
    .await
}

pub async fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let ws = writers(ctx);
    let learners = ws.len();
    let api = wrk(ctx, &write_requests(ctx, &ws)?).run(EXPECTED)?;
    let bare = bare_writes(ctx, ws).await;
    let completed = api.status.get(&409).copied().unwrap_or(0);
    let vs_sql = api.summary.throughput / bare.throughput.max(f64::MIN_POSITIVE);
    let row = ctx
        .wrk_row(
            "2",
            "lesson progress writes (completed) by many learners",
            api.summary,
        )
        .with_sql(
            "the write's statements in a write transaction",
            bare.clone(),
            vs_sql,
            "throughput",
        )
        .note(format!(
            "{learners} learners write in turn; {completed} writes were answered 409 because their enrolment had completed during the run (not counted as errors)"
        ));
    let ratio = row.vs_baseline;
    let goal = ratio >= 0.05 && vs_sql >= 0.8;
    Ok(vec![row.with_goal(
        &format!("≥ 0.05 of /healthz and ≥ 0.8 of the SQL ({vs_sql:.2}); of /healthz"),
        ratio,
        goal,
    )])
}
