//! Saving, loading and merging indexes.
//!
//! The byte layout is documented in `DESIGN.md`; every integer is
//! little-endian. Entries are written sorted by fingerprint, so the same
//! index always saves to the same bytes.

use std::io::{self, Read, Write};

use xxhash_rust::xxh3::Xxh3;

use super::docs::DocTable;
use super::exact::Location;
use super::near::NearIndex;
use super::{Index, Stored};
use crate::dedup::NearKey;
use crate::{Dedup, DocId, Error, Fingerprint, Level, Method, ParagraphMode, Preset};

const MAGIC: [u8; 8] = *b"TXDDIDX\0";
/// Bump when the layout, the normalization or the segmentation changes, so
/// that old fingerprints are never mixed with new ones.
const VERSION: u32 = 4;
const HASH_NAME: &str = "xxh3-128";
/// The most items reserved ahead from a count read in the file: counts are
/// not trusted until the checksum is checked.
const PREALLOCATE: usize = 1 << 20;
/// One stored entry: fingerprint (16), doc (4), start (4), end (4).
const ENTRY_BYTES: u64 = 28;

/// Every setting that changes which fingerprints a text produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Params {
    preset: u8,
    flags: u8,
    paragraph_mode: u8,
    levels: u8,
    span_sentences: u32,
    min_chars: u64,
    method: u8,
    /// The threshold's bits, 0 for exact.
    threshold: u64,
    num_perm: u32,
    /// The word n-gram size each level uses, by `Level::ordinal`: stored
    /// even when they are the defaults, so that a change of default cannot
    /// mix old shingles with new ones.
    ngrams: [u32; 4],
}

impl Params {
    fn of(dedup: &Dedup) -> Params {
        let n = dedup.normalizer();
        let flags = u8::from(n.folds_digits()) | u8::from(n.strips_accents()) << 1;
        Params {
            preset: preset_code(n.preset()),
            flags,
            paragraph_mode: mode_code(dedup.paragraph_mode()),
            levels: dedup
                .levels()
                .iter()
                .fold(0, |bits, l| bits | 1 << l.ordinal()),
            span_sentences: u32::try_from(dedup.span_sentences()).unwrap_or(u32::MAX),
            min_chars: dedup.min_chars() as u64,
            method: method_code(dedup.method()),
            threshold: dedup.threshold().map_or(0, f64::to_bits),
            num_perm: u32::try_from(dedup.num_perm()).unwrap_or(u32::MAX),
            ngrams: Level::ALL.map(|level| u32::try_from(dedup.ngram(level)).unwrap_or(u32::MAX)),
        }
    }

