//! Bounded-memory exact dedup: fingerprints in a Bloom filter.

use crate::dedup::LevelSketch;
use crate::fxmap::LocalMap;
use crate::{Dedup, Error, Fingerprint, Level, LevelStats, Method, Sketch, Span, Stats};

/// A Bloom filter of [`Fingerprint`]s, of a fixed size chosen up front.
///
/// A fingerprint's `k` bit positions come from the fingerprint alone, by
/// double hashing its two 64-bit halves (see `DESIGN.md`), with no
/// random seed: the same fingerprint sets the same bits in every process, so
/// a filter could be persisted and shared. [`BloomFilter::contains`] has no
/// false negatives; its false positive rate after `n` insertions is about
/// `(1 - e^(-k·n/m))^k` for `m` bits, see
/// [`BloomFilter::false_positive_rate`].
///
/// ```
/// use textdedup::{BloomFilter, Fingerprint};
///
/// let mut filter = BloomFilter::new(1 << 20, 7)?;
/// let fp = Fingerprint::of("a paragraph");
/// assert!(!filter.contains(fp));
/// filter.insert(fp);
/// assert!(filter.contains(fp));
/// assert!(filter.false_positive_rate(100_000) < 0.01);
/// # Ok::<(), textdedup::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BloomFilter {
    words: Vec<u64>,
    bits: u64,
    hashes: u32,
}

impl BloomFilter {
    /// An empty filter of `bytes` bytes (rounded up to a multiple of 8) that
    /// sets `hashes` bits per fingerprint.
    ///
    /// Refused when `bytes` is 0 or cannot be allocated, or `hashes` is not
    /// in 1..=32.
    ///
    /// ```
    /// let filter = textdedup::BloomFilter::new(1000, 7)?;
    /// assert_eq!(filter.bytes(), 1000);
    /// assert!(textdedup::BloomFilter::new(0, 7).is_err());
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn new(bytes: usize, hashes: u32) -> Result<BloomFilter, Error> {
        if bytes == 0 {
            return Err(Error::config(
                "bloom_bytes",
                "a Bloom filter needs at least 1 byte (about 1.2 bytes per segment gives a 1% false positive rate)",
            ));
        }
        if !(1..=32).contains(&hashes) {
            return Err(Error::config(
                "bloom_hashes",
                format!("{hashes} hashes per item: use 1 to 32 (7 is optimal at 10 bits per item)"),
            ));
        }
        let words = bytes.div_ceil(8);
        let mut bits = Vec::new();
        bits.try_reserve_exact(words).map_err(|_| {
            Error::config(
                "bloom_bytes",
                format!(
                    "cannot allocate {bytes} bytes for the Bloom filter: choose a smaller size"
                ),
            )
        })?;
        bits.resize(words, 0);
        Ok(BloomFilter {
            words: bits,
            bits: words as u64 * 64,
            hashes,
        })
    }

    /// The number of hashes that minimizes the false positive rate for
    /// `items` insertions into `bytes` bytes: `(m/n)·ln 2`, at least 1 and at
    /// most 32.
    ///
    /// ```
    /// // 10 bits per item: 7 hashes.
    /// assert_eq!(textdedup::BloomFilter::optimal_hashes(10_000, 8_000), 7);
    /// ```
    pub fn optimal_hashes(bytes: usize, items: u64) -> u32 {
        let bits = bytes as f64 * 8.0;
        let k = (bits / items.max(1) as f64 * std::f64::consts::LN_2).round();
        k.clamp(1.0, 32.0) as u32
    }

    /// The filter's size in bytes.
    ///
    /// ```
    /// assert_eq!(textdedup::BloomFilter::new(16, 3)?.bytes(), 16);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }

