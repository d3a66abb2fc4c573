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
/// `map` must return ASCII, map `b' '` to `SPACE` and every byte from 0x80
/// up to `DROP`, and should be branch-free so that it vectorizes;
/// `map_special` returns `SPACE` or `DROP`, and `SPECIAL` is ASCII and not a
/// space.
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
    let mut buf = take_bytes(out);
    // Whole blocks are appended, then cut back to what is kept.
    buf.reserve(bytes.len() + BLOCK);
    let mut state = Collapse { prev: SPACE };
    // `SPECIAL` maps to `DROP` so that one test finds both.
    let map = |b| if b == SPECIAL { DROP } else { map(b) };
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut at = 0;
    let mut result = Ok(());
    for block in &mut blocks {
        let mut src = [0; BLOCK];
        src.copy_from_slice(block);
        result = state.block::<SPECIAL>(&mut buf, src, BLOCK, at, &map, &map_special);
        if result.is_err() {
            break;
        }
        at += BLOCK;
    }
    let rest = blocks.remainder();
    if result.is_ok() && !rest.is_empty() {
        result = state.block::<SPECIAL>(&mut buf, padded(rest), rest.len(), at, &map, &map_special);
    }
    if buf.last() == Some(&SPACE) {
        buf.pop();
    }
    put_bytes(buf, out);
    result
}

const BLOCK: usize = 16;

/// The state of the fused map and collapse in [`rewrite`].
struct Collapse {
    /// The last byte kept, or `SPACE` at the start (so leading spaces go).
    prev: u8,
}

impl Collapse {
    /// Maps the first `len` bytes of `src`, found at index `at` of the
    /// segment, and appends what is kept of them to `buf`.
    ///
    /// Most blocks have no `DROP`, no `SPECIAL` and no space after a space:
    /// one vectorized map and test, then one store.
    #[inline(always)]
    fn block<const SPECIAL: u8>(
        &mut self,
        buf: &mut Vec<u8>,
        src: [u8; BLOCK],
        len: usize,
        at: usize,
        map: impl Fn(u8) -> u8,
        map_special: impl Fn(usize) -> u8,
    ) -> Result<(), usize> {
        // All in byte lanes and branch-free, so that it compiles to a few
        // vector instructions: the map, then whether any byte is removed
        // (or special) or a space after a space.
        let mut mapped = [0; BLOCK];
        for i in 0..BLOCK {
            mapped[i] = map(src[i]);
        }
        let mut before = [0; BLOCK];
        before[0] = self.prev;
        before[1..].copy_from_slice(&mapped[..BLOCK - 1]);
        let mut odd = 0;
        for i in 0..BLOCK {
            let doubled = (mapped[i] == SPACE) & (before[i] == SPACE);
            odd |= u8::from(((mapped[i] == DROP) | doubled) & (i < len));
        }
        if odd == 0 {
            buf.extend_from_slice(&mapped);
            if len < BLOCK {
                buf.truncate(buf.len() - (BLOCK - len));
            }
            self.prev = mapped[len - 1];
            return Ok(());
        }
        self.odd_block::<SPECIAL>(buf, src, len, at, map_special, mapped)
    }

    /// [`Collapse::block`] for a block that needs more than a store: 8
    /// bytes at a time, squeezing doubled spaces out in a register.
    ///
    /// Out of line, so that the common path stays small and vectorized.
    #[inline(never)]
    fn odd_block<const SPECIAL: u8>(
        &mut self,
        buf: &mut Vec<u8>,
        src: [u8; BLOCK],
        len: usize,
        at: usize,
        map_special: impl Fn(usize) -> u8,
        mut mapped: [u8; BLOCK],
    ) -> Result<(), usize> {
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
        // Padding, collapsed into the trailing space that is trimmed.
        mapped[len..].fill(SPACE);
        let (lo, hi) = halves(mapped);
        self.word(buf, lo);
        self.word(buf, hi);
        Ok(())
    }

    /// Appends what is kept of the 8 mapped bytes of `word` to `buf`.
    #[inline(always)]
    fn word(&mut self, buf: &mut Vec<u8>, word: u64) {
        if zero_bytes(word) != 0 {
            for b in word.to_le_bytes() {
                if b != DROP && (b != SPACE || self.prev != SPACE) {
                    buf.push(b);
                    self.prev = b;
                }
            }
            return;
        }
        let before = (word << 8) | u64::from(self.prev);
        let doubled = zero_bytes(word ^ SPACES) & zero_bytes(before ^ SPACES);
        let (packed, kept) = if doubled == 0 {
            (word, 8)
        } else if doubled & (doubled - 1) == 0 {
            // One doubled space, as after most commas and periods: the
            // bytes above it move down by one.
            let below = (doubled >> 7) - 1;
            ((word & below) | ((word >> 8) & !below), 7)
        } else {
            squeeze(word, doubled)
        };
        buf.extend_from_slice(&packed.to_le_bytes());
        buf.truncate(buf.len() - (8 - kept));
        self.prev = (word >> 56) as u8;
    }
}

/// The last, short block of a segment, padded with letters: they keep a
/// block with no doubled space free of one. Copied in overlapping pieces
/// of a fixed size, as a call to `memcpy` would cost more than the block.
#[inline(always)]
fn padded(rest: &[u8]) -> [u8; BLOCK] {
    let mut block = [b'a'; BLOCK];
    let n = rest.len();
    if n >= 8 {
        block[..8].copy_from_slice(&rest[..8]);
        block[n - 8..n].copy_from_slice(&rest[n - 8..]);
    } else if n >= 4 {
        block[..4].copy_from_slice(&rest[..4]);
        block[n - 4..n].copy_from_slice(&rest[n - 4..]);
    } else {
        for (b, &r) in block.iter_mut().zip(rest) {
            *b = r;
        }
    }
    block
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
