//! The `Default` preset: NFKC, full case folding, punctuation and symbols to
//! spaces, controls and format characters removed, white space collapsed.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use super::ascii::{DROP, SPACE, Special, put_bytes};
use super::initialisms;
use super::props::{is_nonspacing_mark, push_casefold};
use super::scratch::with_scratch;
use super::tables;

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
    // Signed, as SSE2 compares only signed bytes (unsigned costs extra
    // steps). Bytes from 0x80 up are negative: below every bound, so
    // dropped, as before.
    let s = b as i8;
    let lower = s | 0x20;
    // `&` and `|`, not `&&` and `||`: no branches, so each lane is the same
    // straight-line code and the block is one vector.
    let is_letter = (lower >= b'a' as i8) & (lower <= b'z' as i8);
    let is_digit = (s >= b'0' as i8) & (s <= b'9' as i8);
    let is_drop = (s < b'\t' as i8) | ((s > b'\r' as i8) & (s < b' ' as i8)) | (s > b'~' as i8);
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

/// Normalizes `segment` into `out` (cleared first), after removing the
/// periods inside initialisms (`initialisms::join`).
pub(crate) fn normalize_joined(opts: Options, segment: &str, out: &mut String) {
    into_string(out, |buf| joined(opts, segment, buf));
}

/// Runs `normalize` (a byte path, see [`Options::normalize_with`]) on
/// `out`'s buffer, and leaves the key in `out`.
fn into_string(out: &mut String, normalize: impl FnOnce(&mut Vec<u8>) -> Key) {
    let mut buf = std::mem::take(out).into_bytes();
    match normalize(&mut buf) {
        Key::Owned(key) => *out = key,
        Key::InBuffer(len) => {
            buf.truncate(len);
            put_bytes(buf, out);
        }
    }
}

/// [`normalize_joined`] into the key's UTF-8 bytes: the key is
/// `out[..len]`, where `len` is returned; what follows is left over.
pub(crate) fn normalize_joined_bytes(opts: Options, segment: &str, out: &mut Vec<u8>) -> usize {
    match joined(opts, segment, out) {
        Key::InBuffer(len) => len,
        Key::Owned(key) => {
            *out = key.into_bytes();
            out.len()
        }
    }
}

/// Where a byte path left a key.
enum Key {
    /// The ASCII path took the whole segment: the key is the buffer's first
    /// bytes, never checked for UTF-8.
    InBuffer(usize),
    /// The key, built in the buffer (which it took).
    Owned(String),
}

/// [`Options::normalize_with`] with the initialism rule.
fn joined(opts: Options, segment: &str, out: &mut Vec<u8>) -> Key {
    // The initialism rule rides along in the byte map (an inner period is
    // dropped), sparing segments a pre-pass of their own.
    let bytes = segment.as_bytes();
    let period = |i| {
        if initialisms::is_inner_dot_ascii(bytes, i) {
            DROP
        } else {
            SPACE
        }
    };
    let periods = Periods {
        period,
        join: initialisms::join,
    };
    opts.normalize_with(periods, segment, out)
}

/// Normalizes `segment` into `out` (cleared first).
#[cfg(test)]
pub(crate) fn normalize(opts: Options, segment: &str, out: &mut String) {
    let periods = Periods {
        period: |_| SPACE,
        join: |s| s.into(),
    };
    into_string(out, |buf| opts.normalize_with(periods, segment, buf));
}

/// How the periods of initialisms are treated: `period(i)` maps the ASCII
/// `.` at `i` of the segment, and `join` does the same to the text the
/// Unicode path gets.
#[derive(Clone, Copy)]
struct Periods<P> {
    period: P,
    join: fn(&str) -> std::borrow::Cow<'_, str>,
}

impl Options {
    /// The ASCII path as far as it goes, then the Unicode path for the rest,
    /// with the periods of initialisms treated as `periods` says.
    ///
    /// The key, in `out`'s first bytes or built in its buffer (see
    /// [`Key`]).
    fn normalize_with(
        self,
        periods: Periods<impl Fn(usize) -> u8>,
        segment: &str,
        out: &mut Vec<u8>,
    ) -> Key {
        match self.rewrite_ascii(&periods.period, segment, out) {
            Ok(len) => Key::InBuffer(len),
            Err(first) => Key::Owned(self.normalize_from(periods, segment, (first, out))),
        }
    }

