//! What a check found: duplicates, clusters and statistics.

use std::collections::HashMap;

use crate::{DocId, Level, Method, Span};

/// Where the text a duplicate repeats was first seen.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Origin {
    /// The document that holds the kept copy. An [`Index`](crate::Index)
    /// always names it, the checked document included when the text repeats
    /// itself; `None` comes from [`Dedup::check`](crate::Dedup::check),
    /// whose text has no id, and means that same text.
    pub doc: Option<DocId>,
    /// The kept copy's span in that document.
    pub span: Span,
}

/// One segment that repeats earlier text.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Duplicate {
    /// The level at which the segment was compared.
    pub level: Level,
    /// The segment's span in the checked text.
    pub span: Span,
    /// How it was found.
    pub method: Method,
    /// How similar it is to what it duplicates: 1.0 for exact duplicates,
    /// otherwise the method's similarity score.
    pub score: f64,
    /// The kept segment it duplicates.
    pub of: Origin,
}

/// A kept segment and the segments of the checked text that duplicate it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cluster {
    /// The level of the segments.
    pub level: Level,
    /// The kept copy.
    pub kept: Origin,
    /// The spans in the checked text that duplicate it, in text order.
    pub duplicates: Vec<Span>,
}

/// Counts for one level.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LevelStats {
    /// The level counted.
    pub level: Level,
    /// Segments found at this level.
    pub segments: usize,
    /// Segments shorter than the minimum size, never flagged.
    pub short: usize,
    /// Segments flagged as duplicates.
    pub duplicates: usize,
    /// Bytes in all segments.
    pub bytes: usize,
    /// Bytes in duplicate segments.
    pub duplicate_bytes: usize,
}

impl LevelStats {
    /// All counts zero.
    ///
    /// ```
    /// let stats = textdedup::LevelStats::new(textdedup::Level::Sentence);
    /// assert_eq!(stats.segments, 0);
    /// ```
    pub fn new(level: Level) -> LevelStats {
        LevelStats {
            level,
            segments: 0,
            short: 0,
            duplicates: 0,
            bytes: 0,
            duplicate_bytes: 0,
        }
    }

    /// The fraction of segments that are duplicates (Gopher's "duplicate line
    /// fraction" at paragraph level); 0 when there are no segments.
    ///
    /// ```
    /// use textdedup::{Level, LevelStats};
    /// let stats = LevelStats { segments: 4, duplicates: 1, ..LevelStats::new(Level::Paragraph) };
    /// assert_eq!(stats.duplicate_fraction(), 0.25);
    /// ```
    pub fn duplicate_fraction(&self) -> f64 {
        ratio(self.duplicates, self.segments)
    }

    /// The fraction of segment bytes that are in duplicates (Gopher's
    /// "characters in duplicate lines"); 0 when there are no segments.
    ///
    /// ```
    /// use textdedup::{Level, LevelStats};
    /// let stats = LevelStats { bytes: 200, duplicate_bytes: 50, ..LevelStats::new(Level::Paragraph) };
    /// assert_eq!(stats.duplicate_byte_fraction(), 0.25);
    /// ```
    pub fn duplicate_byte_fraction(&self) -> f64 {
        ratio(self.duplicate_bytes, self.bytes)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Statistics of one checked text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stats {
    /// The length of the checked text in bytes.
    pub text_bytes: usize,
    /// One entry per level checked, in the order of [`Level::ALL`].
    pub levels: Vec<LevelStats>,
}

impl Stats {
    /// The counts for `level`, if it was checked.
    ///
    /// ```
    /// use textdedup::{Dedup, Level};
    /// let report = Dedup::new().check("A paragraph long enough.\nA paragraph long enough.");
    /// assert_eq!(report.stats.level(Level::Paragraph).unwrap().duplicates, 1);
    /// assert!(report.stats.level(Level::Sentence).is_none());
    /// ```
    pub fn level(&self, level: Level) -> Option<&LevelStats> {
        self.levels.iter().find(|s| s.level == level)
    }
}

/// Everything a check found in one text.
///
/// A report holds spans, not borrowed strings, so it outlives the text and
/// can be serialized; pass the same text back to [`Report::cleaned`] to get
/// the text without its duplicates, and ask [`Report::clusters`] for the
/// duplicates grouped by what they repeat.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Report {
    /// Every duplicate segment, ordered by start, then by level from the
    /// largest segments to the smallest.
    pub duplicates: Vec<Duplicate>,
    /// Counts per level.
    pub stats: Stats,
}

impl Report {
    /// Whether nothing was found.
    ///
    /// ```
    /// assert!(textdedup::Dedup::new().check("Nothing repeats here.").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.duplicates.is_empty()
    }

