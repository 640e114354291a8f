//! The attachments of a statement batch: every attachment without a `fileUrl` has its
//! part (matched by `X-Experience-API-Hash`, checked against the content's SHA-256),
//! every part belongs to an attachment, and a signature attachment is a JWS (RS256,
//! RS384 or RS512) of its statement.

use base64::Engine as _;
use help_lms_persistence::xapi::statements::Attachment;
use serde_json::Value;
use sha2::Digest;

use super::bad;
use super::multipart::Part;
use crate::error::ApiError;

/// The usage type of an attachment that signs its statement (a JWS).
const SIGNATURE: &str = "http://adlnet.gov/expapi/attachments/signature";
/// Matches the attachment parts to the statements' attachments: every attachment without
/// a `fileUrl` has its part, every part belongs to an attachment, and signatures are
/// well-formed JWS of their statement.
pub(super) fn check(batch: &[Value], parts: Vec<Part>) -> Result<Vec<Attachment>, ApiError> {
    let mut by_hash: std::collections::HashMap<String, Part> = std::collections::HashMap::new();
    for part in parts {
        let hash = part
            .header("x-experience-api-hash")
            .ok_or_else(|| bad("an attachment part has no X-Experience-API-Hash"))?
            .to_owned();
        if let Some(encoding) = part.header("content-transfer-encoding")
            && !encoding.eq_ignore_ascii_case("binary")
        {
            return Err(bad(
                "attachment parts are sent with Content-Transfer-Encoding: binary",
            ));
        }
        let actual = hex::encode(sha2::Sha256::digest(&part.body));
        if hash.len() == 64 && !hash.eq_ignore_ascii_case(&actual) {
            return Err(bad(format!(
                "the attachment part {hash} does not have that SHA-256"
            )));
        }
        by_hash.insert(hash, part);
    }
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::new();
    for statement in batch {
        for a in statement["attachments"].as_array().into_iter().flatten() {
            let sha2 = a["sha2"].as_str().unwrap_or_default();
            let signature = a["usageType"] == SIGNATURE;
            match by_hash.get(sha2) {
                Some(part) => {
                    if signature {
                        check_signature(statement, a, part)?;
                    }
                    if used.insert(sha2.to_owned()) {
                        out.push(Attachment {
                            sha2: sha2.to_owned(),
                            content_type: a["contentType"]
                                .as_str()
                                .unwrap_or("application/octet-stream")
                                .to_owned(),
                            content: part.body.clone(),
                        });
                    }
                }
                None if a.get("fileUrl").is_some() && !signature => {}
                None => {
                    return Err(bad(format!(
                        "the attachment {sha2} has no part and no fileUrl"
                    )));
                }
            }
        }
    }
    if let Some(extra) = by_hash.keys().find(|h| !used.contains(*h)) {
        return Err(bad(format!(
            "the part {extra} is no statement's attachment"
        )));
    }
    Ok(out)
}

/// A signature attachment is a compact JWS signed with RS256, RS384 or RS512 whose payload
/// is the statement without its signature.
fn check_signature(statement: &Value, declared: &Value, part: &Part) -> Result<(), ApiError> {
    if declared["contentType"] != "application/octet-stream" {
        return Err(bad(
            "a signature attachment's contentType is application/octet-stream",
        ));
    }
    let text = std::str::from_utf8(&part.body).map_err(|_| bad("the signature is not a JWS"))?;
    let header =
        jsonwebtoken::decode_header(text.trim()).map_err(|_| bad("the signature is not a JWS"))?;
    use jsonwebtoken::Algorithm::{RS256, RS384, RS512};
    if !matches!(header.alg, RS256 | RS384 | RS512) {
        return Err(bad("a signature uses RS256, RS384 or RS512"));
    }
    let payload = text
        .trim()
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p.trim_end_matches('='))
                .ok()
        })
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        .ok_or_else(|| bad("the signature's payload is not a JSON statement"))?;
    let same = |k: &str| payload.get(k) == statement.get(k);
    if !(same("actor") && same("verb") && same("object")) {
        return Err(bad("the signature's payload is not this statement"));
    }
    Ok(())
}