    /// The number of bits set per fingerprint, `k`.
    ///
    /// ```
    /// assert_eq!(textdedup::BloomFilter::new(16, 3)?.hashes(), 3);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn hashes(&self) -> u32 {
        self.hashes
    }

    /// The expected false positive rate after `items` distinct insertions:
    /// `(1 - e^(-k·n/m))^k`.
    ///
    /// ```
    /// let filter = textdedup::BloomFilter::new(1250, 7)?; // 10,000 bits
    /// let rate = filter.false_positive_rate(1000); // 10 bits per item
    /// assert!((rate - 0.0082).abs() < 0.0005);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn false_positive_rate(&self, items: u64) -> f64 {
        let k = f64::from(self.hashes);
        let fill = 1.0 - (-k * items as f64 / self.bits as f64).exp();
        fill.powf(k)
    }

    /// The `k` bit positions of `fingerprint`: `(h1 + i·h2) mod m` for `i` in
    /// `0..k`, where `h1` is the fingerprint's low 64 bits, `h2` its high 64
    /// bits made odd, and `mod m` is the multiply-shift range reduction
    /// `(x·m) >> 64`.
    ///
    /// ```
    /// use textdedup::{BloomFilter, Fingerprint};
    /// let filter = BloomFilter::new(8, 2)?; // 64 bits
    /// let positions: Vec<u64> = filter.positions(Fingerprint(1 << 64 | 1 << 63)).collect();
    /// assert_eq!(positions, [32, 32]);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn positions(&self, fingerprint: Fingerprint) -> impl Iterator<Item = u64> + '_ {
        let h1 = fingerprint.0 as u64;
        let h2 = (fingerprint.0 >> 64) as u64 | 1;
        let m = u128::from(self.bits);
        (0..u64::from(self.hashes)).map(move |i| {
            let x = h1.wrapping_add(i.wrapping_mul(h2));
            ((u128::from(x) * m) >> 64) as u64
        })
    }

    /// Whether `fingerprint` may have been inserted: `false` is certain,
    /// `true` is wrong with the false positive rate.
    ///
    /// ```
    /// let filter = textdedup::BloomFilter::new(64, 4)?;
    /// assert!(!filter.contains(textdedup::Fingerprint::of("never inserted")));
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn contains(&self, fingerprint: Fingerprint) -> bool {
        self.positions(fingerprint)
            .all(|bit| self.words[(bit / 64) as usize] & 1 << (bit % 64) != 0)
    }

    /// Adds `fingerprint`; returns whether it may have been there already
    /// (every one of its bits was set).
    ///
    /// ```
    /// let mut filter = textdedup::BloomFilter::new(64, 4)?;
    /// let fp = textdedup::Fingerprint::of("text");
    /// assert!(!filter.insert(fp));
    /// assert!(filter.insert(fp));
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn insert(&mut self, fingerprint: Fingerprint) -> bool {
        let mut present = true;
        let h1 = fingerprint.0 as u64;
        let h2 = (fingerprint.0 >> 64) as u64 | 1;
        let m = u128::from(self.bits);
        for i in 0..u64::from(self.hashes) {
            let x = h1.wrapping_add(i.wrapping_mul(h2));
            let bit = ((u128::from(x) * m) >> 64) as u64;
            let word = &mut self.words[(bit / 64) as usize];
            let mask = 1 << (bit % 64);
            present &= *word & mask != 0;
            *word |= mask;
        }
        present
    }
}

/// Exact dedup across documents in bounded memory: an [`Index`](crate::Index)
/// whose fingerprints live in a [`BloomFilter`].
///
/// Inside one document, duplicates are found exactly and name what they
/// repeat. Across documents, a segment is flagged when the filter says its
/// fingerprint was seen before; the filter cannot say where, so
/// [`BloomDuplicate::of`] is `None`, and a false positive removes a segment
/// that was new. Size the filter with [`BloomFilter::false_positive_rate`].
///
/// ```
/// use textdedup::{BloomDedup, BloomFilter, Dedup};
///
/// let dedup = Dedup::new();
/// let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1 << 16, 7)?);
/// bloom.insert_sketch(&dedup.sketch("A paragraph seen first."));
/// let text = "New text here.\nA paragraph seen first.\nNew text here.";
/// let report = bloom.insert_sketch(&dedup.sketch(text));
/// assert_eq!(report.duplicates[0].span.start, 15);
/// assert_eq!(report.duplicates[0].of, None); // seen in an earlier document
/// assert_eq!(report.duplicates[1].of.unwrap().start, 0); // repeated in this one
/// assert_eq!(report.cleaned(text), "New text here.");
/// # Ok::<(), textdedup::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BloomDedup {
    dedup: Dedup,
    filter: BloomFilter,
    inserted: u64,
}

