//! Word (and character) n-gram shingles of normalized text.

use crate::Error;
use std::cell::RefCell;
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
        self.shingles_in_order_into(text, out);
        sort_distinct(out);
    }

    /// Clears `out`, then fills it with the hash of every shingle of `text`,
    /// in text order, repeats kept: the multiset that
    /// [`shingles_into`](Shingler::shingles_into) sorts and makes distinct.
    ///
    /// For callers that only need a set's [`MinHasher`](super::MinHasher)
    /// signature, which repeats and order do not change: sorting costs about
    /// as much as hashing.
    ///
    /// ```
    /// use textdedup::near::{MinHasher, Shingler};
    ///
    /// let shingler = Shingler::new(2)?;
    /// let (mut all, mut set) = (Vec::new(), Vec::new());
    /// shingler.shingles_in_order_into("a b c a b", &mut all);
    /// shingler.shingles_into("a b c a b", &mut set);
    /// assert_eq!(all.len(), 4);
    /// assert_eq!(all[0], all[3], "\"a b\" twice");
    /// let hasher = MinHasher::default();
    /// assert_eq!(hasher.signature(&all), hasher.signature(&set));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shingles_in_order_into(&self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        if self.n <= RING && text.is_ascii() {
            ascii_shingles(text.as_bytes(), self.n, out);
        } else {
            unit_shingles(text, self.n, out);
        }
    }
}

/// The hash of a shingle's bytes (its units joined by single spaces).
#[inline]
fn hash_bytes(joined: &[u8]) -> u64 {
    xxh3_64_with_seed(joined, SHINGLE_SEED)
}

/// The shingles of ASCII text in text order, repeats kept: its units are the
/// runs of bytes other than `' '`, streamed through a ring of the last `n`
/// units' starts.
///
/// NOTE: normalized text is mostly ASCII, and this path skips building the
/// unit list; a window whose units are one space apart (always, in
/// normalized text) is hashed straight from the text.
fn ascii_shingles(bytes: &[u8], n: usize, out: &mut Vec<u64>) {
    // Words average more than four bytes with their space: rarely regrows.
    out.reserve(bytes.len() / 4 + 1);
    let mut starts = [0usize; RING];
    // Where the next unit's start goes; once `count >= n`, the oldest one.
    let mut next = 0;
    let mut count = 0;
    // The number of the first unit of the current run of units that are one
    // space apart, and where the previous unit ends.
    let (mut run_start, mut last_end) = (0, 0);
    let mut start = 0;
    while start < bytes.len() {
        let end = next_space(bytes, start);
        if end > start {
            if last_end + 1 != start {
                run_start = count;
            }
            last_end = end;
            starts[next % RING] = start;
            next = if next + 1 == n { 0 } else { next + 1 };
            count += 1;
            if count >= n {
                let first = starts[next % RING];
                out.push(if run_start + n <= count {
                    hash_bytes(&bytes[first..end])
                } else {
                    join_hash(&bytes[first..end])
                });
            }
        }
        start = end + 1;
    }
    if (1..n).contains(&count) {
        // Fewer than `n` units: one shingle of them all.
        let all = &bytes[starts[0]..last_end];
        out.push(if run_start == 0 {
            hash_bytes(all)
        } else {
            join_hash(all)
        });
    }
}

