//! Locality-sensitive hashing of MinHash signatures by banding.

use super::minhash::{MAX_PERM, slots_jaccard};
use super::{Signature, mix64};
use crate::Error;

/// Marks the end of a chain, and an empty bucket.
const NONE: u32 = u32::MAX;
/// The buckets of a band table when it is built.
const MIN_BUCKETS: usize = 64;
/// Settings [`LshParams::for_threshold`] has already searched, as
/// `(threshold bits, num_perm)`.
static FOR_THRESHOLD: std::sync::Mutex<Vec<((u64, usize), LshParams)>> =
    std::sync::Mutex::new(Vec::new());
/// At most this many are remembered: a process that tries many thresholds
/// searches again past them.
const FOR_THRESHOLD_CACHED: usize = 64;
/// Points of the numeric integration on each side of the threshold.
const STEPS: usize = 200;
/// Below this many entries an index has no band keys: a query compares its
/// bands with every entry's, slot by slot, rather than looking them up in
/// one hash table per band.
///
/// NOTE: `Dedup` makes a fresh index per document for matches within it,
/// which mostly holds one entry: twelve tables for it, or even hashing its
/// bands, cost more than the scan ever does.
const SMALL: usize = 32;
/// Bands whose keys fit on the stack; more use the heap.
const STACK_BANDS: usize = 32;

/// How a signature is cut into bands: `bands` bands of `rows` slots each.
///
/// Two signatures become candidates when they agree on every slot of at
/// least one band, which for sets of Jaccard similarity `s` happens with
/// probability `1 - (1 - s^rows)^bands`: an S-curve that
/// [`for_threshold`](LshParams::for_threshold) centres on the threshold.
///
/// ```
/// use textdedup::near::LshParams;
///
/// let params = LshParams::for_threshold(0.8, 128)?;
/// assert!(params.bands() * params.rows() <= 128);
/// assert!(params.collision_probability(0.95) > 0.99);
/// assert!(params.collision_probability(0.5) < 0.05);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LshParams {
    bands: usize,
    rows: usize,
}

