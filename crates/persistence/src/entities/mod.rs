//! sea-orm entities, one module per table. Enumerations are stored as their snake_case
//! text and converted to domain types by the repositories.

pub mod activation_tokens;
pub mod api_clients;
pub mod attempt_grants;
pub mod attempts;
pub mod certificates;
pub mod cohort_invitations;
pub mod cohort_tutors;
pub mod cohorts;
pub mod counters;
pub mod course_versions;
pub mod courses;
pub mod enrolments;
pub mod idempotency_keys;
pub mod institutions;
pub mod lesson_progress;
pub mod lessons;
pub mod login_throttle;
pub mod modules;
pub mod outbox;
pub mod quizzes;
pub mod rate_limits;
pub mod refresh_tokens;
pub mod stats_targets;
pub mod users;
