//! Cohorts and their enrolments: create, list, read, update and close cohorts; enrol a
//! cohort in bulk (JSON or CSV), read its roster (JSON or CSV, filtered and sorted) and
//! gradebook, give a learner extra attempts, withdraw a learner.
//! A cohort another institution owns is answered 404, wherever its id appears.

mod bulk;
mod dto;
mod enrol;
mod gradebook;
pub mod gradebook_csv;
mod grants;
mod learners;
mod remind;
pub mod roster_csv;
mod routes;

use help_lms_domain::accounts::Actor;
use help_lms_persistence::cohorts::{self, Cohort};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub use bulk::RowJson;
pub use dto::{
    AfterEndDto, BulkQuery, BulkResultDto, BulkSummaryDto, CohortDto, CohortListQuery, CohortPatch,
    CohortStatusDto, NewCohortDto, RowRejectReason, RowResultDto, RowResultKind,
};
pub use enrol::enrol_cohort;
pub use gradebook::{
    GradebookCellDto, GradebookDto, GradebookQuizDto, GradebookRowDto, cohort_gradebook,
};
pub use grants::{AttemptGrantDto, NewAttemptGrant, grant_attempts, list_attempt_grants};
pub use learners::{RosterEntryDto, RosterProgress, RosterQuiz, roster, withdraw};
pub use remind::{ReminderDto, remind_enrolment};
pub use routes::{
    close_cohort, create_cohort, get_cohort, list_cohorts, reopen_cohort, update_cohort,
};

/// The cohort if the actor may see it, else 404.
pub(crate) async fn visible(state: &AppState, actor: &Actor, id: Uuid) -> Result<Cohort, ApiError> {
    let c = cohorts::find(&state.db.conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    actor.view_cohort(c.institution_id, &c.tutor_ids)?;
    Ok(c)
}

/// The cohort if the actor manages its institution; 404 if they cannot see it, 403 if they
/// only tutor it.
async fn managed(state: &AppState, actor: &Actor, id: Uuid) -> Result<Cohort, ApiError> {
    let c = cohorts::find(&state.db.conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    actor.manage_cohort(c.institution_id, &c.tutor_ids)?;
    Ok(c)
}
