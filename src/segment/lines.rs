//! Physical lines of a text, with the kind of break that ends each.

use memchr::{memchr2, memchr3};

/// One line: `text[start..end]` without its terminator.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Ended by U+2029 PARAGRAPH SEPARATOR, which always closes a paragraph.
    pub(crate) para_sep: bool,
}

/// Splits at `\n`, `\r\n`, `\r`, U+2028 and U+2029.
///
/// NOTE: VT, FF and NEL are not line breaks here; they are white space, so
/// they are trimmed like spaces but never split a line.
#[derive(Clone, Debug)]
pub(crate) struct Lines<'t> {
    text: &'t str,
    pos: usize,
    /// `\n` is the only break byte in the text, so lines can be found from a
    /// bit mask of the `\n` in each 64-byte block.
    only_lf: bool,
    /// With `only_lf`: the `\n` of the block at `block` not yet consumed.
    mask: u64,
    /// With `only_lf`: where the block of `mask` starts.
    block: usize,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Lines<'t> {
        let only_lf = memchr2(b'\r', 0xE2, text.as_bytes()).is_none();
        Lines::with_only_lf(text, only_lf)
    }

    /// Like [`Lines::new`], when the caller knows whether `\n` is the only
    /// break byte in `text`.
    pub(crate) fn with_only_lf(text: &'t str, only_lf: bool) -> Lines<'t> {
        Lines {
            text,
            pos: 0,
            only_lf,
            mask: 0,
            // The first call to `next` loads the block at 0.
            block: 0usize.wrapping_sub(BLOCK),
        }
    }

    /// Whether `\n` is the only break byte, so [`Lines::next_lf`] applies.
    pub(crate) fn only_lf(&self) -> bool {
        self.only_lf
    }

    /// The next line, when `\n` is the only break byte. A loop calling this
    /// directly keeps the iterator's state in registers.
    #[inline(always)]
    pub(crate) fn next_lf(&mut self) -> Option<Line> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if start >= bytes.len() {
            return None;
        }
        // NOTE: one mask covers about a line of newswire, so finding a line
        // end is mostly a trailing-zero count, with no per-byte branch.
        while self.mask == 0 {
            self.block = self.block.wrapping_add(BLOCK);
            if self.block >= bytes.len() {
                self.pos = bytes.len();
                return Some(Line {
                    start,
                    end: bytes.len(),
                    para_sep: false,
                });
            }
            self.mask = lf_mask(&bytes[self.block..]);
        }
        let end = self.block + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        self.pos = end + 1;
        Some(Line {
            start,
            end,
            para_sep: false,
        })
    }
}

/// Calls `f` with the start and end of each line of `text`, given that
/// `\n` is its only break byte: as [`Lines`] would, without an iterator's
/// state to keep between calls.
#[inline(always)]
pub(crate) fn for_each_lf_line(text: &[u8], mut f: impl FnMut(usize, usize)) {
    let mut start = 0;
    let mut block = 0;
    // NOTE: the end of the text counts as one more `\n`, so that `f` is
    // called from one place only and can be inlined there.
    while block <= text.len() {
        let rest = &text[block..];
        let mut mask = lf_mask(rest);
        if rest.len() < BLOCK {
            mask |= 1 << rest.len();
        }
        while mask != 0 {
            let end = block + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if end == text.len() && start == end {
                return;
            }
            f(start, end);
            start = end + 1;
        }
        block += BLOCK;
    }
}

/// The block of bytes one `\n` mask covers.
const BLOCK: usize = 64;

/// Bit `i` is set when `bytes[i] == b'\n'`, for `i` below 64 and the length.
#[inline(always)]
fn lf_mask(bytes: &[u8]) -> u64 {
    match bytes.first_chunk::<BLOCK>() {
        Some(block) => block_lf_mask(block),
        None => {
            let mut block = [0u8; BLOCK];
            block[..bytes.len()].copy_from_slice(bytes);
            block_lf_mask(&block)
        }
    }
}

