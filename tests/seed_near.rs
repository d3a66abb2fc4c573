//! The seed article and an edited copy of it: every paragraph of the copy is
//! found, the edited ones as near-duplicates with their score.

#[path = "../examples/common/edited_seed.rs"]
mod edited_seed;

use std::collections::HashSet;

use textdedup::near::Shingler;
use textdedup::{Dedup, DocId, Level, Method, Normalizer, Span};

const ARTICLE: &str = include_str!("../examples/data/seed_article.txt");

/// Line number (1-based) → paragraph span; each line is a paragraph.
fn line_spans(text: &str) -> Vec<(usize, Span)> {
    let mut start = 0;
    text.split('\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let span = Span::new(start, start + line.len());
            start += line.len() + 1;
            (!line.trim().is_empty()).then_some((i + 1, span))
        })
        .collect()
}

fn jaccard(a: &str, b: &str) -> f64 {
    let set = |t: &str| -> HashSet<u64> {
        let mut v = Vec::new();
        Shingler::new(5)
            .unwrap()
            .shingles_into(&Normalizer::default().normalize(t), &mut v);
        v.into_iter().collect()
    };
    let (a, b) = (set(a), set(b));
    a.intersection(&b).count() as f64 / a.union(&b).count() as f64
}

#[test]
fn every_paragraph_of_the_edited_copy_points_at_its_original() {
    let copy = edited_seed::edited_copy(ARTICLE);
    let original_lines = line_spans(ARTICLE);
    let copy_lines = line_spans(&copy);
    assert_eq!(copy_lines.len(), 11);
    // Lines 10-12 and 4 repeat lines 7-9 and 2 inside the original, whose
    // first copies are the ones kept.
    let kept_line = |line: usize| match line {
        4 => 2,
        10..=12 => line - 3,
        _ => line,
    };
    let span_of_line = |line: usize| original_lines.iter().find(|(l, _)| *l == line).unwrap().1;

    let dedup = Dedup::builder()
        .levels([Level::Paragraph])
        .method(Method::MinHash)
        .build()
        .unwrap();
    let mut index = dedup.index();
    assert!(index.insert("original", ARTICLE).duplicates.len() == 4);
    let report = index.insert("copy", &copy);
    assert_eq!(report.duplicates.len(), 11, "{:#?}", report.duplicates);
    for (dup, (line, span)) in report.duplicates.iter().zip(&copy_lines) {
        assert_eq!(dup.span, *span);
        assert_eq!(dup.of.doc, Some(DocId::from("original")), "line {line}");
        let original = span_of_line(kept_line(*line));
        assert_eq!(dup.of.span, original, "line {line}");
        if edited_seed::EDITED_LINES.contains(line) {
            let true_jaccard = jaccard(&copy[span.range()], &ARTICLE[original.range()]);
            assert_eq!(dup.method, Method::MinHash, "line {line}");
            assert!(
                dup.score >= 0.8 && dup.score < 1.0,
                "line {line}: score {}",
                dup.score
            );
            assert!(
                (dup.score - true_jaccard).abs() <= 0.15,
                "line {line}: estimate {} vs true Jaccard {true_jaccard}",
                dup.score
            );
        } else {
            // "US" for "U.S." is absorbed by normalization.
            assert_eq!(dup.method, Method::Exact, "line {line}");
        }
    }
}

#[test]
fn the_edits_are_real_and_stay_above_the_threshold() {
    let copy = edited_seed::edited_copy(ARTICLE);
    let original: Vec<&str> = ARTICLE.split('\n').collect();
    let edited: Vec<&str> = copy.split('\n').collect();
    for line in edited_seed::EDITED_LINES {
        let (a, b) = (original[line - 1], edited[line - 1]);
        assert_ne!(
            Normalizer::default().normalize(a),
            Normalizer::default().normalize(b)
        );
        let j = jaccard(a, b);
        assert!((0.8..1.0).contains(&j), "line {line}: true Jaccard {j}");
    }
}
