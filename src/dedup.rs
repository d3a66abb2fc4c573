//! The deduplicator: settings, and the pure per-document stage.

use crate::index::Index;
use crate::near::{LshParams, MinHasher, Shingler, Signature};
use crate::segment;
use crate::{Error, Fingerprint, Level, Method, Normalizer, ParagraphMode, Preset, Report, Span};

/// Finds duplicate segments inside one text, and makes [`Index`]es that find
/// them across many.
///
/// Build one with [`Dedup::builder`] (or take the defaults with
/// [`Dedup::new`]); the settings are validated once, and running it never
/// fails and never panics, whatever the text.
///
/// ```
/// use textdedup::{Dedup, Level};
///
/// let dedup = Dedup::builder().levels([Level::Paragraph, Level::Sentence]).build()?;
/// let text = "The cat sat on the mat.\nA dog barked. The cat sat on the mat.";
/// let report = dedup.check(text);
/// // The second line's last sentence repeats the first line.
/// let dup = report.at(Level::Sentence).next().unwrap();
/// assert_eq!(&text[dup.span.range()], "The cat sat on the mat.");
/// assert_eq!(dup.of.span.start, 0);
/// # Ok::<(), textdedup::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Dedup {
    config: Config,
    near: Option<NearSettings>,
}

/// What a near-duplicate method needs, derived once from the settings.
#[derive(Clone, Debug)]
pub(crate) struct NearSettings {
    pub(crate) threshold: f64,
    /// By `Level::ordinal`.
    pub(crate) shinglers: [Shingler; 4],
    pub(crate) kind: NearKind,
}

#[derive(Clone, Debug)]
pub(crate) enum NearKind {
    MinHash { hasher: MinHasher, lsh: LshParams },
    SimHash { max_distance: u32 },
    Containment,
}

/// A segment's near-duplicate key, by method.
#[derive(Clone, Debug)]
pub(crate) enum NearKey {
    /// Exact matching only: no method, or no shingles.
    None,
    Signature(Signature),
    SimHash(u64),
    Shingles(Box<[u64]>),
}

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) levels: Vec<Level>,
    pub(crate) normalizer: Normalizer,
    pub(crate) paragraph_mode: ParagraphMode,
    pub(crate) span_sentences: usize,
    pub(crate) min_chars: usize,
    pub(crate) method: Method,
    pub(crate) threshold: Option<f64>,
    pub(crate) num_perm: usize,
    pub(crate) ngram: Option<usize>,
}

/// The default word n-gram size per level. Five words, as in most web
/// deduplication: n-grams shared by chance stay rare even against the index
/// of a whole corpus (NOTE: on the news corpus, document containment at 0.8
/// flags 1,443 documents with 5-grams but 4,492 with 3-grams, the extra ones
/// mostly templates and common phrases; `examples/quality.rs`). Sentences are
/// short, so they get 3-grams: one changed word breaks 3 of a 12-word
/// sentence's 10 three-grams, but 5 of its 8 five-grams. NOTE: that suits
/// MinHash, which compares with one sentence, but containment compares with
/// every n-gram of the index, where a short sentence's few 3-grams are often
/// all seen ("Sure they can."): on the news corpus it flags 70,883 sentences
/// with 3-grams, 24,435 with 5-grams.
fn default_ngram(level: Level) -> usize {
    match level {
        Level::Document | Level::Paragraph | Level::SentenceSpan => 5,
        Level::Sentence => 3,
    }
}

/// The default similarity threshold per method: 0.8, the usual choice for
/// near-duplicates (bff's containment, MinHash in web corpora). It passes
/// near-copies only: a copy with a fraction `e` of its words changed keeps
/// about `(1 - e)^n` of its n-grams, so with 5-grams containment 0.8 allows
/// one word in 23 and Jaccard 0.8 one in 43. Rewritten text (the "light"
/// revisions of the Clough corpus keep a median 32% of their 5-grams) is
/// reuse, not a near-duplicate; a lower threshold finds it, at a price in
/// false matches that grows with the index.
fn default_threshold(method: Method) -> Option<f64> {
    match method {
        Method::Exact => None,
        Method::MinHash | Method::Containment => Some(0.8),
        // A Hamming distance of at most 3 of 64 bits, as in Manku et al.
        Method::SimHash => Some(1.0 - 3.0 / 64.0),
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            levels: vec![Level::Paragraph],
            normalizer: Normalizer::new(Preset::Default),
            paragraph_mode: ParagraphMode::Auto,
            span_sentences: 3,
            min_chars: 10,
            method: Method::Exact,
            threshold: None,
            num_perm: 128,
            ngram: None,
        }
    }
}

