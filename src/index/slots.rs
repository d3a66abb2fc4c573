//! The exact table's hash table: 4-byte entry numbers in open addressing,
//! with a control byte per bucket that holds 7 bits of the hash, probed
//! eight buckets at a time.
//!
//! Why not hashbrown's `HashTable`, which has this layout: a bucket's
//! address must be known before it is probed, so that the index can start
//! loading the buckets of the next document's keys while it inserts this
//! one's (see [`Slots::prefetch`]); the sequential index step of the
//! command spends most of its time waiting on those loads. The sizes are
//! hashbrown's, so memory is the same: a power of two of buckets, at most
//! 7/8 of them full, 5 bytes a bucket.

/// Buckets read at once: one `u64` of control bytes.
const GROUP: usize = 8;
/// The control byte of an empty bucket; a full one holds 7 bits of hash.
const EMPTY: u8 = 0x80;
const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Entry numbers by hash. Entries are never removed.
#[derive(Clone, Default)]
pub(crate) struct Slots {
    /// A control byte per bucket, then the first `GROUP` again, so that a
    /// group read at any bucket is one 8-byte load.
    ctrl: Vec<u8>,
    ids: Vec<u32>,
    len: usize,
}

/// The control byte of a full bucket: the hash's top 7 bits.
#[inline]
fn tag(hash: u64) -> u8 {
    (hash >> 57) as u8
}

/// The bytes of `group` equal to `tag`, as their high bits.
#[inline]
fn matches(group: u64, tag: u8) -> u64 {
    let x = group ^ (LOW * u64::from(tag));
    // A byte's high bit is set after the add or the `or` unless it is zero;
    // no carry crosses bytes, so the test is exact.
    !(((x & !HIGH) + !HIGH) | x) & HIGH
}

impl Slots {
    /// A table with room for `entries` entries.
    pub(crate) fn with_capacity(entries: usize) -> Slots {
        if entries == 0 {
            return Slots::default();
        }
        let buckets = (entries * 8).div_ceil(7).next_power_of_two().max(GROUP);
        Slots {
            ctrl: vec![EMPTY; buckets + GROUP],
            ids: vec![0; buckets],
            len: 0,
        }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The number of buckets.
    pub(crate) fn buckets(&self) -> usize {
        self.ids.len()
    }

    /// The most entries the table takes before it must grow.
    pub(crate) fn capacity(&self) -> usize {
        self.buckets() / 8 * 7
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets() - 1
    }

    #[inline]
    fn group(&self, pos: usize) -> u64 {
        let mut bytes = [0; GROUP];
        bytes.copy_from_slice(&self.ctrl[pos..pos + GROUP]);
        u64::from_le_bytes(bytes)
    }

    /// The entry with `hash` for which `eq` holds, if there is one; or,
    /// without one, the bucket where such an entry would go.
    #[inline]
    fn probe(&self, hash: u64, mut eq: impl FnMut(u32) -> bool) -> Result<u32, usize> {
        let mask = self.mask();
        let tag = tag(hash);
        let mut pos = hash as usize & mask;
        let mut stride = 0;
        loop {
            let group = self.group(pos);
            let mut found = matches(group, tag);
            while found != 0 {
                let i = (pos + found.trailing_zeros() as usize / 8) & mask;
                if eq(self.ids[i]) {
                    return Ok(self.ids[i]);
                }
                found &= found - 1;
            }
            // Nothing is removed, so a key is never past an empty bucket.
            let empty = group & HIGH;
            if empty != 0 {
                return Err((pos + empty.trailing_zeros() as usize / 8) & mask);
            }
            // Triangular steps by groups reach every group of a power of
            // two of buckets.
            stride += GROUP;
            pos = (pos + stride) & mask;
        }
    }

    /// The entry with `hash` for which `eq` holds.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(u32) -> bool) -> Option<u32> {
        if self.buckets() == 0 {
            return None;
        }
        self.probe(hash, eq).ok()
    }

