//! Sending a pending roster line its invitation again: the activation link of an account
//! made for a new address, or the request to join sent to the owner of an existing account.
//! Both answer alike, so that re-sending tells the institution nothing about the address.

use actix_web::{HttpResponse, post, web};
use help_lms_domain::enrolment::EnrolmentStatus;
use help_lms_domain::values::UserStatus;
use help_lms_persistence::accounts::flows;
use help_lms_persistence::cohorts::invitations;
use help_lms_persistence::outbox::Compose;
use help_lms_persistence::rate_limit;
use help_lms_persistence::{accounts, enrolments};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::managed;
use crate::auth::Authenticated;
use crate::delivery::{Delivery, DeliveryQuery};
use crate::error::{ApiError, Code, problems};
use crate::state::AppState;

/// A pending line's invitation, sent again.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderDto {
    pub enrolment_id: Uuid,
    /// Only with `delivery=links`: the page of the new link, to deliver to the person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
    /// Only with `delivery=links`: the new link's token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
}

fn not_pending() -> ApiError {
    ApiError::with(
        Code::NotInvited,
        "this line is not waiting for its person: they accepted, declined or were withdrawn",
    )
}

/// Send a pending roster line its invitation again
///
/// The institution's managers (people or API clients) and admins, for a line the roster
/// shows as `pending`: a fresh link (the older one stops working), emailed, or with
/// `delivery=links` in the answer for you to deliver (an existing account's owner is
/// always mailed as well). Whether the address had an account is not told.
///
/// Problems: `managers_only` (403) for the cohort's tutors, `not_found` (404: anyone else,
/// or no such line in this cohort), `not_invited` (409: the line is not pending),
/// `too_many_requests` (429: too many reminders for this line in an hour).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "remind_enrolment",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Cohort id"),
        ("enrolment_id" = Uuid, Path, description = "Enrolment id of the pending line"),
        DeliveryQuery,
    ),
    responses(
        (status = 200, description = "Sent again; older links no longer work", body = ReminderDto),
        problems::Forbidden,
        problems::NotFound,
        problems::Conflict,
        problems::TooManyRequests,
    )
)]
#[post(
    "/cohorts/{id}/enrolments/{enrolment_id}/invitation",
    wrap = "crate::headers::no_store()"
)]
pub async fn remind_enrolment(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    q: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let c = managed(&state, &auth.0, id).await?;
    crate::auth::account::limit(
        &state,
        &rate_limit::key("remind", &enrolment_id.to_string()),
        state.config.limits.resend_per_account,
    )
    .await?;
    let enrolment = enrolments::find(&state.db.conn, enrolment_id)
        .await?
        .filter(|e| e.cohort_id == Some(c.id));
    let token = match enrolment {
        // An account made for a new address, not activated yet.
        Some(e) => {
            let user = accounts::find(&state.db.conn, e.user_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if user.status != UserStatus::Invited || e.status != EnrolmentStatus::Active {
                return Err(not_pending());
            }
            let compose: Option<&dyn Compose> = match q.delivery {
                Delivery::Email => Some(state.composer.as_ref()),
                Delivery::Links => None,
            };
            flows::resend_invitation(&state.db, compose, state.composer.lifetimes, &user)
                .await?
                .map_err(|_| not_pending())?
        }
        // An invitation to an existing account: its owner is always mailed.
        None => match invitations::remind(&state.db, c.id, enrolment_id, state.composer.as_ref())
            .await?
        {
            Some(token) => token,
            None if invitations::exists_in(&state.db.conn, c.id, enrolment_id).await? => {
                return Err(not_pending());
            }
            None => return Err(ApiError::NotFound),
        },
    };
    state.mail_wake.notify_one();
    tracing::info!(enrolment_id = %enrolment_id, cohort_id = %c.id, "invitation sent again");
    let links = (q.delivery == Delivery::Links).then_some(&state.composer.links);
    Ok(HttpResponse::Ok().json(ReminderDto {
        enrolment_id,
        activation_url: links.map(|l| l.activate(&token)),
        activation_token: links.map(|_| token),
    }))
}