impl LshParams {
    /// Explicit banding; both must be at least 1, and `bands * rows` at
    /// most 1024, the most slots a [`MinHasher`](super::MinHasher) makes.
    ///
    /// ```
    /// use textdedup::near::LshParams;
    ///
    /// let params = LshParams::new(16, 8)?;
    /// assert_eq!((params.bands(), params.rows()), (16, 8));
    /// assert!(LshParams::new(0, 8).is_err());
    /// assert!(LshParams::new(33, 32).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(bands: usize, rows: usize) -> Result<LshParams, Error> {
        if bands == 0 {
            return Err(Error::config("bands", "use at least 1 band"));
        }
        if rows == 0 {
            return Err(Error::config("rows", "use at least 1 row per band"));
        }
        if bands.saturating_mul(rows) > super::minhash::MAX_PERM {
            return Err(Error::config(
                "bands",
                format!(
                    "{bands} bands of {rows} rows need more than {} slots: use fewer",
                    super::minhash::MAX_PERM
                ),
            ));
        }
        Ok(LshParams { bands, rows })
    }

    /// The banding with `bands * rows <= num_perm` that minimizes the mean
    /// false-positive rate below `threshold` plus the mean false-negative
    /// rate above it, weighted equally:
    ///
    /// `0.5 * ∫[0,t] P(s) ds / t + 0.5 * ∫[t,1] (1 - P(s)) ds / (1 - t)`.
    ///
    /// `threshold` must be in `(0, 1]`, `num_perm` in `1..=1024`.
    ///
    /// ```
    /// use textdedup::near::LshParams;
    ///
    /// let params = LshParams::for_threshold(0.8, 128)?;
    /// assert_eq!((params.bands(), params.rows()), (12, 10));
    /// assert!(LshParams::for_threshold(0.0, 128).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Result<LshParams, Error> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::config(
                "threshold",
                format!("{threshold} is not a similarity: use a value in (0, 1], e.g. 0.8"),
            ));
        }
        if !(1..=super::minhash::MAX_PERM).contains(&num_perm) {
            return Err(Error::config(
                "num_perm",
                format!("{num_perm} slots is out of range: use 1 to 1024"),
            ));
        }
        let key = (threshold.to_bits(), num_perm);
        let remembered = |cache: &[((u64, usize), LshParams)]| {
            cache
                .iter()
                .find(|(k, _)| *k == key)
                .map(|&(_, params)| params)
        };
        // NOTE: the search costs about 7 ms at 128 slots, and more with more
        // slots, paid by every `DedupBuilder::build`; settings repeat, so the
        // answer is remembered. A poisoned lock only means another thread panicked
        // while holding it: the cache is still sound.
        let cache = FOR_THRESHOLD.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(params) = remembered(&cache) {
            return Ok(params);
        }
        drop(cache);
        let params = Self::search(threshold, num_perm);
        let mut cache = FOR_THRESHOLD.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() < FOR_THRESHOLD_CACHED && remembered(&cache).is_none() {
            cache.push((key, params));
        }
        Ok(params)
    }

    /// The search behind [`for_threshold`](LshParams::for_threshold): every
    /// `bands * rows <= num_perm`, the least banding error (the first on
    /// ties).
    fn search(threshold: f64, num_perm: usize) -> LshParams {
        let mut best = (f64::INFINITY, LshParams { bands: 1, rows: 1 });
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let params = LshParams { bands, rows };
                let error = params.banding_error(threshold);
                if error < best.0 {
                    best = (error, params);
                }
            }
        }
        best.1
    }

    /// The objective [`for_threshold`](LshParams::for_threshold) minimizes.
    fn banding_error(&self, t: f64) -> f64 {
        let false_positive = simpson(|s| self.collision_probability(s), 0.0, t) / t;
        let false_negative = if t < 1.0 {
            simpson(|s| 1.0 - self.collision_probability(s), t, 1.0) / (1.0 - t)
        } else {
            0.0
        };
        0.5 * false_positive + 0.5 * false_negative
    }

    /// The number of bands.
    ///
    /// ```
    /// use textdedup::near::LshParams;
    ///
    /// assert_eq!(LshParams::new(4, 2)?.bands(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// The number of slots per band.
    ///
    /// ```
    /// use textdedup::near::LshParams;
    ///
    /// assert_eq!(LshParams::new(4, 2)?.rows(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The probability `1 - (1 - s^rows)^bands` that two sets of Jaccard
    /// similarity `s` share a band.
    ///
    /// ```
    /// use textdedup::near::LshParams;
    ///
    /// let params = LshParams::new(1, 1)?;
    /// assert_eq!(params.collision_probability(0.5), 0.5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn collision_probability(&self, s: f64) -> f64 {
        let s = s.clamp(0.0, 1.0);
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

/// Simpson's rule over `[a, b]`.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let h = (b - a) / STEPS as f64;
    let inner: f64 = (1..STEPS)
        .map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + f(b) + inner) * h / 3.0
}

/// An index of MinHash signatures that finds the similar ones by banding.
///
/// Candidates share at least one band with the query; [`query`](LshIndex::query)
/// also checks each candidate's estimated similarity. Results come in
/// insertion order, each id once.
///
/// ```
/// use textdedup::near::{LshIndex, LshParams, Signature};
///
/// let mut index = LshIndex::new(LshParams::new(2, 2)?);
/// index.insert(7, &Signature::from_slots(vec![1, 2, 3, 4]))?;
/// index.insert(8, &Signature::from_slots(vec![5, 6, 7, 8]))?;
/// let query = Signature::from_slots(vec![1, 2, 0, 0]);
/// assert_eq!(index.candidates(&query), [&7]);
/// assert_eq!(index.query(&query, 0.5), [(&7, 0.5)]);
/// assert!(index.query(&query, 0.6).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct LshIndex<Id> {
    params: LshParams,
    ids: Vec<Id>,
    /// The signatures' slots end to end; entry `i` has
    /// `slots[ends[i - 1]..ends[i]]` (from 0 for the first). One allocation,
    /// not one each.
    slots: Vec<u32>,
    ends: Vec<usize>,
    /// Per band, the last entry whose band has a given key; empty while the
    /// index has fewer than `SMALL` entries.
    heads: Vec<Heads>,
    /// `chains[entry * bands + band]`: the previous entry with the same key.
    /// Built with `heads`.
    chains: Vec<u32>,
}

