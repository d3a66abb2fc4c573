//! What the bundled news article must give: its title and three paragraphs
//! repeat, and nothing else does.

use textdedup::{Dedup, DocId, Level, Span};

const ARTICLE: &str = include_str!("../examples/data/seed_article.txt");

fn spans(pairs: &[(usize, usize)]) -> Vec<Span> {
    pairs.iter().map(|&(s, e)| Span::new(s, e)).collect()
}

fn dedup(levels: &[Level]) -> Dedup {
    Dedup::builder()
        .levels(levels.iter().copied())
        .build()
        .expect("valid settings")
}

#[test]
fn paragraph_duplicates_and_what_they_repeat() {
    let report = dedup(&[Level::Paragraph]).check(ARTICLE);
    let got: Vec<(Span, Span)> = report
        .duplicates
        .iter()
        .map(|d| (d.span, d.of.span))
        .collect();
    let want: Vec<(Span, Span)> = spans(&[(378, 435), (2125, 2457), (2458, 2906), (2907, 3221)])
        .into_iter()
        .zip(spans(&[
            (319, 376),
            (1028, 1360),
            (1361, 1809),
            (1810, 2124),
        ]))
        .collect();
    assert_eq!(got, want);
    assert!(
        report
            .duplicates
            .iter()
            .all(|d| d.of.doc.is_none() && d.score == 1.0 && d.method == textdedup::Method::Exact)
    );
    let stats = report.stats.level(Level::Paragraph).unwrap();
    assert_eq!((stats.segments, stats.duplicates), (11, 4));
    assert_eq!(report.clusters().len(), 4);
}

#[test]
fn sentence_duplicates_lie_inside_the_repeated_paragraphs() {
    let report = dedup(&[Level::Sentence]).check(ARTICLE);
    let repeated = spans(&[(378, 435), (2125, 2457), (2458, 2906), (2907, 3221)]);
    assert_eq!(report.duplicates.len(), 7, "{:#?}", report.duplicates);
    for dup in &report.duplicates {
        assert!(
            repeated.iter().any(|p| p.contains(dup.span)),
            "{} is outside the repeated paragraphs",
            dup.span
        );
        // Its twin is the same text, earlier, inside an original paragraph.
        assert!(dup.of.span.start < dup.span.start);
        assert_eq!(
            ARTICLE[dup.span.range()],
            ARTICLE[dup.of.span.range()],
            "{} should repeat {}",
            dup.span,
            dup.of.span
        );
    }
    // Every sentence of the repeated paragraphs is flagged.
    let sentences_inside = textdedup::segment::sentences(ARTICLE, Default::default())
        .filter(|(span, _)| repeated.iter().any(|p| p.contains(*span)))
        .count();
    assert_eq!(sentences_inside, 7);
}

#[test]
fn cleaned_article_drops_the_repeats_and_keeps_the_rest_byte_for_byte() {
    let report = dedup(&[Level::Paragraph, Level::Sentence]).check(ARTICLE);
    let want = format!("{}{}", &ARTICLE[..378], &ARTICLE[436..2124]);
    let cleaned = report.cleaned(ARTICLE);
    assert_eq!(cleaned.len(), 2066);
    assert_eq!(cleaned, want);
    // Nothing is left to find.
    assert!(
        dedup(&[Level::Paragraph, Level::Sentence])
            .check(&cleaned)
            .is_empty()
    );
}

/// A copy of the article a careless pipeline might make: other case, doubled
/// spaces, curly quotes, no-break spaces and full-width letters.
fn disguised(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = match i % 3 {
            0 => line.to_uppercase(),
            1 => line.replace(' ', "  ").replace('\'', "\u{2019}"),
            _ => line.replace(' ', "\u{a0}"),
        };
        // Full-width letters for each line's first word.
        let mut first_word = true;
        for c in line.chars() {
            if c.is_whitespace() {
                first_word = false;
            }
            match c {
                'A'..='Z' | 'a'..='z' if first_word => {
                    out.push(char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                }
                _ => out.push(c),
            }
        }
    }
    out
}

#[test]
fn a_disguised_copy_is_an_exact_normalized_duplicate() {
    let copy = disguised(ARTICLE);
    assert_ne!(copy, ARTICLE);
    let mut index = dedup(&[Level::Paragraph]).index();
    index.insert("original", ARTICLE);
    let report = index.insert("copy", &copy);
    let paragraphs: Vec<Span> = textdedup::segment::paragraphs(&copy, Default::default())
        .map(|(span, _)| span)
        .collect();
    assert_eq!(paragraphs.len(), 11);
    let flagged: Vec<Span> = report.duplicates.iter().map(|d| d.span).collect();
    assert_eq!(flagged, paragraphs);
    for dup in &report.duplicates {
        assert_eq!(dup.of.doc, Some(DocId::from("original")));
        assert_eq!(dup.score, 1.0);
    }
}
