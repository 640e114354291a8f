//! Authentication: the `Authenticated` extractor and the `/auth` endpoints.

mod extractor;
pub mod routes;

pub use extractor::{Authenticated, client_address};
