//! Near-duplicate detection: shingles, MinHash with LSH banding, SimHash and
//! n-gram containment.
//!
//! These are building blocks. A typical pipeline shingles each normalized
//! segment with a [`Shingler`], then either
//!
//! - signs the shingles with a [`MinHasher`] and looks for similar
//!   signatures in an [`LshIndex`] (Jaccard similarity), or
//! - folds them into a 64-bit [`simhash`] and looks for close hashes in a
//!   [`SimHashIndex`] (Hamming distance), or
//! - asks a [`ContainmentIndex`] how much of the segment was seen before.
//!
//! # Example: find a near-duplicate paragraph
//!
//! ```
//! use textdedup::near::{LshIndex, LshParams, MinHasher, Shingler};
//!
//! let shingler = Shingler::new(3)?;
//! let hasher = MinHasher::new(128)?;
//! let mut index = LshIndex::new(LshParams::for_threshold(0.5, 128)?);
//!
//! let mut shingles = Vec::new();
//! let texts = [
//!     "the committee approved the new budget for the city library on monday",
//!     "the committee approved the new budget for the city library on tuesday",
//! ];
//! shingler.shingles_into(texts[0], &mut shingles);
//! index.insert("first", &hasher.signature(&shingles))?;
//!
//! shingler.shingles_into(texts[1], &mut shingles);
//! let found = index.query(&hasher.signature(&shingles), 0.5);
//! assert_eq!(found.len(), 1);
//! assert_eq!(*found[0].0, "first");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every hash here has a fixed specification (XXH3 and fixed mixing
//! constants), so shingles, signatures and simhashes computed on one machine
//! can be stored and compared with ones computed elsewhere.

mod containment;
mod lsh;
mod minhash;
mod shingle;
mod simhash;

pub use self::containment::ContainmentIndex;
pub(crate) use self::containment::most_common;
pub use self::lsh::{LshIndex, LshParams};
pub use self::minhash::{MinHasher, MinHasherBuilder, Signature};
pub use self::shingle::Shingler;
pub use self::simhash::{SimHashIndex, simhash};

/// A `HashMap` keyed by 64-bit hashes or small integers.
pub(crate) type U64Map<V> = crate::fxmap::FingerprintMap<u64, V>;

/// A strong 64-bit finalizer (Stafford's Mix13, as in splitmix64).
///
/// Part of the persisted signature format: do not change.
#[inline]
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
