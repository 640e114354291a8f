//! The error answers of the OAuth 2.0 token endpoint (`POST /auth/token`), in the shape
//! OAuth client libraries read (RFC 6749 section 5.2) rather than problem+json.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use help_lms_persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The error codes of RFC 6749 section 5.2. This server sends `invalid_request`,
/// `invalid_client` and `unsupported_grant_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
}

impl OAuthErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            // The RFC allows 400 here, but requires 401 when the client tried Basic; 401
            // always keeps the answer the same whichever way the client authenticated.
            OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An error of the token endpoint (RFC 6749 section 5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    pub error: OAuthErrorCode,
    /// What was wrong, in English, for the client's developer.
    pub error_description: String,
}

/// Why the token endpoint refused: an OAuth error, or (for a failure of the server itself)
/// the usual problem answer.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{error:?}: {description}")]
    OAuth {
        error: OAuthErrorCode,
        description: String,
    },
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl TokenError {
    fn oauth(error: OAuthErrorCode, description: impl Into<String>) -> Self {
        TokenError::OAuth {
            error,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::oauth(OAuthErrorCode::InvalidRequest, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::oauth(OAuthErrorCode::InvalidClient, description)
    }

    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::oauth(OAuthErrorCode::UnsupportedGrantType, description)
    }
}

impl From<StoreError> for TokenError {
    fn from(e: StoreError) -> Self {
        TokenError::Api(e.into())
    }
}

impl ResponseError for TokenError {
    fn status_code(&self) -> StatusCode {
        match self {
            TokenError::OAuth { error, .. } => error.status(),
            TokenError::Api(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            TokenError::Api(e) => e.error_response(),
            TokenError::OAuth { error, description } => {
                let mut res = HttpResponse::build(error.status());
                res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
                    .insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")));
                if *error == OAuthErrorCode::InvalidClient {
                    // Sent whichever way the client authenticated: every 401 names a scheme
                    // (RFC 9110 section 15.5.2), and Basic is the one this endpoint takes.
                    res.insert_header((
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static(r#"Basic realm="help-lms""#),
                    ));
                }
                res.json(OAuthError {
                    error: *error,
                    error_description: description.clone(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn answer(e: TokenError) -> (u16, serde_json::Value, header::HeaderMap) {
        let res = e.error_response();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().try_into_bytes().unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), headers)
    }

    #[test]
    fn errors_have_the_rfc_6749_shape_and_are_not_cached() {
        let (status, j, h) = answer(TokenError::unsupported_grant_type(
            "only client_credentials",
        ));
        assert_eq!(status, 400);
        assert_eq!(
            j,
            serde_json::json!({"error": "unsupported_grant_type", "error_description": "only client_credentials"})
        );
        assert_eq!(h.get("content-type").unwrap(), "application/json");
        assert_eq!(h.get("cache-control").unwrap(), "no-store");
        assert_eq!(h.get("pragma").unwrap(), "no-cache");
        assert!(h.get("www-authenticate").is_none());
    }

    #[test]
    fn a_wrong_client_is_401_with_a_basic_challenge() {
        let (status, j, h) = answer(TokenError::invalid_client("wrong"));
        assert_eq!(status, 401);
        assert_eq!(j["error"], "invalid_client");
        assert_eq!(
            h.get("www-authenticate").unwrap(),
            r#"Basic realm="help-lms""#
        );
    }

    #[test]
    fn server_failures_stay_problems() {
        let res = TokenError::Api(ApiError::internal("db down")).error_response();
        assert_eq!(res.status(), 500);
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }
}
