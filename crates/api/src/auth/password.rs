//! Passwords: asking for a reset link (answered 202 the same way whether or not the
//! address has an account), setting a new password with it, and changing one's own. A new
//! password ends every session of the account.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use help_lms_domain::accounts::User;
use help_lms_domain::values::{Email, NewPassword};
use help_lms_persistence::accounts::flows;
use help_lms_persistence::{accounts, rate_limit, throttle};
use serde::Deserialize;
use utoipa::ToSchema;

use super::account::{
    Accepted, AcceptedStatus, address, limit, refused, token_and_password, within,
};
use super::routes::{TokenResponse, tokens_for};
use crate::auth::Person;
use crate::error::{ApiError, Code, problems};
use crate::state::AppState;

const RESET_ACCEPTED: Accepted = Accepted {
    status: AcceptedStatus::Accepted,
    detail: "If this address has an account, a message with a link to set a new password is on its way. The link works for 1 hour.",
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    #[schema(value_type = help_lms_domain::values::Email)]
    pub email: String,
}

/// Ask for a password reset link
///
/// Anyone. Answers 202 the same way whether or not the address has an account; if it has
/// one that is not disabled, its owner gets a link that sets a new password (valid 1 hour,
/// once; a newer request replaces it). An account never activated is activated by the
/// reset. At most a few messages per address and hour are sent; further requests are
/// answered the same way and send nothing.
///
/// Problems: `validation_failed` (422: a malformed email), `too_many_requests` (429: too
/// many requests from this client address).
#[utoipa::path(
    tags = ["public"],
    operation_id = "forgot_password",
    request_body(content = ForgotPasswordRequest, example = json!({"email": "ana.popescu@example.ro"})),
    responses(
        (status = 202, description = "Accepted; a link goes by mail if the address has an account", body = Accepted),
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/auth/forgot-password", wrap = "crate::headers::no_store()")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    reset_request(&state, &req, &body.email).await?;
    Ok(HttpResponse::Accepted().json(RESET_ACCEPTED))
}

/// Sends a reset link to the address's account, if it has one and the limits allow.
pub(crate) async fn reset_request(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
) -> Result<(), ApiError> {
    let email = Email::parse(email).map_err(|e| ApiError::field("email", e.code, e.message))?;
    let limits = state.config.limits;
    limit(
        state,
        &rate_limit::key("reset-ip", &address(state, req)),
        limits.reset_per_address,
    )
    .await?;
    let per_account = rate_limit::personal_key("reset", email.as_str());
    if within(state, &per_account, limits.reset_per_account).await?
        && flows::request_reset(
            &state.db,
            state.composer.as_ref(),
            state.composer.lifetimes,
            &email,
        )
        .await?
    {
        state.mail_wake.notify_one();
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the reset message.
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    #[schema(value_type = help_lms_domain::values::NewPassword)]
    pub password: String,
}

/// Set a new password with a reset link and sign in
///
/// Whoever holds the token of a reset message. Sets the password, ends every session of
/// the account (refresh tokens stop working at once), tells the owner by mail, and signs in
/// with a new session.
///
/// Problems: `invalid_reset_token` (400: unknown, used, or replaced by a newer request),
/// `reset_token_expired` (400: ask for a new link), `account_inactive` (401: the account
/// is disabled), `validation_failed` (422: the password), `too_many_requests` (429).
#[utoipa::path(
    tags = ["public"],
    operation_id = "reset_password",
    request_body(content = ResetPasswordRequest, example = json!({"token": "h0mT2Qd9fJ3kLpW8sZr5xVb1nC7yGe4uAi6oKq2Ej9M", "password": "Curtea-de-Apel-2026"})),
    responses(
        (status = 200, description = "The password is set; every other session ended; signed in", body = TokenResponse),
        problems::BadRequest,
        problems::Unauthorized,
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/auth/reset-password", wrap = "crate::headers::no_store()")]
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let user = reset(&state, &req, &b.token, &b.password).await?;
    Ok(HttpResponse::Ok().json(tokens_for(&state, user).await?))
}

/// Sets the password of a reset token's account.
pub(crate) async fn reset(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
    password: &str,
) -> Result<User, ApiError> {
    let hash = token_and_password(state, req, password).await?;
    let user = flows::complete_reset(&state.db, state.composer.as_ref(), token, hash)
        .await?
        .map_err(|why| refused(why, Code::InvalidResetToken, Code::ResetTokenExpired))?;
    state.mail_wake.notify_one();
    // The owner proved the address: a lock from wrong guesses ends too.
    throttle::clear(&state.db, &throttle::account_key(user.email.as_str())).await?;
    tracing::info!(user_id = %user.id, "password reset; sessions ended");
    Ok(user)
}

/// Whether `password` is `user`'s: a wrong one is named as `field` (422 wrong_password) and
/// counts towards the account's sign-in lock (429 while locked).
pub(crate) async fn confirm_password(
    state: &AppState,
    user: &help_lms_domain::accounts::User,
    password: String,
    field: &str,
) -> Result<(), ApiError> {
    let key = throttle::account_key(user.email.as_str());
    let now = Utc::now();
    if let Some(wait) =
        throttle::locked_for(&state.db.conn, std::slice::from_ref(&key), now).await?
    {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait.num_seconds().max(1) as u64,
        });
    }
    let hash = accounts::find_for_login(&state.db.conn, &user.email)
        .await?
        .and_then(|(_, h)| h);
    if !state.hasher.verify(password, hash).await? {
        let policy = state.config.throttle;
        throttle::record_failure(&state.db, &policy, &key, policy.per_account, now).await?;
        return Err(ApiError::field(
            field,
            "wrong_password",
            "the password is wrong",
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(format = Password, max_length = 1024)]
    pub current_password: String,
    #[schema(value_type = help_lms_domain::values::NewPassword)]
    pub new_password: String,
}

/// Change my password
///
/// A signed-in person (not an API client), with their current password. Sets the new
/// one, ends every session of the account (other devices are signed out; their refresh
/// tokens stop working at once), tells the owner by mail, and answers a new session.
/// Wrong current passwords count towards the account's sign-in lock.
///
/// Problems: `people_only` (403), `validation_failed` (422: `current_password` is wrong,
/// or `new_password` breaks the policy), `too_many_requests` (429).
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "change_password",
    security(("bearer" = [])),
    request_body(content = ChangePasswordRequest, example = json!({"current_password": "Dreptate-si-lege-2026", "new_password": "Justitie-pentru-toti-2027"})),
    responses(
        (status = 200, description = "Changed; every session ended; a new session", body = TokenResponse),
        problems::Forbidden,
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/me/password", wrap = "crate::headers::no_store()")]
pub async fn change_password(
    state: web::Data<AppState>,
    Person(actor): Person,
    body: crate::body::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewPassword::parse(&b.new_password)
        .map_err(|e| ApiError::field("new_password", e.code, e.message))?;
    let user = accounts::find(&state.db.conn, actor.user_id)
        .await?
        .ok_or(ApiError::from(Code::InvalidToken))?;
    confirm_password(&state, &user, b.current_password, "current_password").await?;
    let new_hash = state.hasher.hash(new.expose().to_owned()).await?;
    let user =
        flows::change_password(&state.db, state.composer.as_ref(), user.id, new_hash).await?;
    state.mail_wake.notify_one();
    tracing::info!(user_id = %user.id, "password changed; sessions ended");
    Ok(HttpResponse::Ok().json(tokens_for(&state, user).await?))
}
