//! Segmentation: paragraphs, sentences, sentence windows and documents, each
//! with its byte span in the original text.
//!
//! PLACEHOLDER: the real segmenters land with the segmentation work.

use crate::Span;

/// How a text is split into paragraphs.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum ParagraphMode {
    /// Every non-blank line is a paragraph.
    Lines,
    /// Runs of non-blank lines separated by blank lines.
    Blocks,
    /// Chosen per document.
    #[default]
    Auto,
}

/// The paragraphs of `text`.
pub fn paragraphs(text: &str, mode: ParagraphMode) -> impl Iterator<Item = (Span, &str)> {
    let _ = mode;
    let mut pos = 0;
    text.split_inclusive('\n').filter_map(move |line| {
        let start = pos;
        pos += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return None;
        }
        let lead = line.len() - line.trim_start().len();
        let s = start + lead;
        Some((Span::new(s, s + trimmed.len()), trimmed))
    })
}

/// The sentences of `text`, never crossing a paragraph boundary.
pub fn sentences(text: &str, mode: ParagraphMode) -> impl Iterator<Item = (Span, &str)> {
    paragraphs(text, mode)
}

/// Windows of `k` consecutive sentences.
pub fn sentence_windows(
    text: &str,
    mode: ParagraphMode,
    k: usize,
) -> impl Iterator<Item = (Span, &str)> {
    let _ = k;
    sentences(text, mode)
}

/// The whole document, trimmed of surrounding white space; `None` when blank.
pub fn document(text: &str) -> Option<(Span, &str)> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = text.len() - text.trim_start().len();
    Some((Span::new(start, start + trimmed.len()), trimmed))
}
