//! Find and remove duplicate and near-duplicate text at the paragraph,
//! sentence, sentence-window and document level, using normalized hashing.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod clean;
mod dedup;
mod doc_id;
mod error;
mod fingerprint;
mod fxmap;
mod index;
mod level;
pub mod near;
pub mod normalize;
mod report;
pub mod segment;
mod span;

pub use crate::dedup::{Dedup, DedupBuilder, Sketch};
pub use crate::doc_id::DocId;
pub use crate::error::Error;
pub use crate::fingerprint::Fingerprint;
pub use crate::index::Index;
pub use crate::level::{Level, Method};
pub use crate::normalize::{Normalizer, NormalizerBuilder, Preset};
pub use crate::report::{Cluster, Duplicate, LevelStats, Origin, Report, Stats};
pub use crate::segment::ParagraphMode;
pub use crate::span::Span;
