//! Opening inputs (plain, gzip, zstd; files or stdin) and reading them as
//! lines of bytes, in batches.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;

use crate::fail::Fail;

/// One input line, as a range of its batch's text.
pub struct RawLine {
    pub source: Arc<str>,
    /// 1-based line number in its source.
    pub line: u64,
    /// The line in [`Batch::text`], without its `\n` (a `\r` before it is
    /// kept; JSON ignores it).
    pub range: Range<usize>,
    /// The line's size in the input, with its `\n`.
    pub in_bytes: usize,
    /// Where the line stops being UTF-8, when it is not: the batch's text
    /// then holds its lossy decoding, for the error message.
    pub invalid_utf8: Option<usize>,
    /// Whether this stands for an empty input file rather than a line.
    pub empty_file: bool,
}

/// Lines read together: one string holds them all, so a batch costs two
/// allocations, not one per line.
#[derive(Default)]
pub struct Batch {
    pub text: String,
    pub lines: Vec<RawLine>,
}

impl Batch {
    /// Appends one line (without its `\n`) to the batch, decoded lossily
    /// when it is not UTF-8.
    fn push_line(&mut self, source: &Arc<str>, line: u64, bytes: &[u8]) {
        let start = self.text.len();
        let invalid_utf8 = match std::str::from_utf8(bytes) {
            Ok(s) => {
                self.text.push_str(s);
                None
            }
            Err(e) => {
                self.text.push_str(&String::from_utf8_lossy(bytes));
                Some(e.valid_up_to())
            }
        };
        self.lines.push(RawLine {
            source: source.clone(),
            line,
            range: start..self.text.len(),
            in_bytes: bytes.len() + 1,
            invalid_utf8,
            empty_file: false,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
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

/// Reads every input in order and hands out batches of lines of at most
/// `batch_size` lines or about 4 MB, whichever comes first. An input with
/// no line yields one `empty_file` line, so that it is reported.
pub struct Batches {
    paths: Vec<PathBuf>,
    next_path: usize,
    current: Option<Current>,
    batch_size: usize,
    /// The start of a line cut by the end of the reader's buffer.
    partial: Vec<u8>,
    counter: Counter,
    /// The text buffers of finished batches, to be reused.
    recycled: Option<Receiver<String>>,
}

/// The bytes of text after which a batch ends (with the line being read):
/// a few times the work a thread does between two looks at its queue, and
/// small, as five batches are in flight.
const BATCH_BYTES: usize = 4 << 20;
/// Room for the line that crosses `BATCH_BYTES`, as most are shorter.
const LINE_ROOM: usize = 256 << 10;

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
            partial: Vec::new(),
            counter,
            recycled: None,
        }
    }

    /// Takes the text buffers of finished batches from `rx` rather than
    /// allocating new ones: the allocator would hand back fresh pages, which
    /// the kernel zeroes first.
    pub fn recycle_from(&mut self, rx: Receiver<String>) {
        self.recycled = Some(rx);
    }

    /// How many bytes were read from the inputs as stored (compressed, for
    /// compressed inputs) so far.
    pub fn disk_position(&self) -> u64 {
        self.counter.get()
    }

    /// The next batch; an empty batch means the end.
    pub fn next_batch(&mut self) -> Result<Batch, Fail> {
        let mut text = self
            .recycled
            .as_ref()
            .and_then(|rx| rx.try_recv().ok())
            .unwrap_or_default();
        text.clear();
        // Sized once for a whole batch: growing would copy it, and the
        // allocator would hand out fresh pages for each size.
        if text.capacity() < BATCH_BYTES + LINE_ROOM {
            text = String::with_capacity(BATCH_BYTES + LINE_ROOM);
        }
        let mut batch = Batch {
            text,
            lines: Vec::with_capacity(self.batch_size.min(4096)),
        };
        let full = |b: &Batch| b.lines.len() >= self.batch_size || b.text.len() >= BATCH_BYTES;
        while !full(&batch) {
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
            let Some(current) = self.current.as_mut() else {
                break;
            };
            let compressed = current.opened.compressed;
            let avail = match current.opened.reader.fill_buf() {
                Ok(avail) => avail,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let message = format!("{}:{}: {e}", current.source, current.line + 1);
                    // A corrupt or truncated compressed stream is bad input,
                    // not an I/O failure; decoders may report it as `Other`.
                    return Err(match e.kind() {
                        io::ErrorKind::InvalidData
                        | io::ErrorKind::InvalidInput
                        | io::ErrorKind::UnexpectedEof => Fail::Input(message),
                        io::ErrorKind::Other if compressed => Fail::Input(message),
                        _ => Fail::Io(message),
                    });
                }
            };
            if avail.is_empty() {
                if !self.partial.is_empty() {
                    current.line += 1;
                    batch.push_line(&current.source, current.line, &self.partial);
                    self.partial.clear();
                } else if current.line == 0 {
                    batch.lines.push(RawLine {
                        source: current.source.clone(),
                        line: 0,
                        range: batch.text.len()..batch.text.len(),
                        in_bytes: 0,
                        invalid_utf8: None,
                        empty_file: true,
                    });
                }
                self.current = None;
                continue;
            }
            let mut used = 0;
            for newline in memchr::memchr_iter(b'\n', avail) {
                current.line += 1;
                if self.partial.is_empty() {
                    batch.push_line(&current.source, current.line, &avail[used..newline]);
                } else {
                    self.partial.extend_from_slice(&avail[used..newline]);
                    batch.push_line(&current.source, current.line, &self.partial);
                    self.partial.clear();
                }
                used = newline + 1;
                if full(&batch) {
                    break;
                }
            }
            if !full(&batch) {
                self.partial.extend_from_slice(&avail[used..]);
                used = avail.len();
            }
            current.opened.reader.consume(used);
        }
        Ok(batch)
    }
}
