//! Tests of the segmenters: the seed article, hand-made shapes of real
//! corpora, a table of hard sentence cases, and invariants on arbitrary text.

use proptest::prelude::*;
use textdedup::Span;
use textdedup::segment::{
    ParagraphMode, Paragraphs, SentenceWindows, Sentences, document, paragraphs, sentence_windows,
    sentences,
};
use unicode_segmentation::UnicodeSegmentation;

const SEED: &str = include_str!("../examples/data/seed_article.txt");
const TABLE: &str = include_str!("data/segment/sentences.tsv");
const MODES: [ParagraphMode; 4] = [
    ParagraphMode::Lines,
    ParagraphMode::Blocks,
    ParagraphMode::Auto,
    ParagraphMode::Wrapped,
];

fn spans<'t>(it: impl Iterator<Item = (Span, &'t str)>) -> Vec<(usize, usize)> {
    it.map(|(s, _)| (s.start, s.end)).collect()
}

fn texts<'t>(it: impl Iterator<Item = (Span, &'t str)>) -> Vec<&'t str> {
    it.map(|(_, s)| s).collect()
}

const SEED_PARAGRAPHS: [(usize, usize); 11] = [
    (0, 318),
    (319, 376),
    (378, 435),
    (436, 565),
    (566, 1027),
    (1028, 1360),
    (1361, 1809),
    (1810, 2124),
    (2125, 2457),
    (2458, 2906),
    (2907, 3221),
];

#[test]
fn seed_paragraphs_auto_and_lines() {
    assert_eq!(SEED.len(), 3221);
    assert_eq!(
        spans(paragraphs(SEED, ParagraphMode::Auto)),
        SEED_PARAGRAPHS
    );
    assert_eq!(
        spans(paragraphs(SEED, ParagraphMode::Lines)),
        SEED_PARAGRAPHS
    );
    assert_eq!(
        paragraphs(SEED, ParagraphMode::Auto).mode(),
        ParagraphMode::Lines
    );
}

#[test]
fn seed_blocks_split_at_the_blank_line() {
    assert_eq!(
        spans(paragraphs(SEED, ParagraphMode::Blocks)),
        [(0, 376), (378, 3221)]
    );
}

#[test]
fn seed_sentences_keep_us_whole() {
    let all = texts(sentences(SEED, ParagraphMode::Auto));
    for s in &all {
        assert!(!s.ends_with("U.S."), "sentence ends with U.S.: {s:?}");
    }
    let title = "China's Diplomatic Push to Counter U.S. Isolation Efforts";
    assert_eq!(all.iter().filter(|s| **s == title).count(), 2);
    // Plain UAX #29 splits the title after "U.S.".
    assert_eq!(title.split_sentence_bounds().count(), 2);
    assert_eq!(all.len(), 20, "{all:#?}");
}

#[test]
fn seed_windows() {
    let n = sentences(SEED, ParagraphMode::Auto).count();
    let windows: Vec<_> = sentence_windows(SEED, ParagraphMode::Auto, 3).collect();
    assert_eq!(windows.len(), n - 2);
    assert_eq!(windows[0].0.start, 0);
    assert_eq!(windows.last().map(|w| w.0.end), Some(SEED.len()));
}

#[test]
fn document_trims() {
    assert_eq!(document(SEED).map(|(s, _)| s), Some(Span::new(0, 3221)));
    assert_eq!(
        document("\u{a0}\u{2029} x \r\n"),
        Some((Span::new(6, 7), "x"))
    );
    assert_eq!(document(""), None);
    assert_eq!(document(" \u{3000}\u{2028}"), None);
}

/// The shape of a hard-wrapped newswire story: headline, a dateline run into
/// the first paragraph, then paragraphs opening with an indented line.
const NEWSWIRE: &str = "ACME FOODS TO BUY GRAIN MILLER\n\
Acme Foods Corp said\n\
it agreed to buy the flour milling unit of Northern Grain Co\n\
for about 120 mln dlrs in cash, subject to regulatory approval.\n    \
The company said the unit had sales of 310 mln dlrs last\n\
year and employs about 900 people in four states.\n    \
Acme said it expects the deal to add to earnings in its\n\
first full year.\n \
Reuter\n";

