//! The forwarding worker: leases queued batches from the outbox, reads their statements,
//! and posts them to the forward's external store with its Basic credentials. Delivery is
//! at least once (a batch whose lease ran out is sent again) and the receiver is
//! idempotent on statement ids, so nothing is lost or counted twice across restarts. A
//! store that refuses a batch as invalid or conflicting (400, 409) is not asked again;
//! anything else is retried with the outbox's waits until it is delivered or the forward is
//! stopped (see [`Backoff::unending`]). An erasure's notice is a batch of
//! voiding statements, sent the same way.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use help_lms_persistence::Db;
use help_lms_persistence::outbox;
use help_lms_persistence::xapi::forwards::{self, Batch, TOPIC};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::mail::worker::Backoff;

#[derive(Clone, Debug)]
pub struct ForwardConfig {
    pub backoff: Backoff,
    /// How often to look for due batches when nothing wakes the worker.
    pub poll: Duration,
    /// How long a leased batch is this worker's alone; longer than a send can take.
    pub lease: Duration,
    /// The longest a send may take.
    pub timeout: Duration,
}

const BATCH: u64 = 10;

/// Makes ring the process's TLS provider, for every HTTP client the process builds (the
/// platform's clients and those of its tests and benchmarks); once is enough, and again
/// changes nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An HTTP client that verifies servers against the Mozilla roots (webpki-roots), with
/// ring as rustls' provider.
fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    install_tls_provider();
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())
}

/// Starts the worker; it stops when `stop` turns true (or its sender is dropped).
pub fn spawn(
    db: Db,
    config: ForwardConfig,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let http = match client(config.timeout) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "xapi forwarding: no HTTP client; nothing is forwarded");
                return;
            }
        };
        let owner = format!("xapi-forward-{}", Uuid::now_v7());
        loop {
            if *stop.borrow() {
                break;
            }
            let full = match deliver_due(&db, &http, &config, &owner).await {
                Ok(n) => n as u64 == BATCH,
                Err(e) => {
                    tracing::warn!(error = %e, "xapi forwarding: cannot read the outbox");
                    false
                }
            };
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

/// Why a send did not deliver, and whether trying again can help.
struct Failure {
    message: String,
    permanent: bool,
}

async fn deliver_due(
    db: &Db,
    http: &reqwest::Client,
    config: &ForwardConfig,
    owner: &str,
) -> Result<usize, help_lms_persistence::StoreError> {
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(5));
    let leased = outbox::lease(db, TOPIC, owner, lease, BATCH).await?;
    let n = leased.len();
    for message in leased {
        let outcome = deliver(db, http, &message.payload).await;
        let settled = match &outcome {
            Ok(()) => Ok(()),
            Err(f) if f.permanent => Err((f.message.as_str(), None)),
            Err(f) => {
                let retry = config
                    .backoff
                    .after(message.attempt, message.id)
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .map(|d| Utc::now() + d);
                Err((f.message.as_str(), retry))
            }
        };
        match &settled {
            Ok(()) => {
                tracing::info!(message = %message.id, attempt = message.attempt, "xapi batch forwarded")
            }
            Err((error, Some(_))) => {
                tracing::warn!(message = %message.id, attempt = message.attempt, %error, "xapi batch not forwarded; will retry")
            }
            Err((error, None)) => {
                tracing::error!(message = %message.id, attempt = message.attempt, %error, "xapi batch not forwarded; given up")
            }
        }
        if !outbox::settle(db, message.id, owner, settled).await? {
            tracing::warn!(message = %message.id, "xapi forwarding: the lease ran out before the send ended");
        }
    }
    Ok(n)
}

async fn deliver(db: &Db, http: &reqwest::Client, payload: &str) -> Result<(), Failure> {
    let permanent = |message: String| Failure {
        message,
        permanent: true,
    };
    let batch: Batch = serde_json::from_str(payload)
        .map_err(|e| permanent(format!("the queued batch cannot be read: {e}")))?;
    let store_error = |e: help_lms_persistence::StoreError| Failure {
        message: e.to_string(),
        permanent: false,
    };
    let Some(forward) = forwards::find(&db.conn, batch.forward)
        .await
        .map_err(store_error)?
    else {
        return Err(permanent("the forward no longer exists".into()));
    };
    if forward.revoked_at.is_some() {
        return Err(permanent("the forward was removed".into()));
    }
    let mut bodies = forwards::bodies(&db.conn, &batch.statements)
        .await
        .map_err(store_error)?;
    // An erasure's notice: the statements the store was sent are voided there.
    for target in &batch.voids {
        bodies.push(forwards::voiding(forward.id, target, db.public_url()).to_string());
    }
    if bodies.is_empty() {
        // Erased since they were queued: nothing to send.
        return Ok(());
    }
    let json = format!("[{}]", bodies.join(","));
    let url = format!("{}/statements", forward.endpoint.trim_end_matches('/'));
    let res = http
        .post(url)
        .basic_auth(&forward.username, Some(&forward.password))
        .header("X-Experience-API-Version", super::VERSION)
        .header("Content-Type", "application/json")
        .body(json)
        .send()
        .await
        .map_err(|e| Failure {
            message: format!("the external store did not answer: {e}"),
            permanent: false,
        })?;
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    let message = format!("the external store answered {status}");
    Err(Failure {
        message,
        permanent: matches!(status.as_u16(), 400 | 409),
    })
}
