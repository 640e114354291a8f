//! The learning record store under `/xapi`: the resources of xAPI 2.0 (IEEE 9274.1.1)
//! for statements, documents, activities, agents and `about`, behind HTTP Basic
//! credentials that admins and institutions' managers create. xAPI is its own contract,
//! so these routes are not in the OpenAPI document; the credentials' routes are.
//!
//! Every answer carries `X-Experience-API-Version`; every request but `about` must send
//! one of the versions the store speaks. Errors are problem+json like the rest of the API.

mod attachments;
pub mod credentials;
mod documents;
pub mod forward;
pub mod forwards;
mod multipart;
mod resources;
mod shape;
mod statements;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use base64::Engine as _;
use help_lms_persistence::xapi::credentials::{self as store, Credential};

use crate::error::{ApiError, Code};
use crate::state::AppState;

/// The version this store answers with.
pub const VERSION: &str = "2.0.0";

/// The largest statement batch or document accepted, attachments included.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

pub const VERSION_HEADER: HeaderName = HeaderName::from_static("x-experience-api-version");

/// Up to when every statement stored is in the answers to statement queries.
pub const CONSISTENT_THROUGH: HeaderName =
    HeaderName::from_static("x-experience-api-consistent-through");

/// The routes of the store.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/xapi")
            .app_data(web::PayloadConfig::default().limit(BODY_LIMIT))
            .wrap(actix_web::middleware::from_fn(versioned))
            .service(
                web::resource("/about")
                    .route(web::get().to(resources::about))
                    .route(web::head().to(resources::about)),
            )
            .service(
                web::resource("/statements")
                    .route(web::get().to(statements::get))
                    .route(web::head().to(statements::get))
                    .route(web::put().to(statements::put))
                    .route(web::post().to(statements::post)),
            )
            .service(documents::resource(
                "/activities/state",
                help_lms_persistence::xapi::documents::Kind::State,
            ))
            .service(documents::resource(
                "/activities/profile",
                help_lms_persistence::xapi::documents::Kind::ActivityProfile,
            ))
            .service(documents::resource(
                "/agents/profile",
                help_lms_persistence::xapi::documents::Kind::AgentProfile,
            ))
            .service(
                web::resource("/activities")
                    .route(web::get().to(resources::activity))
                    .route(web::head().to(resources::activity)),
            )
            .service(
                web::resource("/agents")
                    .route(web::get().to(resources::agents))
                    .route(web::head().to(resources::agents)),
            )
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Whether a request's `X-Experience-API-Version` is one the store speaks: 1.0.x or 2.0.x.
fn speaks(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    numeric
        && matches!(
            parts.as_slice(),
            ["1", "0"] | ["1", "0", _] | ["2", "0"] | ["2", "0", _]
        )
}

/// Middleware: refuses requests without a version the store speaks (`about` excepted),
/// and stamps every answer with the store's version and, for 401, the Basic challenge.
async fn versioned(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    let about = req.path().trim_end_matches('/').ends_with("/xapi/about");
    let statements_read = req
        .path()
        .trim_end_matches('/')
        .ends_with("/xapi/statements")
        && matches!(
            *req.method(),
            actix_web::http::Method::GET | actix_web::http::Method::HEAD
        );
    let given = req
        .headers()
        .get(&VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let refusal = match given {
        _ if about => None,
        None => Some(bad("the X-Experience-API-Version header is required")),
        Some(v) if !speaks(v) => Some(bad(format!(
            "X-Experience-API-Version {v} is not spoken here; send {VERSION}"
        ))),
        Some(_) => None,
    };
    let mut res = match refusal {
        Some(e) => req.error_response(e).map_into_boxed_body(),
        None => next.call(req).await?.map_into_boxed_body(),
    };
    let headers = res.headers_mut();
    headers.insert(VERSION_HEADER, HeaderValue::from_static(VERSION));
    // Every answer to a statement read says how far the store is consistent, errors too.
    if statements_read && !headers.contains_key(CONSISTENT_THROUGH) {
        let now = rfc3339(chrono::Utc::now().timestamp_micros());
        if let Ok(v) = HeaderValue::from_str(&now) {
            headers.insert(CONSISTENT_THROUGH, v);
        }
    }
    if res.status() == actix_web::http::StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"help-lms xAPI\""),
        );
    }
    Ok(res)
}

