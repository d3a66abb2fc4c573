//! Stable 128-bit fingerprints of normalized segments.

use std::fmt;

/// A 128-bit fingerprint of a normalized segment.
///
/// It is XXH3-128 (seed 0) of the segment's normalized UTF-8 bytes. XXH3 has a
/// fixed specification, so a fingerprint made today on one machine equals one
/// made next year on another; the tests pin its values.
///
/// ```
/// use textdedup::Fingerprint;
///
/// let a = Fingerprint::of("the same words");
/// assert_eq!(a, Fingerprint::of("the same words"));
/// assert_ne!(a, Fingerprint::of("other words"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Fingerprint(pub u128);

impl Fingerprint {
    /// The fingerprint of a normalized segment.
    #[inline]
    pub fn of(normalized: &str) -> Fingerprint {
        Fingerprint::of_bytes(normalized.as_bytes())
    }

    /// The fingerprint of a normalized segment given as its UTF-8 bytes.
    #[inline]
    pub(crate) fn of_bytes(normalized: &[u8]) -> Fingerprint {
        Fingerprint(xxhash_rust::xxh3::xxh3_128(normalized))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}
