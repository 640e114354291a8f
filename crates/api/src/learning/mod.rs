//! What a learner does all day: progress through lessons, quiz attempts and the course
//! state. Owners write; the cohort's tutors and managers, and admins, read. Anyone else
//! gets 404 for another learner's enrolment or attempt.

mod access;
pub mod dto;
pub mod history;
pub mod lesson;
pub mod routes;
pub(crate) mod view;

pub(crate) use access::{Access, access, has_accepted};
