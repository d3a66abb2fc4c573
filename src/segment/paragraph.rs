//! The paragraph iterator.

use super::lines::{Line, Lines};
use super::wrap::{self, Shape, is_full, shape};
use super::{ParagraphMode, trim_span};
use crate::Span;

/// How paragraphs are cut once `Auto` has been resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Lines,
    Blocks,
    /// Blocks, further cut where a hard-wrapped text starts a paragraph.
    Wrapped {
        width: usize,
        /// The whole text is ASCII.
        ascii: bool,
    },
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
    lines: Lines<'t>,
    layout: Layout,
    /// A line read ahead that opens the next paragraph.
    pending: Option<Line>,
}

/// What `Wrapped` compares across a pair of lines, worked out once per line
/// rather than once per pair it belongs to.
#[derive(Clone, Copy, Debug)]
struct LineFacts {
    shape: Shape,
    quote_depth: usize,
    headline: bool,
    /// The first char after leading white space is lower case.
    lower_start: bool,
}

impl LineFacts {
    fn new(line: &str, shape: Shape) -> LineFacts {
        LineFacts {
            shape,
            quote_depth: quote_depth(line),
            headline: is_headline(line, shape.ascii),
            lower_start: line[shape.indent..]
                .chars()
                .next()
                .is_some_and(char::is_lowercase),
        }
    }
}

impl<'t> Paragraphs<'t> {
    pub(crate) fn new(text: &'t str, mode: ParagraphMode) -> Paragraphs<'t> {
        let layout = match mode {
            ParagraphMode::Lines => Layout::Lines,
            ParagraphMode::Blocks => Layout::Blocks,
            ParagraphMode::Wrapped => {
                let stats = wrap::analyze(text);
                Layout::Wrapped {
                    width: stats.width,
                    ascii: stats.ascii,
                }
            }
            ParagraphMode::Auto => {
                let stats = wrap::analyze(text);
                if stats.wrapped {
                    Layout::Wrapped {
                        width: stats.width,
                        ascii: stats.ascii,
                    }
                } else {
                    Layout::Lines
                }
            }
        };
        Paragraphs {
            text,
            lines: Lines::new(text),
            layout,
            pending: None,
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
            Layout::Lines => ParagraphMode::Lines,
            Layout::Blocks => ParagraphMode::Blocks,
            Layout::Wrapped { .. } => ParagraphMode::Wrapped,
        }
    }

    fn line(&self, line: Line) -> &'t str {
        &self.text[line.start..line.end]
    }

    /// Whether `cur` opens a new paragraph after `prev` in wrapped text.
    fn opens_paragraph(prev: &LineFacts, cur: &LineFacts, width: usize) -> bool {
        let prev_full = is_full(prev.shape.width, cur.shape.first_word, width);
        if cur.shape.indented() {
            // An indented run wrapped at the width continues; otherwise the
            // indent marks a new paragraph, as in newswire.
            return !(prev.shape.indented() && prev_full);
        }
        if prev.quote_depth != cur.quote_depth || (prev.headline && !cur.headline) {
            return true;
        }
        // A short line is a hard break; it ends the paragraph unless the text
        // goes on in lower case, as after a stripped dateline.
        !prev_full && !cur.lower_start
    }
}

/// How many `>` open an email line: a change of depth is a change of author.
fn quote_depth(line: &str) -> usize {
    // Bytes will do: a multi-byte char stops the count as its lead byte does.
    line.bytes()
        .filter(|b| *b != b' ')
        .take_while(|b| *b == b'>')
        .count()
}

/// A line in capitals, such as a newswire headline.
fn is_headline(line: &str, ascii: bool) -> bool {
    // Looking for lower case first stops early on prose.
    if ascii {
        let bytes = line.as_bytes();
        return !bytes.iter().any(u8::is_ascii_lowercase)
            && bytes.iter().any(u8::is_ascii_uppercase);
    }
    !line.chars().any(char::is_lowercase) && line.chars().any(char::is_uppercase)
}

impl<'t> Iterator for Paragraphs<'t> {
    type Item = (Span, &'t str);

    fn next(&mut self) -> Option<(Span, &'t str)> {
        if self.layout == Layout::Lines {
            for line in self.lines.by_ref() {
                if let Some(span) = trim_span(self.text, line.start, line.end) {
                    return Some((span, &self.text[span.range()]));
                }
            }
            return None;
        }
        let mut first: Option<Line> = None;
        let mut last: Option<Line> = None;
        let Layout::Wrapped { width, ascii } = self.layout else {
            let text = self.text;
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
            return Some((span, &self.text[span.range()]));
        };
        let mut prev: Option<LineFacts> = None;
        while let Some(line) = self.pending.take().or_else(|| self.lines.next()) {
            let cur = self.line(line);
            let shape = shape(cur, ascii);
            if shape.blank {
                if first.is_some() {
                    break;
                }
                continue;
            }
            let facts = LineFacts::new(cur, shape);
            if let Some(prev) = &prev {
                if Self::opens_paragraph(prev, &facts, width) {
                    self.pending = Some(line);
                    break;
                }
            }
            first.get_or_insert(line);
            last = Some(line);
            prev = Some(facts);
            if line.para_sep {
                break;
            }
        }
        let span = trim_span(self.text, first?.start, last?.end)?;
        Some((span, &self.text[span.range()]))
    }
}
