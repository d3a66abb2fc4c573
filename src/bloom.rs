//! Bounded-memory dedup: fingerprints (and, for containment, n-grams) in a
//! Bloom filter that can be saved, loaded and merged.

use crate::dedup::{LevelSketch, NearKey, NearKind};
use crate::fxmap::LocalMap;
use crate::near::{U64Map, mix64};
use std::io::{Read, Write};

use crate::{Dedup, Error, Fingerprint, Level, LevelStats, Method, Sketch, Span, Stats};
use xxhash_rust::xxh3::Xxh3;

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

/// Dedup across documents in bounded memory: an [`Index`](crate::Index)
/// whose fingerprints, and with [`Method::Containment`] n-grams, live in a
/// [`BloomFilter`].
///
/// Inside one document, duplicates are found exactly and name what they
/// repeat. Across documents, a segment is flagged when the filter says its
/// fingerprint was seen before, or, with containment, that at least the
/// threshold of its distinct n-grams were; the filter cannot say where, so
/// [`BloomDuplicate::of`] is `None`, and a false positive can remove a
/// segment that was new. Size the filter with
/// [`BloomFilter::false_positive_rate`]; other near-duplicate methods find
/// exact duplicates only. [`BloomDedup::save`] and [`BloomDedup::load`] keep
/// a filter across runs, [`BloomDedup::merge`] joins the filters of shards.
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

    /// The number of keys inserted so far (fingerprints and n-grams, all
    /// levels together), less those whose bits were all set already: the
    /// `n` of the false positive rate.
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
    /// segments to the filter (and, with [`Method::Containment`], their
    /// n-grams).
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
            let kept = self.resolve_level(level, &mut report);
            for key in kept.keys {
                if !self.filter.insert(key) {
                    self.inserted += 1;
                }
            }
            for ngram in kept.ngrams {
                if !self.filter.insert(ngram_key(level.level, ngram)) {
                    self.inserted += 1;
                }
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

    /// Flags one level's segments; returns the keys and n-grams of the
    /// segments kept.
    fn resolve_level(&self, level: &LevelSketch, report: &mut BloomReport) -> Kept {
        let mut local: LocalMap<Span> = LocalMap::new();
        let threshold = match self.dedup.near().map(|n| (&n.kind, n.threshold)) {
            Some((NearKind::Containment, t)) => Some(t),
            _ => None,
        };
        // With containment: the n-grams of the segments kept so far in this
        // text, each with the first kept segment that had it.
        let mut local_ngrams: U64Map<u32> = U64Map::default();
        let mut local_kept: Vec<Span> = Vec::new();
        let mut kept = Kept::default();
        let mut stats = LevelStats::new(level.level);
        stats.segments = level.segments;
        stats.short = level.short;
        stats.bytes = level.bytes;
        for segment in &level.keys {
            let key = level_key(level.level, segment.fingerprint);
            let ngrams = match (&segment.near, threshold) {
                (NearKey::Shingles(ngrams), Some(_)) => &ngrams[..],
                _ => &[],
            };
            let found = if self.filter.contains(key) {
                Some((None, Method::Exact, 1.0))
            } else if let Some(span) = local.get(&key) {
                Some((Some(span), Method::Exact, 1.0))
            } else if let Some(t) = threshold.filter(|_| !ngrams.is_empty()) {
                let seen = Seen {
                    level: level.level,
                    ngrams: &local_ngrams,
                    kept: &local_kept,
                };
                self.containment(ngrams, &seen, t)
            } else {
                None
            };
            let Some((of, method, score)) = found else {
                local.insert(key, segment.span);
                kept.keys.push(key);
                if !ngrams.is_empty() {
                    let id = u32::try_from(local_kept.len()).unwrap_or(u32::MAX);
                    local_kept.push(segment.span);
                    for &ngram in ngrams {
                        if let std::collections::hash_map::Entry::Vacant(e) =
                            local_ngrams.entry(ngram)
                        {
                            e.insert(id);
                            kept.ngrams.push(ngram);
                        }
                    }
                }
                continue;
            };
            stats.duplicates += 1;
            stats.duplicate_bytes += segment.span.len();
            report.duplicates.push(BloomDuplicate {
                level: level.level,
                span: segment.span,
                method,
                score,
                of,
            });
        }
        report.stats.levels.push(stats);
        kept
    }

    /// Containment of a segment's distinct `ngrams` in the filter and in the
    /// segments kept earlier in the text at `seen.level`: a duplicate when
    /// at least `threshold` of them were (probably) seen. It names the
    /// earlier segment of the text that had the most of them when that
    /// segment had more than the filter, and an earlier document (`None`)
    /// otherwise.
    fn containment(
        &self,
        ngrams: &[u64],
        seen: &Seen<'_>,
        threshold: f64,
    ) -> Option<(Option<Span>, Method, f64)> {
        let mut in_filter = 0usize;
        let mut in_text: Vec<u32> = Vec::new();
        for &ngram in ngrams {
            if self.filter.contains(ngram_key(seen.level, ngram)) {
                in_filter += 1;
            } else if let Some(&id) = seen.ngrams.get(&ngram) {
                in_text.push(id);
            }
        }
        let score = (in_filter + in_text.len()) as f64 / ngrams.len() as f64;
        if score < threshold {
            return None;
        }
        let of = crate::near::most_common(&mut in_text)
            .filter(|&(_, count)| count > in_filter)
            .map(|(id, _)| seen.kept[id as usize]);
        Some((of, Method::Containment, score))
    }
}

