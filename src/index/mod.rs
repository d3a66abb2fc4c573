//! The cross-document index: what has been kept so far.

mod near;
mod persist;

use self::near::{NearIndex, Source};
use crate::dedup::{LevelSketch, Sketch};
use crate::fxmap::{FingerprintMap, LocalMap, PackedFingerprint};
use crate::report::{Cluster, Duplicate, LevelStats, Origin, Report, Stats};
use crate::{Dedup, DocId, Level, Method, Span};

/// Where a kept segment is, packed: 12 bytes beside its 16-byte fingerprint.
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
    docs: Vec<DocId>,
    // One map per level, by `Level::ordinal`.
    exact: [FingerprintMap<PackedFingerprint, Stored>; 4],
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
            docs: Vec::new(),
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
        self.docs.is_empty()
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
    /// // A MinHash index also keeps a 128-slot signature per paragraph.
    /// assert!(minhash.memory_bytes() >= exact.memory_bytes() + 128 * 8);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn memory_bytes(&self) -> usize {
        let per_slot = std::mem::size_of::<(PackedFingerprint, Stored)>() + 1;
        let maps: usize = self.exact.iter().map(|m| m.capacity() * per_slot).sum();
        let docs: usize = self
            .docs
            .iter()
            .map(|d| {
                std::mem::size_of::<DocId>()
                    + match d {
                        DocId::Str(s) => s.capacity(),
                        DocId::Num(_) => 0,
                    }
            })
            .sum();
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
        let doc_index = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        let mut report = empty_report(sketch);
        for level in &sketch.levels {
            let kept = self.resolve_level(Some(&doc), level, &mut report);
            let ordinal = level.level.ordinal();
            for i in kept {
                let key = &level.keys[i];
                let (Ok(start), Ok(end)) =
                    (u32::try_from(key.span.start), u32::try_from(key.span.end))
                else {
                    continue;
                };
                let stored = Stored {
                    doc: doc_index,
                    start,
                    end,
                };
                self.exact[ordinal]
                    .entry(key.fingerprint.into())
                    .or_insert(stored);
                if let Some(near) = &mut self.near[ordinal] {
                    let entries = &mut self.near_entries[ordinal];
                    if let Ok(id) = u32::try_from(entries.len()) {
                        near.insert(id, &key.near);
                        entries.push(stored);
                    }
                }
            }
        }
        self.docs.push(doc);
        finish(report)
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
        let mut stats = LevelStats::new(level.level);
        stats.segments = level.segments;
        stats.short = level.short;
        stats.bytes = level.bytes;
        for (i, key) in level.keys.iter().enumerate() {
            let found = if let Some(stored) = map.get(&PackedFingerprint::from(key.fingerprint)) {
                Some((self.origin(stored), Method::Exact, 1.0))
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
                if let (Some(local_near), Ok(id)) =
                    (&mut local_near, u32::try_from(local_kept.len()))
                {
                    local_near.insert(id, &key.near);
                    local_kept.push(key.span);
                }
                kept.push(i);
                continue;
            };
            stats.duplicates += 1;
            stats.duplicate_bytes += key.span.len();
            report.duplicates.push(Duplicate {
                level: level.level,
                span: key.span,
                method,
                score,
                of,
            });
        }
        report.stats.levels.push(stats);
        kept
    }
}

impl Index {
    fn origin(&self, stored: &Stored) -> Origin {
        Origin {
            doc: self.docs.get(stored.doc as usize).cloned(),
            span: Span::new(stored.start as usize, stored.end as usize),
        }
    }
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

/// Orders the duplicates and groups them into clusters.
fn finish(mut report: Report) -> Report {
    if report.duplicates.is_empty() {
        return report;
    }
    report.duplicates.sort_by(|a, b| {
        (a.span.start, a.level, a.span.end).cmp(&(b.span.start, b.level, b.span.end))
    });
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut by_origin: std::collections::HashMap<(Level, &Origin), usize> =
        std::collections::HashMap::new();
    for dup in &report.duplicates {
        match by_origin.get(&(dup.level, &dup.of)) {
            Some(&i) => clusters[i].duplicates.push(dup.span),
            None => {
                by_origin.insert((dup.level, &dup.of), clusters.len());
                clusters.push(Cluster {
                    level: dup.level,
                    kept: dup.of.clone(),
                    duplicates: vec![dup.span],
                });
            }
        }
    }
    report.clusters = clusters;
    report
}
