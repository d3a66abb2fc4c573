//! The cross-document index: what has been kept so far.

mod persist;

use crate::dedup::{LevelSketch, Sketch};
use crate::fxmap::FingerprintMap;
use crate::report::{Cluster, Duplicate, LevelStats, Origin, Report, Stats};
use crate::{Dedup, DocId, Fingerprint, Level, Method, Span};

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
    exact: [FingerprintMap<Fingerprint, Stored>; 4],
}

impl Index {
    pub(crate) fn new(dedup: Dedup) -> Index {
        Index {
            dedup,
            docs: Vec::new(),
            exact: Default::default(),
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

    /// An estimate of the heap memory the index holds, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let per_slot = std::mem::size_of::<(Fingerprint, Stored)>() + 1;
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
        maps + docs
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
        let mut report = Report {
            stats: Stats {
                text_bytes: sketch.text_len(),
                levels: Vec::with_capacity(sketch.levels.len()),
            },
            ..Report::default()
        };
        for level in &sketch.levels {
            let kept = self.resolve_level(Some(&doc), level, &mut report);
            let map = &mut self.exact[level.level.ordinal()];
            for (fingerprint, span) in kept {
                if let (Ok(start), Ok(end)) = (u32::try_from(span.start), u32::try_from(span.end)) {
                    map.entry(fingerprint).or_insert(Stored {
                        doc: doc_index,
                        start,
                        end,
                    });
                }
            }
        }
        self.docs.push(doc);
        finish(report)
    }

    /// [`Index::check`] for a sketch; `doc` is `None` when checking a text
    /// on its own.
    pub fn check_sketch(&self, doc: Option<DocId>, sketch: &Sketch) -> Report {
        let mut report = Report {
            stats: Stats {
                text_bytes: sketch.text_len(),
                levels: Vec::with_capacity(sketch.levels.len()),
            },
            ..Report::default()
        };
        for level in &sketch.levels {
            self.resolve_level(doc.as_ref(), level, &mut report);
        }
        finish(report)
    }

    /// Finds the duplicates among one level's segments, and returns the
    /// segments kept (first occurrences not in the index).
    fn resolve_level(
        &self,
        doc: Option<&DocId>,
        level: &LevelSketch,
        report: &mut Report,
    ) -> Vec<(Fingerprint, Span)> {
        let map = &self.exact[level.level.ordinal()];
        let mut local: FingerprintMap<Fingerprint, Span> = FingerprintMap::default();
        let mut kept = Vec::new();
        let mut stats = LevelStats::new(level.level);
        stats.segments = level.segments;
        stats.short = level.short;
        stats.bytes = level.bytes;
        for key in &level.keys {
            let of = if let Some(stored) = map.get(&key.fingerprint) {
                Origin {
                    doc: self.docs.get(stored.doc as usize).cloned(),
                    span: Span::new(stored.start as usize, stored.end as usize),
                }
            } else if let Some(&span) = local.get(&key.fingerprint) {
                Origin {
                    doc: doc.cloned(),
                    span,
                }
            } else {
                local.insert(key.fingerprint, key.span);
                kept.push((key.fingerprint, key.span));
                continue;
            };
            stats.duplicates += 1;
            stats.duplicate_bytes += key.span.len();
            report.duplicates.push(Duplicate {
                level: level.level,
                span: key.span,
                method: Method::Exact,
                score: 1.0,
                of,
            });
        }
        report.stats.levels.push(stats);
        kept
    }
}

/// Orders the duplicates and groups them into clusters.
fn finish(mut report: Report) -> Report {
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
