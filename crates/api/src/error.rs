//! Every error answer is `application/problem+json` (RFC 9457) with a stable `code`.
//! 5xx answers say nothing of internals; the cause is logged instead.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use help_lms_domain::{FieldError, ValidationErrors};
use help_lms_persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem detail, as sent to clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, also the last segment of `type`.
    pub code: String,
    /// For validation problems: every wrong field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For 429: seconds until the request may be retried (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field, as a dotted path (`rows.3.email`).
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<&FieldError> for ProblemField {
    fn from(e: &FieldError) -> Self {
        ProblemField {
            field: e.field.clone(),
            code: e.code.to_owned(),
            message: e.message.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(ValidationErrors),
    #[error("bad request: {detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("not acceptable")]
    NotAcceptable(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Validation(ValidationErrors::single(field, code, message))
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest { code, .. } => code,
            ApiError::Unauthorized(code) => code,
            ApiError::Forbidden(code) => code,
            ApiError::NotFound => "not_found",
            ApiError::Conflict { code, .. } => code,
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::NotAcceptable(_) => "not_acceptable",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Unavailable => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "The request has invalid fields",
            ApiError::BadRequest { .. } => "The request is malformed",
            ApiError::Unauthorized(_) => "Authentication is required",
            ApiError::Forbidden(_) => "This action is not allowed for you",
            ApiError::NotFound => "Not found",
            ApiError::Conflict { .. } => "The request conflicts with the current state",
            ApiError::PayloadTooLarge(_) => "The request body is too large",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::NotAcceptable(_) => "No acceptable representation",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::Unavailable => "The service is not ready",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            ApiError::Validation(v) => Some(format!(
                "invalid: {}",
                v.0.iter()
                    .map(|e| e.field.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            ApiError::BadRequest { detail, .. } | ApiError::Conflict { detail, .. } => {
                Some(detail.clone())
            }
            ApiError::Unauthorized(code) => Some(
                match *code {
                    "invalid_credentials" => "the email or password is wrong",
                    "token_expired" => "the access token has expired; refresh it",
                    "invalid_refresh_token" => {
                        "the refresh token is invalid, expired or already used; log in again"
                    }
                    "missing_token" => "send an access token as 'Authorization: Bearer <token>'",
                    "account_inactive" => "this account cannot sign in",
                    _ => "the access token is invalid",
                }
                .to_owned(),
            ),
            ApiError::Forbidden(code) => Some(code.replace('_', " ")),
            ApiError::PayloadTooLarge(d)
            | ApiError::UnsupportedMediaType(d)
            | ApiError::NotAcceptable(d) => Some(d.clone()),
            ApiError::TooManyRequests { retry_after_secs } => {
                Some(format!("retry after {retry_after_secs} seconds"))
            }
            ApiError::NotFound | ApiError::Unavailable | ApiError::Internal(_) => None,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let code = self.code();
        Problem {
            type_: format!("/problems/{code}"),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: code.to_owned(),
            errors: match self {
                ApiError::Validation(v) => v.0.iter().map(ProblemField::from).collect(),
                _ => Vec::new(),
            },
            retry_after: match self {
                ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = %cause, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            ApiError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.to_problem()).unwrap_or_else(|_| "{}".to_owned()))
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(v: ValidationErrors) -> Self {
        ApiError::Validation(v)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict { code, message } => ApiError::Conflict {
                code,
                detail: message,
            },
            StoreError::Validation(v) => ApiError::Validation(v),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_json(e: ApiError) -> (u16, serde_json::Value, actix_web::http::header::HeaderMap) {
        let res = e.error_response();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().try_into_bytes().unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), headers)
    }

    #[test]
    fn validation_problem_lists_fields() {
        let mut v = ValidationErrors::new();
        v.push("email", "invalid_email", "not a valid email address");
        v.push("country", "invalid_country", "bad");
        let (status, j, h) = body_json(ApiError::Validation(v));
        assert_eq!(status, 422);
        assert_eq!(h.get("content-type").unwrap(), "application/problem+json");
        assert_eq!(j["type"], "/problems/validation_failed");
        assert_eq!(j["code"], "validation_failed");
        assert_eq!(j["status"], 422);
        assert_eq!(j["errors"][0]["field"], "email");
        assert_eq!(j["errors"][1]["code"], "invalid_country");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let (status, j, _) = body_json(ApiError::Internal(
            "connection to 10.0.0.3 refused: password=x".into(),
        ));
        assert_eq!(status, 500);
        let text = j.to_string();
        assert!(!text.contains("10.0.0.3") && !text.contains("password"));
        assert_eq!(j["code"], "internal_error");
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let (status, j, h) = body_json(ApiError::TooManyRequests {
            retry_after_secs: 42,
        });
        assert_eq!(status, 429);
        assert_eq!(h.get("retry-after").unwrap(), "42");
        assert_eq!(j["retry_after"], 42);
    }
}
