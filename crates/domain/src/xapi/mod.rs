//! xAPI 2.0 (IEEE 9274.1.1) data rules for the Learning Record Store: validation of
//! statements and agents as clients send them, the canonical keys under which agents are
//! matched, and the normal form in which timestamps are stored.
//!
//! Everything here works on `serde_json::Value`s as received, so that the LRS can store a
//! statement exactly as it was sent once it has passed [`validate_statement`].

pub mod validate;

mod activity;
mod agents;
mod context;
mod fields;
mod syntax;

#[cfg(test)]
mod tests;

pub use validate::{
    ACCOUNT_KEY_SEPARATOR, Invalid, agent_key, is_iri, is_language_map, normalise_timestamp,
    validate_agent, validate_statement,
};
