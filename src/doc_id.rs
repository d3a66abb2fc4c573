//! The caller's names for documents.

use std::fmt;

/// A document's identifier, as the caller gave it: a number or a string.
///
/// ```
/// use textdedup::DocId;
/// assert_eq!(DocId::from(7u64).to_string(), "7");
/// assert_eq!(DocId::from("reuters-12").to_string(), "reuters-12");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(untagged)
)]
pub enum DocId {
    /// A numeric id, such as a line number.
    Num(u64),
    /// A string id.
    Str(String),
}

impl From<u64> for DocId {
    fn from(id: u64) -> DocId {
        DocId::Num(id)
    }
}

impl From<&str> for DocId {
    fn from(id: &str) -> DocId {
        DocId::Str(id.to_owned())
    }
}

impl From<String> for DocId {
    fn from(id: String) -> DocId {
        DocId::Str(id)
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocId::Num(n) => write!(f, "{n}"),
            DocId::Str(s) => f.write_str(s),
        }
    }
}
