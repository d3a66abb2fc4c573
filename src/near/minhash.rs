//! MinHash signatures of shingle sets, by fast similarity sketching.

use super::mix64;
use crate::Error;

/// The slot value of the signature of the empty set.
const EMPTY: u32 = u32::MAX;
/// Slot values keep the round number above this many hash bits.
const VALUE_BITS: u32 = 20;
const VALUE_MASK: u64 = (1 << VALUE_BITS) - 1;
/// Derives the per-round keys from the seed. Part of the persisted format.
const ROUND_STEP: u64 = 0x9E37_79B9_7F4A_7C15;
/// Keys the per-shingle bin offsets of the late rounds.
const OFFSET_KEY: u64 = 0xD6E8_FEB8_6659_FD93;

/// The largest supported number of slots.
pub(crate) const MAX_PERM: usize = 1024;

/// Computes MinHash [`Signature`]s of shingle sets.
///
/// The fraction of equal slots of two signatures estimates the Jaccard
/// similarity of the two sets, with a standard error of about
/// `sqrt(J * (1 - J) / num_perm)`. The scheme is *fast similarity
/// sketching* (Dahlgaard, Knudsen and Thorup, 2017): each shingle is hashed
/// into one slot per round rather than into every slot, and the first round
/// takes the slot and value from the shingle hash's own bits, so a large set
/// costs no hashing beyond its shingles' instead of `num_perm` hashes each,
/// while small sets take more rounds and keep classic MinHash accuracy.
/// Slots are 32 bits. `DESIGN.md` has the details.
///
/// Signatures from different seeds or slot counts are not comparable.
///
/// ```
/// use textdedup::near::{MinHasher, Shingler};
///
/// let shingler = Shingler::new(2)?;
/// let hasher = MinHasher::new(256)?;
/// let (mut a, mut b) = (Vec::new(), Vec::new());
/// shingler.shingles_into("one two three four five six seven eight nine", &mut a);
/// shingler.shingles_into("one two three four five six seven eight ten", &mut b);
/// // 7 shared bigrams of 9 distinct: J = 0.78.
/// let estimate = hasher.signature(&a).jaccard(&hasher.signature(&b));
/// assert!((estimate - 7.0 / 9.0).abs() < 0.15, "{estimate}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MinHasher {
    num_perm: usize,
    seed: u64,
}

impl Default for MinHasher {
    /// 128 slots, seed 0.
    fn default() -> MinHasher {
        MinHasher {
            num_perm: 128,
            seed: 0,
        }
    }
}

