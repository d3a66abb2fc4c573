//! Telling hard-wrapped text from one-paragraph-per-line text.
//!
//! Hard-wrapped text (newswire, email) breaks a line when the next word
//! would pass a fixed width, so nearly every line that continues a paragraph
//! is "full": the next line's first word would not have fitted on it. Text
//! with one paragraph or sentence per line has no such width.

use memchr::memchr;

use super::lines::{Line, Lines, for_each_ascii_lf_line, is_ascii};
use super::{first_marked, is_ascii_space};

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
    /// Length in bytes, ignoring trailing white space.
    pub(crate) len: usize,
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
#[inline(always)]
pub(crate) fn shape(line: &str, ascii: bool) -> Shape {
    // NOTE: most lines are ASCII, where chars are bytes; `is_ascii` is a
    // fast word-wise check, and counting chars is the expensive part.
    if ascii || line.is_ascii() {
        let bytes = line.as_bytes();
        // Most lines start and end with a visible byte: one test each.
        let first = match bytes.first() {
            Some(&b) if !is_ascii_space(b) => 0,
            _ => match find_ascii(bytes, false) {
                Some(first) => first,
                None => return Shape::BLANK,
            },
        };
        let len = match bytes.last() {
            Some(&b) if !is_ascii_space(b) => bytes.len(),
            _ => {
                bytes
                    .iter()
                    .rposition(|&b| !is_ascii_space(b))
                    .unwrap_or(first)
                    + 1
            }
        };
        let word = find_ascii(&bytes[first..len], true).unwrap_or(len - first);
        return Shape {
            blank: false,
            width: len,
            len,
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
    let trimmed = line.trim_end();
    Shape {
        blank: false,
        width: trimmed.chars().count(),
        len: trimmed.len(),
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
    let marks = |word: u64| {
        // Bytes below 0x80 add without carries: the high bit of each sum says
        // whether the byte reached 9 (tab), 14 (past CR), or equals 32.
        let tab_to_cr =
            word.wrapping_add((0x80 - 9) * ONES) & !word.wrapping_add((0x80 - 14) * ONES);
        let blank = word ^ (0x20 * ONES);
        let is_space = !(((blank & LOW) + LOW) | blank);
        ((tab_to_cr | is_space) & !LOW) ^ flip
    };
    first_marked(bytes, marks, |b| is_ascii_space(b) == space)
}

/// The first white space in ASCII `bytes`: [`find_ascii`] for `space`.
///
/// NOTE: white space is at most ' ', so one subtraction finds a candidate;
/// only other control bytes, which are rare, need the exact test.
#[inline(always)]
fn find_space(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte below 0x21 borrows and sets its high bit; the lowest such byte
    // is exact, as only bytes above it can borrow.
    let i = first_marked(bytes, |word| word.wrapping_sub(0x21 * ONES), |b| b <= b' ')?;
    if is_ascii_space(bytes[i]) {
        return Some(i);
    }
    find_ascii(&bytes[i..], true).map(|j| i + j)
}

impl Shape {
    pub(crate) fn indented(&self) -> bool {
        self.indent > 0
    }

    const BLANK: Shape = Shape {
        blank: true,
        width: 0,
        len: 0,
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
fn is_header(line: &[u8]) -> bool {
    let key = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    line.first().is_some_and(u8::is_ascii_alphabetic) && line[key..].starts_with(b": ")
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

/// `n` capped at `MAX_WIDTH + 1`, as [`Row`] keeps widths.
fn cap(n: usize) -> u8 {
    const { assert!(MAX_WIDTH < u8::MAX as usize) };
    n.min(MAX_WIDTH + 1) as u8
}

/// A non-blank line as both the wrap decision and the cutting of wrapped
/// paragraphs need it, so the text is read once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    /// The line trimmed of white space is `text[start..end]`.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// [`Shape::width`], at most `MAX_WIDTH + 1`: it only ever goes into
    /// [`is_full`] at a wrap width of at most that, where any line so wide
    /// is full. The row is smaller for it (24 bytes, not 32).
    pub(crate) width: u8,
    /// [`Shape::first_word`], capped likewise.
    pub(crate) first_word: u8,
    /// How many `>` open the line.
    ///
    /// NOTE: saturated, so two lines of over 4 GiB of `>` each would compare
    /// equal.
    pub(crate) quote_depth: u32,
    pub(crate) indented: bool,
    /// A blank line or a U+2029 comes between this line and the one before.
    pub(crate) after_break: bool,
}

/// What wrap evidence a line gives as the first of a pair of lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Prev {
    width: usize,
    /// Neither an email header nor a bare quote, so the pair counts.
    counts: bool,
    ends_sentence: bool,
}

/// The evidence gathered line by line.
#[derive(Debug, PartialEq, Eq)]
struct Tally {
    histogram: [u32; MAX_WIDTH + 2],
    /// Pairs of continuing lines by `width(prev) + 1 + first_word(cur)`, so
    /// fullness can be counted once the width is known, without a second
    /// pass. Past `MAX_WIDTH` a pair is full at any width we accept.
    reach: [u32; MAX_WIDTH + 2],
    nonblank: usize,
    /// The highest histogram bucket in use.
    top: usize,
    continuing: usize,
    finished: usize,
    /// The previous line, when it can be continued.
    prev: Option<Prev>,
    /// A blank line or a U+2029 came since the last non-blank line.
    after_break: bool,
    /// The whole text is ASCII.
    ascii: bool,
}

/// One non-blank line, measured.
struct Measured {
    /// The line trimmed of white space is `text[start..end]`.
    start: usize,
    end: usize,
    width: usize,
    first_word: usize,
    indented: bool,
    bare_quote: bool,
    header: bool,
    ends_sentence: bool,
    quote_depth: usize,
    para_sep: bool,
}

impl Measured {
    /// Measures `line` of `text`, unless it is blank. `ASCII` says the whole
    /// text is ASCII.
    #[inline(always)]
    fn any<const ASCII: bool>(text: &str, line: Line) -> Option<Measured> {
        let cur = &text[line.start..line.end];
        let shape = shape(cur, ASCII);
        if shape.blank {
            return None;
        }
        let bytes = cur.as_bytes();
        Some(Measured {
            start: line.start + shape.indent,
            end: line.start + shape.len,
            width: shape.width,
            first_word: shape.first_word,
            indented: shape.indented(),
            bare_quote: is_bare_quote(cur),
            header: (!shape.ascii || bytes[shape.indent + shape.first_word - 1] == b':')
                && is_header(bytes),
            ends_sentence: ends_sentence(cur),
            quote_depth: quote_depth(bytes),
            para_sep: line.para_sep,
        })
    }
}

/// One non-blank line of an ASCII text, measured on bytes.
struct AsciiLine {
    /// The line trimmed of white space is `line[indent..len]`; `len` is
    /// also its width.
    indent: usize,
    len: usize,
    first_word: usize,
    bare_quote: bool,
    header: bool,
    ends_sentence: bool,
    /// Saturated, as in [`Row`].
    quote_depth: u32,
}

impl AsciiLine {
    /// Measures `line` as [`Measured::any`] would, unless it is blank.
    #[inline(always)]
    fn of(text: &[u8], start: usize, end: usize) -> Option<AsciiLine> {
        let line = &text[start..end];
        let (&first, &last) = (line.first()?, line.last()?);
        // Most lines start and end with a visible byte: one test each.
        let indent = if is_ascii_space(first) {
            find_ascii(line, false)?
        } else {
            0
        };
        let len = if is_ascii_space(last) {
            line.iter().rposition(|&b| !is_ascii_space(b)).unwrap_or(0) + 1
        } else {
            line.len()
        };
        let body = &line[indent..len];
        let first_word = find_space(body).unwrap_or(body.len());
        // Both need a '>' to open the text, which prose seldom has.
        let (bare_quote, quote_depth) = match body[0] {
            b'>' => (
                body.iter().all(|&b| b == b'>' || is_ascii_space(b)),
                u32::try_from(quote_depth(line)).unwrap_or(u32::MAX),
            ),
            _ => (false, 0),
        };
        Some(AsciiLine {
            indent,
            len,
            first_word,
            bare_quote,
            // A header's key starts the line and its first word ends in ':'.
            header: indent == 0 && body[first_word - 1] == b':' && is_header(line),
            ends_sentence: match body[body.len() - 1] {
                b'.' | b'!' | b'?' | b':' => true,
                b'"' | b'\'' | b')' | b']' => ascii_ends_sentence(body),
                _ => false,
            },
            quote_depth,
        })
    }
}

impl Tally {
    fn new(ascii: bool) -> Tally {
        Tally {
            histogram: [0; MAX_WIDTH + 2],
            reach: [0; MAX_WIDTH + 2],
            nonblank: 0,
            top: 0,
            continuing: 0,
            finished: 0,
            prev: None,
            after_break: true,
            ascii,
        }
    }

    /// Counts a blank line.
    #[inline(always)]
    fn blank(&mut self) {
        self.prev = None;
        self.after_break = true;
    }

    /// Counts a non-blank line and pushes it onto `rows`.
    #[inline(always)]
    fn add(&mut self, line: Measured, rows: &mut Vec<Row>) {
        self.nonblank += 1;
        let bucket = line.width.min(MAX_WIDTH + 1);
        self.histogram[bucket] += 1;
        self.top = self.top.max(bucket);
        if let Some(prev) = self.prev {
            // An indented line opens a paragraph, so it says nothing of width.
            if !line.indented && !line.bare_quote && prev.counts {
                self.continuing += 1;
                self.reach[(prev.width + 1 + line.first_word).min(MAX_WIDTH + 1)] += 1;
                self.finished += usize::from(prev.ends_sentence);
            }
        }
        let counts = !line.bare_quote && !line.header;
        self.prev = (!line.para_sep).then_some(Prev {
            width: line.width,
            counts,
            ends_sentence: counts && line.ends_sentence,
        });
        rows.push(Row {
            start: line.start,
            end: line.end,
            width: cap(line.width),
            first_word: cap(line.first_word),
            quote_depth: u32::try_from(line.quote_depth).unwrap_or(u32::MAX),
            indented: line.indented,
            after_break: self.after_break,
        });
        self.after_break = line.para_sep;
    }

    /// Counts the lines of `text` into this tally, by the general path
    /// unless `fast` allows the ASCII ones.
    fn count(&mut self, text: &str, rows: &mut Vec<Row>, fast: bool) {
        rows.clear();
        let ascii = self.ascii;
        let mut add = |line: Option<Measured>| match line {
            Some(line) => self.add(line, rows),
            None => self.blank(),
        };
        let bytes = text.as_bytes();
        // In ASCII, `\r` is the only other break byte: one search rules it out.
        if ascii && fast && memchr(b'\r', bytes).is_none() {
            let done = self.count_ascii_lf(text, rows);
            debug_assert_eq!(done, Ok(()));
        } else if ascii && fast {
            Lines::new(text).for_each(|line| add(Measured::any::<true>(text, line)));
        } else {
            let only_lf = Lines::new(text).only_lf();
            self.count_general(text, Lines::with_only_lf(text, fast && only_lf), rows);
        }
    }

    /// Counts the lines `lines` of `text` by the general path.
    fn count_general(&mut self, text: &str, lines: Lines<'_>, rows: &mut Vec<Row>) {
        for line in lines {
            match Measured::any::<false>(text, line) {
                Some(line) => self.add(line, rows),
                None => self.blank(),
            }
        }
    }

    /// [`Tally::count`] of a text whose only break byte is `\n`, while it
    /// is ASCII: if it is not, stops before the line with the first other
    /// byte and returns its start, with the tally as the general path would
    /// leave it after the lines before, so that it can go on from there.
    ///
    /// NOTE: what carries from line to line is kept in locals, and each line
    /// is measured from one look at its first and last bytes; the general
    /// loop spilled its state to the stack on every line.
    fn count_ascii_lf(&mut self, text: &str, rows: &mut Vec<Row>) -> Result<(), usize> {
        rows.clear();
        let bytes = text.as_bytes();
        // The previous line as a pair's first: its width plus one, or 0
        // when no pair can open (after a break or a line that does not count).
        let mut reach_base = 0usize;
        let mut prev_ends = false;
        let mut after_break = true;
        let (mut continuing, mut finished, mut top) = (0, 0, 0);
        // NOTE: inlined into the line scan; its AVX2 loop, a function of its
        // own, called it for every line.
        let done = for_each_ascii_lf_line(
            text,
            #[inline(always)]
            |start, end| {
                let Some(line) = AsciiLine::of(bytes, start, end) else {
                    reach_base = 0;
                    after_break = true;
                    return;
                };
                let bucket = line.len.min(MAX_WIDTH + 1);
                self.histogram[bucket] += 1;
                top = top.max(bucket);
                // An indented line opens a paragraph, so it says nothing of width.
                if reach_base != 0 && line.indent == 0 && !line.bare_quote {
                    continuing += 1;
                    self.reach[(reach_base + line.first_word).min(MAX_WIDTH + 1)] += 1;
                    finished += usize::from(prev_ends);
                }
                let counts = !line.bare_quote && !line.header;
                reach_base = if counts { line.len + 1 } else { 0 };
                prev_ends = line.ends_sentence;
                rows.push(Row {
                    start: start + line.indent,
                    end: start + line.len,
                    width: cap(line.len),
                    first_word: cap(line.first_word),
                    quote_depth: line.quote_depth,
                    indented: line.indent > 0,
                    after_break,
                });
                after_break = false;
            },
        );
        self.nonblank = rows.len();
        self.top = top;
        self.continuing = continuing;
        self.finished = finished;
        // A line that does not count opens no pair, as no line before does.
        self.prev = (reach_base != 0).then(|| Prev {
            width: reach_base - 1,
            counts: true,
            ends_sentence: prev_ends,
        });
        self.after_break = after_break;
        done
    }

    fn finish(&self) -> WrapStats {
        let ascii = self.ascii;
        // The first width at or below which 90% of the lines are: from the
        // top, past the longest 10%.
        let above = self.nonblank - (self.nonblank * 9).div_ceil(10);
        let mut width = self.top;
        let mut seen = 0usize;
        while width > 0 && seen + self.histogram[width] as usize <= above {
            seen += self.histogram[width] as usize;
            width -= 1;
        }
        if self.nonblank < MIN_LINES || !(MIN_WIDTH..=MAX_WIDTH).contains(&width) {
            return WrapStats {
                width,
                wrapped: false,
                ascii,
            };
        }
        // A pair is full when its reach `r` has `r * 5 > width * 4`.
        let full: usize = self.reach[width * 4 / 5 + 1..]
            .iter()
            .map(|&n| n as usize)
            .sum();
        let continuing = self.continuing;
        WrapStats {
            width,
            // Lines of similar length also look full; wrapped prose ends most
            // lines mid-sentence, one-paragraph-per-line text ends almost none.
            wrapped: continuing >= 2 && full * 2 >= continuing && self.finished * 2 < continuing,
            ascii,
        }
    }
}

/// Measures `text` in one pass over its lines, pushing its non-blank lines
/// onto `rows` (which it clears first).
pub(crate) fn measure(text: &str, rows: &mut Vec<Row>) -> WrapStats {
    // NOTE: the tally is large; filled in place, it is never copied.
    let mut tally = Tally::new(true);
    let bytes = text.as_bytes();
    // In ASCII, `\r` is the only other break byte: one search rules it out,
    // and the byte path finds out on the way whether the text is ASCII.
    if memchr(b'\r', bytes).is_some() {
        tally.ascii = is_ascii(bytes);
        tally.count(text, rows, true);
    } else if let Err(from) = tally.count_ascii_lf(text, rows) {
        // The lines before are ASCII, so measured alike by both paths; the
        // rest goes by the general one, as the whole text would.
        tally.ascii = false;
        let only_lf = memchr(0xE2, &bytes[from..]).is_none();
        tally.count_general(text, Lines::starting_at(text, from, only_lf), rows);
    }
    tally.finish()
}

/// How many `>` open an email line: a change of depth is a change of author.
fn quote_depth(line: &[u8]) -> usize {
    // Bytes will do: a multi-byte char stops the count as its lead byte does.
    line.iter()
        .filter(|b| **b != b' ')
        .take_while(|b| **b == b'>')
        .count()
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

/// [`ends_sentence`] for the body of an ASCII line: no white space at
/// either end.
fn ascii_ends_sentence(body: &[u8]) -> bool {
    let open = body
        .iter()
        .rposition(|b| !matches!(b, b'"' | b'\'' | b')' | b']'))
        .map_or(body, |i| &body[..=i]);
    matches!(open.last(), Some(b'.' | b'!' | b'?' | b':'))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn analyze(text: &str) -> WrapStats {
        measure(text, &mut Vec::new())
    }

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
    fn a_late_non_ascii_char_hands_over_to_the_general_path() {
        let text = "GRAIN BOARD\nSubject: exports\n> quoted\nThe board said on Tuesday that wheat\n\
            exports would rise in the season.\n\n    It gave no figures for maize.\n";
        for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            let text = format!("{}\u{e9}{}", &text[..at], &text[at..]);
            let mut fast = Vec::new();
            let stats = measure(&text, &mut fast);
            let mut general = Vec::new();
            let mut by_chars = Tally::new(false);
            by_chars.count(&text, &mut general, false);
            assert_eq!(stats, by_chars.finish(), "{text:?}");
            assert_eq!(fast, general, "{text:?}");
        }
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
            let want = bytes.iter().position(|&b| is_ascii_space(b));
            assert_eq!(find_space(&bytes), want, "{bytes:?}");
        }
    }

    /// Text like newswire and email, with every kind of line the measures
    /// tell apart; ASCII with only `\n` breaks unless `unicode`.
    pub(crate) fn wrapped_text(unicode: bool) -> BoxedStrategy<String> {
        let piece = prop_oneof![
            6 => "[a-z]{1,9} ",
            2 => "[A-Z][a-z]{0,8} ",
            1 => "[A-Z]{2,6} ",
            4 => Just("\n".to_owned()),
            1 => Just("\n\n".to_owned()),
            1 => Just("\n    ".to_owned()),
            1 => Just("\n> ".to_owned()),
            1 => Just("\n>> > ".to_owned()),
            1 => Just("\n > >".to_owned()),
            1 => Just("\nSubject: ".to_owned()),
            1 => "[.!?:,;\"')\\]]{1,3}",
            1 => "[ \t\x0b\x0c]{1,3}",
            1 => "[a-z]{10,40}",
            1 => "[\x00-\x7f]{1,4}",
        ];
        if !unicode {
            return prop::collection::vec(piece, 0..120)
                .prop_map(|v| v.concat())
                .boxed();
        }
        let exotic = prop_oneof![
            Just("\r\n".to_owned()),
            Just("\u{2028}".to_owned()),
            Just("\u{2029}".to_owned()),
            Just("\u{a0}".to_owned()),
            Just("\u{3000}".to_owned()),
            Just("\u{201d}.".to_owned()),
            Just("\u{c9}t\u{e9} ".to_owned()),
            Just("\u{3c9}\u{3a9} ".to_owned()),
            "\\PC{1,3}",
        ];
        prop::collection::vec(prop_oneof![20 => piece, 1 => exotic], 0..120)
            .prop_map(|v| v.concat())
            .boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn byte_path_agrees_with_the_general_one(text in wrapped_text(false)) {
            let (mut fast, mut general) = (Vec::new(), Vec::new());
            let mut by_bytes = Tally::new(text.is_ascii());
            by_bytes.count(&text, &mut fast, true);
            let mut by_chars = Tally::new(text.is_ascii());
            by_chars.count(&text, &mut general, false);
            // The last line's pair state differs in form only: the byte path
            // keeps it when the line can open a pair, the general path also
            // keeps a line that cannot (with `counts` false).
            (by_bytes.prev, by_chars.prev) = (None, None);
            prop_assert_eq!(by_bytes, by_chars);
            prop_assert_eq!(fast, general);
        }

        #[test]
        fn measure_agrees_with_the_general_path(
            text in prop_oneof![wrapped_text(false), wrapped_text(true)]
        ) {
            // `measure` tries the byte path before knowing the text is ASCII.
            let mut fast = Vec::new();
            let stats = measure(&text, &mut fast);
            let mut general = Vec::new();
            let mut by_chars = Tally::new(text.is_ascii());
            by_chars.count(&text, &mut general, false);
            prop_assert_eq!(stats, by_chars.finish());
            prop_assert_eq!(fast, general);
        }
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn rows_are_small() {
        assert_eq!(std::mem::size_of::<Row>(), 24);
    }

    #[test]
    fn width_is_the_90th_percentile() {
        // The definition, read upwards: the first width at which 90% of the
        // lines are counted.
        let naive = |histogram: &[u32]| {
            let lines: usize = histogram.iter().map(|&n| n as usize).sum();
            let rank = (lines * 9).div_ceil(10);
            let mut seen = 0;
            histogram
                .iter()
                .position(|&n| {
                    seen += n as usize;
                    seen >= rank
                })
                .unwrap_or(0)
        };
        let mut state = 7u32;
        for _ in 0..5_000 {
            let mut tally = Tally::new(true);
            for _ in 0..state % 40 {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let width = (state >> 16) as usize % (MAX_WIDTH + 2);
                tally.histogram[width] += 1;
                tally.nonblank += 1;
                tally.top = tally.top.max(width);
            }
            assert_eq!(tally.finish().width, naive(&tally.histogram), "{tally:?}");
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
        let header = |line: &str| is_header(line.as_bytes());
        assert!(header("Subject: Re: stamps"));
        assert!(!header("It said: no"));
        assert!(!header("Re:Subject: x"));
        assert!(is_bare_quote(">  >"));
    }
}
