//! One JSONL record: parsed without touching the fields we do not own, and
//! written back with the text cleaned and a `duplicates` field.
//!
//! Fields are kept as raw JSON slices of the input line, so every field
//! other than the text comes out byte for byte as it came in (numbers as
//! written, key order, escapes); only the white space between top-level
//! fields is dropped.

use std::fmt;
use std::ops::Range;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use textdedup::DocId;

use crate::json;

/// What went wrong with a record, for the summary counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorKind {
    EmptyFile,
    EmptyLine,
    InvalidUtf8,
    MalformedJson,
    MissingText,
    TextNotString,
    TooLarge,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::EmptyFile => "empty_file",
            ErrorKind::EmptyLine => "empty_line",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::MalformedJson => "malformed_json",
            ErrorKind::MissingText => "missing_text",
            ErrorKind::TextNotString => "text_not_string",
            ErrorKind::TooLarge => "too_large",
        }
    }
}

/// A JSON object line: each top-level field's key and raw value.
pub struct Object {
    pub fields: Vec<Field>,
}

impl Object {
    /// Writes the object's fields as `edit` says, opening the object; the
    /// caller closes it. `text` is the batch's text. Returns whether any
    /// field was written.
    pub fn write_fields(&self, out: &mut Vec<u8>, text: &str, edit: Edit<'_>) -> bool {
        out.push(b'{');
        let mut any = false;
        let bytes = text.as_bytes();
        for (i, field) in self.fields.iter().enumerate() {
            if field.key(text) == edit.drop.as_bytes() {
                continue;
            }
            if any {
                out.push(b',');
            }
            any = true;
            match &field.decoded_key {
                Some(k) => write_json_str(out, k),
                // A key written without escapes needs none on the way out,
                // and is copied with the quotes around it in the line.
                None => out.extend_from_slice(&bytes[field.key.start - 1..field.key.end + 1]),
            }
            out.push(b':');
            match edit.replace {
                Some((j, value)) if i == j => write_json_str(out, value),
                _ => out.extend_from_slice(text[field.value.clone()].as_bytes()),
            }
        }
        any
    }
}

impl Object {
    /// Where the last fields named as `names` say are (the last, as
    /// serde_json keeps the last of repeated keys), found in one pass.
    fn last_named(&self, text: &str, names: (&str, &str)) -> (Option<usize>, Option<usize>) {
        let mut found = (None, None);
        for (i, field) in self.fields.iter().enumerate() {
            let key = field.key(text);
            if key == names.0.as_bytes() {
                found.0 = Some(i);
            }
            if key == names.1.as_bytes() {
                found.1 = Some(i);
            }
        }
        found
    }
}

/// A top-level field. Ranges are into the batch's text.
pub use crate::json::RawField as Field;

impl Field {
    /// The key, decoded, as bytes: slicing the text as a `str` would check
    /// that the ends are character boundaries.
    pub fn key<'a>(&'a self, text: &'a str) -> &'a [u8] {
        match &self.decoded_key {
            Some(k) => k.as_bytes(),
            None => &text.as_bytes()[self.key.clone()],
        }
    }
}

/// A record that can be deduplicated.
pub struct Doc {
    pub object: Object,
    /// Which field is the text.
    pub text_field: usize,
    text: Text,
    /// The id as given, `None` when absent or null.
    pub id: Option<DocId>,
}

enum Text {
    /// The raw JSON string had no escape: the text is this range of the
    /// batch's text.
    Raw(Range<usize>),
    Owned(String),
}

impl Doc {
    /// The decoded text; `batch` is the batch's text.
    pub fn text<'a>(&'a self, batch: &'a str) -> &'a str {
        match &self.text {
            Text::Raw(r) => &batch[r.clone()],
            Text::Owned(s) => s,
        }
    }
}

/// A record that cannot be deduplicated.
pub struct Bad {
    pub kind: ErrorKind,
    pub message: String,
    /// The record, when it is at least a JSON object.
    pub object: Option<Object>,
    /// The line, lossily decoded, when it is not.
    pub raw: String,
}

impl Bad {
    /// A line that is not a JSON object.
    fn line(kind: ErrorKind, message: String, raw: &str) -> Bad {
        Bad {
            kind,
            message,
            object: None,
            raw: raw.to_owned(),
        }
    }

    /// A JSON object that cannot be deduplicated.
    fn object(kind: ErrorKind, message: String, object: Object) -> Bad {
        Bad {
            kind,
            message,
            object: Some(object),
            raw: String::new(),
        }
    }
}

