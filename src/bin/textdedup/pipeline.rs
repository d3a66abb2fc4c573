//! The run: each worker reads a batch, parses and sketches it, has it
//! indexed in input order, cleans and serializes it, and writes it in input
//! order.
//!
//! The index is the only sequential step and sees the records in input
//! order, so the output does not depend on the thread count or the batch
//! size.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use textdedup::{BloomDedup, BloomReport, Dedup, DocId, Index, Method, Report, Sketch, Span};

use crate::args::OnError;
use crate::fail::Fail;
use crate::input::{Batch, Batches};
use crate::json;
use crate::output::{Buffers, Output};
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

/// A batch read and where it ends in the stored input, or why reading
/// failed.
type Read = Result<(Batch, u64), Fail>;

/// The state of a run, and where its output goes.
pub struct Run<'a, 'c> {
    pub ctx: &'a Ctx<'c>,
    pub engine: &'a mut Engine,
    pub summary: &'a mut Summary,
    pub output: &'a mut Output,
    /// With `--html`: the first records, their texts and reports.
    pub html: Option<&'a mut Vec<(DocId, String, Report)>>,
    /// How many batches are worked on at once, each by a thread of its own.
    pub workers: usize,
}

/// The most records an `--html` page shows.
pub const HTML_RECORDS: usize = 1000;

/// Where the workers read batches from, one at a time. A batch's number is
/// its place in the input.
///
/// The workers read for themselves: a reader thread of its own had to be
/// scheduled between two busy workers, and they waited for it (17–28 ms of
/// a 150 ms run on two cores).
struct Source {
    batches: Batches,
    next: u64,
    ended: bool,
}

/// Input bytes per worker that may be read but not yet written: a worker
/// waits before it reads more. Enough for a worker to run some 40 batches
/// ahead of another that is slowed by a large batch, or not scheduled for a
/// while by a busy host. (Measured on the bound this one replaced, on the
/// batches waiting for the index step alone: with two cores, 40
/// interleaved runs, 4 MB per worker took 168 -> 164 ms median against a
/// bound of 8 batches, and 32 batches 166 -> 156.) A batch also holds its
/// records, sketches and output, about twice its input again. A huge
/// record is a batch of its own, and no worker reads another while the
/// bound is passed.
const IN_FLIGHT_BYTES: usize = 8 << 20;

/// Prepared batches waiting for the index step.
struct Queue {
    /// The number of the batch the index step takes next.
    turn: u64,
    /// Batches prepared before a batch ahead of them, with the worker that
    /// prepared each.
    ready: Vec<(u64, usize, Result<Prepared, Fail>)>,
    /// Whether a worker is running the index step.
    indexing: bool,
}

/// What the index step keeps: only the worker running it locks this.
struct Ordered<'r> {
    engine: &'r mut Engine,
    /// Input lines so far: the id of a record without one.
    lines: u64,
    html: Option<&'r mut Vec<(DocId, String, Report)>>,
    /// The first failure in input order: no batch after it is indexed.
    stop: Option<Fail>,
}

/// Rendered batches on their way to the output, in input order.
struct Sending<'r> {
    /// The number of the batch written next.
    next: u64,
    /// Batches rendered before a batch ahead of them, with their input
    /// bytes.
    waiting: Vec<(u64, Vec<u8>, usize)>,
    output: &'r mut Output,
    summary: &'r mut Summary,
    after_batch: &'r mut (dyn FnMut(&Summary) + Send),
}