    /// The first difference between the file's settings (`self`) and the
    /// deduplicator's, as a message that says which option to change.
    fn mismatch(&self, wanted: &Params) -> Option<String> {
        let differs = |what: &str, file: String, ours: String| {
            Some(format!(
                "the index was built with {what} {file} but this run uses {ours}: \
                 pass the same {what}, or re-build the index with these settings"
            ))
        };
        if self.preset != wanted.preset {
            return differs(
                "--preset",
                preset_name(self.preset),
                preset_name(wanted.preset),
            );
        }
        if self.flags != wanted.flags {
            return differs(
                "normalizer options (fold digits, strip accents)",
                format!("{:#04b}", self.flags),
                format!("{:#04b}", wanted.flags),
            );
        }
        if self.paragraph_mode != wanted.paragraph_mode {
            return differs(
                "--paragraphs",
                mode_name(self.paragraph_mode),
                mode_name(wanted.paragraph_mode),
            );
        }
        if self.levels != wanted.levels {
            return differs(
                "--level",
                levels_names(self.levels),
                levels_names(wanted.levels),
            );
        }
        if self.span_sentences != wanted.span_sentences {
            return differs(
                "span size",
                self.span_sentences.to_string(),
                wanted.span_sentences.to_string(),
            );
        }
        if self.method != wanted.method {
            return differs(
                "--method",
                method_name(self.method),
                method_name(wanted.method),
            );
        }
        if self.threshold != wanted.threshold {
            return differs(
                "--threshold",
                f64::from_bits(self.threshold).to_string(),
                f64::from_bits(wanted.threshold).to_string(),
            );
        }
        if self.num_perm != wanted.num_perm {
            return differs(
                "--num-perm",
                self.num_perm.to_string(),
                wanted.num_perm.to_string(),
            );
        }
        if self.ngrams != wanted.ngrams {
            let sizes = |ngrams: &[u32; 4]| {
                Level::ALL
                    .iter()
                    .map(|level| format!("{level} {}", ngrams[level.ordinal()]))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return differs("--ngram", sizes(&self.ngrams), sizes(&wanted.ngrams));
        }
        if self.min_chars != wanted.min_chars {
            return differs(
                "--min-chars",
                self.min_chars.to_string(),
                wanted.min_chars.to_string(),
            );
        }
        None
    }
}

fn preset_code(preset: Preset) -> u8 {
    match preset {
        Preset::Default => 0,
        Preset::CcNet => 1,
        Preset::Datatrove => 2,
        Preset::C4 => 3,
    }
}

/// The methods by their code in the file.
const METHODS: [Method; 4] = [
    Method::Exact,
    Method::MinHash,
    Method::SimHash,
    Method::Containment,
];

fn method_code(method: Method) -> u8 {
    METHODS
        .iter()
        .position(|&m| m == method)
        .unwrap_or(u8::MAX as usize) as u8
}

fn method_name(code: u8) -> String {
    METHODS.get(usize::from(code)).map_or_else(
        || format!("unknown method #{code}"),
        |m| m.name().to_owned(),
    )
}

fn preset_name(code: u8) -> String {
    match code {
        0 => "default".into(),
        1 => "ccnet".into(),
        2 => "datatrove".into(),
        3 => "c4".into(),
        n => format!("unknown preset #{n}"),
    }
}

fn mode_code(mode: ParagraphMode) -> u8 {
    match mode {
        ParagraphMode::Lines => 0,
        ParagraphMode::Blocks => 1,
        ParagraphMode::Auto => 2,
        ParagraphMode::Wrapped => 3,
    }
}

fn mode_name(code: u8) -> String {
    match code {
        0 => "lines".into(),
        1 => "blocks".into(),
        2 => "auto".into(),
        3 => "wrapped".into(),
        n => format!("unknown paragraph mode #{n}"),
    }
}

fn levels_names(bits: u8) -> String {
    let names: Vec<&str> = Level::ALL
        .iter()
        .filter(|l| bits & 1 << l.ordinal() != 0)
        .map(|l| l.name())
        .collect();
    names.join(",")
}

impl Index {
    /// Writes the index to `writer` in the versioned, checksummed format
    /// described in `DESIGN.md`.
    ///
    /// The same index always produces the same bytes. Load it back with
    /// [`Index::load`].
    ///
    /// ```
    /// use textdedup::{Dedup, Index};
    ///
    /// let dedup = Dedup::new();
    /// let mut index = dedup.index();
    /// index.insert("a", "A paragraph worth keeping.");
    /// let mut bytes = Vec::new();
    /// index.save(&mut bytes)?;
    ///
    /// let loaded = Index::load(&bytes[..], &dedup)?;
    /// assert_eq!(loaded.len(), 1);
    /// assert_eq!(loaded.check("b", "A paragraph worth keeping.").duplicates.len(), 1);
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn save<W: Write>(&self, writer: W) -> Result<(), Error> {
        let mut w = writer;
        let entries: Vec<Vec<(Fingerprint, Location)>> = self
            .exact
            .iter()
            .map(|table| {
                let mut v: Vec<(Fingerprint, Location)> = table.iter().collect();
                v.sort_unstable_by_key(|e| e.0);
                v
            })
            .collect();
        w.write_all(&MAGIC)?;
        let near = self.near_sections();
        w.write_all(&VERSION.to_le_bytes())?;
        w.write_all(&(self.payload_len(&entries) + near.len() as u64).to_le_bytes())?;
        let mut out = HashingWriter {
            inner: &mut w,
            hasher: Xxh3::new(),
        };
        let version = env!("CARGO_PKG_VERSION");
        out.short_str(HASH_NAME)?;
        out.short_str(version)?;
        let p = Params::of(&self.dedup);
        out.write_all(&[p.preset, p.flags, p.paragraph_mode, p.levels])?;
        out.write_all(&p.span_sentences.to_le_bytes())?;
        out.write_all(&p.min_chars.to_le_bytes())?;
        out.write_all(&[p.method, 0, 0, 0])?;
        out.write_all(&p.threshold.to_le_bytes())?;
        out.write_all(&p.num_perm.to_le_bytes())?;
        for n in p.ngrams {
            out.write_all(&n.to_le_bytes())?;
        }
        out.write_all(&(self.docs.len() as u64).to_le_bytes())?;
        for doc in self.docs.iter() {
            match doc {
                DocId::Num(n) => {
                    out.write_all(&[0])?;
                    out.write_all(&n.to_le_bytes())?;
                }
                DocId::Str(s) => {
                    out.write_all(&[1])?;
                    out.write_all(&(s.len() as u64).to_le_bytes())?;
                    out.write_all(s.as_bytes())?;
                }
            }
        }
        for level in &entries {
            out.write_all(&(level.len() as u64).to_le_bytes())?;
            for (fp, stored) in level {
                out.write_all(&fp.0.to_le_bytes())?;
                out.write_all(&stored.doc.to_le_bytes())?;
                out.write_all(&stored.start.to_le_bytes())?;
                out.write_all(&stored.end.to_le_bytes())?;
            }
        }
        out.write_all(&near)?;
        let checksum = out.hasher.digest();
        w.write_all(&checksum.to_le_bytes())?;
        w.flush()?;
        Ok(())
    }

