//! Operations endpoints outside `/api/v1`: liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Code, problems};
use crate::metrics::Metrics;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness: the process answers
///
/// Anyone (meant for the orchestrator); no token needed. Checks nothing else and changes
/// nothing.
///
/// Problems: none.
#[utoipa::path(tags = ["operations"], operation_id = "healthz", responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers
///
/// Anyone (meant for the orchestrator or load balancer); no token needed. Pings the
/// database and changes nothing.
///
/// Problems: `service_unavailable` (503: the database cannot be reached).
#[utoipa::path(
    tags = ["operations"],
    operation_id = "readyz",
    responses(
        (status = 200, description = "The database answers", body = Health),
        problems::Unavailable,
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.db.ping().await {
        Ok(()) => Ok(HttpResponse::Ok().json(Health { status: "ready" })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::from(Code::ServiceUnavailable))
        }
    }
}

/// Prometheus metrics of this instance
///
/// Anyone who can reach it; no token needed (meant for the monitoring system; restrict it
/// at the proxy if need be). Request counts and latency histograms by route pattern,
/// method and status, and mail attempts by outcome (`mail_attempts_total`), for this
/// process only. Changes nothing.
///
/// Problems: none.
#[utoipa::path(tags = ["operations"], operation_id = "metrics", responses((status = 200, description = "The OpenMetrics text format", content_type = "application/openmetrics-text")))]
#[get("/metrics")]
pub async fn metrics(m: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(m.render())
}
