//! The crate's one error type.

use std::fmt;

/// Everything that can go wrong in `textdedup`.
///
/// Running a built deduplicator on text never fails; errors come from invalid
/// settings, and from reading data that was persisted or supplied from
/// outside (indexes, JSON lines). Each message says what is wrong and what to
/// do about it.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A setting given to a builder is out of range or contradicts another.
    InvalidConfig {
        /// The name of the builder option, e.g. `"threshold"`.
        option: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A persisted index or signature file could not be used.
    Format {
        /// What is wrong with the data and what to do.
        message: String,
    },
    /// An input record could not be read.
    Input {
        /// Where the record came from, e.g. a file name, or `"<stdin>"`.
        source: String,
        /// The 1-based line number of the record.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// An I/O error while reading or writing.
    Io(std::io::Error),
}

impl Error {
    pub(crate) fn config(option: &'static str, message: impl Into<String>) -> Error {
        Error::InvalidConfig {
            option,
            message: message.into(),
        }
    }

    #[allow(dead_code)] // used by the persisted-index code
    pub(crate) fn format(message: impl Into<String>) -> Error {
        Error::Format {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig { option, message } => {
                write!(f, "invalid setting `{option}`: {message}")
            }
            Error::Format { message } => write!(f, "unusable index data: {message}"),
            Error::Input {
                source,
                line,
                message,
            } => write!(f, "{source}:{line}: {message}"),
            Error::Io(err) => write!(f, "I/O error: {err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::Io(err)
    }
}