    /// Per level: the near-duplicate entries' locations, then each indexed
    /// entry's id and key (see DESIGN.md); empty counts for exact matching.
    fn near_sections(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (index, entries) in self.near.iter().zip(&self.near_entries) {
            out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
            for stored in entries {
                out.extend_from_slice(&stored.doc.to_le_bytes());
                out.extend_from_slice(&stored.start.to_le_bytes());
                out.extend_from_slice(&stored.end.to_le_bytes());
            }
            let keys = index.as_ref().map(NearIndex::keys).unwrap_or_default();
            out.extend_from_slice(&(keys.len() as u64).to_le_bytes());
            for (id, key) in keys {
                out.extend_from_slice(&id.to_le_bytes());
                // Signature slots are u32 words, the other keys u64 words.
                let words: &[u64] = match &key {
                    NearKey::Signature(sig) => {
                        out.push(1);
                        out.extend_from_slice(&(sig.len() as u32).to_le_bytes());
                        for slot in sig.as_slice() {
                            out.extend_from_slice(&slot.to_le_bytes());
                        }
                        continue;
                    }
                    NearKey::SimHash(hash) => {
                        out.push(2);
                        std::slice::from_ref(hash)
                    }
                    NearKey::Shingles(shingles) => {
                        out.push(3);
                        shingles
                    }
                    NearKey::None => {
                        out.push(0);
                        &[]
                    }
                };
                out.extend_from_slice(&(words.len() as u32).to_le_bytes());
                for word in words {
                    out.extend_from_slice(&word.to_le_bytes());
                }
            }
        }
        out
    }

    fn payload_len(&self, entries: &[Vec<(Fingerprint, Location)>]) -> u64 {
        let strings = 2 + HASH_NAME.len() + env!("CARGO_PKG_VERSION").len();
        let params = 4 + 4 + 8 + 4 + 8 + 4 + 4 * 4;
        let docs: usize = self
            .docs
            .iter()
            .map(|d| match d {
                DocId::Num(_) => 9,
                DocId::Str(s) => 9 + s.len(),
            })
            .sum();
        let counts = 8 + 4 * 8;
        let n: u64 = entries.iter().map(|e| e.len() as u64).sum();
        (strings + params + docs + counts) as u64 + n * ENTRY_BYTES
    }