impl Default for Dedup {
    fn default() -> Dedup {
        Dedup::new()
    }
}

impl Dedup {
    /// A deduplicator with the default settings: exact duplicates at
    /// paragraph level, [`Preset::Default`] normalization,
    /// [`ParagraphMode::Auto`], and segments of fewer than 10 letters or
    /// digits never flagged.
    ///
    /// ```
    /// let report = textdedup::Dedup::new().check("Hello there, world.\n\nHello there, world!");
    /// assert_eq!(report.duplicates.len(), 1);
    /// ```
    pub fn new() -> Dedup {
        Dedup {
            config: Config::default(),
            near: None,
        }
    }

    /// A builder to choose the settings.
    ///
    /// ```
    /// use textdedup::{Dedup, Level};
    /// let dedup = Dedup::builder().levels([Level::Sentence]).min_chars(1).build()?;
    /// assert_eq!(dedup.levels(), &[Level::Sentence]);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn builder() -> DedupBuilder {
        DedupBuilder {
            config: Config::default(),
        }
    }

    /// The levels checked, from the largest segments to the smallest.
    pub fn levels(&self) -> &[Level] {
        &self.config.levels
    }

    /// The normalizer applied to every segment.
    pub fn normalizer(&self) -> &Normalizer {
        &self.config.normalizer
    }

    /// How texts are split into paragraphs.
    pub fn paragraph_mode(&self) -> ParagraphMode {
        self.config.paragraph_mode
    }

    /// The number of sentences in a [`Level::SentenceSpan`] window.
    pub fn span_sentences(&self) -> usize {
        self.config.span_sentences
    }

    /// The minimum number of letters and digits a normalized segment needs to
    /// be flagged.
    pub fn min_chars(&self) -> usize {
        self.config.min_chars
    }

    /// How segments that are not exact duplicates are compared.
    pub fn method(&self) -> Method {
        self.config.method
    }

    /// The similarity a near-duplicate needs (inclusive), `None` for
    /// [`Method::Exact`].
    pub fn threshold(&self) -> Option<f64> {
        self.near.as_ref().map(|n| n.threshold)
    }

    /// The number of MinHash permutations.
    pub fn num_perm(&self) -> usize {
        self.config.num_perm
    }

    /// The word n-gram size used for shingles at `level`.
    ///
    /// ```
    /// use textdedup::{Dedup, Level};
    /// assert_eq!(Dedup::new().ngram(Level::Paragraph), 5);
    /// assert_eq!(Dedup::new().ngram(Level::Sentence), 3);
    /// ```
    pub fn ngram(&self, level: Level) -> usize {
        self.config.ngram.unwrap_or_else(|| default_ngram(level))
    }

    pub(crate) fn near(&self) -> Option<&NearSettings> {
        self.near.as_ref()
    }

    /// Finds the segments of `text` that repeat earlier segments of `text`.
    ///
    /// The first occurrence, the one with the earliest byte offset, is kept;
    /// every later one is reported as its duplicate.
    ///
    /// ```
    /// let text = "Breaking news today.\nSomething else.\nBreaking news today.";
    /// let report = textdedup::Dedup::new().check(text);
    /// assert_eq!(report.duplicates[0].span.start, 37);
    /// assert_eq!(report.duplicates[0].of.span.start, 0);
    /// assert_eq!(report.duplicates[0].of.doc, None);
    /// ```
    pub fn check(&self, text: &str) -> Report {
        self.index().check_sketch(None, &self.sketch(text))
    }

    /// An empty index for finding duplicates across documents.
    ///
    /// ```
    /// use textdedup::{Dedup, DocId};
    /// let mut index = Dedup::new().index();
    /// index.insert("a", "A paragraph that gets copied.");
    /// let report = index.insert("b", "Other text first.\nA paragraph that gets copied.");
    /// assert_eq!(report.duplicates[0].of.doc, Some(DocId::from("a")));
    /// ```
    pub fn index(&self) -> Index {
        Index::new(self.clone())
    }

    /// The pure, per-document stage: segments `text` at every level and
    /// fingerprints each normalized segment.
    ///
    /// A sketch depends on nothing but the text and the settings, so sketches
    /// can be made on many threads and handed to [`Index::insert_sketch`] in
    /// order.
    ///
    /// ```
    /// let dedup = textdedup::Dedup::new();
    /// let text = "One paragraph of text.\nAnother paragraph of text.";
    /// let sketch = dedup.sketch(text);
    /// assert_eq!(sketch.text_len(), text.len());
    /// assert_eq!(sketch.segments().count(), 2);
    /// ```
    pub fn sketch(&self, text: &str) -> Sketch {
        let mut levels = SPARE_LEVELS.take();
        let mut spare_keys = levels.pop().map(|level| level.keys).unwrap_or_default();
        levels.reserve(self.config.levels.len());
        let mut sketch = Sketch {
            text_len: text.len(),
            levels,
        };
        let Scratch {
            mut buf,
            mut shingles,
        } = SCRATCH.take();
        for &level in &self.config.levels {
            // NOTE: sized for ~128-byte segments up front (up to a bound,
            // for huge texts), so that it is rarely grown.
            let room = match level {
                Level::Document => 1,
                _ => (text.len() / 128 + 1).min(4096),
            };
            let mut keys = if sketch.levels.is_empty() {
                std::mem::take(&mut spare_keys)
            } else {
                Vec::new()
            };
            keys.reserve(room);
            let mut out = LevelSketch {
                level,
                keys,
                segments: 0,
                short: 0,
                bytes: 0,
            };
            self.for_each_segment(text, level, |span, segment| {
                out.segments += 1;
                out.bytes += span.len();
                let len = self
                    .config
                    .normalizer
                    .normalize_bytes_into(segment, &mut buf);
                let key = &buf[..len];
                if has_min_chars(key, self.config.min_chars) {
                    let near = match self.near {
                        // The key is UTF-8, so this borrows it; `from_utf8`
                        // checks ASCII a word at a time, where the lossy
                        // decoder alone was 5% of document MinHash.
                        Some(_) => {
                            let key = std::str::from_utf8(key).map_or_else(
                                |_| String::from_utf8_lossy(key),
                                std::borrow::Cow::Borrowed,
                            );
                            self.near_key(level, &key, &mut shingles)
                        }
                        None => NearKey::None,
                    };
                    out.keys.push(SegmentKey {
                        span,
                        fingerprint: Fingerprint::of_bytes(key),
                        near,
                    });
                } else {
                    out.short += 1;
                }
            });
            sketch.levels.push(out);
        }
        SCRATCH.set(Scratch::keep(buf, shingles));
        sketch
    }

    fn near_key(&self, level: Level, normalized: &str, shingles: &mut Vec<u64>) -> NearKey {
        let Some(near) = &self.near else {
            return NearKey::None;
        };
        let shingler = &near.shinglers[level.ordinal()];
        if matches!(near.kind, NearKind::MinHash { .. }) {
            // A signature depends neither on the order of the shingles nor
            // on repeats, so they need no sorting.
            shingler.shingles_in_order_into(normalized, shingles);
        } else {
            shingler.shingles_into(normalized, shingles);
        }
        if shingles.is_empty() {
            return NearKey::None;
        }
        match &near.kind {
            NearKind::MinHash { hasher, .. } => NearKey::Signature(hasher.signature(shingles)),
            NearKind::SimHash { .. } => NearKey::SimHash(crate::near::simhash(shingles)),
            NearKind::Containment => NearKey::Shingles(shingles.as_slice().into()),
        }
    }

    fn for_each_segment<'t>(&self, text: &'t str, level: Level, mut f: impl FnMut(Span, &'t str)) {
        let mode = self.config.paragraph_mode;
        match level {
            Level::Document => {
                if let Some((span, s)) = segment::document(text) {
                    f(span, s);
                }
            }
            Level::Paragraph => segment::paragraphs(text, mode).for_each(|(span, s)| f(span, s)),
            Level::Sentence => segment::sentences(text, mode).for_each(|(span, s)| f(span, s)),
            Level::SentenceSpan => {
                segment::sentence_windows(text, mode, self.config.span_sentences)
                    .for_each(|(span, s)| f(span, s))
            }
        }
    }
}

