//! Lookups in the generated Unicode tables, and Python's `str.lower()` for
//! one character in context.

use std::cmp::Ordering;

use super::tables;

/// Whether `c` falls in one of the sorted, inclusive `ranges`.
fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let cp = u32::from(c);
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                Ordering::Less
            } else if lo > cp {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// General_Category Nd.
pub(crate) fn is_decimal_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_ranges(tables::DECIMAL_DIGIT, c)
}

/// General_Category Mn.
pub(crate) fn is_nonspacing_mark(c: char) -> bool {
    !c.is_ascii() && in_ranges(tables::NONSPACING_MARK, c)
}

/// Python's `str.isspace`: Unicode White_Space plus U+001C..U+001F.
pub(crate) fn is_py_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '\t'..='\r' | '\x1c'..=' ');
    }
    in_ranges(tables::PY_SPACE, c)
}

/// `text` without Python's `str.strip()` white space at either end.
pub(crate) fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

/// Pushes the full case folding of `c` (CaseFolding.txt, status C and F);
/// returns the number of characters pushed.
pub(crate) fn push_casefold(c: char, out: &mut String) -> usize {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return 1;
    }
    match tables::CASEFOLD_EXCEPTIONS.binary_search_by_key(&c, |&(k, _)| k) {
        Ok(i) => {
            let folded = tables::CASEFOLD_EXCEPTIONS[i].1;
            out.push_str(folded);
            folded.chars().count()
        }
        Err(_) => {
            let lower = c.to_lowercase();
            let n = lower.len();
            out.extend(lower);
            n
        }
    }
}

/// The character `c` found at byte offset `at` of `text`: what case mapping
/// in context needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CharAt<'t> {
    pub(crate) text: &'t str,
    pub(crate) at: usize,
    pub(crate) c: char,
}

impl CharAt<'_> {
    /// Calls `f` with each character of Python's `str.lower()` of this
    /// character.
    ///
    /// Python applies the Final_Sigma rule of SpecialCasing.txt, which needs
    /// the context; `char::to_lowercase` alone always gives `σ`.
    pub(crate) fn py_lower(self, mut f: impl FnMut(char)) {
        let CharAt { text, at, c } = self;
        if c == 'Σ' {
            f(if is_final_sigma(text, at) { 'ς' } else { 'σ' });
        } else if c.is_ascii() {
            f(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(f);
        }
    }
}

/// Final_Sigma: a cased letter before (skipping case-ignorables), and none after.
fn is_final_sigma(text: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (text.get(..at), text.get(at + 'Σ'.len_utf8()..)) else {
        return false;
    };
    let is_ignorable = |c: char| in_ranges(tables::CASE_IGNORABLE, c);
    let is_cased = |c: char| in_ranges(tables::CASED, c);
    let cased_before = before.chars().rev().find(|&c| !is_ignorable(c));
    if !cased_before.is_some_and(is_cased) {
        return false;
    }
    let cased_after = after.chars().find(|&c| !is_ignorable(c));
    !cased_after.is_some_and(is_cased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_disjoint() {
        for table in [
            tables::DECIMAL_DIGIT,
            tables::NONSPACING_MARK,
            tables::PY_SPACE,
            tables::CASE_IGNORABLE,
            tables::CASED,
        ] {
            for pair in table.windows(2) {
                assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
            }
        }
        for pair in tables::DEFAULT_CLASS.windows(2) {
            assert!(pair[0].0 < pair[1].0 && pair[0].1 != pair[1].1, "{pair:?}");
        }
        for pair in tables::CASEFOLD_EXCEPTIONS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn categories_of_known_characters() {
        assert!(is_decimal_digit('٣') && is_decimal_digit('७') && !is_decimal_digit('½'));
        assert!(is_nonspacing_mark('\u{301}') && !is_nonspacing_mark('\u{93f}'));
        assert!(is_py_space('\u{1f}') && is_py_space('\u{3000}') && !is_py_space('\u{200b}'));
    }

    #[test]
    fn python_lower_final_sigma() {
        let lower = |s: &str| {
            let mut out = String::new();
            for (i, c) in s.char_indices() {
                CharAt { text: s, at: i, c }.py_lower(|l| out.push(l));
            }
            out
        };
        assert_eq!(lower("ΟΔΟΣ"), "οδος");
        assert_eq!(lower("ΟΔΟΣ."), "οδος.");
        assert_eq!(lower("Σ"), "σ");
        assert_eq!(lower("ΣΑ"), "σα");
        assert_eq!(lower("Α'Σ'"), "α'ς'");
        assert_eq!(lower("İ"), "i\u{307}");
    }

    #[test]
    fn casefold_differs_from_lowercase_where_documented() {
        let fold = |c: char| {
            let mut out = String::new();
            push_casefold(c, &mut out);
            out
        };
        assert_eq!(fold('ß'), "ss");
        assert_eq!(fold('ẞ'), "ss");
        assert_eq!(fold('ς'), "σ");
        assert_eq!(fold('Σ'), "σ");
        assert_eq!(fold('ﬁ'), "fi");
        assert_eq!(fold('Ä'), "ä");
        assert_eq!(fold('ꭰ'), "Ꭰ");
    }
}
