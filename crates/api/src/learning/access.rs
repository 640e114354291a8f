//! Who may see an enrolment, and how: its learner owns it; admins, and the tutors and
//! managers of its cohort, follow it as staff; for anyone else it does not exist (404).

use help_lms_domain::accounts::Actor;
use help_lms_domain::values::UserStatus;
use help_lms_persistence::enrolments::{self, Enrolment};
use help_lms_persistence::{accounts, cohorts};
use uuid::Uuid;

use crate::error::{ApiError, Code};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Owner,
    Staff,
}

impl Access {
    /// Only the learner writes their own learning.
    pub(crate) fn owner_only(self) -> Result<(), ApiError> {
        match self {
            Access::Owner => Ok(()),
            Access::Staff => Err(ApiError::from(Code::OwnerOnly)),
        }
    }
}

/// Whether the person of an enrolment has accepted it: their account is no longer waiting
/// for its activation. Until then staff reach nothing of it.
pub(crate) async fn has_accepted(state: &AppState, user_id: Uuid) -> Result<bool, ApiError> {
    Ok(accounts::find(&state.db.conn, user_id)
        .await?
        .is_some_and(|u| u.status != UserStatus::Invited))
}

/// The enrolment and how the actor relates to it; 404 when they may not see it.
pub(crate) async fn access(
    state: &AppState,
    actor: &Actor,
    enrolment_id: Uuid,
) -> Result<(Enrolment, Access), ApiError> {
    let e = enrolments::find(&state.db.conn, enrolment_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !actor.via_client && e.user_id == actor.user_id {
        return Ok((e, Access::Owner));
    }
    if actor.is_admin() {
        return Ok((e, Access::Staff));
    }
    // An institution follows a person only once they have accepted the enrolment (activated
    // the account made for them): before, their enrolment is as unknown as an invitation.
    if !has_accepted(state, e.user_id).await? {
        return Err(ApiError::NotFound);
    }
    if let Some(cid) = e.cohort_id
        && let Some(c) = cohorts::find(&state.db.conn, cid).await?
        && actor.can_view_cohort(c.institution_id, &c.tutor_ids)
    {
        return Ok((e, Access::Staff));
    }
    Err(ApiError::NotFound)
}
