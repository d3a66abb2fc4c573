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

/// Documents that share paragraphs and near-copies of paragraphs.
fn near_corpus() -> Vec<String> {
    let mut rng = SplitMix(5);
    let words = [
        "market", "shares", "rose", "fell", "bank", "rates", "city", "council", "voted", "budget",
        "river", "storm", "season", "players", "court", "ruling",
    ];
    let pool: Vec<String> = (0..120)
        .map(|_| {
            (0..14)
                .map(|_| words[(rng.next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    (0..300)
        .map(|_| {
            (0..1 + rng.next() % 5)
                .map(|_| {
                    let mut p = pool[(rng.next() % pool.len() as u64) as usize].clone();
                    if rng.next().is_multiple_of(3) {
                        p.push_str(" today");
                    }
                    p
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

fn containment_dedup() -> Dedup {
    Dedup::builder()
        .method(textdedup::Method::Containment)
        .threshold(0.7)
        .ngram(3)
        .build()
        .unwrap()
}

#[test]
fn containment_in_a_large_filter_agrees_with_the_index() {
    let dedup = containment_dedup();
    let mut index = dedup.index();
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(1 << 20, 7).unwrap());
    let mut near = 0;
    for (i, text) in near_corpus().iter().enumerate() {
        let sketch = dedup.sketch(text);
        let exact = index.insert_sketch(textdedup::DocId::Num(i as u64), &sketch);
        let approx = bloom.insert_sketch(&sketch);
        assert_eq!(approx.cleaned(text), exact.cleaned(text));
        assert_eq!(approx.stats, exact.stats);
        assert_eq!(approx.duplicates.len(), exact.duplicates.len());
        for (a, e) in approx.duplicates.iter().zip(&exact.duplicates) {
            assert_eq!((a.level, a.span, a.method), (e.level, e.span, e.method));
            assert!((a.score - e.score).abs() < 1e-12);
            near += usize::from(a.method == textdedup::Method::Containment);
        }
    }
    assert!(near > 20, "only {near} containment duplicates");
}

#[test]
fn containment_in_a_tiny_filter_over_flags() {
    // NOTE: unlike exact matching, containment can also miss: a segment
    // wrongly flagged is not kept, so its n-grams are not added, and a later
    // copy of it may then fall below the threshold (see DESIGN.md).
    let dedup = containment_dedup();
    let mut index = dedup.index();
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(64, 2).unwrap());
    let (mut exact_n, mut bloom_n, mut missed) = (0, 0, 0);
    for (i, text) in near_corpus().iter().enumerate() {
        let sketch = dedup.sketch(text);
        let exact = index.insert_sketch(textdedup::DocId::Num(i as u64), &sketch);
        let approx = bloom.insert_sketch(&sketch);
        let flagged: Vec<_> = approx.duplicates.iter().map(|d| d.span).collect();
        missed += exact
            .duplicates
            .iter()
            .filter(|d| !flagged.contains(&d.span))
            .count();
        exact_n += exact.duplicates.len();
        bloom_n += approx.duplicates.len();
    }
    assert!(bloom_n > exact_n, "a 512-bit filter should over-flag");
    assert!(missed * 20 < exact_n, "{missed} of {exact_n} missed");
}

#[test]
fn minhash_and_simhash_sketches_add_only_fingerprints() {
    // A Bloom filter holds fingerprints and n-grams: with MinHash settings it
    // still finds exact duplicates.
    let dedup = Dedup::builder()
        .method(textdedup::Method::MinHash)
        .build()
        .unwrap();
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(4096, 7).unwrap());
    let text = "the council voted on the budget for the river park";
    bloom.insert_sketch(&dedup.sketch(text));
    let report = bloom.check_sketch(&dedup.sketch(text));
    assert_eq!(report.duplicates[0].method, textdedup::Method::Exact);
    assert_eq!(bloom.inserted(), 1);
}

/// A filled filter, saved.
fn saved(dedup: &Dedup) -> (BloomDedup, Vec<u8>) {
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(4096, 5).unwrap());
    for text in near_corpus().iter().take(50) {
        bloom.insert_sketch(&dedup.sketch(text));
    }
    let mut bytes = Vec::new();
    bloom.save(&mut bytes).unwrap();
    (bloom, bytes)
}

#[test]
fn a_saved_filter_loads_and_finds_the_same() {
    let dedup = containment_dedup();
    let (bloom, bytes) = saved(&dedup);
    let loaded = BloomDedup::load(&bytes[..], &dedup).unwrap();
    assert_eq!(loaded.inserted(), bloom.inserted());
    assert_eq!(
        (loaded.filter().bytes(), loaded.filter().hashes()),
        (4096, 5)
    );
    for text in near_corpus().iter().skip(40).take(40) {
        let sketch = dedup.sketch(text);
        assert_eq!(loaded.check_sketch(&sketch), bloom.check_sketch(&sketch));
    }
    // The same filter always saves to the same bytes.
    let mut again = Vec::new();
    loaded.save(&mut again).unwrap();
    assert_eq!(again, bytes);
    assert_eq!(&bytes[..8], b"TXDDBLM\0");
    assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
}

#[test]
fn the_saved_bits_are_pinned() {
    // Keys, positions and the file layout must not change without a version
    // bump: these words were written by version 1.
    let dedup = containment_dedup();
    let mut bloom = BloomDedup::new(dedup.clone(), BloomFilter::new(32, 3).unwrap());
    bloom.insert_sketch(&dedup.sketch("one two three four"));
    let mut bytes = Vec::new();
    bloom.save(&mut bytes).unwrap();
    let words: Vec<String> = bytes[bytes.len() - 40..bytes.len() - 8]
        .chunks(8)
        .map(|w| format!("{:016x}", u64::from_le_bytes(w.try_into().unwrap())))
        .collect();
    assert_eq!(words, PINNED_WORDS);
}

const PINNED_WORDS: [&str; 4] = [
    "0000000008000000",
    "0000000600808000",
    "0000000010000000",
    "0000000001080000",
];

#[test]
fn every_damaged_byte_and_every_cut_is_refused() {
    let dedup = containment_dedup();
    let (_, bytes) = saved(&dedup);
    for i in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x01;
        let err = BloomDedup::load(&damaged[..], &dedup).expect_err("a flipped byte");
        let message = err.to_string();
        assert!(
            ["corrupted", "magic", "version", "truncated"]
                .iter()
                .any(|w| message.contains(w)),
            "byte {i}: {message}"
        );
    }
    for cut in (0..bytes.len())
        .step_by(97)
        .chain([bytes.len() - 1, 19, 20, 21])
    {
        let err = BloomDedup::load(&bytes[..cut], &dedup).expect_err("a cut file");
        let message = err.to_string();
        assert!(
            message.contains("truncated") || message.contains("corrupted"),
            "cut at {cut}: {message}"
        );
    }
}

#[test]
fn other_settings_and_other_files_are_refused_by_name() {
    let dedup = containment_dedup();
    let (_, bytes) = saved(&dedup);
    let others = [
        (Dedup::new(), "--method"),
        (
            Dedup::builder()
                .method(textdedup::Method::Containment)
                .threshold(0.7)
                .ngram(4)
                .build()
                .unwrap(),
            "--ngram",
        ),
        (
            Dedup::builder()
                .method(textdedup::Method::Containment)
                .threshold(0.7)
                .ngram(3)
                .levels([Level::Sentence])
                .build()
                .unwrap(),
            "--level",
        ),
        (
            Dedup::builder()
                .method(textdedup::Method::Containment)
                .threshold(0.7)
                .ngram(3)
                .min_chars(3)
                .build()
                .unwrap(),
            "--min-chars",
        ),
    ];
    for (other, says) in others {
        let err = BloomDedup::load(&bytes[..], &other)
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{says}: {err}");
        assert!(err.contains("re-build"), "{err}");
    }
    let mut index_file = Vec::new();
    dedup.index().save(&mut index_file).unwrap();
    let err = BloomDedup::load(&index_file[..], &dedup)
        .unwrap_err()
        .to_string();
    assert!(err.contains("index file, not a Bloom filter"), "{err}");
}

#[test]
fn merged_filters_see_what_either_saw() {
    let dedup = Dedup::new();
    let docs = corpus();
    let make = || BloomDedup::new(dedup.clone(), BloomFilter::new(1 << 16, 7).unwrap());
    let (mut a, mut b, mut one) = (make(), make(), make());
    for (i, text) in docs.iter().take(200).enumerate() {
        let sketch = dedup.sketch(text);
        if i < 100 {
            a.insert_sketch(&sketch)
        } else {
            b.insert_sketch(&sketch)
        };
        one.insert_sketch(&sketch);
    }
    a.merge(&b).unwrap();
    for text in docs.iter().skip(200) {
        let sketch = dedup.sketch(text);
        // The union holds every key one pass holds (and maybe a few that
        // a single pass would have flagged instead).
        let merged: Vec<_> = a
            .check_sketch(&sketch)
            .duplicates
            .iter()
            .map(|d| d.span)
            .collect();
        let single = one.check_sketch(&sketch);
        assert!(single.duplicates.iter().all(|d| merged.contains(&d.span)));
    }
    let other = BloomDedup::new(dedup.clone(), BloomFilter::new(1 << 15, 7).unwrap());
    assert!(
        a.merge(&other)
            .unwrap_err()
            .to_string()
            .contains("--bloom-bytes")
    );
}
