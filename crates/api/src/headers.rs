//! Response headers that protect what an answer carries: `nosniff` on every answer;
//! `Cache-Control: no-store` on the operations whose answers hold a token, a secret or
//! personal data (declared on the route: `#[post("/path", wrap = "headers::no_store()")]`);
//! and `private, no-cache` on any other answer to a signed-in request that says nothing of
//! caching, since what it holds may depend on who asked.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};

/// Middleware for the whole app: `X-Content-Type-Options: nosniff` on every answer, and
/// `Cache-Control: private, no-cache` on answers to a request with credentials that set no
/// `Cache-Control` of their own. Handlers' and extractors' errors reach it as answers, so
/// problem answers carry these too.
pub async fn nosniff(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let signed_in = req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if signed_in && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    Ok(res)
}

/// For one route: no cache may keep its answers, errors included.
pub fn no_store() -> DefaultHeaders {
    DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store"))
}

/// For the OAuth 2.0 token endpoint: `no-store` and, for HTTP/1.0 caches, `Pragma: no-cache`
/// (RFC 6749 section 5.1).
pub fn no_store_token() -> DefaultHeaders {
    no_store().add((header::PRAGMA, "no-cache"))
}
