//! The JSON operations on the hot path, written for speed and
//! checked against serde_json: finding the fields of a record, decoding a
//! text field and encoding a string.

use std::ops::Range;

/// Decodes the inside of a JSON string (without its quotes) that is known to
/// be valid JSON. `None` for anything this fast path does not take (an
/// unpaired surrogate, a malformed escape), which the caller hands to
/// serde_json, so that errors and edge cases stay serde_json's.
pub fn unescape(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'\\', &bytes[pos..]) {
        let at = pos + i;
        // Escapes are ASCII, so these are character boundaries.
        out.push_str(&raw[pos..at]);
        let (c, len) = decode_escape(&bytes[at..])?;
        out.push(c);
        pos = at + len;
    }
    out.push_str(&raw[pos..]);
    Some(out)
}

/// The character an escape at the start of `bytes` stands for, and the
/// escape's length; `None` for what is left to serde_json.
pub fn decode_escape(bytes: &[u8]) -> Option<(char, usize)> {
    let c = match *bytes.get(1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let high = hex4(bytes.get(2..6)?)?;
            return match high {
                0xD800..=0xDBFF => {
                    if bytes.get(6..8)? != b"\\u" {
                        return None;
                    }
                    let low = hex4(bytes.get(8..12)?)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
                    Some((c, 12))
                }
                0xDC00..=0xDFFF => None,
                _ => Some((char::from_u32(high)?, 6)),
            };
        }
        _ => return None,
    };
    Some((c, 2))
}

/// The value of four hexadecimal digits (of a `\uXXXX` escape), or `None`
/// if one is not a hex digit.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| {
        let v = (d as char).to_digit(16)?;
        Some(n << 4 | v)
    })
}

/// The length of the escape at the start of `bytes` (at its backslash),
/// if JSON allows it: 2, or 6 for `\\uXXXX`; `None` for what it does not.
#[inline]
pub fn escape_len(bytes: &[u8]) -> Option<usize> {
    match *bytes.get(1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' => {
            hex4(bytes.get(2..6)?)?;
            Some(6)
        }
        _ => None,
    }
}

/// The byte a two-byte escape stands for, by its second byte; 0 for `u`
/// and for what is no escape, which [`decode_escape`] handles.
pub const UNESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[b'/' as usize] = b'/';
    table[b'b' as usize] = 0x08;
    table[b'f' as usize] = 0x0c;
    table[b'n' as usize] = b'\n';
    table[b'r' as usize] = b'\r';
    table[b't' as usize] = b'\t';
    table
};

/// How a byte is written inside a JSON string, as serde_json does it: 0 for
/// as is, `u` for `\u00XX`, else the letter after the backslash.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// The bytes of `w` (little-endian) that a JSON string cannot hold as is
/// (a control character, a quote or a backslash), as their high bits. The
/// classic SWAR zero-byte tests: only the lowest flagged byte is exact (a
/// borrow only runs upward from a true hit).
fn specials(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    (below_space | zero(quote) | zero(backslash)) & HIGHS
}

/// The position of the first byte of `bytes` that a JSON string cannot hold
/// as is: a control character, a quote or a backslash. Sixteen bytes at a
/// time, as the runs between escapes in real text are short for memchr.
pub fn find_special(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 16) {
        let (low, high) = chunk.split_at(8);
        let low = specials(u64::from_le_bytes(low.try_into().ok()?));
        let high = specials(u64::from_le_bytes(high.try_into().ok()?));
        if low | high != 0 {
            // The low word's hit comes first; in the high word, the lowest.
            let k = match low {
                0 => 8 + high.trailing_zeros() / 8,
                _ => low.trailing_zeros() / 8,
            };
            return Some(at + k as usize);
        }
        at += 16;
    }
    let tail = bytes[at..]
        .iter()
        .position(|&b| ESCAPE[usize::from(b)] != 0);
    tail.map(|k| at + k)
}

/// Writes `s` as a JSON string, byte for byte as `serde_json::to_writer`
/// does.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    #[cfg(target_arch = "x86_64")]
    if let Some(avx2) = crate::simd::Avx2::detect() {
        return avx2.write_str(out, s);
    }
    write_str_portable(out, s);
}

/// [`write_str`] on any CPU.
fn write_str_portable(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    while let Some(k) = find_special(&bytes[run..]) {
        let i = run + k;
        out.extend_from_slice(&bytes[run..i]);
        write_escape(out, bytes[i]);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Writes the escape of `b`, a byte that a JSON string cannot hold as is.
#[inline]
pub fn write_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match ESCAPE[usize::from(b)] {
        b'u' => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        }
        escape => out.extend_from_slice(&[b'\\', escape]),
    }
}

/// Writes `n` in decimal, two digits per division.
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + n as u8;
    }
    out.extend_from_slice(&digits[i..]);
}

