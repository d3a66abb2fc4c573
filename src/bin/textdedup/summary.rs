//! Counts for the summary line and the `--stats` file.

use std::collections::BTreeMap;
use std::time::Duration;

use textdedup::Level;

use crate::pipeline::Found;
use crate::record::ErrorKind;

#[derive(Default)]
pub struct Summary {
    /// Input lines read (records, good or bad).
    pub lines: u64,
    /// Records deduplicated.
    pub documents: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub text_bytes_in: u64,
    pub text_bytes_out: u64,
    pub errors: BTreeMap<ErrorKind, u64>,
    /// By level and method name.
    pub duplicates: BTreeMap<(Level, &'static str), u64>,
    pub duplicate_bytes: BTreeMap<Level, u64>,
    pub segments: BTreeMap<Level, u64>,
    /// Where the last processed batch ends in the stored input.
    pub disk_position: u64,
}

impl Summary {
    /// Counts a deduplicated record (on a worker: see [`Summary::merge`]).
    pub(crate) fn count_doc(&mut self, text_len: usize, found: &Found) {
        self.documents += 1;
        self.text_bytes_in += text_len as u64;
        let stats = match found {
            Found::Index(r) => {
                for d in &r.duplicates {
                    *self
                        .duplicates
                        .entry((d.level, d.method.name()))
                        .or_default() += 1;
                }
                &r.stats
            }
            Found::Bloom(r) => {
                for d in &r.duplicates {
                    *self
                        .duplicates
                        .entry((d.level, d.method.name()))
                        .or_default() += 1;
                }
                &r.stats
            }
        };
        for level in &stats.levels {
            *self.segments.entry(level.level).or_default() += level.segments as u64;
            *self.duplicate_bytes.entry(level.level).or_default() += level.duplicate_bytes as u64;
        }
    }

    /// Adds the counts of records rendered on a worker.
    pub fn merge(&mut self, part: Summary) {
        self.lines += part.lines;
        self.documents += part.documents;
        self.bytes_in += part.bytes_in;
        self.bytes_out += part.bytes_out;
        self.text_bytes_in += part.text_bytes_in;
        self.text_bytes_out += part.text_bytes_out;
        for (k, n) in part.errors {
            *self.errors.entry(k).or_default() += n;
        }
        for (k, n) in part.duplicates {
            *self.duplicates.entry(k).or_default() += n;
        }
        for (k, n) in part.duplicate_bytes {
            *self.duplicate_bytes.entry(k).or_default() += n;
        }
        for (k, n) in part.segments {
            *self.segments.entry(k).or_default() += n;
        }
    }

    pub fn count_error(&mut self, kind: ErrorKind) {
        *self.errors.entry(kind).or_default() += 1;
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The one-line summary printed at the end of every run.
    pub fn line(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64();
        let mb = |b: u64| b as f64 / 1e6;
        let dups: Vec<String> = self
            .duplicates
            .iter()
            .map(|((level, method), n)| format!("{level}/{method} {n}"))
            .collect();
        let dups = if dups.is_empty() {
            "none".to_owned()
        } else {
            dups.join(", ")
        };
        let errors: Vec<String> = self
            .errors
            .iter()
            .map(|(k, n)| format!("{} {n}", k.name()))
            .collect();
        let errors = if errors.is_empty() {
            String::new()
        } else {
            format!(" ({} bad: {})", self.error_count(), errors.join(", "))
        };
        format!(
            "textdedup: {} documents{errors}; {:.1} MB in, {:.1} MB out (text {:.1} -> {:.1} MB); \
             duplicates: {dups}; {secs:.2} s, {:.1} MB/s",
            self.documents,
            mb(self.bytes_in),
            mb(self.bytes_out),
            mb(self.text_bytes_in),
            mb(self.text_bytes_out),
            if secs > 0.0 {
                mb(self.bytes_in) / secs
            } else {
                0.0
            },
        )
    }

    /// The `--stats` JSON.
    pub fn json(&self, elapsed: Duration, extra: serde_json::Value) -> serde_json::Value {
        let mut dups = serde_json::Map::new();
        for ((level, method), n) in &self.duplicates {
            let entry = dups
                .entry(level.name())
                .or_insert_with(|| serde_json::json!({}));
            entry[*method] = (*n).into();
        }
        let per_level = |m: &BTreeMap<Level, u64>| {
            m.iter()
                .map(|(l, n)| (l.name().to_owned(), serde_json::Value::from(*n)))
                .collect::<serde_json::Map<_, _>>()
        };
        let errors: serde_json::Map<_, _> = self
            .errors
            .iter()
            .map(|(k, n)| (k.name().to_owned(), serde_json::Value::from(*n)))
            .collect();
        serde_json::json!({
            "lines": self.lines,
            "documents": self.documents,
            "errors": errors,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "text_bytes_in": self.text_bytes_in,
            "text_bytes_out": self.text_bytes_out,
            "segments": per_level(&self.segments),
            "duplicates": dups,
            "duplicate_bytes": per_level(&self.duplicate_bytes),
            "seconds": elapsed.as_secs_f64(),
            "engine": extra,
        })
    }
}
