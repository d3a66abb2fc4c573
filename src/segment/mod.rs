//! Segmentation: paragraphs, sentences, sentence windows and documents, each
//! with its byte span in the original text.
//!
//! Segment first, normalize second: every segmenter here works on the text
//! as given and yields `(Span, &str)` with `&text[span.range()] == s`, so a
//! match found on normalized text can always be traced back to the bytes the
//! user wrote. Segments are trimmed of Unicode white space, never empty, in
//! order and never overlapping, and together they hold every non-white-space
//! character of the text. No input makes them panic.
//!
//! # Example: the sentences of a news paragraph
//!
//! ```
//! use textdedup::segment::{sentences, ParagraphMode};
//!
//! let text = "Mr. Smith met U.S. officials on Jan. 5. Talks went well.\n\nNo deal yet.";
//! let got: Vec<&str> = sentences(text, ParagraphMode::Blocks).map(|(_, s)| s).collect();
//! assert_eq!(got, ["Mr. Smith met U.S. officials on Jan. 5.", "Talks went well.", "No deal yet."]);
//! ```
//!
//! # Example: one span per paragraph
//!
//! ```
//! use textdedup::segment::{paragraphs, ParagraphMode};
//!
//! let text = "  First paragraph.\r\nSecond one.  \n";
//! let spans: Vec<_> = paragraphs(text, ParagraphMode::Lines).map(|(span, _)| span.range()).collect();
//! assert_eq!(spans, [2..18, 20..31]);
//! ```

mod abbreviations;
mod ascii;
mod lines;
mod paragraph;
mod sentence;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd;
mod window;
mod wrap;

pub use self::paragraph::Paragraphs;
pub use self::sentence::Sentences;
pub use self::window::SentenceWindows;

use crate::Span;

/// How a text is split into paragraphs.
///
/// Line breaks are `\n`, `\r\n`, `\r` and U+2028; U+2029 PARAGRAPH SEPARATOR
/// always ends a paragraph, in every mode.
///
/// ```
/// use textdedup::segment::{paragraphs, ParagraphMode};
///
/// let text = "Title\nline one\nline two\n\nNext block";
/// assert_eq!(paragraphs(text, ParagraphMode::Lines).count(), 4);
/// assert_eq!(paragraphs(text, ParagraphMode::Blocks).count(), 2);
/// assert_eq!(ParagraphMode::default(), ParagraphMode::Auto);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum ParagraphMode {
    /// Every non-blank line is a paragraph, as in cc_net and bff.
    Lines,
    /// Runs of non-blank lines separated by blank lines.
    Blocks,
    /// Chosen per document: `Wrapped` for hard-wrapped text (newswire,
    /// email), else `Lines`.
    #[default]
    Auto,
    /// Hard-wrapped text: blocks, further split before an indented line that
    /// follows an unindented one, and after a line that ends short of the
    /// wrap width when the next line does not go on in lower case.
    Wrapped,
}

/// The paragraphs of `text`, cut as `mode` says.
///
/// ```
/// use textdedup::segment::{paragraphs, ParagraphMode};
///
/// // Hard-wrapped newswire: paragraphs open with an indented line.
/// let text = "OIL PRICES FIRM ON SUPPLY FEARS\n\
///     Oil prices rose on Monday as traders worried\n\
///     about supplies from the Gulf, dealers said.\n    \
///     Brent crude for May delivery rose 40 cents to\n\
///     18.20 dlrs a barrel in early trade.\n";
/// let got: Vec<&str> = paragraphs(text, ParagraphMode::Auto).map(|(_, p)| p).collect();
/// assert_eq!(got.len(), 3);
/// assert_eq!(got[0], "OIL PRICES FIRM ON SUPPLY FEARS");
/// assert!(got[2].starts_with("Brent") && got[2].ends_with("trade."));
/// ```
pub fn paragraphs(text: &str, mode: ParagraphMode) -> Paragraphs<'_> {
    Paragraphs::new(text, mode)
}

