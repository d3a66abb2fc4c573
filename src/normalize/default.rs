//! The `Default` preset: NFKC, full case folding, punctuation and symbols to
//! spaces, controls and format characters removed, white space collapsed.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::ascii::{self, DROP, SPACE};
use super::props::{
    is_control_format, is_decimal_digit, is_mark, is_nonspacing_mark, is_punct_symbol,
    push_casefold,
};
use super::scratch::with_scratch;

/// The options that only `Default` has.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options {
    pub(crate) fold_digits: bool,
    pub(crate) strip_accents: bool,
}

/// The Default rules for one ASCII byte: letters lowercased, digits kept
/// (or `0`), white space and punctuation to `SPACE`, other controls `DROP`.
///
/// Branch-free so that the ASCII pass vectorizes.
#[inline(always)]
fn map_ascii<const FOLD_DIGITS: bool>(b: u8) -> u8 {
    let is_letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let is_digit = b.wrapping_sub(b'0') < 10;
    let is_drop = b < b'\t' || (b > b'\r' && b < b' ') || b > b'~';
    let digit = if FOLD_DIGITS { b'0' } else { b };
    if is_letter {
        b | 0x20
    } else if is_digit {
        digit
    } else if is_drop {
        DROP
    } else {
        SPACE
    }
}

/// Normalizes `segment` into `out` (cleared first).
pub(crate) fn normalize(opts: Options, segment: &str, out: &mut String) {
    if segment.is_ascii() {
        if opts.fold_digits {
            ascii::rewrite(map_ascii::<true>, segment, out);
        } else {
            ascii::rewrite(map_ascii::<false>, segment, out);
        }
        return;
    }
    out.clear();
    let mut sink = Sink {
        out,
        pending: false,
        fold_digits: opts.fold_digits,
    };
    // ASCII resets the quick check's state, so it can start at the first
    // non-ASCII byte.
    let tail = segment.trim_start_matches(|c: char| c.is_ascii());
    if is_nfkc_quick(tail.chars()) == IsNormalized::Yes {
        segment.chars().for_each(|c| sink.feed(c));
    } else {
        segment.chars().nfkc().for_each(|c| sink.feed(c));
    }
    if opts.strip_accents && !out.is_ascii() {
        strip_accents(out);
    }
    recompose(out);
}

/// Feeds characters into `out`, collapsing spaces on the way.
struct Sink<'a> {
    out: &'a mut String,
    /// A space is due before the next character written.
    pending: bool,
    fold_digits: bool,
}

impl Sink<'_> {
    fn space(&mut self) {
        self.pending = !self.out.is_empty();
    }

    fn flush_space(&mut self) {
        if self.pending {
            self.out.push(' ');
            self.pending = false;
        }
    }

    fn feed(&mut self, c: char) {
        if c.is_ascii() {
            let b = c as u8;
            let mapped = if self.fold_digits {
                map_ascii::<true>(b)
            } else {
                map_ascii::<false>(b)
            };
            match mapped {
                DROP => {}
                SPACE => self.space(),
                b => {
                    self.flush_space();
                    self.out.push(char::from(b));
                }
            }
        } else if c.is_whitespace() || is_punct_symbol(c) {
            self.space();
        } else if is_control_format(c) {
            // NOTE: removed without a space, so a soft hyphen or ZWJ inside a
            // word keeps the word whole.
        } else if is_mark(c) {
            // A mark on a character that became a space goes with it.
            if !self.pending && !self.out.is_empty() {
                push_casefold(c, self.out);
            }
        } else if self.fold_digits && is_decimal_digit(c) {
            self.flush_space();
            self.out.push('0');
        } else {
            self.flush_space();
            push_casefold(c, self.out);
        }
    }
}

/// NFKC again where folding or removals left text that is not NFKC, e.g.
/// `ǰ` folds to `j` + U+030C, and dropping a ZWJ can bring a mark next to
/// a letter it composes with.
fn recompose(out: &mut String) {
    if out.is_ascii() || is_nfkc_quick(out.chars()) == IsNormalized::Yes {
        return;
    }
    with_scratch(|buf| {
        buf.extend(out.chars().nfkc());
        out.clear();
        out.push_str(buf);
    });
}

/// Removes accents of Latin, Greek and Cyrillic letters: NFD, then the
/// nonspacing marks of the generic diacritics blocks are dropped when their
/// base letter is of one of those scripts.
fn strip_accents(out: &mut String) {
    with_scratch(|buf| {
        let mut base_has_accents = false;
        for c in out.chars().nfd() {
            if !is_nonspacing_mark(c) {
                base_has_accents = is_accented_script(c);
                buf.push(c);
            } else if !(base_has_accents && is_diacritic(c)) {
                buf.push(c);
            }
        }
        out.clear();
        out.push_str(buf);
    });
}

/// Latin, Greek or Cyrillic, by block.
fn is_accented_script(c: char) -> bool {
    matches!(c,
        'a'..='z' | '\u{aa}' | '\u{ba}' | '\u{c0}'..='\u{2af}' | '\u{1d00}'..='\u{1dbf}'
        | '\u{1e00}'..='\u{1eff}' | '\u{2c60}'..='\u{2c7f}' | '\u{a720}'..='\u{a7ff}'
        | '\u{ab30}'..='\u{ab6f}'
        // Greek and Coptic, Greek Extended
        | '\u{370}'..='\u{3ff}' | '\u{1f00}'..='\u{1fff}'
        // Cyrillic, its Supplement and Extended-C and -B
        | '\u{400}'..='\u{52f}' | '\u{1c80}'..='\u{1c8f}' | '\u{a640}'..='\u{a69f}')
}

/// Marks that are accents, not letters or vowel signs: the generic combining
/// diacritics blocks and the Cyrillic titlo and its kin.
fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{300}'..='\u{36f}' | '\u{483}'..='\u{487}' | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}
