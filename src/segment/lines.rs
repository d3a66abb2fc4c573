//! Physical lines of a text, with the kind of break that ends each.

use super::first_marked;
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

    /// Like [`Lines::with_only_lf`], with the first line starting at `pos`.
    pub(crate) fn starting_at(text: &'t str, pos: usize, only_lf: bool) -> Lines<'t> {
        Lines { text, pos, only_lf }
    }

    /// Whether `\n` is the only break byte.
    pub(crate) fn only_lf(&self) -> bool {
        self.only_lf
    }
}

/// Calls `f` with the start and end of each line of `text` split at `\n`,
/// as [`Lines`] would if `\n` is the only break byte, without an iterator's
/// state to keep between calls, as long as the text is ASCII: if it is not,
/// stops before the line with the first other byte and returns its start.
///
/// NOTE: the line scan reads every byte anyway, so it checks ASCII on the
/// way instead of a pass of its own over the text. It takes 64 bytes a
/// step with AVX2 when the CPU has it (`simd.rs`).
#[inline(always)]
pub(crate) fn for_each_ascii_lf_line(
    text: &str,
    mut f: impl FnMut(usize, usize),
) -> Result<(), usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(avx2) = super::simd::Avx2::detect() {
        return avx2.for_each_ascii_lf_line(text.as_bytes(), &mut f);
    }
    portable_ascii_lf_lines(text, f)
}

/// [`for_each_ascii_lf_line`] without vector instructions.
#[inline(always)]
pub(crate) fn portable_ascii_lf_lines(
    text: &str,
    mut f: impl FnMut(usize, usize),
) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let rest = &bytes[start..];
        let end = match find_lf_or_high(rest) {
            Some(i) if rest[i] == b'\n' => start + i,
            Some(_) => return Err(start),
            None if rest.len() <= HEAD => bytes.len(),
            None => {
                let end = memchr(b'\n', &rest[HEAD..]).map_or(bytes.len(), |i| start + HEAD + i);
                if !is_ascii(&bytes[start + HEAD..end]) {
                    return Err(start);
                }
                end
            }
        };
        f(start, end);
        start = end + 1;
    }
    Ok(())
}

/// How many bytes of a line are searched inline before `memchr` takes over.
const HEAD: usize = 64;

/// The first byte of `text` that is `\n` or not ASCII, within its first
/// [`HEAD`] bytes: [`find_lf`] that also stops at the first non-ASCII char.
///
/// `text` must be a whole line, or the rest of a text, of a `str`: its first
/// non-ASCII byte then leads a char, so is at least 0xC2.
#[inline(always)]
fn find_lf_or_high(text: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A `\n` is 0 after the xor and borrows; a lead byte, at least
    // 0xC2 ^ 0x0A, keeps its high bit. Either flags the byte; a borrow flags
    // only bytes above one flagged already, so the lowest flag is exact.
    let flags = |word: u64| (word ^ (b'\n' as u64 * ONES)).wrapping_sub(ONES) & (0x80 * ONES);
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().unwrap_or_default());
    // NOTE: mostly a whole head is there; its eight steps then unroll, with
    // no loop counter or bound left to test.
    if let Some(head) = text.first_chunk::<HEAD>() {
        for (i, chunk) in head.chunks_exact(8).enumerate() {
            let found = flags(word(chunk));
            if found != 0 {
                return Some(i * 8 + found.trailing_zeros() as usize / 8);
            }
        }
        return None;
    }
    first_marked(text, flags, |b| b == b'\n' || b >= 0x80)
}

