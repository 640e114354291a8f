//! Every certificate as an Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable
//! Credentials 2.0), signed with the platform's issuer key in a Data Integrity proof of the
//! `eddsa-rdfc-2022` cryptosuite; the issuer's profile with its keys; the achievement of a
//! course version; and the revocation status lists a verifier checks (W3C Bitstring Status
//! List), themselves signed credentials.
//!
//! A credential is built from the certificate's snapshot alone and signed as it is served,
//! so it is the same document every time it is fetched (until the signing key changes; a
//! copy signed with an earlier key still verifies, since earlier keys stay published).

pub mod keys;
mod rdf;
mod status;

use chrono::{DateTime, SecondsFormat, Utc};
use help_lms_domain::values::Language;
use help_lms_persistence::learning::Certificate;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use self::keys::IssuerKeys;
pub use self::status::{LIST_SIZE, encoded_list};
use crate::public_url::PublicUrl;

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
pub const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";
/// Defines `assertionMethod` and `verificationMethod` at the top of a controller document,
/// where verifiers read them (in safe mode every term must be defined).
pub const SECURITY_CONTEXT: &str = "https://w3id.org/security/v2";
const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The issuer's name, as credentials and the verification page show it.
pub const ISSUER_NAME: &str = "Council of Europe – HELP Programme";

/// Where the issuer's profile (and controller document) is published.
pub fn issuer_id(base: &PublicUrl) -> String {
    base.link("/api/v1/issuer")
}

/// The verification method of a key: the issuer's profile, and the key's name.
pub fn method_id(base: &PublicUrl, key: &ed25519_dalek::VerifyingKey) -> String {
    format!("{}#{}", issuer_id(base), keys::multikey(key))
}

pub fn status_list_url(base: &PublicUrl, list: i64) -> String {
    base.link(&format!("/api/v1/credentials/status/{list}"))
}

pub fn achievement_url(base: &PublicUrl, course_id: uuid::Uuid, version: i32) -> String {
    base.link(&format!("/api/v1/achievements/{course_id}/{version}"))
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What a credential's achievement says of a course version.
pub struct AchievementText<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub language: Language,
}

/// How the achievement is earned, in the credential's language.
fn criteria(language: Language) -> &'static str {
    match language {
        Language::Fr => {
            "Avoir terminé chaque leçon du cours en ligne HELP et réussi le quiz de chacun de ses modules."
        }
        _ => {
            "Completed every lesson of the HELP online course and passed the quiz of each of its modules."
        }
    }
}

/// The Achievement of a course version, as credentials embed it and as it is published.
pub fn achievement(
    base: &PublicUrl,
    course_id: uuid::Uuid,
    version: i32,
    text: &AchievementText<'_>,
) -> Value {
    json!({
        "id": achievement_url(base, course_id, version),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": text.title,
        "description": text.summary,
        "criteria": {"narrative": criteria(text.language)},
        "inLanguage": text.language.as_str(),
        "version": version.to_string(),
        "creator": issuer_profile_ref(base),
    })
}

fn issuer_profile_ref(base: &PublicUrl) -> Value {
    json!({
        "id": issuer_id(base),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": base.as_str(),
    })
}

/// The certificate as an unsigned OpenBadgeCredential.
pub fn credential(c: &Certificate, summary: &str, base: &PublicUrl) -> Value {
    let list = c.status_index / LIST_SIZE;
    let list_url = status_list_url(base, list);
    let text = AchievementText {
        title: &c.course_title,
        summary,
        language: c.language,
    };
    json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", c.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": c.course_title,
        "issuer": issuer_profile_ref(base),
        "validFrom": timestamp(c.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": c.learner_name,
                "identityType": "name",
                "hashed": false,
            }],
            "achievement": achievement(base, c.course_id, c.course_version, &text),
        },
        "credentialStatus": {
            "id": format!("{list_url}#{}", c.status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": c.status_index.to_string(),
            "statusListCredential": list_url,
        },
    })
}

/// Status list `list` as an unsigned BitstringStatusListCredential, `revoked` holding the
/// positions (within the whole numbering) that are revoked.
pub fn status_list_credential(
    base: &PublicUrl,
    list: i64,
    revoked: &[i64],
    now: DateTime<Utc>,
) -> Result<Value, String> {
    let url = status_list_url(base, list);
    let offsets: Vec<usize> = revoked
        .iter()
        .filter_map(|i| usize::try_from(i - list * LIST_SIZE).ok())
        .collect();
    Ok(json!({
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(base),
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(&offsets)?,
        },
    }))
}

