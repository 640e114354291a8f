//! Storage for help-lms: the database connection, sea-orm entities, and the services that
//! run each business operation in one transaction.

pub mod account_tokens;
pub mod accounts;
pub mod audit;
pub mod catalogue;
pub mod cohorts;
mod counters;
pub mod db;
pub mod demo;
pub mod enrolments;
// The tables stay inside this crate: callers get domain types and outcomes. Tests and
// benchmark baselines that write rows directly reach them through `test-support`.
#[cfg(feature = "test-support")]
pub mod entities;
#[cfg(not(feature = "test-support"))]
mod entities;
pub mod error;
#[cfg(test)]
mod fixtures;
pub mod idempotency;
pub mod institutions;
pub mod learning;
pub mod outbox;
pub mod passwords;
pub mod rate_limit;
mod raw;
pub mod sessions;
pub mod stats;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod throttle;
pub mod xapi;

pub use db::{Db, WriteTxn};
pub use error::StoreError;