/// What the record-parsing options are.
pub struct Fields<'a> {
    pub text: &'a str,
    pub id: &'a str,
    pub max_bytes: usize,
}

impl Fields<'_> {
    /// Parses the line at `range` of a batch's `text` into a record, or says
    /// what is wrong with it. `invalid_utf8` is where the input line stopped
    /// being UTF-8, if it did (`text` then holds it lossily decoded).
    pub fn parse(
        &self,
        text: &str,
        range: Range<usize>,
        invalid_utf8: Option<usize>,
    ) -> Result<Doc, Bad> {
        let line = &text[range.clone()];
        if let Some(at) = invalid_utf8 {
            let message =
                format!("invalid UTF-8 at byte {at} of the line: re-encode the file as UTF-8");
            return Err(Bad::line(ErrorKind::InvalidUtf8, message, line));
        }
        // Only the start is trimmed: a line of white space trims to nothing
        // all the same, and an object line stops at its first byte.
        if line.trim_start().is_empty() {
            let message = "empty line: JSONL needs one JSON object per line".into();
            return Err(Bad::line(ErrorKind::EmptyLine, message, line));
        }
        // An over-size record is refused below, and its text is not
        // decoded first.
        let decode = (line.len() <= self.max_bytes).then_some(self.text);
        let mut object = match parse_object(text, range, decode) {
            Ok(object) => object,
            Err(e) => {
                let message = format!("malformed JSON: {e}");
                return Err(Bad::line(ErrorKind::MalformedJson, message, line));
            }
        };
        if line.len() > self.max_bytes {
            let message = format!(
                "record of {} bytes is over --max-record-bytes {}",
                line.len(),
                self.max_bytes
            );
            return Err(Bad::object(ErrorKind::TooLarge, message, object));
        }
        let (text_field, id_field) = object.last_named(text, (self.text, self.id));
        let Some(text_field) = text_field else {
            let message = format!(
                "no {:?} field (choose another with --text-field)",
                self.text
            );
            return Err(Bad::object(ErrorKind::MissingText, message, object));
        };
        let value = object.fields[text_field].value.clone();
        let raw_text = &text[value.clone()];
        let decoded = if !raw_text.starts_with('"') {
            let message = format!(
                "the {:?} field is not a string but {}",
                self.text,
                describe(raw_text)
            );
            return Err(Bad::object(ErrorKind::TextNotString, message, object));
        } else if let Some(decoded) = object.fields[text_field].decoded.take() {
            Text::Owned(decoded)
        } else if raw_text.contains('\\') {
            match json::unescape(&raw_text[1..raw_text.len() - 1]) {
                Some(s) => Text::Owned(s),
                // Whatever the fast decoder does not take, serde_json decodes or
                // explains.
                None => match serde_json::from_str::<String>(raw_text) {
                    Ok(s) => Text::Owned(s),
                    Err(e) => {
                        let message = format!("the {:?} field: {e}", self.text);
                        return Err(Bad::object(ErrorKind::MalformedJson, message, object));
                    }
                },
            }
        } else {
            Text::Raw(value.start + 1..value.end - 1)
        };
        let id = id_field.and_then(|i| doc_id(&text[object.fields[i].value.clone()]));
        Ok(Doc {
            object,
            text_field,
            text: decoded,
            id,
        })
    }
}

/// A document id from its raw JSON: strings and unsigned integers as they
/// are, other numbers as strings of their digits, `null` as absent.
fn doc_id(raw: &str) -> Option<DocId> {
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
        && !inner.contains('\\')
    {
        Some(DocId::Str(inner.to_owned()))
    } else if raw.starts_with('"') {
        serde_json::from_str::<String>(raw).ok().map(DocId::Str)
    } else if raw == "null" {
        None
    } else if let Ok(n) = raw.parse::<u64>() {
        Some(DocId::Num(n))
    } else {
        Some(DocId::Str(raw.to_owned()))
    }
}

fn describe(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        _ => "a number",
    }
}

