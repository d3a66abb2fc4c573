//! Two arbitrary documents (split at the first 0xFF byte) through an index
//! with every method at every level, and through Bloom mode: no panic; every
//! duplicate's span slices its text on char boundaries and so does the span
//! it points at, in the document it names; scores are in [0, 1]; a saved and
//! loaded index reports what the original reports; cleaning only removes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textdedup::{BloomDedup, BloomFilter, Dedup, DocId, Index, Level, Method, Report, Span};

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&byte| byte == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for method in [
        Method::Exact,
        Method::MinHash,
        Method::SimHash,
        Method::Containment,
    ] {
        let dedup = Dedup::builder()
            .levels(Level::ALL)
            .method(method)
            .min_chars(0)
            .build()
            .expect("valid settings");
        let mut index = dedup.index();
        let first = index.insert("a", &a);
        check_report(&first, &a, &[("a", &a)]);
        let second = index.check("b", &b);
        check_report(&second, &b, &[("a", &a), ("b", &b)]);

        let mut saved = Vec::new();
        index.save(&mut saved).expect("saving to memory");
        let loaded = Index::load(saved.as_slice(), &dedup).expect("loading what was saved");
        assert_eq!(
            loaded.check("b", &b),
            second,
            "{method}: load changed a report"
        );

        index.insert("b", &b);
        let third = index.check("c", &a);
        check_report(&third, &a, &[("a", &a), ("b", &b), ("c", &a)]);
    }
    let dedup = Dedup::builder()
        .levels(Level::ALL)
        .min_chars(0)
        .build()
        .expect("valid settings");
    let mut bloom = BloomDedup::new(
        dedup.clone(),
        BloomFilter::new(4096, 7).expect("valid size"),
    );
    bloom.insert_sketch(&dedup.sketch(&a));
    let report = bloom.check_sketch(&dedup.sketch(&b));
    for d in &report.duplicates {
        assert!(
            b.get(d.span.range()).is_some(),
            "Bloom span off a char boundary"
        );
    }
    assert!(report.cleaned(&b).len() <= b.len());
});

/// Spans on char boundaries of the texts they name (an index names the
/// checked document itself for a repeat inside it), scores in [0, 1],
/// cleaning never adds.
fn check_report(report: &Report, text: &str, docs: &[(&str, &str)]) {
    let slices = |t: &str, span: Span| t.get(span.range()).is_some();
    for d in &report.duplicates {
        assert!(slices(text, d.span), "span {:?} off the text", d.span);
        assert!((0.0..=1.0).contains(&d.score), "score {}", d.score);
        let source = match &d.of.doc {
            None => text,
            Some(DocId::Str(id)) => {
                docs.iter()
                    .find(|(name, _)| name == id)
                    .expect("a known document")
                    .1
            }
            Some(other) => panic!("unexpected id {other:?}"),
        };
        assert!(
            slices(source, d.of.span),
            "origin span {:?} off its text",
            d.of.span
        );
    }
    assert!(report.cleaned(text).len() <= text.len());
}
