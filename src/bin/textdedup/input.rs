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
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A batch as read: its lines' bytes, with their newlines, and the lines
/// as ranges of them.
struct RawBatch {
    /// Read bytes up to `filled`; after it, what a previous batch left, kept
    /// to be overwritten rather than zeroed again.
    bytes: Vec<u8>,
    filled: usize,
    lines: Vec<RawLine>,
}

impl RawBatch {
    /// Records the line at `range` of the bytes; `in_bytes` counts its `\n`.
    fn push_line(&mut self, source: &Arc<str>, line: u64, range: Range<usize>) {
        self.lines.push(RawLine {
            source: source.clone(),
            line,
            in_bytes: range.len() + 1,
            range,
            invalid_utf8: None,
            empty_file: false,
        });
    }

    /// Appends `data` to the read bytes.
    fn put(&mut self, data: &[u8]) {
        let end = self.filled + data.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes[self.filled..end].copy_from_slice(data);
        self.filled = end;
    }

    /// Reads up to `want` more bytes; returns how many came (0 at the end of
    /// the input).
    fn read(&mut self, reader: &mut impl Read, want: usize) -> io::Result<usize> {
        let end = self.filled + want;
        // Only bytes never used before are zeroed: the price of reading
        // into a buffer without `unsafe`.
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        let n = loop {
            match reader.read(&mut self.bytes[self.filled..end]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                read => break read?,
            }
        };
        self.filled += n;
        Ok(n)
    }

    /// The batch, checked as UTF-8 in one pass; when some line is not, every
    /// line is copied into a new text, the bad ones decoded lossily.
    fn into_batch(self) -> Batch {
        let RawBatch {
            mut bytes,
            filled,
            mut lines,
        } = self;
        bytes.truncate(filled);
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => return Batch { text, lines },
            Err(e) => e.into_bytes(),
        };
        let mut text = String::with_capacity(bytes.len());
        for raw in &mut lines {
            let start = text.len();
            let line = &bytes[raw.range.clone()];
            match std::str::from_utf8(line) {
                Ok(s) => text.push_str(s),
                Err(e) => {
                    text.push_str(&String::from_utf8_lossy(line));
                    raw.invalid_utf8 = Some(e.valid_up_to());
                }
            }
            raw.range = start..text.len();
        }
        Batch { text, lines }
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
    pub reader: Box<dyn Read + Send>,
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
    let mut raw = Counting {
        inner: raw,
        counter: counter.clone(),
    };
    let mut head = [0u8; 4];
    let mut sniffed = 0;
    while sniffed < head.len() {
        match raw.read(&mut head[sniffed..]) {
            Ok(0) => break,
            Ok(n) => sniffed += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Fail::io(&name(path), &e)),
        }
    }
    let head = &head[..sniffed];
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    // A zstd frame, or a skippable frame (magic 0x184D2A50 to 0x184D2A5F,
    // little-endian), as pzstd writes first.
    let zstd = head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || (head.len() == 4 && head[0] & 0xF0 == 0x50 && head[1..] == [0x2a, 0x4d, 0x18]);
    // Plain input is read straight into the batches, with no buffer between:
    // only the decoders read through one.
    let stream = io::Cursor::new(head.to_vec()).chain(raw);
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(
            BufReader::with_capacity(1 << 20, stream),
        ))
    } else if zstd {
        let frames = ZstdFrames::new(BufReader::with_capacity(1 << 20, stream))
            .map_err(|e| Fail::Input(format!("{}: not a readable zstd stream: {e}", name(path))))?;
        Box::new(frames)
    } else {
        Box::new(stream)
    };
    Ok(Opened {
        reader,
        compressed: gzip || zstd,
    })
}

/// Every frame of a zstd stream, one after another, skippable frames
/// skipped.
///
/// NOTE: `zstd a b -c`, `cat a.zst b.zst` and pzstd write several frames;
/// ruzstd's `StreamingDecoder` stops after the first, which silently
/// dropped the rest of the input.
struct ZstdFrames<R> {
    source: R,
    frame: ruzstd::decoding::FrameDecoder,
    ended: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    /// Opens the first frame (pzstd's output starts with a skippable one).
    fn new(source: R) -> io::Result<ZstdFrames<R>> {
        let mut frames = ZstdFrames {
            source,
            frame: ruzstd::decoding::FrameDecoder::new(),
            ended: false,
        };
        frames.next_frame()?;
        Ok(frames)
    }

    /// Starts the next frame, past any skippable ones, or marks the end.
    fn next_frame(&mut self) -> io::Result<()> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        loop {
            if self.source.fill_buf()?.is_empty() {
                self.ended = true;
                return Ok(());
            }
            match self.frame.reset(&mut self.source) {
                Ok(()) => return Ok(()),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped = io::copy(
                        &mut (&mut self.source).take(u64::from(length)),
                        &mut io::sink(),
                    )?;
                    if skipped < u64::from(length) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "zstd stream ends inside a skippable frame",
                        ));
                    }
                }
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        if buf.is_empty() {
            return Ok(0);
        }
        while !self.ended {
            // As `StreamingDecoder::read`: decode until a read's worth can be
            // collected or the frame is done.
            while self.frame.can_collect() < buf.len() && !self.frame.is_finished() {
                let more = buf.len() - self.frame.can_collect();
                self.frame
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(more))
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            }
            let n = self.frame.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            self.next_frame()?;
        }
        Ok(0)
    }
}

