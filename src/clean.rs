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

/// The lines of `text`, one [`line_at`] after another: the line-by-line
/// walk that [`remove_spans`] shortcuts with runs, for the tests.
#[cfg(test)]
fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let line = (pos < text.len()).then(|| line_at(text, pos))?;
        pos = line.end;
        Some(line)
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
    let mut cleaner = Cleaner::new(text, &removed);
    let mut pos = 0;
    while pos < text.len() {
        // NOTE: most lines of a text with duplicates are kept whole; copying
        // them as one run, rather than line by line, is most of the speed.
        if let Some(end) = cleaner.kept_run(pos) {
            pos = end;
            continue;
        }
        let line = line_at(text, pos);
        cleaner.line(line);
        pos = line.end;
    }
    cleaner.finish()
}

/// The state of [`remove_spans`] between lines.
struct Cleaner<'t> {
    text: &'t str,
    /// Sorted, merged, valid spans to remove.
    removed: &'t [Span],
    out: String,
    /// The cuts of the current line (a buffer kept for the next line).
    cuts: Vec<Span>,
    /// The first removed span that may touch the current line.
    next: usize,
    // Blank lines right after a dropped line would merge two runs of blank
    // lines (or start the text with one), so they go with it.
    prev_out_blank: bool,
    skip_blanks: bool,
    dropped_since_content: bool,
    out_len_at_content: usize,
    content_break_len: usize,
}

impl<'t> Cleaner<'t> {
    fn new(text: &'t str, removed: &'t [Span]) -> Cleaner<'t> {
        Cleaner {
            text,
            removed,
            out: String::with_capacity(text.len()),
            cuts: Vec::new(),
            next: 0,
            prev_out_blank: true,
            skip_blanks: false,
            dropped_since_content: false,
            out_len_at_content: 0,
            content_break_len: 0,
        }
    }

    /// Skips the removed spans that end before `pos`.
    fn skip_spans_before(&mut self, pos: usize) {
        while self.next < self.removed.len() && self.removed[self.next].end <= pos {
            self.next += 1;
        }
    }

    /// Cleans one line, which starts where the last one ended.
    fn line(&mut self, line: Line) {
        self.skip_spans_before(line.start);
        // NOTE: most lines cleaned are a paragraph that one span covers
        // whole; the cuts of `line_by_cuts` come to the same by several
        // trims. (Merged spans leave no other span on the line, and a
        // visible ASCII first byte means the line has content.)
        if let Some(span) = self.removed.get(self.next)
            && span.start <= line.start
            && line.content_end <= span.end
            && self.text.as_bytes()[line.start..line.content_end]
                .first()
                .is_some_and(u8::is_ascii_graphic)
        {
            self.dropped_since_content = true;
            self.skip_blanks = self.prev_out_blank;
            return;
        }
        self.line_by_cuts(line);
    }

    /// [`Cleaner::line`] by the general rule: the line's cuts.
    fn line_by_cuts(&mut self, line: Line) {
        let text = self.text;
        self.skip_spans_before(line.start);
        let content = &text[line.start..line.content_end];
        if content.trim().is_empty() {
            if !self.skip_blanks {
                self.out.push_str(&text[line.start..line.end]);
                self.prev_out_blank = true;
            }
            return;
        }
        let mut cuts = std::mem::take(&mut self.cuts);
        cuts_in_line(text, line, &self.removed[self.next..], &mut cuts);
        let kept = self.line_cut(line, &cuts);
        self.cuts = cuts;
        if kept {
            self.kept_content(line, self.out.len());
        }
    }

    /// Keeps what `cuts` leave of the line with content `line`: whether
    /// any content is left.
    fn line_cut(&mut self, line: Line, cuts: &[Span]) -> bool {
        let text = self.text;
        if cuts.is_empty() {
            self.out.push_str(&text[line.start..line.end]);
        } else if covers_content(text, line, cuts) {
            self.dropped_since_content = true;
            self.skip_blanks = self.prev_out_blank;
            return false;
        } else {
            let mut pos = line.start;
            for cut in cuts {
                self.out.push_str(&text[pos..cut.start]);
                pos = cut.end;
            }
            self.out.push_str(&text[pos..line.end]);
        }
        true
    }

    /// Notes that `line`, which has content, was kept (whole or in part),
    /// and that the output had `out_len` bytes after it.
    fn kept_content(&mut self, line: Line, out_len: usize) {
        self.skip_blanks = false;
        self.prev_out_blank = false;
        self.dropped_since_content = false;
        self.out_len_at_content = out_len;
        self.content_break_len = line.end - line.content_end;
    }

    /// If lines that start at `pos` are kept whole, as [`Cleaner::line`]
    /// would keep them (no removed span reaches them, and no blank line
    /// after a dropped one is being skipped), copies them in one piece and
    /// returns where they end.
    fn kept_run(&mut self, pos: usize) -> Option<usize> {
        if self.skip_blanks {
            return None;
        }
        self.skip_spans_before(pos);
        let text = self.text;
        // Every line before the one that holds the next span's start.
        let end = match self.removed.get(self.next) {
            None => text.len(),
            Some(span) if span.start <= pos => return None,
            Some(span) => line_start_before(text.as_bytes(), pos, span.start),
        };
        if end <= pos {
            return None;
        }
        let run = &text[pos..end];
        let out_start = self.out.len();
        self.out.push_str(run);
        // The state is what the last line with content, and any blank
        // lines after it, left.
        let content_len = run.trim_end().len();
        if content_len == 0 {
            self.prev_out_blank = true;
            return Some(end);
        }
        // The last char with content is not a line break, so its line ends
        // at the first break after it.
        let last = line_at(text, pos + content_len);
        self.kept_content(last, out_start + (last.end - pos));
        self.prev_out_blank = last.end < end;
        Some(end)
    }

    fn finish(mut self) -> String {
        if self.dropped_since_content {
            // The text ended with removed lines: end where the last kept
            // content ends, with a final line break only if the text had one.
            self.out.truncate(self.out_len_at_content);
            let text_ends_with_break = self.text.ends_with(is_break);
            if !text_ends_with_break && self.content_break_len > 0 {
                self.out
                    .truncate(self.out_len_at_content - self.content_break_len);
            }
        }
        self.out
    }
}

