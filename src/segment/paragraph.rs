//! The paragraph iterator.

use std::cell::Cell;

use super::lines::{Line, Lines};
use super::wrap::{self, Row, WrapStats, is_full};
use super::{ParagraphMode, first_marked, trim_span};
use crate::Span;

/// How paragraphs are cut once `Auto` has been resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Lines,
    Blocks,
    /// `Auto` resolved to `Lines`: the measured rows, one per paragraph.
    Rows {
        /// The whole text is ASCII.
        ascii: bool,
    },
    /// Blocks, further cut where a hard-wrapped text starts a paragraph.
    Wrapped(Wrapping),
}

/// How a hard-wrapped text is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wrapping {
    width: usize,
    /// The whole text is ASCII.
    ascii: bool,
}

impl Wrapping {
    /// The layout the first pass over a text found.
    fn of(stats: WrapStats) -> Wrapping {
        Wrapping {
            width: stats.width,
            ascii: stats.ascii,
        }
    }
}

/// An iterator over the paragraphs of a text, made by
/// [`paragraphs`](super::paragraphs).
///
/// Each item is the paragraph's span in the original text and the text
/// itself, trimmed of surrounding white space.
///
/// ```
/// use textdedup::segment::{paragraphs, ParagraphMode};
///
/// let mut it = paragraphs("one\n\ntwo", ParagraphMode::Blocks);
/// assert_eq!(it.next().map(|(_, p)| p), Some("one"));
/// assert_eq!(it.next().map(|(span, _)| span.start), Some(5));
/// assert_eq!(it.next(), None);
/// ```
#[derive(Clone, Debug)]
pub struct Paragraphs<'t> {
    text: &'t str,
    /// The lines still to read, for `Lines` and `Blocks`.
    lines: Lines<'t>,
    layout: Layout,
    /// The non-blank lines, for `Rows` and `Wrapped`, measured up front.
    rows: Vec<Row>,
    /// The first row not yet in a paragraph.
    next: usize,
}

