//! The retention job: with `HELP_RETENTION_DAYS` set, the server erases, once at start and
//! then daily, the accounts unused for longer (see
//! `help_lms_persistence::accounts::retention`). Each run first reports what it will erase
//! (a log line with the count and the cutoff, and a `retention_reported` entry in the audit
//! trail with the ids), then erases, recording each erasure as `account_erased` by nobody
//! (as `crate::erasure::recorded` records them, with the reason `retention`).
//! `help-lms retention` prints the same report without erasing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use help_lms_persistence::Db;
use help_lms_persistence::accounts::retention::{self, Due};
use tokio::sync::watch;

use crate::audit::{Action, Object, record_on};

/// The cutoff of a retention of `days` at `now`.
pub fn cutoff(days: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::days(i64::from(days))
}

/// One run: the report, then the erasures. Says how many accounts were erased.
pub async fn run_once(
    db: &Db,
    days: u32,
    now: DateTime<Utc>,
) -> Result<usize, help_lms_persistence::StoreError> {
    let cutoff = cutoff(days, now);
    let mut report: Vec<Due> = Vec::new();
    let done = retention::run(db, cutoff, now, |due| report = due.to_vec()).await?;
    tracing::info!(accounts = report.len(), %cutoff, "retention: accounts inactive since before the cutoff are erased");
    if !report.is_empty() {
        let ids: Vec<String> = report.iter().map(|d| d.user_id.to_string()).collect();
        let detail = serde_json::json!({"days": days, "cutoff": cutoff, "accounts": ids});
        record_on(
            db,
            None,
            Action::RetentionReported,
            Object::kind("user", None),
            Some(detail),
        )
        .await;
    }
    let mut erased = 0;
    for (due, outcome) in done {
        match outcome {
            Ok(e) if !e.already => {
                erased += 1;
                crate::erasure::recorded(db, None, &e, None, Some("retention")).await;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(user_id = %due.user_id, error = %e, "retention: an account could not be erased; the next run tries again")
            }
        }
    }
    Ok(erased)
}

/// Runs the job at start and then every `every` until `stop` turns true.
pub fn spawn(
    db: Db,
    days: u32,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(e) = run_once(&db, days, Utc::now()).await {
                tracing::error!(error = %e, "retention: the run failed; the next one tries again");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                changed = stop.changed() => if changed.is_err() || *stop.borrow() { break },
            }
        }
    })
}