/// Reads every input in order and hands out batches of lines of at most
/// `batch_size` lines or about 192 KB, whichever comes first. An input with
/// no line yields one `empty_file` line, so that it is reported.
pub struct Batches {
    paths: Vec<PathBuf>,
    next_path: usize,
    current: Option<Current>,
    batch_size: usize,
    /// Bytes read past the end of the last batch, for the next one.
    carry: Vec<u8>,
    /// Lines and bytes read so far, to size reads to what a batch still takes.
    lines_read: u64,
    bytes_read: u64,
    counter: Counter,
    /// The text buffers of finished batches, to be reused.
    recycled: Option<Receiver<String>>,
    /// A failure met while filling the last batch, for the next call: the
    /// lines read before it are handed out first.
    failed: Option<Fail>,
}

/// The bytes of text after which a batch ends (with the line being read):
/// many times the work a worker does to take a batch, and small, as
/// several batches are in flight and a batch should stay in cache from one
/// stage to the next. On the news corpus, one thread on one core,
/// runs interleaved: 1 MB batches 430 ms (median of 20), 256 KB 371 ms,
/// 192 KB 312 ms, 128 KB 315–360 ms, 64 KB 330 ms; two threads were
/// fastest at 192–256 KB. (At 4 MB the run took 5% more CPU and 30 MB more
/// memory than at 1 MB.)
const BATCH_BYTES: usize = 192 << 10;
/// Room for the line that crosses `BATCH_BYTES`, as most are shorter.
const LINE_ROOM: usize = 64 << 10;

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
            carry: Vec::new(),
            lines_read: 0,
            bytes_read: 0,
            counter,
            recycled: None,
            failed: None,
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
        if let Some(fail) = self.failed.take() {
            return Err(fail);
        }
        let text = self
            .recycled
            .as_ref()
            .and_then(|rx| rx.try_recv().ok())
            .unwrap_or_default();
        let mut bytes = text.into_bytes();
        // Sized once for a whole batch: growing would copy it, and the
        // allocator would hand out fresh pages for each size.
        // A buffer grown for a huge line is not kept for the rest of the run.
        if !(BATCH_BYTES + LINE_ROOM..=4 * BATCH_BYTES).contains(&bytes.capacity()) {
            bytes = Vec::with_capacity(BATCH_BYTES + LINE_ROOM);
        }
        let mut batch = RawBatch {
            bytes,
            filled: 0,
            lines: Vec::with_capacity(self.batch_size.min(4096)),
        };
        batch.put(&self.carry);
        self.carry.clear();
        // The mean line so far, with some room, to size reads.
        let line_bytes = match self.lines_read {
            0 => MIN_READ,
            n => (self.bytes_read / n) as usize + 64,
        };
        // `bytes[start..]` is the line being read; `bytes[start..scanned]`
        // has no newline.
        let mut start = 0;
        let mut scanned = 0;
        while batch.lines.len() < self.batch_size && start < BATCH_BYTES {
            if self.current.is_none() {
                let Some(path) = self.paths.get(self.next_path) else {
                    break;
                };
                self.next_path += 1;
                let opened = match open(path, &self.counter) {
                    Ok(opened) => opened,
                    Err(fail) => {
                        self.failed = Some(fail);
                        break;
                    }
                };
                self.current = Some(Current {
                    source: name(path).into(),
                    opened,
                    line: 0,
                });
            }
            let Some(current) = self.current.as_mut() else {
                break;
            };
            if let Some(i) = memchr::memchr(b'\n', &batch.bytes[scanned..batch.filled]) {
                current.line += 1;
                batch.push_line(&current.source, current.line, start..scanned + i);
                start = scanned + i + 1;
                scanned = start;
                continue;
            }
            scanned = batch.filled;
            let want = Needs {
                lines: self.batch_size - batch.lines.len(),
                bytes: (BATCH_BYTES + line_bytes).saturating_sub(batch.filled),
            };
            let read = batch.read(&mut current.opened.reader, want.read_size(line_bytes));
            let read = read.map_err(|e| {
                let message = format!("{}:{}: {e}", current.source, current.line + 1);
                // A corrupt or truncated compressed stream is bad input,
                // not an I/O failure; decoders may report it as `Other`.
                match e.kind() {
                    io::ErrorKind::InvalidData
                    | io::ErrorKind::InvalidInput
                    | io::ErrorKind::UnexpectedEof => Fail::Input(message),
                    io::ErrorKind::Other if current.opened.compressed => Fail::Input(message),
                    _ => Fail::Io(message),
                }
            });
            let n = match read {
                Ok(n) => n,
                Err(fail) => {
                    self.failed = Some(fail);
                    break;
                }
            };
            if n > 0 {
                continue;
            }
            if start < batch.filled {
                // The last line has no `\n`.
                current.line += 1;
                batch.push_line(&current.source, current.line, start..batch.filled);
                start = batch.filled;
                scanned = start;
            } else if current.line == 0 {
                batch.lines.push(RawLine {
                    source: current.source.clone(),
                    line: 0,
                    range: start..start,
                    in_bytes: 0,
                    invalid_utf8: None,
                    empty_file: true,
                });
            }
            self.current = None;
        }
        if self.failed.is_some() {
            // The line being read when the input failed is incomplete: it
            // goes, and the failure comes with the next call, after the
            // lines before it.
            batch.filled = start;
            if let Some(fail) = self.failed.take_if(|_| batch.lines.is_empty()) {
                return Err(fail);
            }
        }
        self.carry
            .extend_from_slice(&batch.bytes[start..batch.filled]);
        batch.filled = start;
        self.lines_read += batch.lines.len() as u64;
        self.bytes_read += start as u64;
        Ok(batch.into_batch())
    }
}

