//! Throughput of `Normalizer::normalize_into` per preset, over the seed
//! article, English news and web text, and the multilingual UDHR.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::io::BufRead;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use textdedup::{Normalizer, Preset};

const PRESETS: [(&str, Preset); 4] = [
    ("default", Preset::Default),
    ("ccnet", Preset::CcNet),
    ("datatrove", Preset::Datatrove),
    ("c4", Preset::C4),
];

/// The non-empty lines of `texts`: the segments a line dedup normalizes.
fn lines<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    texts
        .into_iter()
        .flat_map(str::lines)
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// The UDHR texts beside the corpus, when present.
fn udhr_texts() -> Option<Vec<String>> {
    let path = common::corpus_path()
        .parent()?
        .join("../unicode/udhr_multilingual.jsonl.gz");
    let file = std::fs::File::open(path).ok()?;
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let texts = reader
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(&line).ok()?;
            value.get("text")?.as_str().map(str::to_owned)
        })
        .collect();
    Some(texts)
}

fn bench_lines(c: &mut Criterion, group_name: &str, segments: &[&str]) {
    let bytes: u64 = segments.iter().map(|s| s.len() as u64).sum();
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(bytes));
    for (name, preset) in PRESETS {
        let norm = Normalizer::new(preset);
        let mut out = String::new();
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut total = 0;
                for segment in segments {
                    norm.normalize_into(black_box(segment), &mut out);
                    total += out.len();
                }
                assert!(total > 0, "normalized everything to nothing");
                black_box(total)
            })
        });
    }
    group.finish();
}

fn normalize(c: &mut Criterion) {
    bench_lines(c, "normalize/seed", &lines([common::SEED_ARTICLE]));
    if let Some(texts) = common::corpus_texts(8 << 20) {
        bench_lines(
            c,
            "normalize/news_web_en",
            &lines(texts.iter().map(String::as_str)),
        );
    }
    match udhr_texts() {
        Some(texts) => bench_lines(
            c,
            "normalize/udhr",
            &lines(texts.iter().map(String::as_str)),
        ),
        None => eprintln!("UDHR not found beside the corpus: skipping the udhr bench"),
    }
}

criterion_group!(benches, normalize);
criterion_main!(benches);
