//! In-memory hash maps keyed by fingerprints.
//!
//! Fingerprints are already uniformly distributed, so hashing them again
//! (with SipHash or ahash) only costs time: the hasher passes their low bits
//! through. Nothing built with it is ever persisted.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map from already-random keys.
pub(crate) type FingerprintMap<K, V> = HashMap<K, V, BuildHasherDefault<PassThrough>>;

/// A hasher for keys that are already hashes.
#[derive(Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys that are not plain integers; mix so that
        // such keys still spread.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }

    #[inline]
    fn write_u128(&mut self, n: u128) {
        self.0 ^= n as u64;
    }
}
