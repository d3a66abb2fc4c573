//! Real text for the benches: the embedded seed article, and the news/web
//! corpus when it is present.
#![allow(dead_code)] // each bench uses the part it needs

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The seed article, embedded.
pub const SEED_ARTICLE: &str = include_str!("../../examples/data/seed_article.txt");

/// Where the corpus is: `$TEXTDEDUP_CORPUS`, else `../shared/data/corpora/news_web_en.jsonl.gz`.
pub fn corpus_path() -> PathBuf {
    match std::env::var_os("TEXTDEDUP_CORPUS") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/corpora/news_web_en.jsonl.gz"),
    }
}

/// The `text` field of each document of the corpus (`.jsonl` or `.jsonl.gz`),
/// at most `max_bytes` of text in all; `None` when the corpus is absent.
pub fn corpus_texts(max_bytes: usize) -> Option<Vec<String>> {
    let path = corpus_path();
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(_) => {
            eprintln!(
                "corpus not found at {}: skipping corpus benches",
                path.display()
            );
            return None;
        }
    };
    let reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let mut texts = Vec::new();
    let mut total = 0;
    for line in reader.lines() {
        let line = line.expect("corpus is readable");
        let value: serde_json::Value = serde_json::from_str(&line).expect("corpus line is JSON");
        if let Some(text) = value.get("text").and_then(|t| t.as_str()) {
            total += text.len();
            texts.push(text.to_owned());
            if total >= max_bytes {
                break;
            }
        }
    }
    Some(texts)
}

/// The total byte length of `texts`.
pub fn total_bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

/// The time this thread has run on a CPU, from Linux's
/// `/proc/thread-self/schedstat`; `None` elsewhere.
pub fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Times `iters` runs of `routine` by thread CPU time where the OS reports
/// it, so that other processes on a busy machine do not count (the figures
/// are per core), else by the wall clock.
pub fn cpu_timed(iters: u64, mut routine: impl FnMut()) -> Duration {
    let (wall, cpu) = (Instant::now(), thread_cpu_time());
    for _ in 0..iters {
        routine();
    }
    match (cpu, thread_cpu_time()) {
        (Some(start), Some(end)) => end.saturating_sub(start),
        _ => wall.elapsed(),
    }
}
