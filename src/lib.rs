//! Find and remove duplicate and near-duplicate text at the paragraph,
//! sentence, sentence-window and document level, using normalized hashing.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod fingerprint;
pub mod near;
pub mod normalize;
pub mod segment;
mod span;

pub use crate::error::Error;
pub use crate::fingerprint::Fingerprint;
pub use crate::normalize::{Normalizer, NormalizerBuilder, Preset};
pub use crate::segment::ParagraphMode;
pub use crate::span::Span;
