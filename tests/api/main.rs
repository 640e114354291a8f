//! Black-box tests: the real application over HTTP, one fresh database per test.

mod auth;
mod catalogue;
mod me;
mod openapi;
mod operations;
