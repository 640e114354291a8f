//! The HTTP API of help-lms: handlers, DTOs with OpenAPI schemas, authentication, and
//! errors as `application/problem+json`.

mod access;
pub mod allow;
pub mod app;
pub mod audit;
pub mod auth;
pub mod body;
pub mod catalogue;
pub mod certificates;
pub mod cohorts;
pub mod cors;
pub mod csv_doc;
pub mod delivery;
pub mod enrolments;
pub mod erasure;
pub mod error;
pub mod headers;
pub mod http_cache;
pub mod institutions;
pub mod invitations;
pub mod jwt;
pub mod language;
pub mod learning;
pub mod lists;
pub mod mail;
pub mod me;
pub mod me_export;
pub mod metrics;
pub mod negotiate;
pub mod ops;
pub mod pages;
pub mod pagination;
pub mod problem_types;
pub mod proxies;
pub mod public_url;
pub mod request_id;
pub mod retention;
pub mod spreadsheet;
pub mod state;
pub mod stats;
pub mod users;
pub mod xapi;

pub use app::{build_app, openapi};
pub use state::{ApiConfig, AppState};

#[cfg(test)]
mod spec_bounds;
