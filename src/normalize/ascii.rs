//! Rewriting of pure-ASCII segments through a byte map.

/// The table entry for bytes that are removed.
pub(crate) const DROP: u8 = 0;
/// The table entry for bytes that become a (collapsed) space.
pub(crate) const SPACE: u8 = b' ';

/// Rewrites `segment` into `out` (cleared first): each byte `b` becomes
/// `map(b)`, or `map_special(i)` for the `SPECIAL` byte at index `i` (a rule
/// that looks at its neighbours), except that `DROP` results are removed and
/// runs of `SPACE` results become one space, with none at either end.
///
/// `map` must return only `a`..=`z`, digits, `SPACE` and `DROP`, map
/// `b' '` and `SPECIAL` to `SPACE` and every byte from 0x80 up to `DROP`,
/// and should be branch-free so that it vectorizes. `map_special` returns
/// `SPACE` or `DROP`, and `SPACE` unless a letter follows.
///
/// # Errors
///
/// The index of the first non-ASCII byte, if any: `out` then holds garbage.
pub(crate) fn rewrite<const SPECIAL: u8>(
    map: impl Fn(u8) -> u8,
    map_special: impl Fn(usize) -> u8,
    segment: &str,
    out: &mut String,
) -> Result<(), usize> {
    debug_assert!(SPECIAL != b' ' && SPECIAL.is_ascii());
    let bytes = segment.as_bytes();
    let mut buf = std::mem::take(out).into_bytes();
    // Each block is stored whole at the write position, which never passes
    // the read position: room for one block past the end is enough. Bytes
    // left from the last call are overwritten before they can be kept, so
    // only growth costs a fill.
    let room = bytes.len() + BLOCK;
    if buf.len() < room {
        buf.resize(room, 0);
    }
    let result = collapse_blocks::<SPECIAL>(&mut buf, bytes, map, map_special);
    let mut len = result.unwrap_or(0);
    if len > 0 && buf[len - 1] == SPACE {
        len -= 1;
    }
    buf.truncate(len);
    put_bytes(buf, out);
    result.map(|_| ())
}

/// The block loop of [`rewrite`]: the length of what is kept, or the index
/// of the first non-ASCII byte.
#[inline(always)]
fn collapse_blocks<const SPECIAL: u8>(
    buf: &mut [u8],
    bytes: &[u8],
    map: impl Fn(u8) -> u8,
    map_special: impl Fn(usize) -> u8,
) -> Result<usize, usize> {
    let mut collapse = Collapse {
        write: 0,
        prev: SPACE,
    };
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut at = 0;
    for block in &mut blocks {
        let mut src = [0; BLOCK];
        src.copy_from_slice(block);
        collapse = collapse.block::<SPECIAL>(buf, src, BLOCK, at, &map, &map_special)?;
        at += BLOCK;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        collapse =
            collapse.block::<SPECIAL>(buf, padded(rest), rest.len(), at, &map, &map_special)?;
    }
    Ok(collapse.write)
}

const BLOCK: usize = 16;

/// The state of the fused map and collapse in [`rewrite`], passed by value
/// so that it stays in registers.
#[derive(Clone, Copy)]
struct Collapse {
    /// Where the next kept byte goes.
    write: usize,
    /// The last byte kept, or `SPACE` at the start (so leading spaces go).
    prev: u8,
}

