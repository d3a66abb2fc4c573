//! How much of a segment's n-grams were seen before (as in allenai/bff).

use super::U64Map;

/// The set of shingle hashes seen so far, each mapped to the first id that
/// had it.
///
/// Containment catches what Jaccard similarity misses: a paragraph copied
/// into a longer one, or boilerplate that differs only in a date. Shingle
/// slices are treated as sets: repeats count once.
///
/// ```
/// use textdedup::near::{ContainmentIndex, Shingler};
///
/// let shingler = Shingler::new(2)?;
/// let mut index = ContainmentIndex::new();
/// let mut shingles = Vec::new();
/// shingler.shingles_into("the old mill stood by the river", &mut shingles);
/// index.insert("mill", &shingles);
///
/// shingler.shingles_into("the old mill stood by the sea", &mut shingles);
/// assert_eq!(index.containment(&shingles), 5.0 / 6.0);
/// assert_eq!(index.best_source(&shingles), Some((&"mill", 5.0 / 6.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ContainmentIndex<Id> {
    ids: Vec<Id>,
    first_seen: U64Map<usize>,
}

impl<Id> Default for ContainmentIndex<Id> {
    fn default() -> ContainmentIndex<Id> {
        ContainmentIndex::new()
    }
}

impl<Id> ContainmentIndex<Id> {
    /// An empty index.
    ///
    /// ```
    /// use textdedup::near::ContainmentIndex;
    ///
    /// let index: ContainmentIndex<u32> = ContainmentIndex::new();
    /// assert_eq!(index.num_shingles(), 0);
    /// ```
    pub fn new() -> ContainmentIndex<Id> {
        ContainmentIndex {
            ids: Vec::new(),
            first_seen: U64Map::default(),
        }
    }

    /// The number of distinct shingles seen.
    ///
    /// ```
    /// use textdedup::near::ContainmentIndex;
    ///
    /// let mut index = ContainmentIndex::new();
    /// index.insert(0, &[1, 2, 2]);
    /// index.insert(1, &[2, 3]);
    /// assert_eq!(index.num_shingles(), 3);
    /// ```
    pub fn num_shingles(&self) -> usize {
        self.first_seen.len()
    }

    /// Adds the shingles under `id`; shingles already seen keep their first
    /// id.
    ///
    /// ```
    /// use textdedup::near::ContainmentIndex;
    ///
    /// let mut index = ContainmentIndex::new();
    /// index.insert("a", &[1, 2]);
    /// index.insert("b", &[2, 3]);
    /// assert_eq!(index.best_source(&[2]), Some((&"a", 1.0)));
    /// ```
    pub fn insert(&mut self, id: Id, shingles: &[u64]) {
        let entry = self.ids.len();
        self.ids.push(id);
        for &shingle in shingles {
            self.first_seen.entry(shingle).or_insert(entry);
        }
    }

    /// Each entry's id and the shingles no earlier entry had, in entry
    /// order, ascending; inserting them again in that order rebuilds the
    /// index.
    pub(crate) fn first_seen_by_entry(&self) -> Vec<(&Id, Vec<u64>)> {
        let mut by_entry: Vec<(&Id, Vec<u64>)> =
            self.ids.iter().map(|id| (id, Vec::new())).collect();
        for (&shingle, &entry) in &self.first_seen {
            by_entry[entry].1.push(shingle);
        }
        for (_, shingles) in &mut by_entry {
            shingles.sort_unstable();
        }
        by_entry
    }

    /// The id that first had `shingle`, if any.
    ///
    /// ```
    /// use textdedup::near::ContainmentIndex;
    ///
    /// let mut index = ContainmentIndex::new();
    /// index.insert("a", &[1, 2]);
    /// index.insert("b", &[2, 3]);
    /// assert_eq!(index.source_of(2), Some(&"a"));
    /// assert_eq!(index.source_of(4), None);
    /// ```
    pub fn source_of(&self, shingle: u64) -> Option<&Id> {
        self.first_seen.get(&shingle).map(|&entry| &self.ids[entry])
    }

    /// The fraction of the distinct `shingles` already seen; 0.0 for none.
    ///
    /// ```
    /// use textdedup::near::ContainmentIndex;
    ///
    /// let mut index = ContainmentIndex::new();
    /// index.insert((), &[1, 2, 3]);
    /// assert_eq!(index.containment(&[3, 4, 4]), 0.5);
    /// assert_eq!(index.containment(&[]), 0.0);
    /// ```
    pub fn containment(&self, shingles: &[u64]) -> f64 {
        let distinct = distinct(shingles);
        if distinct.is_empty() {
            return 0.0;
        }
        let seen = distinct
            .iter()
            .filter(|s| self.first_seen.contains_key(s))
            .count();
        seen as f64 / distinct.len() as f64
    }

    /// The id that first had the most of the distinct `shingles`, with the
    /// fraction of them it had first; ties go to the earlier id. `None`
    /// when no shingle was seen.
    ///
    /// NOTE: a shingle counts for the id that had it first, so the fraction
    /// can be below the true overlap with that id's text.
    ///
    /// ```
    /// use textdedup::near::ContainmentIndex;
    ///
    /// let mut index = ContainmentIndex::new();
    /// index.insert("a", &[1]);
    /// index.insert("b", &[2, 3]);
    /// assert_eq!(index.best_source(&[1, 2, 3, 4]), Some((&"b", 0.5)));
    /// assert_eq!(index.best_source(&[9]), None);
    /// ```
    pub fn best_source(&self, shingles: &[u64]) -> Option<(&Id, f64)> {
        let distinct = distinct(shingles);
        let mut sources: Vec<usize> = distinct
            .iter()
            .filter_map(|s| self.first_seen.get(s).copied())
            .collect();
        most_common(&mut sources)
            .map(|(entry, count)| (&self.ids[entry], count as f64 / distinct.len() as f64))
    }
}

/// The value that occurs most often in `values` (the smallest of those
/// tied), and how often; sorts `values`. Containment names its source this
/// way: the earliest of the kept segments that had the most n-grams.
pub(crate) fn most_common<T: Ord + Copy>(values: &mut [T]) -> Option<(T, usize)> {
    values.sort_unstable();
    let mut best: Option<(T, usize)> = None;
    for run in values.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, count)| run.len() > count) {
            best = Some((run[0], run.len()));
        }
    }
    best
}

/// The distinct values of `shingles`, without copying when they are
/// already strictly ascending (as a [`Shingler`](super::Shingler) makes them).
fn distinct(shingles: &[u64]) -> std::borrow::Cow<'_, [u64]> {
    if shingles.windows(2).all(|w| w[0] < w[1]) {
        std::borrow::Cow::Borrowed(shingles)
    } else {
        let mut owned = shingles.to_vec();
        owned.sort_unstable();
        owned.dedup();
        std::borrow::Cow::Owned(owned)
    }
}
