//! The mail worker: leases due messages from the outbox, sends them, and settles each one:
//! delivered, due again after a back-off, or given up (a permanent refusal, or too many
//! attempts). It wakes when a request has just written a message, and polls otherwise, so
//! a message written while the worker was down or the mail server was away goes out once
//! both are back. Every hour it also sweeps what has expired: stored idempotent answers,
//! rate-limit windows, spent tokens, settled messages.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::FutureExt;
use help_lms_persistence::outbox::{self, Leased, OutgoingMail};
use help_lms_persistence::{Db, account_tokens, idempotency, rate_limit};
use lettre::message::Mailbox;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use super::transport::{self, SendError, Transport};
use crate::metrics::{MailOutcome, Metrics};

/// When to try a failed message again: `initial`, doubling per attempt up to `max`, and
/// at most `attempts` times in all.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub attempts: i32,
}

impl Default for Backoff {
    /// 30 s, 1 min, 2 min, ... up to an hour between attempts: 20 attempts take about 13 hours.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            attempts: 20,
        }
    }
}

impl Backoff {
    /// The same waits, never giving up: for forwarded statements, which stay in this store
    /// whatever happens to their sends, so a receiver down for days still gets them once it
    /// is back (stopping the forward, or the receiver refusing a batch, ends the tries).
    pub fn unending(self) -> Backoff {
        Backoff {
            attempts: i32::MAX,
            ..self
        }
    }

    /// The wait after failed attempt `attempt` (1-based), or None to give up. A message's
    /// own id spreads the waits of messages that failed together by up to a fifth.
    pub fn after(&self, attempt: i32, id: Uuid) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let base = self.initial.saturating_mul(1u32 << doublings).min(self.max);
        let spread = (id.as_u128() % 200) as u32;
        Some(base + base.mul_f64(f64::from(spread) / 1000.0))
    }
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub transport: Transport,
    pub from: Mailbox,
    /// The domain of `Message-ID`s: the public address's host.
    pub domain: String,
    pub backoff: Backoff,
    /// How often to look for due messages when nothing wakes the worker.
    pub poll: Duration,
    /// How long a leased message is this worker's alone; longer than a send can take.
    pub lease: Duration,
    pub metrics: Metrics,
}

const BATCH: u64 = 20;
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Starts the worker; it stops when `stop` turns true (or its sender is dropped).
pub fn spawn(
    db: Db,
    config: WorkerConfig,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let owner = format!("mail-{}", Uuid::now_v7());
        let mut last_sweep: Option<tokio::time::Instant> = None;
        loop {
            if *stop.borrow() {
                break;
            }
            let full = match deliver_due(&db, &config, &owner).await {
                Ok(n) => n as u64 == BATCH,
                Err(e) => {
                    tracing::warn!(error = %e, "mail: cannot read the outbox");
                    false
                }
            };
            if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                sweep(&db).await;
                last_sweep = Some(tokio::time::Instant::now());
            }
            if full {
                continue;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(config.poll) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    })
}

/// Sends what is due now; the number of messages leased.
async fn deliver_due(
    db: &Db,
    config: &WorkerConfig,
    owner: &str,
) -> Result<usize, help_lms_persistence::StoreError> {
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(5));
    let batch = outbox::lease(db, outbox::MAIL, owner, lease, BATCH).await?;
    let n = batch.len();
    for leased in batch {
        // A panic while building or sending one message must not stop the worker.
        let outcome = AssertUnwindSafe(deliver(config, &leased))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Err(SendError {
                    message: "the message could not be built or sent (a panic)".to_owned(),
                    permanent: true,
                })
            });
        let settled = match &outcome {
            Ok(()) => Ok(()),
            Err(e) if e.permanent => Err((e.message.as_str(), None)),
            Err(e) => {
                let retry = config
                    .backoff
                    .after(leased.attempt, leased.id)
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .map(|d| Utc::now() + d);
                Err((e.message.as_str(), retry))
            }
        };
        match &settled {
            Ok(()) => {
                config.metrics.mail(MailOutcome::Sent);
                tracing::info!(message = %leased.id, attempt = leased.attempt, "mail sent");
            }
            Err((error, Some(_))) => {
                config.metrics.mail(MailOutcome::Retried);
                tracing::warn!(message = %leased.id, attempt = leased.attempt, %error, "mail not sent; will retry");
            }
            Err((error, None)) => {
                config.metrics.mail(MailOutcome::GivenUp);
                tracing::error!(message = %leased.id, attempt = leased.attempt, %error, "mail not sent; given up");
            }
        }
        if !outbox::settle(db, leased.id, owner, settled).await? {
            tracing::warn!(message = %leased.id, "mail: the lease ran out before the send ended");
        }
    }
    Ok(n)
}

async fn deliver(config: &WorkerConfig, leased: &Leased) -> Result<(), SendError> {
    let mail: OutgoingMail = serde_json::from_str(&leased.payload).map_err(|e| SendError {
        message: format!("the stored message cannot be read: {e}"),
        permanent: true,
    })?;
    let message = transport::build(&mail, leased.id, &config.from, &config.domain)?;
    config.transport.send(&message, leased.id, &mail.text).await
}

/// Deletes what has expired. Failures are logged: the next sweep tries again.
pub async fn sweep(db: &Db) {
    let now = Utc::now();
    let week = chrono::Duration::days(7);
    let results = [
        ("idempotency", idempotency::sweep(db, now).await),
        (
            "rate limits",
            rate_limit::sweep(db, now - chrono::Duration::days(1)).await,
        ),
        ("tokens", sweep_tokens(db, now - week).await),
        ("outbox", outbox::sweep(db, now - week).await),
    ];
    for (what, r) in results {
        match r {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "swept expired {what}"),
            Err(e) => tracing::warn!(error = %e, "cannot sweep expired {what}"),
        }
    }
}

async fn sweep_tokens(
    db: &Db,
    before: chrono::DateTime<Utc>,
) -> Result<u64, help_lms_persistence::StoreError> {
    let txn = db.begin_write().await?;
    let n = account_tokens::sweep(&txn, before).await?;
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_then_give_up() {
        let b = Backoff {
            initial: Duration::from_secs(10),
            max: Duration::from_secs(60),
            attempts: 5,
        };
        let id = Uuid::nil();
        assert_eq!(b.after(1, id), Some(Duration::from_secs(10)));
        assert_eq!(b.after(2, id), Some(Duration::from_secs(20)));
        assert_eq!(b.after(3, id), Some(Duration::from_secs(40)));
        assert_eq!(b.after(4, id), Some(Duration::from_secs(60)));
        assert_eq!(b.after(5, id), None);
        // Another message waits a little longer, never more than a fifth.
        let other = b.after(1, Uuid::from_u128(199)).unwrap_or_default();
        assert!(other > Duration::from_secs(10) && other <= Duration::from_secs(12));
    }

    #[test]
    fn unending_waits_are_the_same_and_go_on_after_the_last_attempt() {
        let mail = Backoff::default();
        let id = Uuid::nil();
        assert_eq!(mail.after(mail.attempts, id), None);
        let forward = mail.unending();
        for attempt in [1, mail.attempts - 1] {
            assert_eq!(forward.after(attempt, id), mail.after(attempt, id));
        }
        for attempt in [mail.attempts, 1_000, i32::MAX - 1] {
            assert!(forward.after(attempt, id).is_some(), "attempt {attempt}");
        }
        // The nil id spreads nothing: past the doublings, the wait is the longest one.
        assert_eq!(forward.after(1_000, id), Some(mail.max));
    }
}
