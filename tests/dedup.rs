//! Exact dedup against a naive oracle, and its invariants.

use std::collections::HashMap;

use proptest::prelude::*;
use textdedup::{Dedup, DocId, Level, Normalizer, ParagraphMode, Preset, Report, Span};

/// The naive oracle: compare normalized strings themselves (not hashes) and
/// flag every later copy of a long enough paragraph.
fn naive_paragraph_dups(text: &str, mode: ParagraphMode, min_chars: usize) -> Vec<(Span, Span)> {
    let normalizer = Normalizer::new(Preset::Default);
    let mut first: HashMap<String, Span> = HashMap::new();
    let mut dups = Vec::new();
    for (span, paragraph) in textdedup::segment::paragraphs(text, mode) {
        let key = normalizer.normalize(paragraph);
        if key.chars().filter(|c| c.is_alphanumeric()).count() < min_chars {
            continue;
        }
        match first.get(&key) {
            Some(&kept) => dups.push((span, kept)),
            None => {
                first.insert(key, span);
            }
        }
    }
    dups
}

fn lines_dedup(levels: &[Level]) -> Dedup {
    Dedup::builder()
        .levels(levels.iter().copied())
        .paragraph_mode(ParagraphMode::Lines)
        .build()
        .unwrap()
}

fn pairs(report: &Report, level: Level) -> Vec<(Span, Span)> {
    report.at(level).map(|d| (d.span, d.of.span)).collect()
}

/// Texts made of a few recurring lines, so that duplicates are common.
fn repetitive_text() -> impl Strategy<Value = String> {
    let line = prop::sample::select(vec![
        "The market rose sharply today.",
        "the market rose  sharply today!",
        "Officials declined to comment.",
        "Yes.",
        "--",
        "  Shares of Acme Corp. fell 3.5% in early trading. Analysts were surprised.",
        "Straße gesperrt wegen Bauarbeiten.",
        "STRASSE GESPERRT WEGEN BAUARBEITEN",
        "東京で会議が開かれた。参加者は多かった。",
        "",
        "   ",
    ]);
    let sep = prop::sample::select(vec!["\n", "\r\n", "\n\n", " "]);
    prop::collection::vec((line, sep), 0..24).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(line, sep)| [line, sep])
            .collect::<String>()
    })
}

proptest! {
    #[test]
    fn matches_the_naive_oracle(text in repetitive_text()) {
        let report = lines_dedup(&[Level::Paragraph]).check(&text);
        prop_assert_eq!(
            pairs(&report, Level::Paragraph),
            naive_paragraph_dups(&text, ParagraphMode::Lines, 10)
        );
    }

    #[test]
    fn cleaning_is_idempotent(text in repetitive_text()) {
        // Per level: removing repeated sentences can make two paragraphs
        // equal, so several levels at once need not be idempotent.
        for levels in [&[Level::Paragraph][..], &[Level::Sentence]] {
            let dedup = lines_dedup(levels);
            let cleaned = dedup.check(&text).cleaned(&text);
            let again = dedup.check(&cleaned);
            prop_assert!(again.is_empty(), "levels {:?}: {:?} still has {:?}", levels, cleaned, again.duplicates);
        }
    }

    #[test]
    fn cleaning_keeps_every_kept_paragraph(text in repetitive_text()) {
        let dedup = lines_dedup(&[Level::Paragraph]);
        let report = dedup.check(&text);
        let cleaned = report.cleaned(&text);
        let flagged: Vec<Span> = report.duplicates.iter().map(|d| d.span).collect();
        let mut pos = 0;
        for (span, paragraph) in textdedup::segment::paragraphs(&text, ParagraphMode::Lines) {
            if flagged.contains(&span) {
                continue;
            }
            let found = cleaned[pos..].find(paragraph);
            prop_assert!(found.is_some(), "{:?} lost from {:?}", paragraph, cleaned);
            pos += found.unwrap() + paragraph.len();
        }
    }

    #[test]
    fn a_document_inserted_twice_is_entirely_duplicate(text in repetitive_text()) {
        let dedup = lines_dedup(&[Level::Document, Level::Paragraph, Level::Sentence]);
        let mut index = dedup.index();
        let first = index.insert(0, &text);
        let second = index.insert(1, &text);
        for stats in &second.stats.levels {
            // Every segment long enough to be flagged is flagged.
            prop_assert_eq!(stats.duplicates, stats.segments - stats.short, "{:?}", stats.level);
        }
        prop_assert!(first.at(Level::Document).next().is_none());
        let document = second.stats.level(Level::Document).unwrap();
        if document.segments == 1 && document.short == 0 {
            let cleaned = second.cleaned(&text);
            prop_assert_eq!(cleaned.trim(), "");
        }
    }

    #[test]
    fn insertion_order_alone_decides_the_kept_copy(a in repetitive_text(), b in repetitive_text()) {
        let dedup = lines_dedup(&[Level::Paragraph]);
        let mut ab = dedup.index();
        ab.insert("a", &a);
        let b_after_a = ab.insert("b", &b);
        let mut again = dedup.index();
        again.insert("a", &a);
        prop_assert_eq!(&again.insert("b", &b), &b_after_a, "same order, same report");
        // Whatever b repeats of a points at a.
        let a_keys: Vec<String> = textdedup::segment::paragraphs(&a, ParagraphMode::Lines)
            .map(|(_, p)| Normalizer::new(Preset::Default).normalize(p))
            .collect();
        for dup in &b_after_a.duplicates {
            let key = Normalizer::new(Preset::Default).normalize(&b[dup.span.range()]);
            if a_keys.contains(&key) {
                prop_assert_eq!(dup.of.doc.clone(), Some(DocId::from("a")));
            } else {
                prop_assert_eq!(dup.of.doc.clone(), Some(DocId::from("b")));
            }
        }
    }

    /// `insert` takes a one-probe path for exact matching; `check` looks a
    /// text's own segments up in a separate map. Both must agree, on every
    /// level, for a stream of documents with mixed ids.
    #[test]
    fn insert_reports_what_check_reports(docs in prop::collection::vec(repetitive_text(), 1..6)) {
        let dedup = lines_dedup(&Level::ALL);
        let mut index = dedup.index();
        for (i, text) in docs.iter().enumerate() {
            let id = if i % 2 == 0 { DocId::Num(i as u64) } else { DocId::Str(format!("d{i}")) };
            let checked = index.check(id.clone(), text);
            prop_assert_eq!(&index.insert(id, text), &checked, "document {}", i);
        }
    }

    #[test]
    fn never_panics_on_any_text(text in "\\PC*") {
        let dedup = Dedup::builder()
            .levels(Level::ALL)
            .min_chars(0)
            .build()
            .unwrap();
        let report = dedup.check(&text);
        let cleaned = report.cleaned(&text);
        prop_assert!(cleaned.len() <= text.len());
        for dup in &report.duplicates {
            prop_assert!(text.get(dup.span.range()).is_some());
            prop_assert!(dup.of.span.start < dup.span.start || dup.level == Level::SentenceSpan);
        }
    }
}

