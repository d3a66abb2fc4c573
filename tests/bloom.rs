//! The Bloom filter: stable bit positions, the measured false positive rate
//! against the formula, and Bloom dedup against the exact index.

use textdedup::{BloomDedup, BloomFilter, Dedup, Fingerprint, Level};

/// SplitMix64: a fixed, seedable source of random fingerprints.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fingerprint(&mut self) -> Fingerprint {
        Fingerprint(u128::from(self.next()) << 64 | u128::from(self.next()))
    }
}

/// The positions by the documented formula, written out naively.
fn naive_positions(fp: Fingerprint, bits: u64, k: u64) -> Vec<u64> {
    let h1 = (fp.0 & u128::from(u64::MAX)) as u64;
    let h2 = ((fp.0 >> 64) as u64) | 1;
    (0..k)
        .map(|i| {
            let x = (u128::from(h1) + u128::from(i) * u128::from(h2)) % (1u128 << 64);
            ((x * u128::from(bits)) >> 64) as u64
        })
        .collect()
}

#[test]
fn bit_positions_are_pinned() {
    // Persisted or shared filters depend on these never changing.
    let filter = BloomFilter::new(1 << 20, 7).unwrap();
    // Computed independently, in Python, from the formula in DESIGN.md.
    let fp = Fingerprint(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
    let got: Vec<u64> = filter.positions(fp).collect();
    assert_eq!(
        got,
        [8351325, 8388607, 37282, 74565, 111848, 149130, 186413]
    );
    let fp = Fingerprint::of("the same words");
    let got: Vec<u64> = filter.positions(fp).collect();
    assert_eq!(got, naive_positions(fp, 8 << 20, 7));
    assert_eq!(
        got,
        [5694081, 4630133, 3566185, 2502238, 1438290, 374343, 7699003]
    );
    let small = BloomFilter::new(1000, 3).unwrap();
    let got: Vec<u64> = small.positions(Fingerprint(u128::MAX)).collect();
    assert_eq!(got, [7999, 7999, 7999]);
    let got: Vec<u64> = small.positions(Fingerprint(1 << 64)).collect();
    assert_eq!(got, [0, 0, 0]);
}

#[test]
fn positions_match_the_formula_on_random_fingerprints() {
    let mut rng = SplitMix(7);
    for bytes in [8, 1000, 4096, 123_457] {
        let filter = BloomFilter::new(bytes, 9).unwrap();
        let bits = filter.bytes() as u64 * 8;
        for _ in 0..1000 {
            let fp = rng.fingerprint();
            let got: Vec<u64> = filter.positions(fp).collect();
            assert_eq!(got, naive_positions(fp, bits, 9));
            assert!(got.iter().all(|&p| p < bits));
        }
    }
}

#[test]
fn measured_false_positive_rate_matches_the_formula() {
    for (bytes, k, n) in [
        (1 << 17, 7, 100_000),
        (1 << 16, 4, 100_000),
        (1 << 18, 10, 150_000),
    ] {
        let mut filter = BloomFilter::new(bytes, k).unwrap();
        let mut rng = SplitMix(u64::from(k));
        let inserted: Vec<Fingerprint> = (0..n).map(|_| rng.fingerprint()).collect();
        for &fp in &inserted {
            filter.insert(fp);
        }
        assert!(
            inserted.iter().all(|&fp| filter.contains(fp)),
            "a false negative"
        );
        let probes = 400_000;
        let hits = (0..probes)
            .filter(|_| filter.contains(rng.fingerprint()))
            .count();
        let measured = hits as f64 / probes as f64;
        let expected = filter.false_positive_rate(n);
        // Four standard deviations of a binomial count, plus 3% for the
        // formula's own approximation.
        let sigma = (expected * (1.0 - expected) / probes as f64).sqrt();
        assert!(
            (measured - expected).abs() < 4.0 * sigma + 0.03 * expected,
            "{bytes} bytes, k={k}, n={n}: measured {measured}, formula {expected}"
        );
    }
}

#[test]
fn bad_sizes_are_refused() {
    assert!(BloomFilter::new(0, 7).is_err());
    assert!(BloomFilter::new(64, 0).is_err());
    assert!(BloomFilter::new(64, 33).is_err());
    assert_eq!(BloomFilter::optimal_hashes(0, 10), 1);
    assert_eq!(BloomFilter::optimal_hashes(1 << 30, 1), 32);
}

/// Documents sharing paragraphs, as exact dedup sees them.
fn corpus() -> Vec<String> {
    let mut rng = SplitMix(99);
    (0..500)
        .map(|_| {
            let n = 1 + rng.next() % 6;
            (0..n)
                .map(|_| format!("Paragraph {} of the shared pool.", rng.next() % 300))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

#[test]
fn a_large_filter_agrees_with_the_exact_index() {
    let dedup = Dedup::builder()
        .levels([Level::Paragraph, Level::Document])
        .build()
        .unwrap();
    let mut index = dedup.index();
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1 << 20, 7).unwrap());
    for (i, text) in corpus().iter().enumerate() {
        let sketch = dedup.sketch(text);
        let exact = index.insert_sketch(textdedup::DocId::Num(i as u64), &sketch);
        let approx = bloom.insert_sketch(&sketch);
        assert_eq!(approx.cleaned(text), exact.cleaned(text));
        assert_eq!(approx.stats, exact.stats);
        assert_eq!(approx.duplicates.len(), exact.duplicates.len());
        for (a, e) in approx.duplicates.iter().zip(&exact.duplicates) {
            assert_eq!((a.level, a.span), (e.level, e.span));
            // Inside the document the original is known; across, it is not.
            let own = e.of.doc == Some(textdedup::DocId::Num(i as u64));
            assert_eq!(a.of, own.then_some(e.of.span));
        }
    }
    assert!(bloom.inserted() > 300);
    assert!(bloom.false_positive_rate() < 1e-9);
}

#[test]
fn a_tiny_filter_over_flags_but_never_under_flags() {
    let dedup = Dedup::new();
    let mut index = dedup.index();
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(16, 2).unwrap());
    let (mut exact_n, mut bloom_n) = (0, 0);
    for (i, text) in corpus().iter().enumerate() {
        let sketch = dedup.sketch(text);
        let exact = index.insert_sketch(textdedup::DocId::Num(i as u64), &sketch);
        let approx = bloom.insert_sketch(&sketch);
        let flagged: Vec<_> = approx.duplicates.iter().map(|d| d.span).collect();
        assert!(exact.duplicates.iter().all(|d| flagged.contains(&d.span)));
        exact_n += exact.duplicates.len();
        bloom_n += approx.duplicates.len();
    }
    assert!(bloom_n > exact_n, "a 128-bit filter should over-flag");
}

#[test]
fn check_sketch_adds_nothing() {
    let dedup = Dedup::new();
    let bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(4096, 7).unwrap());
    let sketch = dedup.sketch("A paragraph checked twice.");
    assert!(bloom.check_sketch(&sketch).duplicates.is_empty());
    assert!(bloom.check_sketch(&sketch).duplicates.is_empty());
    assert_eq!(bloom.inserted(), 0);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<BloomFilter>();
    assert_send_sync::<BloomDedup>();
    assert_send_sync::<textdedup::BloomReport>();
    assert_send_sync::<textdedup::BloomDuplicate>();
}
