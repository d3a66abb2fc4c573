//! The `Datatrove` preset: datatrove's `simplify_text` with its default
//! `TextNormConfig` (`datatrove/utils/text.py`).
//!
//! In order: Python's `lower()`; each number `\p{Nd}+` with an optional
//! decimal part (one of `.,،٫⎖⎗⎘` then digits) to one `0`; datatrove's
//! punctuation (all ASCII punctuation, 34 CJK and typographic characters,
//! controls other than tab and line feed) to a space; `strip()` and runs of
//! white space to one space; NFD, every Mn removed; `strip()`.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfd_quick};

use super::ascii::{self, SPACE};
use super::ccnet::REMOVED_PUNCT;
use super::props::{is_decimal_digit, is_nonspacing_mark, is_py_space, py_lower, py_strip};
use super::scratch::with_scratch;

/// Normalizes `segment` into `out` (cleared first).
pub(crate) fn normalize(segment: &str, out: &mut String) {
    if segment.is_ascii() {
        normalize_ascii(segment.as_bytes(), out);
        return;
    }
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
        py_lower(segment, at, c, |l| push(out, l));
        at += c.len_utf8();
    }
    if !out.is_ascii() {
        drop_nonspacing_marks(out);
    }
}

/// The same rules for ASCII: no case subtleties, no marks, and every byte
/// that is not a letter or digit becomes a space.
fn normalize_ascii(bytes: &[u8], out: &mut String) {
    let mut buf = ascii::take_bytes(out);
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii_digit() {
            at = skip_ascii_number(bytes, at);
            buf.push(b'0');
        } else {
            buf.push(if b.is_ascii_alphabetic() {
                b | 0x20
            } else {
                SPACE
            });
            at += 1;
        }
    }
    ascii::collapse_vec(&mut buf);
    ascii::put_bytes(buf, out);
}

/// The end of the ASCII number starting at `from`.
fn skip_ascii_number(bytes: &[u8], from: usize) -> usize {
    let digits_from = |start: usize| {
        start
            + bytes
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
    };
    let end = digits_from(from);
    match (bytes.get(end), bytes.get(end + 1)) {
        (Some(b'.' | b','), Some(d)) if d.is_ascii_digit() => digits_from(end + 1),
        _ => end,
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