#[test]
fn auto_finds_newswire_paragraphs() {
    let got = texts(paragraphs(NEWSWIRE, ParagraphMode::Auto));
    assert_eq!(
        got,
        [
            "ACME FOODS TO BUY GRAIN MILLER",
            "Acme Foods Corp said\nit agreed to buy the flour milling unit of Northern Grain Co\n\
             for about 120 mln dlrs in cash, subject to regulatory approval.",
            "The company said the unit had sales of 310 mln dlrs last\n\
             year and employs about 900 people in four states.",
            "Acme said it expects the deal to add to earnings in its\nfirst full year.",
            "Reuter",
        ]
    );
    let s = texts(sentences(NEWSWIRE, ParagraphMode::Auto));
    assert_eq!(s.len(), 5, "{s:#?}");
}

/// The shape of a hand-wrapped email: headers, a quote, a reply, a signature.
const EMAIL: &str = "From: jdoe@example.edu (Jane Doe)\n\
Subject: Re: library hours\n\
Organization: Example University\n\
Lines: 12\n\
\n\
In article <1234@example.edu> rroe@example.edu writes:\n\
> The library should stay open later during exam weeks, since\n\
> most of us study at night anyway.\n\
\n\
I agree with this, although I suspect the budget will not allow\n\
it. The staff are already stretched thin, and the building is\n\
old enough that heating it at night costs a great deal.\n\
Perhaps a single reading room could stay open instead.\n\
\n\
Jane\n";

#[test]
fn auto_finds_email_paragraphs() {
    let mut it = paragraphs(EMAIL, ParagraphMode::Auto);
    assert_eq!(it.mode(), ParagraphMode::Wrapped);
    let got = texts(&mut it);
    assert_eq!(got.len(), 8, "{got:#?}");
    assert_eq!(got[0], "From: jdoe@example.edu (Jane Doe)");
    assert_eq!(got[3], "Lines: 12");
    assert!(got[6].starts_with("I agree") && got[6].ends_with("instead."));
    let reply = texts(sentences(got[6], ParagraphMode::Auto));
    assert_eq!(reply.len(), 3, "{reply:#?}");
}

/// The shape of web text: one long paragraph per line, short title lines.
const WEB: &str = "Jobs report beats forecasts\n\n\
Employers added more jobs than expected last month, according to figures released on Friday by the Labor Department.\n\n\
The unemployment rate fell to its lowest level in three years, while wage growth held steady at an annual rate of 3%.\n\
\"It is a solid report,\" said one economist.\n";

#[test]
fn auto_keeps_unwrapped_lines() {
    let mut it = paragraphs(WEB, ParagraphMode::Auto);
    assert_eq!(it.mode(), ParagraphMode::Lines);
    assert_eq!(texts(&mut it).len(), 4);
    assert_eq!(paragraphs(WEB, ParagraphMode::Blocks).count(), 3);
}

#[test]
fn line_breaks_of_every_kind() {
    let text = "a\r\nb\rc\u{2028}d\u{2029}e\n\nf";
    assert_eq!(
        texts(paragraphs(text, ParagraphMode::Lines)),
        ["a", "b", "c", "d", "e", "f"]
    );
    // U+2029 ends a paragraph even without a blank line.
    assert_eq!(
        texts(paragraphs(text, ParagraphMode::Blocks)),
        ["a\r\nb\rc\u{2028}d", "e", "f"]
    );
}

#[test]
fn sentences_stay_inside_paragraphs() {
    let text = "First line without a stop\nSecond line. Another.";
    assert_eq!(
        texts(sentences(text, ParagraphMode::Lines)),
        ["First line without a stop", "Second line.", "Another."]
    );
    assert_eq!(
        texts(sentences(text, ParagraphMode::Blocks)),
        ["First line without a stop\nSecond line.", "Another."]
    );
}

