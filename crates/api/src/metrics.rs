//! Prometheus metrics of this process: request counts and latency histograms by route
//! pattern, method and status, and what the mail worker did. Each instance is scraped on
//! its own.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default, Debug)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// (method, route pattern, status)
type SeriesKey = (String, String, u16);

/// What the mail worker did, by outcome of each attempt.
#[derive(Default, Debug)]
struct Mail {
    sent: AtomicU64,
    retried: AtomicU64,
    given_up: AtomicU64,
}

/// The outcome of one attempt to send a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    /// Failed; it will be tried again.
    Retried,
    /// Failed for good (a permanent refusal, or the last attempt).
    GivenUp,
}

#[derive(Clone, Default, Debug)]
pub struct Metrics {
    series: Arc<Mutex<BTreeMap<SeriesKey, Series>>>,
    mail: Arc<Mail>,
}

impl Metrics {
    pub fn mail(&self, outcome: MailOutcome) {
        let counter = match outcome {
            MailOutcome::Sent => &self.mail.sent,
            MailOutcome::Retried => &self.mail.retried,
            MailOutcome::GivenUp => &self.mail.given_up,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut map) = self.series.lock() else {
            return;
        };
        let s = map
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(map) = self.series.lock() else {
            return out;
        };
        out.push_str(
            "# HELP http_requests_total HTTP requests answered, by method, route and status.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        for ((m, r, s), v) in map.iter() {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {}",
                v.count
            );
        }
        out.push_str("# HELP http_request_duration_seconds Time to answer HTTP requests.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((m, r, s), v) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{s}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    v.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                v.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                v.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                v.count
            );
        }
        out.push_str("# HELP mail_attempts_total Attempts to send a message, by outcome: sent, retried later, or given up.\n");
        out.push_str("# TYPE mail_attempts_total counter\n");
        for (outcome, n) in [
            ("sent", &self.mail.sent),
            ("retried", &self.mail.retried),
            ("given_up", &self.mail.given_up),
        ] {
            let _ = writeln!(
                out,
                "mail_attempts_total{{outcome=\"{outcome}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        out
    }
}

/// Middleware: times each request and records it under its route pattern (never the raw
/// path, which would hold ids and grow without bound).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.call(req).await;
    if let Some(m) = metrics {
        let elapsed = start.elapsed().as_secs_f64();
        match &res {
            Ok(r) => {
                let route = r
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".to_owned());
                m.observe(&method, &route, r.status().as_u16(), elapsed);
            }
            Err(e) => m.observe(
                &method,
                "unmatched",
                e.as_response_error().status_code().as_u16(),
                elapsed,
            ),
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/courses", 200, 0.004);
        m.observe("GET", "/api/v1/courses", 200, 0.2);
        let text = m.render();
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/courses\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.25\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
    }
}
