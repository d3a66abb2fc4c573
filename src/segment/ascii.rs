//! UAX #29 sentence bounds for ASCII text, without the general tables.
//!
//! In ASCII there are no Extend, Format, OLetter or (after line breaks are
//! flattened to spaces) ParaSep characters, so the rules shrink to a scan for
//! terminators. A property test checks this against unicode-segmentation.

use memchr::memchr3;

/// Calls `emit` with the byte offset of every UAX #29 sentence start in
/// `text` after the first, given that `text` is ASCII. CR and LF count as
/// spaces, as in a paragraph whose line breaks were flattened.
pub(crate) fn sentence_starts(text: &[u8], mut emit: impl FnMut(usize)) {
    let n = text.len();
    let mut i = 0;
    // Only terminators can start a break, and they are sparse: jump to each.
    while let Some(at) = memchr3(b'.', b'!', b'?', &text[i..]) {
        i += at;
        let c = text[i];
        let aterm = c == b'.';
        if aterm && let Some(&next) = text.get(i + 1) {
            // SB6 "3.5" and SB7 "U.S".
            let letter_before = i > 0 && text[i - 1].is_ascii_alphabetic();
            if next.is_ascii_digit() || (letter_before && next.is_ascii_uppercase()) {
                i += 1;
                continue;
            }
        }
        let mut k = i + 1;
        while k < n && is_close(text[k]) {
            k += 1;
        }
        while k < n && is_sp(text[k]) {
            k += 1;
        }
        if k == n {
            return;
        }
        // SB8a: "?!", "...", "etc., and" go on.
        let continues = is_saterm(text[k]) || matches!(text[k], b',' | b'-' | b':' | b';');
        // SB8: after a period, no break if the next letter is lower case.
        let lower_next = aterm
            && text[k..]
                .iter()
                .find(|&&b| b.is_ascii_alphabetic() || is_saterm(b))
                .is_some_and(u8::is_ascii_lowercase);
        if !continues && !lower_next {
            emit(k);
        }
        i = k;
    }
}

fn is_saterm(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?')
}

fn is_close(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}')
}

fn is_sp(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn ours(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        sentence_starts(text.as_bytes(), |i| out.push(i));
        out
    }

    fn uax(text: &str) -> Vec<usize> {
        text.split_sentence_bound_indices()
            .map(|(i, _)| i)
            .filter(|&i| i > 0)
            .collect()
    }

    #[test]
    fn examples() {
        for text in [
            "Mr. Fox left. He sat.",
            "U.S. officials met. 3.5 pct",
            "\"Stop.\" Then (he) left.",
            "Hi!there a.B 5.B x. (Y",
            "Wait... what? No!! Yes?! ok",
        ] {
            assert_eq!(ours(text), uax(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn agrees_with_unicode_segmentation(
            text in "([a-cA-C0-2 .!?\"'()\\[\\]{},;:\t\u{b}\u{c}_#-]|Mr\\. |U\\.S\\.){0,40}"
        ) {
            prop_assert_eq!(ours(&text), uax(&text));
        }

        #[test]
        fn agrees_on_any_ascii(text in "[\x00-\x7F]{0,60}") {
            let flat = text.replace(['\n', '\r'], " ");
            prop_assert_eq!(ours(&text), uax(&flat));
        }
    }
}