/// The position of the first `' '` at or after `from`, or the end of `bytes`.
///
/// NOTE: one word is tested per unit, eight bytes at a time: most units fit
/// in one, so the loop is predictable, unlike one that visits every space of
/// each eight bytes.
#[inline(always)]
fn next_space(bytes: &[u8], mut from: usize) -> usize {
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let spaces = space_bits(u64::from_le_bytes(word));
        if spaces != 0 {
            return from + (spaces.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    bytes[from..]
        .iter()
        .position(|&b| b == b' ')
        .map_or(bytes.len(), |i| from + i)
}

/// The most units per shingle that [`ascii_shingles`] handles.
const RING: usize = 32;

/// The hash of the units of `text` (ASCII) joined by single spaces.
#[cold]
fn join_hash(text: &[u8]) -> u64 {
    let mut joined = Vec::with_capacity(text.len());
    for unit in text.split(|&b| b == b' ').filter(|unit| !unit.is_empty()) {
        if !joined.is_empty() {
            joined.push(b' ');
        }
        joined.extend_from_slice(unit);
    }
    hash_bytes(&joined)
}

/// The shingles of any text in text order, repeats kept, from its list of
/// units.
fn unit_shingles(text: &str, n: usize, out: &mut Vec<u64>) {
    let units = units(text);
    if units.is_empty() {
        return;
    }
    let width = n.min(units.len());
    out.reserve(units.len() - width + 1);
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
}

/// Caps the bucket table of `sort_distinct` at 256 KiB.
const MAX_BITS: u32 = 16;

/// `sort_distinct`'s scratch: the hashes by bucket, and the bucket starts.
struct SortScratch {
    by_bucket: Vec<u64>,
    starts: Vec<u32>,
}

thread_local! {
    static SORT_SCRATCH: RefCell<SortScratch> = const {
        RefCell::new(SortScratch {
            by_bucket: Vec::new(),
            starts: Vec::new(),
        })
    };
}

/// Sorts `hashes` and drops repeats.
///
/// NOTE: shingle hashes are uniform, so one counting pass on their top bits
/// into about as many buckets as hashes leaves a nearly sorted array that an
/// insertion sort finishes in linear time; faster than a comparison sort
/// for a document's few hundred shingles. The scratch space is per thread
/// and reused, so `hashes` needs no room beyond its own length.
fn sort_distinct(hashes: &mut Vec<u64>) {
    if hashes.len() < SORT_MIN_LEN {
        hashes.sort_unstable();
        hashes.dedup();
        return;
    }
    SORT_SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => bucket_sort_distinct(hashes, &mut scratch),
        // A nested call (not expected) gets its own scratch.
        Err(_) => bucket_sort_distinct(
            hashes,
            &mut SortScratch {
                by_bucket: Vec::new(),
                starts: Vec::new(),
            },
        ),
    });
}

/// `sort_distinct` for a document with many shingles, in `scratch`.
fn bucket_sort_distinct(hashes: &mut Vec<u64>, scratch: &mut SortScratch) {
    /// A bucket this full means the hashes are not spread: sort them all.
    const MAX_BUCKET: u32 = 64;
    let n = hashes.len();
    let bits = (usize::BITS - n.leading_zeros()).min(MAX_BITS);
    let shift = 64 - bits;
    let buckets = 1usize << bits;
    if scratch.starts.len() <= buckets {
        scratch.starts.resize(buckets + 1, 0);
    }
    let starts = &mut scratch.starts[..=buckets];
    // `starts[b + 1]` counts bucket `b`; the prefix sum then makes
    // `starts[b]` the start of bucket `b`. (The `min`s only spare bounds
    // checks: `hash >> shift < buckets`.)
    starts.fill(0);
    for &hash in hashes.iter() {
        starts[((hash >> shift) as usize + 1).min(buckets)] += 1;
    }
    let (mut largest, mut sum) = (0, 0);
    for start in starts.iter_mut() {
        largest = largest.max(*start);
        sum += *start;
        *start = sum;
    }
    if largest > MAX_BUCKET {
        hashes.sort_unstable();
        hashes.dedup();
        return;
    }
    let to = &mut scratch.by_bucket;
    to.clear();
    to.resize(n, 0);
    for &hash in hashes.iter() {
        let cursor = &mut starts[((hash >> shift) as usize).min(buckets)];
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
    // Back without repeats, branch-free: each hash is written after the
    // last one kept, and kept if it differs from the one before.
    let mut kept = 0;
    let mut last = !to[0];
    for &hash in to.iter() {
        hashes[kept.min(n - 1)] = hash;
        kept += usize::from(hash != last);
        last = hash;
    }
    hashes.truncate(kept);
    // A huge document's scratch is not kept for the life of the thread.
    if to.capacity() > MAX_SPARE_HASHES {
        *to = Vec::new();
    }
}

/// The most hashes' room `sort_distinct` keeps between calls (1 MiB).
const MAX_SPARE_HASHES: usize = 1 << 17;

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
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut spaces = space_bits(u64::from_le_bytes(word));
        while spaces != 0 {
            f(base + (spaces.trailing_zeros() / 8) as usize);
            spaces &= spaces - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b' ' {
            f(base + i);
        }
    }
}

