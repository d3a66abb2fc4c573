//! Rewriting of ASCII text 16 bytes at a time: a byte map the compiler
//! vectorizes, then removed bytes and doubled spaces squeezed out of 8-byte
//! words in registers, in one pass into the caller's buffer. Rules that need
//! context (the initialism period, datatrove's numbers) see only the blocks
//! that need them.

/// The table entry for bytes that are removed.
pub(crate) const DROP: u8 = 0;
/// The table entry for bytes that become a (collapsed) space.
pub(crate) const SPACE: u8 = b' ';

/// How [`rewrite_blocks`] maps a block of 16 bytes.
pub(crate) trait BlockRules {
    /// A byte to pad the last block with: kept as it is by `fast`, so that
    /// it can be cut off the end, and never making a block `careful`.
    const PAD: u8;

    /// The block mapped by rules that need no context (vectorized), and
    /// whether it needs [`BlockRules::careful`] instead: unless it does,
    /// every result must be `a`..=`z`, a digit or `SPACE`.
    fn fast(&mut self, src: [u8; BLOCK]) -> ([u8; BLOCK], bool);

    /// The block's bytes, mapped with context (`mapped` is what `fast`
    /// made of them), in order of the blocks.
    ///
    /// # Errors
    ///
    /// The index of the first non-ASCII byte.
    fn careful(&mut self, block: Block, mapped: [u8; BLOCK]) -> Result<[u8; BLOCK], usize>;
}

/// A block of the segment: its bytes (padded past `len`), how many of them
/// are the segment's, and where it starts in the segment.
#[derive(Clone, Copy)]
pub(crate) struct Block {
    pub(crate) src: [u8; BLOCK],
    pub(crate) len: usize,
    pub(crate) at: usize,
}

/// Rewrites `segment` into `out` (cleared first) by `rules`, then removes
/// `DROP` results and collapses runs of `SPACE` to one, with none at either
/// end.
///
/// # Errors
///
/// The index of the first non-ASCII byte (as `rules` report it): `out` then
/// holds garbage.
pub(crate) fn rewrite_blocks(
    rules: impl BlockRules,
    segment: &str,
    out: &mut String,
) -> Result<(), usize> {
    let mut buf = std::mem::take(out).into_bytes();
    let result = rewrite_blocks_into(rules, segment, &mut buf);
    buf.truncate(result.unwrap_or(0));
    put_bytes(buf, out);
    result.map(|_| ())
}

/// [`rewrite_blocks`] into a byte buffer, for callers that hash the key's
/// bytes and never need it as a `String`: it is ASCII, so checking it is
/// UTF-8 would only cost time. The key is `buf[..len]`, where `len` is
/// returned; what follows is left over.
pub(crate) fn rewrite_blocks_into(
    mut rules: impl BlockRules,
    segment: &str,
    buf: &mut Vec<u8>,
) -> Result<usize, usize> {
    let bytes = segment.as_bytes();
    rewrite_with(buf, bytes.len(), |buf| {
        collapse_from(&mut rules, buf, (bytes, 0), Collapse::START).map(|done| done.write)
    })
}

/// Runs `collapse` (a block loop over a segment of `len` bytes, which
/// returns the length kept or the index of the first non-ASCII byte) on
/// `buf`, and returns the length of the key, without its trailing space.
#[inline(always)]
fn rewrite_with(
    buf: &mut Vec<u8>,
    len: usize,
    collapse: impl FnOnce(&mut [u8]) -> Result<usize, usize>,
) -> Result<usize, usize> {
    // Each block (or 32-byte chunk, in `simd`) is stored whole at the write
    // position, which never passes the read position: room for one chunk
    // past the end is enough. Bytes left from the last call are overwritten
    // before they can be kept; as `buf` is never shortened, only growth
    // costs a fill.
    let room = len + 2 * BLOCK;
    if buf.len() < room {
        buf.resize(room, 0);
    }
    let kept = collapse(buf)?;
    Ok(match kept {
        0 => 0,
        n => n - usize::from(buf[n - 1] == SPACE),
    })
}

