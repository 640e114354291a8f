//! Every request has an id: the caller's `X-Request-Id` when it is a plausible one (1 to 128
//! characters of letters, digits and `-_.:`), else a new UUID. It is answered in
//! `X-Request-Id`, written in the `request_id` of every problem body, and is a field of the
//! request's log span, so that every log line of the request carries it: a support request
//! quoting it finds the logs. It identifies the request only; it holds nothing personal.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument as _;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, inside its handling.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Whether a caller's id can be kept: short, and only characters safe in logs and headers.
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Middleware: gives the request its id, runs it in a span carrying the id, and answers it.
pub async fn assign(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| acceptable(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let span = tracing::info_span!("request", request_id = %id, method = %req.method());
    let mut res = REQUEST_ID
        .scope(id.clone(), next.call(req).instrument(span))
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plausible_ids_are_kept() {
        assert!(acceptable("3f2a9c1e-7b1d-4c55-9a0e-2f6b1e8d4c21"));
        assert!(acceptable("lb-01:req.8842_x"));
        for bad in [
            "",
            "has space",
            "semi;colon",
            "new\nline",
            &"x".repeat(129),
            "é",
        ] {
            assert!(!acceptable(bad), "{bad:?}");
        }
    }
}
