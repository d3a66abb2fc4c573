//! The `Datatrove` preset: datatrove's `simplify_text` with its default
//! `TextNormConfig` (`datatrove/utils/text.py`).
//!
//! In order: Python's `lower()`; each number `\p{Nd}+` with an optional
//! decimal part (one of `.,،٫⎖⎗⎘` then digits) to one `0`; datatrove's
//! punctuation (all ASCII punctuation, 34 CJK and typographic characters,
//! controls other than tab and line feed) to a space; `strip()` and runs of
//! white space to one space; NFD, every Mn removed; `strip()`.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfd_quick};

use super::ascii::{self, BLOCK, Block, DROP, SPACE};
use super::ccnet::REMOVED_PUNCT;
use super::props::{CharAt, is_decimal_digit, is_nonspacing_mark, is_py_space, py_strip};
use super::scratch::with_scratch;

/// Normalizes `segment` into `out` (cleared first).
pub(crate) fn normalize(segment: &str, out: &mut String) {
    let rules = AsciiRules {
        bytes: segment.as_bytes(),
        number: Number::None,
    };
    if ascii::rewrite_blocks(rules, segment, out).is_err() {
        normalize_unicode(segment, out);
    }
}

/// [`normalize`] a character at a time.
fn normalize_unicode(segment: &str, out: &mut String) {
    out.clear();
    let mut pending = false;
    let mut push = |out: &mut String, c: char| {
        // White space and punctuation (both already mapped to ' ') collapse.
        if c == ' ' || is_py_space(c) || is_punctuation(c) {
            pending = !out.is_empty();
        } else {
            if pending {
                out.push(' ');
                pending = false;
            }
            out.push(c);
        }
    };
    let mut at = 0;
    while let Some(c) = segment.get(at..).and_then(|rest| rest.chars().next()) {
        if is_decimal_digit(c) {
            at = skip_number(segment, at);
            push(out, '0');
            continue;
        }
        CharAt {
            text: segment,
            at,
            c,
        }
        .py_lower(|l| push(out, l));
        at += c.len_utf8();
    }
    if !out.is_ascii() {
        drop_nonspacing_marks(out);
    }
}

/// Where the ASCII rules are in a number.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Number {
    /// Not in one.
    None,
    /// In its integer part.
    Integer,
    /// After its decimal separator.
    Decimal,
}

/// The same rules for ASCII, 16 bytes at a time: no case subtleties, no
/// marks, every byte that is not a letter or digit becomes a space, and a
/// number (digits, then maybe `.` or `,` and digits) becomes one `0`.
struct AsciiRules<'a> {
    bytes: &'a [u8],
    /// At the end of the last block.
    number: Number,
}

impl ascii::BlockRules for AsciiRules<'_> {
    // A letter: kept whole, and no number goes on through it.
    const PAD: u8 = b'a';

    /// Letters and spaces; digits (numbers need context) and non-ASCII
    /// bytes make the block careful.
    #[inline(always)]
    fn fast(&mut self, src: [u8; BLOCK]) -> ([u8; BLOCK], bool) {
        let mut mapped = [0; BLOCK];
        let mut flags = [0u8; BLOCK];
        for i in 0..BLOCK {
            // Signed and branch-free, so that it vectorizes (see `default`).
            let s = src[i] as i8;
            let lower = s | 0x20;
            let is_letter = (lower >= b'a' as i8) & (lower <= b'z' as i8);
            let is_digit = (s >= b'0' as i8) & (s <= b'9' as i8);
            let careful = is_digit | (s < 0);
            mapped[i] = if is_letter {
                src[i] | 0x20
            } else if careful {
                DROP
            } else {
                SPACE
            };
            flags[i] = u8::from(careful);
        }
        let careful = u128::from_ne_bytes(flags) != 0;
        // A block with no digit ends any number.
        if !careful {
            self.number = Number::None;
        }
        (mapped, careful)
    }

    #[inline(never)]
    fn careful(&mut self, block: Block, mut mapped: [u8; BLOCK]) -> Result<[u8; BLOCK], usize> {
        let Block { src, len, at } = block;
        if let Some(i) = src[..len].iter().position(|b| !b.is_ascii()) {
            return Err(at + i);
        }
        // Only digits and separators need the state: any other byte ends a
        // number, and `fast` mapped it already.
        let mut lanes = 0u32;
        for (i, &b) in src.iter().enumerate() {
            lanes |= u32::from(b.is_ascii_digit() | (b == b'.') | (b == b',')) << i;
        }
        lanes &= (1 << len) - 1;
        // The lane up to which `self.number` is the state.
        let mut next = 0;
        while lanes != 0 {
            let i = lanes.trailing_zeros() as usize;
            lanes &= lanes - 1;
            if i != next {
                self.number = Number::None;
            }
            next = i + 1;
            let b = src[i];
            mapped[i] = if b.is_ascii_digit() {
                if self.number == Number::None {
                    self.number = Number::Integer;
                    b'0'
                } else {
                    DROP
                }
            } else if self.number == Number::Integer
                && self.bytes.get(at + i + 1).is_some_and(u8::is_ascii_digit)
            {
                self.number = Number::Decimal;
                DROP
            } else {
                self.number = Number::None;
                SPACE
            };
        }
        if next != BLOCK {
            self.number = Number::None;
        }
        Ok(mapped)
    }
}

