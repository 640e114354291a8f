//! A query string whose lists may come either way: the parameter repeated
//! (`country=RO&country=BG`, OpenAPI's `form` style with `explode`, which generated clients
//! send) or one comma-separated value (`country=RO,BG`, handy by hand). Repeats are joined
//! with commas before the query is read, so the parameters' parsers see one form only.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};

use crate::app::query_problem;
use crate::error::ApiError;

/// Query parameters of type `T`, with repeated keys joined by commas.
#[derive(Debug)]
pub struct ListQuery<T>(pub T);

impl<T> std::ops::Deref for ListQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Joins the values of repeated keys with commas, keeping the first occurrence's place.
fn joined(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|e| query_problem(e.to_string()))?;
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match out.iter_mut().find(|(key, _)| *key == k) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            None => out.push((k, v)),
        }
    }
    Ok(out)
}

pub(crate) fn read<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = joined(query)?;
    let encoded = serde_urlencoded::to_string(&pairs).map_err(|e| query_problem(e.to_string()))?;
    serde_urlencoded::from_str(&encoded).map_err(|e| query_problem(e.to_string()))
}

impl<T: DeserializeOwned> FromRequest for ListQuery<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(read(req.query_string()).map(ListQuery).map_err(Into::into))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        country: Option<String>,
        to: Option<String>,
    }

    #[test]
    fn repeated_keys_read_as_a_comma_separated_list() {
        let q: Q = read("country=RO&to=2027-01-01&country=BG").unwrap();
        assert_eq!(q.country.as_deref(), Some("RO,BG"));
        assert_eq!(q.to.as_deref(), Some("2027-01-01"));
        let same: Q = read("country=RO,BG&to=2027-01-01").unwrap();
        assert_eq!(same, q);
    }

    #[test]
    fn an_unknown_parameter_is_still_named() {
        let e = read::<Q>("colour=red").unwrap_err();
        assert_eq!(e.code(), crate::error::Code::ValidationFailed);
        assert!(format!("{e:?}").contains("colour"), "{e:?}");
    }

    #[test]
    fn values_keep_their_encoding() {
        let q: Q = read("country=a%26b%3Dc").unwrap();
        assert_eq!(q.country.as_deref(), Some("a&b=c"));
    }
}