/// The file format of a saved [`BloomDedup`] (see `DESIGN.md`).
const MAGIC: [u8; 8] = *b"TXDDBLM\0";
/// The magic number of an index file, to say what was passed instead.
const INDEX_MAGIC: [u8; 8] = *b"TXDDIDX\0";
/// Bump when the layout, the bit positions, the key derivation, the
/// normalization or the segmentation changes.
const VERSION: u32 = 1;
/// How fingerprints are made, and how keys become bit positions.
const HASH_NAME: &str = "xxh3-128";
const POSITIONS_NAME: &str = "double-hashing-mulshift";

impl BloomDedup {
    /// Writes the filter and the settings it was filled with to `writer`,
    /// in the versioned, checksummed format described in `DESIGN.md`.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    ///
    /// let dedup = Dedup::new();
    /// let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(4096, 7)?);
    /// bloom.insert_sketch(&dedup.sketch("A paragraph worth keeping."));
    /// let mut bytes = Vec::new();
    /// bloom.save(&mut bytes)?;
    ///
    /// let loaded = BloomDedup::load(&bytes[..], &dedup)?;
    /// let report = loaded.check_sketch(&dedup.sketch("A paragraph worth keeping."));
    /// assert_eq!(report.duplicates.len(), 1);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn save<W: Write>(&self, writer: W) -> Result<(), Error> {
        let mut w = writer;
        let settings = settings(&self.dedup);
        let strings = [HASH_NAME, POSITIONS_NAME, env!("CARGO_PKG_VERSION")];
        let head: usize = strings.iter().map(|s| 1 + s.len()).sum::<usize>() + 2 + settings.len();
        let payload_len = (head + 8 + 4 + 8 + self.filter.words.len() * 8) as u64;
        w.write_all(&MAGIC)?;
        w.write_all(&VERSION.to_le_bytes())?;
        w.write_all(&payload_len.to_le_bytes())?;
        let mut payload = Vec::with_capacity(head + 20);
        for s in strings {
            payload.push(s.len() as u8);
            payload.extend_from_slice(s.as_bytes());
        }
        payload.extend_from_slice(&(settings.len() as u16).to_le_bytes());
        payload.extend_from_slice(settings.as_bytes());
        payload.extend_from_slice(&self.filter.bits.to_le_bytes());
        payload.extend_from_slice(&self.filter.hashes.to_le_bytes());
        payload.extend_from_slice(&self.inserted.to_le_bytes());
        let mut hasher = Xxh3::new();
        hasher.update(&payload);
        w.write_all(&payload)?;
        // The words in blocks, so saving needs no second copy of the filter.
        let mut block = Vec::with_capacity(64 << 10);
        for chunk in self.filter.words.chunks(8 << 10) {
            block.clear();
            for word in chunk {
                block.extend_from_slice(&word.to_le_bytes());
            }
            hasher.update(&block);
            w.write_all(&block)?;
        }
        w.write_all(&hasher.digest().to_le_bytes())?;
        w.flush()?;
        Ok(())
    }

    /// Reads a filter written by [`BloomDedup::save`], for use with `dedup`.
    ///
    /// Refused with [`Error::Format`] when the file is not a saved Bloom
    /// filter (an index file is named as such), has another format version,
    /// hash or bit-position scheme, is truncated or corrupted (checksum), or
    /// was filled with other settings than `dedup`'s (the message names the
    /// option). Each message says what to do.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup, Preset};
    ///
    /// let mut bytes = Vec::new();
    /// BloomDedup::new(Dedup::new(), BloomFilter::new(64, 7)?).save(&mut bytes)?;
    /// let c4 = Dedup::builder().preset(Preset::C4).build()?;
    /// let err = BloomDedup::load(&bytes[..], &c4).unwrap_err();
    /// assert!(err.to_string().contains("--preset"));
    /// let err = BloomDedup::load(&bytes[..bytes.len() - 1], &Dedup::new()).unwrap_err();
    /// assert!(err.to_string().contains("truncated"));
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn load<R: Read>(reader: R, dedup: &Dedup) -> Result<BloomDedup, Error> {
        let mut r = reader;
        let mut head = [0u8; 20];
        read_exact(&mut r, &mut head, "header")?;
        if head[..8] == INDEX_MAGIC {
            return Err(Error::format(
                "this is an index file, not a Bloom filter: load it without --bloom-bytes \
                 (Index::load), or pass a file written with --bloom-bytes --index-out",
            ));
        }
        if head[..8] != MAGIC {
            return Err(Error::format(
                "not a textdedup Bloom filter (bad magic number): pass a file written by \
                 `textdedup dedup --bloom-bytes … --index-out` or BloomDedup::save",
            ));
        }
        let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        if version != VERSION {
            return Err(Error::format(format!(
                "Bloom filter format version {version}, but this textdedup (v{}) reads \
                 version {VERSION}: re-build the filter with textdedup v{}",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_VERSION"),
            )));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&head[12..20]);
        let mut payload = Payload {
            inner: (&mut r).take(u64::from_le_bytes(len)),
            hasher: Xxh3::new(),
        };
        let parsed = payload.parse()?;
        if payload.inner.limit() != 0 {
            return Err(corrupt("the payload is longer than its contents"));
        }
        let computed = payload.hasher.digest();
        let mut sum = [0u8; 8];
        read_exact(&mut r, &mut sum, "checksum")?;
        if u64::from_le_bytes(sum) != computed {
            return Err(corrupt("checksum mismatch"));
        }
        // Names and settings are compared last, so a damaged byte is
        // reported as damage, never as another setting.
        if parsed.hash != HASH_NAME || parsed.positions != POSITIONS_NAME {
            return Err(Error::format(format!(
                "the Bloom filter uses the hash {:?} and positions {:?}, this textdedup uses \
                 {HASH_NAME:?} and {POSITIONS_NAME:?}: re-build the filter with textdedup v{}",
                parsed.hash,
                parsed.positions,
                env!("CARGO_PKG_VERSION"),
            )));
        }
        if let Some(message) = mismatch(&parsed.settings, &settings(dedup)) {
            return Err(Error::format(message));
        }
        Ok(BloomDedup {
            dedup: dedup.clone(),
            filter: BloomFilter {
                bits: parsed.words.len() as u64 * 64,
                words: parsed.words,
                hashes: parsed.hashes,
            },
            inserted: parsed.inserted,
        })
    }

    /// Adds everything `other` holds to this filter (a bitwise or), as if
    /// its documents had been inserted too: a segment either has seen is
    /// then flagged. Refused with [`Error::Format`] when the settings, the
    /// size or the number of hashes differ.
    ///
    /// ```
    /// use textdedup::{BloomDedup, BloomFilter, Dedup};
    /// let dedup = Dedup::new();
    /// let mut a = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// a.insert_sketch(&dedup.sketch("Only in shard a."));
    /// let mut b = BloomDedup::new(dedup.clone(), BloomFilter::new(1024, 7)?);
    /// b.insert_sketch(&dedup.sketch("Only in shard b."));
    /// a.merge(&b)?;
    /// assert_eq!(a.check_sketch(&dedup.sketch("Only in shard b.")).duplicates.len(), 1);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn merge(&mut self, other: &BloomDedup) -> Result<(), Error> {
        if let Some(message) = mismatch(&settings(&other.dedup), &settings(&self.dedup)) {
            return Err(Error::format(format!("cannot merge: {message}")));
        }
        if (other.filter.bits, other.filter.hashes) != (self.filter.bits, self.filter.hashes) {
            return Err(Error::format(format!(
                "cannot merge a Bloom filter of {} bytes and {} hashes into one of {} bytes \
                 and {} hashes: build both with the same --bloom-bytes and --bloom-hashes",
                other.filter.bytes(),
                other.filter.hashes,
                self.filter.bytes(),
                self.filter.hashes
            )));
        }
        for (mine, theirs) in self.filter.words.iter_mut().zip(&other.filter.words) {
            *mine |= theirs;
        }
        // An upper bound: keys both had are counted twice.
        self.inserted += other.inserted;
        Ok(())
    }
}

