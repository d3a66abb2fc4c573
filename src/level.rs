//! What kind of segment a duplicate is, and how it was found.

use std::fmt;

/// The granularity at which text is compared.
///
/// ```
/// use textdedup::Level;
/// assert_eq!(Level::Paragraph.to_string(), "paragraph");
/// assert_eq!("span".parse::<Level>().unwrap(), Level::SentenceSpan);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Level {
    /// The whole document, trimmed of surrounding white space.
    Document,
    /// A paragraph, as chosen by the [`ParagraphMode`](crate::ParagraphMode).
    Paragraph,
    /// A window of consecutive sentences (three by default), as in C4.
    #[cfg_attr(feature = "serde", serde(rename = "span"))]
    SentenceSpan,
    /// One sentence, never crossing a paragraph boundary.
    Sentence,
}

impl Level {
    /// Every level, from the largest segments to the smallest.
    pub const ALL: [Level; 4] = [
        Level::Document,
        Level::Paragraph,
        Level::SentenceSpan,
        Level::Sentence,
    ];

    /// The level's name as used in reports and on the command line.
    ///
    /// ```
    /// assert_eq!(textdedup::Level::SentenceSpan.name(), "span");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Level::Document => "document",
            Level::Paragraph => "paragraph",
            Level::SentenceSpan => "span",
            Level::Sentence => "sentence",
        }
    }

    pub(crate) fn ordinal(self) -> usize {
        match self {
            Level::Document => 0,
            Level::Paragraph => 1,
            Level::SentenceSpan => 2,
            Level::Sentence => 3,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Level {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Level, crate::Error> {
        Level::ALL
            .into_iter()
            .find(|level| level.name() == s)
            .ok_or_else(|| {
                crate::Error::config(
                    "level",
                    format!("unknown level {s:?}: use document, paragraph, span or sentence"),
                )
            })
    }
}

/// How a duplicate was found.
///
/// ```
/// assert_eq!(textdedup::Method::Exact.to_string(), "exact");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Method {
    /// The normalized segments are identical (equal 128-bit fingerprints).
    Exact,
    /// MinHash signatures with LSH banding, verified by estimated Jaccard.
    MinHash,
    /// 64-bit SimHash within a Hamming distance.
    SimHash,
    /// Most of the segment's n-grams were seen before.
    Containment,
}

impl Method {
    /// The method's name as used in reports and on the command line.
    ///
    /// ```
    /// assert_eq!(textdedup::Method::MinHash.name(), "minhash");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::MinHash => "minhash",
            Method::SimHash => "simhash",
            Method::Containment => "containment",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
