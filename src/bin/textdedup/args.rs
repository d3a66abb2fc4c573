//! The command line, and turning it into library settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use textdedup::{Dedup, Level, Method, ParagraphMode, Preset};

use crate::fail::Fail;

/// Find and remove duplicate paragraphs, sentences and documents in JSONL
/// corpora (plain, .gz or .zst), on all cores, with the same output every
/// time.
#[derive(Parser, Debug)]
#[command(name = "textdedup", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read JSONL records, write them back in order with duplicates removed
    /// from their text and a `duplicates` field saying what was removed.
    Dedup(DedupArgs),
}

#[derive(Args, Debug)]
pub struct DedupArgs {
    /// Input files (plain, gzip or zstd JSONL, detected from their first
    /// bytes); `-` or none for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Write the output JSONL here (gzip-compressed if it ends in `.gz`)
    /// instead of stdout.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,

    /// Granularity to compare at; repeat for several.
    #[arg(long = "level", value_enum, default_values_t = [LevelArg::Paragraph])]
    pub levels: Vec<LevelArg>,

    /// How segments are compared.
    #[arg(long, value_enum, default_value_t = MethodArg::Exact)]
    pub method: MethodArg,

    /// Similarity threshold for near-duplicate methods, in (0, 1]
    /// (default 0.8; for simhash 1 - 3/64).
    #[arg(long)]
    pub threshold: Option<f64>,

    /// MinHash permutations.
    #[arg(long, default_value_t = 128)]
    pub num_perm: usize,

    /// Word n-gram size of shingles (default 5, and 3 for sentences).
    #[arg(long)]
    pub ngram: Option<usize>,

    /// Normalization rules applied before hashing.
    #[arg(long, value_enum, default_value_t = PresetArg::Default)]
    pub preset: PresetArg,

    /// How texts are split into paragraphs.
    #[arg(long, value_enum, default_value_t = ParagraphsArg::Auto)]
    pub paragraphs: ParagraphsArg,

    /// Segments with fewer letters and digits than this are never flagged.
    #[arg(long, default_value_t = 10)]
    pub min_chars: usize,

    /// Sentences per window at `--level span`.
    #[arg(long, default_value_t = 3)]
    pub span_sentences: usize,

    /// The field holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,

    /// The field holding the document id (string or number); the 1-based
    /// line number, counted across all inputs, when absent.
    #[arg(long, default_value = "id")]
    pub id_field: String,

    /// Leave the text unchanged; only add the `duplicates` field.
    #[arg(long)]
    pub annotate_only: bool,

    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,

    /// Records per batch handed to the workers; changes speed and memory,
    /// never the output.
    #[arg(long, default_value_t = 2048)]
    pub batch_size: usize,

    /// Start from (or, with --check-only, check against) an index saved by
    /// --index-out with the same settings. Repeat to merge the indexes of
    /// shards, earlier shards first: a segment in several is kept where it
    /// was first seen.
    #[arg(long)]
    pub index_in: Vec<PathBuf>,

    /// Save the index (with --bloom-bytes, the Bloom filter) at the end.
    #[arg(long)]
    pub index_out: Option<PathBuf>,

    /// Do not add the records to the index: only check them against
    /// --index-in (decontamination).
    #[arg(long)]
    pub check_only: bool,

    /// Write a JSON summary here.
    #[arg(long)]
    pub stats: Option<PathBuf>,

    /// Write a self-contained HTML page here showing each duplicate of the
    /// first records (at most 1,000 records; meant for a small input).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// What to do with a record that cannot be processed.
    #[arg(long, value_enum, default_value_t = OnError::Fail)]
    pub on_error: OnError,

    /// Records longer than this many bytes are errors.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_record_bytes: usize,

    /// Keep exact fingerprints (and, with --method containment, n-grams) in a
    /// Bloom filter of this many bytes (suffixes K, M, G) instead of an
    /// index: bounded memory, `"of": null` for duplicates of earlier records,
    /// and a false positive rate printed at the start and the end. With
    /// --index-in/--index-out, the filter is loaded/saved (same size).
    #[arg(long, value_parser = parse_bytes)]
    pub bloom_bytes: Option<usize>,

    /// Bits set per fingerprint in the Bloom filter.
    #[arg(long, default_value_t = 7)]
    pub bloom_hashes: u32,

