//! 64-bit SimHash and an index for Hamming-distance queries.

use super::U64Map;
use crate::Error;

/// Marks the end of a bucket's chain.
const NONE: usize = usize::MAX;
/// The largest supported distance: beyond it the blocks get so short that
/// every query scans much of the index.
const MAX_DISTANCE: u32 = 8;

/// The 64-bit SimHash of a set of shingle hashes.
///
/// Bit `i` of the result is set when more than half of the shingles have bit
/// `i` set (ties clear it). Each element of `shingles` counts once, so the
/// distinct shingles from a [`Shingler`](super::Shingler) weigh 1 each;
/// pass repeated hashes to weigh shingles by their count. The empty set
/// gets 0. The shingle hashes are used as they are, so the result is as
/// stable as they are.
///
/// ```
/// use textdedup::near::simhash;
///
/// assert_eq!(simhash(&[0b1100, 0b1010, 0b1001]), 0b1000);
/// assert_eq!(simhash(&[]), 0);
/// ```
pub fn simhash(shingles: &[u64]) -> u64 {
    const LOW_BITS: u64 = 0x0101_0101_0101_0101;
    let mut counts = [0u32; 64];
    // Counts bits eight at a time: byte `b` of `lanes[j]` counts bit
    // `8b + j`, and is emptied before it can overflow.
    for chunk in shingles.chunks(255) {
        let mut lanes = [0u64; 8];
        for &hash in chunk {
            for (j, lane) in lanes.iter_mut().enumerate() {
                *lane += (hash >> j) & LOW_BITS;
            }
        }
        for (j, lane) in lanes.iter().enumerate() {
            for byte in 0..8 {
                counts[8 * byte + j] += ((lane >> (8 * byte)) & 0xFF) as u32;
            }
        }
    }
    let half = shingles.len() as u64;
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &count)| 2 * u64::from(count) > half)
        .fold(0, |acc, (bit, _)| acc | 1 << bit)
}

/// An index of 64-bit hashes that finds all within a Hamming distance.
///
/// The 64 bits are cut into `max_distance + 1` blocks. Two hashes that
/// differ in at most `max_distance` bits agree exactly on at least one block
/// (pigeonhole), so one table per block, keyed by that block's bits, yields
/// every match; each candidate is then checked by popcount (Manku, Jain and
/// Das Sarma, 2007).
///
/// ```
/// use textdedup::near::SimHashIndex;
///
/// let mut index = SimHashIndex::new(3)?;
/// index.insert("a", 0b0000);
/// index.insert("b", 0b0111);
/// index.insert("c", 0b1111);
/// assert_eq!(index.query(0), [(&"a", 0), (&"b", 3)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SimHashIndex<Id> {
    max_distance: u32,
    /// `(shift, mask)` of each block.
    blocks: Vec<(u32, u64)>,
    ids: Vec<Id>,
    hashes: Vec<u64>,
    /// Per block, the last entry with given block bits.
    heads: Vec<U64Map<usize>>,
    /// `chains[entry * blocks + block]`: the previous entry with the same bits.
    chains: Vec<usize>,
}

impl<Id> Default for SimHashIndex<Id> {
    /// An empty index for distances up to 3.
    fn default() -> SimHashIndex<Id> {
        SimHashIndex::with_distance(3)
    }
}

impl<Id> SimHashIndex<Id> {
    /// An empty index for Hamming distances up to `max_distance` inclusive,
    /// 0 to 8 (3 is typical for 64-bit simhashes).
    ///
    /// ```
    /// use textdedup::near::SimHashIndex;
    ///
    /// assert!(SimHashIndex::<u32>::new(8).is_ok());
    /// assert!(SimHashIndex::<u32>::new(9).is_err());
    /// ```
    pub fn new(max_distance: u32) -> Result<SimHashIndex<Id>, Error> {
        if max_distance > MAX_DISTANCE {
            return Err(Error::config(
                "max_distance",
                format!(
                    "{max_distance} bits is too far for block tables: use 0 to {MAX_DISTANCE} (3 is typical)"
                ),
            ));
        }
        Ok(SimHashIndex::with_distance(max_distance))
    }

    fn with_distance(max_distance: u32) -> SimHashIndex<Id> {
        let count = max_distance + 1;
        let blocks = (0..count)
            .map(|i| {
                let (start, end) = (64 * i / count, 64 * (i + 1) / count);
                let width = end - start;
                let mask = if width == 64 {
                    u64::MAX
                } else {
                    (1 << width) - 1
                };
                (start, mask)
            })
            .collect::<Vec<_>>();
        SimHashIndex {
            max_distance,
            heads: blocks.iter().map(|_| U64Map::default()).collect(),
            blocks,
            ids: Vec::new(),
            hashes: Vec::new(),
            chains: Vec::new(),
        }
    }

    /// The largest distance a query reports.
    ///
    /// ```
    /// use textdedup::near::SimHashIndex;
    ///
    /// assert_eq!(SimHashIndex::<u32>::default().max_distance(), 3);
    /// ```
    pub fn max_distance(&self) -> u32 {
        self.max_distance
    }

    /// The id and hash of entry `entry`, in insertion order; for saving.
    pub(crate) fn entry_at(&self, entry: usize) -> (&Id, u64) {
        (&self.ids[entry], self.hashes[entry])
    }

    /// The number of hashes inserted.
    ///
    /// ```
    /// use textdedup::near::SimHashIndex;
    ///
    /// let mut index = SimHashIndex::default();
    /// index.insert(1, 99);
    /// assert_eq!(index.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing was inserted.
    ///
    /// ```
    /// use textdedup::near::SimHashIndex;
    ///
    /// assert!(SimHashIndex::<u32>::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds `hash` under `id`. Inserting an id twice keeps both entries.
    ///
    /// ```
    /// use textdedup::near::SimHashIndex;
    ///
    /// let mut index = SimHashIndex::default();
    /// index.insert("x", 5);
    /// assert_eq!(index.query(5), [(&"x", 0)]);
    /// ```
    pub fn insert(&mut self, id: Id, hash: u64) {
        let entry = self.ids.len();
        for (block, &(shift, mask)) in self.blocks.iter().enumerate() {
            let previous = self.heads[block]
                .insert((hash >> shift) & mask, entry)
                .unwrap_or(NONE);
            self.chains.push(previous);
        }
        self.ids.push(id);
        self.hashes.push(hash);
    }

    /// Every inserted id whose hash is within `max_distance` bits of `hash`
    /// (inclusive), with that distance, in insertion order.
    ///
    /// ```
    /// use textdedup::near::SimHashIndex;
    ///
    /// let mut index = SimHashIndex::new(2)?;
    /// index.insert(1, 0b011);
    /// index.insert(2, 0b111);
    /// assert_eq!(index.query(0), [(&1, 2)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query(&self, hash: u64) -> Vec<(&Id, u32)> {
        let count = self.blocks.len();
        let mut entries = Vec::new();
        for (block, &(shift, mask)) in self.blocks.iter().enumerate() {
            let key = (hash >> shift) & mask;
            let mut entry = self.heads[block].get(&key).copied().unwrap_or(NONE);
            while entry != NONE {
                entries.push(entry);
                entry = self.chains[entry * count + block];
            }
        }
        entries.sort_unstable();
        entries.dedup();
        entries
            .into_iter()
            .filter_map(|entry| {
                let distance = (self.hashes[entry] ^ hash).count_ones();
                (distance <= self.max_distance).then(|| (&self.ids[entry], distance))
            })
            .collect()
    }
}
