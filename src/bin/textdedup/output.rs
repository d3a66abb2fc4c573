//! Writing the output.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::fail::Fail;

/// The output: a regular file is written under a temporary name and
/// renamed when complete, so a failed run never leaves a truncated file
/// under the requested name; anything else is written in place.
///
/// The workers write it themselves, in input order, one at a time: a
/// writer thread of its own had to be woken for every batch.
pub struct Output {
    sink: BufWriter<Sink>,
    name: String,
    rename: Option<(PathBuf, PathBuf)>,
    /// The first write failure: nothing is written after it.
    failed: Option<Fail>,
}

/// Opens the output `path` (stdout when `None`); gzip when the name ends in
/// `.gz`.
pub fn open(path: Option<&Path>) -> Result<Output, Fail> {
    let (sink, name, rename) = match path {
        None => (Sink::Stdout(io::stdout()), "<stdout>".to_owned(), None),
        Some(p) => {
            let name = p.display().to_string();
            let (target, rename) = if replaceable(p) {
                let tmp = temporary(p);
                (tmp.clone(), Some((tmp, p.to_owned())))
            } else {
                (p.to_owned(), None)
            };
            let file = File::create(&target).map_err(|e| Fail::io(&name, &e))?;
            let gz = p.extension().is_some_and(|e| e == "gz");
            let sink = if gz {
                Sink::Gzip(flate2::write::GzEncoder::new(
                    file,
                    flate2::Compression::fast(),
                ))
            } else {
                Sink::File(file)
            };
            (sink, name, rename)
        }
    };
    // A rendered batch at least as large as this buffer (a 192 KB batch of
    // news renders to some 200 KB) is written without being copied into it;
    // it gathers the smaller ones.
    Ok(Output {
        sink: BufWriter::with_capacity(16 << 10, sink),
        name,
        rename,
        failed: None,
    })
}

impl Output {
    /// Writes `bytes`; false when the output failed (now or before), and
    /// the run should stop.
    pub fn write(&mut self, bytes: &[u8]) -> bool {
        if self.failed.is_none()
            && let Err(e) = self.sink.write_all(bytes)
        {
            self.failed = Some(Fail::io(&self.name, &e));
        }
        self.failed.is_none()
    }

    /// Flushes what is left; moves the file into place when `keep` (the
    /// run succeeded), removes it otherwise.
    pub fn finish(self, keep: bool) -> Result<(), Fail> {
        let Output {
            sink,
            name,
            rename,
            failed,
        } = self;
        let written = match failed {
            Some(fail) => Err(fail),
            None => sink
                .into_inner()
                .map_err(|e| Fail::io(&name, e.error()))
                .and_then(|sink| finish(sink).map_err(|e| Fail::io(&name, &e))),
        };
        if let Some((tmp, path)) = rename {
            if keep && written.is_ok() {
                std::fs::rename(&tmp, &path)
                    .map_err(|e| Fail::io(&path.display().to_string(), &e))?;
            } else {
                let _ = std::fs::remove_file(&tmp);
            }
        }
        written
    }
}

/// Output buffers that were written, to be filled again: fresh memory costs
/// more than the rendering (the kernel zeroes each new huge page), and a
/// buffer freed by another worker returns slowly to its allocator's heap.
#[derive(Default)]
pub struct Buffers(Mutex<Kept>);

/// The buffers kept, and their capacity in all.
#[derive(Default)]
struct Kept {
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

/// The most buffers kept: more than are in flight at once.
const KEPT_BUFFERS: usize = 64;
/// The largest buffer kept: one grown for a huge record is freed.
const KEPT_BYTES: usize = 4 << 20;
/// The most bytes kept in all: buffers only grow, so without a bound a run
/// that alternates small and huge records would keep many large ones.
const KEPT_TOTAL: usize = 32 << 20;

impl Buffers {
    /// An empty buffer with room for `bytes`, reused when one is free.
    pub fn take(&self, bytes: usize) -> Vec<u8> {
        let reused = {
            let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let buffer = kept.buffers.pop();
            kept.bytes -= buffer.as_ref().map_or(0, Vec::capacity);
            buffer
        };
        match reused {
            Some(buffer) if buffer.capacity() >= bytes => buffer,
            // One too small is replaced, not grown: growing copies the bytes
            // it held, which are stale (callgrind: up to 17M instructions a
            // run in memcpy).
            _ => Vec::with_capacity(bytes),
        }
    }

    /// Keeps `buffer` for [`Buffers::take`].
    pub fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        let size = buffer.capacity();
        if size > KEPT_BYTES {
            return;
        }
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.buffers.len() < KEPT_BUFFERS && kept.bytes + size <= KEPT_TOTAL {
            kept.bytes += size;
            kept.buffers.push(buffer);
        }
    }
}

/// Where the output goes.
enum Sink {
    Stdout(io::Stdout),
    File(File),
    Gzip(flate2::write::GzEncoder<File>),
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(bytes),
            Sink::File(file) => file.write(bytes),
            Sink::Gzip(gz) => gz.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File(file) => file.flush(),
            Sink::Gzip(gz) => gz.flush(),
        }
    }
}

/// Flushes `sink`; a gzip stream is finished first, so that a failure to
/// write its trailer is reported, not lost when the encoder is dropped.
fn finish(sink: Sink) -> io::Result<()> {
    match sink {
        Sink::Gzip(gz) => gz.finish()?.flush(),
        mut other => other.flush(),
    }
}

/// Whether `path` may be written under a temporary name and renamed over:
/// only when it is absent or a regular file. A device (`/dev/null`), a FIFO
/// or a symbolic link is written in place, never replaced.
pub fn replaceable(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type().is_file(),
        Err(_) => true,
    }
}

/// `path` with `.tmp` appended.
pub fn temporary(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::replaceable;
    use std::path::Path;

    #[test]
    fn devices_are_never_replaced() {
        assert!(!replaceable(Path::new("/dev/null")));
        assert!(!replaceable(Path::new("/dev")));
        assert!(replaceable(Path::new("/nonexistent/textdedup/out.jsonl")));
    }
}
