//! Initialisms: "U.S." and "US" should give one key.

use std::borrow::Cow;

/// `segment` without the periods inside initialisms: a `.` that follows a
/// letter standing alone (after a non-alphanumeric character or at the
/// start) and is followed by a letter, as in "U.S.", "e.g." or "J.R.R.".
/// The final period of an initialism is left to the punctuation rule.
/// Borrowed when there is nothing to remove.
pub(crate) fn join(segment: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for dot in memchr::memchr_iter(b'.', segment.as_bytes()) {
        if is_inner_dot(segment, dot) {
            let out = out.get_or_insert_with(|| String::with_capacity(segment.len()));
            out.push_str(&segment[copied..dot]);
            copied = dot + 1;
        }
    }
    match out {
        None => Cow::Borrowed(segment),
        Some(mut out) => {
            out.push_str(&segment[copied..]);
            Cow::Owned(out)
        }
    }
}

fn is_inner_dot(segment: &str, dot: usize) -> bool {
    // Most periods end a sentence: an ASCII non-letter after one settles it.
    match segment.as_bytes().get(dot + 1) {
        None => return false,
        Some(b) if b.is_ascii() && !b.is_ascii_alphabetic() => return false,
        _ => {}
    }
    let mut before = segment[..dot].chars().rev();
    let lone_letter = before.next().is_some_and(char::is_alphabetic)
        && before.next().is_none_or(|c| !c.is_alphanumeric());
    lone_letter
        && segment[dot + 1..]
            .chars()
            .next()
            .is_some_and(char::is_alphabetic)
}

/// [`is_inner_dot`] for a pure-ASCII segment, on bytes: the `.` at `dot`
/// has a letter after it, a letter before it, and no letter or digit before
/// that.
pub(crate) fn is_inner_dot_ascii(bytes: &[u8], dot: usize) -> bool {
    let letter = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphabetic);
    dot >= 1
        && letter(dot + 1)
        && letter(dot - 1)
        && (dot < 2 || !bytes[dot - 2].is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::{is_inner_dot, is_inner_dot_ascii, join};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ascii_test_agrees(text in "[aZ0 .,-]{0,12}") {
            for dot in memchr::memchr_iter(b'.', text.as_bytes()) {
                prop_assert_eq!(
                    is_inner_dot_ascii(text.as_bytes(), dot),
                    is_inner_dot(&text, dot),
                    "given {:?} at {}", text, dot
                );
            }
        }
    }

    #[test]
    fn joins_initialisms_only() {
        let cases = [
            ("the U.S. economy", "the US. economy"),
            ("U.S.", "US."),
            ("e.g. this", "eg. this"),
            ("J.R.R. Tolkien", "JRR. Tolkien"),
            ("Ü.Ö. group", "ÜÖ. group"),
            ("Mr. Fox", "Mr. Fox"),
            ("file.txt", "file.txt"),
            ("the end A. Next", "the end A. Next"),
            ("3.5 and A.5", "3.5 and A.5"),
            ("no dots", "no dots"),
            (".", "."),
            ("a.", "a."),
        ];
        for (given, expected) in cases {
            assert_eq!(join(given), expected, "given {given:?}");
        }
    }
}
