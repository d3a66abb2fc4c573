//! One level's exact-match table: the kept fingerprints and where each is.
//!
//! The layout is chosen for memory (see DESIGN.md, "Memory"): entries live in
//! a dense store of 22-byte records in insertion order, and the hash table
//! holds only 4-byte entry numbers (plus a control byte, in `slots.rs`). The
//! document of an entry is not stored per entry: documents add entries in
//! order, so each document's first entry number tells it.

use crate::Fingerprint;
use crate::fxmap::FingerprintMap;

use super::slots::Slots;

/// Entries per chunk of the store once the first chunk is full. A plain
/// `Vec` would leave up to half of its capacity unused after growing; fixed
/// chunks bound the slack to one chunk.
const CHUNK_BITS: u32 = 12;
/// Records per chunk.
const CHUNK: usize = 1 << CHUNK_BITS;
/// Lengths at or above this are kept in `long`, not in the record.
const LONG: u16 = u16::MAX;

/// A kept segment: fingerprint (16 bytes), start (4) and length (2), all
/// little-endian, with byte alignment so that a record takes 22 bytes.
#[derive(Clone, Copy)]
struct Record([u8; 22]);

impl Record {
    #[inline]
    fn fingerprint(&self) -> [u8; 16] {
        let mut fp = [0; 16];
        fp.copy_from_slice(&self.0[..16]);
        fp
    }

    #[inline]
    fn hash(&self) -> u64 {
        let mut low = [0; 8];
        low.copy_from_slice(&self.0[..8]);
        u64::from_le_bytes(low)
    }

    /// Where the segment starts in its document.
    fn start(&self) -> u32 {
        u32::from_le_bytes([self.0[16], self.0[17], self.0[18], self.0[19]])
    }

    /// The segment's length, or `LONG` when it is kept in `long`.
    fn short_len(&self) -> u16 {
        u16::from_le_bytes([self.0[20], self.0[21]])
    }
}

/// Where a kept segment is: the document's number in the index, and its
/// byte range there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) doc: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// The kept segments of one level.
#[derive(Clone, Default)]
pub(crate) struct ExactTable {
    /// Entry numbers, hashed by their fingerprint's low 64 bits (the
    /// fingerprint is already uniform, so it is its own hash).
    table: Slots,
    chunks: Vec<Vec<Record>>,
    len: usize,
    /// By document number: the number of its first entry (or of the next
    /// document's, when it added none). Entries are added document by
    /// document.
    firsts: Vec<u32>,
    /// The lengths of entries too long for a record's 16 bits.
    long: FingerprintMap<u32, u32>,
}

impl std::fmt::Debug for ExactTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExactTable")
            .field("len", &self.len)
            .finish()
    }
}

#[inline]
fn hash_of(fp: Fingerprint) -> u64 {
    fp.0 as u64
}

impl ExactTable {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn record(chunks: &[Vec<Record>], id: u32) -> &Record {
        let id = id as usize;
        &chunks[id >> CHUNK_BITS][id & (CHUNK - 1)]
    }

    /// Where the segment with fingerprint `fp` was kept, if it was.
    #[inline]
    pub(crate) fn get(&self, fp: Fingerprint) -> Option<Location> {
        let bytes = fp.0.to_le_bytes();
        let chunks = &self.chunks;
        self.table
            .find(hash_of(fp), |id| {
                Self::record(chunks, id).fingerprint() == bytes
            })
            .map(|id| self.location(id))
    }

    /// Adds the segment `fp` at `start..end` of document `doc`, unless an
    /// entry with that fingerprint is there already: then returns where that
    /// one is and adds nothing. Documents must come in order (`doc` at least
    /// the last one added); an entry the table cannot number (2³² of them)
    /// is not added.
    // Always inlined into the per-segment loop: as a call, saving and
    // restoring registers cost some 20 instructions a segment.
    #[inline(always)]
    pub(crate) fn get_or_insert(
        &mut self,
        fp: Fingerprint,
        doc: u32,
        span: (u32, u32),
    ) -> Option<Location> {
        let bytes = fp.0.to_le_bytes();
        let Some(id) = self.next_id() else {
            return self.get(fp);
        };
        if self.is_full() {
            self.grow();
        }
        let chunks = &self.chunks;
        let found = self.table.find_or_insert(
            hash_of(fp),
            |e| Self::record(chunks, e).fingerprint() == bytes,
            id,
        );
        match found {
            Some(found) => Some(self.location(found)),
            None => {
                self.push(bytes, doc, span);
                None
            }
        }
    }

    /// Adds an entry known not to be in the table (checked with `get`).
    pub(crate) fn insert_new(&mut self, fp: Fingerprint, doc: u32, span: (u32, u32)) {
        let Some(id) = self.next_id() else {
            return;
        };
        if self.is_full() {
            self.grow();
        }
        self.table.insert_unique(hash_of(fp), id);
        self.push(fp.0.to_le_bytes(), doc, span);
    }

    /// Whether the hash table has no room for one more entry.
    #[inline]
    fn is_full(&self) -> bool {
        self.table.len() == self.table.capacity()
    }

