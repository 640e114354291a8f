//! `/auth`: login, token refresh, logout and the OAuth 2.0 client-credentials token, with
//! the token answer they share and the token endpoint's form body and HTTP Basic parsing.
//! Registration, activation and passwords are in [`super::account`].

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use help_lms_domain::accounts::{Actor, User};
use help_lms_domain::values::{Email, UserStatus};
use help_lms_persistence::{accounts, sessions, throttle};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::client_address;
use crate::auth::oauth::{OAuthError, TokenError};
use crate::error::{ApiError, Code, problems};
use crate::me::UserDto;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(value_type = help_lms_domain::values::Email)]
    pub email: String,
    #[schema(format = Password, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use token for `POST /auth/refresh`.
    pub refresh_token: String,
    pub user: UserDto,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The answer to a sign-in: an access token for `user` and the given refresh token.
pub(crate) fn token_response(
    state: &AppState,
    user: User,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    let actor = Actor {
        user_id: user.id,
        role: user.role,
        institution_id: user.institution_id,
        via_client: false,
    };
    let (access_token, _) = state
        .jwt
        .issue(&actor, state.config.access_ttl)
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.config.access_ttl.num_seconds(),
        refresh_token,
        user: user.into(),
    })
}

/// Signs `user` in with a new session (a new refresh-token family).
pub(crate) async fn tokens_for(state: &AppState, user: User) -> Result<TokenResponse, ApiError> {
    let refresh_token =
        sessions::issue(&state.db.conn, user.id, None, state.config.refresh_ttl).await?;
    token_response(state, user, refresh_token)
}

/// Sign in with email and password
///
/// Anyone with an active account. Starts a session: an access token and a single-use
/// refresh token. Failures are counted per account and per address; too many lock both.
///
/// Problems: `invalid_credentials` (401, also for an unknown email or an account not yet
/// activated), `account_inactive` (401, a disabled account), `too_many_requests` (429, see
/// `Retry-After`), `validation_failed` (422, a malformed email).
#[utoipa::path(
    tags = ["public"],
    operation_id = "login",
    request_body(content = LoginRequest, example = json!({"email": "ana.popescu@example.ro", "password": "Dreptate-si-lege-2026"})),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        problems::Unauthorized,
        problems::Unprocessable,
        problems::TooManyRequests,
    )
)]
#[post("/auth/login", wrap = "crate::headers::no_store()")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let user = verify_credentials(&state, &req, &body.email, body.password).await?;
    accounts::record_login(&state.db, user.id).await?;
    tracing::info!(user_id = %user.id, "login");
    let actor = help_lms_domain::accounts::Actor {
        user_id: user.id,
        role: user.role,
        institution_id: user.institution_id,
        via_client: false,
    };
    crate::audit::record(
        &state,
        Some(&actor),
        crate::audit::Action::LoginSucceeded,
        crate::audit::Object::new("user", user.id, user.institution_id),
        None,
    )
    .await;
    Ok(HttpResponse::Ok().json(tokens_for(&state, user).await?))
}

/// The active account these credentials sign in to, under the login throttle (per account
/// and per address): `invalid_credentials` alike for an unknown address and a wrong
/// password, `account_inactive` for an account not active, 429 while locked.
pub(crate) async fn verify_credentials(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    password: String,
) -> Result<User, ApiError> {
    let email = Email::parse(email).map_err(|e| ApiError::field("email", e.code, e.message))?;
    let policy = state.config.throttle;
    let account_key = throttle::account_key(email.as_str());
    let address_key = throttle::address_key(&client_address(req, &state.config.proxies));
    let now = Utc::now();
    if let Some(wait) = throttle::locked_for(
        &state.db.conn,
        &[account_key.clone(), address_key.clone()],
        now,
    )
    .await?
    {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait.num_seconds().max(1) as u64,
        });
    }
    let found = accounts::find_for_login(&state.db.conn, &email).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let ok = state.hasher.verify(password, hash).await?;
    match user {
        Some(user) if ok => {
            if user.status != UserStatus::Active {
                return Err(ApiError::from(Code::AccountInactive));
            }
            throttle::clear(&state.db, &account_key).await?;
            Ok(user)
        }
        _ => {
            throttle::record_failure(&state.db, &policy, &account_key, policy.per_account, now)
                .await?;
            throttle::record_failure(&state.db, &policy, &address_key, policy.per_address, now)
                .await?;
            // The account's id when there is one; an unknown address leaves no trace of it.
            let object = match &user {
                Some(u) => crate::audit::Object::new("user", u.id, u.institution_id),
                None => crate::audit::Object::kind("user", None),
            };
            crate::audit::record(state, None, crate::audit::Action::LoginFailed, object, None)
                .await;
            Err(ApiError::from(Code::InvalidCredentials))
        }
    }
}

