//! Near-duplicate building blocks over real text: document-level word
//! 5-gram shingles, MinHash with 128 slots and LSH banding at 0.8.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use textdedup::near::{LshIndex, LshParams, MinHasher, Shingler, simhash};
use textdedup::{Normalizer, Preset};

#[path = "common/mod.rs"]
mod common;

const THRESHOLD: f64 = 0.8;

/// About 8 MB of documents, or the seed article's paragraphs without the corpus.
fn documents() -> Vec<String> {
    common::corpus_texts(8 << 20).unwrap_or_else(|| {
        common::SEED_ARTICLE
            .split("\n\n")
            .map(str::to_owned)
            .collect()
    })
}

/// Shingles, signs, queries and inserts every document; returns how many
/// had a near-duplicate already in the index.
fn dedup(texts: &[String], normalizer: Option<&Normalizer>, params: LshParams) -> usize {
    let shingler = Shingler::new(5).expect("valid n");
    let hasher = MinHasher::default();
    let mut index = LshIndex::new(params);
    let (mut normalized, mut shingles) = (String::new(), Vec::new());
    let mut duplicates = 0;
    for (id, text) in texts.iter().enumerate() {
        let text = match normalizer {
            Some(normalizer) => {
                normalizer.normalize_into(text, &mut normalized);
                &normalized
            }
            None => text,
        };
        shingler.shingles_into(text, &mut shingles);
        let signature = hasher.signature(&shingles);
        let matches = index
            .insert_and_query(id, &signature, THRESHOLD)
            .expect("128 slots fill the bands");
        duplicates += usize::from(!matches.is_empty());
    }
    duplicates
}

fn near(c: &mut Criterion) {
    let raw = documents();
    let normalizer = Normalizer::new(Preset::Default);
    let normalized: Vec<String> = raw.iter().map(|t| normalizer.normalize(t)).collect();
    let bytes = common::total_bytes(&raw);
    let shingler = Shingler::new(5).expect("valid n");
    let hasher = MinHasher::default();
    // Chosen once, as a deduplicator would at build time.
    let params = LshParams::for_threshold(THRESHOLD, 128).expect("valid threshold");
    let expected_shingles: usize = normalized
        .iter()
        .map(|t| {
            let mut s = Vec::new();
            shingler.shingles_into(t, &mut s);
            s.len()
        })
        .sum();
    let expected_duplicates = dedup(&normalized, None, params);
    eprintln!(
        "{} documents, {bytes} bytes, {expected_shingles} shingles, {expected_duplicates} near-duplicates",
        raw.len()
    );

    let mut group = c.benchmark_group("near");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("shingle5/prenormalized", |b| {
        let mut shingles = Vec::new();
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                let mut total = 0;
                for text in &normalized {
                    shingler.shingles_into(black_box(text), &mut shingles);
                    total += shingles.len();
                }
                assert_eq!(total, expected_shingles);
            })
        })
    });
    group.bench_function("shingle5+minhash128/prenormalized", |b| {
        let mut shingles = Vec::new();
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                let mut signed = 0;
                for text in &normalized {
                    shingler.shingles_into(black_box(text), &mut shingles);
                    let signature = hasher.signature(&shingles);
                    signed += usize::from(signature.len() == 128);
                }
                assert_eq!(signed, normalized.len());
            })
        })
    });
    // What a caller that only signs saves by skipping the sort: MinHash
    // does not depend on the order or repeats of its input, so the
    // signatures are those of the sorted sets.
    let first_slots = |in_order: bool| {
        let mut shingles = Vec::new();
        normalized.iter().fold(0u64, |sum, text| {
            if in_order {
                shingler.shingles_in_order_into(black_box(text), &mut shingles);
            } else {
                shingler.shingles_into(text, &mut shingles);
            }
            sum.wrapping_add(u64::from(hasher.signature(&shingles).as_slice()[0]))
        })
    };
    let expected_first_slots = first_slots(false);
    group.bench_function("shingle5(in order)+minhash128/prenormalized", |b| {
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                assert_eq!(first_slots(true), expected_first_slots)
            })
        })
    });
    group.bench_function("shingle5+simhash/prenormalized", |b| {
        let mut shingles = Vec::new();
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                let mut ones = 0;
                for text in &normalized {
                    shingler.shingles_into(black_box(text), &mut shingles);
                    ones += simhash(&shingles).count_ones();
                }
                assert!(ones > 0);
            })
        })
    });
    group.bench_function("shingle5+minhash128+lsh0.8/prenormalized", |b| {
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                assert_eq!(
                    dedup(black_box(&normalized), None, params),
                    expected_duplicates
                )
            })
        })
    });
    group.bench_function("normalize+shingle5+minhash128+lsh0.8", |b| {
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                assert_eq!(
                    dedup(black_box(&raw), Some(&normalizer), params),
                    expected_duplicates
                )
            })
        })
    });
    group.finish();
}

criterion_group!(benches, near);
criterion_main!(benches);
