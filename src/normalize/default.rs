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

const fn ascii_table(fold_digits: bool) -> [u8; 128] {
    let mut table = [DROP; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        table[i] = if b.is_ascii_uppercase() {
            b.to_ascii_lowercase()
        } else if b.is_ascii_lowercase() {
            b
        } else if b.is_ascii_digit() {
            if fold_digits { b'0' } else { b }
        } else if b.is_ascii_punctuation() || matches!(b, b'\t'..=b'\r' | b' ') {
            SPACE
        } else {
            DROP
        };
        i += 1;
    }
    table
}

static ASCII: [u8; 128] = ascii_table(false);
static ASCII_FOLD_DIGITS: [u8; 128] = ascii_table(true);

/// Normalizes `segment` into `out` (cleared first).
pub(crate) fn normalize(opts: Options, segment: &str, out: &mut String) {
    let table = if opts.fold_digits {
        &ASCII_FOLD_DIGITS
    } else {
        &ASCII
    };
    if segment.is_ascii() {
        ascii::rewrite(table, segment, out);
        return;
    }
    out.clear();
    let mut sink = Sink {
        out,
        pending: false,
        table,
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
    table: &'static [u8; 128],
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
            match self.table[usize::from(c as u8)] {
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
