//! The cross-document index: what has been kept so far.

mod docs;
mod exact;
mod near;
mod persist;
#[allow(unsafe_code)]
mod prefetch;
mod slots;

use self::docs::DocTable;
use self::exact::{ExactTable, Location};
use self::near::{NearIndex, Source};
use crate::dedup::{LevelSketch, Sketch};
use crate::fxmap::LocalMap;
use crate::report::{Duplicate, LevelStats, Origin, Report, Stats};
use crate::{Dedup, DocId, Level, Method, Span};

/// Where a near-duplicate entry is.
#[derive(Clone, Copy, Debug)]
struct Stored {
    doc: u32,
    start: u32,
    end: u32,
}

/// The segments kept so far across a stream of documents.
///
/// Made by [`Dedup::index`]. [`Index::insert`] checks a document against
/// everything inserted before it and against itself, then adds its new
/// segments; [`Index::check`] does the same without adding anything
/// (decontamination against a reference set). The first occurrence in
/// insertion order is kept, so the order of insertion, and nothing else,
/// decides which copy survives.
///
/// ```
/// use textdedup::{Dedup, DocId};
///
/// let mut index = Dedup::new().index();
/// index.insert(1, "Shared boilerplate paragraph.\nFirst story.");
/// let report = index.insert(2, "Second story.\nShared boilerplate paragraph.");
/// assert_eq!(report.duplicates.len(), 1);
/// assert_eq!(report.duplicates[0].of.doc, Some(DocId::Num(1)));
/// assert_eq!(index.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct Index {
    dedup: Dedup,
    docs: DocTable,
    // One table per level, by `Level::ordinal`.
    exact: [ExactTable; 4],
    // With a near-duplicate method: per level, the kept segments' keys and
    // where each entry is.
    near: [Option<NearIndex>; 4],
    near_entries: [Vec<Stored>; 4],
}

impl Index {
    pub(crate) fn new(dedup: Dedup) -> Index {
        let near = std::array::from_fn(|_| dedup.near().map(NearIndex::new));
        Index {
            dedup,
            docs: DocTable::default(),
            exact: Default::default(),
            near,
            near_entries: Default::default(),
        }
    }

    /// The settings this index was made with.
    pub fn dedup(&self) -> &Dedup {
        &self.dedup
    }

    /// The number of documents inserted.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no document was inserted.
    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    /// The number of distinct segments kept at `level`.
    ///
    /// ```
    /// use textdedup::{Dedup, Level};
    /// let mut index = Dedup::new().index();
    /// index.insert(0, "Alpha paragraph one.\nBeta paragraph two.\nAlpha paragraph one.");
    /// assert_eq!(index.segments(Level::Paragraph), 2);
    /// ```
    pub fn segments(&self, level: Level) -> usize {
        self.exact[level.ordinal()].len()
    }