#[test]
fn report_round_trips_through_json() {
    let text = "Repeated paragraph text.\nOther.\nRepeated paragraph text.";
    let report = lines_dedup(&[Level::Paragraph, Level::Sentence]).check(text);
    let json = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    assert!(json.contains(r#""level":"paragraph""#), "{json}");
    assert!(json.contains(r#""method":"exact""#), "{json}");
}

#[test]
fn clusters_group_every_copy_of_one_kept_segment() {
    let text =
        "Breaking news headline.\nStory one.\nBreaking news headline.\nBreaking news headline.";
    let report = lines_dedup(&[Level::Paragraph]).check(text);
    let clusters = report.clusters();
    assert_eq!(clusters.len(), 1);
    let cluster = &clusters[0];
    assert_eq!(cluster.kept.span, Span::new(0, 23));
    assert_eq!(
        cluster.duplicates,
        vec![Span::new(35, 58), Span::new(59, 82)]
    );
    let stats = report.stats.level(Level::Paragraph).unwrap();
    // "Story one." has 8 letters: too short to be flagged, but counted.
    assert_eq!((stats.segments, stats.duplicates, stats.short), (4, 2, 1));
    assert_eq!(stats.duplicate_bytes, 46);
}

#[test]
fn many_clusters_group_like_a_naive_grouping() {
    // 40 distinct lines, each three times, interleaved: past the few
    // clusters that are grouped by a scan.
    let lines: Vec<String> = (0..40)
        .map(|i| format!("Paragraph number {i} of the feed."))
        .collect();
    let text = (0..3)
        .flat_map(|_| lines.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    let report = lines_dedup(&[Level::Paragraph, Level::Sentence]).check(&text);
    let mut naive: Vec<(Level, Span, Vec<Span>)> = Vec::new();
    for dup in &report.duplicates {
        match naive
            .iter_mut()
            .find(|(level, kept, _)| *level == dup.level && *kept == dup.of.span)
        {
            Some((_, _, spans)) => spans.push(dup.span),
            None => naive.push((dup.level, dup.of.span, vec![dup.span])),
        }
    }
    let clusters: Vec<(Level, Span, Vec<Span>)> = report
        .clusters()
        .iter()
        .map(|c| (c.level, c.kept.span, c.duplicates.clone()))
        .collect();
    assert_eq!(clusters, naive);
    assert_eq!(clusters.len(), 80);
    assert!(clusters.iter().all(|(_, _, spans)| spans.len() == 2));
}

#[test]
fn check_only_does_not_add() {
    let dedup = Dedup::new();
    let mut index = dedup.index();
    index.insert("ref", "Reference paragraph one.");
    let report = index.check("q", "Query paragraph two.\nQuery paragraph two.");
    assert_eq!(report.duplicates.len(), 1);
    assert_eq!(report.duplicates[0].of.doc, Some(DocId::from("q")));
    assert_eq!(index.len(), 1);
    assert!(index.check("q2", "Query paragraph two.").is_empty());
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Dedup>();
    assert_send_sync::<textdedup::Index>();
    assert_send_sync::<Report>();
    assert_send_sync::<textdedup::Sketch>();
    assert_send_sync::<textdedup::Error>();
    assert_send_sync::<Normalizer>();
}
