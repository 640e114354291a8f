//! HTTP caching of published content: a strong `ETag` from the answer's bytes,
//! `Cache-Control: public, no-cache` (stored, but revalidated, since publishing changes the
//! current version), `Vary: Accept-Language`, and `304 Not Modified` for a matching
//! `If-None-Match` (RFC 9110, 13.1.2).

use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH, VARY,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, IntoResponses};

use crate::error::ApiError;

pub const CACHE_CONTROL_VALUE: &str = "public, no-cache";
pub const VARY_VALUE: &str = "Accept-Language";

/// The request header of revalidation, for the `params(...)` of `#[utoipa::path]`.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct Revalidate {
    /// Entity tags of copies the client holds (or `*`): 304 when one is current.
    #[param(rename = "If-None-Match")]
    pub if_none_match: Option<String>,
}

/// The 304 answer, for the `responses(...)` of `#[utoipa::path]`.
#[derive(IntoResponses)]
#[response(
    status = 304,
    description = "Not modified: an entity tag in `If-None-Match` is still current; no body",
    headers(
        ("ETag" = String, description = "The current entity tag"),
        ("Cache-Control" = String, description = "`public, no-cache`"),
        ("Vary" = String, description = "`Accept-Language`"),
    )
)]
#[allow(dead_code)]
pub struct NotModified;

/// A strong entity tag for these bytes: the first 128 bits of their SHA-256, quoted.
pub fn etag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether an `If-None-Match` value matches `etag` (a quoted tag): `*`, or a list of entity
/// tags of which one has the same opaque tag (the weak comparison, so `W/"x"` matches
/// `"x"`). A malformed list matches nothing from the point where it goes wrong.
pub fn none_match_matches(field: &str, etag: &str) -> bool {
    let field = field.trim();
    if field == "*" {
        return true;
    }
    let mut rest = field;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(inner) = tag.strip_prefix('"') else {
            return false;
        };
        let Some(end) = inner.find('"') else {
            return false;
        };
        // With its quotes, to compare with `etag`.
        if &tag[..end + 2] == etag {
            return true;
        }
        rest = &inner[end + 1..];
    }
}

/// Whether the request's `If-None-Match` fields match `etag`.
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .any(|v| none_match_matches(v, etag))
}

/// A published representation, rendered once: its JSON bytes, its entity tag, and the
/// languages it is in (for `Content-Language`; empty for none).
#[derive(Debug)]
pub struct Rendered {
    pub bytes: Bytes,
    pub etag: String,
    pub languages: String,
}

impl Rendered {
    pub fn json(languages: &[String], body: &impl Serialize) -> Result<Rendered, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
        Ok(Rendered {
            etag: etag(&bytes),
            bytes: Bytes::from(bytes),
            languages: languages.join(", "),
        })
    }
}

/// The answer for a published representation: 200 with the JSON body and its validators,
/// or 304 when the client's copy is current.
pub fn answer(req: &HttpRequest, rendered: &Rendered) -> HttpResponse {
    let fresh = not_modified(req, &rendered.etag);
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((ETAG, rendered.etag.as_str()))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL_VALUE)))
        .insert_header((VARY, HeaderValue::from_static(VARY_VALUE)));
    if !rendered.languages.is_empty() {
        res.insert_header((CONTENT_LANGUAGE, rendered.languages.as_str()));
    }
    if fresh {
        res.finish()
    } else {
        res.insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
            .body(rendered.bytes.clone())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_tag_is_strong_quoted_and_follows_the_bytes() {
        let a = etag(b"{\"a\":1}");
        assert!(a.starts_with('"') && a.ends_with('"') && !a.starts_with("W/"));
        assert_eq!(a.len(), 34);
        assert_eq!(a, etag(b"{\"a\":1}"));
        assert_ne!(a, etag(b"{\"a\":2}"));
    }

    #[test]
    fn if_none_match_takes_lists_stars_and_weak_tags() {
        let t = "\"abc\"";
        assert!(none_match_matches("\"abc\"", t));
        assert!(none_match_matches("*", t));
        assert!(none_match_matches(" * ", t));
        assert!(none_match_matches("\"x\", \"abc\"", t));
        assert!(none_match_matches("\"x\",W/\"abc\"", t));
        assert!(none_match_matches("W/\"abc\"", t));
        assert!(none_match_matches("\"a,b\", \"abc\"", t));
        assert!(!none_match_matches("\"abcd\"", t));
        assert!(!none_match_matches("abc", t));
        assert!(!none_match_matches("\"x\", \"ab", t));
        assert!(!none_match_matches("", t));
        assert!(!none_match_matches("w/\"abc\"", t));
    }

    #[test]
    fn a_matching_request_gets_304_without_a_body() {
        let body = serde_json::json!({"title": "x"});
        let first = answer(
            &TestRequest::default().to_http_request(),
            &Rendered::json(&[], &body).unwrap(),
        );
        assert_eq!(first.status(), 200);
        let tag = first
            .headers()
            .get(ETAG)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            first.headers().get(CACHE_CONTROL).unwrap(),
            "public, no-cache"
        );
        assert_eq!(first.headers().get(VARY).unwrap(), "Accept-Language");
        let again = TestRequest::default()
            .insert_header((IF_NONE_MATCH, format!("W/\"other\", {tag}")))
            .to_http_request();
        let res = answer(&again, &Rendered::json(&["en".to_owned()], &body).unwrap());
        assert_eq!(res.status(), 304);
        assert_eq!(res.headers().get(ETAG).unwrap().to_str().unwrap(), tag);
        assert_eq!(res.headers().get(VARY).unwrap(), "Accept-Language");
        assert!(res.into_body().try_into_bytes().unwrap().is_empty());
    }
}
