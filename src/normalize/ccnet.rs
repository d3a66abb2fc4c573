//! The `CcNet` preset: cc_net's `normalize_for_dedup`
//! (`cc_net/text_normalizer.py`).
//!
//! In order: Python's `strip()`, `lower()`, every character matching `\d`
//! (any Unicode decimal digit) to `0`, then removal of 34 CJK, full-width and
//! typographic punctuation characters and of U+0000..U+001F and
//! U+007F..U+009F. ASCII punctuation and accents are kept.

use super::ascii::{self, DROP};
use super::props::{CharAt, is_decimal_digit, py_strip};

/// The punctuation cc_net removes, sorted (its `UNICODE_PUNCT` keys).
///
/// NOTE: it includes the full-width digit `１`, which never survives to this
/// step because the digit rule turns it into `0` first.
pub(crate) const REMOVED_PUNCT: [char; 34] = [
    '\u{ab}', '\u{b4}', '\u{bb}', '\u{2013}', '\u{2014}', '\u{2019}', '\u{201c}', '\u{201d}',
    '\u{201e}', '\u{2026}', '\u{2236}', '\u{2501}', '\u{25ba}', '\u{3001}', '\u{3002}', '\u{3008}',
    '\u{3009}', '\u{300a}', '\u{300b}', '\u{300c}', '\u{300d}', '\u{3010}', '\u{3011}', '\u{ff01}',
    '\u{ff05}', '\u{ff08}', '\u{ff09}', '\u{ff0c}', '\u{ff0e}', '\u{ff11}', '\u{ff1a}', '\u{ff1b}',
    '\u{ff1f}', '\u{ff5e}',
];

/// cc_net's rules for one ASCII byte: digits to `0`, controls removed,
/// letters lowercased, the rest kept.
fn map_ascii(b: u8) -> u8 {
    if b.is_ascii_digit() {
        b'0'
    } else if b < 0x20 || b == 0x7f {
        DROP
    } else {
        b.to_ascii_lowercase()
    }
}

fn is_removed(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}') || REMOVED_PUNCT.binary_search(&c).is_ok()
}

/// Normalizes `segment` into `out` (cleared first).
pub(crate) fn normalize(segment: &str, out: &mut String) {
    let text = py_strip(segment);
    if text.is_ascii() {
        // cc_net does not collapse spaces: they stay as they are.
        ascii::map_bytes(map_ascii, text, out);
        return;
    }
    out.clear();
    for (at, c) in text.char_indices() {
        if is_decimal_digit(c) {
            out.push('0');
        } else {
            CharAt { text, at, c }.py_lower(|l| {
                if !is_removed(l) {
                    out.push(l);
                }
            });
        }
    }
}
