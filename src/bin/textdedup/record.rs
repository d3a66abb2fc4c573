//! One JSONL record: parsed without touching the fields we do not own, and
//! written back with the text cleaned and a `duplicates` field.
//!
//! Fields are kept as raw JSON slices of the input line, so every field
//! other than the text comes out byte for byte as it came in (numbers as
//! written, key order, escapes); only the white space between top-level
//! fields is dropped.

use std::fmt::{self, Write as _};
use std::ops::Range;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use textdedup::DocId;

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

/// A JSON object line: each top-level field's key and the byte range of its
/// raw value in `line`.
pub struct Object {
    pub line: String,
    pub fields: Vec<(String, Range<usize>)>,
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
    /// The raw JSON string had no escape: the text is this slice of the line.
    Raw(Range<usize>),
    Owned(String),
}

impl Doc {
    pub fn text(&self) -> &str {
        match &self.text {
            Text::Raw(r) => &self.object.line[r.clone()],
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
    fn line(kind: ErrorKind, message: String, raw: String) -> Bad {
        Bad {
            kind,
            message,
            object: None,
            raw,
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

/// Parses one line into a record or says what is wrong with it.
pub fn parse(bytes: Vec<u8>, fields: &Fields<'_>) -> Result<Doc, Bad> {
    let line = match String::from_utf8(bytes) {
        Ok(line) => line,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let raw = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let message =
                format!("invalid UTF-8 at byte {at} of the line: re-encode the file as UTF-8");
            return Err(Bad::line(ErrorKind::InvalidUtf8, message, raw));
        }
    };
    if line.trim().is_empty() {
        let message = "empty line: JSONL needs one JSON object per line".into();
        return Err(Bad::line(ErrorKind::EmptyLine, message, line));
    }
    let object = match parse_object(line) {
        Ok(object) => object,
        Err((line, e)) => {
            let message = format!("malformed JSON: {e}");
            return Err(Bad::line(ErrorKind::MalformedJson, message, line));
        }
    };
    if object.line.len() > fields.max_bytes {
        let message = format!(
            "record of {} bytes is over --max-record-bytes {}",
            object.line.len(),
            fields.max_bytes
        );
        return Err(Bad::object(ErrorKind::TooLarge, message, object));
    }
    let find = |name: &str| object.fields.iter().rposition(|(k, _)| k == name);
    let Some(text_field) = find(fields.text) else {
        let message = format!(
            "no {:?} field (choose another with --text-field)",
            fields.text
        );
        return Err(Bad::object(ErrorKind::MissingText, message, object));
    };
    let raw_text = &object.line[object.fields[text_field].1.clone()];
    let text = if !raw_text.starts_with('"') {
        let message = format!(
            "the {:?} field is not a string but {}",
            fields.text,
            describe(raw_text)
        );
        return Err(Bad::object(ErrorKind::TextNotString, message, object));
    } else if raw_text.contains('\\') {
        match serde_json::from_str::<String>(raw_text) {
            Ok(s) => Text::Owned(s),
            Err(e) => {
                let message = format!("the {:?} field: {e}", fields.text);
                return Err(Bad::object(ErrorKind::MalformedJson, message, object));
            }
        }
    } else {
        let r = &object.fields[text_field].1;
        Text::Raw(r.start + 1..r.end - 1)
    };
    let id = find(fields.id).and_then(|i| doc_id(&object.line[object.fields[i].1.clone()]));
    Ok(Doc {
        object,
        text_field,
        text,
        id,
    })
}

/// A document id from its raw JSON: strings and unsigned integers as they
/// are, other numbers as strings of their digits, `null` as absent.
fn doc_id(raw: &str) -> Option<DocId> {
    if raw.starts_with('"') {
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

/// Parses a line that must be one JSON object, keeping each field's raw
/// value as a range of the line.
fn parse_object(line: String) -> Result<Object, (String, serde_json::Error)> {
    let fields = {
        let mut de = serde_json::Deserializer::from_str(&line);
        let fields = de.deserialize_map(FieldsVisitor).and_then(|f| {
            de.end()?;
            Ok(f)
        });
        match fields {
            Ok(f) => f
                .into_iter()
                .map(|(k, v)| (k, offset(&line, v)))
                .collect::<Vec<_>>(),
            Err(e) => return Err((line, e)),
        }
    };
    Ok(Object { line, fields })
}

/// Where `value`, a slice of `line`, lies in it.
fn offset(line: &str, value: &RawValue) -> Range<usize> {
    let start = value.get().as_ptr() as usize - line.as_ptr() as usize;
    start..start + value.get().len()
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
            fields.push((key, value));
        }
        Ok(fields)
    }
}

/// Writes `s` as a JSON string.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// How [`write_fields`] changes an object on the way out.
#[derive(Clone, Copy, Default)]
pub struct Edit<'a> {
    /// A field (by position) and its new string value.
    pub replace: Option<(usize, &'a str)>,
    /// A field name to leave out, because the caller writes it.
    pub drop: &'a str,
}

/// Writes an object's fields as `edit` says, opening the object; the caller
/// closes it. Returns whether any field was written.
pub fn write_fields(out: &mut Vec<u8>, object: &Object, edit: Edit<'_>) -> bool {
    out.push(b'{');
    let mut any = false;
    for (i, (key, range)) in object.fields.iter().enumerate() {
        if key == edit.drop {
            continue;
        }
        if any {
            out.push(b',');
        }
        any = true;
        write_json_str(out, key);
        out.push(b':');
        match edit.replace {
            Some((j, value)) if i == j => write_json_str(out, value),
            _ => out.extend_from_slice(object.line[range.clone()].as_bytes()),
        }
    }
    any
}

/// Writes a document id as JSON: numbers as numbers, strings as strings.
pub fn write_id(out: &mut Vec<u8>, id: &DocId) {
    match id {
        DocId::Num(n) => {
            let mut s = String::new();
            let _ = write!(s, "{n}");
            out.extend_from_slice(s.as_bytes());
        }
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

    fn kind(line: &[u8]) -> Option<ErrorKind> {
        parse(line.to_vec(), &FIELDS).err().map(|b| b.kind)
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
        let doc = parse(br#"{"id": 7, "text": "a\nb"}"#.to_vec(), &FIELDS)
            .ok()
            .unwrap();
        assert_eq!(doc.text(), "a\nb");
        assert_eq!(doc.id, Some(DocId::Num(7)));
        let doc = parse(br#"{"text": "plain", "id": "x-1"}"#.to_vec(), &FIELDS)
            .ok()
            .unwrap();
        assert_eq!(doc.text(), "plain");
        assert_eq!(doc.id, Some(DocId::from("x-1")));
        let doc = parse(br#"{"text": "t", "id": -1.5e3}"#.to_vec(), &FIELDS)
            .ok()
            .unwrap();
        assert_eq!(doc.id, Some(DocId::from("-1.5e3")));
    }

    #[test]
    fn other_fields_are_copied_byte_for_byte() {
        let line = r#"{"z": 1.50, "text": "old", "n": {"b": [1e3, "\u00e9"]}}"#;
        let doc = parse(line.as_bytes().to_vec(), &FIELDS).ok().unwrap();
        let mut out = Vec::new();
        let edit = Edit {
            replace: Some((doc.text_field, "new")),
            drop: "",
        };
        write_fields(&mut out, &doc.object, edit);
        out.push(b'}');
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"z":1.50,"text":"new","n":{"b": [1e3, "\u00e9"]}}"#
        );
    }
}
