//! The demo's randomness: one seeded SplitMix64 and the draws the generator makes from it.

use chrono::{DateTime, Utc};
use help_lms_domain::quiz::SplitMix64;
use uuid::Uuid;

pub(super) struct Rng(pub(super) SplitMix64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(SplitMix64::new(seed))
    }
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    pub(super) fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub(super) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    pub(super) fn weighted<T: Copy>(&mut self, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (t, w) in items {
            if x < *w {
                return *t;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }
    /// A UUID v7 for a row created at `t`, random bits from the generator.
    pub(super) fn id_at(&mut self, t: DateTime<Utc>) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.0.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.0.next_u64().to_le_bytes()[..2]);
        let ms = u64::try_from(t.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
    }
    pub(super) fn hex(&mut self, n: usize) -> String {
        (0..n.div_ceil(16))
            .map(|_| format!("{:016x}", self.0.next_u64()))
            .collect::<String>()[..n]
            .to_owned()
    }
    /// A certificate code in the shape the platform issues (`XXXX-XXXX-XXXX-XXXX-XXXX`,
    /// Crockford base32), drawn from the generator so that it repeats with the seed.
    pub(super) fn certificate_code(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let chars: Vec<char> = (0..20).map(|_| ALPHABET[self.below(32)] as char).collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }
}

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// FNV-1a: a stable hash of a question key, so that a question's difficulty does not
/// depend on the seed.
pub(super) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_values() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let t = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(a.id_at(t), b.id_at(t));
        assert_eq!(a.certificate_code(), b.certificate_code());
        assert_eq!(a.hex(43), b.hex(43));
        assert_eq!(a.hex(43).len(), 43);
    }

    #[test]
    fn certificate_codes_are_five_groups_of_four() {
        let code = Rng::new(1).certificate_code();
        assert_eq!(code.len(), 24);
        assert!(code.split('-').all(|g| g.len() == 4));
    }

    #[test]
    fn weighted_draws_stay_among_the_items() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let x = r.weighted(&[(1, 0.2), (2, 0.8)]);
            assert!(x == 1 || x == 2);
        }
    }
}
