//! Quality on labeled data: precision, recall and F1 of each method at its
//! default threshold, on the Clough & Stevenson plagiarism corpus (answers
//! labeled `cut` or `light` are near-duplicates of their source, `non` are
//! not, `heavy` revisions are left out) under two rules (an answer is a
//! near-copy when half of its bytes are flagged; it reuses text when any
//! segment is), how similar each label's answers
//! are to their source, how many MRPC paraphrase pairs each method flags
//! (paraphrases are not near-duplicates), and how many documents of the news
//! corpus each setting flags (what a looser setting costs at corpus scale).
//!
//! ```text
//! cargo run --release --example quality [DATA_DIR]   # default ../shared/data
//! ```
//!
//! The data is research-licensed and not part of the repository; without it
//! the example says so and exits successfully.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use textdedup::{Dedup, DocId, Level, Method, Report};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let labeled = dir.join("labeled");
    if !labeled.join("clough_plagiarism/pairs.jsonl").exists() {
        println!("SKIPPED: no labeled data under {}", labeled.display());
        return Ok(());
    }
    let clough = Clough::load(&labeled.join("clough_plagiarism"))?;
    clough_at_defaults(&clough, Rule::HalfOfBytes)?;
    clough_at_defaults(&clough, Rule::AnySegment)?;
    clough_scores(&clough)?;
    let tuned = clough_tuned(&clough)?;
    let mrpc = labeled.join("mrpc/pairs.jsonl");
    if mrpc.exists() {
        mrpc_flags(&read_jsonl(&mrpc)?)?;
    }
    let news = dir.join("corpora/news_web_en.jsonl.gz");
    if news.exists() {
        news_flags(&read_news(&news)?, tuned)?;
    }
    Ok(())
}

const METHODS: [Method; 4] = [
    Method::Exact,
    Method::MinHash,
    Method::SimHash,
    Method::Containment,
];

/// The labels whose answers are derived from their source.
const DERIVED: [&str; 2] = ["cut", "light"];

/// When an answer counts as predicted derived from its source.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// At least half of its segment bytes are flagged as duplicates of the
    /// source: the answer is mostly a near-copy (dedup's question).
    HalfOfBytes,
    /// Any segment is flagged: the answer contains reused text (a reuse
    /// detector's question).
    AnySegment,
}

impl Rule {
    fn predicts(self, flagged_fraction: f64) -> bool {
        match self {
            Rule::HalfOfBytes => flagged_fraction >= 0.5,
            Rule::AnySegment => flagged_fraction > 0.0,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Rule::HalfOfBytes => "derived when at least half of its bytes are flagged",
            Rule::AnySegment => "derived when any of its segments is flagged",
        }
    }
}

fn clough_at_defaults(clough: &Clough, rule: Rule) -> Result<()> {
    println!(
        "## Clough & Stevenson: answer vs its source (cut + light = positive, non = negative), {}\n",
        rule.describe()
    );
    println!(
        "| method | level | n | threshold | precision | recall | F1 | TP | FP | FN | cut found | light found | heavy flagged |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for method in METHODS {
        for level in [Level::Document, Level::Paragraph, Level::Sentence] {
            let dedup = Dedup::builder().levels([level]).method(method).build()?;
            let counts = clough.evaluate(&dedup, rule);
            let n = if method == Method::Exact {
                "-".to_owned()
            } else {
                dedup.ngram(level).to_string()
            };
            println!(
                "| {method} | {level} | {n} | {} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {} of {} | {} of {} | {} of {} |",
                threshold(&dedup),
                counts.precision(),
                counts.recall(),
                counts.f1(),
                counts.tp,
                counts.fp,
                counts.fn_,
                counts.flagged("cut"),
                counts.total("cut"),
                counts.flagged("light"),
                counts.total("light"),
                counts.flagged("heavy"),
                counts.total("heavy"),
            );
        }
    }
    println!();
    Ok(())
}

/// How much of each answer is in its source, by label: what any threshold
/// has to separate.
fn clough_scores(clough: &Clough) -> Result<()> {
    println!(
        "### Clough: containment of each answer's word n-grams in its source (min / median / max)\n"
    );
    const SIZES: [usize; 2] = [3, 5];
    println!("| label | 3-grams | 5-grams |");
    println!("|---|--:|--:|");
    let mut by_label: HashMap<&str, [Vec<f64>; SIZES.len()]> = HashMap::new();
    for (k, n) in SIZES.into_iter().enumerate() {
        // The smallest threshold reports every answer with its containment.
        let dedup = Dedup::builder()
            .levels([Level::Document])
            .method(Method::Containment)
            .ngram(n)
            .threshold(f64::MIN_POSITIVE)
            .build()?;
        for (label, score) in clough.scores(&dedup) {
            by_label.entry(label).or_default()[k].push(score);
        }
    }
    for label in ["cut", "light", "heavy", "non"] {
        let Some(columns) = by_label.get_mut(label) else {
            continue;
        };
        print!("| {label} ({}) |", columns[0].len());
        for scores in columns.iter_mut() {
            scores.sort_by(f64::total_cmp);
            let (min, median, max) = (
                scores[0],
                scores[scores.len() / 2],
                scores[scores.len() - 1],
            );
            print!(" {min:.2} / {median:.2} / {max:.2} |");
        }
        println!();
    }
    Ok(())
}