    /// An estimate of the heap memory the index holds, in bytes: the exact
    /// fingerprint tables, the document ids and, with a near-duplicate
    /// method, its signatures, simhashes or n-grams.
    ///
    /// ```
    /// use textdedup::{Dedup, Method};
    /// let text = "Some paragraph with enough words to shingle it well.";
    /// let mut exact = Dedup::new().index();
    /// exact.insert(0, text);
    /// let mut minhash = Dedup::builder().method(Method::MinHash).build()?.index();
    /// minhash.insert(0, text);
    /// // A MinHash index also keeps a signature of 128 four-byte slots per
    /// // paragraph.
    /// assert!(minhash.memory_bytes() >= exact.memory_bytes() + 128 * 4);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn memory_bytes(&self) -> usize {
        let maps: usize = self.exact.iter().map(ExactTable::memory_bytes).sum();
        let docs = self.docs.memory_bytes();
        let near: usize = self
            .near
            .iter()
            .zip(&self.near_entries)
            .map(|(index, entries)| {
                entries.capacity() * std::mem::size_of::<Stored>()
                    + index.as_ref().map_or(0, NearIndex::memory_bytes)
            })
            .sum();
        maps + docs + near
    }

    /// Checks `text` against the index and against itself, then adds its
    /// segments that were not there yet.
    ///
    /// ```
    /// let mut index = textdedup::Dedup::new().index();
    /// let text = "A whole document, copied.";
    /// assert!(index.insert("a", text).is_empty());
    /// assert_eq!(index.insert("b", text).duplicates.len(), 1);
    /// ```
    pub fn insert(&mut self, doc: impl Into<DocId>, text: &str) -> Report {
        let sketch = self.dedup.sketch(text);
        self.insert_sketch(doc.into(), &sketch)
    }

    /// Checks `text` against the index and against itself without adding
    /// anything.
    ///
    /// ```
    /// let mut index = textdedup::Dedup::new().index();
    /// index.insert("train", "A benchmark question leaked.");
    /// let report = index.check("test", "A benchmark question leaked.");
    /// assert_eq!(report.duplicates.len(), 1);
    /// assert_eq!(index.len(), 1);
    /// ```
    pub fn check(&self, doc: impl Into<DocId>, text: &str) -> Report {
        self.check_sketch(Some(doc.into()), &self.dedup.sketch(text))
    }

    /// [`Index::insert`] for a sketch made by [`Dedup::sketch`] with the same
    /// settings.
    pub fn insert_sketch(&mut self, doc: DocId, sketch: &Sketch) -> Report {
        let Ok(doc_index) = u32::try_from(self.docs.len()) else {
            // NOTE: entries number their document in 32 bits; past 2³²
            // documents, later ones are only checked.
            let report = self.check_sketch(Some(doc.clone()), sketch);
            self.docs.push(&doc);
            return report;
        };
        let mut report = empty_report(sketch);
        let exact_only = self.near.iter().all(Option::is_none);
        for level in &sketch.levels {
            if exact_only && u32::try_from(sketch.text_len()).is_ok() {
                let this = ThisDoc {
                    index: doc_index,
                    id: &doc,
                };
                self.insert_exact_level(this, level, &mut report);
                continue;
            }
            let kept = self.resolve_level(Some(&doc), level, &mut report);
            let ordinal = level.level.ordinal();
            for i in kept {
                let key = &level.keys[i];
                let (Ok(start), Ok(end)) =
                    (u32::try_from(key.span.start), u32::try_from(key.span.end))
                else {
                    continue;
                };
                self.exact[ordinal].insert_new(key.fingerprint, doc_index, (start, end));
                if let Some(near) = &mut self.near[ordinal] {
                    let entries = &mut self.near_entries[ordinal];
                    if let Ok(id) = u32::try_from(entries.len()) {
                        near.insert(id, &key.near);
                        entries.push(Stored {
                            doc: doc_index,
                            start,
                            end,
                        });
                    }
                }
            }
        }
        self.docs.push(&doc);
        finish(report)
    }

    /// Exact matching only: one probe per segment finds its earlier copy,
    /// in the index or in this text, or adds it. A segment kept earlier in
    /// this text is in the table already, so no separate map of this text's
    /// segments is needed.
    fn insert_exact_level(&mut self, this: ThisDoc<'_>, level: &LevelSketch, report: &mut Report) {
        let ordinal = level.level.ordinal();
        let mut stats = level_stats(level);
        // The keys' buckets are loaded together rather than one key at a
        // time (see `prefetch_sketch`).
        self.prefetch_level(level);
        for key in &level.keys {
            // The caller checked that the text's offsets fit in 32 bits.
            let span = (key.span.start as u32, key.span.end as u32);
            let Some(found) = self.exact[ordinal].get_or_insert(key.fingerprint, this.index, span)
            else {
                continue;
            };
            let of = if found.doc == this.index {
                Origin {
                    doc: Some(this.id.clone()),
                    span: location_span(found),
                }
            } else {
                self.origin_of(found)
            };
            let dup = Duplicate {
                level: level.level,
                span: key.span,
                method: Method::Exact,
                score: 1.0,
                of,
            };
            flag(&mut stats, report, dup);
        }
        report.stats.levels.push(stats);
    }

    /// Starts loading the parts of the index that inserting or checking
    /// `sketch` reads first, without waiting for them: a hint that changes
    /// no result. Called for the next sketch before inserting this one, it
    /// lets the memory work of the two overlap: inserting waits mostly on
    /// the exact table, which is far larger than the caches.
    ///
    /// ```
    /// use textdedup::Dedup;
    /// let dedup = Dedup::new();
    /// let mut index = dedup.index();
    /// let texts = ["A first paragraph of text.", "A second paragraph of text."];
    /// let sketches: Vec<_> = texts.iter().map(|t| dedup.sketch(t)).collect();
    /// for (i, sketch) in sketches.iter().enumerate() {
    ///     if let Some(next) = sketches.get(i + 1) {
    ///         index.prefetch_sketch(next);
    ///     }
    ///     assert!(index.insert_sketch((i as u64).into(), sketch).is_empty());
    /// }
    /// ```
    pub fn prefetch_sketch(&self, sketch: &Sketch) {
        for level in &sketch.levels {
            self.prefetch_level(level);
        }
    }

    /// [`Index::prefetch_sketch`] for one level.
    #[inline]
    fn prefetch_level(&self, level: &LevelSketch) {
        let table = &self.exact[level.level.ordinal()];
        for key in &level.keys {
            table.prefetch(key.fingerprint);
        }
    }

    /// [`Index::check`] for a sketch; `doc` is `None` when checking a text
    /// on its own.
    pub fn check_sketch(&self, doc: Option<DocId>, sketch: &Sketch) -> Report {
        let mut report = empty_report(sketch);
        for level in &sketch.levels {
            self.resolve_level(doc.as_ref(), level, &mut report);
        }
        finish(report)
    }

    /// Finds the duplicates among one level's segments, and returns the
    /// positions in `level.keys` of the segments kept (neither in the index
    /// nor earlier in the text).
    fn resolve_level(
        &self,
        doc: Option<&DocId>,
        level: &LevelSketch,
        report: &mut Report,
    ) -> Vec<usize> {
        let ordinal = level.level.ordinal();
        let map = &self.exact[ordinal];
        let mut local: LocalMap<Span> = LocalMap::new();
        let near = self.near[ordinal].as_ref();
        let threshold = self.dedup.threshold().unwrap_or(1.0);
        let mut local_near = self.dedup.near().map(NearIndex::new);
        let mut local_kept: Vec<Span> = Vec::new();
        let mut kept = Vec::new();
        let mut stats = level_stats(level);
        for (i, key) in level.keys.iter().enumerate() {
            let found = if let Some(stored) = map.get(key.fingerprint) {
                Some((self.origin_of(stored), Method::Exact, 1.0))
            } else if let Some(span) = local.get(&key.fingerprint) {
                Some((
                    Origin {
                        doc: doc.cloned(),
                        span,
                    },
                    Method::Exact,
                    1.0,
                ))
            } else if let (Some(near), Some(local_near)) = (near, &local_near) {
                NearIndex::find(near, local_near, &key.near, threshold).map(|(source, score)| {
                    let of = match source {
                        Source::Index(id) => self.origin(&self.near_entries[ordinal][id as usize]),
                        Source::Local(id) => Origin {
                            doc: doc.cloned(),
                            span: local_kept[id as usize],
                        },
                    };
                    (of, self.dedup.method(), score)
                })
            } else {
                None
            };
            let Some((of, method, score)) = found else {
                local.insert(key.fingerprint, key.span);
                // Nothing looks the level's last segment up in this text, so
                // it needs no copy of its key here (for a document level, a
                // whole signature).
                let last = i + 1 == level.keys.len();
                if let (Some(local_near), Ok(id), false) =
                    (&mut local_near, u32::try_from(local_kept.len()), last)
                {
                    local_near.insert(id, &key.near);
                    local_kept.push(key.span);
                }
                kept.push(i);
                continue;
            };
            let dup = Duplicate {
                level: level.level,
                span: key.span,
                method,
                score,
                of,
            };
            flag(&mut stats, report, dup);
        }
        report.stats.levels.push(stats);
        kept
    }
}

