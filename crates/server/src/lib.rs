//! The help-lms server: settings, start-up (database, migrations, first-start catalogue and
//! development admin) and the HTTP server. `main.rs` is the command line around it.

pub mod backup;
pub mod content;
pub mod demo;
pub mod settings;
pub mod startup;
pub mod telemetry;

pub use settings::{Environment, Settings};
pub use startup::Application;