/// The best threshold per method and level with word 3-grams; returns the
/// best containment threshold at document level.
fn clough_tuned(clough: &Clough) -> Result<Option<f64>> {
    println!(
        "\n### Tuned: the best threshold per method and level (word 3-grams), for reference\n"
    );
    println!("| method | level | threshold | precision | recall | F1 |");
    println!("|---|---|--:|--:|--:|--:|");
    let mut containment_document = None;
    for method in [Method::MinHash, Method::SimHash, Method::Containment] {
        for level in [Level::Document, Level::Sentence] {
            let mut best: Option<(f64, Counts)> = None;
            for step in 1..=19 {
                let threshold = match method {
                    Method::SimHash => 1.0 - f64::from(step.min(8)) / 64.0,
                    _ => f64::from(step) * 0.05,
                };
                let dedup = Dedup::builder()
                    .levels([level])
                    .method(method)
                    .ngram(3)
                    .threshold(threshold)
                    .build()?;
                let counts = clough.evaluate(&dedup, Rule::HalfOfBytes);
                if best.as_ref().is_none_or(|(_, b)| counts.f1() > b.f1()) {
                    best = Some((threshold, counts));
                }
            }
            if let Some((threshold, counts)) = best {
                println!(
                    "| {method} | {level} | {threshold:.3} | {:.3} | {:.3} | {:.3} |",
                    counts.precision(),
                    counts.recall(),
                    counts.f1()
                );
                if (method, level) == (Method::Containment, Level::Document) {
                    containment_document = Some(threshold);
                }
            }
        }
    }
    Ok(containment_document)
}

fn mrpc_flags(pairs: &[serde_json::Value]) -> Result<()> {
    println!("\n## MRPC: sentence pairs flagged as near-duplicates (paraphrases should not be)\n");
    println!("| method | threshold | paraphrase pairs flagged | non-paraphrase pairs flagged |");
    println!("|---|--:|--:|--:|");
    for method in METHODS {
        let dedup = Dedup::builder()
            .levels([Level::Document])
            .method(method)
            .build()?;
        let (mut para, mut para_flagged, mut non, mut non_flagged) = (0, 0, 0, 0);
        for pair in pairs {
            let (Some(a), Some(b)) = (pair["text1"].as_str(), pair["text2"].as_str()) else {
                continue;
            };
            let mut index = dedup.index();
            index.insert("a", a);
            let flagged = !index.check("b", b).is_empty();
            if pair["label"].as_i64() == Some(1) {
                para += 1;
                para_flagged += usize::from(flagged);
            } else {
                non += 1;
                non_flagged += usize::from(flagged);
            }
        }
        println!(
            "| {method} | {} | {para_flagged} of {para} ({:.1}%) | {non_flagged} of {non} ({:.1}%) |",
            threshold(&dedup),
            100.0 * para_flagged as f64 / para.max(1) as f64,
            100.0 * non_flagged as f64 / non.max(1) as f64,
        );
    }
    Ok(())
}

/// Documents of the news corpus flagged as near-duplicates (exact ones left
/// out) of an earlier document: at each default, and at the threshold tuned
/// on Clough. One index holds every kept document, as in a real run, so a
/// common phrase counts as seen.
fn news_flags(docs: &[String], tuned: Option<f64>) -> Result<()> {
    println!(
        "\n## News corpus: documents flagged as near-duplicates of an earlier one (exact duplicates not counted)\n"
    );
    println!("| method | level | n | threshold | documents flagged |");
    println!("|---|---|--:|--:|--:|");
    // (method, n-gram size, threshold, note); `None` keeps the default. The
    // last two rows show why documents get 5-grams, and what the threshold
    // tuned on Clough would flag.
    let mut settings: Vec<(Method, Option<usize>, Option<f64>, &str)> = vec![
        (Method::MinHash, None, None, ""),
        (Method::SimHash, None, None, ""),
        (Method::Containment, None, None, ""),
        (Method::Containment, Some(3), None, ""),
    ];
    if let Some(t) = tuned {
        settings.push((Method::Containment, Some(3), Some(t), " (tuned on Clough)"));
    }
    for (method, n, t, note) in settings {
        let mut builder = Dedup::builder();
        builder.levels([Level::Document]).method(method);
        if let Some(n) = n {
            builder.ngram(n);
        }
        if let Some(t) = t {
            builder.threshold(t);
        }
        let dedup = builder.build()?;
        let mut index = dedup.index();
        let mut flagged = 0;
        for (i, text) in docs.iter().enumerate() {
            let report = index.insert(i as u64, text);
            flagged += usize::from(report.duplicates.iter().any(|d| d.method != Method::Exact));
        }
        println!(
            "| {method} | document | {} | {}{note} | {flagged} of {} ({:.1}%) |",
            dedup.ngram(Level::Document),
            threshold(&dedup),
            docs.len(),
            100.0 * flagged as f64 / docs.len().max(1) as f64,
        );
    }
    Ok(())
}