impl MinHasher {
    /// A hasher of `num_perm` slots (1 to 1024) and seed 0.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// assert_eq!(MinHasher::new(64)?.num_perm(), 64);
    /// assert!(MinHasher::new(0).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(num_perm: usize) -> Result<MinHasher, Error> {
        MinHasher::builder().num_perm(num_perm).build()
    }

    /// A builder, starting from 128 slots and seed 0.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// let hasher = MinHasher::builder().num_perm(256).seed(7).build()?;
    /// assert_eq!((hasher.num_perm(), hasher.seed()), (256, 7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> MinHasherBuilder {
        MinHasherBuilder {
            inner: MinHasher::default(),
        }
    }

    /// The number of slots of each signature.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// assert_eq!(MinHasher::default().num_perm(), 128);
    /// ```
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// The seed.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// assert_eq!(MinHasher::default().seed(), 0);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The signature of a set of shingle hashes; repeats count once.
    ///
    /// The values should be hashes, uniform over all 64 bits, as a
    /// [`Shingler`](super::Shingler) makes: the first round takes each
    /// one's slot and value straight from its bits. Other values still get
    /// a correct estimate, only more slowly.
    ///
    /// The empty set gets the signature whose slots are all `u32::MAX`,
    /// which no other set produces: it estimates 1.0 against itself and 0.0
    /// against anything else.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// let hasher = MinHasher::default();
    /// let sig = hasher.signature(&[1, 2, 3]);
    /// assert_eq!(sig.len(), 128);
    /// assert_eq!(sig, hasher.signature(&[3, 2, 1, 1]));
    /// assert_eq!(hasher.signature(&[]).jaccard(&sig), 0.0);
    /// ```
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        let k = self.num_perm;
        let mut slots = vec![EMPTY; k].into_boxed_slice();
        if shingles.is_empty() {
            return Signature(slots);
        }
        // NOTE: the default slot count gets its own copy of the loop, where
        // `k` is a constant: the bin reductions become shifts and the
        // bounds checks go.
        match k {
            128 => self.fill(shingles, &mut slots, 128),
            _ => self.fill(shingles, &mut slots, k),
        }
        Signature(slots)
    }

    #[inline(always)]
    fn fill(&self, shingles: &[u64], slots: &mut [u32], k: usize) {
        let slots = &mut slots[..k];
        // Round 0 takes each shingle's bin and value straight from its bits
        // (shingles are hashes already) and finds every slot open, so it
        // needs neither a mix nor a test.
        let key = round_key(self.seed, 0);
        for &shingle in shingles {
            let x = shingle ^ key;
            let slot = reduce(x >> 32, k);
            slots[slot] = slots[slot].min((x & VALUE_MASK) as u32);
        }
        let mut filled = slots.iter().filter(|&&slot| slot != EMPTY).count();
        let mut open = [0; CHUNK];
        // Round r's values all lie in [r << 20, (r + 1) << 20), so a slot
        // filled in one round never changes in a later one: stop once all
        // are filled. Rounds below k throw each shingle into a random slot;
        // the later ones walk each shingle through every slot from a random
        // offset, so all slots are filled by round 2k.
        for round in 1..2 * k {
            if filled == k {
                break;
            }
            let key = round_key(self.seed, round);
            let high = high_bits(round);
            filled += if round < k {
                // NOTE: the slot comes from a cheap multiply-shift hash and
                // the value's full mix is skipped for slots filled in earlier
                // rounds, which is most throws after the first round.
                let multiplier = mix64(key) | 1;
                let slot_of =
                    |shingle: u64| reduce((shingle ^ key).wrapping_mul(multiplier) >> 32, k);
                Throw { key, high, slot_of }.fill(&mut open, slots, shingles)
            } else {
                let seed = self.seed;
                let slot_of = |shingle: u64| {
                    let offset = reduce(mix64(shingle ^ OFFSET_KEY ^ seed) >> 32, k);
                    (offset + round - k) % k
                };
                Throw { key, high, slot_of }.fill(&mut open, slots, shingles)
            };
        }
    }
}

/// Shingles per chunk in [`Throw::fill`]: positions in a chunk fit in a `u8`.
const CHUNK: usize = 256;

/// One round after the first: its key, the high bits of its values, and the
/// slot each shingle lands in.
#[derive(Clone, Copy)]
struct Throw<F> {
    key: u64,
    high: u32,
    slot_of: F,
}

impl<F: Fn(u64) -> usize> Throw<F> {
    /// Throws each shingle into its slot `slot_of`, where the slot is still
    /// open (empty, or filled in this round), and returns how many slots it
    /// filled.
    ///
    /// NOTE: in two passes per chunk of shingles, so that neither branches on
    /// whether a slot is open: the first lists the shingles that land in open
    /// slots (by position), the second mixes their values. A branch there
    /// mispredicts often in the early rounds, when many slots are open.
    #[inline(always)]
    fn fill(self, open: &mut [u8; CHUNK], slots: &mut [u32], shingles: &[u64]) -> usize {
        let Throw { key, high, slot_of } = self;
        let mut filled = 0;
        for chunk in shingles.chunks(CHUNK) {
            let mut listed = 0;
            for (i, &shingle) in chunk.iter().enumerate() {
                open[listed % CHUNK] = i as u8;
                listed += usize::from(slots[slot_of(shingle)] >= high);
            }
            // Few shingles land in open slots after the first rounds: finding
            // their slots again costs less than listing every one.
            for &i in &open[..listed] {
                let shingle = chunk[usize::from(i)];
                let slot = slot_of(shingle);
                let current = slots[slot];
                let value = high | (mix64(shingle ^ key) & VALUE_MASK) as u32;
                filled += usize::from(current == EMPTY);
                slots[slot] = value.min(current);
            }
        }
        filled
    }
}

/// The round number in a slot value's high bits.
#[inline]
fn high_bits(round: usize) -> u32 {
    (round as u32) << VALUE_BITS
}

/// The key of round `round`. Part of the persisted format.
#[inline]
fn round_key(seed: u64, round: usize) -> u64 {
    mix64(seed ^ (round as u64).wrapping_mul(ROUND_STEP))
}