/// The settings that decide what goes into a filter, as `--option value`
/// pairs separated by new lines, in a fixed order.
fn settings(dedup: &Dedup) -> String {
    let n = dedup.normalizer();
    let preset = match n.preset() {
        crate::Preset::Default => "default",
        crate::Preset::CcNet => "ccnet",
        crate::Preset::Datatrove => "datatrove",
        crate::Preset::C4 => "c4",
    };
    let paragraphs = match dedup.paragraph_mode() {
        crate::ParagraphMode::Lines => "lines",
        crate::ParagraphMode::Blocks => "blocks",
        crate::ParagraphMode::Auto => "auto",
        crate::ParagraphMode::Wrapped => "wrapped",
    };
    let levels: Vec<&str> = dedup.levels().iter().map(|l| l.name()).collect();
    let threshold = dedup
        .threshold()
        .map_or_else(|| "none".to_owned(), |t| format!("{t:?}"));
    // Every level's size, defaults included, so that a change of default
    // cannot mix old n-grams with new ones; exact filters hold no n-grams.
    let ngram = if dedup.method() == crate::Method::Containment {
        crate::Level::ALL
            .iter()
            .map(|&level| format!("{level}:{}", dedup.ngram(level)))
            .collect::<Vec<_>>()
            .join(",")
    } else {
        "none".to_owned()
    };
    [
        format!("--preset {preset}"),
        format!("--fold-digits {}", n.folds_digits()),
        format!("--strip-accents {}", n.strips_accents()),
        format!("--paragraphs {paragraphs}"),
        format!("--level {}", levels.join(",")),
        format!("--span-sentences {}", dedup.span_sentences()),
        format!("--min-chars {}", dedup.min_chars()),
        format!("--method {}", dedup.method().name()),
        format!("--threshold {threshold}"),
        format!("--ngram {ngram}"),
    ]
    .join("\n")
}

