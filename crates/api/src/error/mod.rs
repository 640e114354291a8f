//! Every error answer is `application/problem+json` (RFC 9457) with a stable `code`.
//! 5xx answers say nothing of internals; the cause is logged instead.

mod codes;
pub mod common;
pub mod problems;

pub use codes::Code;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use help_lms_domain::{FieldError, ValidationErrors};
use help_lms_persistence::StoreError;
use help_lms_persistence::error::Conflict;
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
    pub code: Code,
    /// For validation problems: every wrong field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For 429: seconds until the request may be retried (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The request's id, as in its `X-Request-Id` answer: quote it when asking for help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
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

/// What went wrong, in the shape the answer needs; the status and title come from the
/// [`Code`] table.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(ValidationErrors),
    #[error("not found")]
    NotFound,
    /// The path exists, but not with this method; `allow` lists the methods it takes.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<&'static str> },
    /// Any other problem: its code, and what to tell the client beyond the code's title.
    #[error("{code}: {}", detail.as_deref().unwrap_or(""))]
    Problem { code: Code, detail: Option<String> },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// Logged with its cause; the client learns nothing of it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<Code> for ApiError {
    fn from(code: Code) -> Self {
        match code {
            Code::NotFound => ApiError::NotFound,
            code => ApiError::Problem { code, detail: None },
        }
    }
}

impl ApiError {
    /// A problem with a detail for the client.
    pub fn with(code: Code, detail: impl Into<String>) -> Self {
        ApiError::Problem {
            code,
            detail: Some(detail.into()),
        }
    }

    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Validation(ValidationErrors::single(field, code, message))
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    /// The stable code of this error.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::NotFound => Code::NotFound,
            ApiError::MethodNotAllowed { .. } => Code::MethodNotAllowed,
            ApiError::Problem { code, .. } => *code,
            ApiError::TooManyRequests { .. } => Code::TooManyRequests,
            ApiError::Internal(_) => Code::InternalError,
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
            ApiError::Problem { detail, .. } => detail.clone(),
            ApiError::TooManyRequests { retry_after_secs } => {
                Some(format!("retry after {retry_after_secs} seconds"))
            }
            ApiError::MethodNotAllowed { allow } => {
                Some(format!("this resource takes {}", allow.join(", ")))
            }
            ApiError::NotFound | ApiError::Internal(_) => None,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let code = self.code();
        Problem {
            type_: format!("/problems/{code}"),
            title: code.title().to_owned(),
            status: code.status().as_u16(),
            detail: self.detail(),
            code,
            errors: match self {
                ApiError::Validation(v) => v.0.iter().map(ProblemField::from).collect(),
                _ => Vec::new(),
            },
            retry_after: match self {
                ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
                _ => None,
            },
            request_id: crate::request_id::current(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
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
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if let ApiError::MethodNotAllowed { allow } = self {
            res.insert_header((header::ALLOW, allow.join(", ")));
        }
        if self.status_code() == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
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
            StoreError::Conflict(c) => {
                let code = match c {
                    Conflict::AlreadyEnrolled => Code::AlreadyEnrolled,
                    Conflict::CohortClosed => Code::CohortClosed,
                    Conflict::CohortEnded(_) => Code::CohortEnded,
                    Conflict::InvitationAnswered(_) => Code::InvitationAnswered,
                    Conflict::NotALearner => Code::NotALearner,
                    Conflict::EnrolledInAnotherCohort => Code::EnrolledInAnotherCohort,
                    Conflict::CourseCompleted => Code::CourseCompleted,
                    Conflict::StatementIdTaken => Code::StatementConflict,
                    Conflict::DocumentRaced => Code::DocumentConflict,
                    Conflict::EnrolmentNotActive(
                        help_lms_domain::enrolment::EnrolmentStatus::Completed,
                    ) => Code::EnrolmentCompleted,
                    Conflict::EnrolmentNotActive(_) => Code::EnrolmentNotActive,
                    Conflict::AttemptLimitReached(_) => Code::AttemptLimitReached,
                    Conflict::AttemptClosed => Code::AttemptClosed,
                    Conflict::AttemptRaced => Code::AttemptConflict,
                    Conflict::InvalidTransition => Code::InvalidTransition,
                };
                ApiError::with(code, c.to_string())
            }
            StoreError::Validation(v) => ApiError::Validation(v),
            other => ApiError::Internal(other.to_string()),
        }
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
    fn method_not_allowed_carries_allow() {
        let (status, j, h) = body_json(ApiError::MethodNotAllowed {
            allow: vec!["GET", "POST"],
        });
        assert_eq!(status, 405);
        assert_eq!(h.get("allow").unwrap(), "GET, POST");
        assert_eq!(j["code"], "method_not_allowed");
        assert_eq!(j["type"], "/problems/method_not_allowed");
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
