//! JSON request bodies read strictly ([`strict`]): [`Json`] for a required body, and
//! [`OptionalJson`] for one that may be absent (an empty body is `None`; anything else must be
//! the documented JSON). `Option<web::Json<T>>` would turn a malformed body into `None`
//! without a word, and `web::Json` takes an array where an object is documented. The file of
//! a `multipart/form-data` upload comes out of [`multipart`].

pub mod multipart;
pub mod strict;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Code};
use crate::state::AppState;

/// A required JSON body of the documented shape.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The problem for a body that is JSON but not the documented shape, or not JSON at all.
pub fn problem(e: strict::BodyError) -> ApiError {
    if !e.error.is_data() {
        return ApiError::with(
            Code::InvalidJson,
            format!("the body is not valid JSON: {}", e.error),
        );
    }
    let message = e.error.to_string();
    // serde names a missing field in backticks, and the path is then the object's; the path
    // of an unknown field already ends with it.
    let missing = message
        .split_once("missing field `")
        .and_then(|(_, rest)| rest.split('`').next());
    let field = match (e.path.as_str(), missing) {
        ("", Some(name)) => name.to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        ("", None) => "body".to_owned(),
        (path, None) => path.to_owned(),
    };
    ApiError::field(&field, "invalid_field", message)
}

/// Reads a JSON body as `T`, strictly; the problems are those of every JSON write.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    strict::from_slice(bytes).map_err(problem)
}

/// The problem for a body that could not be read at all: over the `limit` (413), or cut off.
pub fn read_failure(e: &actix_web::Error, limit: usize) -> ApiError {
    if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::with(
            Code::PayloadTooLarge,
            format!("the body exceeds the limit of {limit} bytes"),
        )
    } else {
        ApiError::with(Code::InvalidBody, e.to_string())
    }
}

fn unsupported_media_type() -> ApiError {
    ApiError::with(
        Code::UnsupportedMediaType,
        "send the body as application/json",
    )
}

async fn bytes_of(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    // Reads under the app's `PayloadConfig` limit, which is the configured body limit.
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(0, |s| s.config.body_limit);
    web::Bytes::from_request(req, payload)
        .await
        .map_err(|e| read_failure(&e, limit))
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json(&req) {
                return Err(unsupported_media_type().into());
            }
            let bytes = bytes_of(&req, &mut payload).await?;
            Ok(Json(read(&bytes)?))
        })
    }
}

/// `Some(T)` for a JSON body of the right shape, `None` for an empty one.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

/// `application/json` or any `+json` type, parameters aside.
fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| m == "application/json" || m.ends_with("+json"))
}

/// Decides from the body's bytes and its declared type.
fn parse<T: DeserializeOwned>(req: &HttpRequest, bytes: &[u8]) -> Result<Option<T>, ApiError> {
    // No body at all; whitespace is a body, and not JSON.
    if bytes.is_empty() {
        return Ok(None);
    }
    if !is_json(req) {
        return Err(unsupported_media_type());
    }
    read(bytes).map(Some)
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let bytes = bytes_of(&req, &mut payload).await?;
            Ok(OptionalJson(parse(&req, &bytes)?))
        })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Shape {
        n: Option<u32>,
    }

    fn json_request() -> HttpRequest {
        TestRequest::default()
            .insert_header((CONTENT_TYPE, "application/json; charset=utf-8"))
            .to_http_request()
    }

    #[test]
    fn an_empty_body_is_none_whatever_its_type() {
        let plain = TestRequest::default().to_http_request();
        assert_eq!(parse::<Shape>(&plain, b"").unwrap(), None);
        assert_eq!(parse::<Shape>(&json_request(), b"").unwrap(), None);
    }

    #[test]
    fn whitespace_is_not_an_empty_body() {
        let e = parse::<Shape>(&json_request(), b" \n").unwrap_err();
        assert_eq!(e.code(), Code::InvalidJson);
    }

    #[test]
    fn the_documented_shape_is_read() {
        assert_eq!(
            parse::<Shape>(&json_request(), br#"{"n": 3}"#).unwrap(),
            Some(Shape { n: Some(3) })
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        rows: Vec<Shape>,
        name: String,
    }

    fn fields(body: &[u8]) -> Vec<String> {
        let problem = read::<Outer>(body).unwrap_err().to_problem();
        problem.errors.iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_problem_names_the_field_by_its_path() {
        assert_eq!(
            fields(br#"{"rows": [], "name": "x", "colour": 1}"#),
            ["colour"]
        );
        assert_eq!(fields(br#"{"rows": []}"#), ["name"]);
        assert_eq!(
            fields(br#"{"rows": [{"n": 1}, {"n": -1}], "name": "x"}"#),
            ["rows[1].n"]
        );
        assert_eq!(
            fields(br#"{"rows": [{"x": 1}], "name": "x"}"#),
            ["rows[0].x"]
        );
        assert_eq!(fields(br#"[1, 2]"#), ["body"]);
    }

    #[test]
    fn anything_else_is_a_problem() {
        let code = |req: &HttpRequest, body: &[u8]| parse::<Shape>(req, body).unwrap_err().code();
        assert_eq!(code(&json_request(), b"{not json"), Code::InvalidJson);
        assert_eq!(
            code(&json_request(), br#"{"extra": 1}"#),
            Code::ValidationFailed
        );
        let text = TestRequest::default()
            .insert_header((CONTENT_TYPE, "text/plain"))
            .to_http_request();
        assert_eq!(code(&text, br#"{"n": 3}"#), Code::UnsupportedMediaType);
        let untyped = TestRequest::default().to_http_request();
        assert_eq!(code(&untyped, br#"{"n": 3}"#), Code::UnsupportedMediaType);
    }
}