    /// Read a sample of the input, print the estimated index memory, and
    /// stop.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelArg {
    Paragraph,
    Sentence,
    Span,
    Document,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodArg {
    Exact,
    Minhash,
    Simhash,
    Containment,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetArg {
    Default,
    Ccnet,
    Datatrove,
    C4,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParagraphsArg {
    Auto,
    Lines,
    Blocks,
    Wrapped,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Stop with exit code 1 at the first bad record.
    Fail,
    /// Leave the record out of the output.
    Skip,
    /// Copy the record unchanged, with an `error` field.
    Passthrough,
}

/// Parses `123`, `64K`, `512M`, `2G` (powers of 1024).
fn parse_bytes(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (digits, shift) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 10),
        Some('M') => (&s[..s.len() - 1], 20),
        Some('G') => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size: use e.g. 1048576, 512M or 2G"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))
}

impl DedupArgs {
    /// The deduplicator these options describe.
    pub fn dedup(&self) -> Result<Dedup, Fail> {
        let mut builder = Dedup::builder();
        builder
            .levels(self.levels.iter().map(|l| match l {
                LevelArg::Paragraph => Level::Paragraph,
                LevelArg::Sentence => Level::Sentence,
                LevelArg::Span => Level::SentenceSpan,
                LevelArg::Document => Level::Document,
            }))
            .preset(match self.preset {
                PresetArg::Default => Preset::Default,
                PresetArg::Ccnet => Preset::CcNet,
                PresetArg::Datatrove => Preset::Datatrove,
                PresetArg::C4 => Preset::C4,
            })
            .paragraph_mode(match self.paragraphs {
                ParagraphsArg::Auto => ParagraphMode::Auto,
                ParagraphsArg::Lines => ParagraphMode::Lines,
                ParagraphsArg::Blocks => ParagraphMode::Blocks,
                ParagraphsArg::Wrapped => ParagraphMode::Wrapped,
            })
            .span_sentences(self.span_sentences)
            .min_chars(self.min_chars);
        self.method(&mut builder)?;
        builder.build().map_err(|e| Fail::usage(e.to_string()))
    }

    /// Applies --method, --threshold, --num-perm and --ngram.
    fn method(&self, builder: &mut textdedup::DedupBuilder) -> Result<(), Fail> {
        let method = match self.method {
            MethodArg::Exact => Method::Exact,
            MethodArg::Minhash => Method::MinHash,
            MethodArg::Simhash => Method::SimHash,
            MethodArg::Containment => Method::Containment,
        };
        if method == Method::Exact && self.threshold.is_some() {
            return Err(Fail::usage(
                "--threshold applies to --method minhash, simhash or containment, not exact",
            ));
        }
        builder.method(method).num_perm(self.num_perm);
        if let Some(t) = self.threshold {
            builder.threshold(t);
        }
        if let Some(n) = self.ngram {
            builder.ngram(n);
        }
        Ok(())
    }

    /// Checks the combinations clap cannot express.
    pub fn validate(&self) -> Result<(), Fail> {
        if self.batch_size == 0 {
            return Err(Fail::usage("--batch-size must be at least 1"));
        }
        if self.threads == Some(0) {
            return Err(Fail::usage("--threads must be at least 1"));
        }
        if self.check_only && self.index_in.is_empty() {
            return Err(Fail::usage(
                "--check-only needs --index-in: the saved index to check against",
            ));
        }
        if self.bloom_bytes.is_some()
            && matches!(self.method, MethodArg::Minhash | MethodArg::Simhash)
        {
            return Err(Fail::usage(
                "--bloom-bytes works with --method exact or containment: a Bloom filter holds \
                 fingerprints and n-grams, not MinHash signatures or simhashes",
            ));
        }
        if self.bloom_bytes.is_some() && self.html.is_some() {
            return Err(Fail::usage(
                "--html cannot be used with --bloom-bytes: a Bloom filter cannot say what a \
                 duplicate repeats; drop --bloom-bytes for a small input",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_bytes("100"), Ok(100));
        assert_eq!(parse_bytes("64k"), Ok(64 << 10));
        assert_eq!(parse_bytes("512M"), Ok(512 << 20));
        assert_eq!(parse_bytes("2G"), Ok(2 << 30));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("").is_err());
    }
}
