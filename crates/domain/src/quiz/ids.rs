//! Opaque per-attempt ids for options and items. Content keys must never reach the
//! learner: ordering keys such as `i1, i2, i3`, or the shared pair key of a matching
//! question's two sides, would reveal the answer. Ids are derived from a per-attempt secret,
//! so they are stable within an attempt (responses can name them) and meaningless outside.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Joins the hashed parts; a control character cannot occur in content keys (slugs).
const SEPARATOR: u8 = 0x1f;

/// Role of choice options (single and multiple choice).
pub const ROLE_OPTION: &str = "opt";
/// Role of the left side of a matching pair.
pub const ROLE_LEFT: &str = "left";
/// Role of the right side of a matching pair.
pub const ROLE_RIGHT: &str = "right";
/// Role of an ordering item.
pub const ROLE_ITEM: &str = "item";

/// The first 12 hex characters (48 bits) of SHA-256 over the parts joined by U+001F.
pub fn item_id(attempt_secret: &str, question_key: &str, role: &str, item_key: &str) -> String {
    let mut h = Sha256::new();
    for (i, part) in [attempt_secret, question_key, role, item_key]
        .iter()
        .enumerate()
    {
        if i > 0 {
            h.update([SEPARATOR]);
        }
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    hex::encode(&digest[..6])
}

/// Reverse lookup from the ids of one list of a question to content indices.
pub(super) struct IdTable {
    index: BTreeMap<String, usize>,
}

impl IdTable {
    pub fn new<'a>(
        attempt_secret: &str,
        question_key: &str,
        role: &str,
        keys: impl Iterator<Item = &'a str>,
    ) -> Self {
        let mut index = BTreeMap::new();
        for (i, k) in keys.enumerate() {
            // First wins in the (2^-48) event of two ids colliding within one list.
            index
                .entry(item_id(attempt_secret, question_key, role, k))
                .or_insert(i);
        }
        Self { index }
    }

    /// The content index of the element with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}