/// The block loop of [`rewrite_blocks`] over `bytes`, which start at index
/// `at` of the segment, from the state `collapse`: the state after them
/// (past the padding of a last partial block), or the index of the first
/// non-ASCII byte.
#[inline(always)]
pub(crate) fn collapse_from<R: BlockRules>(
    rules: &mut R,
    buf: &mut [u8],
    (bytes, mut at): (&[u8], usize),
    mut collapse: Collapse,
) -> Result<Collapse, usize> {
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        let mut src = [0; BLOCK];
        src.copy_from_slice(block);
        collapse = collapse.block(
            rules,
            buf,
            Block {
                src,
                len: BLOCK,
                at,
            },
        )?;
        at += BLOCK;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut src = [R::PAD; BLOCK];
        pad_into(&mut src, rest);
        let len = rest.len();
        collapse = collapse.block(rules, buf, Block { src, len, at })?;
    }
    Ok(collapse)
}

/// The Default rules: a byte map, and a rule in context for one byte
/// value that matters only before a letter (the initialism period).
pub(crate) struct Special<M, S, const SPECIAL: u8> {
    pub(crate) map: M,
    pub(crate) map_special: S,
}

impl<M: Fn(u8) -> u8, S: Fn(usize) -> u8, const SPECIAL: u8> Special<M, S, SPECIAL> {
    /// [`Special::rewrite_into`], into a `String`.
    #[cfg(test)]
    pub(crate) fn rewrite(self, segment: &str, out: &mut String) -> Result<(), usize> {
        rewrite_blocks(self, segment, out)
    }

    /// Rewrites `segment` into `buf` (overwritten): each byte `b` becomes
    /// `map(b)`, or `map_special(i)` for the `SPECIAL` byte at index `i` (a
    /// rule that looks at its neighbours), except that `DROP` results are
    /// removed and runs of `SPACE` results become one space, with none at
    /// either end.
    ///
    /// `map` must return only `a`..=`z`, digits, `SPACE` and `DROP`, map
    /// `b' '` and `SPECIAL` to `SPACE` and every byte from 0x80 up to
    /// `DROP`, and should be branch-free so that it vectorizes.
    /// `map_special` returns `SPACE` or `DROP`, and `SPACE` unless a letter
    /// follows.
    ///
    /// The key is `buf[..len]`, where `len` is returned; what follows is
    /// left over.
    ///
    /// # Errors
    ///
    /// The index of the first non-ASCII byte, if any.
    pub(crate) fn rewrite_into(mut self, segment: &str, buf: &mut Vec<u8>) -> Result<usize, usize> {
        debug_assert!(SPECIAL != b' ' && SPECIAL.is_ascii());
        let bytes = segment.as_bytes();
        rewrite_with(buf, bytes.len(), |buf| {
            #[cfg(target_arch = "x86_64")]
            if let Some(done) = super::simd::rewrite_special(&mut self, buf, bytes) {
                return done;
            }
            collapse_from(&mut self, buf, (bytes, 0), Collapse::START).map(|done| done.write)
        })
    }
}

impl<M: Fn(u8) -> u8, S: Fn(usize) -> u8, const SPECIAL: u8> BlockRules for Special<M, S, SPECIAL> {
    // A digit: not a letter, so a `SPECIAL` before it needs no rule.
    const PAD: u8 = b'0';

    #[inline(always)]
    fn fast(&mut self, src: [u8; BLOCK]) -> ([u8; BLOCK], bool) {
        // In byte lanes and branch-free, so that it compiles to a few vector
        // instructions. `SPECIAL` needs its rule only before a letter (a
        // mapped byte from `a` up); the last lane does not see the next
        // block, so it always goes the careful way.
        let mut mapped = [0; BLOCK];
        for i in 0..BLOCK {
            mapped[i] = (self.map)(src[i]);
        }
        let next: [u8; BLOCK] = std::array::from_fn(|i| mapped[(i + 1) % BLOCK]);
        let mut flags = [0u8; BLOCK];
        for i in 0..BLOCK {
            let special = u8::from(src[i] == SPECIAL) & u8::from(next[i] >= b'a');
            flags[i] = u8::from(mapped[i] == DROP) | special;
        }
        let careful = u128::from_ne_bytes(flags) != 0 || src[BLOCK - 1] == SPECIAL;
        (mapped, careful)
    }

