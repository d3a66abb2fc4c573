//! Telling hard-wrapped text from one-paragraph-per-line text.
//!
//! Hard-wrapped text (newswire, email) breaks a line when the next word
//! would pass a fixed width, so nearly every line that continues a paragraph
//! is "full": the next line's first word would not have fitted on it. Text
//! with one paragraph or sentence per line has no such width.

use super::is_ascii_space;
use super::lines::Lines;

/// Line lengths above this are not wrapped text; longer ones are counted
/// together in the last histogram bucket.
const MAX_WIDTH: usize = 100;
/// Below this, lines are short items (lists, verse), not wrapped prose.
const MIN_WIDTH: usize = 20;
/// Fewer non-blank lines than this is too little evidence to call wrapped.
const MIN_LINES: usize = 3;

/// What the first pass over a text found out about its lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WrapStats {
    /// The estimated wrap width in chars: the 90th percentile of the lengths
    /// of non-blank lines, so a long header or URL does not set it.
    pub(crate) width: usize,
    /// Whether at least half of the continuing lines are full.
    pub(crate) wrapped: bool,
    /// The whole text is ASCII, so its lines need no check of their own.
    pub(crate) ascii: bool,
}

/// What the wrap heuristic needs of one line, measured in a single look so
/// that no line has its chars counted twice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// Only white space.
    pub(crate) blank: bool,
    /// Length in chars, ignoring trailing white space.
    pub(crate) width: usize,
    /// The byte offset of the first char that is not white space; above 0,
    /// the line is indented, which opens a paragraph in newswire.
    pub(crate) indent: usize,
    /// The line is ASCII.
    pub(crate) ascii: bool,
    /// Length in chars of the first word, after leading white space.
    pub(crate) first_word: usize,
}

/// Measures `line` (without its terminator); `ascii` says it is known to be
/// ASCII.
#[inline]
pub(crate) fn shape(line: &str, ascii: bool) -> Shape {
    // NOTE: most lines are ASCII, where chars are bytes; `is_ascii` is a
    // fast word-wise check, and counting chars is the expensive part.
    if ascii || line.is_ascii() {
        let bytes = line.as_bytes();
        let Some(first) = find_ascii(bytes, false) else {
            return Shape::BLANK;
        };
        let last = bytes
            .iter()
            .rposition(|&b| !is_ascii_space(b))
            .unwrap_or(first);
        let word = find_ascii(&bytes[first..=last], true).unwrap_or(last + 1 - first);
        return Shape {
            blank: false,
            width: last + 1,
            indent: first,
            ascii: true,
            first_word: word,
        };
    }
    let rest = line.trim_start();
    if rest.is_empty() {
        return Shape::BLANK;
    }
    let word = rest.split(char::is_whitespace).next().unwrap_or("");
    Shape {
        blank: false,
        width: line.trim_end().chars().count(),
        indent: line.len() - rest.len(),
        ascii: false,
        first_word: word.chars().count(),
    }
}

