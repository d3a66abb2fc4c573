//! The run: parse and sketch on all cores, index in input order, clean and
//! serialize on all cores, write in input order.
//!
//! Batch n+1 is parsed and sketched while batch n goes through the index
//! and is rendered; the index is the only sequential step and sees the
//! records in input order, so the output does not depend on the thread
//! count or the batch size.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use textdedup::{BloomDedup, BloomReport, Dedup, DocId, Index, Method, Report, Sketch, Span};

use crate::args::OnError;
use crate::fail::Fail;
use crate::input::{Batch, Batches};
use crate::json;
use crate::output::Buffers;
use crate::record::{self, Bad, Doc, ErrorKind, Fields};
use crate::summary::Summary;

/// What the sequential step checks records against.
pub enum Engine {
    Index(Box<Index>),
    Bloom(Box<BloomDedup>),
}

/// The settings every worker reads.
pub struct Ctx<'a> {
    pub dedup: &'a Dedup,
    pub fields: Fields<'a>,
    pub on_error: OnError,
    pub annotate_only: bool,
    pub check_only: bool,
}

/// One input line after the parallel stage.
struct Item {
    source: Arc<str>,
    line: u64,
    in_bytes: usize,
    empty_file: bool,
    parsed: Result<(Doc, Sketch), Bad>,
}

/// A batch after the parallel stage: its text, which the items point into,
/// and where it ends in the stored input.
struct Prepared {
    text: String,
    items: Vec<Item>,
    position: u64,
}

/// What the index said about a record.
pub enum Found {
    Index(Report),
    Bloom(BloomReport),
}

/// What the sequential step found about a record, to render it with.
struct Checked {
    /// The record's id, when rendering needs it (Bloom mode names the
    /// record itself); in an index, the reports carry the ids.
    id: Option<DocId>,
    found: Option<Found>,
}

/// The reader thread's batches, and the way back for their buffers.
pub struct Reader {
    rx: Receiver<Result<(Batch, u64), Fail>>,
    recycle: Sender<String>,
}

/// Reads batches on a thread of its own, so decompression overlaps the rest.
pub fn spawn_reader(mut batches: Batches) -> Reader {
    // Room for four batches: on two busy cores the reader is not always
    // scheduled in time, and an empty queue stalls the whole pool.
    let (tx, rx) = sync_channel(4);
    let (recycle, recycled) = channel();
    batches.recycle_from(recycled);
    std::thread::spawn(move || {
        loop {
            // The position is where the batch ends in the stored input, for
            // a progress bar that follows what was processed, not read.
            let batch = batches
                .next_batch()
                .map(|lines| (lines, batches.disk_position()));
            let done = matches!(&batch, Ok((b, _)) if b.is_empty()) || batch.is_err();
            if tx.send(batch).is_err() || done {
                break;
            }
        }
    });
    Reader { rx, recycle }
}

/// The sequential state of a run, and where its output goes.
pub struct Run<'a, 'c> {
    pub ctx: &'a Ctx<'c>,
    pub engine: &'a mut Engine,
    pub summary: &'a mut Summary,
    pub tx: SyncSender<Vec<Vec<u8>>>,
    /// Where rendering takes its output buffers from.
    pub buffers: Buffers,
    /// With `--html`: the first records, their texts and reports.
    pub html: Option<&'a mut Vec<(DocId, String, Report)>>,
}

/// The most records an `--html` page shows.
pub const HTML_RECORDS: usize = 1000;

/// Records rendered into one output buffer: enough to make the buffer
/// about as large as the writer's, few enough to share a batch between
/// threads. (A 192 KB batch holds some 180 news records: in chunks of 64,
/// two threads ran 240 ms median against 211 ms in chunks of 16.)
const RENDER_CHUNK: usize = 16;

