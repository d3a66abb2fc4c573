//! Throughput of paragraph and sentence segmentation over the seed article
//! and about 8 MB of the news/web corpus.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use textdedup::segment::{ParagraphMode, paragraphs, sentence_windows, sentences};
use unicode_segmentation::UnicodeSegmentation;

// NOTE: the shared loader is formatted by its owner, not by this bench's `cargo fmt`.
#[rustfmt::skip]
#[path = "common/mod.rs"]
mod common;

const MODES: [(&str, ParagraphMode); 3] = [
    ("lines", ParagraphMode::Lines),
    ("blocks", ParagraphMode::Blocks),
    ("auto", ParagraphMode::Auto),
];

/// Runs every segmenter over `texts`, one benchmark each, asserting counts.
fn bench_texts(c: &mut Criterion, name: &str, texts: &[&str]) {
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let mut group = c.benchmark_group(format!("segment/{name}"));
    group.throughput(Throughput::Bytes(bytes));
    for (mode_name, mode) in MODES {
        let want: usize = texts.iter().map(|t| paragraphs(t, mode).count()).sum();
        group.bench_function(format!("paragraphs/{mode_name}"), |b| {
            b.iter(|| {
                let n: usize = texts
                    .iter()
                    .map(|t| paragraphs(black_box(t), mode).count())
                    .sum();
                assert_eq!(n, want);
            })
        });
    }
    let mode = ParagraphMode::Auto;
    let want: usize = texts.iter().map(|t| sentences(t, mode).count()).sum();
    group.bench_function("sentences/auto", |b| {
        b.iter(|| {
            let n: usize = texts
                .iter()
                .map(|t| sentences(black_box(t), mode).count())
                .sum();
            assert_eq!(n, want);
        })
    });
    // The baseline the abbreviation layer adds to: plain UAX #29 bounds.
    let want: usize = texts
        .iter()
        .map(|t| t.split_sentence_bounds().count())
        .sum();
    group.bench_function("uax29_sentence_bounds", |b| {
        b.iter(|| {
            let n: usize = texts
                .iter()
                .map(|t| black_box(t).split_sentence_bounds().count())
                .sum();
            assert_eq!(n, want);
        })
    });
    let want: usize = texts
        .iter()
        .map(|t| sentence_windows(t, mode, 3).count())
        .sum();
    group.bench_function("windows3/auto", |b| {
        b.iter(|| {
            let n: usize = texts
                .iter()
                .map(|t| sentence_windows(black_box(t), mode, 3).count())
                .sum();
            assert_eq!(n, want);
        })
    });
    group.finish();
}

fn seed(c: &mut Criterion) {
    bench_texts(c, "seed", &[common::SEED_ARTICLE]);
}

fn corpus(c: &mut Criterion) {
    let Some(texts) = common::corpus_texts(8 << 20) else {
        return;
    };
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    bench_texts(c, "corpus8mb", &texts);
}

criterion_group!(benches, seed, corpus);
criterion_main!(benches);