impl<Id> LshIndex<Id> {
    /// An empty index.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams};
    ///
    /// let index: LshIndex<u32> = LshIndex::new(LshParams::for_threshold(0.8, 128)?);
    /// assert!(index.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(params: LshParams) -> LshIndex<Id> {
        LshIndex {
            params,
            ids: Vec::new(),
            slots: Vec::new(),
            ends: Vec::new(),
            heads: Vec::new(),
            chains: Vec::new(),
        }
    }

    /// The banding.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams};
    ///
    /// let params = LshParams::new(3, 4)?;
    /// assert_eq!(LshIndex::<u8>::new(params).params(), params);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// The number of signatures inserted.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams, Signature};
    ///
    /// let mut index = LshIndex::new(LshParams::new(1, 1)?);
    /// index.insert("a", &Signature::from_slots(vec![1]))?;
    /// assert_eq!(index.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing was inserted.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams};
    ///
    /// assert!(LshIndex::<u8>::new(LshParams::new(1, 1)?).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds a signature under `id`. Inserting an id twice keeps both
    /// entries. Fails when the signature is shorter than `bands * rows`, or
    /// when the index already holds 2³² − 1 signatures.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams, Signature};
    ///
    /// let mut index = LshIndex::new(LshParams::new(2, 2)?);
    /// assert!(index.insert(1, &Signature::from_slots(vec![1, 2, 3])).is_err());
    /// assert!(index.insert(1, &Signature::from_slots(vec![1, 2, 3, 4])).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert(&mut self, id: Id, signature: &Signature) -> Result<(), Error> {
        self.check_length(signature)?;
        self.check_room()?;
        let keys = self.lookup_keys(signature);
        self.add(id, signature, keys.as_ref());
        Ok(())
    }

    /// The ids whose signatures share a band with `signature`, in insertion
    /// order, each once. Empty when the signature is shorter than
    /// `bands * rows`.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams, Signature};
    ///
    /// let mut index = LshIndex::new(LshParams::new(2, 1)?);
    /// index.insert('a', &Signature::from_slots(vec![1, 2]))?;
    /// index.insert('b', &Signature::from_slots(vec![1, 3]))?;
    /// assert_eq!(index.candidates(&Signature::from_slots(vec![1, 3])), [&'a', &'b']);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn candidates(&self, signature: &Signature) -> Vec<&Id> {
        // An empty index has no candidates: skip hashing the bands.
        if self.is_empty() || self.check_length(signature).is_err() {
            return Vec::new();
        }
        let keys = self.lookup_keys(signature);
        self.candidate_entries(signature, keys.as_ref())
            .into_iter()
            .map(|entry| &self.ids[entry])
            .collect()
    }

    /// The candidates whose estimated Jaccard similarity with `signature`
    /// is at least `threshold`, with that estimate, in insertion order.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams, Signature};
    ///
    /// let mut index = LshIndex::new(LshParams::new(1, 1)?);
    /// index.insert(0, &Signature::from_slots(vec![1, 2, 3, 4]))?;
    /// let query = Signature::from_slots(vec![1, 2, 3, 5]);
    /// assert_eq!(index.query(&query, 0.75), [(&0, 0.75)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn query(&self, signature: &Signature, threshold: f64) -> Vec<(&Id, f64)> {
        // An empty index has no candidates: skip hashing the bands.
        if self.is_empty() || self.check_length(signature).is_err() {
            return Vec::new();
        }
        let keys = self.lookup_keys(signature);
        self.verify(
            self.candidate_entries(signature, keys.as_ref()),
            signature,
            threshold,
        )
    }

    /// The first of [`query`](LshIndex::query)'s results, without verifying
    /// the candidates after it.
    pub(crate) fn query_first(&self, signature: &Signature, threshold: f64) -> Option<(&Id, f64)> {
        // An empty index has no candidates: skip hashing the bands.
        if self.is_empty() || self.check_length(signature).is_err() {
            return None;
        }
        let keys = self.lookup_keys(signature);
        self.candidate_entries(signature, keys.as_ref())
            .into_iter()
            .find_map(|entry| self.score(entry, signature, threshold))
    }

    /// [`query`](LshIndex::query), then [`insert`](LshIndex::insert), hashing
    /// the bands once: the matches among the entries inserted before this
    /// one. This is the step of a streaming deduplicator.
    ///
    /// ```
    /// use textdedup::near::{LshIndex, LshParams, Signature};
    ///
    /// let mut index = LshIndex::new(LshParams::new(2, 2)?);
    /// let sig = Signature::from_slots(vec![1, 2, 3, 4]);
    /// assert!(index.insert_and_query("first", &sig, 0.5)?.is_empty());
    /// assert_eq!(index.insert_and_query("second", &sig, 0.5)?, [(&"first", 1.0)]);
    /// assert_eq!(index.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert_and_query(
        &mut self,
        id: Id,
        signature: &Signature,
        threshold: f64,
    ) -> Result<Vec<(&Id, f64)>, Error> {
        self.check_length(signature)?;
        self.check_room()?;
        let keys = self.lookup_keys(signature);
        let entries = self.candidate_entries(signature, keys.as_ref());
        self.add(id, signature, keys.as_ref());
        Ok(self.verify(entries, signature, threshold))
    }

    /// The heap bytes held: ids, slots, chains and band tables, by capacity.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.ids.capacity() * std::mem::size_of::<Id>()
            + self.slots.capacity() * 4
            + self.ends.capacity() * std::mem::size_of::<usize>()
            + self.chains.capacity() * 4
            + self
                .heads
                .iter()
                .map(|heads| heads.buckets.len() * std::mem::size_of::<Bucket>())
                .sum::<usize>()
    }

    /// The id and signature of entry `entry`, in insertion order; for
    /// saving.
    pub(crate) fn entry_at(&self, entry: usize) -> (&Id, Signature) {
        let slots = self.entry_slots(entry).to_vec();
        (&self.ids[entry], Signature::from_slots(slots))
    }

    fn check_length(&self, signature: &Signature) -> Result<(), Error> {
        let needed = self.params.bands * self.params.rows;
        if signature.len() < needed {
            return Err(Error::config(
                "num_perm",
                format!(
                    "a signature of {} slots cannot fill {} bands of {} rows: \
                     sign with a MinHasher of at least {needed} slots",
                    signature.len(),
                    self.params.bands,
                    self.params.rows
                ),
            ));
        }
        Ok(())
    }

    /// Entries are numbered by `u32`, with `NONE` reserved.
    fn check_room(&self) -> Result<(), Error> {
        if self.ids.len() >= NONE as usize {
            return Err(Error::config(
                "entries",
                format!(
                    "an LshIndex holds at most {} signatures: split the input \
                     over several indexes",
                    NONE
                ),
            ));
        }
        Ok(())
    }

    /// The signature's band keys if the index has its tables, which are the
    /// only users of keys.
    fn lookup_keys(&self, signature: &Signature) -> Option<BandKeys> {
        (!self.heads.is_empty()).then(|| self.band_keys(signature.as_slice()))
    }

    /// Adds an entry; `keys` are its band keys, from `lookup_keys`.
    fn add(&mut self, id: Id, signature: &Signature, keys: Option<&BandKeys>) {
        let entry = self.ids.len();
        self.ids.push(id);
        if self.slots.capacity() - self.slots.len() < signature.len() {
            // Room for the signatures of a small index at once, rather than
            // a reallocation at each of the first few.
            self.slots.reserve(signature.len() * SMALL);
        }
        self.slots.extend_from_slice(signature.as_slice());
        self.ends.push(self.slots.len());
        match keys {
            Some(keys) => self.link(entry, keys.as_slice()),
            None if self.heads.is_empty() => {
                if self.ids.len() == SMALL {
                    self.build_tables();
                }
            }
            None => {
                let keys = self.band_keys(signature.as_slice());
                self.link(entry, keys.as_slice());
            }
        }
    }

    /// Puts `entry` at the head of the chain of each of its band keys.
    fn link(&mut self, entry: usize, keys: &[u32]) {
        for (heads, &key) in self.heads.iter_mut().zip(keys) {
            let previous = heads.replace(key, entry as u32);
            self.chains.push(previous);
        }
    }

    /// Builds the per-band tables from the entries' slots.
    fn build_tables(&mut self) {
        self.heads = (0..self.params.bands).map(|_| Heads::new()).collect();
        for entry in 0..self.ids.len() {
            let keys = self.band_keys(self.entry_slots(entry));
            self.link(entry, keys.as_slice());
        }
    }

    /// The slots of entry `entry`.
    fn entry_slots(&self, entry: usize) -> &[u32] {
        let start = entry
            .checked_sub(1)
            .map_or(0, |previous| self.ends[previous]);
        &self.slots[start..self.ends[entry]]
    }

    /// The entries sharing a band with `signature`, ascending, each once;
    /// `keys` are its band keys, from `lookup_keys`.
    fn candidate_entries(&self, signature: &Signature, keys: Option<&BandKeys>) -> Vec<usize> {
        let bands = self.params.bands;
        let Some(keys) = keys else {
            let rows = self.params.rows;
            let query = &signature.as_slice()[..bands * rows];
            return (0..self.ids.len())
                .filter(|&entry| {
                    let stored = &self.entry_slots(entry)[..bands * rows];
                    stored
                        .chunks_exact(rows)
                        .zip(query.chunks_exact(rows))
                        .any(|(a, b)| a == b)
                })
                .collect();
        };
        let rows = self.params.rows;
        let keys = keys.as_slice();
        // NOTE: each band's first bucket is loaded before any is looked at,
        // so that their cache misses (one per band in a large index) overlap
        // rather than follow one another.
        let mut firsts = [EMPTY_BUCKET; STACK_BANDS];
        for ((first, heads), &key) in firsts.iter_mut().zip(&self.heads).zip(keys) {
            *first = heads.buckets[heads.home(key)];
        }
        let mut entries = Vec::new();
        for (band, (heads, &key)) in self.heads.iter().zip(keys).enumerate() {
            let query = &signature.as_slice()[band * rows..][..rows];
            let mut entry = heads.get(key, firsts.get(band).copied());
            while entry != NONE {
                let at = entry as usize;
                // NOTE: a chain holds every entry whose band has this 32-bit
                // key; a band that only shares the key is no candidate.
                if self.entry_slots(at)[band * rows..][..rows] == *query {
                    entries.push(at);
                }
                entry = self.chains[at * bands + band];
            }
        }
        entries.sort_unstable();
        entries.dedup();
        entries
    }

    fn verify(
        &self,
        entries: Vec<usize>,
        signature: &Signature,
        threshold: f64,
    ) -> Vec<(&Id, f64)> {
        entries
            .into_iter()
            .filter_map(|entry| self.score(entry, signature, threshold))
            .collect()
    }

    /// The entry's id and estimated similarity, if at least `threshold`.
    fn score(&self, entry: usize, signature: &Signature, threshold: f64) -> Option<(&Id, f64)> {
        let score = slots_jaccard(self.entry_slots(entry), signature.as_slice());
        (score >= threshold).then_some((&self.ids[entry], score))
    }

    /// The key of each band: the high 32 bits of `mix64(Σ slot_i · c_i)`,
    /// with `c_i` the odd 64-bit constant [`ROW_KEYS`]`[i]` for row `i` and
    /// the sum mod 2⁶⁴.
    ///
    /// NOTE: keys only find candidates, which are then checked slot by
    /// slot, and are never stored: they need to spread, not to be unique or
    /// stable. A multiply-add per slot and one mix per band cost a fraction
    /// of hashing each band's bytes with XXH3, and every query and insert
    /// pays for them. The constants are random: with `c_i = i · 0x9E3779B9
    /// mod 2³²`, `c₂ + c₆ = c₃ + c₅`, so bands differing by `+d, −d, −d, +d`
    /// in those rows always collided, and bands of small slot values (huge
    /// sets) shared a few thousand keys.
    fn band_keys(&self, slots: &[u32]) -> BandKeys {
        let rows = self.params.rows;
        let mut keys = BandKeys::new(self.params.bands);
        let slots = &slots[..self.params.bands * rows];
        // NOTE: the rows of the default banding (t = 0.8, 128 slots) get
        // their own copy of the loop, whose length is then a constant.
        match rows {
            10 => fill_band_keys(slots, 10, keys.as_mut_slice()),
            _ => fill_band_keys(slots, rows, keys.as_mut_slice()),
        }
        keys
    }
}

