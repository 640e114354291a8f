//! The rules of help-lms, free of I/O: validated value types, the course content model and
//! its parser, Markdown rendering, grading, completion and reporting.

pub mod accounts;
pub mod cohorts;
pub mod content;
pub mod enrolment;
pub mod mail;
pub mod markdown;
pub mod progress;
pub mod quiz;
pub mod reporting;
pub mod tutoring;
pub mod validation;
pub mod values;
pub mod xapi;

pub use validation::{FieldError, ValidationErrors};
