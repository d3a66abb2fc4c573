//! Word (and character) n-gram shingles of normalized text.

use crate::Error;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The XXH3 seed of shingle hashes. Part of the persisted format.
const SHINGLE_SEED: u64 = 0x7465_7874_6465_6475; // "textdedu"
/// Below this many hashes, `sort_distinct` uses a comparison sort, as fast.
const SORT_MIN_LEN: usize = 64;

/// Turns normalized text into a set of 64-bit shingle hashes.
///
/// The text is split on `' '` into tokens (empty tokens from repeated spaces
/// are skipped). Each token is one *unit*, except that every character of a
/// script written without spaces between words (Han, Hiragana, Katakana,
/// Thai, Lao, Khmer, Myanmar, Tibetan) is a unit of its own; the other
/// characters of such a token stay together: `"iphone手机"` is the three
/// units `iphone`, `手`, `机`. A shingle is `n` consecutive units.
///
/// - Text with fewer than `n` units (but at least one) gets exactly one
///   shingle of all its units, so short segments are never dropped.
/// - Empty text (or text of spaces only) gets no shingles; callers fall back
///   to exact matching for it.
///
/// A shingle's hash is XXH3-64 with seed `0x7465_7874_6465_6475` of its units'
/// UTF-8 bytes joined by single spaces. For plain normalized text that is the
/// n-gram's own bytes, e.g. `"the quick brown"`. The tests pin these values.
///
/// ```
/// use textdedup::near::Shingler;
///
/// let shingler = Shingler::new(2)?;
/// let mut shingles = Vec::new();
/// shingler.shingles_into("a b c a b", &mut shingles);
/// // "a b", "b c", "c a": the repeated "a b" counts once.
/// assert_eq!(shingles.len(), 3);
/// assert!(shingles.windows(2).all(|w| w[0] < w[1]));
///
/// shingler.shingles_into("alone", &mut shingles);
/// assert_eq!(shingles, [Shingler::hash_shingle("alone")]);
///
/// shingler.shingles_into("", &mut shingles);
/// assert!(shingles.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shingler {
    n: usize,
}

impl Shingler {
    /// A shingler of `n` units per shingle; `n` must be at least 1.
    ///
    /// ```
    /// use textdedup::near::Shingler;
    ///
    /// assert_eq!(Shingler::new(5)?.n(), 5);
    /// assert!(Shingler::new(0).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(n: usize) -> Result<Shingler, Error> {
        if n == 0 {
            return Err(Error::config(
                "n",
                "a shingle needs at least 1 word; use 5 for documents, 3 for sentences",
            ));
        }
        Ok(Shingler { n })
    }

    /// The number of units per shingle.
    ///
    /// ```
    /// use textdedup::near::Shingler;
    ///
    /// assert_eq!(Shingler::new(3)?.n(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn n(&self) -> usize {
        self.n
    }

    /// The hash of one shingle given as its units joined by single spaces.
    ///
    /// ```
    /// use textdedup::near::Shingler;
    ///
    /// let mut shingles = Vec::new();
    /// Shingler::new(2)?.shingles_into("red fox", &mut shingles);
    /// assert_eq!(shingles, [Shingler::hash_shingle("red fox")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn hash_shingle(joined: &str) -> u64 {
        xxh3_64_with_seed(joined.as_bytes(), SHINGLE_SEED)
    }

    /// Clears `out`, then fills it with the distinct shingle hashes of
    /// `text`, in ascending order.
    ///
    /// ```
    /// use textdedup::near::Shingler;
    ///
    /// let mut shingles = vec![42];
    /// Shingler::new(3)?.shingles_into("one two three four", &mut shingles);
    /// assert_eq!(
    ///     shingles.len(),
    ///     2,
    ///     "one two three, two three four: {shingles:?}"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shingles_into(&self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        let units = units(text);
        if units.is_empty() {
            return;
        }
        let width = self.n.min(units.len());
        // Room for the sort's scratch half too: `Dedup` hands in a fresh
        // vector per document, and growing it would copy the hashes.
        let count = units.len() - width + 1;
        out.reserve(if count < SORT_MIN_LEN {
            count
        } else {
            2 * count
        });
        let mut joined = String::new();
        for window in units.windows(width) {
            let (first, last) = (window[0], window[width - 1]);
            // A window of one run is a plain slice of the text: no copy.
            let hash = if first.run == last.run {
                Shingler::hash_shingle(&text[first.start..last.end])
            } else {
                joined.clear();
                for (i, unit) in window.iter().enumerate() {
                    if i > 0 {
                        joined.push(' ');
                    }
                    joined.push_str(&text[unit.start..unit.end]);
                }
                Shingler::hash_shingle(&joined)
            };
            out.push(hash);
        }
        sort_distinct(out);
    }
}

