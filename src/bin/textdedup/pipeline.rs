//! The run: parse and sketch on all cores, index in input order, clean and
//! serialize on all cores, write in input order.
//!
//! Batch n+1 is parsed and sketched while batch n goes through the index
//! and is rendered; the index is the only sequential step and sees the
//! records in input order, so the output does not depend on the thread
//! count or the batch size.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use textdedup::{BloomDedup, BloomReport, Dedup, DocId, Index, Method, Report, Sketch, Span};

use crate::args::OnError;
use crate::fail::Fail;
use crate::input::{Batches, RawLine};
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
    source: std::sync::Arc<str>,
    line: u64,
    in_bytes: usize,
    empty_file: bool,
    parsed: Result<(Doc, Sketch), Bad>,
}

/// What the index said about a record.
pub enum Found {
    Index(Report),
    Bloom(BloomReport),
}

/// A record ready to render.
struct Checked {
    item: Item,
    id: DocId,
    found: Option<Found>,
}

/// Reads batches on a thread of its own, so decompression overlaps the rest.
pub fn spawn_reader(mut batches: Batches) -> Lines {
    let (tx, rx) = sync_channel(2);
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
    rx
}

/// Batches of input lines, from the reader thread.
pub type Lines = Receiver<Result<(Vec<RawLine>, u64), Fail>>;

/// The sequential state of a run, and where its output goes.
pub struct Run<'a, 'c> {
    pub ctx: &'a Ctx<'c>,
    pub engine: &'a mut Engine,
    pub summary: &'a mut Summary,
    pub tx: SyncSender<Vec<Vec<u8>>>,
    /// With `--html`: the first records, their texts and reports.
    pub html: Option<&'a mut Vec<(DocId, String, Report)>>,
}

/// The most records an `--html` page shows.
pub const HTML_RECORDS: usize = 1000;

