//! Scenario 5: completion statistics while progress writes continue; the grouped request
//! against its SQL run directly, and the writes' throughput against writes alone.

use std::path::Path;
use std::time::{Duration, Instant};

use help_lms_domain::reporting::{Dimension, Filters, Scope};
use help_lms_persistence::stats;
use sea_orm::ConnectionTrait;

use crate::report::Scenario;
use crate::{Summary, load_for};

use super::{Ctx, progress};

/// The groupings a reporting client asks for, in turn.
const REPORTS: [&str; 5] = [
    "group_by=country,profession",
    "group_by=course,month",
    "group_by=institution,mode",
    "group_by=language,mode&country=FR",
    "group_by=course,profession&from=2025-01-01",
];

async fn http_stats(c: &reqwest::Client, url: &str, token: &str) -> bool {
    match c.get(url).bearer_auth(token).send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}

/// wrk writes progress for one phase while one client asks for statistics without pause.
async fn writes_with_statistics(
    ctx: &Ctx,
    file: &Path,
) -> Result<(crate::wrk::WrkResult, Summary), String> {
    let c = ctx.client.clone();
    let base = ctx.base().to_owned();
    let token = ctx.admin.clone();
    let w = progress::wrk(ctx, file);
    let writes = tokio::task::spawn_blocking(move || w.run(progress::EXPECTED));
    // Let wrk connect before the reporting client starts, and stop it a little before.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reporting = load_for(
        ctx.phase.saturating_sub(Duration::from_millis(400)),
        1,
        move |i| {
            let (c, token) = (c.clone(), token.clone());
            let url = format!(
                "{base}/api/v1/stats/completions?{}",
                REPORTS[i % REPORTS.len()]
            );
            async move { http_stats(&c, &url, &token).await }
        },
    )
    .await;
    let writes = writes.await.map_err(|e| e.to_string())??;
    Ok((writes, reporting))
}

/// The statistics requests of several runs as one summary (percentiles of the runs' own
/// percentiles are not percentiles: the runs are short and alike, so their mean is given).
fn merge(runs: &[Summary]) -> Summary {
    let n = runs.len().max(1) as f64;
    let sum = |f: fn(&Summary) -> f64| runs.iter().map(f).sum::<f64>();
    Summary {
        requests: runs.iter().map(|r| r.requests).sum(),
        errors: runs.iter().map(|r| r.errors).sum(),
        seconds: sum(|r| r.seconds),
        throughput: sum(|r| r.throughput) / n,
        p50_ms: sum(|r| r.p50_ms) / n,
        p95_ms: sum(|r| r.p95_ms) / n,
        p99_ms: sum(|r| r.p99_ms) / n,
    }
}