/// The high bit of each byte of `word` that is `' '`, and no other bit.
#[inline(always)]
fn space_bits(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let x = word ^ SPACES;
    // The high bit of each byte of `x` that is zero: no carries cross bytes,
    // so this is exact.
    !(((x & LOW7) + LOW7) | x | LOW7)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// ASCII texts with the shapes the fast path must get right: runs of
    /// spaces, spaces at either end, fewer units than `n`, long units.
    fn ascii_texts() -> Vec<String> {
        let mut texts: Vec<String> = [
            "",
            " ",
            "   ",
            "a",
            " a",
            "a ",
            "a  b",
            "the quick brown fox jumps over the lazy dog",
            "  the  quick brown   fox jumps over the lazy dog  ",
            "a b c a b c a b c a b c",
            "abcdefghijklmnopqrstuvwxyz0123456789 x abcdefghijklmnopqrstuvwxyz y z",
        ]
        .map(String::from)
        .to_vec();
        // Every mix of one- and two-space gaps between eight short units.
        for gaps in 0u32..128 {
            let mut text = String::from("w0");
            for i in 1..8 {
                text.push_str(if gaps >> (i - 1) & 1 == 1 { "  " } else { " " });
                text.push_str(&format!("w{}", i % 5));
            }
            texts.push(text);
        }
        texts
    }

    #[test]
    fn ascii_path_matches_the_unit_list() {
        for text in ascii_texts() {
            for n in 1..=RING {
                let (mut fast, mut units) = (Vec::new(), Vec::new());
                ascii_shingles(text.as_bytes(), n, &mut fast);
                unit_shingles(&text, n, &mut units);
                assert_eq!(fast, units, "given {text:?} with n = {n}");
            }
        }
    }

    #[test]
    fn in_order_shingles_sort_to_the_set() {
        let mut texts = ascii_texts();
        texts.extend(["東京都 iphone手机 好", "naïve café  au lait", "ภาษา ไทย"].map(String::from));
        for text in texts {
            for n in [1, 2, 3, 5, RING, RING + 1] {
                let shingler = Shingler::new(n).unwrap();
                let (mut all, mut set) = (Vec::new(), Vec::new());
                shingler.shingles_in_order_into(&text, &mut all);
                shingler.shingles_into(&text, &mut set);
                all.sort_unstable();
                all.dedup();
                assert_eq!(all, set, "given {text:?} with n = {n}");
            }
        }
    }

    #[test]
    fn bucket_sort_matches_a_plain_sort() {
        let mut x = 7u64;
        for n in [SORT_MIN_LEN, 100, 1000, 5000] {
            let mut hashes: Vec<u64> = (0..n)
                .map(|_| {
                    x = super::super::mix64(x);
                    x
                })
                .collect();
            // Repeats, and a cluster of close values (one full bucket).
            hashes.extend_from_within(..n / 3);
            hashes.extend((0..70).map(|i| 0x8000_0000_0000_0000 + i));
            let mut want = hashes.clone();
            want.sort_unstable();
            want.dedup();
            sort_distinct(&mut hashes);
            assert_eq!(hashes, want, "{n} hashes");
        }
    }
}