/// The first setting that differs between a file's (`file`) and this run's,
/// as a message naming the option.
fn mismatch(file: &str, ours: &str) -> Option<String> {
    if file == ours {
        return None;
    }
    let mut theirs = file.lines();
    for mine in ours.lines() {
        let other = theirs.next().unwrap_or("(nothing)");
        if other != mine {
            let option = mine.split(' ').next().unwrap_or(mine);
            return Some(format!(
                "the Bloom filter was built with {other} but this run uses {mine}: pass the \
                 same {option}, or re-build the filter with these settings"
            ));
        }
    }
    Some(format!(
        "the Bloom filter was built with other settings ({file:?}): re-build the filter with \
         these settings"
    ))
}

/// The payload of a Bloom filter file.
struct Parsed {
    hash: String,
    positions: String,
    settings: String,
    hashes: u32,
    inserted: u64,
    words: Vec<u64>,
}

/// The checksummed part of a file, read with a running hash; its length
/// (from the header) bounds every read.
struct Payload<R> {
    inner: std::io::Take<R>,
    hasher: Xxh3,
}

impl<R: Read> Payload<R> {
    fn bytes(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        read_exact(&mut self.inner, buf, "payload")?;
        self.hasher.update(buf);
        Ok(())
    }

    fn str(&mut self, len: usize) -> Result<String, Error> {
        let mut buf = vec![0u8; len];
        self.bytes(&mut buf)?;
        String::from_utf8(buf).map_err(|_| corrupt("a name is not UTF-8"))
    }

