//! Sliding windows of consecutive sentences.

use std::collections::VecDeque;

use super::ParagraphMode;
use super::sentence::Sentences;
use crate::Span;

/// An iterator over windows of `k` consecutive sentences, made by
/// [`sentence_windows`](super::sentence_windows).
///
/// ```
/// use textdedup::segment::{sentence_windows, ParagraphMode};
///
/// let got: Vec<&str> = sentence_windows("A b. C d. E f.", ParagraphMode::Auto, 2)
///     .map(|(_, w)| w)
///     .collect();
/// assert_eq!(got, ["A b. C d.", "C d. E f."]);
/// ```
#[derive(Clone, Debug)]
pub struct SentenceWindows<'t> {
    text: &'t str,
    sentences: Sentences<'t>,
    k: usize,
    /// The last `k` sentence spans.
    window: VecDeque<Span>,
    /// Whether any window has been yielded, so a short document yields one.
    yielded: bool,
}

impl<'t> SentenceWindows<'t> {
    pub(crate) fn new(text: &'t str, mode: ParagraphMode, k: usize) -> SentenceWindows<'t> {
        let k = k.max(1);
        SentenceWindows {
            text,
            sentences: Sentences::new(text, mode),
            k,
            window: VecDeque::with_capacity(k.min(64)),
            yielded: false,
        }
    }

    fn emit(&mut self) -> Option<(Span, &'t str)> {
        let span = Span::new(self.window.front()?.start, self.window.back()?.end);
        self.yielded = true;
        Some((span, &self.text[span.range()]))
    }
}

impl<'t> Iterator for SentenceWindows<'t> {
    type Item = (Span, &'t str);

    fn next(&mut self) -> Option<(Span, &'t str)> {
        for (span, _) in self.sentences.by_ref() {
            if self.window.len() == self.k {
                self.window.pop_front();
            }
            self.window.push_back(span);
            if self.window.len() == self.k {
                return self.emit();
            }
        }
        if self.yielded {
            return None;
        }
        // Fewer than k sentences in all: one window of all of them.
        self.emit()
    }
}