/// The funnel of the course most learners follow, through HTTP and through the store
/// directly, interleaved sample by sample on an idle server.
async fn funnel(ctx: &Ctx) -> Result<(Summary, Summary), String> {
    let samples = if ctx.smoke { 2 } else { 5 };
    let slug = ctx
        .learners
        .first()
        .map(|l| l.course.clone())
        .ok_or("no learners")?;
    let course = help_lms_persistence::catalogue::current_version(&ctx.db.conn, &slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no course {slug}"))?;
    let url = format!("{}/api/v1/stats/courses/{slug}/funnel", ctx.base());
    Ok(interleaved(ctx, &url, 1, samples, async || {
        stats::funnel(
            &ctx.db.conn,
            course.course_id,
            &Filters::default(),
            &Scope::All,
        )
        .await
        .is_ok()
    })
    .await)
}

/// `url` through HTTP (as the admin) and `direct` on the database, one after the other in
/// each round, after `warm_up` rounds that are not counted: the two summaries.
async fn interleaved(
    ctx: &Ctx,
    url: &str,
    warm_up: usize,
    samples: usize,
    mut direct: impl AsyncFnMut() -> bool,
) -> (Summary, Summary) {
    let (mut http, mut straight) = (Vec::new(), Vec::new());
    let (mut http_errors, mut straight_errors) = (0, 0);
    let started = Instant::now();
    for round in 0..warm_up + samples {
        let t = Instant::now();
        let ok = http_stats(&ctx.client, url, &ctx.admin).await;
        let h = t.elapsed();
        let t = Instant::now();
        let direct_ok = direct().await;
        let d = t.elapsed();
        if round < warm_up {
            continue;
        }
        if ok {
            http.push(h)
        } else {
            http_errors += 1
        }
        if direct_ok {
            straight.push(d)
        } else {
            straight_errors += 1
        }
    }
    (
        Summary::of(http, http_errors, started.elapsed()),
        Summary::of(straight, straight_errors, started.elapsed()),
    )
}

pub async fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    // The grouped request and its SQL, on an idle server, interleaved sample by sample.
    let samples = if ctx.smoke { 3 } else { 50 };
    let group_by = [Dimension::Country, Dimension::Profession];
    let statements = stats::completion_statements(
        ctx.db.backend(),
        &group_by,
        &Filters::default(),
        &Scope::All,
    );
    let url = format!(
        "{}/api/v1/stats/completions?group_by=country,profession",
        ctx.base()
    );
    let (idle_http, idle_sql) = interleaved(ctx, &url, 5, samples, async || {
        let mut ok = true;
        for s in &statements {
            ok &= ctx.db.conn.query_all_raw(s.clone()).await.is_ok();
        }
        ok
    })
    .await;
    let (funnel_http, funnel_direct) = funnel(ctx).await?;

    // Writes alone, then writes with one statistics client without pause, alternated
    // twice so that drift on the shared machine falls on both sides.
    let (mut alone, mut loaded, mut reports) = (Vec::new(), Vec::new(), Vec::new());
    let file = progress::write_requests(ctx, &progress::writers(ctx))?;
    for _ in 0..2 {
        alone.push(progress::wrk(ctx, &file).run(progress::EXPECTED)?);
        let (w, r) = writes_with_statistics(ctx, &file).await?;
        loaded.push(w);
        reports.push(r);
    }
    let mean = |v: &[crate::wrk::WrkResult]| {
        v.iter().map(|r| r.summary.throughput).sum::<f64>() / v.len() as f64
    };
    let (alone_rate, loaded_rate) = (mean(&alone), mean(&loaded));
    let reporting = merge(&reports);
    let writes = &loaded[loaded.len() - 1];
    let kept = loaded_rate / alone_rate.max(f64::MIN_POSITIVE);
    let ratio = idle_http.p50_ms / idle_sql.p50_ms.max(f64::MIN_POSITIVE);
    let funnel_ratio = funnel_http.p50_ms / funnel_direct.p50_ms.max(f64::MIN_POSITIVE);
    let (funnel_p50, grouped_p50) = (funnel_http.p50_ms, idle_http.p50_ms);
    Ok(vec![
        ctx.driver_row(
            "5b",
            "the funnel of the most followed course, for every learner of the platform (idle server)",
            "req",
            funnel_http,
        )
        .with_sql(
            "the store's funnel, called directly",
            funnel_direct,
            funnel_ratio,
            "HTTP p50 over direct p50",
        )
        .with_goal(
            "p50 under 200 ms; ms",
            funnel_p50,
            funnel_p50 < 200.0,
        ),
        ctx.driver_row(
            "5c",
            "statistics `group_by=country,profession` (idle server)",
            "req",
            idle_http.clone(),
        )
        .with_goal(
            "p50 under 100 ms; ms",
            grouped_p50,
            grouped_p50 < 100.0,
        ),
        ctx.driver_row(
            "5",
            "statistics (five groupings in turn, one client without pause) while progress writes continue",
            "req",
            reporting,
        )
        .with_sql(
            "`group_by=country,profession`, idle",
            idle_sql.clone(),
            ratio,
            "HTTP p50 over SQL p50, idle",
        )
        .with_goal("writes keep ≥ 0.8 of their throughput", kept, kept >= 0.8)
        .note(format!(
            "progress writes (as in 2), two runs each, alternated: {:.0}/s alone, {:.0}/s during the statistics (last run: p95 {:.1} ms, {} errors)",
            alone_rate, loaded_rate, writes.summary.p95_ms, writes.summary.errors
        ))
        .note(format!(
            "`group_by=country,profession` on an idle server: HTTP p50 {:.1} ms / p95 {:.1} ms, the same SQL directly p50 {:.1} ms / p95 {:.1} ms ({} samples each, interleaved)",
            idle_http.p50_ms, idle_http.p95_ms, idle_sql.p50_ms, idle_sql.p95_ms, samples
        )),
    ])
}
