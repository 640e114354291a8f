//! Black-box tests: the real application over HTTP, one fresh database per test.

// Helpers of the tests may panic: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod audit;
mod auth;
mod catalogue;
mod cohort_life;
mod cohorts;
mod countries;
mod erasure;
mod http;
mod http_cache;
mod learning;
mod me;
mod openapi;
mod operations;
mod spreadsheets;
mod stats;
mod tutoring;
mod xapi;