/// Exchange a refresh token for new tokens
///
/// Whoever holds a refresh token; no access token needed. Spends it for a new access
/// token and refresh token of the same session. A spent token used again ends the session.
///
/// Problems: `invalid_refresh_token` (401: unknown, expired, spent or revoked),
/// `account_inactive` (401: the account was disabled; the session ends).
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and a new refresh token; the old one is spent", body = TokenResponse),
        problems::Unauthorized,
    )
)]
#[post("/auth/refresh", wrap = "crate::headers::no_store()")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: crate::body::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let rotated =
        sessions::rotate(&state.db, &body.refresh_token, state.config.refresh_ttl).await?;
    let (user_id, new_refresh) = match rotated {
        Ok(v) => v,
        Err(why) => {
            if why == sessions::RefreshRefused::Reused {
                tracing::warn!("refresh token reused: session revoked");
                let object = crate::audit::Object::kind("session", None);
                crate::audit::record(
                    &state,
                    None,
                    crate::audit::Action::RefreshTokenReused,
                    object,
                    None,
                )
                .await;
            }
            return Err(ApiError::from(Code::InvalidRefreshToken));
        }
    };
    let user = accounts::find(&state.db.conn, user_id)
        .await?
        .ok_or(ApiError::from(Code::InvalidRefreshToken))?;
    if user.status != UserStatus::Active {
        sessions::revoke(&state.db, &new_refresh).await?;
        return Err(ApiError::from(Code::AccountInactive));
    }
    Ok(HttpResponse::Ok().json(token_response(&state, user, new_refresh)?))
}

/// Sign out: end the session of a refresh token
///
/// Whoever holds the refresh token; no access token needed. Ends its session (access tokens
/// already issued last until they expire); 204 also for an unknown or ended session.
///
/// Problems: none of its own.
#[utoipa::path(
    tags = ["learner", "tutor", "nti", "admin"],
    operation_id = "logout",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session of this refresh token is ended (also when it was already)"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: crate::body::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::revoke(&state.db, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The one grant the token endpoint takes.
pub struct GrantType;

impl utoipa::PartialSchema for GrantType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(["client_credentials"]))
            .into()
    }
}
impl ToSchema for GrantType {}