impl Run<'_, '_> {
    /// Runs every batch from `reader` through the engine and sends the
    /// rendered output, batch by batch, to the writer. `after_batch` is
    /// called with the summary after each batch (for the progress bar).
    pub fn run(
        &mut self,
        reader: Reader,
        after_batch: &mut dyn FnMut(&Summary),
    ) -> Result<(), Fail> {
        let ctx = self.ctx;
        let mut pending: Option<Prepared> = None;
        let mut ended = false;
        loop {
            let batch = if ended {
                None
            } else {
                match reader.rx.recv() {
                    Ok(Ok((b, _))) if b.is_empty() => None,
                    Ok(Ok(b)) => Some(b),
                    Ok(Err(fail)) => return self.finish_then(pending, fail, &reader.recycle),
                    Err(_) => None,
                }
            };
            ended |= batch.is_none();
            if batch.is_none() && pending.is_none() {
                return Ok(());
            }
            let (next, done) = rayon::join(
                || batch.map(|(b, position)| prepare(ctx, b, position)),
                || match pending.take() {
                    Some(prepared) => {
                        self.summary.disk_position = prepared.position;
                        self.finish_batch(prepared, &reader.recycle)
                    }
                    None => Ok(Vec::new()),
                },
            );
            let out = done?;
            if !out.is_empty() && self.tx.send(out).is_err() {
                // The writer stopped: its error is reported by the caller.
                return Ok(());
            }
            after_batch(self.summary);
            if let Some(fail) = self.summary.pending_fail.take() {
                return Err(fail);
            }
            pending = next;
        }
    }

    /// Finishes what was read before a read failure, then reports it.
    fn finish_then(
        &mut self,
        pending: Option<Prepared>,
        fail: Fail,
        recycle: &Sender<String>,
    ) -> Result<(), Fail> {
        if let Some(prepared) = pending {
            let out = self.finish_batch(prepared, recycle)?;
            let _ = self.tx.send(out);
            if let Some(first) = self.summary.pending_fail.take() {
                return Err(first);
            }
        }
        Err(fail)
    }

    /// The sequential index step, then the parallel rendering.
    fn finish_batch(
        &mut self,
        prepared: Prepared,
        recycle: &Sender<String>,
    ) -> Result<Vec<Vec<u8>>, Fail> {
        use rayon::prelude::*;
        let ctx = self.ctx;
        let Prepared {
            text, mut items, ..
        } = prepared;
        let summary = &mut *self.summary;
        let buffers = &self.buffers;
        let mut checked = Vec::with_capacity(items.len());
        let mut stop = None;
        // Only what must see the records in order happens here; counting
        // and rendering happen on the pool. The items stay where they are:
        // moving each into a new vector cost more than the loop's work.
        for i in 0..items.len() {
            // The index waits on memory: the buckets of the record after
            // next load while this one is inserted (one ahead was slower,
            // in interleaved runs: 295 against 290 ms on one core).
            if let (Engine::Index(index), Some(Ok((_, next)))) =
                (&*self.engine, items.get(i + 2).map(|n| &n.parsed))
            {
                index.prefetch_sketch(next);
            }
            let item = &mut items[i];
            if !item.empty_file {
                summary.lines += 1;
            }
            summary.bytes_in += item.in_bytes as u64;
            let (id, found) = match &mut item.parsed {
                Ok((doc, sketch)) => {
                    let id = doc.id.take().unwrap_or(DocId::Num(summary.lines));
                    let html = self.html.as_deref_mut().filter(|h| h.len() < HTML_RECORDS);
                    let html_id = html.is_some().then(|| id.clone());
                    let (found, id) = self.engine.check(id, sketch, ctx.check_only);
                    if let (Some(html), Some(html_id), Found::Index(report)) =
                        (html, html_id, &found)
                    {
                        html.push((html_id, doc.text(&text).to_owned(), report.clone()));
                    }
                    (id, Some(found))
                }
                Err(bad) => {
                    summary.count_error(bad.kind);
                    (None, None)
                }
            };
            if let (Err(bad), OnError::Fail) = (&item.parsed, ctx.on_error) {
                stop = Some(Fail::Input(location(item, &bad.message)));
                break;
            }
            checked.push(Checked { id, found });
        }
        items.truncate(checked.len());
        // Consumed on the pool, so the records are also dropped in parallel.
        let rendered: Vec<Rendered> = items
            .into_par_iter()
            .zip(checked)
            .chunks(RENDER_CHUNK)
            .map(|chunk| {
                // Sized once: the lines, plus room for the duplicates.
                let guess: usize = chunk.iter().map(|(item, _)| item.in_bytes + 256).sum();
                let mut rendered = Rendered {
                    out: buffers.take(guess),
                    counts: Summary::default(),
                };
                for (item, c) in chunk {
                    rendered.render(ctx, &text, (&item, c));
                }
                rendered.counts.bytes_out = rendered.out.len() as u64;
                rendered
            })
            .collect();
        let _ = recycle.send(text);
        let mut out = Vec::with_capacity(rendered.len());
        for Rendered { out: bytes, counts } in rendered {
            summary.merge(counts);
            if bytes.is_empty() {
                buffers.give(bytes);
            } else {
                out.push(bytes);
            }
        }
        match stop {
            Some(fail) if out.is_empty() => Err(fail),
            Some(fail) => {
                // Records before the bad one are written before stopping.
                summary.pending_fail = Some(fail);
                Ok(out)
            }
            None => Ok(out),
        }
    }
}

