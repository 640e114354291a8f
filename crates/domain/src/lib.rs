//! The rules of help-lms, free of I/O: validated value types, the course content model and
//! its parser, Markdown rendering, and (later) grading and completion.

pub mod accounts;
pub mod content;
pub mod enrolment;
pub mod markdown;
pub mod quiz;
pub mod reporting;
pub mod validation;
pub mod values;

pub use validation::{FieldError, ValidationErrors};
