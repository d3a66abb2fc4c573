//! Near-duplicate detection: shingles, MinHash with LSH banding, SimHash and
//! n-gram containment.
