//! The platform's issuer keys for Open Badges credentials: one Ed25519 key signs, and the
//! public halves of earlier keys stay published, so that a credential signed before a
//! rotation still verifies. Keys are named by their public key in Multikey form
//! (`z6Mk…`), which is also the fragment of their verification method.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _};
use secrecy::{ExposeSecret as _, SecretBox};

/// The multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

pub struct IssuerKeys {
    signing: SecretBox<[u8; 32]>,
    current: VerifyingKey,
    previous: Vec<VerifyingKey>,
}

impl std::fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKeys")
            .field("current", &multikey(&self.current))
            .field(
                "previous",
                &self.previous.iter().map(multikey).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// A public key as a Multikey `publicKeyMultibase`: `z`, then base58btc of the multicodec
/// prefix and the 32 key bytes.
pub fn multikey(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Reads a `publicKeyMultibase` of an Ed25519 key.
pub fn parse_multikey(s: &str) -> Result<VerifyingKey, String> {
    let bad = || format!("`{s}` is not an Ed25519 public key in Multikey form (z6Mk…)");
    let raw = s
        .trim()
        .strip_prefix('z')
        .and_then(|b| bs58::decode(b).into_vec().ok())
        .ok_or_else(bad)?;
    let key: [u8; 32] = raw
        .strip_prefix(&ED25519_PUB[..])
        .and_then(|k| k.try_into().ok())
        .ok_or_else(bad)?;
    VerifyingKey::from_bytes(&key).map_err(|_| bad())
}

/// Reads a 32-byte Ed25519 secret key (its seed), in base64url or base64, padded or not.
pub fn parse_secret(s: &str) -> Result<[u8; 32], String> {
    let s = s.trim();
    let bytes = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(s))
        .map_err(|_| "the issuer key must be 32 bytes in base64url".to_owned())?;
    bytes
        .try_into()
        .map_err(|_| "the issuer key must be exactly 32 bytes (an Ed25519 seed)".to_owned())
}

/// A new random secret key, in the form [`parse_secret`] reads.
pub fn generate_secret() -> Result<String, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| e.to_string())?;
    Ok(URL_SAFE_NO_PAD.encode(seed))
}

impl IssuerKeys {
    pub fn new(secret: [u8; 32], previous: Vec<VerifyingKey>) -> IssuerKeys {
        let current = SigningKey::from_bytes(&secret).verifying_key();
        let mut earlier: Vec<VerifyingKey> = Vec::new();
        for k in previous {
            if k != current && !earlier.contains(&k) {
                earlier.push(k);
            }
        }
        IssuerKeys {
            signing: SecretBox::new(Box::new(secret)),
            previous: earlier,
            current,
        }
    }

    /// The key that signs.
    pub fn current(&self) -> &VerifyingKey {
        &self.current
    }

    /// Every published key: the current one first, then the earlier ones.
    pub fn published(&self) -> impl Iterator<Item = &VerifyingKey> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// The published key named `multikey`, if there is one.
    pub fn find(&self, name: &str) -> Option<&VerifyingKey> {
        self.published().find(|k| multikey(k) == name)
    }

    pub fn sign(&self, message: &[u8]) -> Signature {
        SigningKey::from_bytes(self.signing.expose_secret()).sign(message)
    }
}

/// Whether `signature` is `key`'s over `message`.
pub fn verifies(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    key.verify(message, signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multikey_reads_back_and_starts_as_ed25519_keys_do() {
        let keys = IssuerKeys::new([7; 32], Vec::new());
        let name = multikey(keys.current());
        assert!(name.starts_with("z6Mk"), "{name}");
        assert_eq!(parse_multikey(&name), Ok(*keys.current()));
        assert!(parse_multikey("z6MkNotAKey").is_err());
        assert!(parse_multikey(&name[1..]).is_err());
    }

    #[test]
    fn secrets_read_in_either_base64_and_must_be_32_bytes() {
        let s = generate_secret().unwrap();
        let seed = parse_secret(&s).unwrap();
        assert_eq!(parse_secret(&STANDARD.encode(seed)), Ok(seed));
        assert!(parse_secret("c2hvcnQ").is_err());
        assert!(parse_secret("not base64 at all!").is_err());
    }

    #[test]
    fn earlier_keys_stay_published_and_the_secret_never_shows() {
        let old = IssuerKeys::new([1; 32], Vec::new());
        let keys = IssuerKeys::new([2; 32], vec![*old.current(), *old.current()]);
        let published: Vec<String> = keys.published().map(multikey).collect();
        assert_eq!(published.len(), 2);
        assert_eq!(published[1], multikey(old.current()));
        assert!(keys.find(&published[1]).is_some());
        let sig = old.sign(b"m");
        assert!(verifies(keys.find(&published[1]).unwrap(), b"m", &sig));
        assert!(!verifies(keys.current(), b"m", &sig));
        assert!(!format!("{keys:?}").contains(&URL_SAFE_NO_PAD.encode([2u8; 32])));
    }
}
