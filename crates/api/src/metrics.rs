//! Prometheus metrics of this process: request counts and latency histograms by route
//! pattern, method and status, and what the mail worker did. Each instance is scraped on
//! its own.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The media type of the OpenMetrics text format.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route pattern, never the raw path (which would hold ids and grow without bound).
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MailLabels {
    outcome: MailOutcome,
}

/// The outcome of one attempt to send a message.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    /// Failed; it will be tried again.
    Retried,
    /// Failed for good (a permanent refusal, or the last attempt).
    GivenUp,
}

impl EncodeLabelValue for MailOutcome {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        match self {
            MailOutcome::Sent => "sent",
            MailOutcome::Retried => "retried",
            MailOutcome::GivenUp => "given_up",
        }
        .encode(encoder)
    }
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram, fn() -> Histogram>,
    mail: Family<MailLabels, Counter>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// This process's metrics. Each series has its own lock; nothing is shared by all requests
/// but a read lock on the set of series.
#[derive(Clone, Debug)]
pub struct Metrics {
    inner: Arc<Inner>,
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let durations =
            Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(histogram);
        let mail = Family::<MailLabels, Counter>::default();
        let mut registry = Registry::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            durations.clone(),
        );
        registry.register(
            "mail_attempts",
            "Attempts to send a message, by outcome: sent, retried later, or given up",
            mail.clone(),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                requests,
                durations,
                mail,
            }),
        }
    }
}

impl Metrics {
    pub fn mail(&self, outcome: MailOutcome) {
        self.inner.mail.get_or_create(&MailLabels { outcome }).inc();
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.inner.requests.get_or_create(&labels).inc();
        self.inner.durations.get_or_create(&labels).observe(seconds);
    }

    /// The OpenMetrics text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.inner.registry).is_err() {
            out.clear();
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
        let bucket = |le: &str| {
            format!(
                "http_request_duration_seconds_bucket{{le=\"{le}\",method=\"GET\",route=\"/api/v1/courses\",status=\"200\"}}"
            )
        };
        for (le, n) in [
            ("0.001", 0),
            ("0.005", 1),
            ("0.1", 1),
            ("0.25", 2),
            ("+Inf", 2),
        ] {
            assert!(
                text.contains(&format!("{} {n}\n", bucket(le))),
                "{le}: {text}"
            );
        }
        m.mail(MailOutcome::GivenUp);
        let text = m.render();
        assert!(
            text.contains("mail_attempts_total{outcome=\"given_up\"} 1"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