/// Buffers reused from one sketch to the next on a thread: most documents
/// are small, and allocating the buffers again for each was a measurable
/// share of sketching them.
#[derive(Default)]
struct Scratch {
    /// The normalized segment's UTF-8 bytes.
    buf: Vec<u8>,
    shingles: Vec<u64>,
}

impl Scratch {
    /// Buffers at most this large are kept: a huge document's are freed.
    const KEEP_BYTES: usize = 1 << 20;

    fn keep(mut buf: Vec<u8>, mut shingles: Vec<u64>) -> Scratch {
        if buf.capacity() > Self::KEEP_BYTES {
            buf = Vec::new();
        }
        if shingles.capacity() * 8 > Self::KEEP_BYTES {
            shingles = Vec::new();
        }
        Scratch { buf, shingles }
    }
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
    /// The levels of the last [`Sketch`] dropped on this thread: its first
    /// level only, with no keys but their buffer. NOTE: a key buffer of a
    /// few KiB is past the allocator's per-thread cache, so allocating one
    /// per document was a measurable share of inserting it; the vector of
    /// levels is one allocation a document more.
    static SPARE_LEVELS: std::cell::Cell<Vec<LevelSketch>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Keys kept for reuse at most: a buffer past this (from a huge document)
/// is freed rather than held by the thread.
const MAX_SPARE_KEYS: usize = 1 << 14;

/// Whether the UTF-8 bytes `normalized` hold at least `min` letters or
/// digits.
fn has_min_chars(normalized: &[u8], min: usize) -> bool {
    if min == 0 {
        return true;
    }
    // NOTE: keys are mostly ASCII, where a char is alphanumeric exactly when
    // its byte is; a block at a time, the count vectorizes and most keys
    // reach `min` in their first block or two.
    let mut count = 0;
    let mut blocks = normalized.chunks_exact(BLOCK);
    let mut at = 0;
    for block in &mut blocks {
        let mut bytes = [0; BLOCK];
        bytes.copy_from_slice(block);
        let Some(n) = ascii_alphanumeric(bytes) else {
            return count + count_alphanumeric(&normalized[at..], min - count) >= min;
        };
        count += n;
        if count >= min {
            return true;
        }
        at += BLOCK;
    }
    let rest = blocks.remainder();
    // Spaces pad the last block: ASCII, and neither letter nor digit.
    let mut bytes = [b' '; BLOCK];
    bytes[..rest.len()].copy_from_slice(rest);
    match ascii_alphanumeric(bytes) {
        Some(n) => count + n >= min,
        None => count + count_alphanumeric(rest, min - count) >= min,
    }
}

/// Bytes at a time in [`has_min_chars`].
const BLOCK: usize = 16;

/// The number of ASCII letters and digits in `block`, or `None` if it is not
/// all ASCII.
#[inline(always)]
fn ascii_alphanumeric(block: [u8; BLOCK]) -> Option<usize> {
    // Branch-free in byte lanes, so that it compiles to a few vector steps.
    let mut high = 0;
    let mut n = 0u8;
    for b in block {
        high |= b;
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        n += u8::from(letter | digit);
    }
    (high < 0x80).then_some(usize::from(n))
}

/// The letters and digits of the UTF-8 bytes `text`, counted up to `min`.
fn count_alphanumeric(text: &[u8], min: usize) -> usize {
    // A whole key or a block boundary of an ASCII prefix: valid UTF-8, so
    // the check only borrows.
    String::from_utf8_lossy(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(min)
        .count()
}

/// Builds a [`Dedup`]; every option has a default.
#[derive(Clone, Debug)]
pub struct DedupBuilder {
    config: Config,
}

impl DedupBuilder {
    /// The levels to check (default: paragraphs only). Several levels are
    /// checked independently and share one report and one cleaned text.
    ///
    /// ```
    /// use textdedup::{Dedup, Level};
    /// let dedup = Dedup::builder().levels([Level::Sentence, Level::Document]).build()?;
    /// assert_eq!(dedup.levels(), &[Level::Document, Level::Sentence]);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn levels(&mut self, levels: impl IntoIterator<Item = Level>) -> &mut DedupBuilder {
        let mut levels: Vec<Level> = levels.into_iter().collect();
        levels.sort_unstable();
        levels.dedup();
        self.config.levels = levels;
        self
    }

    /// The normalization preset (default [`Preset::Default`]); replaces any
    /// normalizer set before.
    ///
    /// ```
    /// use textdedup::{Dedup, Preset};
    /// let dedup = Dedup::builder().preset(Preset::C4).build()?;
    /// assert_eq!(dedup.normalizer().preset(), Preset::C4);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn preset(&mut self, preset: Preset) -> &mut DedupBuilder {
        self.config.normalizer = Normalizer::new(preset);
        self
    }