/// The parallel first stage: parse and sketch.
fn prepare(ctx: &Ctx<'_>, batch: Batch, position: u64) -> Prepared {
    use rayon::prelude::*;
    let Batch { text, lines } = batch;
    let items = lines
        .into_par_iter()
        .map(|raw| {
            let parsed = if raw.empty_file {
                Err(Bad {
                    kind: ErrorKind::EmptyFile,
                    message: "empty input: no records".into(),
                    object: None,
                    raw: String::new(),
                })
            } else {
                ctx.fields
                    .parse(&text, raw.range, raw.invalid_utf8)
                    .map(|doc| {
                        let sketch = ctx.dedup.sketch(doc.text(&text));
                        (doc, sketch)
                    })
            };
            Item {
                source: raw.source,
                line: raw.line,
                in_bytes: raw.in_bytes,
                empty_file: raw.empty_file,
                parsed,
            }
        })
        .collect();
    Prepared {
        text,
        items,
        position,
    }
}

fn location(item: &Item, message: &str) -> String {
    if item.empty_file {
        format!("{}: {message}", item.source)
    } else {
        format!("{}:{}: {message}", item.source, item.line)
    }
}

impl Engine {
    /// Checks a record and, unless `check_only`, adds it; gives the id back
    /// when rendering needs it.
    fn check(&mut self, id: DocId, sketch: &Sketch, check_only: bool) -> (Found, Option<DocId>) {
        match self {
            Engine::Index(index) if check_only => {
                (Found::Index(index.check_sketch(Some(id), sketch)), None)
            }
            Engine::Index(index) => (Found::Index(index.insert_sketch(id, sketch)), None),
            Engine::Bloom(bloom) if check_only => {
                (Found::Bloom(bloom.check_sketch(sketch)), Some(id))
            }
            Engine::Bloom(bloom) => (Found::Bloom(bloom.insert_sketch(sketch)), Some(id)),
        }
    }
}

/// What rendering a chunk of records makes: the output lines, and what
/// they count.
struct Rendered {
    out: Vec<u8>,
    counts: Summary,
}