impl Collapse {
    /// Maps the first `len` bytes of `src`, found at index `at` of the
    /// segment, and stores what is kept of them at `buf[self.write..]`.
    ///
    /// Most blocks have no `DROP`, no `SPECIAL` before a letter and at most
    /// one doubled space in each half (after a comma or a period): one
    /// vectorized map and test, then each half stored with its doubled space
    /// squeezed out, with no branch on where it is (a branch that text makes
    /// unpredictable).
    ///
    /// # Errors
    ///
    /// The index of the first non-ASCII byte.
    #[inline(always)]
    fn block<const SPECIAL: u8>(
        self,
        buf: &mut [u8],
        src: [u8; BLOCK],
        len: usize,
        at: usize,
        map: impl Fn(u8) -> u8,
        map_special: impl Fn(usize) -> u8,
    ) -> Result<Collapse, usize> {
        // In byte lanes and branch-free, so that it compiles to a few vector
        // instructions. `SPECIAL` needs its rule only before a letter (a
        // mapped byte from `a` up); the last lane does not see the next
        // block, so it always goes the long way.
        let mut mapped = [0; BLOCK];
        for i in 0..BLOCK {
            mapped[i] = map(src[i]);
        }
        let next: [u8; BLOCK] = std::array::from_fn(|i| mapped[(i + 1) % BLOCK]);
        let mut flags = [0u8; BLOCK];
        for i in 0..BLOCK {
            let special = u8::from(src[i] == SPECIAL) & u8::from(next[i] >= b'a');
            flags[i] = u8::from(mapped[i] == DROP) | special;
        }
        let odd = u128::from_ne_bytes(flags) != 0 || src[BLOCK - 1] == SPECIAL;
        let (lo, hi) = halves(mapped);
        let space_lo = zero_bytes(lo ^ SPACES);
        let space_hi = zero_bytes(hi ^ SPACES);
        let doubled_lo = space_lo & ((space_lo << 8) | (u64::from(self.prev == SPACE) << 7));
        let doubled_hi = space_hi & ((space_hi << 8) | (space_lo >> 56));
        let many =
            (doubled_lo & doubled_lo.wrapping_sub(1)) | (doubled_hi & doubled_hi.wrapping_sub(1));
        if odd || many != 0 {
            return self.odd_block::<SPECIAL>(buf, src, len, at, map_special, mapped);
        }
        let mut write = self.write;
        write = store_squeezed(buf, write, lo, doubled_lo);
        write = store_squeezed(buf, write, hi, doubled_hi);
        Ok(Collapse {
            // The padding (digits, so all kept) comes off the end.
            write: write - (BLOCK - len),
            prev: (hi >> 56) as u8,
        })
    }