#[test]
fn windows_edge_cases() {
    let mode = ParagraphMode::Lines;
    assert_eq!(sentence_windows("", mode, 3).count(), 0);
    assert_eq!(sentence_windows(" \n ", mode, 0).count(), 0);
    assert_eq!(
        texts(sentence_windows("One.\nTwo.", mode, 3)),
        ["One.\nTwo."]
    );
    assert_eq!(
        texts(sentence_windows("One.\nTwo.", mode, 0)),
        ["One.", "Two."]
    );
    assert_eq!(texts(sentence_windows("A. B. C.", mode, 3)), ["A. B. C."]);
    assert_eq!(
        texts(sentence_windows("One. Two. Three. Four.", mode, 2)),
        ["One. Two.", "Two. Three.", "Three. Four."]
    );
}

#[test]
fn iterators_are_send_sync_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Paragraphs<'static>>();
    check::<Sentences<'static>>();
    check::<SentenceWindows<'static>>();
    check::<ParagraphMode>();
}

/// Table cases the abbreviation layer is known to get wrong: an ambiguous
/// period before a capitalized word that is not a common sentence opener.
const KNOWN_MISSES: &[&str] = &[
    "It ended at 5 p.m. Officials left.",
    "She lives in the U.S. Americans love her.",
    "The answer is no. Yes is wrong.",
    "Dr. Smith arrived at 3 p.m. Dr. Jones was late.",
    "Step 1. Open the box.",
];

/// A case of the sentence table: the text and its expected sentences.
fn table() -> Vec<(String, Vec<String>)> {
    TABLE
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (text, want) = line
                .split_once('\t')
                .expect("a tab between text and expected");
            let unescape = |s: &str| s.replace("\\n", "\n");
            (unescape(text), want.split(" | ").map(unescape).collect())
        })
        .collect()
}

/// Plain UAX #29 inside the same paragraphs: the baseline.
fn uax29(text: &str) -> Vec<&str> {
    paragraphs(text, ParagraphMode::Blocks)
        .flat_map(|(_, p)| p.split_sentence_bounds().map(str::trim))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The fraction of table cases split exactly right, and the failures.
fn accuracy(split: impl Fn(&str) -> Vec<&str>) -> (f64, Vec<String>) {
    let cases = table();
    let mut failures = Vec::new();
    for (text, want) in &cases {
        let got = split(text);
        if got != *want {
            failures.push(format!(
                "given:    {text:?}\nexpected: {want:?}\ngot:      {got:?}"
            ));
        }
    }
    let right = cases.len() - failures.len();
    (right as f64 / cases.len() as f64, failures)
}

#[test]
fn sentence_table() {
    assert!(table().len() >= 60);
    let (ours, failures) = accuracy(|t| texts(sentences(t, ParagraphMode::Blocks)));
    let (plain, _) = accuracy(uax29);
    println!(
        "cases: {}, accuracy: textdedup {ours:.3}, plain UAX #29 {plain:.3}",
        table().len()
    );
    let unexpected: Vec<&str> = failures
        .iter()
        .map(String::as_str)
        .filter(|f| {
            !KNOWN_MISSES
                .iter()
                .any(|k| f.starts_with(&format!("given:    {k:?}")))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} unexpected failures:\n{}",
        unexpected.len(),
        unexpected.join("\n\n")
    );
    assert_eq!(
        failures.len(),
        KNOWN_MISSES.len(),
        "a known miss is fixed: update KNOWN_MISSES"
    );
    assert!(plain < ours);
}

/// Naive oracle for `Lines`: split at every break char, trim, drop blanks.
fn naive_lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().chain([(text.len(), '\n')]) {
        if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            let line = &text[start..i];
            let lead = line.len() - line.trim_start().len();
            let body = line.trim();
            if !body.is_empty() {
                out.push((start + lead, start + lead + body.len()));
            }
            start = i + c.len_utf8();
        }
    }
    out
}

