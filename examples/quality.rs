//! Quality on labeled data: precision, recall and F1 of each method at its
//! default threshold, on the Clough & Stevenson plagiarism corpus (answers
//! labeled `cut` or `light` are near-duplicates of their source, `non` are
//! not, `heavy` revisions are left out), and how many MRPC paraphrase pairs
//! each method flags (paraphrases are not near-duplicates).
//!
//! ```text
//! cargo run --release --example quality [DATA_DIR]   # default ../shared/data
//! ```
//!
//! The data is research-licensed and not part of the repository; without it
//! the example says so and exits successfully.

use std::collections::HashMap;
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
    println!(
        "## Clough & Stevenson: answer vs its source (cut + light = positive, non = negative)\n"
    );
    println!("| method | level | threshold | precision | recall | F1 | TP | FP | FN |");
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|");
    let clough = Clough::load(&labeled.join("clough_plagiarism"))?;
    for method in METHODS {
        for level in [Level::Document, Level::Sentence] {
            let dedup = Dedup::builder().levels([level]).method(method).build()?;
            let counts = clough.evaluate(&dedup);
            println!(
                "| {method} | {level} | {} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
                threshold(&dedup),
                counts.precision(),
                counts.recall(),
                counts.f1(),
                counts.tp,
                counts.fp,
                counts.fn_,
            );
        }
    }
    println!(
        "\n### Tuned: the best threshold per method and level (word 3-grams), for reference\n"
    );
    println!("| method | level | threshold | precision | recall | F1 |");
    println!("|---|---|--:|--:|--:|--:|");
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
                let counts = clough.evaluate(&dedup);
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
            }
        }
    }
    let mrpc = labeled.join("mrpc/pairs.jsonl");
    if mrpc.exists() {
        println!(
            "\n## MRPC: sentence pairs flagged as near-duplicates (paraphrases should not be)\n"
        );
        println!(
            "| method | threshold | paraphrase pairs flagged | non-paraphrase pairs flagged |"
        );
        println!("|---|--:|--:|--:|");
        let pairs = read_jsonl(&mrpc)?;
        for method in METHODS {
            let dedup = Dedup::builder()
                .levels([Level::Document])
                .method(method)
                .build()?;
            let (mut para, mut para_flagged, mut non, mut non_flagged) = (0, 0, 0, 0);
            for pair in &pairs {
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
    }
    Ok(())
}

const METHODS: [Method; 4] = [
    Method::Exact,
    Method::MinHash,
    Method::SimHash,
    Method::Containment,
];

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

struct Clough {
    docs: HashMap<String, String>,
    /// (answer id, source id, derived?)
    pairs: Vec<(String, String, bool)>,
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
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
                let derived = match p["label"].as_str()? {
                    "cut" | "light" => true,
                    "non" => false,
                    _ => return None,
                };
                Some((
                    p["id1"].as_str()?.to_owned(),
                    p["id2"].as_str()?.to_owned(),
                    derived,
                ))
            })
            .collect();
        Ok(Clough { docs, pairs })
    }

    /// Each answer is checked against an index holding only its source; it
    /// is predicted derived when at least half of its bytes are flagged.
    fn evaluate(&self, dedup: &Dedup) -> Counts {
        let mut counts = Counts::default();
        for (answer, source, derived) in &self.pairs {
            let (Some(answer_text), Some(source_text)) =
                (self.docs.get(answer), self.docs.get(source))
            else {
                continue;
            };
            let mut index = dedup.index();
            index.insert(source.as_str(), source_text);
            let report = index.check(answer.as_str(), answer_text);
            let predicted = flagged_fraction(&report, &DocId::from(source.as_str())) >= 0.5;
            match (predicted, *derived) {
                (true, true) => counts.tp += 1,
                (true, false) => counts.fp += 1,
                (false, true) => counts.fn_ += 1,
                (false, false) => {}
            }
        }
        counts
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
