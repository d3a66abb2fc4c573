//! The `C4` preset: Python's `line.strip().lower()`, as in the TFDS C4 line
//! deduplication.

use super::props::{CharAt, py_strip};

/// Normalizes `segment` into `out` (cleared first).
pub(crate) fn normalize(segment: &str, out: &mut String) {
    out.clear();
    let text = py_strip(segment);
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    for (at, c) in text.char_indices() {
        CharAt { text, at, c }.py_lower(|l| out.push(l));
    }
}
