//! `/users/{id}`: what managers and admins do to one account. Disabling ends its sessions
//! at once (its access tokens stop at their next request); enabling restores the status
//! it had; resending an invitation replaces the old link with a new one.

use actix_web::{HttpResponse, post, web};
use help_lms_domain::accounts::{Actor, User};
use help_lms_domain::values::UserStatus;
use help_lms_persistence::accounts::{self, flows};
use help_lms_persistence::outbox::Compose;
use help_lms_persistence::rate_limit;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::delivery::{Delivery, DeliveryQuery};
use crate::error::{ApiError, Code, problems};
use crate::institutions::Invitation;
use crate::me::UserDto;
use crate::state::AppState;

/// The account, if the actor may see it: admins any, managers their institution's.
async fn account(state: &AppState, actor: &Actor, id: Uuid) -> Result<User, ApiError> {
    let user = accounts::find(&state.db.conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let visible = user
        .institution_id
        .map_or(actor.is_admin(), |i| actor.manages_institution(i));
    if !visible && actor.user_id != id {
        // Learners and tutors get 403 rather than learning whether the id exists.
        return Err(match actor.role {
            help_lms_domain::values::Role::Learner | help_lms_domain::values::Role::Tutor => {
                ApiError::from(Code::ManagersOnly)
            }
            _ => ApiError::NotFound,
        });
    }
    Ok(user)
}

async fn set_disabled(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    disabled: bool,
) -> Result<HttpResponse, ApiError> {
    let target = account(state, actor, id).await?;
    // API clients manage learners, never staff: refused as creating clients is.
    if actor.via_client && target.role != help_lms_domain::values::Role::Learner {
        return Err(ApiError::with(
            Code::PeopleOnly,
            "an API client changes learners only; a person must change staff accounts",
        ));
    }
    actor.may_disable(&target)?;
    let user = flows::set_disabled(&state.db, target.id, disabled).await?;
    tracing::info!(user_id = %user.id, by = %actor.user_id, disabled, "account status changed");
    let action = if disabled {
        crate::audit::Action::UserDisabled
    } else {
        crate::audit::Action::UserEnabled
    };
    let object = crate::audit::Object::new("user", user.id, user.institution_id);
    crate::audit::record(state, Some(actor), action, object, None).await;
    Ok(HttpResponse::Ok().json(UserDto::from(user)))
}

/// Disable an account
///
/// Admins any account but their own; an institution's managers (people or API clients)
/// its learners, and its managers (people) its tutors; only admins a manager. Ends every
/// session of the account at once; its access tokens stop working at their next request
/// (`account_inactive`); it cannot sign in, activate or reset its password until enabled.
/// Disabling a disabled account changes nothing.
///
/// Problems: `managers_only` (403: learners, tutors), `people_only` (403: an API client,
/// for anyone but a learner), `admin_only` (403: a manager's account), `not_found` (404: another institution's
/// account), `validation_failed` (422: your own account).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "disable_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The account, disabled", body = UserDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/users/{id}/disable", wrap = "crate::headers::no_store()")]
pub async fn disable_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_disabled(&state, &auth.0, *id, true).await
}

/// Enable a disabled account
///
/// Whoever may disable it. The account goes back to the status it had (active, or invited
/// when it was never activated); enabling an enabled account changes nothing.
///
/// Problems: as for disabling.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "enable_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The account, enabled", body = UserDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/users/{id}/enable", wrap = "crate::headers::no_store()")]
pub async fn enable_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    set_disabled(&state, &auth.0, *id, false).await
}

/// Send an invitation again
///
/// An institution's managers (people or API clients) for its accounts, admins for any.
/// Issues a fresh activation link (valid 30 days) and revokes the older ones, so a lost,
/// forwarded or expired invitation stops mattering; emails it, or with `delivery=links`
/// answers it instead. Only for accounts not yet activated.
///
/// Problems: `managers_only` (403), `people_only` (403: an API client, for anyone but a
/// learner), `not_found` (404: another institution's account), `not_invited` (409: the account is active or disabled), `too_many_requests` (429: too
/// many invitations to this account in an hour).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "resend_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id"), DeliveryQuery),
    responses(
        (status = 200, description = "A new invitation (with `delivery=links`, its link and token); older links no longer work", body = Invitation),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::TooManyRequests,
    )
)]
#[post("/users/{id}/invitation", wrap = "crate::headers::no_store()")]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    q: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let target = account(&state, &auth.0, *id).await?;
    auth.0.may_resend_invitation(&target)?;
    if auth.0.via_client && target.role != help_lms_domain::values::Role::Learner {
        return Err(ApiError::with(
            Code::PeopleOnly,
            "an API client re-invites learners only",
        ));
    }
    if target.status != UserStatus::Invited {
        return Err(ApiError::with(
            Code::NotInvited,
            format!("the account is {}", target.status),
        ));
    }
    crate::auth::account::limit(
        &state,
        &rate_limit::key("resend", &target.id.to_string()),
        state.config.limits.resend_per_account,
    )
    .await?;
    let compose: Option<&dyn Compose> = match q.delivery {
        Delivery::Email => Some(state.composer.as_ref()),
        Delivery::Links => None,
    };
    let token = flows::resend_invitation(&state.db, compose, state.composer.lifetimes, &target)
        .await?
        .map_err(|flows::ResendRefused::NotInvited(status)| {
            ApiError::with(Code::NotInvited, format!("the account is {status}"))
        })?;
    tracing::info!(user_id = %target.id, by = %auth.0.user_id, "invitation sent again");
    let object = crate::audit::Object::new("user", target.id, target.institution_id);
    crate::audit::record(
        &state,
        Some(&auth.0),
        crate::audit::Action::InvitationResent,
        object,
        None,
    )
    .await;
    let links = match q.delivery {
        Delivery::Email => {
            state.mail_wake.notify_one();
            None
        }
        Delivery::Links => Some(&state.composer.links),
    };
    Ok(HttpResponse::Ok().json(Invitation::new(target.into(), &token, links)))
}
