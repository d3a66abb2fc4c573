//! `--dry-run`: read a sample, estimate the index's memory, stop.

use textdedup::{BloomDedup, BloomFilter, Dedup, Level, Method};

use crate::args::DedupArgs;
use crate::fail::Fail;
use crate::input::{self, Batches, Counter};
use crate::record::Fields;

/// How much of the input the estimate reads.
const SAMPLE_BYTES: u64 = 32 << 20;

/// The filter that counts n-grams for the estimate: enough for the sample's
/// at a negligible false positive rate.
const BLOOM_SAMPLE_BYTES: usize = 16 << 20;

/// One exact entry: a 22-byte record (fingerprint, start, length), and a
/// 4-byte slot and 1 control byte in a hash table 7/16 to 7/8 full.
const RECORD_BYTES: f64 = 22.0;
const SLOT_BYTES: f64 = 5.0;
/// Per document: its id (8 bytes, plus a string id's bytes, which the
/// estimate leaves out), and its first entry in each level's table (4 bytes
/// a level).
const DOC_ID_BYTES: f64 = 8.0;
const DOC_LEVEL_BYTES: f64 = 4.0;

/// Runs the estimate on `workers` threads.
pub fn run(args: &DedupArgs, dedup: &Dedup, workers: usize) -> Result<(), Fail> {
    let counter = Counter::default();
    let mut batches = Batches::new(args.inputs.clone(), args.batch_size, counter.clone());
    let fields = Fields {
        text: &args.text_field,
        id: &args.id_field,
        max_bytes: args.max_record_bytes,
    };
    let mut index = dedup.index();
    // With containment a Bloom filter also holds n-grams, many more than
    // segments: count them by filling one (large enough to count right).
    let mut bloom = (dedup.method() == Method::Containment)
        .then(|| BloomFilter::new(BLOOM_SAMPLE_BYTES, 7).ok())
        .flatten()
        .map(|filter| BloomDedup::new(dedup.clone(), filter));
    let (mut docs, mut bytes, mut segments) = (0u64, 0u64, 0u64);
    while bytes < SAMPLE_BYTES {
        let batch = batches.next_batch()?;
        if batch.is_empty() {
            break;
        }
        bytes += batch.lines.iter().map(|l| l.in_bytes as u64).sum::<u64>();
        // Each thread sketches a run of lines; the runs are joined in order.
        let per_thread = batch.lines.len().div_ceil(workers.max(1)).max(1);
        let sketches: Vec<_> = std::thread::scope(|scope| {
            let runs: Vec<_> = batch
                .lines
                .chunks(per_thread)
                .map(|lines| {
                    scope.spawn(|| {
                        lines
                            .iter()
                            .filter_map(|l| {
                                fields
                                    .parse(&batch.text, l.range.clone(), l.invalid_utf8)
                                    .ok()
                            })
                            .map(|doc| dedup.sketch(doc.text(&batch.text)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            runs.into_iter()
                .flat_map(|run| run.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for sketch in &sketches {
            docs += 1;
            let before = kept(&index);
            index.insert_sketch(textdedup::DocId::Num(docs), sketch);
            segments += kept(&index) - before;
            if let Some(bloom) = &mut bloom {
                bloom.insert_sketch(sketch);
            }
        }
    }
    let on_disk = counter.get().max(1);
    let total = input::total_size(&args.inputs);
    let scale = total.map_or(1.0, |t| t as f64 / on_disk as f64).max(1.0);
    let est_segments = segments as f64 * scale;
    let est_docs = docs as f64 * scale;
    let doc_bytes = DOC_ID_BYTES + DOC_LEVEL_BYTES * dedup.levels().len() as f64;
    let low = est_segments * (RECORD_BYTES + SLOT_BYTES / 0.875) + est_docs * doc_bytes;
    let high = est_segments * (RECORD_BYTES + SLOT_BYTES / 0.4375) + est_docs * doc_bytes;
    let keys = bloom.as_ref().map_or(segments, BloomDedup::inserted);
    let bloom_1pct = keys as f64 * scale * 9.59 / 8.0;
    let what = if bloom.is_some() {
        "segments and n-grams"
    } else {
        "segments"
    };
    let whole = if total.is_some() && scale > 1.0 {
        format!("the whole input (x{scale:.1} the sample)")
    } else if total.is_some() {
        "the whole input (read entirely)".to_owned()
    } else {
        "the sample only (input size unknown)".to_owned()
    };
    eprintln!(
        "textdedup: dry run: sampled {docs} documents, {:.1} MB, {segments} distinct segments.\n\
         Estimated for {whole}: {:.0} documents, {:.0} distinct segments;\n\
         exact index {:.0}-{:.0} MB (28-34 bytes per segment, by how full the table is, plus {doc_bytes:.0} bytes per document and string ids);\n\
         --bloom-bytes {:.0} for a 1% false positive rate (7 hashes, {:.0} {what}).",
        bytes as f64 / 1e6,
        est_docs,
        est_segments,
        low / 1e6,
        high / 1e6,
        bloom_1pct.ceil(),
        keys as f64 * scale,
    );
    Ok(())
}

fn kept(index: &textdedup::Index) -> u64 {
    Level::ALL.iter().map(|&l| index.segments(l) as u64).sum()
}