#[inline(always)]
fn block_lf_mask(block: &[u8; BLOCK]) -> u64 {
    let mut mask = 0;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        mask |= byte_mask(word ^ (b'\n' as u64 * ONES)) << (8 * k);
    }
    mask
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Bit `k` is set when byte `k` of `word` is zero.
#[inline]
fn byte_mask(word: u64) -> u64 {
    const LOW: u64 = 0x7F * ONES;
    // Exact, unlike the borrow trick: no byte's test spills into the next.
    let zero = !(((word & LOW) + LOW) | word) & !LOW;
    // Gathers the eight high bits into the top byte, in order.
    (zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.only_lf {
            self.next_lf()
        } else {
            self.next_any()
        }
    }
}

impl Lines<'_> {
    /// The next line, with any kind of break.
    fn next_any(&mut self) -> Option<Line> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if start >= bytes.len() {
            return None;
        }
        let mut from = start;
        while let Some(i) = memchr3(b'\n', b'\r', 0xE2, &bytes[from..]).map(|i| from + i) {
            let (len, para_sep) = match bytes[i] {
                b'\n' => (1, false),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => (2, false),
                b'\r' => (1, false),
                // 0xE2 leads U+2028 (E2 80 A8) and U+2029 (E2 80 A9), among others.
                _ => match bytes.get(i + 1..i + 3) {
                    Some([0x80, 0xA8]) => (3, false),
                    Some([0x80, 0xA9]) => (3, true),
                    _ => {
                        from = i + 1;
                        continue;
                    }
                },
            };
            self.pos = i + len;
            return Some(Line {
                start,
                end: i,
                para_sep,
            });
        }
        self.pos = bytes.len();
        Some(Line {
            start,
            end: bytes.len(),
            para_sep: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(&str, bool)> {
        Lines::new(text)
            .map(|l| (&text[l.start..l.end], l.para_sep))
            .collect()
    }

    #[test]
    fn every_break_kind() {
        let text = "a\nb\r\nc\rd\u{2028}e\u{2029}f€g\n";
        let got = lines(text);
        let want = [
            ("a", false),
            ("b", false),
            ("c", false),
            ("d", false),
            ("e", true),
            ("f€g", false),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn byte_mask_flags_exactly_the_zero_bytes() {
        for fill in [0u8, 1, 0x80, 0xFF] {
            for k in 0..8 {
                for b in 0..=255u8 {
                    let mut bytes = [fill; 8];
                    bytes[k] = b;
                    let want = bytes
                        .iter()
                        .enumerate()
                        .fold(0, |m, (i, &x)| m | (u64::from(x == 0) << i));
                    assert_eq!(byte_mask(u64::from_le_bytes(bytes)), want, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn lf_lines_at_every_offset() {
        // Two line feeds anywhere in texts around a few block lengths.
        for len in 0..200 {
            for at in 0..=len {
                let mut bytes = vec![b'x'; len];
                for i in [at, (at * 7 + 3) % (len + 1)] {
                    if i < len {
                        bytes[i] = b'\n';
                    }
                }
                let text = String::from_utf8(bytes).unwrap_or_default();
                let got: Vec<(usize, usize)> = Lines::with_only_lf(&text, true)
                    .map(|l| (l.start, l.end))
                    .collect();
                let mut each = Vec::new();
                for_each_lf_line(text.as_bytes(), |start, end| each.push((start, end)));
                assert_eq!(each, got);
                let mut want = Vec::new();
                let mut start = 0;
                for piece in text.split_inclusive('\n') {
                    want.push((start, start + piece.trim_end_matches('\n').len()));
                    start += piece.len();
                }
                assert_eq!(got, want, "{len} {at}");
            }
        }
    }

    #[test]
    fn empty_and_blank() {
        assert!(lines("").is_empty());
        assert_eq!(lines("\n\n"), [("", false), ("", false)]);
        assert_eq!(lines("x"), [("x", false)]);
    }
}