    /// [`Collapse::block`] for a block that needs more: 8 bytes at a time,
    /// with any number of doubled spaces squeezed out in a register.
    ///
    /// Out of line, so that the common path stays small.
    #[inline(never)]
    fn odd_block<const SPECIAL: u8>(
        mut self,
        buf: &mut [u8],
        src: [u8; BLOCK],
        len: usize,
        at: usize,
        map_special: impl Fn(usize) -> u8,
        mut mapped: [u8; BLOCK],
    ) -> Result<Collapse, usize> {
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
                mapped[i] = map_special(at + i);
            }
        }
        // Padding becomes spaces, collapsed into the trailing space that is
        // trimmed.
        let (lo, hi) = halves(mapped);
        self.word(buf, pad_from(lo, len));
        self.word(buf, pad_from(hi, len.saturating_sub(8)));
        Ok(self)
    }

    /// Stores what is kept of the 8 mapped bytes of `word` at
    /// `buf[self.write..]`.
    #[inline(always)]
    fn word(&mut self, buf: &mut [u8], word: u64) {
        if zero_bytes(word) != 0 {
            for b in word.to_le_bytes() {
                keep_byte(buf, &mut self.write, &mut self.prev, b);
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
}

/// Stores the 8 bytes of `word` at `buf[write..]` without the one whose
/// high bit is set in `doubled`, if any; returns the new write position.
#[inline(always)]
fn store_squeezed(buf: &mut [u8], write: usize, word: u64, doubled: u64) -> usize {
    buf[write..write + 8].copy_from_slice(&squeeze_one(word, doubled).to_le_bytes());
    write + 8 - usize::from(doubled != 0)
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

/// The last, short block of a segment, padded with digits: kept whole
/// whatever is next to them, they come off the end in one cut. Copied in overlapping pieces
/// of a fixed size, as a call to `memcpy` would cost more than the block.
#[inline(always)]
fn padded(rest: &[u8]) -> [u8; BLOCK] {
    let mut block = [b'0'; BLOCK];
    let n = rest.len();
    if n >= 8 {
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
    block
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

/// [`collapse`] on a whole `Vec`, truncated to the result.
pub(crate) fn collapse_vec(buf: &mut Vec<u8>) {
    // Spaces up to a multiple of 8 bytes spare `collapse` its byte-at-a-time
    // tail; trailing spaces are trimmed anyway.
    let pad = buf.len().wrapping_neg() % 8;
    buf.extend_from_slice(&[SPACE; 8][..pad]);
    let len = collapse(buf);
    buf.truncate(len);
}

/// Like [`rewrite`], but spaces are kept as they are: only `DROP` results
/// are removed.
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

/// Removes `DROP` bytes and collapses runs of spaces in `buf` to one, in
/// place, dropping those at either end; returns the new length.
///
/// A space stays unless the last byte kept before it is a space too. Eight
/// bytes at a time: a word with no `DROP` has its doubled spaces squeezed
/// out in a register and is stored whole (`write` never passes `read`, so
/// the store only covers bytes already loaded).
pub(crate) fn collapse(buf: &mut [u8]) -> usize {
    let mut write = 0;
    let mut read = 0;
    // A space before the start drops leading spaces.
    let mut prev = SPACE;
    while let Some(chunk) = buf.get(read..read + 8) {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        if zero_bytes(word) != 0 {
            for b in bytes {
                keep_byte(buf, &mut write, &mut prev, b);
            }
        } else {
            let before = (word << 8) | u64::from(prev);
            let doubled = zero_bytes(word ^ SPACES) & zero_bytes(before ^ SPACES);
            // Most words have no doubled space.
            let (packed, kept) = if doubled == 0 {
                (word, 8)
            } else {
                squeeze(word, doubled)
            };
            buf[write..write + 8].copy_from_slice(&packed.to_le_bytes());
            write += kept;
            prev = bytes[7];
        }
        read += 8;
    }
    for i in read..buf.len() {
        keep_byte(buf, &mut write, &mut prev, buf[i]);
    }
    if write > 0 && buf[write - 1] == SPACE {
        write -= 1;
    }
    write
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

/// One byte of `collapse`, branch-free: a store that is not kept is
/// overwritten by the next one, and never lands past bytes not yet read.
#[inline(always)]
fn keep_byte(buf: &mut [u8], write: &mut usize, prev: &mut u8, b: u8) {
    buf[*write] = b;
    let keep = b != DROP && (b != SPACE || *prev != SPACE);
    *write += usize::from(keep);
    if b != DROP {
        *prev = b;
    }
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

    /// [`rewrite`] with the same maps, with no tricks.
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
            let result = rewrite::<b'.'>(test_map, |i| test_special(bytes, i), &text, &mut out);
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(out, naive_rewrite(&text), "given: {:?}", text);
        }

        #[test]
        fn rewrite_stops_at_the_first_non_ascii_byte(head in "[a .]{0,40}", tail in "[a .é]{0,20}") {
            let text = format!("{head}é{tail}");
            let mut out = String::new();
            let result = rewrite::<b'.'>(test_map, |_| SPACE, &text, &mut out);
            prop_assert_eq!(result, Err(head.len()));
        }
    }

    proptest! {
        #[test]
        fn collapse_matches_naive_on_random_text(text in "[ a-c\0]{0,40}") {
            let mut buf = text.clone().into_bytes();
            let len = collapse(&mut buf);
            prop_assert_eq!(String::from_utf8_lossy(&buf[..len]), naive(&text));
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
    fn collapse_matches_naive_at_every_alignment() {
        let words = [
            "",
            " ",
            "  ",
            "a",
            "ab",
            "abcdefg",
            "abcdefghij",
            "   x",
            "\0",
            " \0 ",
        ];
        for a in words {
            for b in words {
                for c in words {
                    for d in words {
                        let text = format!("{a} {b}{c}  {d} ");
                        let mut buf = text.clone().into_bytes();
                        let len = collapse(&mut buf);
                        let got = String::from_utf8_lossy(&buf[..len]);
                        assert_eq!(got, naive(&text), "given: {text:?}");
                    }
                }
            }
        }
    }
}
