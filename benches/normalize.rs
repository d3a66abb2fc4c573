//! Throughput of `Normalizer::normalize_into` per preset, over the seed
//! article, English news and web text (as lines and as paragraphs), and the
//! multilingual UDHR.
//!
//! Time is the thread's CPU time where Linux gives it, so that other
//! processes on a busy machine do not count: the numbers are per core.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::io::BufRead;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use textdedup::segment::{ParagraphMode, paragraphs};
use textdedup::{Normalizer, Preset};

/// Nanoseconds this thread has run on a CPU (see `common::thread_cpu_time`).
fn thread_cpu_ns() -> Option<u64> {
    common::thread_cpu_time().map(|t| t.as_nanos() as u64)
}

/// Thread CPU time, or wall-clock time where the former is not available.
struct CpuTime {
    wall: WallTime,
    available: bool,
}

impl CpuTime {
    fn new() -> CpuTime {
        CpuTime {
            wall: WallTime,
            available: thread_cpu_ns().is_some(),
        }
    }
}

impl Measurement for CpuTime {
    type Intermediate = (u64, std::time::Instant);
    type Value = f64;

    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns().unwrap_or(0), std::time::Instant::now())
    }

    fn end(&self, (cpu, wall): Self::Intermediate) -> f64 {
        if self.available {
            thread_cpu_ns().unwrap_or(0).saturating_sub(cpu) as f64
        } else {
            wall.elapsed().as_nanos() as f64
        }
    }

    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }

    fn zero(&self) -> f64 {
        0.0
    }

    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        // Also nanoseconds: the wall clock's formatter fits.
        self.wall.formatter()
    }
}

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

/// Segments to normalize, `repeat` times per iteration.
struct Workload<'a> {
    group: &'a str,
    segments: Vec<&'a str>,
    repeat: u64,
}

/// Thread CPU time advances by scheduler ticks (a few ms), so every sample
/// must take tens of ms: few samples, and the tiny seed article repeated.
fn bench_lines(c: &mut Criterion<CpuTime>, work: &Workload<'_>) {
    let (segments, repeat) = (&work.segments, work.repeat);
    let bytes: u64 = segments.iter().map(|s| s.len() as u64).sum();
    let mut group = c.benchmark_group(work.group);
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes * repeat));
    for (name, preset) in PRESETS {
        let norm = Normalizer::new(preset);
        let mut out = String::new();
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut total = 0;
                for _ in 0..repeat {
                    for segment in segments {
                        norm.normalize_into(black_box(segment), &mut out);
                        total += out.len();
                    }
                }
                assert!(total > 0, "normalized everything to nothing");
                black_box(total)
            })
        });
    }
    group.finish();
}

fn normalize(c: &mut Criterion<CpuTime>) {
    let seed = Workload {
        group: "normalize/seed",
        segments: lines([common::SEED_ARTICLE]),
        repeat: 1000,
    };
    bench_lines(c, &seed);
    if let Some(texts) = common::corpus_texts(8 << 20) {
        let news = Workload {
            group: "normalize/news_web_en",
            segments: lines(texts.iter().map(String::as_str)),
            repeat: 1,
        };
        bench_lines(c, &news);
        // What the dedup hot path normalizes: `Auto` paragraphs, most of
        // them unwrapped Reuters paragraphs of a few lines.
        let paragraphs = Workload {
            group: "normalize/news_web_en_paragraphs",
            segments: texts
                .iter()
                .flat_map(|text| paragraphs(text, ParagraphMode::Auto))
                .map(|(_, paragraph)| paragraph)
                .collect(),
            repeat: 1,
        };
        bench_lines(c, &paragraphs);
    }
    match udhr_texts() {
        Some(texts) => {
            let udhr = Workload {
                group: "normalize/udhr",
                segments: lines(texts.iter().map(String::as_str)),
                repeat: 1,
            };
            bench_lines(c, &udhr);
        }
        None => eprintln!("UDHR not found beside the corpus: skipping the udhr bench"),
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime::new());
    targets = normalize
}
criterion_main!(benches);