/// The sentences of `text`, found inside each paragraph, so a sentence never
/// crosses a paragraph boundary. Spans are into the whole text.
///
/// Breaks are UAX #29 sentence bounds, minus those after titles ("Mr."),
/// initials ("J. R. R. Tolkien"), dotted acronyms ("U.S. Senate") and other
/// abbreviations, and those before a lower-case word. "Wait... what" is one
/// sentence; "Wait... What" is two.
///
/// ```
/// use textdedup::segment::{sentences, ParagraphMode};
///
/// let text = "He said \"Stop.\" Then left. 中文。好！";
/// let got: Vec<&str> = sentences(text, ParagraphMode::Auto).map(|(_, s)| s).collect();
/// assert_eq!(got, ["He said \"Stop.\"", "Then left.", "中文。", "好！"]);
/// ```
pub fn sentences(text: &str, mode: ParagraphMode) -> Sentences<'_> {
    Sentences::new(text, mode)
}

/// Sliding windows of `k` consecutive sentences across the whole document,
/// as in C4 and datatrove's `SentenceDedup`; windows may cross paragraphs.
///
/// A window's span runs from its first sentence's start to its last
/// sentence's end. A document with fewer than `k` sentences yields one
/// window of all of them, and a blank one yields none. `k == 0` is treated
/// as `k == 1`.
///
/// ```
/// use textdedup::segment::{sentence_windows, ParagraphMode};
///
/// let text = "One. Two. Three.";
/// assert_eq!(sentence_windows(text, ParagraphMode::Auto, 2).count(), 2);
/// let all: Vec<&str> = sentence_windows(text, ParagraphMode::Auto, 5).map(|(_, w)| w).collect();
/// assert_eq!(all, ["One. Two. Three."]);
/// assert_eq!(sentence_windows(text, ParagraphMode::Auto, 0).count(), 3);
/// ```
pub fn sentence_windows(text: &str, mode: ParagraphMode, k: usize) -> SentenceWindows<'_> {
    SentenceWindows::new(text, mode, k)
}

/// The whole document, trimmed of surrounding white space; `None` when blank.
///
/// ```
/// let (span, doc) = textdedup::segment::document("\n  Hello.\n").unwrap();
/// assert_eq!((span.start, span.end, doc), (3, 9, "Hello."));
/// assert!(textdedup::segment::document(" \u{2029}\t").is_none());
/// ```
pub fn document(text: &str) -> Option<(Span, &str)> {
    let span = trim_span(text, 0, text.len())?;
    Some((span, &text[span.range()]))
}

/// The span of `text[start..end]` trimmed of Unicode white space, or `None`
/// when nothing is left.
fn trim_span(text: &str, start: usize, end: usize) -> Option<Span> {
    let piece = &text[start..end];
    // Prose seldom needs trimming: an ASCII non-space byte at either end
    // settles that end without decoding chars.
    let lead = match piece.as_bytes().first() {
        Some(&b) if b.is_ascii() && !is_ascii_space(b) => 0,
        _ => piece.len() - piece.trim_start().len(),
    };
    let rest = &piece[lead..];
    let len = match rest.as_bytes().last() {
        Some(&b) if b.is_ascii() && !is_ascii_space(b) => rest.len(),
        _ => rest.trim_end().len(),
    };
    if len == 0 {
        return None;
    }
    let start = start + lead;
    Some(Span::new(start, start + len))
}

/// White space as `char::is_whitespace` sees it, for ASCII bytes.
#[inline(always)]
fn is_ascii_space(b: u8) -> bool {
    const SPACES: u64 = 1 << b'\t' | 1 << b'\n' | 1 << 0x0B | 1 << 0x0C | 1 << b'\r' | 1 << b' ';
    // One compare settles a visible byte, by far the most common.
    b <= b' ' && SPACES >> b & 1 != 0
}

/// The first byte of `bytes` that a word test marks, eight bytes at a time:
/// `marks(word)` sets the high bit of at least the lowest marked byte of
/// the little-endian `word` (and of no byte below it; bytes above may be
/// marked falsely), and `marked(b)` says the same of one byte, for the
/// last few.
///
/// NOTE: the lines and words searched are a few to a hundred bytes long,
/// where a byte loop stalls on the branch that ends it, and `memchr`'s
/// setup costs more than the search.
#[inline(always)]
fn first_marked(
    bytes: &[u8],
    marks: impl Fn(u64) -> u64,
    marked: impl Fn(u8) -> bool,
) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let found = marks(word) & HIGH;
        if found != 0 {
            return Some(base + found.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    let rest = chunks.remainder().iter().position(|&b| marked(b));
    rest.map(|i| base + i)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ascii_space_is_char_white_space() {
        for b in 0..=u8::MAX {
            let want = b.is_ascii() && char::from(b).is_whitespace();
            assert_eq!(super::is_ascii_space(b), want, "{b}");
        }
    }
}