/// The first byte of ASCII `bytes` that is white space (`space`) or not.
///
/// NOTE: words and indents are a few bytes long, where a byte loop stalls on
/// the branch that ends it; eight bytes at a time mostly take one step.
fn find_ascii(bytes: &[u8], space: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7F * ONES;
    let flip = if space { 0 } else { !LOW };
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // Bytes below 0x80 add without carries: the high bit of each sum says
        // whether the byte reached 9 (tab), 14 (past CR), or equals 32.
        let tab_to_cr =
            word.wrapping_add((0x80 - 9) * ONES) & !word.wrapping_add((0x80 - 14) * ONES);
        let blank = word ^ (0x20 * ONES);
        let is_space = !(((blank & LOW) + LOW) | blank);
        let hits = ((tab_to_cr | is_space) & !LOW) ^ flip;
        if hits != 0 {
            return Some(base + hits.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    let rest = chunks
        .remainder()
        .iter()
        .position(|&b| is_ascii_space(b) == space);
    rest.map(|i| base + i)
}

impl Shape {
    pub(crate) fn indented(&self) -> bool {
        self.indent > 0
    }

    const BLANK: Shape = Shape {
        blank: true,
        width: 0,
        indent: 0,
        ascii: false,
        first_word: 0,
    };
}

/// Whether a line `width` chars wide is full at `wrap`: a next line's first
/// word of `next_word` chars would not have fitted in four fifths of it. The
/// slack is for hand-wrapped email, whose lines end anywhere in the last fifth.
pub(crate) fn is_full(width: usize, next_word: usize, wrap: usize) -> bool {
    (width + 1 + next_word) * 5 > wrap * 4
}

/// An email header ("Subject: ..."): short by nature, so no evidence of width.
fn is_header(line: &str, shape: &Shape) -> bool {
    let bytes = line.as_bytes();
    // A header's first word is its key and colon, so a first word of ASCII
    // not ending in ':' settles it.
    if shape.ascii && bytes.get(shape.indent + shape.first_word - 1) != Some(&b':') {
        return false;
    }
    let key = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    bytes.first().is_some_and(u8::is_ascii_alphabetic) && bytes[key..].starts_with(b": ")
}

/// A line of only quote marks (">"), as in quoted email.
fn is_bare_quote(line: &str) -> bool {
    // A line opening with a letter or digit, as prose does, settles it.
    if line
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    !line.chars().any(|c| c != '>' && !c.is_whitespace())
}

/// Measures `text` in one pass over its lines, without allocating.
pub(crate) fn analyze(text: &str) -> WrapStats {
    let mut histogram = [0u32; MAX_WIDTH + 2];
    // Pairs of continuing lines by `width(prev) + 1 + first_word(cur)`, so
    // fullness can be counted once the width is known, without a second
    // pass. Past `MAX_WIDTH` a pair is full at any width we accept.
    let mut reach = [0u32; MAX_WIDTH + 2];
    let (mut nonblank, mut continuing, mut finished) = (0usize, 0usize, 0usize);
    // The previous line and its shape, when it can be continued.
    let mut prev: Option<(&str, Shape)> = None;
    let ascii = text.is_ascii();
    for line in Lines::new(text) {
        let cur = &text[line.start..line.end];
        let shape = shape(cur, ascii);
        if shape.blank {
            prev = None;
            continue;
        }
        nonblank += 1;
        histogram[shape.width.min(MAX_WIDTH + 1)] += 1;
        if let Some((prev, prev_shape)) = prev {
            // An indented line opens a paragraph, so it says nothing of width.
            if !shape.indented()
                && !is_bare_quote(cur)
                && !is_header(prev, &prev_shape)
                && !is_bare_quote(prev)
            {
                continuing += 1;
                reach[(prev_shape.width + 1 + shape.first_word).min(MAX_WIDTH + 1)] += 1;
                finished += usize::from(ends_sentence(prev));
            }
        }
        prev = (!line.para_sep).then_some((cur, shape));
    }
    let rank = (nonblank * 9).div_ceil(10);
    let mut seen = 0usize;
    let width = histogram
        .iter()
        .position(|&count| {
            seen += count as usize;
            seen >= rank
        })
        .unwrap_or(0);
    if nonblank < MIN_LINES || !(MIN_WIDTH..=MAX_WIDTH).contains(&width) {
        return WrapStats {
            width,
            wrapped: false,
            ascii,
        };
    }
    let full: usize = (0..reach.len())
        .filter(|&r| r * 5 > width * 4)
        .map(|r| reach[r] as usize)
        .sum();
    WrapStats {
        width,
        // Lines of similar length also look full; wrapped prose ends most
        // lines mid-sentence, one-paragraph-per-line text ends almost none.
        wrapped: continuing >= 2 && full * 2 >= continuing && finished * 2 < continuing,
        ascii,
    }
}

/// Whether `line` ends a sentence: terminal punctuation, possibly followed
/// by closing quotes or brackets.
fn ends_sentence(line: &str) -> bool {
    // Most lines end in a letter or digit, which settles it.
    if line
        .as_bytes()
        .last()
        .is_some_and(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let trimmed = line
        .trim_end()
        .trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}', '\u{bb}']);
    trimmed.ends_with([
        '.', '!', '?', ':', '\u{3002}', '\u{ff01}', '\u{ff1f}', '\u{964}',
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_newswire() {
        let text = "GRAIN BOARD SEES HIGHER EXPORTS\n\
            The grain board said on Tuesday that wheat\n\
            exports would rise in the coming season, helped by\n\
            good weather and lower freight costs in the south.\n    \
            It gave no figures for maize or sorghum, which\n\
            were hit by dry weather earlier in the year.\n";
        let stats = analyze(text);
        assert!(stats.wrapped, "{stats:?}");
        assert!(stats.width <= 55, "{stats:?}");
    }

    #[test]
    fn line_per_paragraph() {
        let text = "A title\n\
            This is a long paragraph on one line that goes well past eighty characters, as web text does.\n\
            Short one.\n\
            Another paragraph on its own line, again far longer than any terminal width would allow here.\n";
        assert!(!analyze(text).wrapped);
    }

    #[test]
    fn sentence_per_line_is_not_wrapped() {
        let text = "it is short .\nthe plot is a mess and the actors look bored throughout .\nskip it .\n\
            the director has done better work before , and will again .\nbad .\nno .\n";
        assert!(!analyze(text).wrapped);
    }

    #[test]
    fn short_sentence_lines_are_not_wrapped() {
        let text = "Breaking news today.\nSomething else.\nBreaking news today.";
        assert!(!analyze(text).wrapped);
        let text = "Markets rallied strongly on Friday after the news.\n\
            Oil prices fell sharply amid supply worries today.\n\
            Markets rallied strongly on Friday after the news.\n";
        assert!(!analyze(text).wrapped);
    }

    #[test]
    fn ascii_search_agrees_with_a_byte_loop() {
        let alphabet = b"ab \t\n\x0b\x0c\r\x08\x0e\x1f!\x7f";
        let mut state = 1u32;
        for _ in 0..20_000 {
            let len = (state % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    alphabet[(state >> 16) as usize % alphabet.len()]
                })
                .collect();
            for space in [false, true] {
                let want = bytes.iter().position(|&b| is_ascii_space(b) == space);
                assert_eq!(find_ascii(&bytes, space), want, "{bytes:?} {space}");
            }
        }
    }

    #[test]
    fn fullness() {
        let full = |line: &str, next: &str, wrap| {
            is_full(
                shape(line, false).width,
                shape(next, false).first_word,
                wrap,
            )
        };
        assert!(full("abcd efgh", "ijk", 15));
        assert!(!full("abcd", "ijk", 15));
        let header = |line: &str| is_header(line, &shape(line, false));
        assert!(header("Subject: Re: stamps"));
        assert!(!header("It said: no"));
        assert!(!header("Re:Subject: x"));
        assert!(is_bare_quote(">  >"));
    }
}
