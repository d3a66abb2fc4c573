//! Finds the repeated paragraphs and sentences of the bundled news article,
//! and prints each duplicate, the statistics and the cleaned article.
//!
//! ```text
//! cargo run --release --example seed_article            # readable report
//! cargo run --release --example seed_article -- --json  # the report as JSON
//! cargo run --release --example seed_article -- --html seed.html  # a page to look at
//! ```

use std::io::IsTerminal;

use textdedup::{Dedup, Level, Report, Span};

const ARTICLE: &str = include_str!("data/seed_article.txt");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|arg| arg == "--json");
    let html = match args.iter().position(|arg| arg == "--html") {
        Some(i) => Some(args.get(i + 1).ok_or("--html needs a file name")?),
        None => None,
    };
    let dedup = Dedup::builder()
        .levels([Level::Paragraph, Level::Sentence])
        .build()?;
    let report = dedup.check(ARTICLE);
    if let Some(path) = html {
        std::fs::write(path, report.html(ARTICLE, "Duplicates in the seed article"))?;
        eprintln!("wrote {path}");
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, std::io::stdout().is_terminal());
    }
    Ok(())
}

fn print_report(report: &Report, colour: bool) {
    let (on, off) = if colour {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("", "")
    };
    println!(
        "Duplicates in the seed article ({} bytes):\n",
        ARTICLE.len()
    );
    for dup in &report.duplicates {
        println!(
            "  {:<9} line {:>2} {:<12} {on}{}{off}\n            repeats line {:>2} {}",
            dup.level.name(),
            line_of(dup.span),
            dup.span.to_string(),
            excerpt(&ARTICLE[dup.span.range()]),
            line_of(dup.of.span),
            dup.of.span,
        );
    }
    println!("\nStatistics:");
    for level in &report.stats.levels {
        println!(
            "  {:<9} {:>3} segments, {:>2} duplicates ({:.0}% of segments, {:.0}% of bytes)",
            level.level.name(),
            level.segments,
            level.duplicates,
            100.0 * level.duplicate_fraction(),
            100.0 * level.duplicate_byte_fraction(),
        );
    }
    let cleaned = report.cleaned(ARTICLE);
    println!(
        "\nCleaned article ({} bytes, {} removed):\n",
        cleaned.len(),
        ARTICLE.len() - cleaned.len()
    );
    println!("{cleaned}");
}

/// The 1-based line number where `span` starts.
fn line_of(span: Span) -> usize {
    ARTICLE[..span.start].matches('\n').count() + 1
}

/// The first words of `text`, cut at a char boundary.
fn excerpt(text: &str) -> String {
    const MAX: usize = 48;
    if text.len() <= MAX {
        return format!("{text:?}");
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}…", &text[..end])
}
