//! Getting into an account: verified self-registration, activation of an invitation and
//! address confirmation (passwords are in [`super::password`]), with the rate limits they
//! share. Answers never tell a stranger whether an address has an account: registration
//! answers 202 the same way whatever happens, and what differs goes by mail to the
//! address's owner.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use help_lms_domain::ValidationErrors;
use help_lms_domain::accounts::User;
use help_lms_domain::values::{Country, Email, Language, NewPassword, PersonName, Profession};
use help_lms_persistence::account_tokens::Refused;
use help_lms_persistence::accounts::flows::{self, Registration, TokenRefused};
use help_lms_persistence::cohorts::invitations;
use help_lms_persistence::rate_limit::{self, Limit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::client_address;
use super::routes::{TokenResponse, tokens_for};
use crate::error::{ApiError, Code, problems};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(value_type = help_lms_domain::values::Email)]
    pub email: String,
    #[schema(value_type = help_lms_domain::values::NewPassword)]
    pub password: String,
    #[schema(value_type = help_lms_domain::values::PersonName)]
    pub name: String,
    /// judge, prosecutor, prison_staff, probation_staff, lawyer, court_staff, law_enforcement, other
    #[schema(value_type = help_lms_domain::values::Profession)]
    pub profession: String,
    /// ISO 3166-1 alpha-2 code of a Council of Europe member state, in capitals (GR or EL
    /// for Greece; answers say GR), or `other`
    #[schema(value_type = help_lms_domain::values::Country)]
    pub country: String,
    /// Preferred language: ISO 639-1 code of an official language of a member state;
    /// defaults to `en`. Courses are served in it where they have it, else in English
    #[schema(value_type = Option<help_lms_domain::values::Language>)]
    pub language: Option<String>,
}

/// The answer to a request whose outcome goes by mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub status: AcceptedStatus,
    /// What happens next, for people.
    pub detail: &'static str,
}

/// Always `accepted`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcceptedStatus {
    Accepted,
}

const REGISTRATION_ACCEPTED: Accepted = Accepted {
    status: AcceptedStatus::Accepted,
    detail: "If this address can be registered, a message with a link to confirm it is on its way. The link works for 2 days.",
};

/// Counts a request against `key`: 429 past the limit.
pub(crate) async fn limit(state: &AppState, key: &str, limit: Limit) -> Result<(), ApiError> {
    match rate_limit::hit(&state.db, key, limit, Utc::now()).await? {
        None => Ok(()),
        Some(wait) => Err(ApiError::TooManyRequests {
            retry_after_secs: wait.num_seconds().max(1) as u64,
        }),
    }
}

/// Counts a request against `key`: false past the limit (for limits that must not show).
pub(crate) async fn within(state: &AppState, key: &str, limit: Limit) -> Result<bool, ApiError> {
    Ok(rate_limit::hit(&state.db, key, limit, Utc::now())
        .await?
        .is_none())
}

pub(crate) fn address(state: &AppState, req: &HttpRequest) -> String {
    client_address(req, &state.config.proxies)
}

/// Register as a learner
///
/// Anyone, when the deployment allows self-registration. Answers 202 the same way whether
/// or not the address has an account, and mails its owner: a new address gets a link that
/// confirms it and activates the account (valid 2 days); an address that has an account
/// gets a message saying someone tried to register with it, with a password reset link (or,
/// for an account never activated, a link to set a password of their own). Nothing is
/// signed in until the address is confirmed (`POST /auth/confirm-email`).
///
/// Problems: `registration_disabled` (403), `validation_failed` (422: every malformed
/// field), `too_many_requests` (429: too many registrations from this address).
#[utoipa::path(
    tags = ["public"],
    operation_id = "register",
    request_body(content = RegisterRequest, example = json!({
        "email": "olena.kovalenko@example.ua", "password": "Pravosuddia-i-pravo-2026", "name": "Olena Kovalenko",
        "profession": "judge", "country": "UA", "language": "uk"
    })),
    responses(
        (status = 202, description = "Accepted; the outcome goes by mail to the address", body = Accepted),
        problems::Forbidden,
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/auth/register", wrap = "crate::headers::no_store()")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    if !state.config.registration_enabled {
        return Err(ApiError::from(Code::RegistrationDisabled));
    }
    let b = body.into_inner();
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(&b.email));
    let password = errors.check("password", NewPassword::parse(&b.password));
    let name = errors.check("name", PersonName::parse(&b.name));
    let profession = errors.check("profession", Profession::parse(&b.profession));
    let country = errors.check("country", Country::parse(&b.country));
    let language = match b.language.as_deref() {
        Some(l) => errors.check("language", Language::parse(l)),
        None => Some(Language::En),
    };
    let (Some(email), Some(password), Some(name), Some(profession), Some(country), Some(language)) =
        (email, password, name, profession, country, language)
    else {
        return Err(errors.into());
    };
    let limits = state.config.limits;
    limit(
        &state,
        &rate_limit::key("register-ip", &address(&state, &req)),
        limits.register_per_address,
    )
    .await?;
    // The password is hashed whatever follows, so that the time taken says nothing either.
    let password_hash = state.hasher.hash(password.expose().to_owned()).await?;
    let per_email = rate_limit::personal_key("register", email.as_str());
    if within(&state, &per_email, limits.register_per_email).await? {
        let outcome = flows::register(
            &state.db,
            state.composer.as_ref(),
            state.composer.lifetimes,
            Registration {
                email,
                name,
                profession,
                country,
                language,
                password_hash,
            },
        )
        .await?;
        state.mail_wake.notify_one();
        if let flows::Registered::Pending(id) = outcome {
            tracing::info!(user_id = %id, "learner registered; address to be confirmed");
        }
    }
    Ok(HttpResponse::Accepted().json(REGISTRATION_ACCEPTED))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The token from the invitation.
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    #[schema(value_type = help_lms_domain::values::NewPassword)]
    pub password: String,
}

