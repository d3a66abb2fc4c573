//! Opening inputs (plain, gzip, zstd; files or stdin) and reading them as
//! lines of bytes, in batches.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::fail::Fail;

/// One input line, as bytes: invalid UTF-8 is reported per line, later.
pub struct RawLine {
    pub source: Arc<str>,
    /// 1-based line number in its source.
    pub line: u64,
    /// The line without its `\n` (a `\r` before it is kept; JSON ignores it).
    pub bytes: Vec<u8>,
    /// Whether this stands for an empty input file rather than a line.
    pub empty_file: bool,
}

/// Counts the bytes read from the underlying files, before decompression,
/// for the progress bar.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct Counting<R> {
    inner: R,
    counter: Counter,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The display name of an input: `<stdin>` for `-`.
pub fn name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// The total on-disk size of the inputs, when they are all regular files.
pub fn total_size(paths: &[PathBuf]) -> Option<u64> {
    paths.iter().try_fold(0u64, |sum, p| {
        if p == Path::new("-") {
            return None;
        }
        let meta = std::fs::metadata(p).ok()?;
        meta.is_file().then(|| sum + meta.len())
    })
}

/// An opened input, and whether it is decompressed on the fly.
pub struct Opened {
    pub reader: Box<dyn BufRead + Send>,
    pub compressed: bool,
}

/// Opens `path` (`-` for stdin), decompressing gzip and zstd as told by the
/// first bytes, whatever the file name.
pub fn open(path: &Path, counter: &Counter) -> Result<Opened, Fail> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| Fail::io(&name(path), &e))?)
    };
    let mut reader = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: raw,
            counter: counter.clone(),
        },
    );
    let head = reader.fill_buf().map_err(|e| Fail::io(&name(path), &e))?;
    let compressed = head.starts_with(&[0x1f, 0x8b]) || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    let out: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(reader),
        ))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let decoder = ruzstd::decoding::StreamingDecoder::new(reader)
            .map_err(|e| Fail::Input(format!("{}: not a readable zstd stream: {e}", name(path))))?;
        Box::new(BufReader::with_capacity(1 << 20, decoder))
    } else {
        Box::new(reader)
    };
    Ok(Opened {
        reader: out,
        compressed,
    })
}

/// Reads the next line into `buf` (cleared first), without its `\n`;
/// `false` at the end of input.
pub fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    let n = reader.read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(false);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    Ok(true)
}

/// Reads every input in order and hands out batches of lines of at most
/// `batch_size` lines or about 16 MB, whichever comes first. An input with
/// no line yields one `empty_file` line, so that it is reported.
pub struct Batches {
    paths: Vec<PathBuf>,
    next_path: usize,
    current: Option<Current>,
    batch_size: usize,
    // Lines are read here, then copied out at their exact size: one
    // allocation per line instead of a growing buffer's several.
    scratch: Vec<u8>,
    counter: Counter,
}

const BATCH_BYTES: usize = 16 << 20;

/// The input being read: its name, reader, and lines read so far.
struct Current {
    source: Arc<str>,
    opened: Opened,
    line: u64,
}

impl Batches {
    pub fn new(paths: Vec<PathBuf>, batch_size: usize, counter: Counter) -> Batches {
        Batches {
            paths,
            next_path: 0,
            current: None,
            batch_size,
            scratch: Vec::new(),
            counter,
        }
    }

    /// How many bytes were read from the inputs as stored (compressed, for
    /// compressed inputs) so far.
    pub fn disk_position(&self) -> u64 {
        self.counter.get()
    }

    /// The next batch; an empty batch means the end.
    pub fn next_batch(&mut self) -> Result<Vec<RawLine>, Fail> {
        let mut batch = Vec::with_capacity(self.batch_size.min(4096));
        let mut bytes = 0;
        while batch.len() < self.batch_size && bytes < BATCH_BYTES {
            if self.current.is_none() {
                let Some(path) = self.paths.get(self.next_path) else {
                    break;
                };
                self.next_path += 1;
                let opened = open(path, &self.counter)?;
                self.current = Some(Current {
                    source: name(path).into(),
                    opened,
                    line: 0,
                });
            }
            let Some(Current {
                source,
                opened,
                line,
            }) = self.current.as_mut()
            else {
                break;
            };
            let compressed = opened.compressed;
            let more = read_line(opened.reader.as_mut(), &mut self.scratch).map_err(|e| {
                let message = format!("{source}:{}: {e}", *line + 1);
                // A corrupt or truncated compressed stream is bad input,
                // not an I/O failure; decoders may report it as `Other`.
                match e.kind() {
                    io::ErrorKind::InvalidData
                    | io::ErrorKind::InvalidInput
                    | io::ErrorKind::UnexpectedEof => Fail::Input(message),
                    io::ErrorKind::Other if compressed => Fail::Input(message),
                    _ => Fail::Io(message),
                }
            })?;
            if more {
                let buf = self.scratch.clone();
                *line += 1;
                bytes += buf.len() + 1;
                batch.push(RawLine {
                    source: source.clone(),
                    line: *line,
                    bytes: buf,
                    empty_file: false,
                });
            } else {
                if *line == 0 {
                    batch.push(RawLine {
                        source: source.clone(),
                        line: 0,
                        bytes: Vec::new(),
                        empty_file: true,
                    });
                }
                self.current = None;
            }
        }
        Ok(batch)
    }
}