impl Index {
    fn origin(&self, stored: &Stored) -> Origin {
        Origin {
            doc: self.docs.get(stored.doc as usize),
            span: Span::new(stored.start as usize, stored.end as usize),
        }
    }

    fn origin_of(&self, found: Location) -> Origin {
        Origin {
            doc: self.docs.get(found.doc as usize),
            span: location_span(found),
        }
    }
}

fn location_span(found: Location) -> Span {
    Span::new(found.start as usize, found.end as usize)
}

/// The document being inserted: its number in the index and its id.
#[derive(Clone, Copy)]
struct ThisDoc<'a> {
    index: u32,
    id: &'a DocId,
}

/// Counts `dup` in its level's statistics and adds it to the report.
fn flag(stats: &mut LevelStats, report: &mut Report, dup: Duplicate) {
    stats.duplicates += 1;
    stats.duplicate_bytes += dup.span.len();
    report.duplicates.push(dup);
}

/// A level's statistics before any duplicate is counted.
fn level_stats(level: &LevelSketch) -> LevelStats {
    let mut stats = LevelStats::new(level.level);
    stats.segments = level.segments;
    stats.short = level.short;
    stats.bytes = level.bytes;
    stats
}

/// A report with nothing found yet, sized for `sketch`'s levels.
fn empty_report(sketch: &Sketch) -> Report {
    Report {
        stats: Stats {
            text_bytes: sketch.text_len(),
            levels: Vec::with_capacity(sketch.levels.len()),
        },
        ..Report::default()
    }
}

/// Orders the duplicates.
fn finish(mut report: Report) -> Report {
    report.duplicates.sort_by(|a, b| {
        (a.span.start, a.level, a.span.end).cmp(&(b.span.start, b.level, b.span.end))
    });
    report
}
