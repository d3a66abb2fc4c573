//! The paragraph iterator.

use super::lines::{Line, Lines};
use super::wrap::{self, is_full, is_indented};
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

impl<'t> Paragraphs<'t> {
    pub(crate) fn new(text: &'t str, mode: ParagraphMode) -> Paragraphs<'t> {
        let layout = match mode {
            ParagraphMode::Lines => Layout::Lines,
            ParagraphMode::Blocks => Layout::Blocks,
            ParagraphMode::Wrapped => Layout::Wrapped {
                width: wrap::analyze(text).width,
            },
            ParagraphMode::Auto => {
                let stats = wrap::analyze(text);
                if stats.wrapped {
                    Layout::Wrapped { width: stats.width }
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
    fn opens_paragraph(&self, prev: &str, cur: &str, width: usize) -> bool {
        let prev_full = is_full(prev, cur, width);
        if is_indented(cur) {
            // An indented run wrapped at the width continues; otherwise the
            // indent marks a new paragraph, as in newswire.
            return !(is_indented(prev) && prev_full);
        }
        if quote_depth(prev) != quote_depth(cur) || (is_headline(prev) && !is_headline(cur)) {
            return true;
        }
        // A short line is a hard break; it ends the paragraph unless the text
        // goes on in lower case, as after a stripped dateline.
        !prev_full && !cur.trim_start().starts_with(char::is_lowercase)
    }
}

/// How many `>` open an email line: a change of depth is a change of author.
fn quote_depth(line: &str) -> usize {
    line.chars()
        .filter(|c| *c != ' ')
        .take_while(|c| *c == '>')
        .count()
}

/// A line in capitals, such as a newswire headline.
fn is_headline(line: &str) -> bool {
    line.chars().any(char::is_uppercase) && !line.chars().any(char::is_lowercase)
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
        while let Some(line) = self.pending.take().or_else(|| self.lines.next()) {
            let cur = self.line(line);
            if cur.trim().is_empty() {
                if first.is_some() {
                    break;
                }
                continue;
            }
            if let (Layout::Wrapped { width }, Some(prev)) = (self.layout, last) {
                if self.opens_paragraph(self.line(prev), cur, width) {
                    self.pending = Some(line);
                    break;
                }
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
}
