//! The sentence iterator: UAX #29 sentence bounds inside each paragraph,
//! with false breaks after abbreviations removed.

use unicode_segmentation::UnicodeSegmentation;

use super::abbreviations::joins;
use super::ascii;
use super::paragraph::Paragraphs;
use super::{ParagraphMode, trim_span};
use crate::Span;

/// An iterator over the sentences of a text, made by
/// [`sentences`](super::sentences).
///
/// Spans are into the whole text; a sentence never crosses a paragraph
/// boundary.
///
/// ```
/// use textdedup::segment::{sentences, ParagraphMode};
///
/// let text = "Mr. Fox arrived. He sat.";
/// let got: Vec<&str> = sentences(text, ParagraphMode::Auto).map(|(_, s)| s).collect();
/// assert_eq!(got, ["Mr. Fox arrived.", "He sat."]);
/// ```
#[derive(Clone, Debug)]
pub struct Sentences<'t> {
    text: &'t str,
    paragraphs: Paragraphs<'t>,
    /// Sentence spans of the current paragraph, and room to find them.
    split: Split,
    next: usize,
}

/// Buffers for splitting paragraphs, reused across paragraphs.
#[derive(Clone, Debug, Default)]
struct Split {
    /// Sentence spans of the current paragraph.
    spans: Vec<Span>,
    /// A copy of a paragraph with its line breaks turned into spaces.
    scratch: String,
}

impl<'t> Sentences<'t> {
    pub(crate) fn new(text: &'t str, mode: ParagraphMode) -> Sentences<'t> {
        Sentences {
            text,
            paragraphs: Paragraphs::new(text, mode),
            split: Split::default(),
            next: 0,
        }
    }
}

impl<'t> Iterator for Sentences<'t> {
    type Item = (Span, &'t str);

    fn next(&mut self) -> Option<(Span, &'t str)> {
        while self.next == self.split.spans.len() {
            let (para, text) = self.paragraphs.next()?;
            self.split.spans.clear();
            self.next = 0;
            let ascii = self.paragraphs.known_ascii();
            self.split.paragraph(text, ascii);
            for span in &mut self.split.spans {
                *span = span.offset(para.start);
            }
        }
        let span = self.split.spans[self.next];
        self.next += 1;
        Some((span, &self.text[span.range()]))
    }
}

impl Split {
    /// Pushes the trimmed sentence spans of `para`, relative to it, onto
    /// `spans`; `ascii` says `para` is known to be ASCII.
    fn paragraph(&mut self, para: &str, ascii: bool) {
        let Split {
            spans: out,
            scratch,
        } = self;
        // A wrapped paragraph has line breaks, which UAX #29 always breaks at.
        // Spaces of the same byte length keep every offset valid. The ASCII path
        // reads CR and LF as spaces itself, so needs no copy.
        let ascii = ascii || para.is_ascii();
        let flat: &str = if !ascii && para.contains(is_line_break) {
            scratch.clear();
            for c in para.chars() {
                if is_line_break(c) {
                    scratch.extend(std::iter::repeat_n(' ', c.len_utf8()));
                } else {
                    scratch.push(c);
                }
            }
            scratch
        } else {
            para
        };
        let mut current: Option<Span> = None;
        let mut merge = |piece: Span| {
            current = match current {
                Some(cur) if joins(&flat[cur.range()], &flat[piece.range()]) => {
                    Some(Span::new(cur.start, piece.end))
                }
                Some(cur) => {
                    out.push(cur);
                    Some(piece)
                }
                None => Some(piece),
            };
        };
        let mut push = |start: usize, end: usize| {
            if let Some(piece) = trim_span(flat, start, end) {
                merge(piece);
            }
        };
        // Flattening may have left only ASCII (a U+2028 became spaces).
        if ascii || flat.is_ascii() {
            // NOTE: the general UAX #29 iterator runs at about 20 MB/s; ASCII
            // needs no tables.
            let mut start = 0;
            ascii::sentence_starts(flat.as_bytes(), |end| {
                push(start, end);
                start = end;
            });
            push(start, flat.len());
        } else {
            for (start, piece) in flat.split_sentence_bound_indices() {
                push(start, start + piece.len());
            }
        }
        out.extend(current);
    }
}

/// Characters UAX #29 treats as paragraph separators (Sentence_Break CR,
/// LF or Sep).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(para: &str) -> Vec<&str> {
        let mut split = Split::default();
        split.paragraph(para, false);
        split.spans.iter().map(|s| &para[s.range()]).collect()
    }

    #[test]
    fn wrapped_lines_do_not_break() {
        assert_eq!(
            split("The U.S.\nofficials met\r\nin Geneva. Talks\u{2028}ended."),
            [
                "The U.S.\nofficials met\r\nin Geneva.",
                "Talks\u{2028}ended."
            ]
        );
    }

    #[test]
    fn plain_uax29_splits_titles() {
        let plain: Vec<&str> = "Mr. Fox left.".split_sentence_bounds().collect();
        assert_eq!(plain, ["Mr. ", "Fox left."]);
        assert_eq!(split("Mr. Fox left."), ["Mr. Fox left."]);
    }
}
