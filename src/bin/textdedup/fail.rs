//! Why a run stopped, and its exit code.

use std::fmt;
use std::path::Path;

/// A run-stopping failure: bad input or usage (exit 1) or I/O (exit 2).
#[derive(Debug)]
pub enum Fail {
    /// Bad usage, bad settings, a bad record under `--on-error fail`, or an
    /// unusable index file.
    Input(String),
    /// Reading or writing failed.
    Io(String),
}

impl Fail {
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail::Input(message.into())
    }

    pub fn io(path: &str, err: &std::io::Error) -> Fail {
        Fail::Io(format!("{path}: {err}"))
    }

    /// A library error about `path`: I/O errors exit 2, the rest exit 1.
    pub fn lib(path: &Path, err: textdedup::Error) -> Fail {
        match err {
            textdedup::Error::Io(e) => Fail::io(&path.display().to_string(), &e),
            other => Fail::Input(format!("{}: {other}", path.display())),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Fail::Input(_) => 1,
            Fail::Io(_) => 2,
        }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Input(m) | Fail::Io(m) => f.write_str(m),
        }
    }
}