/// Maps a 32-bit hash onto `0..k` (Lemire's multiply-shift).
#[inline]
fn reduce(x32: u64, k: usize) -> usize {
    ((x32 * k as u64) >> 32) as usize
}

/// Builds a [`MinHasher`].
#[derive(Clone, Debug)]
pub struct MinHasherBuilder {
    inner: MinHasher,
}

impl MinHasherBuilder {
    /// The number of slots, 1 to 1024 (default 128). More slots give a
    /// smaller error, `sqrt(J * (1 - J) / num_perm)`, at a higher cost for
    /// small sets.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// assert!(MinHasher::builder().num_perm(1024).build().is_ok());
    /// assert!(MinHasher::builder().num_perm(1025).build().is_err());
    /// ```
    pub fn num_perm(&mut self, num_perm: usize) -> &mut MinHasherBuilder {
        self.inner.num_perm = num_perm;
        self
    }

    /// The seed (default 0). Signatures are comparable only between hashers
    /// with the same seed.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// let a = MinHasher::builder().seed(1).build()?;
    /// let b = MinHasher::builder().seed(2).build()?;
    /// assert_ne!(a.signature(&[9]), b.signature(&[9]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seed(&mut self, seed: u64) -> &mut MinHasherBuilder {
        self.inner.seed = seed;
        self
    }

    /// Checks the settings and builds the hasher.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// assert!(MinHasher::builder().num_perm(0).build().is_err());
    /// ```
    pub fn build(&self) -> Result<MinHasher, Error> {
        if !(1..=MAX_PERM).contains(&self.inner.num_perm) {
            return Err(Error::config(
                "num_perm",
                format!(
                    "{} slots is out of range: use 1 to {MAX_PERM} (128 is typical)",
                    self.inner.num_perm
                ),
            ));
        }
        Ok(self.inner)
    }
}

/// A MinHash signature: one 32-bit value per slot.
///
/// ```
/// use textdedup::near::{MinHasher, Signature};
///
/// let sig = MinHasher::new(4)?.signature(&[10, 20]);
/// let copy = Signature::from_slots(sig.as_slice().to_vec());
/// assert_eq!(copy.jaccard(&sig), 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Signature(Box<[u32]>);

impl Signature {
    /// A signature from stored slot values.
    ///
    /// ```
    /// use textdedup::near::Signature;
    ///
    /// assert_eq!(Signature::from_slots(vec![1, 2]).len(), 2);
    /// ```
    pub fn from_slots(slots: Vec<u32>) -> Signature {
        Signature(slots.into_boxed_slice())
    }

    /// The slot values.
    ///
    /// ```
    /// use textdedup::near::Signature;
    ///
    /// assert_eq!(Signature::from_slots(vec![5]).as_slice(), &[5]);
    /// ```
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// The number of slots.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// assert_eq!(MinHasher::new(32)?.signature(&[1]).len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the signature has no slots (never true for one made by a
    /// [`MinHasher`]).
    ///
    /// ```
    /// use textdedup::near::Signature;
    ///
    /// assert!(Signature::from_slots(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this is the signature of the empty shingle set.
    ///
    /// ```
    /// use textdedup::near::MinHasher;
    ///
    /// let hasher = MinHasher::default();
    /// assert!(hasher.signature(&[]).is_of_empty_set());
    /// assert!(!hasher.signature(&[1]).is_of_empty_set());
    /// ```
    pub fn is_of_empty_set(&self) -> bool {
        self.0.iter().all(|&slot| slot == EMPTY)
    }

    /// The estimated Jaccard similarity: the fraction of equal slots, in
    /// `[0, 1]`. Signatures of different lengths estimate 0.0.
    ///
    /// ```
    /// use textdedup::near::Signature;
    ///
    /// let a = Signature::from_slots(vec![1, 2, 3, 4]);
    /// let b = Signature::from_slots(vec![1, 2, 3, 9]);
    /// assert_eq!(a.jaccard(&b), 0.75);
    /// assert_eq!(a.jaccard(&Signature::from_slots(vec![1])), 0.0);
    /// ```
    pub fn jaccard(&self, other: &Signature) -> f64 {
        slots_jaccard(&self.0, &other.0)
    }
}

/// [`Signature::jaccard`] on bare slots.
pub(crate) fn slots_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}
