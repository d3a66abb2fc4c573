//! Physical lines of a text, with the kind of break that ends each.

use memchr::{memchr, memchr2, memchr3};

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
    /// `\n` is the only break byte in the text, so lines can be found with
    /// a one-byte search, which is cheaper per call on short lines.
    only_lf: bool,
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
        }
    }

    /// Whether `\n` is the only break byte.
    pub(crate) fn only_lf(&self) -> bool {
        self.only_lf
    }
}

/// Calls `f` with the start and end of each line of `text`, given that `\n`
/// is its only break byte: as [`Lines`] would, without an iterator's state
/// to keep between calls.
#[inline(always)]
pub(crate) fn for_each_lf_line(text: &[u8], mut f: impl FnMut(usize, usize)) {
    let mut start = 0;
    while start < text.len() {
        let end = find_lf(&text[start..]).map_or(text.len(), |i| start + i);
        f(start, end);
        start = end + 1;
    }
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if start >= bytes.len() {
            return None;
        }
        if self.only_lf {
            let end = find_lf(&bytes[start..]).map_or(bytes.len(), |i| start + i);
            self.pos = end + 1;
            return Some(Line {
                start,
                end,
                para_sep: false,
            });
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

/// The first `\n` in `bytes`. Newswire lines are short, where a call to
/// `memchr` costs more than the search, so the first 64 bytes are searched
/// eight at a time inline.
fn find_lf(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let head = &bytes[..bytes.len().min(64)];
    let mut chunks = head.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ (b'\n' as u64 * ONES);
        // Flags every zero byte, and maybe bytes above one (a borrow), so
        // the lowest flag is exact.
        let zeros = word.wrapping_sub(ONES) & !word & (0x80 * ONES);
        if zeros != 0 {
            return Some(base + zeros.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    if let Some(i) = chunks.remainder().iter().position(|&b| b == b'\n') {
        return Some(base + i);
    }
    memchr(b'\n', &bytes[head.len()..]).map(|i| head.len() + i)
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
    fn finds_lf_at_every_offset() {
        for len in 0..140 {
            for at in 0..=len {
                let mut bytes = vec![b'x'; len];
                if at < len {
                    bytes[at] = b'\n';
                }
                let want = bytes.iter().position(|&b| b == b'\n');
                assert_eq!(find_lf(&bytes), want, "{len} {at}");
            }
        }
    }

    #[test]
    fn lf_lines_as_lines_would() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "\n\nb\n\nc",
            &"x".repeat(200),
            &"ab\n".repeat(50),
        ] {
            let want: Vec<(usize, usize)> = Lines::with_only_lf(text, false)
                .map(|l| (l.start, l.end))
                .collect();
            let mut got = Vec::new();
            for_each_lf_line(text.as_bytes(), |start, end| got.push((start, end)));
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn empty_and_blank() {
        assert!(lines("").is_empty());
        assert_eq!(lines("\n\n"), [("", false), ("", false)]);
        assert_eq!(lines("x"), [("x", false)]);
    }
}