    /// [`Options::normalize_with`] past the ASCII path, which found the
    /// first non-ASCII byte of `segment` at `first`; `out` lends its buffer.
    ///
    /// NOTE: out of line, so that the ASCII path, which most segments take,
    /// does not set up this path's stack frame.
    #[inline(never)]
    fn normalize_from(
        self,
        periods: Periods<impl Fn(usize) -> u8>,
        segment: &str,
        (first, out): (usize, &mut Vec<u8>),
    ) -> String {
        let opts = self;
        let Periods { period, join } = periods;
        // Most non-ASCII segments are ASCII but for a quote or an accented
        // word: the Unicode path starts after the last ASCII separator before
        // the first non-ASCII byte. NOTE: that separator must not compose with
        // what follows (NFKC composes `=` + U+0338 into `≠`), nor be a `.` that
        // the initialism rule could drop.
        let bytes = segment.as_bytes();
        let split = bytes[..first]
            .iter()
            .rposition(|&b| {
                map_ascii::<false>(b) == SPACE && !matches!(b, b'.' | b'<' | b'=' | b'>')
            })
            .map_or(0, |i| i + 1);
        let (head, tail) = segment.split_at(split);
        let mut len = 0;
        if !head.is_empty() {
            // All ASCII, so the ASCII path takes it whole.
            let head_key = opts.rewrite_ascii(period, head, out);
            debug_assert!(head_key.is_ok(), "the head is ASCII");
            len = head_key.unwrap_or(0);
        }
        let mut key = String::new();
        out.truncate(len);
        put_bytes(std::mem::take(out), &mut key);
        // The whole-segment path would have noted these removals (see `Sink`).
        let head_dropped = head.bytes().any(|b| map_ascii::<false>(b) == DROP);
        opts.normalize_unicode(&join(tail), &mut key, head_dropped);
        key
    }

    /// The ASCII path: one byte map, with `period(i)` for the `.` at `i`.
    /// The key is `out[..len]`, where `len` is returned.
    ///
    /// # Errors
    ///
    /// The index of the first non-ASCII byte.
    fn rewrite_ascii(
        self,
        period: impl Fn(usize) -> u8,
        segment: &str,
        out: &mut Vec<u8>,
    ) -> Result<usize, usize> {
        if self.fold_digits {
            let rules = Special::<_, _, b'.'> {
                map: map_ascii::<true>,
                map_special: period,
            };
            rules.rewrite_into(segment, out)
        } else {
            let rules = Special::<_, _, b'.'> {
                map: map_ascii::<false>,
                map_special: period,
            };
            rules.rewrite_into(segment, out)
        }
    }

    /// The non-ASCII path: appends the key of `segment` to `out`, which holds
    /// the key of an ASCII head that ended in a separator (or nothing).
    /// `head_dropped`: the head had a byte that is removed.
    fn normalize_unicode(self, segment: &str, out: &mut String, head_dropped: bool) {
        let head = out.len();
        let mut sink = Sink {
            pending: !out.is_empty(),
            out,
            fold_digits: self.fold_digits,
            careful: false,
            recompose: false,
        };
        // Optimistic: most text is made only of characters that NFKC leaves
        // alone whatever surrounds them, and then one lookup per character
        // decides everything.
        if !segment.chars().all(|c| sink.feed_if_stable(c)) {
            sink.out.truncate(head);
            sink.pending = !sink.out.is_empty();
            sink.careful = true;
            sink.recompose |= head_dropped;
            // ASCII resets the quick check's state, so it can start at the
            // first non-ASCII byte.
            let tail = segment.trim_start_matches(|c: char| c.is_ascii());
            if is_nfkc_quick(tail.chars()) == IsNormalized::Yes {
                segment.chars().for_each(|c| sink.feed(c, class_of(c)));
            } else {
                segment
                    .chars()
                    .nfkc()
                    .for_each(|c| sink.feed(c, class_of(c)));
            }
        }
        let recompose = sink.recompose;
        if self.strip_accents && !out.is_ascii() {
            strip_accents(out);
        }
        if recompose || self.strip_accents {
            recompose_nfkc(out);
        }
    }
}

const CLASS_MASK: u8 = 0b111;
const CLASS_SPACE: u8 = 1;
const CLASS_DROP: u8 = 2;
const CLASS_MARK: u8 = 3;
const CLASS_DIGIT: u8 = 4;
/// Not stable under NFKC in every context (see `tables::DEFAULT_CLASS`).
const UNSTABLE: u8 = 8;
/// May change under case folding.
const CASED: u8 = 16;

/// The flags of `c` in `tables::DEFAULT_CLASS`.
fn class_of(c: char) -> u8 {
    if c.is_ascii() {
        return 0;
    }
    let cp = u32::from(c);
    let i = tables::DEFAULT_CLASS.partition_point(|&(start, _)| start <= cp);
    tables::DEFAULT_CLASS
        .get(i.wrapping_sub(1))
        .map_or(UNSTABLE, |&(_, flags)| flags)
}

