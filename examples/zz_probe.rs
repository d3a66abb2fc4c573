#[path = "../benches/common/mod.rs"]
mod common;
use std::time::Instant;
use textdedup::*;
fn main() {
    let texts = common::corpus_texts(32 << 20).unwrap();
    let bytes = common::total_bytes(&texts) as f64 / 1e6;
    for mode in [ParagraphMode::Auto, ParagraphMode::Lines] {
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..3 {
            for x in &texts {
                n += segment::paragraphs(x, mode).count();
            }
        }
        println!(
            "{mode:?} segment {:.0} MB/s ({n})",
            3.0 * bytes / t.elapsed().as_secs_f64()
        );
        let norm = Normalizer::new(Preset::Default);
        let mut buf = String::new();
        let t = Instant::now();
        for _ in 0..3 {
            for x in &texts {
                for (_, p) in segment::paragraphs(x, mode) {
                    norm.normalize_into(p, &mut buf);
                    n += buf.len();
                }
            }
        }
        println!(
            "{mode:?} segment+normalize {:.0} MB/s",
            3.0 * bytes / t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        for _ in 0..3 {
            for x in &texts {
                for (_, p) in segment::paragraphs(x, mode) {
                    norm.normalize_into(p, &mut buf);
                    n += Fingerprint::of(&buf).0 as usize & 1;
                }
            }
        }
        println!(
            "{mode:?} segment+normalize+fp {:.0} MB/s",
            3.0 * bytes / t.elapsed().as_secs_f64()
        );
        let d = Dedup::builder().paragraph_mode(mode).build().unwrap();
        let t = Instant::now();
        for _ in 0..3 {
            for x in &texts {
                n += d.sketch(x).segments().count();
            }
        }
        println!(
            "{mode:?} sketch {:.0} MB/s",
            3.0 * bytes / t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        for _ in 0..3 {
            let mut idx = d.index();
            for (i, x) in texts.iter().enumerate() {
                n += idx.insert(i as u64, x).duplicates.len();
            }
        }
        println!(
            "{mode:?} insert {:.0} MB/s {n}",
            3.0 * bytes / t.elapsed().as_secs_f64()
        );
    }
}
