//! Authentication: the `Authenticated` extractor, the guards built on it, and the `/auth`
//! endpoints.

mod extractor;
mod guard;
pub mod oauth;
pub mod routes;

pub use extractor::{Authenticated, client_address};
pub use guard::{Admin, Manager, Person, Staff};