/// Sorts `hashes` and drops repeats.
///
/// NOTE: shingle hashes are uniform, so one counting pass on their top bits
/// into about as many buckets as hashes leaves a nearly sorted array that an
/// insertion sort finishes in linear time; faster than a comparison sort
/// for a document's few hundred shingles. The scratch half lives in
/// `hashes`' own (reused) capacity.
fn sort_distinct(hashes: &mut Vec<u64>) {
    /// Caps the bucket table at 256 KiB.
    const MAX_BITS: u32 = 16;
    /// A bucket this full means the hashes are not spread: sort them all.
    const MAX_BUCKET: u32 = 64;
    let n = hashes.len();
    if n < SORT_MIN_LEN {
        hashes.sort_unstable();
        hashes.dedup();
        return;
    }
    let bits = (usize::BITS - n.leading_zeros()).min(MAX_BITS);
    let shift = 64 - bits;
    let buckets = 1usize << bits;
    // `starts[b + 1]` counts bucket `b`; the prefix sum then makes
    // `starts[b]` the start of bucket `b`.
    let mut starts = vec![0u32; buckets + 1];
    for &hash in hashes.iter() {
        starts[(hash >> shift) as usize + 1] += 1;
    }
    let mut largest = 0;
    for b in 1..=buckets {
        largest = largest.max(starts[b]);
        starts[b] += starts[b - 1];
    }
    if largest > MAX_BUCKET {
        hashes.sort_unstable();
        hashes.dedup();
        return;
    }
    hashes.resize(2 * n, 0);
    let (from, to) = hashes.split_at_mut(n);
    for &hash in from.iter() {
        let cursor = &mut starts[(hash >> shift) as usize];
        to[*cursor as usize] = hash;
        *cursor += 1;
    }
    // Each hash moves only within its small bucket: earlier buckets hold
    // smaller hashes.
    for i in 1..n {
        let hash = to[i];
        let mut j = i;
        while j > 0 && to[j - 1] > hash {
            to[j] = to[j - 1];
            j -= 1;
        }
        to[j] = hash;
    }
    hashes.copy_within(n.., 0);
    hashes.truncate(n);
    hashes.dedup();
}

/// One unit: a byte range of the text, and the number of the run of units
/// that are separated by exactly one space, so that a window within one run
/// is a contiguous slice equal to its units joined by spaces.
#[derive(Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    run: usize,
}

fn units(text: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::with_capacity(text.len() / 5 + 1);
    let ascii = text.is_ascii();
    let mut run = 0;
    let mut push = |units: &mut Vec<Unit>, start: usize, end: usize| {
        let joins_previous = units.last().is_some_and(|u| u.end + 1 == start);
        if !joins_previous {
            run += 1;
        }
        units.push(Unit { start, end, run });
    };
    let mut token = |units: &mut Vec<Unit>, start: usize, end: usize| {
        let token = &text[start..end];
        if token.is_empty() {
            return;
        }
        if ascii || token.is_ascii() {
            push(units, start, end);
        } else {
            let mut other: Option<usize> = None;
            for (i, c) in token.char_indices() {
                let at = start + i;
                if is_unspaced(c) {
                    if let Some(from) = other.take() {
                        push(units, from, at);
                    }
                    push(units, at, at + c.len_utf8());
                } else if other.is_none() {
                    other = Some(at);
                }
            }
            if let Some(from) = other {
                push(units, from, end);
            }
        }
    };
    let mut start = 0;
    for_each_space(text.as_bytes(), |space| {
        token(&mut units, start, space);
        start = space + 1;
    });
    token(&mut units, start, text.len());
    units
}

/// Calls `f` with the position of each `' '`, in order, testing eight bytes
/// at a time.
///
/// NOTE: faster than memchr here: words are a few bytes long, and memchr's
/// cost is per call.
fn for_each_space(bytes: &[u8], mut f: impl FnMut(usize)) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ SPACES;
        // The high bit of each byte of `x` that is zero: no carries cross
        // bytes, so this is exact.
        let mut zeros = !(((x & LOW7) + LOW7) | x | LOW7);
        while zeros != 0 {
            f(base + (zeros.trailing_zeros() / 8) as usize);
            zeros &= zeros - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b' ' {
            f(base + i);
        }
    }
}

/// Whether `c` belongs to a script written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF        // Thai, Lao
        | 0x0F00..=0x0FFF      // Tibetan
        | 0x1000..=0x109F      // Myanmar
        | 0x1780..=0x17FF      // Khmer
        | 0x19E0..=0x19FF      // Khmer symbols
        | 0x2E80..=0x2FDF      // CJK radicals, Kangxi radicals
        | 0x3005..=0x3007      // ideographic iteration and number marks
        | 0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF      // Katakana phonetic extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xA9E0..=0xA9FF      // Myanmar extended-B
        | 0xAA60..=0xAA7F      // Myanmar extended-A
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0xFF66..=0xFF9D      // halfwidth Katakana
        | 0x20000..=0x3134F    // CJK extensions B to G
    )
}