    /// Reads an index written by [`Index::save`], for use with `dedup`.
    ///
    /// The file records every setting that changes what is indexed (preset,
    /// normalizer options, paragraph mode, levels, span size, minimum size,
    /// method, threshold, permutations, n-gram size), and the hash, and holds
    /// the near-duplicate signatures, simhashes or n-grams too; loading is refused with [`Error::Format`] when any of
    /// them differs from `dedup`'s, when the format version is another, and
    /// when the data is truncated or corrupted (checksum mismatch). Each
    /// message says what to do.
    ///
    /// ```
    /// use textdedup::{Dedup, Index, Preset};
    ///
    /// let mut bytes = Vec::new();
    /// Dedup::new().index().save(&mut bytes)?;
    /// let c4 = Dedup::builder().preset(Preset::C4).build()?;
    /// let err = Index::load(&bytes[..], &c4).unwrap_err();
    /// assert!(err.to_string().contains("--preset"));
    /// let err = Index::load(&bytes[..bytes.len() - 1], &Dedup::new()).unwrap_err();
    /// assert!(err.to_string().contains("truncated"));
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn load<R: Read>(reader: R, dedup: &Dedup) -> Result<Index, Error> {
        let mut r = reader;
        let mut head = [0u8; 20];
        read_exact(&mut r, &mut head, "header")?;
        if head[..8] != MAGIC {
            return Err(Error::format(
                "not a textdedup index (bad magic number): pass a file written by \
                 `textdedup dedup --index-out` or Index::save",
            ));
        }
        let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        if version != VERSION {
            return Err(Error::format(format!(
                "index format version {version}, but this textdedup (v{}) reads version \
                 {VERSION}: re-build the index with textdedup v{}",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_VERSION"),
            )));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&head[12..20]);
        let payload_len = u64::from_le_bytes(len);
        let mut payload = Payload {
            inner: (&mut r).take(payload_len),
            hasher: Xxh3::new(),
            left: payload_len,
        };
        let parsed = payload.parse(dedup);
        if payload.left != 0 && parsed.is_ok() {
            return Err(corrupt("the payload is longer than its contents"));
        }
        let index = parsed?;
        let computed = payload.hasher.digest();
        let mut sum = [0u8; 8];
        read_exact(&mut r, &mut sum, "checksum")?;
        if u64::from_le_bytes(sum) != computed {
            return Err(corrupt("checksum mismatch"));
        }
        // Settings are compared last, so a corrupted byte is reported as
        // corruption, not as a settings mismatch.
        if index.0 != HASH_NAME {
            return Err(Error::format(format!(
                "the index uses the hash {:?}, this textdedup uses {HASH_NAME:?}: \
                 re-build the index with textdedup v{}",
                index.0,
                env!("CARGO_PKG_VERSION"),
            )));
        }
        if let Some(message) = index.1.mismatch(&Params::of(dedup)) {
            return Err(Error::format(message));
        }
        Ok(index.2)
    }

    /// Adds `other`'s documents and segments after this index's, as if
    /// `other`'s documents had been inserted after this one's.
    ///
    /// On a segment both hold, this index's entry is kept (it is the earlier
    /// copy). Merging the indexes of shards A and B and then checking C gives
    /// the same reports as inserting A, B and C in one pass. With a
    /// near-duplicate method, `other`'s signatures, simhashes or n-grams are
    /// added after this index's; a segment `other` kept that a single pass
    /// would have flagged as a near-duplicate of this index's stays indexed. Refused with
    /// [`Error::Format`] when the settings differ, or when the merged index
    /// would hold more than 2³² documents.
    ///
    /// ```
    /// use textdedup::{Dedup, DocId};
    ///
    /// let dedup = Dedup::new();
    /// let mut a = dedup.index();
    /// a.insert("a", "Shared paragraph of text.");
    /// let mut b = dedup.index();
    /// b.insert("b", "Shared paragraph of text.\nOnly in shard b.");
    /// a.merge(b)?;
    /// assert_eq!(a.len(), 2);
    /// let report = a.check("c", "Shared paragraph of text.\nOnly in shard b.");
    /// assert_eq!(report.duplicates[0].of.doc, Some(DocId::from("a")));
    /// assert_eq!(report.duplicates[1].of.doc, Some(DocId::from("b")));
    /// # Ok::<(), textdedup::Error>(())
    /// ```
    pub fn merge(&mut self, mut other: Index) -> Result<(), Error> {
        if let Some(message) = Params::of(&other.dedup).mismatch(&Params::of(&self.dedup)) {
            return Err(Error::format(format!("cannot merge: {message}")));
        }
        let offset = u32::try_from(self.docs.len())
            .ok()
            .filter(|&n| u32::try_from(other.docs.len()).is_ok_and(|m| n.checked_add(m).is_some()))
            .ok_or_else(|| {
                Error::format("cannot merge: more than 2^32 documents; split the corpus")
            })?;
        for (mine, theirs) in self.exact.iter_mut().zip(&other.exact) {
            mine.reserve(theirs.len());
            // In insertion order, so documents come in order.
            for (fp, found) in theirs.iter() {
                mine.get_or_insert(fp, found.doc + offset, (found.start, found.end));
            }
        }
        for ordinal in 0..Level::ALL.len() {
            let first = u32::try_from(self.near_entries[ordinal].len()).map_err(|_| {
                Error::format("cannot merge: more than 2^32 near-duplicate entries")
            })?;
            let keys = other.near[ordinal]
                .as_ref()
                .map(NearIndex::keys)
                .unwrap_or_default();
            if let Some(near) = &mut self.near[ordinal] {
                for (id, key) in keys {
                    near.insert(first + id, &key);
                }
            }
            let theirs = std::mem::take(&mut other.near_entries[ordinal]);
            self.near_entries[ordinal].extend(theirs.into_iter().map(|stored| Stored {
                doc: stored.doc + offset,
                ..stored
            }));
        }
        for doc in other.docs.iter() {
            self.docs.push(&doc);
        }
        Ok(())
    }
}

fn corrupt(what: &str) -> Error {
    Error::format(format!(
        "the index file is corrupted ({what}): re-build it, or copy it again"
    ))
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &str) -> Result<(), Error> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Error::format(format!(
                "the index file is truncated (in its {what}): re-build it, or copy it again"
            ))
        } else {
            Error::Io(e)
        }
    })
}

