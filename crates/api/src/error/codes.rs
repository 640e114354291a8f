//! The table of problem codes: every stable `code` the API answers, once, with its HTTP
//! status, its title and what to do about it. The problem JSON, the problem type pages
//! (`/problems/{code}`) and the OpenAPI schema all come from here.

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $text:literal, $status:ident, $title:literal, $advice:literal; )+) => {
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

            /// What the client (or the person behind it) can do about the problem, for the
            /// problem type's page.
            pub fn advice(self) -> &'static str {
                match self { $(Code::$name => $advice),+ }
            }

            /// The code with this text, if any.
            pub fn parse(text: &str) -> Option<Code> {
                match text { $($text => Some(Code::$name),)+ _ => None }
            }
        }
    };
}

codes! {
    // 400: the request cannot be read.
    InvalidJson = "invalid_json", BAD_REQUEST, "The body is not valid JSON",
        "Send a well-formed JSON body; `detail` gives the position of the error.";
    InvalidBody = "invalid_body", BAD_REQUEST, "The body could not be read",
        "Send the body again in full; `detail` says why it could not be read.";
    InvalidPath = "invalid_path", BAD_REQUEST, "A path parameter is malformed",
        "Correct the path parameter; ids are UUIDs and slugs are lowercase words joined by hyphens.";
    InvalidCsv = "invalid_csv", BAD_REQUEST, "The CSV could not be read",
        "Fix the CSV where `detail` says and send it again.";
    InvalidEncoding = "invalid_encoding", BAD_REQUEST, "The body is not UTF-8",
        "Send the body as UTF-8 text.";
    /// Responses that name questions or options outside the attempt, or have the wrong shape.
    InvalidResponses = "invalid_responses", BAD_REQUEST, "The quiz responses do not fit the attempt",
        "Answer only the attempt's questions, with their option or item ids and the right shape for each question kind.";
    InvalidActivationToken = "invalid_activation_token", BAD_REQUEST, "The activation token is unknown or used",
        "The invitation was used, or a newer one replaced it: use the newest invitation, sign in if the account is active, or ask the institution's manager or an admin to send the invitation again.";
    ActivationTokenExpired = "activation_token_expired", BAD_REQUEST, "The invitation has expired",
        "Ask the institution's manager (or the HELP secretariat) to send the invitation again, or ask for a password reset with your address: it activates the account too.";
    InvalidConfirmationToken = "invalid_confirmation_token", BAD_REQUEST, "The confirmation link is unknown or used",
        "The address may already be confirmed: try signing in. Otherwise use the newest message, or register again with the same address.";
    ConfirmationTokenExpired = "confirmation_token_expired", BAD_REQUEST, "The confirmation link has expired",
        "Register again with the same address: a new link is sent.";
    InvalidResetToken = "invalid_reset_token", BAD_REQUEST, "The password reset link is unknown or used",
        "Use the newest reset message, or ask for a new link with `POST /api/v1/auth/forgot-password`.";
    ResetTokenExpired = "reset_token_expired", BAD_REQUEST, "The password reset link has expired",
        "Ask for a new link with `POST /api/v1/auth/forgot-password`; links work for one hour.";
    /// The learning record store (`/xapi`) refuses a statement, a document or a query.
    InvalidXapiRequest = "invalid_xapi_request", BAD_REQUEST, "The xAPI request is not valid",
        "Correct what `detail` names (a statement's property, a parameter or a header) following xAPI 2.0 (IEEE 9274.1.1), and send the request again.";
    // 401: who is asking is not proven.
    MissingToken = "missing_token", UNAUTHORIZED, "An access token is required",
        "Sign in and send the access token as `Authorization: Bearer <token>`.";
    InvalidToken = "invalid_token", UNAUTHORIZED, "The access token is invalid",
        "Sign in again for a new access token.";
    TokenExpired = "token_expired", UNAUTHORIZED, "The access token has expired",
        "Get a new access token with the refresh token, or sign in again.";
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED, "The email or password is wrong",
        "Check the email and password and try again.";
    InvalidRefreshToken = "invalid_refresh_token", UNAUTHORIZED, "The refresh token is invalid, expired or used",
        "Sign in again with the email and password.";
    AccountInactive = "account_inactive", UNAUTHORIZED, "This account cannot sign in",
        "Activate the account from its invitation, or ask an admin why it was suspended.";
    ClientRevoked = "client_revoked", UNAUTHORIZED, "This API client has been revoked",
        "Ask the institution's manager for a new API client.";
    InvalidLrsCredential = "invalid_lrs_credential", UNAUTHORIZED, "The learning record store credential is missing or wrong",
        "Send `Authorization: Basic` with the key and secret of an LRS credential that an admin or your institution's manager created.";
    // 403: known, but not allowed.
    AdminOnly = "admin_only", FORBIDDEN, "Only admins may do this",
        "Ask a HELP programme admin to do this.";
    StaffOnly = "staff_only", FORBIDDEN, "Only tutors, managers and admins may do this",
        "Ask a tutor or manager of the institution, or an admin, to do this.";
    ManagersOnly = "managers_only", FORBIDDEN, "Only the institution's managers and admins may do this",
        "Ask a manager of the institution, or an admin, to do this.";
    OwnerOnly = "owner_only", FORBIDDEN, "Only the learner may do this",
        "Only the learner's own account can do this; tutors may read it.";
    PeopleOnly = "people_only", FORBIDDEN, "An API client may not do this; a person must",
        "Do this signed in as a person rather than with an API client token.";
    RoleNotAllowed = "role_not_allowed", FORBIDDEN, "You may not give this role",
        "Give only the roles your own role may give; ask an admin for the others.";
    RegistrationDisabled = "registration_disabled", FORBIDDEN, "Self-registration is turned off",
        "Ask your national training institution to enrol you.";
    // 404, 405, 406
    NotFound = "not_found", NOT_FOUND, "Not found",
        "Check the address and the id; resources you may not see are not found either.";
    NotAcceptable = "not_acceptable", NOT_ACCEPTABLE, "No acceptable representation",
        "Accept one of the media types the OpenAPI document lists for this operation.";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "The resource does not take this method",
        "Use one of the methods the `Allow` header lists.";
    // 409: the request conflicts with the current state.
    AlreadyEnrolled = "already_enrolled", CONFLICT, "Already enrolled in this course",
        "Continue the existing enrolment; `GET /api/v1/me/enrolments` lists it.";
    CohortClosed = "cohort_closed", CONFLICT, "The cohort is closed to new enrolments",
        "Enrol the learners in another cohort, or ask the institution's manager to open a new one.";
    CohortEnded = "cohort_ended", CONFLICT, "The cohort's end date has passed",
        "A manager can move the end date (`PATCH /api/v1/cohorts/{id}`) or let learners continue after it (`after_end: continue`).";
    InvitationAnswered = "invitation_answered", CONFLICT, "The invitation was already answered or has expired",
        "`GET /api/v1/me/invitations` lists the invitations still waiting for your answer.";
    SignInToJoin = "sign_in_to_join", CONFLICT, "This link asks an existing account to join a cohort",
        "Sign in with your account, then accept the invitation (`POST /api/v1/me/invitations/accept` with this token, or the page the link opens).";
    NotALearner = "not_a_learner", CONFLICT, "Only learner accounts join cohorts",
        "Staff and admin accounts do not take courses as cohort learners; use a learner account.";
    EnrolledInAnotherCohort = "enrolled_in_another_cohort", CONFLICT, "Already enrolled in this course with another cohort",
        "Finish or withdraw from that enrolment first; `GET /api/v1/me/enrolments` lists it.";
    CourseCompleted = "course_completed", CONFLICT, "The course is completed; its record is final",
        "Your certificate and results stay available; `GET /api/v1/me/enrolments` lists them.";
    CertificateRevoked = "certificate_revoked", CONFLICT, "The certificate has been revoked",
        "A revoked certificate is not printed; `GET /api/v1/certificates/{code}` says when it was revoked.";
    CertificateErased = "certificate_erased", CONFLICT, "The certificate's holder was erased",
        "The certificate was earned, but its holder's personal data has been erased: it is neither printed nor issued as a credential any more, and `GET /api/v1/certificates/{code}` answers it as `erased`.";
    EnrolmentNotActive = "enrolment_not_active", CONFLICT, "The enrolment takes no further progress",
        "Nothing more can be recorded for this enrolment; `GET /api/v1/enrolments/{id}` shows its status.";
    EnrolmentCompleted = "enrolment_completed", CONFLICT, "The enrolment is completed; its record is final",
        "Nothing more can be attempted or graded in a completed course; `GET /api/v1/enrolments/{id}` shows its result.";
    AttemptLimitReached = "attempt_limit_reached", CONFLICT, "No attempts are left",
        "No attempts are left; the quiz's result stands as graded.";
    AttemptClosed = "attempt_closed", CONFLICT, "The attempt is already submitted",
        "Read the graded attempt with `GET /api/v1/attempts/{id}`; start a new attempt if any are left.";
    AttemptConflict = "attempt_conflict", CONFLICT, "Another request changed the attempt; try again",
        "Read the attempt again, then repeat the request.";
    DeadlinePassed = "deadline_passed", CONFLICT, "The attempt's deadline has passed",
        "The attempt was graded with its saved responses; read it, and start a new attempt if any are left.";
    NotInvited = "not_invited", CONFLICT, "The account is not waiting for its invitation",
        "An active account's owner can reset the password; a disabled account must be enabled first.";
    InvalidTransition = "invalid_transition", CONFLICT, "The course cannot change to this status",
        "Read the course's current status; only some changes are possible from each.";
    StatementConflict = "statement_conflict", CONFLICT, "A different statement with this id is stored",
        "Statements are immutable: send the new statement with a new id.";
    DocumentConflict = "document_conflict", CONFLICT, "The document exists; say which version you change",
        "Read the document, then send the change with `If-Match` and its ETag (or `If-None-Match: *` to create only).";
    IdempotencyKeyReused = "idempotency_key_reused", CONFLICT, "The Idempotency-Key was used for another request",
        "Send a new Idempotency-Key for a different request.";
    // 412
    PreconditionFailed = "precondition_failed", PRECONDITION_FAILED, "The document changed since it was read",
        "Read the document again for its current ETag, and send the change with it.";
    // 413, 415, 422, 429
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "The request body is too large",
        "Send a smaller body, or split the upload into several requests.";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
        "Send the body with the Content-Type the OpenAPI document gives for this operation.";
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY, "The request has invalid fields",
        "Correct the fields listed in `errors` and send the request again.";
    TooManyRequests = "too_many_requests", TOO_MANY_REQUESTS, "Too many requests",
        "Wait the seconds given in `Retry-After`, then try again.";
    // 5xx: nothing of internals is said.
    InternalError = "internal_error", INTERNAL_SERVER_ERROR, "Internal server error",
        "Try again later; if it persists, tell the HELP platform's operators the time of the request.";
    ServiceUnavailable = "service_unavailable", SERVICE_UNAVAILABLE, "The service is not ready",
        "Try again in a moment; the service is starting or cannot reach its database.";
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
            assert!(c.advice().ends_with('.'), "{c}: advice is a sentence");
            assert_eq!(Code::parse(c.as_str()), Some(*c));
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
        assert_eq!(
            Code::MethodNotAllowed.status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(Code::parse("nope"), None);
    }
}