    /// A normalizer with options beyond its preset.
    ///
    /// ```
    /// use textdedup::{Dedup, Normalizer, Preset};
    /// let normalizer = Normalizer::builder(Preset::Default).fold_digits(true).build()?;
    /// let dedup = Dedup::builder().normalizer(normalizer).build()?;
    /// assert!(dedup.normalizer().folds_digits());
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn normalizer(&mut self, normalizer: Normalizer) -> &mut DedupBuilder {
        self.config.normalizer = normalizer;
        self
    }

    /// How texts are split into paragraphs (default [`ParagraphMode::Auto`]).
    ///
    /// ```
    /// use textdedup::{Dedup, ParagraphMode};
    /// let dedup = Dedup::builder().paragraph_mode(ParagraphMode::Lines).build()?;
    /// assert_eq!(dedup.paragraph_mode(), ParagraphMode::Lines);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn paragraph_mode(&mut self, mode: ParagraphMode) -> &mut DedupBuilder {
        self.config.paragraph_mode = mode;
        self
    }

    /// The number of consecutive sentences in a [`Level::SentenceSpan`]
    /// window (default 3, as in C4); at least 1.
    ///
    /// ```
    /// let err = textdedup::Dedup::builder().span_sentences(0).build().unwrap_err();
    /// assert!(err.to_string().contains("span_sentences"));
    /// ```
    pub fn span_sentences(&mut self, k: usize) -> &mut DedupBuilder {
        self.config.span_sentences = k;
        self
    }

    /// Segments whose normalized form has fewer letters and digits than this
    /// are never flagged, nor kept as the original of anything (default 10:
    /// "Yes." or a lone "--" repeat without harm, a nine-word title does
    /// not).
    ///
    /// ```
    /// use textdedup::Dedup;
    /// let text = "Yes.\nYes.";
    /// assert!(Dedup::new().check(text).is_empty());
    /// let eager = Dedup::builder().min_chars(1).build()?;
    /// assert_eq!(eager.check(text).duplicates.len(), 1);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn min_chars(&mut self, min: usize) -> &mut DedupBuilder {
        self.config.min_chars = min;
        self
    }

    /// How segments that are not exact duplicates are compared (default
    /// [`Method::Exact`]: only exact duplicates after normalization). Exact
    /// duplicates are always found; a near-duplicate method adds the rest,
    /// each verified against the earliest kept segment it matches, never
    /// through a chain of matches.
    ///
    /// ```
    /// use textdedup::{Dedup, Level, Method};
    /// let dedup = Dedup::builder().method(Method::MinHash).threshold(0.7).build()?;
    /// let text = "the quick brown fox jumps over the lazy dog near the old river bank today\n\
    ///             the quick brown fox jumps over the lazy dog near the old river bank tonight";
    /// let dup = &dedup.check(text).duplicates[0];
    /// assert_eq!(dup.method, Method::MinHash);
    /// assert!(dup.score >= 0.7 && dup.score < 1.0);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn method(&mut self, method: Method) -> &mut DedupBuilder {
        self.config.method = method;
        self
    }

    /// The similarity a near-duplicate needs, inclusive, in `(0, 1]`: the
    /// estimated Jaccard similarity of word n-grams for [`Method::MinHash`]
    /// (default 0.8), `1 - hamming/64` for [`Method::SimHash`] (default
    /// `1 - 3/64`, at least `1 - 8/64`), the fraction of n-grams seen before
    /// for [`Method::Containment`] (default 0.8). MinHash's LSH bands and
    /// rows are derived from it.
    ///
    /// ```
    /// use textdedup::{Dedup, Method};
    /// let err = Dedup::builder().method(Method::MinHash).threshold(1.5).build().unwrap_err();
    /// assert!(err.to_string().contains("threshold"));
    /// let err = Dedup::builder().threshold(0.9).build().unwrap_err(); // exact has none
    /// assert!(err.to_string().contains("threshold"));
    /// ```
    pub fn threshold(&mut self, threshold: f64) -> &mut DedupBuilder {
        self.config.threshold = Some(threshold);
        self
    }

    /// The number of MinHash permutations (default 128, at most 1024).
    ///
    /// ```
    /// use textdedup::{Dedup, Method};
    /// let dedup = Dedup::builder().method(Method::MinHash).num_perm(256).build()?;
    /// assert_eq!(dedup.num_perm(), 256);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn num_perm(&mut self, num_perm: usize) -> &mut DedupBuilder {
        self.config.num_perm = num_perm;
        self
    }

    /// The word n-gram size of shingles at every level (default 5, and 3 for
    /// sentences). Scripts written without spaces use character n-grams; a
    /// segment with fewer words than `n` gets one shingle of all of them.
    ///
    /// ```
    /// use textdedup::{Dedup, Level, Method};
    /// let dedup = Dedup::builder().method(Method::Containment).ngram(3).build()?;
    /// assert_eq!(dedup.ngram(Level::Paragraph), 3);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn ngram(&mut self, n: usize) -> &mut DedupBuilder {
        self.config.ngram = Some(n);
        self
    }

    /// Validates the settings and builds the deduplicator.
    ///
    /// ```
    /// let err = textdedup::Dedup::builder().levels([]).build().unwrap_err();
    /// assert!(err.to_string().contains("levels"));
    /// ```
    pub fn build(&self) -> Result<Dedup, Error> {
        if self.config.levels.is_empty() {
            return Err(Error::config(
                "levels",
                "no level to check: choose at least one of document, paragraph, span, sentence",
            ));
        }
        if self.config.span_sentences == 0 {
            return Err(Error::config(
                "span_sentences",
                "a sentence window needs at least 1 sentence (3 is the usual choice)",
            ));
        }
        let near = self.near_settings()?;
        Ok(Dedup {
            config: self.config.clone(),
            near,
        })
    }

    fn near_settings(&self) -> Result<Option<NearSettings>, Error> {
        let config = &self.config;
        let Some(threshold) = config
            .threshold
            .or_else(|| default_threshold(config.method))
        else {
            return Ok(None);
        };
        if config.method == Method::Exact {
            return Err(Error::config(
                "threshold",
                "exact matching has no threshold: choose a near-duplicate method \
                 (minhash, simhash or containment) or leave the threshold out",
            ));
        }
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::config(
                "threshold",
                format!("{threshold} is not a similarity: use a number in (0, 1], such as 0.8"),
            ));
        }
        let shingler = |level: Level| {
            Shingler::new(config.ngram.unwrap_or_else(|| default_ngram(level)))
                .map_err(|_| Error::config("ngram", "shingles need at least 1 word: use 1 or more"))
        };
        let shinglers = [
            shingler(Level::Document)?,
            shingler(Level::Paragraph)?,
            shingler(Level::SentenceSpan)?,
            shingler(Level::Sentence)?,
        ];
        let kind = match config.method {
            Method::MinHash => NearKind::MinHash {
                hasher: MinHasher::builder().num_perm(config.num_perm).build()?,
                lsh: LshParams::for_threshold(threshold, config.num_perm)?,
            },
            Method::SimHash => {
                // The largest whole distance d with 1 - d/64 >= threshold.
                let max_distance = ((1.0 - threshold) * 64.0 + 1e-9).floor() as u32;
                if max_distance > 8 {
                    return Err(Error::config(
                        "threshold",
                        format!(
                            "simhash threshold {threshold} means a Hamming distance of \
                             {max_distance} bits; at most 8 (threshold 0.875) is supported: \
                             use minhash for looser matches"
                        ),
                    ));
                }
                NearKind::SimHash { max_distance }
            }
            Method::Containment => NearKind::Containment,
            Method::Exact => return Ok(None),
        };
        Ok(Some(NearSettings {
            threshold,
            shinglers,
            kind,
        }))
    }
}

