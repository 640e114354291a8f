//! `Authenticated` proves the request carries a valid access token of an account that is
//! still active with the same role and institution, issued after the account's last new
//! password; otherwise the handler never runs.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use help_lms_domain::accounts::Actor;
use help_lms_domain::values::UserStatus;
use help_lms_persistence::accounts;

use crate::error::{ApiError, Code};
use crate::jwt::TokenError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct Authenticated(pub Actor);

fn bearer(req: &HttpRequest) -> Option<String> {
    let h = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::from(Code::MissingToken))?;
            let (actor, issued_at) = state.jwt.verify_issued(&token).map_err(|e| match e {
                TokenError::Expired => ApiError::from(Code::TokenExpired),
                TokenError::Invalid => ApiError::from(Code::InvalidToken),
            })?;
            if actor.via_client {
                // An integration: its client must still exist, unrevoked, for the same institution.
                let client =
                    help_lms_persistence::institutions::find_client(&state.db, actor.user_id)
                        .await?
                        .ok_or(ApiError::from(Code::InvalidToken))?;
                if client.revoked_at.is_some() {
                    return Err(ApiError::from(Code::ClientRevoked));
                }
                if actor.role != help_lms_domain::values::Role::NtiManager
                    || actor.institution_id != Some(client.institution_id)
                {
                    return Err(ApiError::from(Code::InvalidToken));
                }
                return Ok(Authenticated(actor));
            }
            // The account is checked on every request so that disabling it, or changing its
            // role or institution, takes effect at once rather than when the token expires.
            let (user, valid_from) = accounts::find_for_request(&state.db.conn, actor.user_id)
                .await?
                .ok_or(ApiError::from(Code::InvalidToken))?;
            // A new password ended the sessions this token belongs to.
            if valid_from.is_some_and(|from| issued_at < from.timestamp_millis()) {
                return Err(ApiError::from(Code::TokenExpired));
            }
            if user.status != UserStatus::Active {
                return Err(ApiError::from(Code::AccountInactive));
            }
            if user.role != actor.role || user.institution_id != actor.institution_id {
                return Err(ApiError::from(Code::InvalidToken));
            }
            Ok(Authenticated(actor))
        })
    }
}

/// The client's address for throttling and rate limits: the peer, or, behind trusted
/// proxies, the first `X-Forwarded-For` entry from the right that none of them added
/// ([`crate::proxies`]).
pub fn client_address(req: &HttpRequest, proxies: &crate::proxies::TrustedProxies) -> String {
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    proxies
        .client(req.peer_addr().map(|a| a.ip()), &forwarded)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}
