//! Statistics: completions grouped by any of the reporting dimensions (JSON, or CSV with
//! `Accept: text/csv`), the funnel of one course, and the programme's targets.
//!
//! Who sees what: admins everything; NTI managers (people and API clients) the enrolments
//! in their institution's cohorts; tutors the cohorts they tutor; learners nothing (403).
//! The scope is applied on top of the filters, so no filter widens it; naming another
//! institution or a cohort one cannot see answers 404, as everywhere in the API. Cells of
//! fewer enrolments than `HELP_STATS_MIN_CELL` are suppressed for everyone but admins.

pub mod csv;
pub mod dto;
pub mod query;
mod routes;

pub use routes::{
    completions, course_funnel, create_target, delete_target, get_target, list_targets,
};

use help_lms_domain::accounts::Actor;
use help_lms_domain::reporting::Scope;
use help_lms_domain::values::Role;
use help_lms_persistence::cohorts;
use uuid::Uuid;

use crate::error::{ApiError, Code};
use crate::state::AppState;

/// The scope of the actor's statistics. The `Staff` guard has already refused learners;
/// a tutor's API client (should one exist) is refused here.
async fn scope_of(state: &AppState, a: &Actor) -> Result<Scope, ApiError> {
    match a.role {
        Role::Admin => Ok(Scope::All),
        Role::NtiManager => Ok(Scope::Institution(
            a.institution_id.unwrap_or_else(Uuid::nil),
        )),
        Role::Tutor if !a.via_client => {
            let mine = cohorts::list(&state.db, None, Some(a.user_id)).await?;
            Ok(Scope::Cohorts(mine.into_iter().map(|c| c.id).collect()))
        }
        _ => Err(ApiError::from(Code::StaffOnly)),
    }
}

/// The threshold applied to this actor's answers: 0 (nothing suppressed) for admins.
fn threshold_for(state: &AppState, a: &Actor) -> u64 {
    if a.is_admin() {
        0
    } else {
        state.config.stats_min_cell
    }
}