/// The institution a request about the store's credentials, forwards or audit concerns:
/// an admin's choice (`None`: the whole store), a manager's own (asking for another's is
/// 404 as if it did not exist); learners and tutors have none. With `asked` None it is
/// what an actor lists: everything for an admin, their institution's for a manager.
pub(crate) fn owner(
    actor: &help_lms_domain::accounts::Actor,
    asked: Option<uuid::Uuid>,
) -> Result<Option<uuid::Uuid>, ApiError> {
    use help_lms_domain::values::Role;
    match actor.role {
        Role::Admin => Ok(asked),
        Role::NtiManager => match (asked, actor.institution_id) {
            (None, Some(own)) => Ok(Some(own)),
            (Some(a), Some(own)) if a == own => Ok(Some(own)),
            _ => Err(ApiError::NotFound),
        },
        Role::Learner | Role::Tutor => Err(Code::ManagersOnly.into()),
    }
}

/// A 400 of the store.
pub(crate) fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::with(Code::InvalidXapiRequest, detail)
}

/// The credential of the request's `Authorization: Basic`, if it is a live one.
pub(crate) async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Credential, ApiError> {
    let refused = || ApiError::from(Code::InvalidLrsCredential);
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(refused)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(refused());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| refused())?;
    let text = String::from_utf8(decoded).map_err(|_| refused())?;
    let (key, secret) = text.split_once(':').ok_or_else(refused)?;
    store::authenticate(&state.db.conn, key, secret, chrono::Utc::now())
        .await?
        .ok_or_else(refused)
}

/// The query string as pairs; a parameter given twice is refused.
pub(crate) fn params(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(bad(format!("the parameter {k} is given twice")));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// The value of parameter `name`.
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An RFC 3339 time as the store compares times: microseconds since the epoch.
pub(crate) fn micros_of(name: &str, value: &str) -> Result<i64, ApiError> {
    help_lms_domain::xapi::normalise_timestamp(value)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.timestamp_micros())
        .ok_or_else(|| bad(format!("{name} is not an RFC 3339 timestamp")))
}

/// `Last-Modified` for a time in microseconds.
pub(crate) fn http_date(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64);
    header::HttpDate::from(time).to_string()
}

/// A time in microseconds as the store writes timestamps: UTC, with microseconds.
pub(crate) fn rfc3339(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// The agent named by a JSON parameter, validated, with its key.
pub(crate) fn agent_param(
    name: &str,
    value: &str,
) -> Result<(serde_json::Value, String), ApiError> {
    let agent: serde_json::Value =
        serde_json::from_str(value).map_err(|e| bad(format!("{name} is not JSON: {e}")))?;
    help_lms_domain::xapi::validate_agent(&agent).map_err(|e| bad(format!("{name}: {e}")))?;
    let key = help_lms_domain::xapi::agent_key(&agent)
        .ok_or_else(|| bad(format!("{name} has no identifier")))?;
    Ok((agent, key))
}

#[cfg(test)]
mod tests {
    use super::speaks;

    #[test]
    fn the_store_speaks_1_0_and_2_0_only() {
        for v in ["1.0", "1.0.0", "1.0.3", "2.0", "2.0.0", "2.0.1"] {
            assert!(speaks(v), "{v}");
        }
        for v in [
            "", "0.9", "1.1.0", "2.1.0", "3.0.0", "2.0.0.0", "2.0.x", "2..0",
        ] {
            assert!(!speaks(v), "{v}");
        }
    }
}
