//! The near-duplicate side of the index: one structure per level, holding
//! the kept segments' signatures, simhashes or n-grams.

use crate::dedup::{NearKey, NearKind, NearSettings};
use crate::near::{ContainmentIndex, LshIndex, SimHashIndex};

/// Where a verified match lives: in the index (an entry number) or earlier
/// in the text being checked (a number among its kept segments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Source {
    Index(u32),
    Local(u32),
}

#[derive(Clone, Debug)]
pub(crate) enum NearIndex {
    MinHash(LshIndex<u32>),
    SimHash(SimHashIndex<u32>),
    Containment(ContainmentIndex<u32>),
}

impl NearIndex {
    pub(crate) fn new(settings: &NearSettings) -> NearIndex {
        match &settings.kind {
            NearKind::MinHash { lsh, .. } => NearIndex::MinHash(LshIndex::new(*lsh)),
            NearKind::SimHash { max_distance } => NearIndex::SimHash(
                SimHashIndex::new(*max_distance).expect("distance validated by the builder"),
            ),
            NearKind::Containment => NearIndex::Containment(ContainmentIndex::new()),
        }
    }

    /// An estimate of the heap bytes held: for MinHash, what the LSH index
    /// holds; otherwise per entry, its key and one hash table slot (key,
    /// entry number, control byte) per block.
    pub(crate) fn memory_bytes(&self) -> usize {
        const SLOT: usize = 8 + 8 + 1;
        match self {
            NearIndex::MinHash(lsh) => lsh.memory_bytes(),
            NearIndex::SimHash(index) => {
                index.len() * (8 + 4 + (index.max_distance() as usize + 1) * (SLOT + 8))
            }
            NearIndex::Containment(index) => index.num_shingles() * SLOT,
        }
    }

    /// Every entry's id and key, in insertion order: what `insert` needs to
    /// rebuild the index (for containment, the n-grams each entry saw first).
    pub(crate) fn keys(&self) -> Vec<(u32, NearKey)> {
        match self {
            NearIndex::MinHash(lsh) => (0..lsh.len())
                .map(|e| {
                    let (&id, sig) = lsh.entry_at(e);
                    (id, NearKey::Signature(sig))
                })
                .collect(),
            NearIndex::SimHash(index) => (0..index.len())
                .map(|e| {
                    let (&id, hash) = index.entry_at(e);
                    (id, NearKey::SimHash(hash))
                })
                .collect(),
            NearIndex::Containment(index) => index
                .first_seen_by_entry()
                .into_iter()
                .map(|(&id, shingles)| (id, NearKey::Shingles(shingles.into_boxed_slice())))
                .collect(),
        }
    }

    pub(crate) fn insert(&mut self, id: u32, key: &NearKey) {
        match (self, key) {
            (NearIndex::MinHash(lsh), NearKey::Signature(sig)) => {
                // Signatures come from the same settings, so they fill the bands.
                let _ = lsh.insert(id, sig);
            }
            (NearIndex::SimHash(index), NearKey::SimHash(hash)) => index.insert(id, *hash),
            (NearIndex::Containment(index), NearKey::Shingles(shingles)) => {
                index.insert(id, shingles)
            }
            _ => {}
        }
    }

    /// The earliest kept segment, in this index and then in `local`, that
    /// `key` verifies against, with its score.
    pub(crate) fn find(
        &self,
        local: &NearIndex,
        key: &NearKey,
        threshold: f64,
    ) -> Option<(Source, f64)> {
        match (self, local, key) {
            (NearIndex::MinHash(index), NearIndex::MinHash(local), NearKey::Signature(sig)) => {
                let first = |lsh: &LshIndex<u32>| {
                    lsh.query_first(sig, threshold)
                        .map(|(&id, score)| (id, score))
                };
                first(index)
                    .map(|(id, s)| (Source::Index(id), s))
                    .or_else(|| first(local).map(|(id, s)| (Source::Local(id), s)))
            }
            (NearIndex::SimHash(index), NearIndex::SimHash(local), NearKey::SimHash(hash)) => {
                let first = |simhash: &SimHashIndex<u32>| {
                    simhash
                        .query(*hash)
                        .first()
                        .map(|&(&id, distance)| (id, 1.0 - f64::from(distance) / 64.0))
                };
                first(index)
                    .map(|(id, s)| (Source::Index(id), s))
                    .or_else(|| first(local).map(|(id, s)| (Source::Local(id), s)))
            }
            (
                NearIndex::Containment(index),
                NearIndex::Containment(local),
                NearKey::Shingles(shingles),
            ) => KeptShingles { index, local }.containment(shingles, threshold),
            _ => None,
        }
    }
}

/// The n-grams of everything kept: in the index, and earlier in the text.
#[derive(Clone, Copy)]
struct KeptShingles<'a> {
    index: &'a ContainmentIndex<u32>,
    local: &'a ContainmentIndex<u32>,
}

impl KeptShingles<'_> {
    /// Containment against everything kept: the fraction of the segment's
    /// distinct n-grams seen before. The source named is the kept segment
    /// that first had the most of them.
    fn containment(self, shingles: &[u64], threshold: f64) -> Option<(Source, f64)> {
        let KeptShingles { index, local } = self;
        if shingles.is_empty() {
            return None;
        }
        let mut sources: Vec<Source> = shingles
            .iter()
            .filter_map(|&shingle| {
                index
                    .source_of(shingle)
                    .map(|&id| Source::Index(id))
                    .or_else(|| local.source_of(shingle).map(|&id| Source::Local(id)))
            })
            .collect();
        let score = sources.len() as f64 / shingles.len() as f64;
        if score < threshold {
            return None;
        }
        crate::near::most_common(&mut sources).map(|(source, _)| (source, score))
    }
}