/// Parses the line at `range` of `text`, which must be one JSON object,
/// keeping each field's raw value as a range of `text` (string values under
/// the key `decode`, if given, may come decoded too).
fn parse_object(
    text: &str,
    range: Range<usize>,
    decode: Option<&str>,
) -> Result<Object, serde_json::Error> {
    let line = &text[range.clone()];
    if let Some(fields) = json::scan_object(line, range.start, decode) {
        return Ok(Object { fields });
    }
    let mut de = serde_json::Deserializer::from_str(line);
    let raw = de.deserialize_map(FieldsVisitor)?;
    de.end()?;
    let offset = |s: &str| {
        let start = s.as_ptr() as usize - text.as_ptr() as usize;
        start..start + s.len()
    };
    let fields = raw
        .into_iter()
        .map(|(key, value)| match key {
            Key::Borrowed(k) => Field {
                key: offset(k),
                decoded_key: None,
                value: offset(value.get()),
                decoded: None,
            },
            Key::Owned(k) => Field {
                key: 0..0,
                decoded_key: Some(k),
                value: offset(value.get()),
                decoded: None,
            },
        })
        .collect();
    Ok(Object { fields })
}

/// A key as serde_json hands it: a slice of the line when it has no escape.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v))
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Vec<(Key<'de>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::with_capacity(8);
        while let Some((key, value)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
            fields.push((key, value));
        }
        Ok(fields)
    }
}

/// Writes `s` as a JSON string.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    json::write_str(out, s);
}

/// How [`Object::write_fields`] changes an object on the way out.
#[derive(Clone, Copy, Default)]
pub struct Edit<'a> {
    /// A field (by position) and its new string value.
    pub replace: Option<(usize, &'a str)>,
    /// A field name to leave out, because the caller writes it.
    pub drop: &'a str,
}