    #[inline(never)]
    fn careful(&mut self, block: Block, mut mapped: [u8; BLOCK]) -> Result<[u8; BLOCK], usize> {
        let Block { src, len, at } = block;
        let (lo, hi) = halves(src);
        if (lo | hi) & HIGH != 0 {
            let i = src.iter().position(|b| !b.is_ascii()).unwrap_or(0);
            return Err(at + i);
        }
        let specials = u64::from_ne_bytes([SPECIAL; 8]);
        let mut found =
            u128::from(zero_bytes(lo ^ specials)) | (u128::from(zero_bytes(hi ^ specials)) << 64);
        while found != 0 {
            let i = found.trailing_zeros() as usize / 8;
            found &= found - 1;
            if i < len {
                mapped[i] = (self.map_special)(at + i);
            }
        }
        Ok(mapped)
    }
}

pub(crate) const BLOCK: usize = 16;

/// The state of the fused map and collapse in [`rewrite_blocks`], passed by
/// value so that it stays in registers.
#[derive(Clone, Copy)]
pub(crate) struct Collapse {
    /// Where the next kept byte goes.
    pub(crate) write: usize,
    /// The last byte kept, or `SPACE` at the start (so leading spaces go).
    pub(crate) prev: u8,
}

impl Collapse {
    /// The state at the start of a segment.
    pub(crate) const START: Collapse = Collapse {
        write: 0,
        prev: SPACE,
    };

    /// Maps the first `len` bytes of `src`, found at index `at` of the
    /// segment, and stores what is kept of them at `buf[self.write..]`.
    ///
    /// Most blocks need no careful rule and have at most one doubled space
    /// in each half (after a comma or a period): one vectorized map and
    /// test, then each half stored with its doubled space squeezed out,
    /// with no branch on where it is (a branch that text makes
    /// unpredictable).
    ///
    /// # Errors
    ///
    /// The index of the first non-ASCII byte.
    #[inline(always)]
    pub(crate) fn block(
        self,
        rules: &mut impl BlockRules,
        buf: &mut [u8],
        block: Block,
    ) -> Result<Collapse, usize> {
        let Block { src, len, .. } = block;
        let (mut mapped, careful) = rules.fast(src);
        let (lo, hi) = halves(mapped);
        let space_lo = space_bytes(lo);
        let space_hi = space_bytes(hi);
        let doubled_lo = space_lo & ((space_lo << 8) | (u64::from(self.prev == SPACE) << 7));
        let doubled_hi = space_hi & ((space_hi << 8) | (space_lo >> 56));
        let many =
            (doubled_lo & doubled_lo.wrapping_sub(1)) | (doubled_hi & doubled_hi.wrapping_sub(1));
        if careful || many != 0 {
            if careful {
                mapped = rules.careful(block, mapped)?;
            }
            return Ok(self.odd_block(buf, mapped, len));
        }
        // One bounds check for both halves: the second starts 7 or 8 bytes
        // in.
        let dst = &mut buf[self.write..self.write + BLOCK];
        dst[..8].copy_from_slice(&squeeze_one(lo, doubled_lo).to_le_bytes());
        let mid = 8 - usize::from(doubled_lo != 0);
        dst[mid..mid + 8].copy_from_slice(&squeeze_one(hi, doubled_hi).to_le_bytes());
        let end = mid + 8 - usize::from(doubled_hi != 0);
        Ok(Collapse {
            // The padding (kept whole) comes off the end.
            write: self.write + end - (BLOCK - len),
            prev: (hi >> 56) as u8,
        })
    }

    /// Stores what is kept of the first `len` bytes of `mapped`: 8 bytes at
    /// a time, with removed bytes and any number of doubled spaces squeezed
    /// out.
    ///
    /// Out of line, so that the common path stays small.
    #[inline(never)]
    fn odd_block(mut self, buf: &mut [u8], mapped: [u8; BLOCK], len: usize) -> Collapse {
        // Padding becomes spaces, collapsed into the trailing space that is
        // trimmed.
        let (lo, hi) = halves(mapped);
        self.word(buf, pad_from(lo, len));
        self.word(buf, pad_from(hi, len.saturating_sub(8)));
        self
    }

