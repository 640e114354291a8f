//! Authentication: the `Authenticated` extractor, the guards built on it, the `/auth`
//! endpoints and getting into an account.

pub mod account;
mod extractor;
mod guard;
pub mod oauth;
pub mod password;
pub mod routes;

pub use extractor::{Authenticated, client_address};
pub use guard::{Admin, Manager, Person, Staff};
