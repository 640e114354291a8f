//! The problem answers, once each, for the `responses(...)` of `#[utoipa::path]`: every
//! one is `application/problem+json` with the [`Problem`] body.

use utoipa::IntoResponses;

use super::Problem;

macro_rules! problem_responses {
    ($( $(#[doc = $doc:literal])* $name:ident = $status:literal; )+) => {
        $(
            $(#[doc = $doc])*
            #[derive(IntoResponses)]
            #[response(status = $status, content_type = "application/problem+json")]
            #[allow(dead_code)]
            pub struct $name(Problem);
        )+
    };
}

problem_responses! {
    /// The request cannot be read: malformed JSON, CSV, path or parameters; `code` says which.
    BadRequest = 400;
    /// Not signed in: no valid token or credentials, or the account cannot sign in.
    Unauthorized = 401;
    /// Signed in, but not allowed to do this; `code` says who may.
    Forbidden = 403;
    /// No such resource, or not one the caller may see (`not_found`).
    NotFound = 404;
    /// None of the representations in `Accept` can be produced (`not_acceptable`).
    NotAcceptable = 406;
    /// The request conflicts with the resource's current state; `code` says how.
    Conflict = 409;
    /// The body is over the size limit (`payload_too_large`).
    PayloadTooLarge = 413;
    /// The body's media type is not one this operation reads (`unsupported_media_type`).
    UnsupportedMediaType = 415;
    /// Fields are invalid; `errors` lists every one (`validation_failed`).
    Unprocessable = 422;
    /// Too many attempts; retry after `Retry-After` seconds (`too_many_requests`).
    TooManyRequests = 429;
    /// Not ready: the database cannot be reached (`service_unavailable`).
    Unavailable = 503;
}