/// The problem for a refused token: expired ones say so and what to do.
pub(crate) fn refused(why: TokenRefused, invalid: Code, expired: Code) -> ApiError {
    match why {
        TokenRefused::Token(Refused::Expired) => ApiError::from(expired),
        TokenRefused::Token(Refused::Unknown | Refused::Spent) => ApiError::from(invalid),
        TokenRefused::Disabled => ApiError::from(Code::AccountInactive),
    }
}

/// Activate an invited account and sign in
///
/// The invited person, with the token of their invitation (staff invitation, bulk
/// enrolment, or the mail sent when someone registered with the address of an account
/// never activated). Sets the password, activates the account, spends the token, signs in.
///
/// Problems: `invalid_activation_token` (400: unknown, used, or replaced by a newer
/// invitation), `activation_token_expired` (400: ask for the invitation again, or reset the
/// password with the address), `account_inactive` (401: the account is disabled),
/// `validation_failed` (422: the password is shorter than 12 characters or too long),
/// `too_many_requests` (429).
#[utoipa::path(
    tags = ["public"],
    operation_id = "activate",
    request_body(content = ActivateRequest, example = json!({"token": "92TI-k5OxrM3rx-nUTqoTiS3YgD0Gf96h4CVWdcLygI", "password": "Tribunalul-Cluj-2026"})),
    responses(
        (status = 200, description = "The account is active and signed in", body = TokenResponse),
        problems::BadRequest,
        problems::Unauthorized,
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/auth/activate", wrap = "crate::headers::no_store()")]
pub async fn activate(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let user = activation(&state, &req, &b.token, &b.password).await?;
    Ok(HttpResponse::Ok().json(tokens_for(&state, user).await?))
}

/// Activates the account of an invitation's token with this password.
pub(crate) async fn activation(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
    password: &str,
) -> Result<User, ApiError> {
    let hash = token_and_password(state, req, password).await?;
    let activated = flows::activate(&state.db, token, hash).await?;
    let user = match activated {
        Ok(user) => user,
        Err(TokenRefused::Token(Refused::Unknown))
            if invitations::is_waiting_token(&state.db.conn, token.trim()).await? =>
        {
            // An invitation to join, for an account that exists: its owner signs in.
            return Err(ApiError::from(Code::SignInToJoin));
        }
        Err(why) => {
            return Err(refused(
                why,
                Code::InvalidActivationToken,
                Code::ActivationTokenExpired,
            ));
        }
    };
    tracing::info!(user_id = %user.id, "account activated");
    Ok(user)
}

/// For a token that comes with a new password: the password checked against the policy
/// (as `password`), the client's tokens counted, and the password's hash.
pub(crate) async fn token_and_password(
    state: &AppState,
    req: &HttpRequest,
    password: &str,
) -> Result<String, ApiError> {
    let password =
        NewPassword::parse(password).map_err(|e| ApiError::field("password", e.code, e.message))?;
    token_limit(state, req).await?;
    Ok(state.hasher.hash(password.expose().to_owned()).await?)
}

async fn token_limit(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    limit(
        state,
        &rate_limit::key("token-ip", &address(state, req)),
        state.config.limits.tokens_per_address,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The token from the confirmation message.
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
}

/// Confirm a registration's address and sign in
///
/// The person who registered, with the token of the confirmation message. Activates the
/// account with the password given at registration, spends the token, signs in.
///
/// Problems: `invalid_confirmation_token` (400: unknown, used, or replaced),
/// `confirmation_token_expired` (400: register again with the same address for a new
/// link), `account_inactive` (401: the account is disabled), `too_many_requests` (429).
#[utoipa::path(
    tags = ["public"],
    operation_id = "confirm_email",
    request_body(content = ConfirmRequest, example = json!({"token": "Xw3bq5N0hTnq2yBz7m1S9vVYkz0H3mVd8yQe3qCkWcA"})),
    responses(
        (status = 200, description = "The account is active and signed in", body = TokenResponse),
        problems::BadRequest,
        problems::Unauthorized,
        problems::TooManyRequests,
    )
)]
#[post("/auth/confirm-email", wrap = "crate::headers::no_store()")]
pub async fn confirm_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<ConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = confirmation(&state, &req, &body.token).await?;
    Ok(HttpResponse::Ok().json(tokens_for(&state, user).await?))
}

/// Confirms the address of a registration's token.
pub(crate) async fn confirmation(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
) -> Result<User, ApiError> {
    token_limit(state, req).await?;
    let user = flows::confirm_address(&state.db, token)
        .await?
        .map_err(|why| {
            refused(
                why,
                Code::InvalidConfirmationToken,
                Code::ConfirmationTokenExpired,
            )
        })?;
    tracing::info!(user_id = %user.id, "address confirmed; account active");
    Ok(user)
}
