//! Near-duplicates across documents: the seed article and an edited copy of
//! it ("U.S." written "US", a word changed here and there, a sentence
//! appended) go into one index; each paragraph of the copy is reported with
//! the method that found it, its score, and the original it repeats.
//!
//! ```text
//! cargo run --release --example near_duplicates
//! ```

#[path = "common/edited_seed.rs"]
mod edited_seed;

use textdedup::{Dedup, Level, Method};

const ARTICLE: &str = include_str!("data/seed_article.txt");

fn main() -> Result<(), textdedup::Error> {
    let copy = edited_seed::edited_copy(ARTICLE);
    let dedup = Dedup::builder()
        .levels([Level::Paragraph])
        .method(Method::MinHash)
        .build()?;
    let mut index = dedup.index();
    index.insert("original", ARTICLE);
    let report = index.insert("edited copy", &copy);
    println!(
        "MinHash with {} permutations, word {}-grams, threshold {}:\n",
        dedup.num_perm(),
        dedup.ngram(Level::Paragraph),
        dedup.threshold().unwrap_or(1.0)
    );
    println!("  (* marks the lines the copy edited beyond what normalization absorbs)\n");
    for dup in &report.duplicates {
        let of = &dup.of;
        let line = copy[..dup.span.start].matches('\n').count() + 1;
        let edited = if edited_seed::EDITED_LINES.contains(&line) {
            '*'
        } else {
            ' '
        };
        println!(
            "{edited} line {line:>2} {:<7} score {:.3}  copy {:<12} ~ {} {:<12} {:?}",
            dup.method.name(),
            dup.score,
            dup.span.to_string(),
            of.doc.as_ref().map_or_else(String::new, |d| d.to_string()),
            of.span.to_string(),
            excerpt(&copy[dup.span.range()]),
        );
    }
    let stats = report
        .stats
        .level(Level::Paragraph)
        .expect("paragraphs checked");
    println!(
        "\n{} of {} paragraphs of the copy repeat the original ({} exact, {} near).",
        stats.duplicates,
        stats.segments,
        report
            .duplicates
            .iter()
            .filter(|d| d.method == Method::Exact)
            .count(),
        report
            .duplicates
            .iter()
            .filter(|d| d.method != Method::Exact)
            .count(),
    );
    Ok(())
}

fn excerpt(text: &str) -> &str {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