/// A top-level field, as [`scan_object`] finds it: byte ranges in the text
/// that holds the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawField {
    /// The key, without its quotes.
    pub key: Range<usize>,
    /// The decoded key, when it has escapes.
    pub decoded_key: Option<String>,
    /// The value as written.
    pub value: Range<usize>,
    /// The value decoded, when it is a string with escapes under the key
    /// `scan_object` was asked to decode.
    pub decoded: Option<String>,
}

/// How deep [`scan_object`] follows nested values before giving up.
const MAX_DEPTH: u32 = 100;

/// The top-level fields of `line`, which starts at byte `base` of the text
/// the ranges are into, and which must be one JSON object and
/// nothing else but white space, with every value checked as serde_json
/// checks it; string values under the key `decode`, if one is given, are
/// decoded on the way, in the same pass. `None` when the line is not such an object, or has
/// something this fast path does not take: the caller then asks
/// serde_json, so that what is accepted and every error message stay
/// serde_json's.
pub fn scan_object(line: &str, base: usize, decode: Option<&str>) -> Option<Vec<RawField>> {
    let mut s = Scanner::new(line.as_bytes());
    let mut fields = Vec::with_capacity(8);
    s.ws();
    s.eat(b'{')?;
    s.ws();
    if s.peek() == Some(b'}') {
        s.i += 1;
    } else {
        loop {
            s.eat(b'"')?;
            let start = s.i;
            let key_escaped = s.string()?;
            let key = start..s.i - 1;
            let decoded_key = match key_escaped {
                true => Some(unescape(&line[key.clone()])?),
                false => None,
            };
            s.ws();
            s.eat(b':')?;
            s.ws();
            let start = s.i;
            let wanted = Some(decoded_key.as_deref().unwrap_or(&line[key.clone()])) == decode;
            let decoded = if wanted && s.peek() == Some(b'"') {
                s.i += 1;
                s.decoded_string(line)?
            } else {
                s.value(0)?;
                None
            };
            fields.push(RawField {
                key: base + key.start..base + key.end,
                decoded_key,
                value: base + start..base + s.i,
                decoded,
            });
            s.ws();
            match s.next()? {
                b',' => s.ws(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    s.ws();
    (s.i == s.b.len()).then_some(fields)
}

/// A cursor over a record's bytes: `b[i..]` is still to be read. Its
/// methods return `None` where the JSON is not what they expect.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    /// A cursor at the start of `b`.
    fn new(b: &'a [u8]) -> Self {
        Scanner { b, i: 0 }
    }
    /// The next byte, not consumed.
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The next byte, consumed.
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// Consumes the byte `c`.
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// Skips JSON white space.
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// Moves to the end of the run of plain string bytes at the cursor:
    /// `Some(true)` at the closing quote, `Some(false)` at a backslash, and
    /// `None` at a control character (which a string may not hold) or at
    /// the end of the line. The cursor is left on that byte.
    #[inline(always)]
    fn run_end(&mut self) -> Option<bool> {
        self.i += find_special(self.b.get(self.i..)?)?;
        match self.b[self.i] {
            b'"' => Some(true),
            b'\\' => Some(false),
            _ => None,
        }
    }

    /// Skips the rest of a string whose opening quote was read; returns
    /// whether it has escapes.
    fn string(&mut self) -> Option<bool> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = crate::simd::Avx2::detect() {
            let (end, escaped) = avx2.string(self.b, self.i)?;
            self.i = end;
            return Some(escaped);
        }
        self.string_portable()
    }

    /// [`Scanner::string`] on any CPU. Never inlined, so that the registers
    /// it needs are not saved on the AVX2 path too.
    #[inline(never)]
    fn string_portable(&mut self) -> Option<bool> {
        let mut escaped = false;
        loop {
            if self.run_end()? {
                self.i += 1;
                return Some(escaped);
            }
            escaped = true;
            self.i += escape_len(&self.b[self.i..])?;
        }
    }

    /// [`Scanner::string`] that also decodes the string when it has
    /// escapes (`None` when it has none: it is then the slice as written).
    /// `line` is the text of the bytes.
    fn decoded_string(&mut self, line: &str) -> Option<Option<String>> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = crate::simd::Avx2::detect() {
            let (end, decoded) = avx2.decoded_string(line, self.i)?;
            self.i = end;
            return Some(decoded);
        }
        self.decoded_string_portable(line)
    }

    /// [`Scanner::decoded_string`] on any CPU. Never inlined, as
    /// [`Scanner::string_portable`].
    #[inline(never)]
    fn decoded_string_portable(&mut self, line: &str) -> Option<Option<String>> {
        let mut run = self.i;
        if self.run_end()? {
            self.i += 1;
            return Some(None);
        }
        let mut out = String::with_capacity(line.len() - run);
        loop {
            // Escapes are ASCII, so these are character boundaries.
            out.push_str(&line[run..self.i]);
            // The two-byte escapes by a table, the rest by a call.
            match UNESCAPE[usize::from(*self.b.get(self.i + 1)?)] {
                0 => {
                    let (c, len) = decode_escape(&self.b[self.i..])?;
                    out.push(c);
                    self.i += len;
                }
                b => {
                    out.push(char::from(b));
                    self.i += 2;
                }
            }
            run = self.i;
            if self.run_end()? {
                out.push_str(&line[run..self.i]);
                self.i += 1;
                return Some(Some(out));
            }
        }
    }

    /// Skips one value.
    fn value(&mut self, depth: u32) -> Option<()> {
        match self.next()? {
            b'"' => self.string().map(|_| ()),
            b'{' => {
                let depth = (depth < MAX_DEPTH).then_some(depth + 1)?;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.eat(b'"')?;
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.value(depth)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let depth = (depth < MAX_DEPTH).then_some(depth + 1)?;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.value(depth)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b't' => self.word(b"rue"),
            b'f' => self.word(b"alse"),
            b'n' => self.word(b"ull"),
            b'-' => {
                let first = self.next()?;
                self.number(first)
            }
            c @ b'0'..=b'9' => self.number(c),
            _ => None,
        }
    }

    /// Consumes `rest` (of a literal such as `true`, whose first byte was
    /// read).
    fn word(&mut self, rest: &[u8]) -> Option<()> {
        let end = self.i + rest.len();
        (self.b.get(self.i..end)? == rest).then(|| self.i = end)
    }

    /// Consumes a run of ASCII digits and returns its length.
    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// The rest of a number whose first digit, `first`, was read.
    fn number(&mut self, first: u8) -> Option<()> {
        match first {
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            (self.digits() > 0).then_some(())?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            (self.digits() > 0).then_some(())?;
        }
        // What follows must end the number; "01" or "1x" go to serde_json.
        match self.peek() {
            None | Some(b' ' | b'\n' | b'\t' | b'\r' | b',' | b'}' | b']') => Some(()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Strings with every kind of character that JSON treats specially, at
    /// every offset from a word boundary.
    fn samples() -> Vec<String> {
        let pieces = [
            "",
            "a",
            "\"",
            "\\",
            "\n",
            "\r\n",
            "\t",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "é",
            "日本",
            "😀",
            "\u{2028}",
            "/",
            "plain words here",
            "\u{8}\u{c}",
        ];
        let mut out = Vec::new();
        for a in pieces {
            for b in pieces {
                for pad in 0..9 {
                    out.push(format!("{}{a}{}{b}", "x".repeat(pad), "y".repeat(pad % 3)));
                }
            }
        }
        out
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in samples() {
            let mut ours = Vec::new();
            write_str(&mut ours, &s);
            assert_eq!(ours, serde_json::to_vec(&s).unwrap(), "given {s:?}");
        }
    }

    #[test]
    fn strings_are_read_as_serde_json_reads_them() {
        for s in samples() {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(unescape(&json[1..json.len() - 1]).as_deref(), Some(&*s));
        }
        let escaped = [
            r#"\u00e9\u0041\/\b\f\n\r\t\"\\"#,
            r#"\ud83d\ude00 and \uD83D\uDE00"#,
            r#"\u0000\u001f\u2028"#,
        ];
        for raw in escaped {
            let want: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            assert_eq!(unescape(raw), Some(want), "given {raw:?}");
        }
    }

    #[test]
    fn every_escape_letter_is_decoded_as_serde_json_decodes_it() {
        for x in 0x20..0x7fu8 {
            let raw = format!("\"a\\{}b\\n\"", char::from(x));
            let line = format!("{{\"text\":{raw}}}");
            let serde = serde_json::from_str::<String>(&raw).ok();
            match scan_object(&line, 0, Some("text")) {
                Some(fields) => assert_eq!(fields[0].decoded, serde, "given {raw}"),
                None => assert_eq!(serde, None, "given {raw}"),
            }
        }
    }

    #[test]
    fn texts_are_decoded_in_the_scan_as_serde_json_reads_them() {
        // Each sample twice over, so that escapes fall at every offset of
        // a block, with the text last in the line or not.
        for s in samples() {
            let s = format!("{s}{}{s}", "z".repeat(s.len() % 17));
            let json = serde_json::to_string(&s).unwrap();
            for line in [
                format!("{{\"text\":{json}}}"),
                format!("{{\"a\": 1, \"text\": {json}, \"b\": \"x\\ny\"}}"),
            ] {
                let fields = scan_object(&line, 0, Some("text")).unwrap();
                let text = fields
                    .iter()
                    .find(|f| &line[f.key.clone()] == "text")
                    .unwrap();
                let raw = &line[text.value.start + 1..text.value.end - 1];
                assert_eq!(text.decoded.as_deref().unwrap_or(raw), s, "given {line:?}");
                assert_eq!(text.decoded.is_some(), raw.contains('\\'), "given {line:?}");
            }
        }
    }

    #[test]
    fn odd_escapes_are_left_to_serde_json() {
        for raw in [
            r"\ud83d",
            r"\ud83d\u0041",
            r"\ude00",
            r"\x",
            r"\u12",
            r"\u12g4",
            "\\",
        ] {
            assert_eq!(unescape(raw), None, "given {raw:?}");
        }
    }

    #[test]
    fn special_bytes_are_found_where_a_naive_search_finds_them() {
        let naive = |b: &[u8]| b.iter().position(|&c| c < 0x20 || c == b'"' || c == b'\\');
        for special in 0..=255u8 {
            for len in 0..40 {
                for at in 0..=len {
                    // Bytes just above and below each threshold around the
                    // special one, which borrows would flag by mistake.
                    let mut bytes: Vec<u8> =
                        (0..len).map(|i| [b' ', 0x80, b'#', 0xff][i % 4]).collect();
                    if at < len {
                        bytes[at] = special;
                    }
                    assert_eq!(find_special(&bytes), naive(&bytes), "given {bytes:?}");
                }
            }
        }
    }

    /// A character for the AVX2 cross-checks: mostly ASCII letters, with
    /// quotes, backslashes, control characters and multi-byte ones.
    fn json_char() -> impl Strategy<Value = char> {
        prop_oneof![
            8 => prop::char::range('a', 'z'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => prop::char::range('\u{0}', '\u{1f}'),
            1 => prop::sample::select(vec!['\u{7f}', 'é', '日', '😀', '\u{2028}']),
        ]
    }

    /// The text of a JSON string as it may be written, valid or not: runs
    /// of plain characters and escapes, good and bad, and now and then a
    /// bare quote (which ends the string early) or control character (which
    /// a string may not hold).
    fn raw_json_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            30 => "[a-z é日😀\u{7f}]{1,8}",
            6 => Just("\\n".to_owned()),
            3 => prop::sample::select(vec![
                r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\r", r"\t", r"\u00e9", r"\u001F",
                r"\ud83d\ude00", r"\uD83D", r"\ude00", r"\x", r"\u12", r"\u12g4",
            ])
            .prop_map(str::to_owned),
            1 => Just("\"".to_owned()),
            1 => prop::char::range('\u{0}', '\u{1f}').prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn avx2_writer_writes_as_portable_and_serde_json(
            s in prop::collection::vec(json_char(), 0..200).prop_map(String::from_iter),
            before in 0usize..40,
        ) {
            #[cfg(target_arch = "x86_64")]
            if let Some(avx2) = crate::simd::Avx2::detect() {
                // After other bytes, as in a record, with capacity or not.
                let mut ours = vec![b'x'; before];
                avx2.write_str(&mut ours, &s);
                let mut portable = vec![b'x'; before];
                write_str_portable(&mut portable, &s);
                prop_assert_eq!(&ours, &portable, "given {:?}", s);
                prop_assert_eq!(&ours[before..], serde_json::to_vec(&s).unwrap(), "given {:?}", s);
            }
        }

        #[test]
        fn avx2_scanner_reads_as_portable(
            raw in raw_json_text(),
            before in 0usize..40,
            after in prop::sample::select(vec!["", "\"", "\"}", "\",\"b\":\"yz\"}", "\"}   \n"]),
        ) {
            #[cfg(target_arch = "x86_64")]
            if let Some(avx2) = crate::simd::Avx2::detect() {
                let line = format!("{}\"{raw}{after}", "x".repeat(before));
                let from = before + 1;
                let mut portable = Scanner::new(line.as_bytes());
                portable.i = from;
                let want = portable.string_portable().map(|escaped| (portable.i, escaped));
                prop_assert_eq!(avx2.string(line.as_bytes(), from), want, "given {:?}", line);
                let mut portable = Scanner::new(line.as_bytes());
                portable.i = from;
                let want = portable.decoded_string_portable(&line).map(|d| (portable.i, d));
                prop_assert_eq!(avx2.decoded_string(&line, from), want, "given {:?}", line);
            }
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let powers = (0..20).map(|k| 10u64.pow(k));
        let edges = powers.flat_map(|p| [p - 1, p, p + 1, p.saturating_mul(5)]);
        for n in [1234567890, u64::MAX - 1, u64::MAX]
            .into_iter()
            .chain(edges)
        {
            let mut out = Vec::new();
            write_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
