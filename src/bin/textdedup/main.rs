//! `textdedup`: deduplicate JSONL corpora from the command line.
#![deny(unsafe_code)]

mod args;
mod estimate;
mod fail;
mod input;
mod json;
mod output;
mod pipeline;
mod progress;
mod record;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd;
mod summary;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

// glibc's allocator spent a fifth of the command's time on the many
// short-lived strings of a JSONL pipeline; mimalloc halves that. Its v2
// (Cargo.toml): v3 needed 20-40 MB more with one or two workers, and was
// slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use textdedup::{BloomDedup, BloomFilter, Dedup, Index};

use crate::args::{Cli, Command, DedupArgs};
use crate::fail::Fail;
use crate::input::{Batches, Counter};
use crate::pipeline::{Ctx, Engine};
use crate::record::Fields;
use crate::summary::Summary;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap exits with 2 on usage errors; 2 means I/O failure here.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Dedup(args) => dedup(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(fail) => {
            eprintln!("textdedup: error: {fail}");
            ExitCode::from(fail.exit_code())
        }
    }
}

fn dedup(mut args: DedupArgs) -> Result<(), Fail> {
    args.validate()?;
    let dedup = args.dedup()?;
    if args.inputs.is_empty() {
        args.inputs.push(PathBuf::from("-"));
    }
    let workers = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if args.dry_run {
        return estimate::run(&args, &dedup, workers);
    }
    let mut engine = engine(&args, &dedup)?;
    let fields = Fields {
        text: &args.text_field,
        id: &args.id_field,
        max_bytes: args.max_record_bytes,
    };
    let ctx = Ctx {
        dedup: &dedup,
        fields,
        on_error: args.on_error,
        annotate_only: args.annotate_only,
        check_only: args.check_only,
    };
    let start = Instant::now();
    let counter = Counter::default();
    let progress = progress::Progress::new(input::total_size(&args.inputs));
    let batches = Batches::new(args.inputs.clone(), args.batch_size, counter);
    let mut out = output::open(args.output.as_deref())?;
    let mut summary = Summary::default();
    let mut html_docs = args.html.as_ref().map(|_| Vec::new());
    let ran = pipeline::Run {
        ctx: &ctx,
        engine: &mut engine,
        summary: &mut summary,
        output: &mut out,
        html: html_docs.as_mut(),
        workers,
    }
    .run(batches, &mut |s| progress.update(s));
    progress.finish();
    let written = out.finish(ran.is_ok());
    let elapsed = start.elapsed();
    eprintln!("{}", summary.line(elapsed));
    ran?;
    written?;
    if summary.documents == 0 && summary.error_count() == 0 {
        eprintln!("textdedup: warning: no records in the input");
    }
    if let Some(path) = &args.index_out {
        match &engine {
            Engine::Index(index) => save(path, |w| index.save(w))?,
            Engine::Bloom(bloom) => save(path, |w| bloom.save(w))?,
        }
    }
    eprintln!("{}", describe(&engine));
    if let (Some(path), Some(docs)) = (&args.html, &html_docs) {
        let names: Vec<String> = docs
            .iter()
            .map(|(id, _, _)| format!("record {id}"))
            .collect();
        let page = textdedup::html_page(
            "textdedup: duplicates",
            docs.iter()
                .zip(&names)
                .map(|((_, text, report), name)| textdedup::HtmlDoc { name, text, report }),
        );
        let name = path.display().to_string();
        std::fs::write(path, page).map_err(|e| Fail::io(&name, &e))?;
    }
    if let Some(path) = &args.stats {
        let json = summary.json(elapsed, engine_json(&engine));
        write_json(path, &json)?;
    }
    Ok(())
}