/// A segment flagged by a [`BloomDedup`].
///
/// ```
/// use textdedup::{BloomDedup, BloomFilter, Dedup, Level};
/// let dedup = Dedup::new();
/// let bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
/// let report = bloom.check_sketch(&dedup.sketch("Twice said line.\nTwice said line."));
/// let dup = report.duplicates[0];
/// assert_eq!((dup.level, dup.span.start, dup.of.map(|s| s.start)), (Level::Paragraph, 17, Some(0)));
/// # Ok::<(), textdedup::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BloomDuplicate {
    /// The level at which the segment was compared.
    pub level: Level,
    /// The segment's span in the checked text.
    pub span: Span,
    /// How it matched: [`Method::Exact`] for a fingerprint seen before,
    /// [`Method::Containment`] for enough n-grams seen before.
    pub method: Method,
    /// The similarity: 1.0 for an exact match, the fraction of the
    /// segment's distinct n-grams (probably) seen before for containment.
    pub score: f64,
    /// The earlier copy in the same text, or `None` when the filter says an
    /// earlier document had it.
    pub of: Option<Span>,
}

/// What a [`BloomDedup`] found in one text.
///
/// ```
/// use textdedup::{BloomDedup, BloomFilter, Dedup, Level};
/// let dedup = Dedup::new();
/// let bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
/// let report = bloom.check_sketch(&dedup.sketch("Only one line of text."));
/// assert!(report.duplicates.is_empty());
/// assert_eq!(report.stats.level(Level::Paragraph).unwrap().segments, 1);
/// # Ok::<(), textdedup::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BloomReport {
    /// The flagged segments, ordered by start, then by level.
    pub duplicates: Vec<BloomDuplicate>,
    /// Counts per level.
    pub stats: Stats,
}

impl BloomReport {
    /// `text` with every flagged segment removed, as
    /// [`Report::cleaned`](crate::Report::cleaned) does.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let dedup = Dedup::new();
    /// let bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// let text = "Same line of text.\nSame line of text.";
    /// assert_eq!(bloom.check_sketch(&dedup.sketch(text)).cleaned(text), "Same line of text.");
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn cleaned(&self, text: &str) -> String {
        let spans: Vec<Span> = self.duplicates.iter().map(|d| d.span).collect();
        crate::clean::remove_spans(text, &spans)
    }
}