impl<'t> Paragraphs<'t> {
    pub(crate) fn new(text: &'t str, mode: ParagraphMode) -> Paragraphs<'t> {
        let mut rows = Vec::new();
        if matches!(mode, ParagraphMode::Auto | ParagraphMode::Wrapped) {
            rows = SPARE_ROWS.try_with(Cell::take).unwrap_or_default();
        }
        let layout = match mode {
            ParagraphMode::Lines => Layout::Lines,
            ParagraphMode::Blocks => Layout::Blocks,
            ParagraphMode::Wrapped => Layout::Wrapped(Wrapping::of(wrap::measure(text, &mut rows))),
            ParagraphMode::Auto => {
                let stats = wrap::measure(text, &mut rows);
                if stats.wrapped {
                    Layout::Wrapped(Wrapping::of(stats))
                } else {
                    Layout::Rows { ascii: stats.ascii }
                }
            }
        };
        let lines = match layout {
            Layout::Lines | Layout::Blocks => Lines::new(text),
            Layout::Rows { .. } | Layout::Wrapped(_) => Lines::new(""),
        };
        Paragraphs {
            text,
            lines,
            layout,
            rows,
            next: 0,
        }
    }

    /// The mode actually used: `Auto` resolves to `Lines` or `Wrapped`.
    ///
    /// ```
    /// use textdedup::segment::{paragraphs, ParagraphMode};
    ///
    /// let web = "A long paragraph that was never wrapped, as web pages and most corpora store text.\nNext.";
    /// assert_eq!(paragraphs(web, ParagraphMode::Auto).mode(), ParagraphMode::Lines);
    /// ```
    pub fn mode(&self) -> ParagraphMode {
        match self.layout {
            Layout::Lines | Layout::Rows { .. } => ParagraphMode::Lines,
            Layout::Blocks => ParagraphMode::Blocks,
            Layout::Wrapped(_) => ParagraphMode::Wrapped,
        }
    }

    /// Whether the whole text is known to be ASCII, as `Auto` and `Wrapped`
    /// find out on the way.
    pub(crate) fn known_ascii(&self) -> bool {
        match self.layout {
            Layout::Rows { ascii } | Layout::Wrapped(Wrapping { ascii, .. }) => ascii,
            Layout::Lines | Layout::Blocks => false,
        }
    }

    fn span(&self, start: usize, end: usize) -> (Span, &'t str) {
        let span = Span::new(start, end);
        (span, &self.text[span.range()])
    }

    /// The next paragraph of wrapped text: rows up to a break or to a row
    /// that opens a paragraph.
    fn next_wrapped(&mut self, wrapping: Wrapping) -> Option<(Span, &'t str)> {
        let (first, rest) = self.rows.get(self.next..)?.split_first()?;
        // NOTE: rows are read in place; copying each into `last` cost more
        // than the tests on it.
        let mut last = first;
        let mut taken = 1;
        for row in rest {
            if row.after_break || self.opens_paragraph(last, row, wrapping) {
                break;
            }
            last = row;
            taken += 1;
        }
        let (start, end) = (first.start, last.end);
        self.next += taken;
        Some(self.span(start, end))
    }

    /// Whether `cur` opens a new paragraph after `prev` in wrapped text.
    fn opens_paragraph(&self, prev: &Row, cur: &Row, wrapping: Wrapping) -> bool {
        let Wrapping { width, ascii } = wrapping;
        let prev_full = is_full(prev.width.into(), cur.first_word.into(), width);
        if cur.indented {
            // An indented run wrapped at the width continues; otherwise the
            // indent marks a new paragraph, as in newswire.
            return !(prev.indented && prev_full);
        }
        if prev.quote_depth != cur.quote_depth
            || (self.is_headline(prev, ascii) && !self.is_headline(cur, ascii))
        {
            return true;
        }
        // A short line is a hard break; it ends the paragraph unless the text
        // goes on in lower case, as after a stripped dateline.
        !prev_full && !self.starts_lower(cur)
    }

    /// Whether `row` is in capitals, such as a newswire headline; `ascii`
    /// says the text is ASCII.
    #[inline(always)]
    fn is_headline(&self, row: &Row, ascii: bool) -> bool {
        if ascii {
            // Bytes are chars; slicing them needs no char boundary checks.
            let bytes = &self.text.as_bytes()[row.start..row.end];
            // Looking for lower case first stops early on prose, mostly at
            // its second letter ("The", "Oil"), which one test settles.
            if bytes.get(1).is_some_and(u8::is_ascii_lowercase) {
                return false;
            }
            return !has_ascii_lower(bytes) && bytes.iter().any(u8::is_ascii_uppercase);
        }
        let line = &self.text[row.start..row.end];
        !line.chars().any(char::is_lowercase) && line.chars().any(char::is_uppercase)
    }

    /// Whether the first char of `row` is lower case.
    fn starts_lower(&self, row: &Row) -> bool {
        match self.text.as_bytes()[row.start] {
            b if b.is_ascii() => b.is_ascii_lowercase(),
            _ => self.text[row.start..]
                .chars()
                .next()
                .is_some_and(char::is_lowercase),
        }
    }
}

/// Whether ASCII `bytes` has a lower-case letter.
///
/// NOTE: prose has one in its first word; eight bytes at a time, that is
/// mostly one step instead of a few.
fn has_ascii_lower(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Bytes below 0x80 add without carries: the high bit of each sum says
    // whether the byte reached 'a', or passed 'z'.
    let marks = |word: u64| {
        word.wrapping_add((0x80 - b'a' as u64) * ONES)
            & !word.wrapping_add((0x80 - b'z' as u64 - 1) * ONES)
    };
    first_marked(bytes, marks, |b| b.is_ascii_lowercase()).is_some()
}

thread_local! {
    /// The row buffer of the last `Paragraphs` dropped on this thread, so a
    /// thread segmenting document after document does not allocate.
    static SPARE_ROWS: Cell<Vec<Row>> = const { Cell::new(Vec::new()) };
}

/// Rows kept for reuse at most: a buffer past this (from a huge document)
/// is freed rather than held by the thread.
const MAX_SPARE_ROWS: usize = 1 << 16;

impl Drop for Paragraphs<'_> {
    fn drop(&mut self) {
        let rows = std::mem::take(&mut self.rows);
        if rows.capacity() > 0 && rows.capacity() <= MAX_SPARE_ROWS {
            // NOTE: `try_with` fails only while the thread is exiting.
            let _ = SPARE_ROWS.try_with(|spare| spare.set(rows));
        }
    }
}

