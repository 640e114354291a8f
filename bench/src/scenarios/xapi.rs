//! Scenario 8: the learning record store. Statement ingest (batches of 50 through
//! `POST /xapi/statements` with Basic credentials) against the same rows stored directly
//! through the store's insert in a write transaction, and a statements query by verb
//! (`GET /xapi/statements?verb=…&limit=50`) against the same query run directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use help_lms_persistence::Db;
use help_lms_persistence::xapi::Visibility;
use help_lms_persistence::xapi::columns::row;
use help_lms_persistence::xapi::statements::{self, Query};
use serde_json::{Value, json};

use crate::load_for;
use crate::report::Scenario;

use super::Ctx;

const BATCH: usize = 50;
const VERB: &str = "http://adlnet.gov/expapi/verbs/experienced";

/// Statement `n` of the run: one of a thousand actors and a hundred activities.
fn statement(tag: &str, n: usize) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "actor": {"objectType": "Agent", "mbox": format!("mailto:bench-{}@example.org", n % 1000)},
        "verb": {"id": VERB, "display": {"en": "experienced"}},
        "object": {
            "objectType": "Activity",
            "id": format!("http://bench.example/{tag}/activities/{}", n % 100),
            "definition": {"name": {"en": format!("Activity {}", n % 100)}}
        },
        "timestamp": "2026-12-01T12:00:00.000Z"
    })
}

/// One batch stored as the store stores it, without HTTP, authentication or validation.
async fn bare_batch(db: &Db, tag: &str, first: usize) -> bool {
    let now = chrono::Utc::now();
    let stored = now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let mut rows = Vec::with_capacity(BATCH);
    for n in first..first + BATCH {
        let received = statement(tag, n);
        let mut body = received.clone();
        body["stored"] = json!(stored);
        body["authority"] = json!({"objectType": "Agent", "account": {"homePage": "http://bench.example", "name": "bench"}});
        body["version"] = json!("2.0.0");
        match row(
            &body,
            received,
            now.timestamp_micros(),
            "admin".into(),
            None,
        ) {
            Ok(r) => rows.push(r),
            Err(_) => return false,
        }
    }
    let work = async {
        let txn = db.begin_write().await?;
        statements::insert(&txn, rows, Vec::new(), &Visibility::All).await?;
        txn.commit().await?;
        Ok::<_, help_lms_persistence::StoreError>(())
    };
    work.await.is_ok()
}

pub async fn run(ctx: &Ctx) -> Result<Vec<Scenario>, String> {
    let res: Value = ctx
        .client
        .post(format!("{}/api/v1/xapi/credentials", ctx.base()))
        .bearer_auth(&ctx.admin)
        .json(&json!({"name": "benchmark"}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let key = res["key"].as_str().ok_or("no LRS key")?.to_owned();
    let secret = res["secret"].as_str().ok_or("no LRS secret")?.to_owned();
    let url = format!("{}/xapi/statements", ctx.base());

    let counter = Arc::new(AtomicUsize::new(0));
    let api = {
        let (c, url, key, secret, counter) = (
            ctx.client.clone(),
            url.clone(),
            key.clone(),
            secret.clone(),
            counter.clone(),
        );
        load_for(ctx.phase, ctx.connections, move |_| {
            let (c, url, key, secret) = (c.clone(), url.clone(), key.clone(), secret.clone());
            let first = counter.fetch_add(BATCH, Ordering::Relaxed);
            async move {
                let batch: Vec<Value> = (first..first + BATCH)
                    .map(|n| statement("api", n))
                    .collect();
                matches!(
                    c.post(&url)
                        .basic_auth(&key, Some(&secret))
                        .header("X-Experience-API-Version", "2.0.0")
                        .json(&batch)
                        .send()
                        .await,
                    Ok(r) if r.status().is_success()
                )
            }
        })
        .await
    };
    let bare = {
        let (db, counter) = (ctx.db.clone(), Arc::new(AtomicUsize::new(0)));
        load_for(ctx.phase, ctx.connections, move |_| {
            let db = db.clone();
            let first = counter.fetch_add(BATCH, Ordering::Relaxed);
            async move { bare_batch(&db, "direct", first).await }
        })
        .await
    };
    let ingest_ratio = api.throughput / bare.throughput.max(f64::MIN_POSITIVE);
    let ingest = ctx
        .driver_row(
            "8a",
            "xAPI statement ingest, batches of 50 (POST /xapi/statements)",
            "batch",
            api.clone(),
        )
        .with_sql(
            "the same batches through the store's insert, in a write transaction",
            bare,
            ingest_ratio,
            "throughput",
        )
        .note(format!(
            "{} statements stored through HTTP in the phase",
            (api.requests - api.errors) * BATCH
        ));

    let query_api = {
        let (c, url, key, secret) = (ctx.client.clone(), url.clone(), key.clone(), secret.clone());
        load_for(ctx.phase, ctx.connections, move |_| {
            let (c, url, key, secret) = (c.clone(), url.clone(), key.clone(), secret.clone());
            async move {
                matches!(
                    c.get(format!("{url}?verb={VERB}&limit=50"))
                        .basic_auth(&key, Some(&secret))
                        .header("X-Experience-API-Version", "2.0.0")
                        .send()
                        .await,
                    Ok(r) if r.status().is_success()
                )
            }
        })
        .await
    };
    let query_bare = {
        let db = ctx.db.clone();
        load_for(ctx.phase, ctx.connections, move |_| {
            let db = db.clone();
            async move {
                let q = Query {
                    verb: Some(VERB.to_owned()),
                    limit: 50,
                    ..Query::default()
                };
                statements::query(&db.conn, &q, &Visibility::All)
                    .await
                    .is_ok()
            }
        })
        .await
    };
    let query_ratio = query_api.throughput / query_bare.throughput.max(f64::MIN_POSITIVE);
    let query = ctx
        .driver_row(
            "8b",
            "xAPI statements query by verb, 50 a page (GET /xapi/statements)",
            "req",
            query_api,
        )
        .with_sql(
            "the same query through the store, directly",
            query_bare,
            query_ratio,
            "throughput",
        );
    Ok(vec![ingest, query])
}
