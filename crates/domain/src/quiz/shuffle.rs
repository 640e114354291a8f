//! Deterministic shuffling. An attempt stores only its seed, so the order a learner saw
//! must be re-derivable from it forever: the generator and the shuffle are spelled out
//! here (splitmix64 + Fisher–Yates) rather than borrowed from a crate whose algorithms
//! may change between versions.

/// The splitmix64 generator (Steele, Lea & Flood; Vigna's reference constants): tiny,
/// fast and statistically good enough for shuffling a handful of options.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (Lemire's multiply-and-reject, so no modulo bias);
    /// 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(bound);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// 64-bit FNV-1a: a fixed, dependency-free hash to fold a salt into the seed.
fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A permutation of `0..n`: position `i` of the result holds the index of the element shown
/// `i`-th. The salt (e.g. a question key) gives each list of one attempt its own order.
/// Same inputs, same output, on every platform and forever.
pub fn permutation(seed: u64, salt: &str, n: usize) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed ^ fnv1a64(salt));
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    order
}

/// `permutation`, but never the identity when `n >= 2`: if the draw is the identity it is
/// rotated by one. Used where showing the content order would give the answer away.
pub(crate) fn non_identity_permutation(seed: u64, salt: &str, n: usize) -> Vec<usize> {
    let mut order = permutation(seed, salt, n);
    if n >= 2 && order.iter().enumerate().all(|(i, &v)| i == v) {
        order.rotate_left(1);
    }
    order
}