/// What a batch still takes, about.
struct Needs {
    lines: usize,
    bytes: usize,
}

impl Needs {
    /// How much to read for it, lines being about `line_bytes` long: what it
    /// should need, so that little is read past the batch and copied into
    /// the next (small `--batch-size`s would copy a lot).
    fn read_size(&self, line_bytes: usize) -> usize {
        let lines = self.lines.saturating_mul(line_bytes);
        lines.min(self.bytes).clamp(MIN_READ, MAX_READ)
    }
}

/// The least and most one read asks for.
const MIN_READ: usize = 8 << 10;
const MAX_READ: usize = 256 << 10;

#[cfg(test)]
mod tests {
    use super::*;

    /// What a line should come out as: its source, number, text (lossily
    /// decoded), size in the input, where it stops being UTF-8, and whether
    /// it stands for an empty file.
    type Line = (String, u64, String, usize, Option<usize>, bool);

    /// The lines of `files` as the naive split on `\n` gives them.
    fn naive(files: &[(PathBuf, Vec<u8>)]) -> Vec<Line> {
        let mut out = Vec::new();
        for (path, bytes) in files {
            let source = name(path);
            if bytes.is_empty() {
                out.push((source, 0, String::new(), 0, None, true));
                continue;
            }
            let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
            for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                let invalid = std::str::from_utf8(line).err().map(|e| e.valid_up_to());
                let text = String::from_utf8_lossy(line).into_owned();
                out.push((
                    source.clone(),
                    i as u64 + 1,
                    text,
                    line.len() + 1,
                    invalid,
                    false,
                ));
            }
        }
        out
    }

    fn batched(paths: &[PathBuf], batch_size: usize) -> Vec<Line> {
        let mut batches = Batches::new(paths.to_vec(), batch_size, Counter::default());
        let mut out = Vec::new();
        loop {
            let batch = batches.next_batch().ok().unwrap();
            if batch.is_empty() {
                return out;
            }
            assert!(batch.lines.len() <= batch_size);
            for l in &batch.lines {
                let text = batch.text[l.range.clone()].to_owned();
                let source = l.source.to_string();
                out.push((
                    source,
                    l.line,
                    text,
                    l.in_bytes,
                    l.invalid_utf8,
                    l.empty_file,
                ));
            }
        }
    }

    #[test]
    fn batches_hold_the_lines_a_naive_split_finds() {
        // Lines short and long (past a read, past a batch), empty, not
        // UTF-8, with `\r`, and a last line without `\n`; an empty file.
        let mut first = Vec::new();
        for i in 0..3000usize {
            let len = match i % 6 {
                5 if i % 600 == 5 => 300_000,
                k => [3, 0, 700, 9000, 70, 2000][k],
            } + i % 7;
            first.extend((0..len).map(|j| b'a' + (j % 26) as u8));
            match i % 50 {
                7 => first.extend_from_slice(b"\xff\xfe bad"),
                8 => first.extend_from_slice("é日本".as_bytes()),
                9 => first.push(b'\r'),
                _ => {}
            }
            first.push(b'\n');
        }
        let dir = std::env::temp_dir().join(format!("textdedup-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = vec![
            (dir.join("first.jsonl"), first),
            (dir.join("empty.jsonl"), Vec::new()),
            (dir.join("last.jsonl"), b"one\n\ntwo\xc3".to_vec()),
        ];
        for (path, bytes) in &files {
            std::fs::write(path, bytes).unwrap();
        }
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        let want = naive(&files);
        for batch_size in [1, 3, 500, 2048] {
            let got = batched(&paths, batch_size);
            assert_eq!(got.len(), want.len(), "--batch-size {batch_size}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "--batch-size {batch_size}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
