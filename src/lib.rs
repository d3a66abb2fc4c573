//! Find and remove duplicate text — paragraphs, sentences, windows of
//! sentences and whole documents — inside one document or across a corpus.
//!
//! Text is split into segments, each with its byte [`Span`] in the original
//! text; each segment is normalized (Unicode NFKC, case folding, punctuation
//! and white space folded, by a [`Preset`]) and fingerprinted with a stable
//! 128-bit hash; segments whose fingerprints were seen before are reported as
//! duplicates of the first occurrence. A [`Report`] says, for every duplicate,
//! what it duplicates, and gives back the text without the duplicates.
//!
//! # Example: remove repeated paragraphs from one document
//!
//! ```
//! use textdedup::{Dedup, Level};
//!
//! let text = "\
//! Stocks rose on Friday.
//! Oil prices fell sharply.
//! Stocks rose on Friday.";
//! let report = Dedup::new().check(text);
//! let dup = &report.duplicates[0];
//! assert_eq!(dup.level, Level::Paragraph);
//! assert_eq!(&text[dup.span.range()], "Stocks rose on Friday.");
//! assert_eq!(dup.of.span.start, 0); // what it repeats
//! assert_eq!(report.cleaned(text), "Stocks rose on Friday.\nOil prices fell sharply.");
//! ```
//!
//! # Example: find sentences repeated across a stream of documents
//!
//! ```
//! use textdedup::{Dedup, DocId, Level};
//!
//! let dedup = Dedup::builder().levels([Level::Sentence]).build()?;
//! let mut index = dedup.index();
//! index.insert("wire", "The central bank held rates. Markets were calm.");
//! let report = index.insert("blog", "Big day! The CENTRAL bank held rates.");
//! assert_eq!(report.duplicates.len(), 1);
//! assert_eq!(report.duplicates[0].of.doc, Some(DocId::from("wire")));
//! assert_eq!(report.stats.level(Level::Sentence).unwrap().segments, 2);
//! # Ok::<(), textdedup::Error>(())
//! ```
//!
//! # Example: near-duplicates with MinHash, verified
//!
//! Exact matches are always found; a near-duplicate method adds segments
//! that differ by a few words. Every LSH candidate is verified against the
//! threshold, and a duplicate names the earliest kept segment it matches,
//! never one reached through a chain of matches.
//!
//! ```
//! use textdedup::{Dedup, Level, Method};
//!
//! let dedup = Dedup::builder()
//!     .levels([Level::Document])
//!     .method(Method::MinHash)
//!     .threshold(0.7)
//!     .build()?;
//! let mut index = dedup.index();
//! index.insert("a", "The city council voted on Tuesday to approve the new budget for parks and libraries next year.");
//! let report = index.insert("b", "The city council voted on Tuesday to approve the new budget for parks and libraries this year.");
//! let dup = &report.duplicates[0];
//! assert_eq!(dup.method, Method::MinHash);
//! assert!(dup.score >= 0.7 && dup.score < 1.0);
//! # Ok::<(), textdedup::Error>(())
//! ```
//!
//! # Example: sketch on many threads, index in order
//!
//! [`Dedup::sketch`] is the pure per-document stage (segment, normalize,
//! fingerprint); [`Index::insert_sketch`] applies sketches in input order, so
//! the result is the same with one thread or many.
//!
//! ```
//! use textdedup::{Dedup, DocId};
//!
//! let docs = ["Alpha paragraph text.", "Beta paragraph text.", "Alpha paragraph text."];
//! let dedup = Dedup::new();
//! let sketches: Vec<_> = std::thread::scope(|s| {
//!     let handles: Vec<_> = docs.iter().map(|d| s.spawn(|| dedup.sketch(d))).collect();
//!     handles.into_iter().map(|h| h.join().unwrap()).collect()
//! });
//! let mut index = dedup.index();
//! let reports: Vec<_> = sketches
//!     .iter()
//!     .enumerate()
//!     .map(|(i, sketch)| index.insert_sketch(DocId::from(i as u64), sketch))
//!     .collect();
//! assert!(reports[0].is_empty() && reports[1].is_empty());
//! assert_eq!(reports[2].duplicates[0].of.doc, Some(DocId::Num(0)));
//! ```
//!
//! # Levels and spans
//!
//! - [`Level::Paragraph`]: lines or blank-line blocks, see [`ParagraphMode`].
//! - [`Level::Sentence`]: sentences inside paragraphs, never crossing one.
//! - [`Level::SentenceSpan`]: windows of consecutive sentences (three by
//!   default), as in C4.
//! - [`Level::Document`]: the whole text.
//!
//! The [`segment`] module exposes the segmenters, and [`normalize`] the
//! normalizers, for use on their own.
//!
//! # Crate features
//!
//! - `serde` (default): `Serialize` and `Deserialize` for reports, spans,
//!   levels, methods, presets and document ids.
//! - `cli`: the `textdedup` command for JSONL corpora (plain, `.gz`, `.zst`),
//!   parallel and deterministic; see the README.
//!
//! # Safety
//!
//! Three private modules use `unsafe`. Two hold vector code that is only
//! callable after a run-time check of the CPU: on x86-64 CPUs with AVX2 and
//! BMI2, the ASCII pass of the default normalization
//! (`normalize/simd.rs`), and with AVX2, the scan for line ends of ASCII
//! text (`segment/simd.rs`); each gives the same results as the portable
//! code, which every other CPU runs, and property tests compare the two.
//! The third (`index/prefetch.rs`) issues a prefetch, a hint that never
//! faults. The rest of the crate denies `unsafe_code`.
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod bloom;
mod clean;
mod dedup;
mod doc_id;
mod error;
mod fingerprint;
mod fxmap;
mod html;
mod index;
mod level;
pub mod near;
pub mod normalize;
mod report;
pub mod segment;
mod span;

pub use crate::bloom::{BloomDedup, BloomDuplicate, BloomFilter, BloomReport};
pub use crate::dedup::{Dedup, DedupBuilder, Sketch};
pub use crate::doc_id::DocId;
pub use crate::error::Error;
pub use crate::fingerprint::Fingerprint;
pub use crate::html::{HtmlDoc, html_page};
pub use crate::index::Index;
pub use crate::level::{Level, Method};
pub use crate::normalize::{Normalizer, NormalizerBuilder, Preset};
pub use crate::report::{Cluster, Duplicate, LevelStats, Origin, Report, Stats};
pub use crate::segment::{ParagraphMode, Paragraphs, SentenceWindows, Sentences};
pub use crate::span::Span;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
