//! Rewriting of pure-ASCII segments through a byte map.

/// The table entry for bytes that are removed.
pub(crate) const DROP: u8 = 0;
/// The table entry for bytes that become a (collapsed) space.
pub(crate) const SPACE: u8 = b' ';

/// Rewrites the ASCII `segment` into `out` (cleared first): each byte `b`
/// becomes `map(b)`, or `map_special(i)` for the `special` byte at index
/// `i` (a rule that looks at its neighbours), except that `DROP` results are
/// removed and runs of `SPACE` results become one space, with none at either
/// end.
///
/// `map` must return ASCII and map `b' '` to `SPACE`, and should be
/// branch-free so that the map pass vectorizes; `special` is not a space.
pub(crate) fn rewrite(
    map: impl Fn(u8) -> u8,
    special: u8,
    map_special: impl Fn(usize) -> u8,
    segment: &str,
    out: &mut String,
) {
    debug_assert_ne!(special, b' ', "the padding must not look special");
    let mut buf = take_bytes(out);
    // Whether each lane of a block has seen `special`: lane-wise, so the
    // test rides along in the vectorized map; one look at the end.
    let mut seen = [false; BLOCK];
    // Two simple passes beat one with a branch per byte: the map has no
    // loop-carried state, and the collapse moves 8 bytes at a time. Whole
    // 16-byte blocks, the last one padded with spaces (trimmed later), leave
    // no byte-at-a-time tail in either pass.
    let bytes = segment.as_bytes();
    buf.reserve(bytes.len() + BLOCK);
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        let mut mapped = [SPACE; BLOCK];
        for ((dst, &src), seen) in mapped.iter_mut().zip(block).zip(&mut seen) {
            *dst = map(src);
            *seen |= src == special;
        }
        buf.extend_from_slice(&mapped);
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut mapped = [b' '; BLOCK];
        mapped[..rest.len()].copy_from_slice(rest);
        for (b, seen) in mapped.iter_mut().zip(&mut seen) {
            *seen |= *b == special;
            *b = map(*b);
        }
        // Only up to the next whole word: a word of nothing but padding
        // would cost the collapse a step and a squeeze.
        let len = if rest.len() > 8 { BLOCK } else { 8 };
        buf.extend_from_slice(&mapped[..len]);
    }
    if seen.contains(&true) {
        // Before the collapse, `buf` is byte for byte `segment` mapped.
        for i in memchr::memchr_iter(special, bytes) {
            buf[i] = map_special(i);
        }
    }
    collapse_vec(&mut buf);
    put_bytes(buf, out);
}

const BLOCK: usize = 16;

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