    /// Stores what is kept of the 8 mapped bytes of `word` at
    /// `buf[self.write..]`.
    #[inline(always)]
    fn word(&mut self, buf: &mut [u8], word: u64) {
        if zero_bytes(word) != 0 {
            for b in word.to_le_bytes() {
                self.keep_byte(buf, b);
            }
            return;
        }
        let before = (word << 8) | u64::from(self.prev);
        let doubled = zero_bytes(word ^ SPACES) & zero_bytes(before ^ SPACES);
        let (packed, kept) = if doubled & doubled.wrapping_sub(1) == 0 {
            (squeeze_one(word, doubled), 8 - usize::from(doubled != 0))
        } else {
            squeeze(word, doubled)
        };
        buf[self.write..self.write + 8].copy_from_slice(&packed.to_le_bytes());
        self.write += kept;
        self.prev = (word >> 56) as u8;
    }
    /// Stores the mapped byte `b` at `buf[self.write]`, branch-free: a store
    /// that is not kept is overwritten by the next one, and never lands past
    /// bytes not yet read.
    #[inline(always)]
    fn keep_byte(&mut self, buf: &mut [u8], b: u8) {
        buf[self.write] = b;
        let keep = b != DROP && (b != SPACE || self.prev != SPACE);
        self.write += usize::from(keep);
        if b != DROP {
            self.prev = b;
        }
    }
}

/// The high bit of each byte of `word` that is a space, if every byte is a
/// lowercase letter, a digit or a space: of those, only the space has
/// neither bit 4 nor bit 6 set. Cheaper than an exact test.
#[inline(always)]
fn space_bytes(word: u64) -> u64 {
    !((word << 3) | (word << 1)) & HIGH
}

/// `word` without the byte whose high bit is set in `drop` (at most one),
/// packed towards the low end.
#[inline(always)]
fn squeeze_one(word: u64, drop: u64) -> u64 {
    // The bytes below the dropped one stay, those above move down one;
    // with none dropped, all stay.
    let below = (drop >> 7).wrapping_sub(1);
    (word & below) | ((word >> 8) & !below)
}

/// Copies the short `rest` (shorter than `block`) to the start of `block`,
/// in overlapping pieces of a fixed size: a call to `memcpy` would cost more
/// than the block.
#[inline(always)]
pub(crate) fn pad_into<const N: usize>(block: &mut [u8; N], rest: &[u8]) {
    let n = rest.len();
    if n >= 16 {
        block[..16].copy_from_slice(&rest[..16]);
        block[n - 16..n].copy_from_slice(&rest[n - 16..]);
    } else if n >= 8 {
        block[..8].copy_from_slice(&rest[..8]);
        block[n - 8..n].copy_from_slice(&rest[n - 8..]);
    } else if n >= 4 {
        block[..4].copy_from_slice(&rest[..4]);
        block[n - 4..n].copy_from_slice(&rest[n - 4..]);
    } else if n > 0 {
        // Indices 0, n / 2 and n - 1 cover every n up to 3.
        block[0] = rest[0];
        block[n / 2] = rest[n / 2];
        block[n - 1] = rest[n - 1];
    }
}

/// `word` with its bytes from index `len` on replaced by spaces.
#[inline(always)]
fn pad_from(word: u64, len: usize) -> u64 {
    let kept = u64::MAX
        .checked_shl(8 * len as u32)
        .map_or(u64::MAX, |high| !high);
    (word & kept) | (SPACES & !kept)
}

/// The two halves of `block`, as little-endian words.
#[inline(always)]
fn halves(block: [u8; BLOCK]) -> (u64, u64) {
    let mut lo = [0; 8];
    let mut hi = [0; 8];
    lo.copy_from_slice(&block[..8]);
    hi.copy_from_slice(&block[8..]);
    (u64::from_le_bytes(lo), u64::from_le_bytes(hi))
}