/// Checks the span contract; returns the spans.
fn check_segments<'t>(
    text: &'t str,
    items: impl Iterator<Item = (Span, &'t str)>,
) -> Result<Vec<Span>, TestCaseError> {
    let mut out: Vec<Span> = Vec::new();
    for (span, s) in items {
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        prop_assert_eq!(&text[span.range()], s);
        prop_assert!(!s.is_empty());
        prop_assert_eq!(s.trim(), s, "not trimmed");
        if let Some(prev) = out.last() {
            prop_assert!(
                prev.end <= span.start,
                "overlap or disorder: {} then {}",
                prev,
                span
            );
        }
        out.push(span);
    }
    // Every non-white-space char is in some segment.
    let mut segs = out.iter().peekable();
    for (i, c) in text.char_indices() {
        while segs.peek().is_some_and(|s| s.end <= i) {
            segs.next();
        }
        if !c.is_whitespace() {
            prop_assert!(
                segs.peek().is_some_and(|s| s.start <= i),
                "char {:?} at {} uncovered",
                c,
                i
            );
        }
    }
    Ok(out)
}

/// Text biased towards the characters segmentation cares about.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z]{1,8}",
        2 => Just(" ".to_owned()),
        2 => Just("\n".to_owned()),
        1 => Just("\r".to_owned()),
        1 => Just("\r\n".to_owned()),
        1 => Just("\n\n".to_owned()),
        1 => Just("    ".to_owned()),
        2 => Just(". ".to_owned()),
        1 => Just(".".to_owned()),
        1 => Just("...".to_owned()),
        1 => Just("?!".to_owned()),
        1 => Just("\"".to_owned()),
        1 => Just("”)".to_owned()),
        1 => Just("U.S.".to_owned()),
        1 => Just("Mr.".to_owned()),
        1 => Just("\u{2028}".to_owned()),
        1 => Just("\u{2029}".to_owned()),
        1 => Just("\u{a0}".to_owned()),
        1 => Just("\u{3000}".to_owned()),
        1 => Just("\u{85}\u{b}\u{c}".to_owned()),
        1 => Just("e\u{301}".to_owned()),
        1 => Just("\u{301}".to_owned()),
        1 => Just("中文。".to_owned()),
        1 => Just("।؟！".to_owned()),
        1 => "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![tricky_text(), any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn paragraphs_keep_the_contract(text in any_text()) {
        for mode in MODES {
            check_segments(&text, paragraphs(&text, mode))?;
        }
    }

    #[test]
    fn lines_match_the_naive_oracle(text in any_text()) {
        prop_assert_eq!(spans(paragraphs(&text, ParagraphMode::Lines)), naive_lines(&text));
    }

    #[test]
    fn blocks_join_lines(text in any_text()) {
        // Blocks and Wrapped paragraphs are unions of whole lines.
        let lines = check_segments(&text, paragraphs(&text, ParagraphMode::Lines))?;
        for mode in [ParagraphMode::Blocks, ParagraphMode::Wrapped, ParagraphMode::Auto] {
            for (span, _) in paragraphs(&text, mode) {
                prop_assert!(lines.iter().any(|l| l.start == span.start));
                prop_assert!(lines.iter().any(|l| l.end == span.end));
            }
        }
    }

    #[test]
    fn sentences_keep_the_contract(text in any_text()) {
        for mode in MODES {
            let paras = check_segments(&text, paragraphs(&text, mode))?;
            let sents = check_segments(&text, sentences(&text, mode))?;
            for s in &sents {
                prop_assert!(paras.iter().any(|p| p.contains(*s)), "sentence {} crosses paragraphs", s);
            }
        }
    }

    #[test]
    fn windows_cover_their_sentences(text in any_text(), k in 0usize..5) {
        let sents: Vec<Span> = sentences(&text, ParagraphMode::Auto).map(|(s, _)| s).collect();
        let windows: Vec<(Span, &str)> = sentence_windows(&text, ParagraphMode::Auto, k).collect();
        let k = k.max(1);
        let want = if sents.is_empty() { 0 } else { sents.len().saturating_sub(k) + 1 };
        prop_assert_eq!(windows.len(), want);
        for (i, (span, w)) in windows.iter().enumerate() {
            prop_assert_eq!(&text[span.range()], *w);
            let last = (i + k).min(sents.len()) - 1;
            prop_assert_eq!(*span, Span::new(sents[i].start, sents[last].end));
        }
    }

    #[test]
    fn document_covers_everything(text in any_text()) {
        let doc: Vec<_> = check_segments(&text, document(&text).into_iter())?;
        prop_assert_eq!(doc.is_empty(), text.trim().is_empty());
    }
}