impl Rendered {
    /// Appends one output line and counts it; `text` is the batch's text.
    fn render(&mut self, ctx: &Ctx<'_>, text: &str, (item, c): (&Item, Checked)) {
        let (doc, sketch, found) = match (&item.parsed, &c.found) {
            (Ok((doc, sketch)), Some(found)) => (doc, sketch, found),
            (Err(bad), _) => {
                if ctx.on_error == OnError::Passthrough && !item.empty_file {
                    self.render_bad(text, &location(item, &bad.message), bad);
                }
                return;
            }
            (Ok(_), None) => return,
        };
        let Rendered { out, counts } = self;
        counts.count_doc(sketch.text_len(), found);
        let doc_text = doc.text(text);
        let cleaned = match found {
            _ if ctx.annotate_only => None,
            Found::Index(r) if !r.is_empty() => Some(r.cleaned(doc_text)),
            Found::Bloom(r) if !r.duplicates.is_empty() => Some(r.cleaned(doc_text)),
            _ => None,
        };
        let edit = record::Edit {
            replace: cleaned.as_deref().map(|s| (doc.text_field, s)),
            drop: "duplicates",
        };
        let any = doc.object.write_fields(out, text, edit);
        if any {
            out.push(b',');
        }
        out.extend_from_slice(b"\"duplicates\":[");
        let mut first = true;
        let mut write = |dup: Dup, of: Option<(&DocId, Span)>| {
            if !first {
                out.push(b',');
            }
            first = false;
            write_dup(out, &dup, of);
        };
        match found {
            Found::Index(r) => {
                for d in &r.duplicates {
                    let dup = Dup {
                        level: d.level.name(),
                        span: d.span,
                        method: d.method,
                        score: d.score,
                    };
                    write(dup, d.of.doc.as_ref().map(|id| (id, d.of.span)));
                }
            }
            Found::Bloom(r) => {
                for d in &r.duplicates {
                    let dup = Dup {
                        level: d.level.name(),
                        span: d.span,
                        method: d.method,
                        score: d.score,
                    };
                    write(dup, c.id.as_ref().zip(d.of));
                }
            }
        }
        out.extend_from_slice(b"]}\n");
        counts.text_bytes_out += cleaned.as_ref().map_or(doc_text.len(), String::len) as u64;
    }

    /// A bad record under `--on-error passthrough`: the object as it came with
    /// an `error` field, or, when the line is not an object, an object holding
    /// the line (lossily decoded) as `raw`.
    fn render_bad(&mut self, text: &str, message: &str, bad: &Bad) {
        let out = &mut self.out;
        match &bad.object {
            Some(object) => {
                let edit = record::Edit {
                    replace: None,
                    drop: "error",
                };
                if object.write_fields(out, text, edit) {
                    out.push(b',');
                }
                out.extend_from_slice(b"\"error\":");
                record::write_json_str(out, message);
            }
            None => {
                out.extend_from_slice(b"{\"error\":");
                record::write_json_str(out, message);
                out.extend_from_slice(b",\"raw\":");
                record::write_json_str(out, &bad.raw);
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

struct Dup {
    level: &'static str,
    span: Span,
    method: Method,
    score: f64,
}

fn write_dup(out: &mut Vec<u8>, d: &Dup, of: Option<(&DocId, Span)>) {
    out.extend_from_slice(b"{\"start\":");
    json::write_u64(out, d.span.start as u64);
    out.extend_from_slice(b",\"end\":");
    json::write_u64(out, d.span.end as u64);
    out.extend_from_slice(b",\"level\":\"");
    out.extend_from_slice(d.level.as_bytes());
    out.extend_from_slice(b"\",\"method\":\"");
    out.extend_from_slice(d.method.name().as_bytes());
    out.extend_from_slice(b"\",\"score\":");
    if d.score == 1.0 {
        out.extend_from_slice(b"1.0");
    } else {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &d.score);
    }
    out.extend_from_slice(b",\"of\":");
    match of {
        Some((id, span)) => {
            out.extend_from_slice(b"{\"id\":");
            record::write_id(out, id);
            out.extend_from_slice(b",\"start\":");
            json::write_u64(out, span.start as u64);
            out.extend_from_slice(b",\"end\":");
            json::write_u64(out, span.end as u64);
            out.extend_from_slice(b"}}");
        }
        None => out.extend_from_slice(b"null}"),
    }
}
