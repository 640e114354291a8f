//! The table of problem codes: every stable `code` the API answers, once, with its HTTP
//! status and its title. The problem JSON and the OpenAPI schema both come from here.

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $text:literal, $status:ident, $title:literal; )+) => {
        /// A stable, machine-readable problem code; also the last segment of the problem's
        /// `type` (`/problems/{code}`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Code {
            $( $(#[doc = $doc])* $name, )+
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $text),+ }
            }

            pub fn status(self) -> StatusCode {
                match self { $(Code::$name => StatusCode::$status),+ }
            }

            /// The problem type's short, human-readable summary (RFC 9457 `title`).
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title),+ }
            }
        }
    };
}

codes! {
    // 400: the request cannot be read.
    InvalidJson = "invalid_json", BAD_REQUEST, "The body is not valid JSON";
    InvalidBody = "invalid_body", BAD_REQUEST, "The body could not be read";
    InvalidPath = "invalid_path", BAD_REQUEST, "A path parameter is malformed";
    InvalidCsv = "invalid_csv", BAD_REQUEST, "The CSV could not be read";
    InvalidEncoding = "invalid_encoding", BAD_REQUEST, "The body is not UTF-8";
    /// Responses that name questions or options outside the attempt, or have the wrong shape.
    InvalidResponses = "invalid_responses", BAD_REQUEST, "The quiz responses do not fit the attempt";
    InvalidActivationToken = "invalid_activation_token", BAD_REQUEST, "The activation token is unknown, expired or used";
    // 401: who is asking is not proven.
    MissingToken = "missing_token", UNAUTHORIZED, "An access token is required";
    InvalidToken = "invalid_token", UNAUTHORIZED, "The access token is invalid";
    TokenExpired = "token_expired", UNAUTHORIZED, "The access token has expired";
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED, "The email or password is wrong";
    InvalidRefreshToken = "invalid_refresh_token", UNAUTHORIZED, "The refresh token is invalid, expired or used";
    AccountInactive = "account_inactive", UNAUTHORIZED, "This account cannot sign in";
    ClientRevoked = "client_revoked", UNAUTHORIZED, "This API client has been revoked";
    // 403: known, but not allowed.
    AdminOnly = "admin_only", FORBIDDEN, "Only admins may do this";
    StaffOnly = "staff_only", FORBIDDEN, "Only tutors, managers and admins may do this";
    ManagersOnly = "managers_only", FORBIDDEN, "Only the institution's managers and admins may do this";
    OwnerOnly = "owner_only", FORBIDDEN, "Only the learner may do this";
    PeopleOnly = "people_only", FORBIDDEN, "An API client may not do this; a person must";
    RoleNotAllowed = "role_not_allowed", FORBIDDEN, "You may not give this role";
    RegistrationDisabled = "registration_disabled", FORBIDDEN, "Self-registration is turned off";
    // 404, 406
    NotFound = "not_found", NOT_FOUND, "Not found";
    NotAcceptable = "not_acceptable", NOT_ACCEPTABLE, "No acceptable representation";
    // 409: the request conflicts with the current state.
    AlreadyEnrolled = "already_enrolled", CONFLICT, "Already enrolled in this course";
    CohortClosed = "cohort_closed", CONFLICT, "The cohort is closed to new enrolments";
    EnrolmentNotActive = "enrolment_not_active", CONFLICT, "The enrolment takes no further progress";
    AttemptLimitReached = "attempt_limit_reached", CONFLICT, "No attempts are left";
    AttemptClosed = "attempt_closed", CONFLICT, "The attempt is already submitted";
    AttemptConflict = "attempt_conflict", CONFLICT, "Another request changed the attempt; try again";
    DeadlinePassed = "deadline_passed", CONFLICT, "The attempt's deadline has passed";
    InvalidTransition = "invalid_transition", CONFLICT, "The course cannot change to this status";
    IdempotencyKeyReused = "idempotency_key_reused", CONFLICT, "The Idempotency-Key was used for another request";
    // 413, 415, 422, 429
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "The request body is too large";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type";
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY, "The request has invalid fields";
    TooManyRequests = "too_many_requests", TOO_MANY_REQUESTS, "Too many requests";
    // 5xx: nothing of internals is said.
    InternalError = "internal_error", INTERNAL_SERVER_ERROR, "Internal server error";
    ServiceUnavailable = "service_unavailable", SERVICE_UNAVAILABLE, "The service is not ready";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_serialises_as_its_text_once() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str(), "{c:?}");
            assert!(seen.insert(c.as_str()), "{c} appears twice");
            assert!(c.status().is_client_error() || c.status().is_server_error());
            assert!(!c.title().is_empty());
        }
    }

    #[test]
    fn codes_are_pinned() {
        // Clients match on these strings: changing one is a breaking change.
        assert_eq!(Code::ValidationFailed.as_str(), "validation_failed");
        assert_eq!(
            Code::ValidationFailed.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(Code::CohortClosed.status(), StatusCode::CONFLICT);
        assert_eq!(Code::OwnerOnly.status(), StatusCode::FORBIDDEN);
        assert_eq!(Code::TokenExpired.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(Code::InvalidCsv.status(), StatusCode::BAD_REQUEST);
    }
}