const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// Like [`Special::rewrite`], but spaces are kept as they are: only `DROP`
/// results are removed.
pub(crate) fn map_bytes(map: impl Fn(u8) -> u8, segment: &str, out: &mut String) {
    let mut buf = take_bytes(out);
    buf.extend(segment.bytes().map(map));
    if memchr::memchr(DROP, &buf).is_some() {
        buf.retain(|&b| b != DROP);
    }
    put_bytes(buf, out);
}

/// The buffer of `out`, emptied, to write ASCII bytes into.
///
/// Working on bytes avoids a char encode per byte; the buffer keeps its
/// capacity through the round trip to [`put_bytes`].
pub(crate) fn take_bytes(out: &mut String) -> Vec<u8> {
    let mut buf = std::mem::take(out).into_bytes();
    buf.clear();
    buf
}

/// Puts the ASCII `buf` back as `out`.
pub(crate) fn put_bytes(buf: Vec<u8>, out: &mut String) {
    *out = match String::from_utf8(buf) {
        Ok(text) => text,
        // Unreachable while only ASCII is written.
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
}

const SPACES: u64 = u64::from_ne_bytes([SPACE; 8]);
const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);

/// The high bit of each byte of `word` that is zero (exact: no false
/// positives from borrows).
fn zero_bytes(word: u64) -> u64 {
    !((((word & LOW7).wrapping_add(LOW7)) | word) | LOW7)
}

