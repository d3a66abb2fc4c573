//! In-memory hash maps keyed by fingerprints and other hashes.
//!
//! Their keys are already uniformly distributed, so hashing them again (with
//! SipHash or ahash) only costs time: the hasher takes their low 64 bits with
//! one multiply. Nothing built with it is ever persisted.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map from keys that are already hashes (fingerprints, shingle hashes,
/// band keys) or small integers (SimHash blocks).
pub(crate) type FingerprintMap<K, V> = HashMap<K, V, BuildHasherDefault<PassThrough>>;

/// A hasher for keys that are already hashes or small integers.
///
/// NOTE: SipHash would be wasted work on keys that are already uniform; one
/// multiply spreads small keys over the high bits that hashbrown uses for
/// its control bytes.
#[derive(Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, key: u64) {
        self.0 = (self.0 ^ key ^ (key >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn write_u128(&mut self, key: u128) {
        self.write_u64(key as u64);
    }
}

/// A map for the few segments of one document: a linear scan while it is
/// small (most documents have a handful of paragraphs), a hash map after.
pub(crate) struct LocalMap<V> {
    small: Vec<(crate::Fingerprint, V)>,
    large: Option<FingerprintMap<crate::Fingerprint, V>>,
}

impl<V: Copy> LocalMap<V> {
    const SMALL: usize = 32;

    pub(crate) fn new() -> LocalMap<V> {
        LocalMap {
            small: Vec::new(),
            large: None,
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: &crate::Fingerprint) -> Option<V> {
        match &self.large {
            Some(map) => map.get(key).copied(),
            None => self.small.iter().find(|(k, _)| k == key).map(|&(_, v)| v),
        }
    }

    /// Adds `key`, which must not be in the map yet.
    #[inline]
    pub(crate) fn insert(&mut self, key: crate::Fingerprint, value: V) {
        if let Some(map) = &mut self.large {
            map.insert(key, value);
        } else if self.small.len() < Self::SMALL {
            self.small.push((key, value));
        } else {
            let mut map: FingerprintMap<crate::Fingerprint, V> = self.small.drain(..).collect();
            map.insert(key, value);
            self.large = Some(map);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fingerprint;

    #[test]
    fn local_map_agrees_with_a_hash_map_past_the_switch() {
        let mut local = LocalMap::new();
        let mut oracle = std::collections::HashMap::new();
        for i in 0..100u32 {
            let key = Fingerprint::of(&(i % 70).to_string());
            assert_eq!(local.get(&key), oracle.get(&key).copied(), "key {i}");
            if let std::collections::hash_map::Entry::Vacant(slot) = oracle.entry(key) {
                slot.insert(i);
                local.insert(key, i);
            }
        }
        assert!(local.large.is_some());
    }
}