impl<'t> Iterator for Paragraphs<'t> {
    type Item = (Span, &'t str);

    fn next(&mut self) -> Option<(Span, &'t str)> {
        match self.layout {
            Layout::Lines => {
                for line in self.lines.by_ref() {
                    if let Some(span) = trim_span(self.text, line.start, line.end) {
                        return Some((span, &self.text[span.range()]));
                    }
                }
                None
            }
            Layout::Blocks => {
                let text = self.text;
                let mut first: Option<Line> = None;
                let mut last: Option<Line> = None;
                for line in self.lines.by_ref() {
                    if text[line.start..line.end].trim().is_empty() {
                        if first.is_some() {
                            break;
                        }
                        continue;
                    }
                    first.get_or_insert(line);
                    last = Some(line);
                    if line.para_sep {
                        break;
                    }
                }
                let span = trim_span(self.text, first?.start, last?.end)?;
                Some((span, &self.text[span.range()]))
            }
            Layout::Rows { .. } => {
                let row = *self.rows.get(self.next)?;
                self.next += 1;
                Some(self.span(row.start, row.end))
            }
            Layout::Wrapped(wrapping) => self.next_wrapped(wrapping),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::paragraphs;
    use super::super::wrap::measure;
    use super::super::wrap::tests::wrapped_text;
    use super::*;

    /// Wrapped paragraphs cut line by line straight from the rules, every
    /// measure taken anew on the line's chars.
    fn naive_wrapped(text: &str, width: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        let mut prev: Option<&str> = None;
        for line in Lines::new(text) {
            let cur = &text[line.start..line.end];
            if cur.trim().is_empty() {
                out.extend(open.take());
                prev = None;
                continue;
            }
            if prev.is_some_and(|prev| naive_opens(prev, cur, width)) {
                out.extend(open.take());
            }
            let start = line.start + cur.len() - cur.trim_start().len();
            let end = line.start + cur.trim_end().len();
            open = Some((open.map_or(start, |(start, _)| start), end));
            prev = Some(cur);
            if line.para_sep {
                out.extend(open.take());
                prev = None;
            }
        }
        out.extend(open);
        out
    }

    fn naive_opens(prev: &str, cur: &str, width: usize) -> bool {
        let chars = |line: &str| line.trim_end().chars().count();
        let first_word = |line: &str| {
            line.split_whitespace()
                .next()
                .map_or(0, |w| w.chars().count())
        };
        let indented = |line: &str| line.starts_with(char::is_whitespace);
        let depth = |line: &str| {
            line.bytes()
                .filter(|b| *b != b' ')
                .take_while(|b| *b == b'>')
                .count()
        };
        let headline = |line: &str| {
            !line.chars().any(char::is_lowercase) && line.chars().any(char::is_uppercase)
        };
        let prev_full = is_full(chars(prev), first_word(cur), width);
        if indented(cur) {
            return !(indented(prev) && prev_full);
        }
        if depth(prev) != depth(cur) || (headline(prev) && !headline(cur)) {
            return true;
        }
        !prev_full && !cur.trim_start().starts_with(char::is_lowercase)
    }

    #[test]
    fn ascii_lower_agrees_with_a_byte_loop() {
        for len in 0..40 {
            for at in (0..len).chain([usize::MAX]) {
                for b in [b'`', b'a', b'm', b'z', b'{', 0x7f, 0] {
                    let mut bytes = vec![b'A'; len];
                    if let Some(x) = bytes.get_mut(at) {
                        *x = b;
                    }
                    let want = bytes.iter().any(u8::is_ascii_lowercase);
                    assert_eq!(has_ascii_lower(&bytes), want, "{bytes:?}");
                }
            }
        }
    }

    fn spans(paragraphs: Paragraphs<'_>) -> Vec<(usize, usize)> {
        paragraphs.map(|(span, _)| (span.start, span.end)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn wrapped_matches_the_naive_oracle(
            text in prop_oneof![wrapped_text(false), wrapped_text(true)]
        ) {
            let width = measure(&text, &mut Vec::new()).width;
            let want = naive_wrapped(&text, width);
            prop_assert_eq!(&spans(paragraphs(&text, ParagraphMode::Wrapped)), &want);
            let auto = paragraphs(&text, ParagraphMode::Auto);
            if auto.mode() == ParagraphMode::Lines {
                prop_assert_eq!(spans(auto), spans(paragraphs(&text, ParagraphMode::Lines)));
            } else {
                prop_assert_eq!(spans(auto), want);
            }
        }
    }
}