impl Run<'_, '_> {
    /// Runs every batch from `rx` through the engine and sends the rendered
    /// output, batch by batch, to the writer. `after_batch` is called with
    /// the summary after each batch (for the progress bar).
    pub fn run(&mut self, rx: Lines, after_batch: &mut dyn FnMut(&Summary)) -> Result<(), Fail> {
        let ctx = self.ctx;
        let mut pending: Option<(Vec<Item>, u64)> = None;
        let mut ended = false;
        loop {
            let batch = if ended {
                None
            } else {
                match rx.recv() {
                    Ok(Ok((b, _))) if b.is_empty() => None,
                    Ok(Ok(b)) => Some(b),
                    Ok(Err(fail)) => return self.finish_then(pending, fail),
                    Err(_) => None,
                }
            };
            ended |= batch.is_none();
            if batch.is_none() && pending.is_none() {
                return Ok(());
            }
            let (next, done) = rayon::join(
                || batch.map(|(b, position)| (prepare(ctx, b), position)),
                || match pending.take() {
                    Some((items, position)) => {
                        self.summary.disk_position = position;
                        self.finish_batch(items)
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
    fn finish_then(&mut self, pending: Option<(Vec<Item>, u64)>, fail: Fail) -> Result<(), Fail> {
        if let Some((items, _)) = pending {
            let out = self.finish_batch(items)?;
            let _ = self.tx.send(out);
            if let Some(first) = self.summary.pending_fail.take() {
                return Err(first);
            }
        }
        Err(fail)
    }

    /// The sequential index step, then the parallel rendering.
    fn finish_batch(&mut self, items: Vec<Item>) -> Result<Vec<Vec<u8>>, Fail> {
        use rayon::prelude::*;
        let ctx = self.ctx;
        let summary = &mut *self.summary;
        let mut checked = Vec::with_capacity(items.len());
        let mut stop = None;
        for item in items {
            if !item.empty_file {
                summary.lines += 1;
            }
            summary.bytes_in += item.in_bytes as u64;
            let id = match &item.parsed {
                Ok((doc, _)) => doc.id.clone().unwrap_or(DocId::Num(summary.lines)),
                Err(_) => DocId::Num(summary.lines),
            };
            let found = match &item.parsed {
                Ok((doc, sketch)) => {
                    let found = self.engine.check(&id, sketch, ctx.check_only);
                    summary.count_doc(sketch.text_len(), &found);
                    if let (Some(html), Found::Index(report)) = (self.html.as_deref_mut(), &found) {
                        if html.len() < HTML_RECORDS {
                            html.push((id.clone(), doc.text().to_owned(), report.clone()));
                        }
                    }
                    Some(found)
                }
                Err(bad) => {
                    summary.count_error(bad.kind);
                    if ctx.on_error == OnError::Fail {
                        stop = Some(Fail::Input(location(&item, &bad.message)));
                        break;
                    }
                    None
                }
            };
            checked.push(Checked { item, id, found });
        }
        // Consumed on the pool, so the records are also dropped in parallel.
        let rendered: Vec<(Vec<u8>, usize)> =
            checked.into_par_iter().map(|c| render(ctx, c)).collect();
        let mut out = Vec::with_capacity(rendered.len());
        for (bytes, text_out) in rendered {
            summary.bytes_out += bytes.len() as u64;
            summary.text_bytes_out += text_out as u64;
            if !bytes.is_empty() {
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
fn prepare(ctx: &Ctx<'_>, batch: Vec<RawLine>) -> Vec<Item> {
    use rayon::prelude::*;
    batch
        .into_par_iter()
        .map(|raw| {
            let in_bytes = if raw.empty_file {
                0
            } else {
                raw.bytes.len() + 1
            };
            let parsed = if raw.empty_file {
                Err(Bad {
                    kind: ErrorKind::EmptyFile,
                    message: "empty input: no records".into(),
                    object: None,
                    raw: String::new(),
                })
            } else {
                record::parse(raw.bytes, &ctx.fields).map(|doc| {
                    let sketch = ctx.dedup.sketch(doc.text());
                    (doc, sketch)
                })
            };
            Item {
                source: raw.source,
                line: raw.line,
                in_bytes,
                empty_file: raw.empty_file,
                parsed,
            }
        })
        .collect()
}

fn location(item: &Item, message: &str) -> String {
    if item.empty_file {
        format!("{}: {message}", item.source)
    } else {
        format!("{}:{}: {message}", item.source, item.line)
    }
}

impl Engine {
    fn check(&mut self, id: &DocId, sketch: &Sketch, check_only: bool) -> Found {
        match self {
            Engine::Index(index) if check_only => {
                Found::Index(index.check_sketch(Some(id.clone()), sketch))
            }
            Engine::Index(index) => Found::Index(index.insert_sketch(id.clone(), sketch)),
            Engine::Bloom(bloom) if check_only => Found::Bloom(bloom.check_sketch(sketch)),
            Engine::Bloom(bloom) => Found::Bloom(bloom.insert_sketch(sketch)),
        }
    }
}

/// One output line and the length of its text.
fn render(ctx: &Ctx<'_>, c: Checked) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let (doc, found) = match (&c.item.parsed, &c.found) {
        (Ok((doc, _)), Some(found)) => (doc, found),
        (Err(bad), _) => {
            if ctx.on_error == OnError::Passthrough && !c.item.empty_file {
                render_bad(&mut out, &location(&c.item, &bad.message), bad);
            }
            return (out, 0);
        }
        (Ok(_), None) => return (out, 0),
    };
    let text = doc.text();
    let cleaned = match found {
        _ if ctx.annotate_only => None,
        Found::Index(r) if !r.is_empty() => Some(r.cleaned(text)),
        Found::Bloom(r) if !r.duplicates.is_empty() => Some(r.cleaned(text)),
        _ => None,
    };
    let edit = record::Edit {
        replace: cleaned.as_deref().map(|s| (doc.text_field, s)),
        drop: "duplicates",
    };
    let any = record::write_fields(&mut out, &doc.object, edit);
    if any {
        out.push(b',');
    }
    out.extend_from_slice(b"\"duplicates\":[");
    match found {
        Found::Index(r) => {
            for (i, d) in r.duplicates.iter().enumerate() {
                let of_id = d.of.doc.as_ref().unwrap_or(&c.id);
                let dup = Dup {
                    level: d.level.name(),
                    span: d.span,
                    method: d.method,
                    score: d.score,
                };
                if i > 0 {
                    out.push(b',');
                }
                write_dup(&mut out, &dup, Some((of_id, d.of.span)));
            }
        }
        Found::Bloom(r) => {
            for (i, d) in r.duplicates.iter().enumerate() {
                let dup = Dup {
                    level: d.level.name(),
                    span: d.span,
                    method: Method::Exact,
                    score: 1.0,
                };
                if i > 0 {
                    out.push(b',');
                }
                write_dup(&mut out, &dup, d.of.map(|span| (&c.id, span)));
            }
        }
    }
    out.extend_from_slice(b"]}\n");
    let text_out = cleaned.as_ref().map_or(text.len(), String::len);
    (out, text_out)
}

struct Dup {
    level: &'static str,
    span: Span,
    method: Method,
    score: f64,
}

fn write_dup(out: &mut Vec<u8>, d: &Dup, of: Option<(&DocId, Span)>) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "{{\"start\":{},\"end\":{},\"level\":\"{}\",\"method\":\"{}\",\"score\":",
        d.span.start,
        d.span.end,
        d.level,
        d.method.name()
    );
    let _ = serde_json::to_writer(&mut *out, &d.score);
    out.extend_from_slice(b",\"of\":");
    match of {
        Some((id, span)) => {
            out.extend_from_slice(b"{\"id\":");
            record::write_id(out, id);
            let _ = write!(out, ",\"start\":{},\"end\":{}}}}}", span.start, span.end);
        }
        None => out.extend_from_slice(b"null}"),
    }
}

/// A bad record under `--on-error passthrough`: the object as it came with
/// an `error` field, or, when the line is not an object, an object holding
/// the line (lossily decoded) as `raw`.
fn render_bad(out: &mut Vec<u8>, message: &str, bad: &Bad) {
    match &bad.object {
        Some(object) => {
            let edit = record::Edit {
                replace: None,
                drop: "error",
            };
            if record::write_fields(out, object, edit) {
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
