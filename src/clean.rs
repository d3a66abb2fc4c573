//! Removing spans from a text while keeping the formatting of the rest.

use crate::Span;

/// A line of the text: `[start, content_end)` is its content, `[content_end,
/// end)` its line break (empty on a last line without one).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        let rest = &bytes[start..];
        let (content_len, break_len) = match find_break(rest) {
            None => (rest.len(), 0),
            Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => (i, 2),
            Some(i) if rest[i] == 0xE2 => (i, 3),
            Some(i) => (i, 1),
        };
        pos = start + content_len + break_len;
        Some(Line {
            start,
            content_end: start + content_len,
            end: pos,
        })
    })
}

/// The offset of the first line break in `bytes` (of valid UTF-8): `\n`,
/// `\r`, or the first byte of U+2028 or U+2029 (`E2 80 A8`, `E2 80 A9`).
/// NOTE: a byte search, not a char scan: this runs over every kept line.
fn find_break(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr3(b'\n', b'\r', 0xE2, &bytes[from..]) {
        let at = from + i;
        if bytes[at] != 0xE2 || matches!(bytes.get(at + 1..at + 3), Some([0x80, 0xA8 | 0xA9])) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Sorted, merged, valid spans.
fn normalize_spans(text: &str, spans: &[Span]) -> Vec<Span> {
    let mut valid: Vec<Span> = spans
        .iter()
        .copied()
        .filter(|s| {
            s.start < s.end
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
        })
        .collect();
    valid.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(valid.len());
    for span in valid {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// `text` without `spans`, see [`Report::cleaned`](crate::Report::cleaned).
pub(crate) fn remove_spans(text: &str, spans: &[Span]) -> String {
    let removed = normalize_spans(text, spans);
    if removed.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut next = 0; // first removed span that may touch the current line
    // Blank lines right after a dropped line would merge two runs of blank
    // lines (or start the text with one), so they go with it.
    let mut prev_out_blank = true;
    let mut skip_blanks = false;
    let mut dropped_since_content = false;
    let mut out_len_at_content = 0;
    let mut content_break_len = 0;

    for line in lines(text) {
        while next < removed.len() && removed[next].end <= line.start {
            next += 1;
        }
        let content = &text[line.start..line.content_end];
        if content.trim().is_empty() {
            if !skip_blanks {
                out.push_str(&text[line.start..line.end]);
                prev_out_blank = true;
            }
            continue;
        }
        let cuts = cuts_in_line(text, line, &removed[next..]);
        if cuts.is_empty() {
            push_content(&mut out, text, line);
        } else if covers_content(text, line, &cuts) {
            dropped_since_content = true;
            skip_blanks = prev_out_blank;
            continue;
        } else {
            let mut pos = line.start;
            for cut in &cuts {
                out.push_str(&text[pos..cut.start]);
                pos = cut.end;
            }
            out.push_str(&text[pos..line.end]);
        }
        skip_blanks = false;
        prev_out_blank = false;
        dropped_since_content = false;
        out_len_at_content = out.len();
        content_break_len = line.end - line.content_end;
    }
    if dropped_since_content {
        // The text ended with removed lines: end where the last kept content
        // ends, with a final line break only if the text had one.
        out.truncate(out_len_at_content);
        let text_ends_with_break = text.ends_with(is_break);
        if !text_ends_with_break && content_break_len > 0 {
            out.truncate(out_len_at_content - content_break_len);
        }
    }
    out
}

fn push_content(out: &mut String, text: &str, line: Line) {
    out.push_str(&text[line.start..line.end]);
}

/// The byte ranges to cut from the line's content: each removed span clipped
/// to the line, widened by the white space after it, or before it when
/// nothing follows on the line.
fn cuts_in_line(text: &str, line: Line, removed: &[Span]) -> Vec<Span> {
    let content = &text[line.start..line.content_end];
    let mut cuts: Vec<Span> = Vec::new();
    for span in removed {
        if span.start >= line.content_end {
            break;
        }
        let start = span.start.max(line.start);
        let end = span.end.min(line.content_end);
        if start >= end || text[start..end].trim().is_empty() {
            continue;
        }
        let after = &text[end..line.content_end];
        let trailing_ws = after.len() - after.trim_start().len();
        let cut = if trailing_ws == after.len() {
            let before = &content[..start - line.start];
            Span::new(line.start + before.trim_end().len(), line.content_end)
        } else {
            Span::new(start, end + trailing_ws)
        };
        match cuts.last_mut() {
            Some(last) if cut.start <= last.end => last.end = last.end.max(cut.end),
            _ => cuts.push(cut),
        }
    }
    cuts
}

/// Whether the cuts leave nothing but white space in the line.
fn covers_content(text: &str, line: Line, cuts: &[Span]) -> bool {
    let mut pos = line.start;
    for cut in cuts {
        if !text[pos..cut.start].trim().is_empty() {
            return false;
        }
        pos = cut.end;
    }
    text[pos..line.content_end].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(text: &str, remove: &[&str]) -> String {
        let spans: Vec<Span> = remove
            .iter()
            .map(|needle| {
                let start = text.rfind(needle).expect("needle in text");
                Span::new(start, start + needle.len())
            })
            .collect();
        remove_spans(text, &spans)
    }

    macro_rules! cases {
        ($($name:ident: $text:expr, $remove:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                let remove: &[&str] = &$remove;
                let got = clean($text, remove);
                assert_eq!(got, $want, "given {:?} removing {:?}", $text, remove);
            }
        )*};
    }

    cases! {
        middle_line: "A1\nB2\nA3\nC4", ["A3"] => "A1\nB2\nC4";
        last_line_no_break: "A1\nB2\nA3", ["A3"] => "A1\nB2";
        last_line_with_break: "A1\nB2\nA3\n", ["A3"] => "A1\nB2\n";
        last_lines_after_blank: "A1\n\nB2\n\nA3", ["A3"] => "A1\n\nB2";
        block_between_blanks: "A1\n\nB2\n\nA3\n\nC4", ["A3"] => "A1\n\nB2\n\nC4";
        first_line_of_block: "A1\n\nA3\nC4", ["A3"] => "A1\n\nC4";
        last_line_of_block: "A1\nA3\n\nC4", ["A3"] => "A1\n\nC4";
        first_line_of_text: "A3\n\nC4", ["A3"] => "C4";
        crlf: "A1\r\nA3\r\nC4", ["A3"] => "A1\r\nC4";
        indented_next_line_keeps_indent: "A1\nA3\n    C4", ["A3"] => "A1\n    C4";
        sentence_first: "One. Two. Three.", ["One."] => "Two. Three.";
        sentence_middle: "One. Two. Three.", ["Two."] => "One. Three.";
        sentence_last: "One. Two.  Three.", ["Three."] => "One. Two.";
        all_sentences_of_line: "Keep.\nOne. Two.\nKeep2.", ["One.", "Two."] => "Keep.\nKeep2.";
        sentence_over_lines: "Foo bar. This is\nrepeated text. Baz", ["This is\nrepeated text."] => "Foo bar.\nBaz";
        nothing: "A1\nB2", [] => "A1\nB2";
        multibyte: "Ünï\nçødé\nÜnï", ["Ünï"] => "Ünï\nçødé";
    }

    #[test]
    fn line_breaks_are_found_like_a_char_scan() {
        for text in [
            "a\nb\r\nc\rd\u{2028}e\u{2029}f",
            "\u{2026}…\u{2027}x\u{2030}\n\u{2028}",
            "\r\r\n\n",
            "no break at all ₤€",
            "",
        ] {
            let got: Vec<(usize, usize, usize)> = lines(text)
                .map(|l| (l.start, l.content_end, l.end))
                .collect();
            let mut want = Vec::new();
            let mut pos = 0;
            while pos < text.len() {
                let rest = &text[pos..];
                let (len, brk) = match rest.char_indices().find(|&(_, c)| is_break(c)) {
                    None => (rest.len(), 0),
                    Some((i, '\r')) if rest[i + 1..].starts_with('\n') => (i, 2),
                    Some((i, c)) => (i, c.len_utf8()),
                };
                want.push((pos, pos + len, pos + len + brk));
                pos += len + brk;
            }
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn invalid_spans_are_ignored() {
        let text = "héllo\nworld";
        let spans = [Span::new(2, 3), Span::new(5, 99), Span::new(4, 4)];
        assert_eq!(remove_spans(text, &spans), text);
    }
}