    /// The duplicates found at `level`.
    ///
    /// ```
    /// use textdedup::{Dedup, Level};
    /// let report = Dedup::new().check("Same words again here.\nSame words again here.");
    /// assert_eq!(report.at(Level::Paragraph).count(), 1);
    /// ```
    pub fn at(&self, level: Level) -> impl Iterator<Item = &Duplicate> {
        self.duplicates.iter().filter(move |d| d.level == level)
    }

    /// The duplicates grouped by the kept segment they repeat (and level),
    /// ordered by their first duplicate; each cluster's spans are in text
    /// order.
    ///
    /// NOTE: grouped on request, not when the report is made: a corpus run
    /// that only writes the duplicates spent 3% of its time grouping them.
    ///
    /// ```
    /// use textdedup::{Dedup, Span};
    /// let text = "A line said twice here.\nA line said twice here.\nA line said twice here.";
    /// let clusters = Dedup::new().check(text).clusters();
    /// assert_eq!(clusters.len(), 1);
    /// assert_eq!(clusters[0].kept.span, Span::new(0, 23));
    /// assert_eq!(clusters[0].duplicates, [Span::new(24, 47), Span::new(48, 71)]);
    /// ```
    pub fn clusters(&self) -> Vec<Cluster> {
        // NOTE: most reports have a few clusters, found by a scan; a map (by
        // the first duplicate of each cluster) only past that.
        const SCAN: usize = 16;
        // One allocation for the few clusters of most reports; bounded, as a
        // report's thousand copies of one line make one cluster.
        let mut clusters: Vec<Cluster> = Vec::with_capacity(self.duplicates.len().min(SCAN + 1));
        let mut by_origin: Option<HashMap<(Level, &Origin), usize>> = None;
        for (d, dup) in self.duplicates.iter().enumerate() {
            let found = match &by_origin {
                Some(map) => map.get(&(dup.level, &dup.of)).copied(),
                None => clusters
                    .iter()
                    .position(|c| c.level == dup.level && c.kept == dup.of),
            };
            if let Some(i) = found {
                clusters[i].duplicates.push(dup.span);
                continue;
            }
            clusters.push(Cluster {
                level: dup.level,
                kept: dup.of.clone(),
                duplicates: vec![dup.span],
            });
            if let Some(map) = &mut by_origin {
                map.insert((dup.level, &dup.of), clusters.len() - 1);
            } else if clusters.len() > SCAN {
                // Clusters are numbered in the order their first duplicate
                // comes, so numbering the new keys of the duplicates so far,
                // in order, gives each cluster's number.
                let mut map = HashMap::with_capacity(clusters.len());
                for dup in &self.duplicates[..=d] {
                    let next = map.len();
                    map.entry((dup.level, &dup.of)).or_insert(next);
                }
                by_origin = Some(map);
            }
        }
        clusters
    }

    /// `text` with every duplicate removed and everything kept formatted as
    /// it was.
    ///
    /// `text` must be the text this report was made from. Removing a
    /// paragraph removes its lines and one line break, removing a sentence
    /// removes it and the white space after it, and no run of blank lines is
    /// left where there was none. Spans that do not fit `text` are ignored.
    ///
    /// NOTE: cleaning at one level leaves nothing to find at that level, but
    /// with several levels, removing a repeated sentence can make two kept
    /// paragraphs equal: check the cleaned text again if that matters.
    ///
    /// ```
    /// use textdedup::Dedup;
    /// let text = "First paragraph here.\nSecond paragraph here.\nFirst paragraph here.";
    /// let report = Dedup::new().check(text);
    /// assert_eq!(report.cleaned(text), "First paragraph here.\nSecond paragraph here.");
    /// ```
    pub fn cleaned(&self, text: &str) -> String {
        let spans: Vec<Span> = self.duplicates.iter().map(|d| d.span).collect();
        crate::clean::remove_spans(text, &spans)
    }

    /// The number of bytes [`Report::cleaned`] removes from `text`.
    ///
    /// ```
    /// use textdedup::Dedup;
    /// let text = "Repeated line of text.\nRepeated line of text.";
    /// assert_eq!(Dedup::new().check(text).removed_bytes(text), 23);
    /// ```
    pub fn removed_bytes(&self, text: &str) -> usize {
        text.len() - self.cleaned(text).len()
    }
}