/// The keys of the bands of `rows` slots of `slots` (see
/// `LshIndex::band_keys`).
#[inline(always)]
fn fill_band_keys(slots: &[u32], rows: usize, keys: &mut [u32]) {
    for (slots, out) in slots.chunks_exact(rows).zip(keys) {
        let sum = slots.iter().zip(&ROW_KEYS).fold(0u64, |sum, (&slot, &c)| {
            sum.wrapping_add(u64::from(slot).wrapping_mul(c))
        });
        *out = (mix64(sum) >> 32) as u32;
    }
}

/// The per-row multipliers of band keys: splitmix64's outputs from state 0,
/// made odd.
static ROW_KEYS: [u64; MAX_PERM] = row_keys();

const fn row_keys() -> [u64; MAX_PERM] {
    let mut keys = [0; MAX_PERM];
    let mut state = 0u64;
    let mut i = 0;
    while i < MAX_PERM {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        keys[i] = (z ^ (z >> 31)) | 1;
        i += 1;
    }
    keys
}

/// One band's table: band key → the last entry whose band has that key,
/// by open addressing with linear probing.
///
/// NOTE: a bucket is 8 bytes, the 32-bit key and the entry side by side, so
/// a lookup that misses the cache costs one miss, where a `HashMap` of
/// 64-bit keys costs two (control bytes, then a 16-byte bucket), and the
/// table takes less fresh memory. Keys are hashes, so their high bits
/// place them: a key has one home and one bucket, and growing keeps that.
#[derive(Clone, Debug)]
struct Heads {
    /// A power of two in length, at most 3/4 full.
    buckets: Vec<Bucket>,
    len: usize,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    key: u32,
    /// `NONE` for an empty bucket.
    entry: u32,
}