/// Datatrove's punctuation set: every ASCII punctuation character, the
/// controls except tab and line feed, and the characters cc_net removes.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() || (c.is_ascii_control() && !matches!(c, '\t' | '\n'));
    }
    matches!(c, '\u{80}'..='\u{9f}') || REMOVED_PUNCT.binary_search(&c).is_ok()
}

/// The separators allowed between the integer and decimal part of a number.
fn is_decimal_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '،' | '٫' | '⎖' | '⎗' | '⎘')
}

fn skip_digits(text: &str, from: usize) -> usize {
    let rest = text.get(from..).unwrap_or("");
    let run = rest
        .char_indices()
        .find(|&(_, c)| !is_decimal_digit(c))
        .map_or(rest.len(), |(i, _)| i);
    from + run
}

/// The end of the number starting at `from`.
fn skip_number(text: &str, from: usize) -> usize {
    let end = skip_digits(text, from);
    let mut rest = text.get(end..).unwrap_or("").chars();
    match (rest.next(), rest.next()) {
        (Some(sep), Some(digit)) if is_decimal_separator(sep) && is_decimal_digit(digit) => {
            skip_digits(text, end + sep.len_utf8())
        }
        _ => end,
    }
}

/// NFD, then every nonspacing mark removed, then Python's `strip()`.
fn drop_nonspacing_marks(out: &mut String) {
    let is_nfd = is_nfd_quick(out.chars()) == IsNormalized::Yes;
    if is_nfd && !out.chars().any(is_nonspacing_mark) {
        return;
    }
    with_scratch(|buf| {
        buf.extend(out.chars().nfd().filter(|&c| !is_nonspacing_mark(c)));
        out.clear();
        out.push_str(py_strip(buf));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ascii_blocks_match_characters(text in r"([a-zA-Z0-9 .,\t\n\x01-]|12|1\.5|9,9){0,40}") {
            let mut fast = String::from("stale");
            normalize(&text, &mut fast);
            let mut slow = String::new();
            normalize_unicode(&text, &mut slow);
            prop_assert_eq!(fast, slow, "given: {:?}", text);
        }
    }

    #[test]
    fn numbers_across_blocks() {
        for text in [
            "aaaaaaaaaaaaaa 1.5 b",
            "aaaaaaaaaaaaaaa1.5 b",
            "aaaaaaaaaaaaa12. 5 b",
            "aaaaaaaaaaaaaaa12,345.67.8",
            "1.2.3.4.5.6.7.8.9.10.11.12",
            // A block with no digit between two numbers.
            "aaaaaaaaaaaaaa12bbbbbbbbbbbbbbbb3 c",
            "aaaaaaaaaaaaaa12 bbbbbbbbbbbbbbb,5 c",
            "Ümlaut 1,5 x",
        ] {
            let mut fast = String::new();
            normalize(text, &mut fast);
            let mut slow = String::new();
            normalize_unicode(text, &mut slow);
            assert_eq!(fast, slow, "given: {text:?}");
        }
    }
}
