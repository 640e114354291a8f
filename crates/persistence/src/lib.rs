//! Storage for help-lms: the database connection, sea-orm entities, and the services that
//! run each business operation in one transaction.

pub mod accounts;
pub mod catalogue;
pub mod cohorts;
pub mod db;
pub mod enrolments;
pub mod entities;
pub mod error;
#[cfg(test)]
mod fixtures;
pub mod idempotency;
pub mod institutions;
pub mod learning;
pub mod passwords;
pub mod sessions;
pub mod stats;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod throttle;

pub use db::{Db, WriteTxn};
pub use error::StoreError;
