//! A JSON body that may be absent: an empty body is `None`; anything else must be the
//! documented JSON, or the request fails with the same problems as `web::Json`.
//! (`Option<web::Json<T>>` would turn a malformed body into `None` without a word.)

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::app::json_problem;
use crate::error::{ApiError, Code};

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
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json(req) {
        return Err(json_problem(&JsonPayloadError::ContentType));
    }
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| json_problem(&JsonPayloadError::Deserialize(e)))
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        // Reads under the app's `PayloadConfig` limit.
        let bytes = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::with(Code::PayloadTooLarge, e.to_string())
                } else {
                    ApiError::with(Code::InvalidBody, e.to_string())
                }
            })?;
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
        assert_eq!(parse::<Shape>(&json_request(), b" \n").unwrap(), None);
    }

    #[test]
    fn the_documented_shape_is_read() {
        assert_eq!(
            parse::<Shape>(&json_request(), br#"{"n": 3}"#).unwrap(),
            Some(Shape { n: Some(3) })
        );
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