/// OAuth 2.0 client credentials (RFC 6749 section 4.4), as a form or JSON body; the client
/// may instead authenticate with HTTP Basic. Unknown parameters are ignored (section 3.2).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientTokenRequest {
    /// Must be `client_credentials`.
    #[schema(value_type = GrantType)]
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Ignored; tokens carry the institution manager's rights.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientTokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// The client's HTTP Basic credentials: `None` without a Basic `Authorization`, an error
/// when it cannot be read.
fn basic_credentials(req: &HttpRequest) -> Option<Result<(String, String), TokenError>> {
    use base64::Engine;
    let h = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let (scheme, b64) = h.to_str().ok().and_then(|h| h.split_once(' '))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let pair = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        .and_then(|text| {
            text.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    Some(pair.ok_or_else(|| TokenError::invalid_client("the Basic credentials cannot be read")))
}

/// Get an access token for an API client (OAuth 2.0 client credentials)
///
/// An institution's API client, with the id and secret its manager created (in the body
/// or as HTTP Basic, not both). The token acts as the institution's manager, except where
/// a person is required. Records the client's last use.
///
/// Errors are RFC 6749 JSON, not problems: `invalid_request` or `unsupported_grant_type`
/// (400), `invalid_client` (401, with `WWW-Authenticate: Basic`).
#[utoipa::path(
    tags = ["nti"],
    operation_id = "client_token",
    security((), ("client_basic" = [])),
    request_body(
        description = "The form RFC 6749 section 4.4.2 requires (the same fields as a JSON object are accepted too). The client authenticates with HTTP Basic or with `client_id` and `client_secret` here, not both.",
        content((ClientTokenRequest = "application/x-www-form-urlencoded", example = json!({"grant_type": "client_credentials",
            "client_id": "01936b2e-4f1a-7c3d-9e5b-2a6f8c0d1e47", "client_secret": "XM44Wrx9E8JuUQvn9SdwGrNneBe_t3wiWDE8S9qWnow"}))),
    ),
    responses(
        (status = 200, description = "A token acting as the client's institution manager", body = ClientTokenResponse,
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 400, description = "RFC 6749 section 5.2: `invalid_request` (a parameter is repeated or malformed, the body cannot be read, or the client authenticated in two ways) or `unsupported_grant_type`", body = OAuthError,
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 401, description = "RFC 6749 section 5.2: `invalid_client`: no client authentication, an unknown or revoked client, or a wrong secret", body = OAuthError,
            headers(
                ("WWW-Authenticate" = String, description = "`Basic realm=\"help-lms\"`"),
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
    )
)]
#[post("/auth/token", wrap = "crate::headers::no_store_token()")]
pub async fn client_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, TokenError> {
    let body =
        body.map_err(|e| TokenError::invalid_request(format!("the body cannot be read: {e}")))?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let parsed: ClientTokenRequest = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).map_err(|e| TokenError::invalid_request(e.to_string()))?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(&body)
            .map_err(|e| TokenError::invalid_request(e.to_string()))?
    } else {
        return Err(TokenError::invalid_request(
            "send application/x-www-form-urlencoded or application/json",
        ));
    };
    if parsed.grant_type != "client_credentials" {
        return Err(TokenError::unsupported_grant_type(
            "only grant_type=client_credentials is supported",
        ));
    }
    let (id, secret) = match (
        parsed.client_id,
        parsed.client_secret,
        basic_credentials(&req),
    ) {
        (_, Some(_), Some(_)) => {
            return Err(TokenError::invalid_request(
                "authenticate with HTTP Basic or with client_secret in the body, not both",
            ));
        }
        (_, None, Some(Err(e))) => return Err(e),
        (Some(id), None, Some(Ok(basic))) if id != basic.0 => {
            return Err(TokenError::invalid_request(
                "client_id differs from the client of the Basic credentials",
            ));
        }
        (_, None, Some(Ok(basic))) => basic,
        (Some(id), Some(secret), None) => (id, secret),
        // No client authentication, or half of it (RFC 6749 section 5.2).
        _ => {
            return Err(TokenError::invalid_client(
                "authenticate with HTTP Basic, or send client_id and client_secret",
            ));
        }
    };
    const REFUSED: &str = "the client is unknown or revoked, or the secret is wrong";
    let id = uuid::Uuid::parse_str(&id).map_err(|_| TokenError::invalid_client(REFUSED))?;
    let client = help_lms_persistence::institutions::authenticate_client(&state.db, id, &secret)
        .await?
        .ok_or_else(|| TokenError::invalid_client(REFUSED))?;
    let actor = Actor {
        user_id: client.id,
        role: help_lms_domain::values::Role::NtiManager,
        institution_id: Some(client.institution_id),
        via_client: true,
    };
    let (access_token, _) = state
        .jwt
        .issue(&actor, state.config.access_ttl)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(ClientTokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.config.access_ttl.num_seconds(),
    }))
}