/// The line of `text` that starts at `start`, or the rest of the line
/// from there.
fn line_at(text: &str, start: usize) -> Line {
    let rest = &text.as_bytes()[start..];
    let (content_len, break_len) = match find_break(rest) {
        None => (rest.len(), 0),
        Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => (i, 2),
        Some(i) if rest[i] == 0xE2 => (i, 3),
        Some(i) => (i, 1),
    };
    Line {
        start,
        content_end: start + content_len,
        end: start + content_len + break_len,
    }
}

/// The start of the line that holds the byte at `at`, where `from`, not
/// after `at`, starts a line: the end of the last line break that ends at
/// or before `at`, or `from`.
fn line_start_before(bytes: &[u8], from: usize, at: usize) -> usize {
    let region = &bytes[from..at];
    let mut end = region.len();
    let mut start = from;
    // The last `\n` or `\r` ends a break, unless it is the `\r` of a `\r\n`
    // whose `\n` is at `at`.
    while let Some(i) = memchr::memrchr2(b'\n', b'\r', &region[..end]) {
        if region[i] == b'\r' && i + 1 == region.len() && bytes.get(at) == Some(&b'\n') {
            end = i;
            continue;
        }
        start = from + i + 1;
        break;
    }
    // U+2028 and U+2029 are breaks too: rare, so one search rules them out.
    if memchr::memchr(0xE2, &bytes[start..at]).is_none() {
        return start;
    }
    let mut pos = start;
    while let Some(i) = find_break(&bytes[pos..at]) {
        let brk = pos + i;
        if bytes[brk] != 0xE2 {
            // The `\r` of a `\r\n` whose `\n` is at `at`.
            break;
        }
        pos = brk + 3;
    }
    pos
}

/// The byte ranges to cut from the line's content: each removed span clipped
/// to the line, widened by the white space after it, or before it when
/// nothing follows on the line.
fn cuts_in_line(text: &str, line: Line, removed: &[Span], cuts: &mut Vec<Span>) {
    let content = &text[line.start..line.content_end];
    cuts.clear();
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
    use proptest::prelude::*;

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

    /// [`remove_spans`] one line at a time by the general rule, with no
    /// runs copied whole and no line dropped by the shortcut.
    fn remove_spans_by_line(text: &str, spans: &[Span]) -> String {
        let removed = normalize_spans(text, spans);
        if removed.is_empty() {
            return text.to_owned();
        }
        let mut cleaner = Cleaner::new(text, &removed);
        for line in lines(text) {
            cleaner.line_by_cuts(line);
        }
        cleaner.finish()
    }

    /// Lines of words, blanks, every kind of line break, other white space,
    /// and multi-byte chars that start like U+2028 (`E2 80`) but are not
    /// breaks.
    fn cleaning_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-c]{1,4}",
            2 => Just(" ".to_owned()),
            3 => Just("\n".to_owned()),
            1 => Just("\n\n".to_owned()),
            1 => Just("\r\n".to_owned()),
            1 => Just("\r".to_owned()),
            1 => Just("\u{2028}".to_owned()),
            1 => Just("\u{2029}".to_owned()),
            1 => Just("\t".to_owned()),
            1 => Just("\u{a0}\u{85}".to_owned()),
            1 => Just("\u{2014}\u{2027}\u{202f}".to_owned()),
            1 => Just("é.".to_owned()),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn runs_are_cleaned_as_line_by_line(
            text in cleaning_text(),
            cuts in prop::collection::vec((any::<u16>(), 0usize..24), 0..6),
        ) {
            let floor = |mut i: usize| {
                i = i.min(text.len());
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let spans: Vec<Span> = cuts
                .iter()
                .map(|&(at, len)| {
                    let start = floor(usize::from(at) % (text.len() + 1));
                    Span::new(start, floor(start + len).max(start))
                })
                .collect();
            prop_assert_eq!(
                remove_spans(&text, &spans),
                remove_spans_by_line(&text, &spans),
                "given {:?} removing {:?}", text, spans
            );
        }
    }

    #[test]
    fn invalid_spans_are_ignored() {
        let text = "héllo\nworld";
        let spans = [Span::new(2, 3), Span::new(5, 99), Span::new(4, 4)];
        assert_eq!(remove_spans(text, &spans), text);
    }
}