/// What the workers share.
struct Shared<'r, 'c> {
    ctx: &'r Ctx<'c>,
    source: Mutex<Source>,
    queue: Mutex<Queue>,
    ordered: Mutex<Ordered<'r>>,
    sending: Mutex<Sending<'r>>,
    /// Each worker's indexed batches: a batch is rendered by the worker
    /// that prepared it, whose cache holds its text and records.
    mailboxes: Vec<Mailbox>,
    /// Input bytes of the batches read and not yet written.
    in_flight: AtomicUsize,
    /// The bound on `in_flight`.
    max_in_flight: usize,
    /// Workers asleep in [`Shared::sleep`]: when none is, nobody is woken.
    sleepers: AtomicUsize,
    /// Set when no more batches should be read: the input ended, a failure,
    /// or the output failed.
    halt: AtomicBool,
    /// Set when the run failed: batches after the failure are not indexed,
    /// and their workers do not wait for them.
    stopped: AtomicBool,
    /// A failure of rendering (a panic): the output has a hole from there.
    failed_render: Mutex<Option<Fail>>,
    /// Set when a write failed: nothing is indexed or rendered after it.
    output_failed: AtomicBool,
    recycle: Sender<String>,
    buffers: Buffers,
}

/// A worker's indexed batches, to render; `None` for a batch after a
/// failure, which is not rendered. The worker sleeps on `wake`.
#[derive(Default)]
struct Mailbox {
    indexed: Mutex<Vec<(u64, Option<Indexed>)>>,
    wake: Condvar,
}

/// What the index step found, for rendering.
struct Indexed {
    text: String,
    items: Vec<Item>,
    checked: Vec<Checked>,
    counts: Summary,
    position: u64,
}

