//! An institution's accounts: invite one (emailed, or with its activation link in the
//! answer), list them.

use actix_web::{HttpResponse, get, post, web};
use help_lms_domain::values::UserStatus;
use help_lms_persistence::accounts::NewUser;
use help_lms_persistence::accounts::flows;
use help_lms_persistence::institutions;
use help_lms_persistence::outbox::Compose;
use uuid::Uuid;

use super::dto::{Invitation, NewStaff};
use super::managed_institution;
use crate::auth::Authenticated;
use crate::delivery::{Delivery, DeliveryQuery};
use crate::error::{ApiError, Code, problems};
use crate::me::UserDto;
use crate::state::AppState;

/// Invite an account into an institution
///
/// The institution's managers (people or API clients) and admins. Creates an invited
/// account of the institution with the role given (learner, tutor or nti_manager; admins
/// are made on the command line) and emails it an invitation whose link, valid 30 days and
/// once, sets its password. With `delivery=links` nothing is emailed and the answer carries
/// the activation link and token for the institution to deliver (`POST /auth/activate`).
///
/// Problems: `managers_only` (403) for the institution's other accounts, `people_only` (403)
/// for an API client inviting anyone but a learner, `role_not_allowed` (403) for the role
/// `admin`, `not_found` (404) for another institution,
/// `validation_failed` (422: every wrong field, including `email_taken`).
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "invite_staff",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id"), DeliveryQuery),
    request_body(content = NewStaff, example = json!({
        "email": "mihai.ionescu@example.ro", "name": "Mihai Ionescu", "role": "tutor",
        "profession": "judge", "country": "RO", "language": "ro"
    })),
    responses(
        (status = 201, description = "An invited account (with `delivery=links`, its activation link and token)", body = Invitation),
        problems::Forbidden,
        problems::NotFound,
        problems::Unprocessable,
    )
)]
#[post("/institutions/{id}/users", wrap = "crate::headers::no_store()")]
pub async fn invite_staff(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    q: web::Query<DeliveryQuery>,
    body: crate::body::Json<NewStaff>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &auth.0, *id).await?;
    let f = body.parse(inst.country)?;
    // An integration manages learners; people with rights are made by people.
    if auth.0.via_client && f.role != help_lms_domain::values::Role::Learner {
        return Err(ApiError::with(
            Code::PeopleOnly,
            "an API client invites learners only; a manager signed in as a person invites staff",
        ));
    }
    if !auth.0.may_assign_role(f.role, inst.id) {
        return Err(ApiError::from(Code::RoleNotAllowed));
    }
    let compose: Option<&dyn Compose> = match q.delivery {
        Delivery::Email => Some(state.composer.as_ref()),
        Delivery::Links => None,
    };
    let (user, token) = flows::invite(
        &state.db,
        compose,
        NewUser {
            email: f.email,
            name: f.name,
            profession: f.profession,
            country: f.country,
            language: f.language,
            institution_id: Some(inst.id),
            role: f.role,
            status: UserStatus::Invited,
            password_hash: None,
        },
        state.composer.lifetimes,
    )
    .await?;
    tracing::info!(user_id = %user.id, institution_id = %inst.id, role = %user.role, "account invited");
    let object = crate::audit::Object::new("user", user.id, Some(inst.id));
    let detail = serde_json::json!({"role": user.role.as_str()});
    crate::audit::record(
        &state,
        Some(&auth.0),
        crate::audit::Action::StaffInvited,
        object,
        Some(detail),
    )
    .await;
    let links = match q.delivery {
        Delivery::Email => {
            state.mail_wake.notify_one();
            None
        }
        Delivery::Links => Some(&state.composer.links),
    };
    Ok(HttpResponse::Created().json(Invitation::new(user.into(), &token, links)))
}

/// List an institution's accounts
///
/// The institution's managers (people or API clients) and admins. The institution's
/// accounts by email: its staff, invited or not, and its learners once they have activated
/// their account (before, they are pending lines of their cohorts' rosters, as people asked
/// to join from elsewhere are). Changes nothing.
///
/// Problems: `managers_only` (403) for the institution's other accounts, `not_found` (404)
/// for another institution.
#[utoipa::path(
    tags = ["nti", "admin"],
    operation_id = "list_staff",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution's accounts, by email", body = Vec<UserDto>),
        problems::Forbidden,
        problems::NotFound,
    )
)]
#[get("/institutions/{id}/users", wrap = "crate::headers::no_store()")]
pub async fn list_staff(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let inst = managed_institution(&state, &auth.0, *id).await?;
    let users = institutions::staff(&state.db, inst.id).await?;
    Ok(HttpResponse::Ok().json(users.into_iter().map(UserDto::from).collect::<Vec<_>>()))
}
