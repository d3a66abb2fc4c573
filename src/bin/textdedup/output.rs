//! Writing the output on a thread of its own.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::fail::Fail;

/// The output: a regular file is written under a temporary name and
/// renamed when complete, so a failed run never leaves a truncated file
/// under the requested name; anything else is written in place.
pub struct Output {
    pub tx: SyncSender<Vec<u8>>,
    /// The written buffers, for the renderers to fill again.
    pub buffers: Buffers,
    handle: JoinHandle<Result<(), Fail>>,
    rename: Option<(PathBuf, PathBuf)>,
}

/// Starts the writer for `path` (stdout when `None`); gzip when the name
/// ends in `.gz`.
pub fn spawn(path: Option<&Path>) -> Result<Output, Fail> {
    // Room for four batches: a full queue stalls the pool's loop, and so
    // the pool, whenever the writer is not scheduled in time.
    let (tx, rx) = sync_channel::<Vec<u8>>(4);
    let (sink, name, rename): (Box<dyn Write + Send>, String, _) = match path {
        None => (Box::new(io::stdout()), "<stdout>".to_owned(), None),
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
            let sink: Box<dyn Write + Send> = if gz {
                Box::new(flate2::write::GzEncoder::new(
                    file,
                    flate2::Compression::fast(),
                ))
            } else {
                Box::new(file)
            };
            (sink, name, rename)
        }
    };
    let buffers = Buffers::default();
    let returned = buffers.clone();
    let handle = std::thread::spawn(move || {
        // A rendered chunk at least as large as this buffer (16 records of
        // news are some 17 KB) is written without being copied into it; it
        // gathers the smaller ones. At 64 KB, most chunks were copied.
        let mut w = BufWriter::with_capacity(16 << 10, sink);
        for chunk in rx {
            w.write_all(&chunk).map_err(|e| Fail::io(&name, &e))?;
            returned.give(chunk);
        }
        let sink = w.into_inner().map_err(|e| Fail::io(&name, e.error()))?;
        finish(sink).map_err(|e| Fail::io(&name, &e))
    });
    Ok(Output {
        tx,
        buffers,
        handle,
        rename,
    })
}

/// Output buffers that were written, to be filled again: fresh memory costs
/// more than the rendering (the kernel zeroes each new huge page), and
/// buffers freed on the writer thread return slowly to the renderers' heaps.
#[derive(Clone, Default)]
pub struct Buffers(Arc<Mutex<Kept>>);

/// The buffers kept, and their capacity in all.
#[derive(Default)]
struct Kept {
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

/// The most buffers kept: more than are in flight at once.
const KEPT_BUFFERS: usize = 256;
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

fn finish(mut sink: Box<dyn Write + Send>) -> io::Result<()> {
    sink.flush()
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

impl Output {
    /// Waits for everything to be written; moves the file into place when
    /// `keep` (the run succeeded), removes it otherwise.
    pub fn finish(self, keep: bool) -> Result<(), Fail> {
        drop(self.tx);
        let written = self
            .handle
            .join()
            .unwrap_or_else(|_| Err(Fail::Io("the writer thread failed".into())));
        if let Some((tmp, path)) = self.rename {
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