impl Heads {
    fn new() -> Heads {
        Heads {
            buckets: vec![EMPTY_BUCKET; MIN_BUCKETS],
            len: 0,
        }
    }

    /// Where `key`'s probe starts: its high bits.
    #[inline]
    fn home(&self, key: u32) -> usize {
        ((u64::from(key) * self.buckets.len() as u64) >> 32) as usize
    }

    /// The last entry with `key`, or `NONE`; `first` is the bucket at its
    /// home, if already loaded.
    #[inline]
    fn get(&self, key: u32, first: Option<Bucket>) -> u32 {
        let mask = self.buckets.len() - 1;
        let mut at = self.home(key);
        let mut bucket = first.unwrap_or(self.buckets[at]);
        loop {
            if bucket.entry == NONE || bucket.key == key {
                return bucket.entry;
            }
            at = (at + 1) & mask;
            bucket = self.buckets[at];
        }
    }

    /// Makes `entry` the last entry with `key`; returns the previous one, or
    /// `NONE`.
    #[inline]
    fn replace(&mut self, key: u32, entry: u32) -> u32 {
        if 4 * (self.len + 1) > 3 * self.buckets.len() {
            self.grow();
        }
        let mask = self.buckets.len() - 1;
        let mut at = self.home(key);
        loop {
            let bucket = &mut self.buckets[at];
            if bucket.entry == NONE {
                *bucket = Bucket { key, entry };
                self.len += 1;
                return NONE;
            }
            if bucket.key == key {
                return std::mem::replace(&mut bucket.entry, entry);
            }
            at = (at + 1) & mask;
        }
    }