/// Whether `bytes` is ASCII: `<[u8]>::is_ascii` takes 64 bytes a step but
/// then loops byte by byte, which on a line's tail costs more than words.
pub(crate) fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let blocks = bytes.len() / HEAD * HEAD;
    if bytes.len() < 8 || !bytes[..blocks].is_ascii() {
        return bytes.len() < 8 && bytes.is_ascii();
    }
    // The last word overlaps the others to cover a partial one.
    let mut any = word(bytes.len() - 8);
    for at in (blocks..bytes.len() - 8).step_by(8) {
        any |= word(at);
    }
    any & HIGH == 0
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
    use proptest::prelude::*;

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

    /// What a line scan returns, and the lines it found.
    type Scan = (Result<(), usize>, Vec<(usize, usize)>);

    /// What [`for_each_ascii_lf_line`] (by AVX2 if the CPU has it) and
    /// the portable scan say of `text`.
    fn both_scans(text: &str) -> [Scan; 2] {
        let (mut fast, mut portable) = (Vec::new(), Vec::new());
        let fast_done = for_each_ascii_lf_line(text, |start, end| fast.push((start, end)));
        let portable_done = portable_ascii_lf_lines(text, |start, end| portable.push((start, end)));
        [(fast_done, fast), (portable_done, portable)]
    }

    #[test]
    fn ascii_lf_lines_as_lines_would() {
        let long = "x".repeat(200);
        let many = "ab\n".repeat(50);
        for text in ["", "\n", "a", "a\n", "\n\nb\n\nc", &long, &many] {
            let want: Vec<(usize, usize)> = Lines::with_only_lf(text, false)
                .map(|l| (l.start, l.end))
                .collect();
            for (done, got) in both_scans(text) {
                assert_eq!(done, Ok(()));
                assert_eq!(got, want, "{text:?}");
            }
        }
    }

    #[test]
    fn ascii_lf_lines_stop_at_the_first_other_char() {
        for len in 0..150 {
            for at in 0..=len {
                for c in ["\u{e9}", "\u{2028}", "\u{10348}", "\n"] {
                    let mut text: String = (0..len)
                        .map(|i| if i % 23 == 22 { '\n' } else { 'x' })
                        .collect();
                    text.insert_str(at, c);
                    // Split at `\n` only, with no line after a last `\n`.
                    let mut want = Vec::new();
                    let mut start = 0;
                    for piece in text.split_inclusive('\n') {
                        let end = start + piece.trim_end_matches('\n').len();
                        if !text[start..end].is_ascii() {
                            break;
                        }
                        want.push((start, end));
                        start += piece.len();
                    }
                    // `start` is now where the first non-ASCII line starts.
                    let want_done = if text.is_ascii() { Ok(()) } else { Err(start) };
                    for (done, got) in both_scans(&text) {
                        assert_eq!(done, want_done, "{text:?}");
                        assert_eq!(got, want, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn ascii_check_agrees_with_std() {
        for len in 0..300 {
            for at in (0..len).chain([usize::MAX]) {
                let mut bytes = vec![b'x'; len];
                if let Some(b) = bytes.get_mut(at) {
                    *b = 0x80;
                }
                assert_eq!(is_ascii(&bytes), bytes.is_ascii(), "{len} {at}");
            }
        }
    }

    /// Lines of ASCII, with what the line measures look at and `\r`, and
    /// now and then a char of two to four bytes or a line break of the
    /// general path, at any offset from a 32-byte boundary.
    fn ascii_lines() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            8 => "[a-z >:.\r\t\x0b]{0,150}",
            2 => Just(String::new()),
            1 => "[a-z .]{0,70}[\u{e9}\u{20ac}\u{10348}\u{2028}\u{2029}\u{85}][a-z .]{0,70}",
        ];
        (prop::collection::vec(line, 0..12), any::<bool>()).prop_map(|(lines, last)| {
            let text = lines.join("\n");
            if last { text + "\n" } else { text }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The dispatched scan (AVX2 where the CPU has it) against the
        /// portable one.
        #[test]
        fn avx2_lines_agree_with_the_portable_scan(text in ascii_lines()) {
            let [fast, portable] = both_scans(&text);
            prop_assert_eq!(fast, portable);
        }
    }

    #[test]
    fn empty_and_blank() {
        assert!(lines("").is_empty());
        assert_eq!(lines("\n\n"), [("", false), ("", false)]);
        assert_eq!(lines("x"), [("x", false)]);
    }
}
