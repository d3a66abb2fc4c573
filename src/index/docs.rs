//! The index's document ids, packed.
//!
//! A `Vec<DocId>` costs 32 bytes per document before a string id's own
//! bytes; numbers and string ids are kept here in 8 bytes and a bit, string
//! ids' bytes in one buffer.

use crate::DocId;

/// The ids of an index's documents, by document number.
#[derive(Clone, Debug, Default)]
pub(crate) struct DocTable {
    /// Per document: its number, or for a string id its position in `ends`.
    values: Vec<u64>,
    /// Bit `i` is set when document `i`'s id is a string.
    is_str: Vec<u64>,
    /// The end of each string id in `strings`.
    ends: Vec<usize>,
    strings: String,
}

impl DocTable {
    /// The number of documents.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Adds the next document's id.
    pub(crate) fn push(&mut self, id: &DocId) {
        let i = self.values.len();
        if i.is_multiple_of(64) {
            self.is_str.push(0);
        }
        match id {
            DocId::Num(n) => self.values.push(*n),
            DocId::Str(s) => {
                self.values.push(self.ends.len() as u64);
                self.strings.push_str(s);
                self.ends.push(self.strings.len());
                self.is_str[i / 64] |= 1 << (i % 64);
            }
        }
    }

    /// Document `i`'s id, if there is a document `i`.
    pub(crate) fn get(&self, i: usize) -> Option<DocId> {
        let value = *self.values.get(i)?;
        if self.is_str[i / 64] & 1 << (i % 64) == 0 {
            return Some(DocId::Num(value));
        }
        let k = value as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        Some(DocId::Str(self.strings[start..self.ends[k]].to_owned()))
    }

    /// Every id, in document order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.values.capacity() * 8
            + self.is_str.capacity() * 8
            + self.ends.capacity() * std::mem::size_of::<usize>()
            + self.strings.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_ids_round_trip() {
        let ids: Vec<DocId> = (0..150u64)
            .map(|i| {
                if i % 3 == 0 {
                    DocId::Str(format!("doc-{i}"))
                } else if i % 5 == 0 {
                    DocId::Str(String::new())
                } else {
                    DocId::Num(i * 1_000_003)
                }
            })
            .collect();
        let mut table = DocTable::default();
        for id in &ids {
            table.push(id);
        }
        assert_eq!(table.len(), ids.len());
        assert_eq!(table.iter().collect::<Vec<_>>(), ids);
        assert_eq!(table.get(ids.len()), None);
    }
}