    /// Doubles a full hash table by adding the entries to a new one in
    /// record order, which reads the records in order (in bucket order,
    /// each would be a cache miss). Out of line: it runs once per doubling,
    /// and the check before it runs per entry.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        self.rebuild((self.table.capacity() * 2).max(16));
    }

    /// A new hash table with room for `entries`, holding every entry.
    fn rebuild(&mut self, entries: usize) {
        let mut table = Slots::with_capacity(entries);
        for (id, record) in self.chunks.iter().flatten().enumerate() {
            // Ids fit in u32: `len` is checked before every insertion.
            table.insert_unique(record.hash(), id as u32);
        }
        self.table = table;
    }

    /// Starts loading the hash table's buckets that `fp` would be looked
    /// for in first (a hint: see `Slots::prefetch`).
    #[inline]
    pub(crate) fn prefetch(&self, fp: Fingerprint) {
        self.table.prefetch(hash_of(fp));
    }

    /// The number the next entry gets, if the table can take one more:
    /// numbers are `u32`, and `len` stays below 2³² so that every entry's
    /// number, and `len` itself, fit in one.
    fn next_id(&self) -> Option<u32> {
        u32::try_from(self.len).ok().filter(|&id| id < u32::MAX)
    }

    /// Stores an entry's record (after its number went into the table), and
    /// notes where a new document's entries start.
    #[inline]
    fn push(&mut self, fp: [u8; 16], doc: u32, (start, end): (u32, u32)) {
        let id = self.len as u32;
        debug_assert!(self.firsts.len() <= doc as usize + 1);
        if self.firsts.len() <= doc as usize {
            // Documents that added no entry get this one's number too.
            self.firsts.resize(doc as usize + 1, id);
        }
        let len = end - start;
        let short = match u16::try_from(len) {
            Ok(short) if short < LONG => short,
            _ => {
                self.long.insert(id, len);
                LONG
            }
        };
        let mut record = [0u8; 22];
        record[..16].copy_from_slice(&fp);
        record[16..20].copy_from_slice(&start.to_le_bytes());
        record[20..].copy_from_slice(&short.to_le_bytes());
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(Record(record)),
            _ => self.push_chunk(Record(record)),
        }
        self.len += 1;
    }

    /// Starts a chunk with `record`: once per `CHUNK` entries.
    #[cold]
    #[inline(never)]
    fn push_chunk(&mut self, record: Record) {
        // The first chunk grows as a `Vec` does, so that small indexes stay
        // small; later ones are allocated whole.
        let capacity = if self.chunks.is_empty() { 0 } else { CHUNK };
        let mut chunk = Vec::with_capacity(capacity);
        chunk.push(record);
        self.chunks.push(chunk);
    }

    /// Where entry `id` is: its document (by `firsts`) and its span.
    fn location(&self, id: u32) -> Location {
        let record = Self::record(&self.chunks, id);
        // The last document whose first entry is at or before `id`: one
        // that added none has the same first entry as the next one.
        let doc = (self.firsts.partition_point(|&first| first <= id) - 1) as u32;
        let start = record.start();
        let len = match record.short_len() {
            LONG => self.long.get(&id).copied().unwrap_or(0),
            short => u32::from(short),
        };
        Location {
            doc,
            start,
            end: start + len,
        }
    }

    /// Every entry's fingerprint and location, in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Fingerprint, Location)> + '_ {
        // `len` is at most `u32::MAX` (see `next_id`).
        (0..self.len).map(|id| id as u32).map(|id| {
            let fp = Self::record(&self.chunks, id).fingerprint();
            (Fingerprint(u128::from_le_bytes(fp)), self.location(id))
        })
    }

    /// Reserves room for `additional` more entries in the hash table.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let wanted = self.table.len().saturating_add(additional);
        if wanted > self.table.capacity() {
            self.rebuild(wanted);
        }
    }

    /// The heap bytes held: the hash table (4-byte slot and 1 control byte
    /// per bucket), the records, the first entries and the long lengths.
    pub(crate) fn memory_bytes(&self) -> usize {
        let buckets = self.table.buckets();
        let records: usize = self.chunks.iter().map(Vec::capacity).sum();
        buckets * (std::mem::size_of::<u32>() + 1)
            + records * std::mem::size_of::<Record>()
            + self.firsts.capacity() * std::mem::size_of::<u32>()
            + self.long.capacity() * (2 * std::mem::size_of::<u32>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn agrees_with_a_hash_map_across_chunks_and_long_lengths() {
        let mut table = ExactTable::default();
        let mut oracle: HashMap<Fingerprint, Location> = HashMap::new();
        let n = CHUNK as u32 * 2;
        for i in 0..n {
            // Every third key repeats an earlier one.
            let key = if i % 3 == 2 { i / 2 } else { i };
            let fp = Fingerprint::of(&key.to_string());
            let doc = i / 7;
            let start = i * 3;
            let len = if i % 1000 == 0 { 70_000 + i } else { i % 500 };
            let expected = oracle.get(&fp).copied();
            assert_eq!(table.get(fp), expected, "get {i}");
            let found = table.get_or_insert(fp, doc, (start, start + len));
            assert_eq!(found, expected, "get_or_insert {i}");
            if expected.is_none() {
                oracle.insert(
                    fp,
                    Location {
                        doc,
                        start,
                        end: start + len,
                    },
                );
            }
        }
        assert_eq!(table.len(), oracle.len());
        assert!(table.chunks.len() > 1);
        assert!(!table.long.is_empty());
        for (fp, location) in table.iter() {
            assert_eq!(oracle.get(&fp), Some(&location));
        }
    }

    #[test]
    fn insert_new_then_get() {
        let mut table = ExactTable::default();
        let fp = Fingerprint::of("a paragraph");
        assert_eq!(table.get(fp), None);
        table.insert_new(fp, 3, (10, 20));
        let want = Location {
            doc: 3,
            start: 10,
            end: 20,
        };
        assert_eq!(table.get(fp), Some(want));
        assert_eq!(table.get_or_insert(fp, 4, (0, 1)), Some(want));
        assert_eq!(table.len(), 1);
        assert_eq!(std::mem::size_of::<Record>(), 22);
    }
}