impl BloomDedup {
    /// Dedup with `dedup`'s settings against `filter`.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let bloom = BloomDedup::new(Dedup::new(), BloomFilter::new(1024, 7)?);
    /// assert_eq!(bloom.inserted(), 0);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn new(dedup: Dedup, filter: BloomFilter) -> BloomDedup {
        BloomDedup {
            dedup,
            filter,
            inserted: 0,
        }
    }

    /// The settings.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup, Level};
    /// let bloom = BloomDedup::new(Dedup::new(), BloomFilter::new(64, 7)?);
    /// assert_eq!(bloom.dedup().levels(), &[Level::Paragraph]);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn dedup(&self) -> &Dedup {
        &self.dedup
    }

    /// The filter.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let bloom = BloomDedup::new(Dedup::new(), BloomFilter::new(64, 5)?);
    /// assert_eq!(bloom.filter().hashes(), 5);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn filter(&self) -> &BloomFilter {
        &self.filter
    }

    /// The number of fingerprints inserted so far, all levels together.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let dedup = Dedup::new();
    /// let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// bloom.insert_sketch(&dedup.sketch("First paragraph here.\nSecond paragraph here."));
    /// assert_eq!(bloom.inserted(), 2);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn inserted(&self) -> u64 {
        self.inserted
    }

    /// The false positive rate the filter has now, given what was inserted.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let dedup = Dedup::new();
    /// let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// assert_eq!(bloom.false_positive_rate(), 0.0);
    /// bloom.insert_sketch(&dedup.sketch("Some paragraph of text."));
    /// assert!(bloom.false_positive_rate() > 0.0);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn false_positive_rate(&self) -> f64 {
        self.filter.false_positive_rate(self.inserted)
    }

    /// Checks a sketch made with the same settings, then adds its new
    /// segments to the filter.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let dedup = Dedup::new();
    /// let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// let sketch = dedup.sketch("A paragraph seen twice.");
    /// assert!(bloom.insert_sketch(&sketch).duplicates.is_empty());
    /// assert_eq!(bloom.insert_sketch(&sketch).duplicates[0].of, None);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn insert_sketch(&mut self, sketch: &Sketch) -> BloomReport {
        let mut report = new_report(sketch);
        for level in &sketch.levels {
            for fp in self.resolve_level(level, &mut report) {
                self.filter.insert(fp);
                self.inserted += 1;
            }
        }
        finish(report)
    }

    /// Checks a sketch without adding anything.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let dedup = Dedup::new();
    /// let bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// let sketch = dedup.sketch("A paragraph checked only.");
    /// assert!(bloom.check_sketch(&sketch).duplicates.is_empty());
    /// assert_eq!(bloom.inserted(), 0);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn check_sketch(&self, sketch: &Sketch) -> BloomReport {
        let mut report = new_report(sketch);
        for level in &sketch.levels {
            self.resolve_level(level, &mut report);
        }
        finish(report)
    }

    /// Flags one level's segments; returns the keys of the segments kept.
    fn resolve_level(&self, level: &LevelSketch, report: &mut BloomReport) -> Vec<Fingerprint> {
        let mut local: LocalMap<Span> = LocalMap::new();
        let mut kept = Vec::new();
        let mut stats = LevelStats::new(level.level);
        stats.segments = level.segments;
        stats.short = level.short;
        stats.bytes = level.bytes;
        for segment in &level.keys {
            let key = level_key(level.level, segment.fingerprint);
            let of = if self.filter.contains(key) {
                None
            } else if let Some(span) = local.get(&key) {
                Some(span)
            } else {
                local.insert(key, segment.span);
                kept.push(key);
                continue;
            };
            stats.duplicates += 1;
            stats.duplicate_bytes += segment.span.len();
            report.duplicates.push(BloomDuplicate {
                level: level.level,
                span: segment.span,
                method: Method::Exact,
                score: 1.0,
                of,
            });
        }
        report.stats.levels.push(stats);
        kept
    }
}

/// The filter key of a segment: its fingerprint with the level mixed into
/// the low half, so one filter serves every level, as the index keeps one
/// map per level.
fn level_key(level: Level, fingerprint: Fingerprint) -> Fingerprint {
    const SALT: u64 = 0x9e37_79b9_7f4a_7c15;
    Fingerprint(fingerprint.0 ^ u128::from(SALT.wrapping_mul(level.ordinal() as u64)))
}

fn new_report(sketch: &Sketch) -> BloomReport {
    BloomReport {
        duplicates: Vec::new(),
        stats: Stats {
            text_bytes: sketch.text_len(),
            levels: Vec::with_capacity(sketch.levels.len()),
        },
    }
}

fn finish(mut report: BloomReport) -> BloomReport {
    report
        .duplicates
        .sort_by_key(|d| (d.span.start, d.level, d.span.end));
    report
}
