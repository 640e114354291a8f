//! Institutions, their staff and their API clients. Admins see every institution; its own
//! staff see theirs; anyone else is answered 404, as if it did not exist.

mod clients;
mod dto;
mod routes;
mod staff;

use help_lms_domain::accounts::Actor;
use help_lms_persistence::institutions::{self, Institution};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub use clients::{create_client, list_clients, revoke_client};
pub use dto::{
    ApiClientDto, InstitutionDto, Invitation, NewApiClient, NewApiClientDto, NewInstitution,
    NewStaff,
};
pub use routes::{create_institution, get_institution, list_institutions};
pub use staff::{invite_staff, list_staff};

/// The institution if the actor belongs to it or is an admin; otherwise 404.
pub(crate) async fn visible_institution(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<Institution, ApiError> {
    actor.view_institution(id)?;
    institutions::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The institution if the actor manages it; 404 when it is not theirs, 403 for its other staff.
pub(crate) async fn managed_institution(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<Institution, ApiError> {
    let inst = visible_institution(state, actor, id).await?;
    actor.manage_institution(id)?;
    Ok(inst)
}