/// `word` without the bytes whose high bit is set in `drop`, packed towards
/// the low end, and the number of bytes kept.
///
/// Branch-free, as a doubled space lands anywhere: each kept byte moves down
/// by the number of dropped bytes below it, in steps of 1, 2 and 4 bytes
/// (in that order no byte lands on one that has yet to move).
fn squeeze(word: u64, drop: u64) -> (u64, usize) {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    let keep = !((drop >> 7) * 0xff);
    let mut packed = word & keep;
    // In each kept byte: the number of dropped bytes below it.
    let mut shift = ((drop >> 7).wrapping_mul(ONES) << 8) & keep;
    for bit in 0..3 {
        let moving = ((shift >> bit) & ONES) * 0xff;
        let by = 8 << bit;
        packed = (packed & !moving) | ((packed & moving) >> by);
        shift = (shift & !moving) | ((shift & moving) >> by);
    }
    (packed, 8 - drop.count_ones() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A byte map like the Default one: letters lowercased, digits kept,
    /// `\x01` and non-ASCII removed, the rest to a space.
    fn test_map(b: u8) -> u8 {
        if b.is_ascii_alphabetic() {
            b.to_ascii_lowercase()
        } else if b.is_ascii_digit() {
            b
        } else if b == 1 || !b.is_ascii() {
            DROP
        } else {
            SPACE
        }
    }

    /// A `.` between two letters is removed.
    fn test_special(bytes: &[u8], i: usize) -> u8 {
        let letter = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_alphabetic);
        if i > 0 && letter(i - 1) && letter(i + 1) {
            DROP
        } else {
            SPACE
        }
    }

    /// [`Special::rewrite`] with the same maps, with no tricks.
    fn naive_rewrite(text: &str) -> String {
        let bytes = text.as_bytes();
        let mapped: String = (0..bytes.len())
            .map(|i| match bytes[i] {
                b'.' => test_special(bytes, i),
                b => test_map(b),
            })
            .map(char::from)
            .collect();
        naive(&mapped)
    }

    proptest! {
        #[test]
        fn rewrite_matches_naive(text in "([a-cA0 .,\n\x01]|ab|  |, |\\. ){0,40}") {
            let mut out = String::from("stale");
            let bytes = text.as_bytes();
            let rules = Special::<_, _, b'.'> { map: test_map, map_special: |i| test_special(bytes, i) };
            let result = rules.rewrite(&text, &mut out);
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(out, naive_rewrite(&text), "given: {:?}", text);
        }

        #[test]
        fn rewrite_stops_at_the_first_non_ascii_byte(head in "[a .]{0,40}", tail in "[a .é]{0,20}") {
            let text = format!("{head}é{tail}");
            let mut out = String::new();
            let rules = Special::<_, _, b'.'> { map: test_map, map_special: |_| SPACE };
            let result = rules.rewrite(&text, &mut out);
            prop_assert_eq!(result, Err(head.len()));
        }
    }

    /// Long enough for several 32-byte chunks (the AVX2 path, where the CPU
    /// has it) with every case a chunk can meet: doubled spaces anywhere, a
    /// `.` before a letter, removed bytes, and any length of tail.
    fn long_text() -> impl Strategy<Value = String> {
        "([a-cA0 .,\n\x01]|ab|  |, |\\. |a\\.b|xyzxyzxyzxyzxyzxyzx|   ){0,60}"
    }

    proptest! {
        #[test]
        fn dispatched_rewrite_matches_naive(text in long_text()) {
            let mut buf = b"stale".to_vec();
            let bytes = text.as_bytes();
            let rules = Special::<_, _, b'.'> { map: test_map, map_special: |i| test_special(bytes, i) };
            let len = rules.rewrite_into(&text, &mut buf);
            prop_assert!(len.is_ok());
            let key = std::str::from_utf8(&buf[..len.unwrap_or(0)]).ok();
            let want = naive_rewrite(&text);
            prop_assert_eq!(key, Some(want.as_str()), "given: {:?}", text);
        }

        #[test]
        fn dispatched_rewrite_stops_at_the_first_non_ascii_byte(head in long_text(), tail in "[a .é]{0,40}") {
            let text = format!("{head}é{tail}");
            let mut buf = Vec::new();
            let rules = Special::<_, _, b'.'> { map: test_map, map_special: |_| SPACE };
            prop_assert_eq!(rules.rewrite_into(&text, &mut buf), Err(head.len()));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_path_runs_where_the_cpu_has_it() {
        let text = "A text of more than thirty-two bytes,  with doubled  spaces.";
        let mut buf = vec![0; text.len() + 2 * BLOCK];
        let mut rules = Special::<_, _, b'.'> {
            map: test_map,
            map_special: |_| SPACE,
        };
        let ran = super::super::simd::rewrite_special(&mut rules, &mut buf, text.as_bytes());
        let has = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("bmi2");
        assert_eq!(ran.is_some(), has);
        if let Some(done) = ran {
            let len = done.expect("ASCII");
            assert_eq!(
                std::str::from_utf8(&buf[..len]).ok().map(str::trim_end),
                Some(naive_rewrite(text).as_str())
            );
        }
    }

    /// The same rule, with no tricks.
    fn naive(text: &str) -> String {
        text.replace('\0', "")
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn squeeze_keeps_the_other_bytes_in_order() {
        let word = u64::from_le_bytes(*b"abcdefgh");
        for pattern in 0..=255u8 {
            let drop = (0..8)
                .filter(|i| pattern >> i & 1 == 1)
                .map(|i| 0x80u64 << (8 * i))
                .sum();
            let want: Vec<u8> = (0..8)
                .filter(|i| pattern >> i & 1 == 0)
                .map(|i| b"abcdefgh"[i])
                .collect();
            let (packed, kept) = squeeze(word, drop);
            assert_eq!(&packed.to_le_bytes()[..kept], want, "{pattern:08b}");
        }
    }

    #[test]
    fn rewrite_matches_naive_at_every_alignment() {
        let words = [
            "",
            " ",
            "  ",
            "a",
            "ab",
            "abcdefg",
            "abcdefghij",
            "   x",
            "\x01",
            " \x01 ",
            "u.s.",
            ", ",
        ];
        for a in words {
            for b in words {
                for c in words {
                    for d in words {
                        let text = format!("{a} {b}{c}  {d} ");
                        let mut got = String::new();
                        let bytes = text.as_bytes();
                        let special = |i| test_special(bytes, i);
                        let rules = Special::<_, _, b'.'> {
                            map: test_map,
                            map_special: special,
                        };
                        assert_eq!(rules.rewrite(&text, &mut got), Ok(()));
                        assert_eq!(got, naive_rewrite(&text), "given: {text:?}");
                    }
                }
            }
        }
    }
}