    /// The entry with `hash` for which `eq` holds, or, if there is none,
    /// `None` after adding `id` under `hash`. The table must not be full.
    #[inline]
    pub(crate) fn find_or_insert(
        &mut self,
        hash: u64,
        eq: impl FnMut(u32) -> bool,
        id: u32,
    ) -> Option<u32> {
        debug_assert!(self.len < self.capacity());
        match self.probe(hash, eq) {
            Ok(found) => Some(found),
            Err(bucket) => {
                self.put(bucket, tag(hash), id);
                None
            }
        }
    }

    /// Adds `id` under `hash`, known not to be there. The table must not be
    /// full.
    pub(crate) fn insert_unique(&mut self, hash: u64, id: u32) {
        debug_assert!(self.len < self.capacity());
        if let Err(bucket) = self.probe(hash, |_| false) {
            self.put(bucket, tag(hash), id);
        }
    }

    fn put(&mut self, bucket: usize, tag: u8, id: u32) {
        self.ctrl[bucket] = tag;
        if bucket < GROUP {
            let buckets = self.buckets();
            self.ctrl[buckets + bucket] = tag;
        }
        self.ids[bucket] = id;
        self.len += 1;
    }

    /// Starts loading the buckets a probe for `hash` reads first, without
    /// waiting for them: a hint, which changes no result.
    #[inline]
    pub(crate) fn prefetch(&self, hash: u64) {
        if self.buckets() == 0 {
            return;
        }
        let pos = hash as usize & self.mask();
        super::prefetch::read(&self.ctrl[pos]);
        super::prefetch::read(&self.ids[pos]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn matches_finds_exactly_the_equal_bytes() {
        for tag in 0..=127u8 {
            for other in [0u8, 1, 0x7f, EMPTY, tag ^ 1, tag ^ 0x40] {
                let mut bytes = [other; 8];
                bytes[3] = tag;
                bytes[6] = tag;
                let want: u64 = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == tag)
                    .map(|(i, _)| 0x80 << (8 * i))
                    .sum();
                assert_eq!(
                    matches(u64::from_le_bytes(bytes), tag),
                    want,
                    "{tag} {other}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Against a `HashMap`, with hashes drawn from a few values so that
        /// tags, buckets and whole hashes collide, across growth.
        #[test]
        fn slots_agree_with_a_hash_map(
            keys in prop::collection::vec((0u64..64, any::<u64>()), 0..400),
        ) {
            let mut slots = Slots::default();
            let mut by_key: Vec<(u64, u64)> = Vec::new();
            let mut oracle: HashMap<(u64, u64), u32> = HashMap::new();
            for (small, spread) in keys {
                // The hash: a few bits spread to the top (tags) and bottom
                // (buckets); the key: the hash and a distinguishing value.
                let hash = small.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (small << 60);
                let key = (hash, spread % 3);
                if slots.len() == slots.capacity() {
                    let mut bigger = Slots::with_capacity((slots.capacity() * 2).max(16));
                    for (id, (h, _)) in by_key.iter().enumerate() {
                        bigger.insert_unique(*h, id as u32);
                    }
                    slots = bigger;
                }
                let id = by_key.len() as u32;
                let found = slots.find_or_insert(hash, |e| by_key[e as usize] == key, id);
                prop_assert_eq!(found, oracle.get(&key).copied());
                if found.is_none() {
                    oracle.insert(key, id);
                    by_key.push(key);
                }
                prop_assert_eq!(slots.find(hash, |e| by_key[e as usize] == key), oracle.get(&key).copied());
            }
            prop_assert_eq!(slots.len(), oracle.len());
            for (key, id) in &oracle {
                prop_assert_eq!(slots.find(key.0, |e| by_key[e as usize] == *key), Some(*id));
            }
        }
    }

    #[test]
    fn sizes_are_hashbrowns() {
        for entries in [1, 7, 8, 14, 15, 16, 100, 1000, 450_908] {
            let ours = Slots::with_capacity(entries);
            // std's map is hashbrown's.
            let theirs = HashMap::<u32, ()>::with_capacity(entries);
            assert!(ours.capacity() >= entries);
            if entries >= 8 {
                assert_eq!(ours.capacity(), theirs.capacity(), "{entries}");
            }
        }
    }
}