/// The fingerprints of one document's segments: the output of the pure
/// per-document stage, see [`Dedup::sketch`].
#[derive(Clone, Debug)]
pub struct Sketch {
    text_len: usize,
    pub(crate) levels: Vec<LevelSketch>,
}

impl Drop for Sketch {
    fn drop(&mut self) {
        let mut levels = std::mem::take(&mut self.levels);
        levels.truncate(1);
        let Some(first) = levels.first_mut() else {
            return;
        };
        if first.keys.capacity() > MAX_SPARE_KEYS {
            first.keys = Vec::new();
        }
        first.keys.clear();
        // NOTE: `try_with` fails only while the thread is exiting.
        let _ = SPARE_LEVELS.try_with(|spare| spare.set(levels));
    }
}

impl Sketch {
    /// The length in bytes of the sketched text.
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    /// Every fingerprinted segment: its level, span and fingerprint, level by
    /// level and in text order within a level. Segments too short to be
    /// flagged are left out.
    pub fn segments(&self) -> impl Iterator<Item = (Level, Span, Fingerprint)> + '_ {
        self.levels
            .iter()
            .flat_map(|l| l.keys.iter().map(move |k| (l.level, k.span, k.fingerprint)))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct LevelSketch {
    pub(crate) level: Level,
    pub(crate) keys: Vec<SegmentKey>,
    pub(crate) segments: usize,
    pub(crate) short: usize,
    pub(crate) bytes: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct SegmentKey {
    pub(crate) span: Span,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) near: NearKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sketch_does_not_depend_on_the_sketches_dropped_before_it() {
        let all = Dedup::builder().levels(Level::ALL).build().unwrap();
        let one = Dedup::new();
        let long = "A paragraph long enough to count. It has two sentences.\n".repeat(300);
        let texts = ["Short text here.\nShort text here.", long.as_str(), ""];
        let segments = |sketch: &Sketch| sketch.segments().collect::<Vec<_>>();
        // Each text and settings alone, on a fresh thread, reuse nothing.
        let fresh: Vec<_> = [&all, &one]
            .into_iter()
            .flat_map(|dedup| texts.map(|text| (dedup.clone(), text.to_owned())))
            .map(|(dedup, text)| {
                std::thread::spawn(move || {
                    let sketch = dedup.sketch(&text);
                    (sketch.levels.len(), segments(&sketch))
                })
                .join()
                .unwrap()
            })
            .collect();
        // Here every sketch follows others, dropped in varying order.
        let mut kept = Vec::new();
        for round in 0..3 {
            let mut i = 0;
            for dedup in [&all, &one] {
                for text in texts {
                    let sketch = dedup.sketch(text);
                    assert_eq!(
                        (sketch.levels.len(), segments(&sketch)),
                        fresh[i],
                        "{round} {i}"
                    );
                    if (round + i) % 2 == 0 {
                        kept.push(sketch);
                    }
                    i += 1;
                }
            }
            kept.truncate(round);
        }
    }

    #[test]
    fn min_chars_counts_as_a_char_loop_does() {
        let naive =
            |text: &str, min: usize| text.chars().filter(|c| c.is_alphanumeric()).count() >= min;
        let pieces = [
            "a", "7", " ", "é", "٣", "\u{301}", "ab cd ", "-", "ΟΔΟΣ", "\u{3000}",
        ];
        let mut state = 3u32;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..state % 40 {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                text.push_str(pieces[(state >> 16) as usize % pieces.len()]);
            }
            for min in [0, 1, 5, 10, 17, 33] {
                assert_eq!(
                    has_min_chars(text.as_bytes(), min),
                    naive(&text, min),
                    "{text:?} {min}"
                );
            }
        }
    }
}