impl Run<'_, '_> {
    /// Runs every batch from `batches` through the engine and writes the
    /// rendered output, in input order. `after_batch` is called with the
    /// summary after each batch (for the progress bar).
    ///
    /// Each worker takes a whole batch through parsing, sketching, the
    /// index and rendering, so the batch stays in one core's cache; only
    /// the index step sees the batches one at a time. (Sharing every stage
    /// of each batch between threads, with a join per batch, spent 22% more
    /// CPU time on two threads than on one.)
    pub fn run(
        self,
        mut batches: Batches,
        after_batch: &mut (dyn FnMut(&Summary) + Send),
    ) -> Result<(), Fail> {
        let (recycle, recycled) = channel();
        batches.recycle_from(recycled);
        let workers = self.workers.max(1);
        let shared = Shared {
            ctx: self.ctx,
            source: Mutex::new(Source {
                batches,
                next: 0,
                ended: false,
            }),
            queue: Mutex::new(Queue {
                turn: 0,
                ready: Vec::new(),
                indexing: false,
            }),
            ordered: Mutex::new(Ordered {
                engine: self.engine,
                lines: self.summary.lines,
                html: self.html,
                stop: None,
            }),
            sending: Mutex::new(Sending {
                next: 0,
                waiting: Vec::new(),
                output: self.output,
                summary: self.summary,
                after_batch,
            }),
            mailboxes: (0..workers).map(|_| Mailbox::default()).collect(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: workers * IN_FLIGHT_BYTES,
            sleepers: AtomicUsize::new(0),
            halt: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            failed_render: Mutex::new(None),
            output_failed: AtomicBool::new(false),
            recycle,
            buffers: Buffers::default(),
        };
        std::thread::scope(|scope| {
            for worker in 1..workers {
                let shared = &shared;
                scope.spawn(move || shared.work(worker));
            }
            shared.work(0);
        });
        let failed_render = lock(&shared.failed_render).take();
        let stop = lock(&shared.ordered).stop.take();
        failed_render.or(stop).map_or(Ok(()), Err)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs one stage of one batch, turning a panic (a bug) into a failure
/// that stops the run: the other workers are not left waiting for this
/// one, and the output file is removed. The panic's message has been
/// printed by then.
fn guarded<T>(stage: impl FnOnce() -> T) -> Result<T, Fail> {
    std::panic::catch_unwind(AssertUnwindSafe(stage)).map_err(|_| {
        Fail::Io("internal error: a worker panicked (the message above); please report it".into())
    })
}

/// Fault injection for the tests, in debug builds only:
/// `TEXTDEDUP_FAULT=stage:n` panics in `stage` (`read`, `prepare`, `index`
/// or `render`) of batch `n`.
#[cfg(debug_assertions)]
fn fault(stage: &str, seq: u64) {
    if let Ok(spec) = std::env::var("TEXTDEDUP_FAULT")
        && spec.split_once(':') == Some((stage, seq.to_string().as_str()))
    {
        panic!("fault injected in {stage} of batch {seq}");
    }
}

#[cfg(not(debug_assertions))]
fn fault(_stage: &str, _seq: u64) {}

impl<'r, 'c> Shared<'r, 'c> {
    /// One worker: batch after batch, until the input ends or the run
    /// stops; then it renders the batches it still has in the index step.
    ///
    /// Every stage runs under [`guarded`], and the code between them does
    /// not panic, so that every batch read is queued, and every batch
    /// queued is indexed, or the run stops.
    fn work(&self, worker: usize) {
        let mut outstanding = 0;
        loop {
            outstanding -= self.render_mail(worker);
            self.index_ready(worker);
            if !self.room(worker, &mut outstanding) {
                break;
            }
            let Some((seq, read)) = self.take() else {
                break;
            };
            outstanding += 1;
            let prepared = read.and_then(|(batch, at)| {
                guarded(|| {
                    fault("prepare", seq);
                    prepare(self.ctx, batch, at)
                })
            });
            lock(&self.queue).ready.push((seq, worker, prepared));
            self.index_ready(worker);
        }
        while outstanding > 0 && !self.stopped.load(Ordering::SeqCst) {
            outstanding -= self.render_mail(worker);
            self.index_ready(worker);
            if outstanding > 0 {
                self.sleep(worker, || false);
            }
        }
        // After a failure, what was indexed before it is still written.
        self.render_mail(worker);
    }

    /// Waits while too much input is in flight, rendering the worker's
    /// batches and running the index step meanwhile, as the batches in
    /// flight may need either; false when no more batches should be read.
    fn room(&self, worker: usize, outstanding: &mut usize) -> bool {
        let roomy = || {
            self.halt.load(Ordering::SeqCst)
                || self.in_flight.load(Ordering::SeqCst) < self.max_in_flight
        };
        while !roomy() {
            self.sleep(worker, roomy);
            *outstanding -= self.render_mail(worker);
            self.index_ready(worker);
        }
        !self.halt.load(Ordering::SeqCst)
    }

    /// The next batch and its number in input order, or `None` at the end.
    fn take(&self) -> Option<(u64, Read)> {
        let mut source = lock(&self.source);
        if source.ended || self.halt.load(Ordering::SeqCst) {
            return None;
        }
        let seq = source.next;
        let read = match guarded(|| {
            fault("read", seq);
            source.batches.next_batch()
        }) {
            Ok(Ok(batch)) if batch.is_empty() => None,
            // The position is where the batch ends in the stored input, for
            // a progress bar that follows what was processed, not read.
            Ok(Ok(batch)) => Some(Ok((batch, source.batches.disk_position()))),
            Ok(Err(fail)) | Err(fail) => Some(Err(fail)),
        };
        source.ended = !matches!(read, Some(Ok(_)));
        let Some(read) = read else {
            drop(source);
            self.halt.store(true, Ordering::SeqCst);
            self.wake_sleepers();
            return None;
        };
        if let Ok((batch, _)) = &read {
            self.in_flight.fetch_add(batch.text.len(), Ordering::SeqCst);
        }
        source.next += 1;
        Some((seq, read))
    }

    /// Runs the index step, unless another worker is: every queued batch in
    /// turn, each handed to the worker that prepared it. It stops after one
    /// of this worker's own batches, to render it: a worker that kept the
    /// step while the others fed it would hold the output back behind its
    /// own batches, and the others' rendered batches would pile up.
    fn index_ready(&self, worker: usize) {
        let mut queue = lock(&self.queue);
        if queue.indexing {
            return;
        }
        queue.indexing = true;
        loop {
            let turn = queue.turn;
            let Some(i) = queue.ready.iter().position(|(s, _, _)| *s == turn) else {
                break;
            };
            let (seq, owner, prepared) = queue.ready.swap_remove(i);
            queue.turn += 1;
            drop(queue);
            let (indexed, stopped) = self.index(seq, prepared);
            let mailbox = &self.mailboxes[owner];
            lock(&mailbox.indexed).push((seq, indexed));
            mailbox.wake.notify_all();
            if stopped {
                self.stop_waiting();
            }
            queue = lock(&self.queue);
            if owner == worker {
                break;
            }
        }
        queue.indexing = false;
    }

    /// The sequential index step: `None` when the run has stopped before
    /// this batch; and whether the run has stopped.
    fn index(&self, seq: u64, prepared: Result<Prepared, Fail>) -> (Option<Indexed>, bool) {
        if self.output_failed.load(Ordering::SeqCst) {
            return (None, true);
        }
        let mut ordered = lock(&self.ordered);
        let indexed = guarded(|| {
            fault("index", seq);
            Self::index_batch(self.ctx, &mut ordered, prepared)
        })
        .unwrap_or_else(|fail| {
            ordered.stop.get_or_insert(fail);
            None
        });
        (indexed, ordered.stop.is_some())
    }

    /// Renders the worker's indexed batches; returns how many it took.
    fn render_mail(&self, worker: usize) -> usize {
        let mail = std::mem::take(&mut *lock(&self.mailboxes[worker].indexed));
        let taken = mail.len();
        for (seq, batch) in mail {
            if let Some(batch) = batch {
                self.render(seq, batch);
            }
        }
        taken
    }

    /// Sleeps until the worker has batches to render, the run stops, or
    /// `awake` holds. Whoever changes what `awake` reads calls
    /// [`Shared::wake_sleepers`] after the change.
    fn sleep(&self, worker: usize, awake: impl Fn() -> bool) {
        let mailbox = &self.mailboxes[worker];
        let mut mail = lock(&mailbox.indexed);
        // Counted before the look, under the lock: a waker either sees the
        // count and takes the lock to notify, or made its change before the
        // look (both sequentially consistent).
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        while mail.is_empty() && !self.stopped.load(Ordering::SeqCst) && !awake() {
            mail = mailbox
                .wake
                .wait(mail)
                .unwrap_or_else(PoisonError::into_inner);
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Wakes every sleeping worker to look again.
    fn wake_sleepers(&self) {
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return;
        }
        for mailbox in &self.mailboxes {
            drop(lock(&mailbox.indexed));
            mailbox.wake.notify_all();
        }
    }

    /// Marks the run as failed and wakes every sleeping worker.
    fn stop_waiting(&self) {
        self.halt.store(true, Ordering::SeqCst);
        self.stopped.store(true, Ordering::SeqCst);
        self.wake_sleepers();
    }

    /// The index step's work on the ordered state.
    fn index_batch(
        ctx: &Ctx<'_>,
        ordered: &mut Ordered<'_>,
        prepared: Result<Prepared, Fail>,
    ) -> Option<Indexed> {
        if ordered.stop.is_some() {
            return None;
        }
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(fail) => {
                ordered.stop = Some(fail);
                return None;
            }
        };
        let Prepared {
            text,
            mut items,
            position,
        } = prepared;
        let mut counts = Summary::default();
        let mut checked = Vec::with_capacity(items.len());
        for i in 0..items.len() {
            // The index waits on memory: the buckets of the record after
            // next load while this one is inserted (one ahead was slower,
            // in interleaved runs: 295 against 290 ms on one core).
            if let (Engine::Index(index), Some(Ok((_, next)))) =
                (&*ordered.engine, items.get(i + 2).map(|n| &n.parsed))
            {
                index.prefetch_sketch(next);
            }
            let item = &mut items[i];
            if !item.empty_file {
                ordered.lines += 1;
                counts.lines += 1;
            }
            counts.bytes_in += item.in_bytes as u64;
            let (id, found) = match &mut item.parsed {
                Ok((doc, sketch)) => {
                    let id = doc.id.take().unwrap_or(DocId::Num(ordered.lines));
                    let html = ordered
                        .html
                        .as_deref_mut()
                        .filter(|h| h.len() < HTML_RECORDS);
                    let html_id = html.is_some().then(|| id.clone());
                    let (found, id) = ordered.engine.check(id, sketch, ctx.check_only);
                    if let (Some(html), Some(html_id), Found::Index(report)) =
                        (html, html_id, &found)
                    {
                        html.push((html_id, doc.text(&text).to_owned(), report.clone()));
                    }
                    (id, Some(found))
                }
                Err(bad) => {
                    counts.count_error(bad.kind);
                    (None, None)
                }
            };
            if let (Err(bad), OnError::Fail) = (&item.parsed, ctx.on_error) {
                // Records before the bad one are still written.
                ordered.stop = Some(Fail::Input(location(item, &bad.message)));
                break;
            }
            checked.push(Checked { id, found });
        }
        items.truncate(checked.len());
        Some(Indexed {
            text,
            items,
            checked,
            counts,
            position,
        })
    }

    /// Cleans and serializes a batch, then writes it once the batches before
    /// it are written.
    fn render(&self, seq: u64, indexed: Indexed) {
        if self.output_failed.load(Ordering::SeqCst) {
            return;
        }
        let in_bytes = indexed.text.len();
        let (out, counts, position) = match guarded(|| {
            fault("render", seq);
            self.render_batch(indexed)
        }) {
            Ok(rendered) => rendered,
            Err(fail) => {
                // The batch is never written, so neither is any after it.
                lock(&self.failed_render).get_or_insert(fail);
                self.stop_waiting();
                return;
            }
        };
        let mut sending = lock(&self.sending);
        let sending = &mut *sending;
        sending.summary.merge(counts);
        sending.summary.disk_position = sending.summary.disk_position.max(position);
        sending.waiting.push((seq, out, in_bytes));
        let mut written = 0;
        while let Some(i) = sending.waiting.iter().position(|w| w.0 == sending.next) {
            let (_, out, bytes) = sending.waiting.swap_remove(i);
            if !sending.output.write(&out) {
                // The output failed: its error is reported by the caller.
                self.output_failed.store(true, Ordering::SeqCst);
            }
            sending.next += 1;
            self.buffers.give(out);
            written += bytes;
        }
        (sending.after_batch)(sending.summary);
        self.in_flight.fetch_sub(written, Ordering::SeqCst);
        if self.output_failed.load(Ordering::SeqCst) {
            self.stop_waiting();
        } else if written > 0 {
            self.wake_sleepers();
        }
    }

    /// Cleans and serializes a batch: its output, what it counts, and where
    /// it ends in the stored input.
    fn render_batch(&self, indexed: Indexed) -> (Vec<u8>, Summary, u64) {
        let Indexed {
            text,
            items,
            checked,
            counts,
            position,
        } = indexed;
        // Sized once: the lines, plus room for the duplicates.
        let guess: usize = items.iter().map(|item| item.in_bytes + 256).sum();
        // The index step's counts go on with what rendering counts.
        let mut rendered = Rendered {
            out: self.buffers.take(guess),
            counts,
        };
        for (item, c) in items.iter().zip(checked) {
            rendered.render(self.ctx, &text, (item, c));
        }
        // The records point into the text: dropped first.
        drop(items);
        let _ = self.recycle.send(text);
        let Rendered { out, mut counts } = rendered;
        counts.bytes_out = out.len() as u64;
        (out, counts, position)
    }
}

/// The first stage: parse and sketch.
fn prepare(ctx: &Ctx<'_>, batch: Batch, position: u64) -> Prepared {
    let Batch { text, lines } = batch;
    let items = lines
        .into_iter()
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