    /// A string after its one-byte length.
    fn short_str(&mut self) -> Result<String, Error> {
        let mut len = [0u8; 1];
        self.bytes(&mut len)?;
        self.str(usize::from(len[0]))
    }

    fn parse(&mut self) -> Result<Parsed, Error> {
        let hash = self.short_str()?;
        let positions = self.short_str()?;
        // The crate version that wrote the file is for people reading it:
        // what must match (hash, positions, settings) is checked apart.
        self.short_str()?;
        let mut len = [0u8; 2];
        self.bytes(&mut len)?;
        let settings = self.str(usize::from(u16::from_le_bytes(len)))?;
        let mut fixed = [0u8; 20];
        self.bytes(&mut fixed)?;
        let bits = u64_at(&fixed[..8]);
        let hashes = u32::from_le_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]);
        let inserted = u64_at(&fixed[12..]);
        if bits == 0 || !bits.is_multiple_of(64) || !(1..=32).contains(&hashes) {
            return Err(corrupt("impossible filter size or hash count"));
        }
        if self.inner.limit() != bits / 8 {
            return Err(corrupt("the filter's size does not match the payload's"));
        }
        let n = usize::try_from(bits / 64).map_err(|_| corrupt("the filter is too large"))?;
        let mut words = Vec::new();
        // Reserved, not touched: a lying length on a short file fails below
        // without using the memory.
        words.try_reserve_exact(n).map_err(|_| {
            Error::format(format!(
                "cannot allocate {} bytes for the Bloom filter this file says it holds: \
                 if the file is damaged, re-build it or copy it again; else free memory",
                bits / 8
            ))
        })?;
        let mut block = vec![0u8; 64 << 10];
        while words.len() < n {
            let len = ((n - words.len()) * 8).min(block.len());
            self.bytes(&mut block[..len])?;
            words.extend(block[..len].chunks_exact(8).map(u64_at));
        }
        Ok(Parsed {
            hash,
            positions,
            settings,
            hashes,
            inserted,
            words,
        })
    }
}

fn u64_at(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(b)
}

fn corrupt(what: &str) -> Error {
    Error::format(format!(
        "the Bloom filter file is corrupted ({what}): re-build it, or copy it again"
    ))
}

fn truncated(what: &str) -> Error {
    Error::format(format!(
        "the Bloom filter file is truncated (in its {what}): re-build it, or copy it again"
    ))
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &str) -> Result<(), Error> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            truncated(what)
        } else {
            Error::Io(e)
        }
    })
}

/// What a text kept at one level, to add to the filter.
#[derive(Default)]
struct Kept {
    keys: Vec<Fingerprint>,
    ngrams: Vec<u64>,
}

/// The n-grams of the segments kept earlier in a text at one level, and
/// their spans.
struct Seen<'a> {
    level: Level,
    ngrams: &'a U64Map<u32>,
    kept: &'a [Span],
}

/// The filter key of an n-gram (a shingle hash) at a level: two 64-bit
/// halves mixed from it with per-level constants, so n-grams and segment
/// fingerprints share one filter without meeting. Part of the file format.
fn ngram_key(level: Level, ngram: u64) -> Fingerprint {
    const LOW: u64 = 0x6a09_e667_f3bc_c909;
    const HIGH: u64 = 0xbb67_ae85_84ca_a73b;
    let salt = level.ordinal() as u64 + 1;
    let low = mix64(ngram ^ LOW.wrapping_mul(salt));
    let high = mix64(ngram ^ HIGH.wrapping_mul(salt));
    Fingerprint(u128::from(high) << 64 | u128::from(low))
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