/// Feeds characters into `out`, collapsing spaces on the way.
struct Sink<'a> {
    out: &'a mut String,
    /// A space is due before the next character written.
    pending: bool,
    fold_digits: bool,
    /// The input has characters that NFKC changes in some context, so any
    /// removal or case change may leave the output not NFKC.
    careful: bool,
    /// The output may not be NFKC any more.
    recompose: bool,
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

    /// Feeds `c` unless NFKC could change it or its neighbours.
    fn feed_if_stable(&mut self, c: char) -> bool {
        let flags = class_of(c);
        if flags & UNSTABLE != 0 {
            return false;
        }
        self.feed(c, flags);
        true
    }

    /// Feeds `c`, an NFKC character whose `class_of` is `flags`.
    fn feed(&mut self, c: char, flags: u8) {
        if c.is_ascii() {
            let b = c as u8;
            let mapped = if self.fold_digits {
                map_ascii::<true>(b)
            } else {
                map_ascii::<false>(b)
            };
            match mapped {
                DROP => self.recompose |= self.careful,
                SPACE => self.space(),
                b => {
                    self.flush_space();
                    self.out.push(char::from(b));
                }
            }
            return;
        }
        match flags & CLASS_MASK {
            CLASS_SPACE => self.space(),
            // NOTE: removed without a space, so a soft hyphen or ZWJ inside a
            // word keeps the word whole.
            CLASS_DROP => self.recompose |= self.careful,
            // A mark on a character that became a space goes with it.
            CLASS_MARK => {
                if !self.pending && !self.out.is_empty() {
                    self.push_letter(c, flags);
                }
            }
            CLASS_DIGIT if self.fold_digits => {
                self.flush_space();
                self.out.push('0');
            }
            _ => {
                self.flush_space();
                self.push_letter(c, flags);
            }
        }
    }

    fn push_letter(&mut self, c: char, flags: u8) {
        if flags & CASED == 0 {
            self.out.push(c);
        } else if push_casefold(c, self.out) > 1 || self.careful {
            // An expansion like `ǰ` to `j` + U+030C is decomposed, and a
            // lowercase letter may compose with a mark its capital did not.
            self.recompose = true;
        }
    }
}