fn engine(args: &DedupArgs, dedup: &Dedup) -> Result<Engine, Fail> {
    if let Some(bytes) = args.bloom_bytes {
        let shape = BloomShape {
            bytes,
            hashes: args.bloom_hashes,
        };
        let mut filter = None;
        for path in &args.index_in {
            let loaded = load_bloom(path, dedup, shape)?;
            match filter.as_mut() {
                None => filter = Some(loaded),
                Some(merged) => merged.merge(&loaded).map_err(|e| Fail::lib(path, e))?,
            }
        }
        let bloom = match filter {
            Some(bloom) => bloom,
            None => {
                let filter = BloomFilter::new(bytes, args.bloom_hashes)
                    .map_err(|e| Fail::usage(e.to_string()))?;
                BloomDedup::new(dedup.clone(), filter)
            }
        };
        let f = bloom.filter();
        let rates: Vec<String> = [1e6, 1e7, 1e8]
            .iter()
            .map(|&n| {
                format!(
                    "{:.3}% at {} keys",
                    100.0 * f.false_positive_rate(n as u64),
                    n as u64
                )
            })
            .collect();
        let cost = if dedup.method() == textdedup::Method::Containment {
            "a false positive counts an n-gram as seen, so a new segment can reach the threshold"
        } else {
            "a false positive removes a segment that was new"
        };
        eprintln!(
            "textdedup: Bloom filter of {} bytes, {} hashes, {} keys so far: false positive \
             rate {} ({cost})",
            f.bytes(),
            f.hashes(),
            bloom.inserted(),
            rates.join(", ")
        );
        return Ok(Engine::Bloom(Box::new(bloom)));
    }
    let mut index: Option<Index> = None;
    for path in &args.index_in {
        let file = File::open(path).map_err(|e| Fail::io(&path.display().to_string(), &e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        if reader
            .fill_buf()
            .is_ok_and(|head| head.starts_with(b"TXDDBLM\0"))
        {
            return Err(Fail::Input(format!(
                "{}: this is a saved Bloom filter, not an index: pass --bloom-bytes with \
                 the size it was built with",
                path.display()
            )));
        }
        let shard = Index::load(reader, dedup).map_err(|e| Fail::lib(path, e))?;
        match index.as_mut() {
            Some(merged) => merged.merge(shard).map_err(|e| Fail::lib(path, e))?,
            None => index = Some(shard),
        }
    }
    Ok(Engine::Index(Box::new(
        index.unwrap_or_else(|| dedup.index()),
    )))
}

/// The size in bytes and the number of hashes of a Bloom filter.
#[derive(Clone, Copy, Debug)]
struct BloomShape {
    bytes: usize,
    hashes: u32,
}

/// A saved Bloom filter, which must have the size and hashes asked for.
fn load_bloom(path: &Path, dedup: &Dedup, shape: BloomShape) -> Result<BloomDedup, Fail> {
    let BloomShape { bytes, hashes } = shape;
    let file = File::open(path).map_err(|e| Fail::io(&path.display().to_string(), &e))?;
    let bloom = BloomDedup::load(BufReader::with_capacity(1 << 20, file), dedup)
        .map_err(|e| Fail::lib(path, e))?;
    let f = bloom.filter();
    // The size is rounded up to whole 64-bit words, as BloomFilter::new does.
    if f.bytes() != bytes.div_ceil(8) * 8 || f.hashes() != hashes {
        return Err(Fail::Input(format!(
            "{}: the Bloom filter has {} bytes and {} hashes, but this run asks for \
             --bloom-bytes {bytes} --bloom-hashes {hashes}: pass the filter's own size and hashes",
            path.display(),
            f.bytes(),
            f.hashes()
        )));
    }
    Ok(bloom)
}

/// Saves a regular file under a temporary name, then renames, so a failed
/// save never replaces a good one.
fn save(
    path: &Path,
    write: impl Fn(BufWriter<File>) -> Result<(), textdedup::Error>,
) -> Result<(), Fail> {
    let name = path.display().to_string();
    if !output::replaceable(path) {
        let file = File::create(path).map_err(|e| Fail::io(&name, &e))?;
        return write(BufWriter::with_capacity(1 << 20, file)).map_err(|e| Fail::lib(path, e));
    }
    let tmp = output::temporary(path);
    let file = File::create(&tmp).map_err(|e| Fail::io(&name, &e))?;
    if let Err(e) = write(BufWriter::with_capacity(1 << 20, file)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Fail::lib(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| Fail::io(&name, &e))
}

fn describe(engine: &Engine) -> String {
    match engine {
        Engine::Index(index) => {
            let segments: usize = textdedup::Level::ALL
                .iter()
                .map(|&l| index.segments(l))
                .sum();
            let bytes = index.memory_bytes();
            format!(
                "textdedup: index of {} documents, {segments} segments, about {:.1} MB ({:.1} bytes per segment)",
                index.len(),
                bytes as f64 / 1e6,
                bytes as f64 / segments.max(1) as f64
            )
        }
        Engine::Bloom(bloom) => format!(
            "textdedup: Bloom filter holds {} keys; false positive rate now {:.4}%",
            bloom.inserted(),
            100.0 * bloom.false_positive_rate()
        ),
    }
}

fn engine_json(engine: &Engine) -> serde_json::Value {
    match engine {
        Engine::Index(index) => serde_json::json!({
            "kind": "index",
            "documents": index.len(),
            "memory_bytes": index.memory_bytes(),
        }),
        Engine::Bloom(bloom) => serde_json::json!({
            "kind": "bloom",
            "bytes": bloom.filter().bytes(),
            "hashes": bloom.filter().hashes(),
            "inserted": bloom.inserted(),
            "false_positive_rate": bloom.false_positive_rate(),
        }),
    }
}

fn write_json(path: &Path, json: &serde_json::Value) -> Result<(), Fail> {
    let name = path.display().to_string();
    let text = serde_json::to_string_pretty(json).unwrap_or_default() + "\n";
    std::fs::write(path, text).map_err(|e| Fail::io(&name, &e))
}