    /// Doubles the buckets.
    fn grow(&mut self) {
        let doubled = vec![EMPTY_BUCKET; 2 * self.buckets.len()];
        let old = std::mem::replace(&mut self.buckets, doubled);
        let mask = self.buckets.len() - 1;
        // Keys are distinct and the new table has room: each goes to the
        // first empty bucket from its home, with no key compared and no
        // load checked.
        for bucket in old.into_iter().filter(|bucket| bucket.entry != NONE) {
            let mut at = self.home(bucket.key);
            while self.buckets[at].entry != NONE {
                at = (at + 1) & mask;
            }
            self.buckets[at] = bucket;
        }
    }
}

const EMPTY_BUCKET: Bucket = Bucket {
    key: 0,
    entry: NONE,
};

/// The band keys of one signature, on the stack when they fit: every
/// query and insert makes them, and an allocation each showed in profiles.
struct BandKeys {
    stack: [u32; STACK_BANDS],
    /// Used instead of `stack` when not empty.
    heap: Vec<u32>,
    len: usize,
}

impl BandKeys {
    fn new(bands: usize) -> BandKeys {
        BandKeys {
            stack: [0; STACK_BANDS],
            heap: if bands > STACK_BANDS {
                vec![0; bands]
            } else {
                Vec::new()
            },
            len: bands,
        }
    }