/// NFKC again where folding or removals left text that is not NFKC, e.g.
/// `ǰ` folds to `j` + U+030C, and dropping a ZWJ can bring a mark next to
/// a letter it composes with.
fn recompose_nfkc(out: &mut String) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The Default rules with no shortcuts: always NFKC first, always NFKC
    /// again at the end.
    fn naive(text: &str) -> String {
        let mut out = String::new();
        let mut after_space = true;
        for c in text.nfkc() {
            let class = class_of(c) & CLASS_MASK;
            if c.is_whitespace() || c.is_ascii_punctuation() || class == CLASS_SPACE {
                after_space = true;
            } else if c.is_ascii_control()
                || class == CLASS_DROP
                || (class == CLASS_MARK && after_space)
            {
                continue;
            } else {
                if after_space && !out.is_empty() {
                    out.push(' ');
                }
                after_space = false;
                push_casefold(c, &mut out);
            }
        }
        out.nfkc().collect()
    }

    proptest! {
        #[test]
        fn matches_naive(text in r"(\PC|[\u{300}-\u{36f}\u{ad}\u{200d}\u{345}ΣİǰÅ\u{1161}\u{11a8}가 -]){0,16}") {
            let mut out = String::new();
            let opts = Options { fold_digits: false, strip_accents: false };
            normalize(opts, &text, &mut out);
            prop_assert_eq!(out, naive(&text), "given: {:?}", text);
        }
    }

    /// The key as the whole segment's Unicode path gives it, with no ASCII
    /// shortcut.
    fn unicode_only(opts: Options, text: &str) -> String {
        let mut out = String::new();
        opts.normalize_unicode(&initialisms::join(text), &mut out, false);
        out
    }

    /// Whether [`normalize_joined`], with its ASCII path, gives `text` the
    /// key of the whole-segment Unicode path.
    fn matches_unicode_only(opts: Options, text: &str) -> Result<(), TestCaseError> {
        let mut out = String::from("stale");
        normalize_joined(opts, text, &mut out);
        prop_assert_eq!(out, unicode_only(opts, text), "given: {:?}", text);
        Ok(())
    }

    proptest! {
        #[test]
        fn ascii_path_matches_unicode_path(text in r"[ -~\t\n\r\x00-\x1f]{0,40}", fold in any::<bool>()) {
            matches_unicode_only(Options { fold_digits: fold, strip_accents: false }, &text)?;
        }

        /// Long enough for several 32-byte chunks of the AVX2 path, with
        /// words, doubled spaces, initialisms and control bytes.
        #[test]
        fn long_ascii_matches_unicode_path(
            text in r"([a-zA-Z]{1,12}|[0-9]{1,4}|[ .,!?'\x22()-]{1,3}|[A-Z]\.[A-Z]\.|\x01|\t){0,60}",
            fold in any::<bool>(),
        ) {
            matches_unicode_only(Options { fold_digits: fold, strip_accents: false }, &text)?;
        }

        /// Long ASCII runs between characters of every kind the Unicode
        /// path treats apart.
        #[test]
        fn ascii_runs_between_unicode_match_unicode_path(
            text in r"(([a-zA-Z0-9]{1,9}[ ,.'=<>-]){0,14}|[éÉΣß£\u{301}\u{338}\u{345}\u{ad}\u{a0}\u{200d}’ﬁ가\u{1161}İǰ=<>. ]){0,12}",
            fold in any::<bool>(),
            strip in any::<bool>(),
        ) {
            matches_unicode_only(Options { fold_digits: fold, strip_accents: strip }, &text)?;
        }

        #[test]
        fn ascii_head_then_unicode_matches_unicode_path(
            text in r"([a-zA-Z0-9]{1,3}|[ .,<=>\x01-]|[éÉΣß\u{301}\u{338}\u{345}\u{ad}\u{a0}’ﬁ가\u{1161}]){0,24}",
            fold in any::<bool>(),
            strip in any::<bool>(),
        ) {
            matches_unicode_only(Options { fold_digits: fold, strip_accents: strip }, &text)?;
        }
    }

    #[test]
    fn unicode_path_starts_after_a_separator_that_composes_with_nothing() {
        let opts = Options {
            fold_digits: false,
            strip_accents: false,
        };
        for text in [
            "a =\u{338} b",
            "x <\u{338}",
            "U.S.É. group",
            "the U.É. x",
            "Cafe\u{301} au lait",
            "a, \u{301}b",
            "co\x01op \u{ad}é",
            "  The café, the CAFÉ.  ",
        ] {
            let mut out = String::new();
            normalize_joined(opts, text, &mut out);
            assert_eq!(out, unicode_only(opts, text), "given: {text:?}");
        }
    }

    #[test]
    fn ascii_map_by_byte() {
        for b in 0..=255u8 {
            let want = if b.is_ascii_alphabetic() {
                b.to_ascii_lowercase()
            } else if b.is_ascii_digit() {
                b
            } else if b.is_ascii_whitespace() || b == 0x0b || b.is_ascii_punctuation() || b == b' '
            {
                SPACE
            } else {
                DROP
            };
            assert_eq!(map_ascii::<false>(b), want, "{b:#x}");
            let folded = if b.is_ascii_digit() { b'0' } else { want };
            assert_eq!(map_ascii::<true>(b), folded, "{b:#x}");
        }
    }

    #[test]
    fn classes_of_known_characters() {
        let class = |c| class_of(c) & CLASS_MASK;
        for c in [
            '‐', '€', '😀', '\u{a0}', '\u{3000}', '\u{2028}', '\u{85}', '。',
        ] {
            assert_eq!(class(c), CLASS_SPACE, "{c:?}");
        }
        for c in ['\u{ad}', '\u{200b}', '\u{200d}', '\u{feff}', '\u{9f}'] {
            assert_eq!(class(c), CLASS_DROP, "{c:?}");
        }
        for c in ['\u{301}', '\u{93f}', '\u{e34}', '\u{5b4}'] {
            assert_eq!(class(c), CLASS_MARK, "{c:?}");
        }
        for c in ['٣', '७', '１'] {
            assert_eq!(class(c), CLASS_DIGIT, "{c:?}");
        }
        for c in ['é', '字', 'ß', 'अ'] {
            assert_eq!(class(c), 0, "{c:?}");
        }
        assert_eq!(class_of('字') & (UNSTABLE | CASED), 0);
        assert_eq!(class_of('é') & (UNSTABLE | CASED), CASED);
        assert_ne!(class_of('ﬁ') & UNSTABLE, 0);
        assert_ne!(class_of('\u{301}') & UNSTABLE, 0);
        assert_ne!(class_of('\u{1161}') & UNSTABLE, 0);
    }
}