struct HashingWriter<W> {
    inner: W,
    hasher: Xxh3,
}

impl<W: Write> HashingWriter<W> {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.inner.write_all(bytes)
    }

    fn short_str(&mut self, s: &str) -> io::Result<()> {
        // Only ever called with short constants.
        self.write_all(&[u8::try_from(s.len()).unwrap_or(u8::MAX)])?;
        self.write_all(&s.as_bytes()[..s.len().min(255)])
    }
}

/// The checksummed part of a file, read with a running hash and a count of
/// the bytes left, so that no corrupted length can make us allocate more
/// than the file holds.
struct Payload<R> {
    inner: io::Take<R>,
    hasher: Xxh3,
    left: u64,
}

impl<R: Read> Payload<R> {
    fn bytes(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        read_exact(&mut self.inner, buf, "payload")?;
        self.hasher.update(buf);
        self.left -= buf.len() as u64;
        Ok(())
    }

    fn u8(&mut self) -> Result<u8, Error> {
        let mut b = [0u8; 1];
        self.bytes(&mut b)?;
        Ok(b[0])
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let mut b = [0u8; 4];
        self.bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, Error> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// A count of items of at least `min_bytes` each, checked against what
    /// is left of the payload.
    fn count(&mut self, min_bytes: u64) -> Result<usize, Error> {
        let n = self.u64()?;
        if n.saturating_mul(min_bytes) > self.left {
            return Err(corrupt("a count exceeds the file's size"));
        }
        usize::try_from(n).map_err(|_| corrupt("a count exceeds the address space"))
    }

    fn string(&mut self, len: u64) -> Result<String, Error> {
        if len > self.left {
            return Err(corrupt("a length exceeds the file's size"));
        }
        // Read, rather than allocate `len` up front: the length is not
        // trusted until the checksum is checked.
        let mut buf = Vec::new();
        (&mut self.inner).take(len).read_to_end(&mut buf)?;
        if buf.len() as u64 != len {
            return Err(Error::format(
                "the index file is truncated (in its payload): re-build it, or copy it again",
            ));
        }
        self.hasher.update(&buf);
        self.left -= len;
        String::from_utf8(buf).map_err(|_| corrupt("a name is not UTF-8"))
    }

    fn parse(&mut self, dedup: &Dedup) -> Result<(String, Params, Index), Error> {
        let hash_len = self.u8()?;
        let hash = self.string(u64::from(hash_len))?;
        let version_len = self.u8()?;
        self.string(u64::from(version_len))?;
        let mut p = [0u8; 4];
        self.bytes(&mut p)?;
        let params = Params {
            preset: p[0],
            flags: p[1],
            paragraph_mode: p[2],
            levels: p[3],
            span_sentences: self.u32()?,
            min_chars: self.u64()?,
            method: {
                let mut m = [0u8; 4];
                self.bytes(&mut m)?;
                m[0]
            },
            threshold: self.u64()?,
            num_perm: self.u32()?,
            ngrams: [self.u32()?, self.u32()?, self.u32()?, self.u32()?],
        };
        let n_docs = self.count(9)?;
        let mut docs = DocTable::default();
        for _ in 0..n_docs {
            let doc = match self.u8()? {
                0 => DocId::Num(self.u64()?),
                1 => {
                    let len = self.u64()?;
                    DocId::Str(self.string(len)?)
                }
                _ => return Err(corrupt("unknown document id tag")),
            };
            docs.push(&doc);
        }
        let mut index = Index::new(dedup.clone());
        for table in &mut index.exact {
            let n = self.count(ENTRY_BYTES)?;
            let mut entries: Vec<(Location, Fingerprint)> = Vec::with_capacity(n.min(PREALLOCATE));
            let mut e = [0u8; ENTRY_BYTES as usize];
            for _ in 0..n {
                self.bytes(&mut e)?;
                let word = |i: usize| u32::from_le_bytes([e[i], e[i + 1], e[i + 2], e[i + 3]]);
                let mut fp = [0u8; 16];
                fp.copy_from_slice(&e[..16]);
                let found = Location {
                    doc: word(16),
                    start: word(20),
                    end: word(24),
                };
                if found.doc as usize >= docs.len() || found.start > found.end {
                    return Err(corrupt("an entry points outside the index"));
                }
                entries.push((found, Fingerprint(u128::from_le_bytes(fp))));
            }
            // The table takes documents in order.
            entries.sort_unstable_by_key(|&(found, fp)| (found.doc, found.start, fp));
            table.reserve(entries.len());
            for (found, fp) in entries {
                table.get_or_insert(fp, found.doc, (found.start, found.end));
            }
        }
        for ordinal in 0..Level::ALL.len() {
            self.near_section(&mut index, ordinal, docs.len())?;
        }
        index.docs = docs;
        Ok((hash, params, index))
    }

    fn near_section(
        &mut self,
        index: &mut Index,
        ordinal: usize,
        docs: usize,
    ) -> Result<(), Error> {
        let n = self.count(12)?;
        let mut entries = Vec::with_capacity(n.min(PREALLOCATE));
        for _ in 0..n {
            let stored = Stored {
                doc: self.u32()?,
                start: self.u32()?,
                end: self.u32()?,
            };
            if stored.doc as usize >= docs || stored.start > stored.end {
                return Err(corrupt("a near-duplicate entry points outside the index"));
            }
            entries.push(stored);
        }
        let keys = self.count(9)?;
        for _ in 0..keys {
            let id = self.u32()?;
            let tag = self.u8()?;
            let len = self.u32()?;
            let word_bytes = if tag == 1 { 4 } else { 8 };
            if u64::from(len) * word_bytes > self.left {
                return Err(corrupt("a key is longer than the file"));
            }
            if id as usize >= n {
                return Err(corrupt("a key names no entry"));
            }
            let key = if tag == 1 {
                let mut slots = Vec::with_capacity((len as usize).min(PREALLOCATE));
                for _ in 0..len {
                    slots.push(self.u32()?);
                }
                NearKey::Signature(crate::near::Signature::from_slots(slots))
            } else {
                let mut words = Vec::with_capacity((len as usize).min(PREALLOCATE));
                for _ in 0..len {
                    words.push(self.u64()?);
                }
                match tag {
                    0 => NearKey::None,
                    2 if words.len() == 1 => NearKey::SimHash(words[0]),
                    3 => NearKey::Shingles(words.into_boxed_slice()),
                    _ => return Err(corrupt("unknown near-duplicate key")),
                }
            };
            // With other settings there is nothing to insert into; the
            // settings check after the checksum says so.
            if let Some(near) = &mut index.near[ordinal] {
                near.insert(id, &key);
            }
        }
        index.near_entries[ordinal] = entries;
        Ok(())
    }
}