    fn as_slice(&self) -> &[u32] {
        if self.heap.is_empty() {
            &self.stack[..self.len]
        } else {
            &self.heap
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u32] {
        if self.heap.is_empty() {
            &mut self.stack[..self.len]
        } else {
            &mut self.heap
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct bands of small slot values (what huge sets give) get
    /// distinct keys, but for chance 32-bit collisions.
    #[test]
    fn band_keys_spread_small_slot_values() {
        let rows = 10;
        let mut seen = std::collections::HashSet::new();
        let mut bands = 0;
        let mut state = 1u64;
        for _ in 0..200_000 {
            let band: Vec<u32> = (0..rows)
                .map(|_| {
                    state = mix64(state);
                    (state % 16) as u32
                })
                .collect();
            let mut key = [0];
            fill_band_keys(&band, rows, &mut key);
            bands += 1;
            seen.insert(key[0]);
        }
        // 200,000 random 32-bit keys collide about 5 times.
        assert!(
            seen.len() + 50 >= bands,
            "{} keys for {bands} bands",
            seen.len()
        );
        // Rows 2, 3, 5, 6 moved by +d, -d, -d, +d: a linear key's blind spot.
        let base = [7u32; 10];
        let mut moved = base;
        moved[1] += 1;
        moved[2] -= 1;
        moved[4] -= 1;
        moved[5] += 1;
        let (mut a, mut b) = ([0], [0]);
        fill_band_keys(&base, rows, &mut a);
        fill_band_keys(&moved, rows, &mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn remembered_params_are_the_searched_ones() {
        for (t, k) in [(0.8, 128), (0.55, 100), (0.9, 33), (0.8, 128), (0.55, 100)] {
            let searched = LshParams::search(t, k);
            assert_eq!(LshParams::for_threshold(t, k).unwrap(), searched);
            assert_eq!(LshParams::for_threshold(t, k).unwrap(), searched);
        }
    }
}
