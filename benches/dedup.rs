//! The library end to end: segment, normalize, fingerprint (and sign) and
//! insert every document of the corpus into a fresh index.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use textdedup::{Dedup, Level, Method};

#[path = "common/mod.rs"]
mod common;

fn exact_paragraphs(c: &mut Criterion) {
    let dedup = Dedup::new();
    let mut group = c.benchmark_group("exact_paragraph_dedup");

    let seed = common::SEED_ARTICLE;
    group.throughput(Throughput::Bytes(seed.len() as u64));
    group.bench_function("seed_article", |b| {
        b.iter(|| {
            let report = dedup.check(black_box(seed));
            assert_eq!(report.duplicates.len(), 4);
        })
    });

    if let Some(texts) = common::corpus_texts(32 << 20) {
        group.throughput(Throughput::Bytes(common::total_bytes(&texts)));
        group.sample_size(10);
        group.bench_function("corpus_index_insert", |b| {
            b.iter_custom(|iters| {
                common::cpu_timed(iters, || {
                    insert_all(&dedup, &texts, Level::Paragraph);
                })
            })
        });
    }
    group.finish();
}

/// Document-level MinHash (128 permutations, word 5-grams, LSH at 0.8) end
/// to end: normalize, shingle, sign, query with verification, insert.
///
/// Timed by this thread's CPU time, as the corpus bench above.
fn document_minhash(c: &mut Criterion) {
    let Some(texts) = common::corpus_texts(32 << 20) else {
        return;
    };
    let dedup = Dedup::builder()
        .levels([Level::Document])
        .method(Method::MinHash)
        .build()
        .expect("valid settings");
    let mut group = c.benchmark_group("document_minhash");
    group.throughput(Throughput::Bytes(common::total_bytes(&texts)));
    group.sample_size(10);
    group.bench_function("corpus_index_insert", |b| {
        b.iter_custom(|iters| {
            common::cpu_timed(iters, || {
                insert_all(&dedup, &texts, Level::Document);
            })
        })
    });
    group.finish();
}

/// Inserts every text into a fresh index; asserts that some repeat.
fn insert_all(dedup: &Dedup, texts: &[String], level: Level) -> usize {
    let mut index = dedup.index();
    let mut dups = 0;
    for (i, text) in texts.iter().enumerate() {
        dups += index.insert(i as u64, text).duplicates.len();
    }
    assert!(dups > 0);
    black_box(index.segments(level))
}

criterion_group!(benches, exact_paragraphs, document_minhash);
criterion_main!(benches);