/// What is signed: the hash of the proof's options, then the hash of the document, each
/// in canonical N-Quads.
fn signing_input(doc: &Value, options: &Value) -> Result<Vec<u8>, String> {
    let mut out = Sha256::digest(rdf::canonical(options)?.as_bytes()).to_vec();
    out.extend_from_slice(&Sha256::digest(rdf::canonical(doc)?.as_bytes()));
    Ok(out)
}

/// The proof's options for `doc`: everything but the value, in the document's context.
fn proof_options(doc: &Value, method: &str, created: DateTime<Utc>) -> Value {
    json!({
        "@context": doc.get("@context").cloned().unwrap_or(Value::Null),
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
    })
}

/// Adds a Data Integrity proof (`eddsa-rdfc-2022`) made with the current key.
pub fn sign(
    mut doc: Value,
    keys: &IssuerKeys,
    base: &PublicUrl,
    created: DateTime<Utc>,
) -> Result<Value, String> {
    let method = method_id(base, keys.current());
    let mut options = proof_options(&doc, &method, created);
    let signature = keys.sign(&signing_input(&doc, &options)?);
    let value = format!("z{}", bs58::encode(signature.to_bytes()).into_string());
    if let Some(o) = options.as_object_mut() {
        o.remove("@context");
        o.insert("proofValue".to_owned(), Value::String(value));
    }
    doc.as_object_mut()
        .ok_or("a document is an object")?
        .insert("proof".to_owned(), options);
    Ok(doc)
}

/// Whether `doc` carries a valid proof by one of `keys`, the issuer's published keys (the
/// check a verifier makes of the signature; status and dates are not looked at).
pub fn verify(doc: &Value, keys: &[keys::VerifyingKey], base: &PublicUrl) -> Result<(), String> {
    let proof = doc.get("proof").ok_or("no proof")?;
    let field = |k: &str| proof.get(k).and_then(Value::as_str);
    if field("type") != Some("DataIntegrityProof") || field("cryptosuite") != Some(CRYPTOSUITE) {
        return Err("not an eddsa-rdfc-2022 proof".to_owned());
    }
    let method = field("verificationMethod").ok_or("no verification method")?;
    let name = method
        .strip_prefix(&format!("{}#", issuer_id(base)))
        .ok_or("signed by another issuer")?;
    let key = keys
        .iter()
        .find(|k| keys::multikey(k) == name)
        .ok_or("signed with an unknown key")?;
    let value = field("proofValue").ok_or("no proof value")?;
    let bytes = value
        .strip_prefix('z')
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .ok_or("the proof value is not base58btc")?;
    let signature = ed25519_dalek::Signature::from_slice(&bytes).map_err(|e| e.to_string())?;
    let mut options = proof.clone();
    let o = options.as_object_mut().ok_or("a proof is an object")?;
    o.remove("proofValue");
    o.insert(
        "@context".to_owned(),
        doc.get("@context").cloned().unwrap_or(Value::Null),
    );
    let input = signing_input(doc, &options)?;
    if keys::verifies(key, &input, &signature) {
        Ok(())
    } else {
        Err("the signature does not match the document".to_owned())
    }
}

/// The issuer's Profile, which is also the controller document of its keys: every
/// published key as a Multikey verification method, each allowed to assert credentials.
pub fn issuer_profile(base: &PublicUrl, keys: &IssuerKeys) -> Value {
    let id = issuer_id(base);
    let methods: Vec<Value> = keys
        .published()
        .map(|k| {
            json!({
                "id": method_id(base, k),
                "type": "Multikey",
                "controller": id,
                "publicKeyMultibase": keys::multikey(k),
            })
        })
        .collect();
    let assertion: Vec<Value> = keys
        .published()
        .map(|k| Value::String(method_id(base, k)))
        .collect();
    json!({
        "@context": [VC_CONTEXT, OB_CONTEXT, MULTIKEY_CONTEXT, SECURITY_CONTEXT],
        "id": id,
        "type": "Profile",
        "name": ISSUER_NAME,
        "url": base.as_str(),
        "description": "The HELP Programme (Human Rights Education for Legal Professionals) of the Council of Europe issues these credentials for its online courses.",
        "verificationMethod": methods,
        "assertionMethod": assertion,
    })
}

/// The published keys as a JSON Web Key Set (RFC 8037 `OKP`, `Ed25519`).
pub fn jwks(base: &PublicUrl, keys: &IssuerKeys) -> Value {
    use base64::Engine as _;
    let keys: Vec<Value> = keys
        .published()
        .map(|k| {
            json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.as_bytes()),
                "kid": method_id(base, k),
                "alg": "EdDSA",
                "use": "sig",
            })
        })
        .collect();
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests;