/// Writes a document id as JSON: numbers as numbers, strings as strings.
pub fn write_id(out: &mut Vec<u8>, id: &DocId) {
    match id {
        DocId::Num(n) => json::write_u64(out, *n),
        DocId::Str(s) => write_json_str(out, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: Fields<'static> = Fields {
        text: "text",
        id: "id",
        max_bytes: 1000,
    };

    /// A one-line batch text holding `line`, and its parse.
    fn parse_line(line: &[u8]) -> (String, Result<Doc, Bad>) {
        let text = String::from_utf8_lossy(line).into_owned();
        let invalid = std::str::from_utf8(line).err().map(|e| e.valid_up_to());
        let parsed = FIELDS.parse(&text, 0..text.len(), invalid);
        (text, parsed)
    }

    fn kind(line: &[u8]) -> Option<ErrorKind> {
        parse_line(line).1.err().map(|b| b.kind)
    }

    /// The fields serde_json finds, as (key, raw value).
    fn serde_fields(line: &str) -> Option<Vec<(String, String)>> {
        let mut de = serde_json::Deserializer::from_str(line);
        let raw = de.deserialize_map(FieldsVisitor).ok()?;
        de.end().ok()?;
        let key = |k: Key<'_>| match k {
            Key::Borrowed(k) => k.to_owned(),
            Key::Owned(k) => k,
        };
        Some(
            raw.into_iter()
                .map(|(k, v)| (key(k), v.get().to_owned()))
                .collect(),
        )
    }

    /// Checks that the fast scanner agrees with serde_json on `line`
    /// whenever it answers; returns whether it answered.
    fn agrees(line: &str) -> bool {
        let Some(fields) = json::scan_object(line, 0, Some("text")) else {
            return false;
        };
        let ours: Vec<(String, String)> = fields
            .iter()
            .map(|f| {
                let key = String::from_utf8(f.key(line).to_vec()).unwrap();
                (key, line[f.value.clone()].to_owned())
            })
            .collect();
        assert_eq!(Some(ours), serde_fields(line), "given {line:?}");
        for f in &fields {
            let raw = &line[f.value.clone()];
            let wanted = f.key(line) == b"text" && raw.starts_with('"') && raw.contains('\\');
            let serde = serde_json::from_str::<String>(raw).ok();
            match &f.decoded {
                Some(decoded) => assert_eq!(Some(decoded), serde.as_ref(), "given {line:?}"),
                // Only what the text decoder leaves to serde_json is undecoded.
                None if wanted => assert!(json::unescape(&raw[1..raw.len() - 1]).is_none()),
                None => {}
            }
        }
        true
    }

    #[test]
    fn the_fast_scanner_agrees_with_serde_json() {
        let good = [
            r#"{}"#,
            r#" { } "#,
            "{\"a\":1}\r",
            r#"{"id": 1, "text": "a\nb\u00e9\ud83d\ude00", "n": null, "t": true, "f": false}"#,
            r#"{"x": [1, -0, 0.5, -1.5e+10, 2E-3, [], {}, [{"a": [true]}]], "y": {"z": "\"\\\/"}}"#,
            r#"{"dup": 1, "dup": 2, "k\u0065y": "v", "lone": "\ud800"}"#,
            r#"{"e": "", "u": "日本語 😀", "ws":	[ 1 , 2 ]	}"#,
        ];
        for line in good {
            assert!(agrees(line), "the fast path should take {line:?}");
        }
        let bad = [
            "",
            "{",
            "}",
            "[]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":+1}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":\"x}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\t\"}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{\"a\":{\"b\"}}",
            "{a:1}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":NaN}",
            "{\"a\":1}{}",
            "{\"a\":1x}",
            "{\"a\":\u{0}}",
        ];
        for line in bad {
            assert!(!agrees(line), "the fast path should refuse {line:?}");
            assert!(serde_fields(line).is_none(), "serde_json takes {line:?}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        agrees(&deep);
    }

    #[test]
    fn the_fast_scanner_agrees_on_mutated_lines() {
        // Every one-byte deletion and every replacement by a JSON-significant
        // byte of a record: whatever the scanner takes, serde_json takes the
        // same way.
        let line =
            r#"{"id": "a-1", "text": "x\ny \u00e9", "n": [1, -2.5e3, {"k": null}], "b": true}"#;
        let specials = b"{}[]\":,\\ 0-.eE+ntfu\n";
        let bytes = line.as_bytes();
        let mut taken = 0;
        for i in 0..bytes.len() {
            let mut cut = bytes.to_vec();
            cut.remove(i);
            if let Ok(s) = String::from_utf8(cut) {
                taken += usize::from(agrees(&s));
            }
            for &c in specials {
                let mut changed = bytes.to_vec();
                changed[i] = c;
                if let Ok(s) = String::from_utf8(changed) {
                    taken += usize::from(agrees(&s));
                }
            }
        }
        assert!(taken > 100, "only {taken} variants took the fast path");
    }

    #[test]
    fn errors_are_classified() {
        assert_eq!(kind(b""), Some(ErrorKind::EmptyLine));
        assert_eq!(kind(b"  \r"), Some(ErrorKind::EmptyLine));
        assert_eq!(kind(b"{\"text\": \"a\xff\"}"), Some(ErrorKind::InvalidUtf8));
        assert_eq!(kind(b"{\"text\": "), Some(ErrorKind::MalformedJson));
        assert_eq!(kind(b"[1, 2]"), Some(ErrorKind::MalformedJson));
        assert_eq!(kind(b"{\"a\": 1} {}"), Some(ErrorKind::MalformedJson));
        assert_eq!(kind(b"{\"body\": \"x\"}"), Some(ErrorKind::MissingText));
        assert_eq!(kind(b"{\"text\": 5}"), Some(ErrorKind::TextNotString));
        let big = format!("{{\"text\": \"{}\"}}", "a".repeat(2000));
        assert_eq!(kind(big.as_bytes()), Some(ErrorKind::TooLarge));
        assert_eq!(kind(b"{\"text\": \"fine\"}\r"), None);
    }

    #[test]
    fn text_and_id_are_read() {
        let (text, doc) = parse_line(br#"{"id": 7, "text": "a\nb"}"#);
        let doc = doc.ok().unwrap();
        assert_eq!(doc.text(&text), "a\nb");
        assert_eq!(doc.id, Some(DocId::Num(7)));
        let (text, doc) = parse_line(br#"{"text": "plain", "id": "x-1"}"#);
        let doc = doc.ok().unwrap();
        assert_eq!(doc.text(&text), "plain");
        assert_eq!(doc.id, Some(DocId::from("x-1")));
        let doc = parse_line(br#"{"text": "t", "id": -1.5e3}"#)
            .1
            .ok()
            .unwrap();
        assert_eq!(doc.id, Some(DocId::from("-1.5e3")));
        let doc = parse_line(br#"{"text": "t", "id": "a\"b"}"#)
            .1
            .ok()
            .unwrap();
        assert_eq!(doc.id, Some(DocId::from("a\"b")));
    }

    #[test]
    fn other_fields_are_copied_byte_for_byte() {
        let line = r#"{"z": 1.50, "text": "old", "n": {"b": [1e3, "\u00e9"]}, "k\u0065y": 1}"#;
        let (text, doc) = parse_line(line.as_bytes());
        let doc = doc.ok().unwrap();
        let mut out = Vec::new();
        let edit = Edit {
            replace: Some((doc.text_field, "new")),
            drop: "",
        };
        doc.object.write_fields(&mut out, &text, edit);
        out.push(b'}');
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"z":1.50,"text":"new","n":{"b": [1e3, "\u00e9"]},"key":1}"#
        );
    }
}