fn threshold(dedup: &Dedup) -> String {
    dedup
        .threshold()
        .map_or_else(|| "-".to_owned(), |t| format!("{t:.3}"))
}

fn read_jsonl(path: &Path) -> Result<Vec<serde_json::Value>> {
    std::fs::read_to_string(path)?
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| Ok(serde_json::from_str(line)?))
        .collect()
}

/// The `text` of every record of a gzipped JSONL file.
fn read_news(path: &Path) -> Result<Vec<String>> {
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(path)?));
    let mut docs = Vec::new();
    for line in reader.lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        if let Some(text) = record["text"].as_str() {
            docs.push(text.to_owned());
        }
    }
    Ok(docs)
}

struct Clough {
    docs: HashMap<String, String>,
    /// (answer id, source id, label)
    pairs: Vec<(String, String, String)>,
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    /// By label: (answers predicted derived, answers).
    by_label: HashMap<String, (usize, usize)>,
}

impl Counts {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn flagged(&self, label: &str) -> usize {
        self.by_label.get(label).map_or(0, |c| c.0)
    }
    fn total(&self, label: &str) -> usize {
        self.by_label.get(label).map_or(0, |c| c.1)
    }
}

impl Clough {
    fn load(dir: &Path) -> Result<Clough> {
        let docs = read_jsonl(&dir.join("docs.jsonl"))?
            .into_iter()
            .filter_map(|d| Some((d["id"].as_str()?.to_owned(), d["text"].as_str()?.to_owned())))
            .collect();
        let pairs = read_jsonl(&dir.join("pairs.jsonl"))?
            .into_iter()
            .filter_map(|p| {
                Some((
                    p["id1"].as_str()?.to_owned(),
                    p["id2"].as_str()?.to_owned(),
                    p["label"].as_str()?.to_owned(),
                ))
            })
            .collect();
        Ok(Clough { docs, pairs })
    }

    /// Each answer checked against an index holding only its source: its
    /// label, its source and the report.
    fn reports(&self, dedup: &Dedup) -> Vec<(&str, &str, Report)> {
        self.pairs
            .iter()
            .filter_map(|(answer, source, label)| {
                let (answer_text, source_text) = (self.docs.get(answer)?, self.docs.get(source)?);
                let mut index = dedup.index();
                index.insert(source.as_str(), source_text);
                Some((
                    label.as_str(),
                    source.as_str(),
                    index.check(answer.as_str(), answer_text),
                ))
            })
            .collect()
    }

    /// An answer is predicted derived when at least half of its bytes are
    /// flagged; `heavy` answers are counted by label but left out of the F1.
    fn evaluate(&self, dedup: &Dedup, rule: Rule) -> Counts {
        let mut counts = Counts::default();
        for (label, source, report) in self.reports(dedup) {
            let predicted = rule.predicts(flagged_fraction(&report, &DocId::from(source)));
            let entry = counts.by_label.entry(label.to_owned()).or_default();
            entry.0 += usize::from(predicted);
            entry.1 += 1;
            match (predicted, DERIVED.contains(&label), label == "non") {
                (true, true, _) => counts.tp += 1,
                (true, false, true) => counts.fp += 1,
                (false, true, _) => counts.fn_ += 1,
                _ => {}
            }
        }
        counts
    }

    /// Each answer's label and highest score against its source (0 when
    /// nothing is flagged).
    fn scores(&self, dedup: &Dedup) -> Vec<(&str, f64)> {
        self.reports(dedup)
            .into_iter()
            .map(|(label, _, report)| {
                let score = report
                    .duplicates
                    .iter()
                    .map(|d| d.score)
                    .fold(0.0, f64::max);
                (label, score)
            })
            .collect()
    }
}

/// The fraction of the checked text's segment bytes flagged as duplicates of
/// `source`.
fn flagged_fraction(report: &Report, source: &DocId) -> f64 {
    let total: usize = report.stats.levels.iter().map(|l| l.bytes).sum();
    let flagged: usize = report
        .duplicates
        .iter()
        .filter(|d| d.of.doc.as_ref() == Some(source))
        .map(|d| d.span.len())
        .sum();
    flagged as f64 / total.max(1) as f64
}
