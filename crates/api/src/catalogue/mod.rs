//! The catalogue: published courses in the reader's language (no login needed), and the
//! authoring endpoints for admins. Answer keys never appear here.

pub mod authoring;
pub mod dto;
pub mod published;
pub mod routes;
