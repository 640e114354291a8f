//! Access tokens: HS256 JWTs (the algorithm is pinned), with `iss`, `aud`, `exp`, `iat`,
//! `sub`, `role` and, for institution staff, `inst`, all checked on the way in.

use help_lms_domain::accounts::Actor;
use help_lms_domain::values::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ISSUER: &str = "help-lms";
pub const AUDIENCE: &str = "help-lms-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inst: Option<Uuid>,
    /// `client` for an institution's API client; absent for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    pub iat: i64,
    pub exp: i64,
    /// When it was issued, in milliseconds: `iat` to the second cannot tell a token issued
    /// just before a new password from one issued just after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat_ms: Option<i64>,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 30;
        validation.validate_exp = true;
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
        })
    }

    pub fn issue(
        &self,
        actor: &Actor,
        ttl: chrono::Duration,
    ) -> Result<(String, i64), jsonwebtoken::errors::Error> {
        let at = chrono::Utc::now();
        let now = at.timestamp();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: actor.user_id,
            role: actor.role,
            inst: actor.institution_id,
            typ: actor.via_client.then(|| "client".to_owned()),
            iat: now,
            exp: now + ttl.num_seconds(),
            iat_ms: Some(at.timestamp_millis()),
        };
        Ok((
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?,
            claims.exp,
        ))
    }

    pub fn verify(&self, token: &str) -> Result<Actor, TokenError> {
        self.verify_issued(token).map(|(actor, _)| actor)
    }

    /// As `verify`, with the time the token was issued (Unix milliseconds).
    pub fn verify_issued(&self, token: &str) -> Result<(Actor, i64), TokenError> {
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                }
            })?;
        let c = data.claims;
        // A token issued in the future is not one we issued.
        if c.iat > chrono::Utc::now().timestamp() + 60 {
            return Err(TokenError::Invalid);
        }
        let via_client = match c.typ.as_deref() {
            None => false,
            Some("client") => true,
            Some(_) => return Err(TokenError::Invalid),
        };
        Ok((
            Actor {
                user_id: c.sub,
                role: c.role,
                institution_id: c.inst,
                via_client,
            },
            c.iat_ms.unwrap_or(c.iat.saturating_mul(1000)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            role: Role::NtiManager,
            institution_id: Some(Uuid::now_v7()),
            via_client: false,
        }
    }

    #[test]
    fn round_trip() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let a = actor();
        let (t, _) = keys.issue(&a, chrono::Duration::minutes(5)).unwrap();
        assert_eq!(keys.verify(&t).unwrap(), a);
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let (old, _) = keys
            .issue(&actor(), chrono::Duration::minutes(-10))
            .unwrap();
        assert_eq!(keys.verify(&old), Err(TokenError::Expired));

        let other = JwtKeys::new(b"another-secret-another-secret-xx").unwrap();
        let (foreign, _) = other.issue(&actor(), chrono::Duration::minutes(5)).unwrap();
        assert_eq!(keys.verify(&foreign), Err(TokenError::Invalid));

        // alg=none and other algorithms are refused.
        let now = chrono::Utc::now().timestamp();
        let body = serde_json::json!({"iss": ISSUER, "aud": AUDIENCE, "sub": Uuid::now_v7(), "role": "admin", "iat": now, "exp": now + 300});
        use base64::Engine;
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let none = format!(
            "{}.{}.",
            b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
            b64(&body)
        );
        assert_eq!(keys.verify(&none), Err(TokenError::Invalid));

        // Wrong audience.
        let bad_aud = serde_json::json!({"iss": ISSUER, "aud": "someone-else", "sub": Uuid::now_v7(), "role": "admin", "iat": now, "exp": now + 300});
        let t = encode(
            &Header::new(Algorithm::HS256),
            &bad_aud,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap(),
        )
        .unwrap();
        assert_eq!(keys.verify(&t), Err(TokenError::Invalid));

        // Unknown role.
        let bad_role = serde_json::json!({"iss": ISSUER, "aud": AUDIENCE, "sub": Uuid::now_v7(), "role": "superuser", "iat": now, "exp": now + 300});
        let t = encode(
            &Header::new(Algorithm::HS256),
            &bad_role,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap(),
        )
        .unwrap();
        assert_eq!(keys.verify(&t), Err(TokenError::Invalid));
    }
}
