//! The near-duplicate building blocks against naive oracles.

use std::collections::{BTreeSet, HashSet};

use proptest::prelude::*;
use textdedup::near::{
    ContainmentIndex, LshIndex, LshParams, MinHasher, Shingler, Signature, SimHashIndex, simhash,
};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A seeded generator so the tests are reproducible (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `words` with `edits` random word substitutions, deletions and
    /// insertions of words from `vocab`.
    fn edit(&mut self, words: &[String], edits: usize, vocab: &[String]) -> Vec<String> {
        let mut out = words.to_vec();
        for _ in 0..edits {
            let word = vocab[self.below(vocab.len())].clone();
            match self.below(3) {
                0 if !out.is_empty() => {
                    let at = self.below(out.len());
                    out[at] = word;
                }
                1 if out.len() > 1 => {
                    out.remove(self.below(out.len()));
                }
                _ => out.insert(self.below(out.len() + 1), word),
            }
        }
        out
    }

    /// Two random sets sharing `common` elements, with `only_a` and
    /// `only_b` more of their own.
    fn overlapping_sets(
        &mut self,
        common: usize,
        only_a: usize,
        only_b: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let shared: Vec<u64> = (0..common).map(|_| self.next()).collect();
        let mut a = shared.clone();
        let mut b = shared;
        a.extend((0..only_a).map(|_| self.next()));
        b.extend((0..only_b).map(|_| self.next()));
        (a, b)
    }
}

/// A vocabulary of made-up words built from syllables.
fn vocabulary(size: usize, rng: &mut Rng) -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mi", "ter", "an", "sor", "bel", "un", "di", "ra", "po", "vin", "est", "gu",
        "ne", "ho", "ti", "mar", "sel", "o", "re", "ba", "qui", "zen",
    ];
    let mut words = BTreeSet::new();
    while words.len() < size {
        let syllables = 1 + rng.below(3);
        let word: String = (0..syllables).map(|_| SYLLABLES[rng.below(24)]).collect();
        words.insert(word);
    }
    words.into_iter().collect()
}

fn paragraph(words: usize, vocab: &[String], rng: &mut Rng) -> Vec<String> {
    (0..words)
        .map(|_| vocab[rng.below(vocab.len())].clone())
        .collect()
}

fn shingles(shingler: &Shingler, text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    shingler.shingles_into(text, &mut out);
    out
}

/// Jaccard similarity of two strictly ascending sets, by merging.
fn sorted_jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => (i, j, common) = (i + 1, j + 1, common + 1),
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        1.0
    } else {
        common as f64 / union as f64
    }
}

/// The absolute error of `hasher`'s estimate of the similarity of `a` and
/// `b` against the `exact` one, asserted to be within what theory allows:
/// 4.5 standard deviations of the estimator, plus 0.02.
fn minhash_error(hasher: &MinHasher, (a, b): (&[u64], &[u64]), exact: f64) -> f64 {
    let estimate = hasher.signature(a).jaccard(&hasher.signature(b));
    let sigma = (exact * (1.0 - exact) / hasher.num_perm() as f64).sqrt();
    let error = (estimate - exact).abs();
    assert!(
        error <= 4.5 * sigma + 0.02,
        "num_perm {}, sizes {} and {}: exact {exact}, estimate {estimate}",
        hasher.num_perm(),
        a.len(),
        b.len()
    );
    error
}

/// Jaccard similarity of two sets, computed the obvious way.
fn exact_jaccard(a: &[u64], b: &[u64]) -> f64 {
    let a: HashSet<u64> = a.iter().copied().collect();
    let b: HashSet<u64> = b.iter().copied().collect();
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

// ---------------------------------------------------------------- shingles

/// Naive shingling from the documented rules: units, windows, joined by ' '.
fn naive_shingles(text: &str, n: usize) -> Vec<u64> {
    let unspaced = |c: char| {
        matches!(c as u32, 0x0E00..=0x0EFF | 0x0F00..=0x0FFF | 0x1000..=0x109F
            | 0x1780..=0x17FF | 0x19E0..=0x19FF | 0x2E80..=0x2FDF | 0x3005..=0x3007
            | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
            | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F | 0xF900..=0xFAFF | 0xFF66..=0xFF9D
            | 0x20000..=0x3134F)
    };
    let mut units: Vec<String> = Vec::new();
    for token in text.split(' ').filter(|t| !t.is_empty()) {
        let mut other = String::new();
        for c in token.chars() {
            if unspaced(c) {
                if !other.is_empty() {
                    units.push(std::mem::take(&mut other));
                }
                units.push(c.to_string());
            } else {
                other.push(c);
            }
        }
        if !other.is_empty() {
            units.push(other);
        }
    }
    if units.is_empty() {
        return Vec::new();
    }
    let width = n.min(units.len());
    let set: BTreeSet<u64> = units
        .windows(width)
        .map(|w| xxh3_64_with_seed(w.join(" ").as_bytes(), 0x7465_7874_6465_6475))
        .collect();
    set.into_iter().collect()
}

#[test]
fn shingle_hashes_are_pinned() {
    // XXH3-64, seed 0x7465_7874_6465_6475, over the joined units.
    let cases: [(&str, u64); 3] = [
        ("the quick brown", PIN_QUICK_BROWN),
        ("東 京", PIN_TOKYO),
        ("", PIN_EMPTY),
    ];
    for (joined, expected) in cases {
        let got = Shingler::hash_shingle(joined);
        assert_eq!(
            got, expected,
            "given {joined:?}: expected {expected:#x}, got {got:#x}"
        );
        assert_eq!(
            got,
            xxh3_64_with_seed(joined.as_bytes(), 0x7465_7874_6465_6475)
        );
    }
    let shingler = Shingler::new(3).unwrap();
    assert_eq!(shingles(&shingler, "the quick brown"), [PIN_QUICK_BROWN]);
    assert_eq!(
        shingles(&shingler, "東京"),
        [Shingler::hash_shingle("東 京")]
    );
}

const PIN_QUICK_BROWN: u64 = 0x5aff_e8ea_cbb0_7241;
const PIN_TOKYO: u64 = 0x5ca7_4a9b_d79e_a026;
const PIN_EMPTY: u64 = 0xa916_8f5f_101a_5b78;

#[test]
fn shingler_follows_the_documented_rules() {
    let cases: [(&str, usize, &[&str]); 10] = [
        ("", 3, &[]),
        ("   ", 3, &[]),
        ("word", 3, &["word"]),
        ("two words", 3, &["two words"]),
        ("a b c d", 3, &["a b c", "b c d"]),
        ("a  b   c", 2, &["a b", "b c"]),
        ("a b a b a", 2, &["a b", "b a"]),
        ("東京都", 2, &["東 京", "京 都"]),
        ("iphone手机 好", 2, &["iphone 手", "手 机", "机 好"]),
        ("ภาษา", 5, &["ภ า ษ า"]),
    ];
    for (text, n, expected) in cases {
        let mut want: Vec<u64> = expected.iter().map(|s| Shingler::hash_shingle(s)).collect();
        want.sort_unstable();
        want.dedup();
        let got = shingles(&Shingler::new(n).unwrap(), text);
        assert_eq!(
            got, want,
            "given {text:?} with n = {n}: expected {expected:?}"
        );
    }
}

#[test]
fn shingler_matches_the_naive_one_on_generated_text() {
    let mut rng = Rng(1);
    let mut vocab = vocabulary(300, &mut rng);
    vocab.extend(["東京", "のは", "ไทย", "x東y", "é", "naïve"].map(String::from));
    for round in 0..500 {
        let words = paragraph(rng.below(30), &vocab, &mut rng);
        let separator = if round % 7 == 0 { "  " } else { " " };
        let text = words.join(separator);
        let n = 1 + rng.below(6);
        let got = shingles(&Shingler::new(n).unwrap(), &text);
        assert_eq!(got, naive_shingles(&text, n), "given {text:?} with n = {n}");
    }
}

// ----------------------------------------------------------------- minhash

#[test]
fn signatures_are_pinned() {
    let hasher = MinHasher::default();
    let sig = hasher.signature(&[1, 2, 3, 4, 5]);
    assert_eq!(
        &sig.as_slice()[..4],
        PIN_SIGNATURE,
        "got {:#x?}",
        &sig.as_slice()[..4]
    );
    let seeded = MinHasher::builder().seed(42).build().unwrap();
    let checksum = slot_checksum(&seeded.signature(&(0..1000).collect::<Vec<u64>>()));
    assert_eq!(checksum, PIN_CHECKSUM, "got {checksum:#x}");
    // Hash-like shingles spread over the slots in round 0, as real ones do.
    let hashed: Vec<u64> = (0..1000u64)
        .map(|i| xxh3_64_with_seed(&i.to_le_bytes(), 0))
        .collect();
    let checksum = slot_checksum(&hasher.signature(&hashed));
    assert_eq!(checksum, PIN_HASHED_CHECKSUM, "got {checksum:#x}");
}

fn slot_checksum(signature: &Signature) -> u64 {
    signature
        .as_slice()
        .iter()
        .fold(0u64, |acc, &slot| acc.rotate_left(5) ^ u64::from(slot))
}

const PIN_SIGNATURE: &[u32] = &[0x0000_0001, 0x0146_dacb, 0x001d_dd79, 0x0052_e03e];
const PIN_CHECKSUM: u64 = 0x8bf8_6913_242b_4a54;
const PIN_HASHED_CHECKSUM: u64 = 0x4983_f650_66c1_29d5;

#[test]
fn minhash_error_is_within_theory() {
    for num_perm in [32, 128, 256] {
        let hasher = MinHasher::new(num_perm).unwrap();
        let mut rng = Rng(num_perm as u64);
        let (mut total_error, mut trials) = (0.0, 0);
        for size in [1, 3, 10, 30, 100, 300, 1000, 3000] {
            for _ in 0..40 {
                let common = rng.below(size + 1);
                let only_b = rng.below(size + 1);
                let (a, b) = rng.overlapping_sets(common, size - common, only_b);
                total_error += minhash_error(&hasher, (&a, &b), exact_jaccard(&a, &b));
                trials += 1;
            }
        }
        let mean = total_error / trials as f64;
        let bound = 0.8 * 0.5 / (num_perm as f64).sqrt() + 0.005;
        println!("num_perm {num_perm}: mean absolute error {mean:.4} (bound {bound:.4})");
        assert!(
            mean <= bound,
            "num_perm {num_perm}: mean absolute error {mean}"
        );
    }
}

#[test]
fn minhash_error_on_generated_paragraphs() {
    let mut rng = Rng(7);
    let vocab = vocabulary(2000, &mut rng);
    let shingler = Shingler::new(5).unwrap();
    let hasher = MinHasher::default();
    let mut total_error = 0.0;
    let trials = 400;
    for _ in 0..trials {
        let base = paragraph(20 + rng.below(200), &vocab, &mut rng);
        let edits = rng.below(base.len() / 4 + 1);
        let copy = rng.edit(&base, edits, &vocab);
        let (a, b) = (
            shingles(&shingler, &base.join(" ")),
            shingles(&shingler, &copy.join(" ")),
        );
        total_error += minhash_error(&hasher, (&a, &b), exact_jaccard(&a, &b));
    }
    let mean = total_error / trials as f64;
    println!("paragraphs: mean absolute error {mean:.4}");
    assert!(mean <= 0.03, "mean absolute error {mean}");
}

#[test]
fn empty_set_signature() {
    let hasher = MinHasher::default();
    let empty = hasher.signature(&[]);
    assert!(empty.as_slice().iter().all(|&slot| slot == u32::MAX));
    assert_eq!(empty.jaccard(&empty), 1.0);
    assert_eq!(empty.jaccard(&hasher.signature(&[5])), 0.0);
    assert_eq!(hasher.signature(&[5]).jaccard(&empty), 0.0);
}

// --------------------------------------------------------------------- lsh

/// The objective of `LshParams::for_threshold`, integrated independently
/// (trapezoids, 2 000 steps).
fn brute_objective(params: LshParams, t: f64) -> f64 {
    let integrate = |f: &dyn Fn(f64) -> f64, a: f64, b: f64| {
        let steps = 2_000;
        let h = (b - a) / steps as f64;
        (0..steps)
            .map(|i| (f(a + i as f64 * h) + f(a + (i + 1) as f64 * h)) * h / 2.0)
            .sum::<f64>()
    };
    let p = |s: f64| 1.0 - (1.0 - s.powi(params.rows() as i32)).powi(params.bands() as i32);
    let fp = integrate(&p, 0.0, t) / t;
    let fn_ = if t < 1.0 {
        integrate(&|s| 1.0 - p(s), t, 1.0) / (1.0 - t)
    } else {
        0.0
    };
    0.5 * fp + 0.5 * fn_
}

#[test]
fn lsh_params_minimize_the_objective() {
    for (t, num_perm) in [
        (0.8, 128),
        (0.5, 128),
        (0.9, 64),
        (0.7, 256),
        (1.0, 16),
        (0.3, 7),
    ] {
        let chosen = LshParams::for_threshold(t, num_perm).unwrap();
        assert!(chosen.bands() * chosen.rows() <= num_perm);
        let mut best = f64::INFINITY;
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                best = best.min(brute_objective(LshParams::new(bands, rows).unwrap(), t));
            }
        }
        let got = brute_objective(chosen, t);
        println!(
            "threshold {t}, {num_perm} slots: {} bands x {} rows, P(t) = {:.3}, objective {got:.5} (best {best:.5})",
            chosen.bands(),
            chosen.rows(),
            chosen.collision_probability(t)
        );
        assert!(
            got <= best + 1e-6,
            "threshold {t}: {chosen:?} scores {got}, best is {best}"
        );
    }
    let p = LshParams::for_threshold(0.8, 128).unwrap();
    assert_eq!((p.bands(), p.rows()), (12, 10));
    let at = p.collision_probability(0.8);
    assert!((0.5..0.85).contains(&at), "P(0.8) = {at}");
}

#[test]
fn lsh_params_reject_bad_settings() {
    for t in [0.0, -0.1, 1.01, f64::NAN, f64::INFINITY] {
        assert!(LshParams::for_threshold(t, 128).is_err(), "{t}");
    }
    assert!(LshParams::for_threshold(0.8, 0).is_err());
    assert!(LshParams::new(0, 1).is_err() && LshParams::new(1, 0).is_err());
    let mut index = LshIndex::new(LshParams::new(4, 4).unwrap());
    assert!(
        index
            .insert(0, &MinHasher::new(15).unwrap().signature(&[1]))
            .is_err()
    );
    assert!(
        index
            .candidates(&MinHasher::new(15).unwrap().signature(&[1]))
            .is_empty()
    );
}

#[test]
fn lsh_finds_what_all_pairs_finds() {
    let threshold = 0.8;
    let mut rng = Rng(2024);
    let vocab = vocabulary(3000, &mut rng);
    let shingler = Shingler::new(5).unwrap();
    let hasher = MinHasher::default();

    // 600 originals, 1400 edited copies of random earlier paragraphs.
    let mut texts: Vec<Vec<String>> = Vec::new();
    for i in 0..2000 {
        if i < 600 {
            texts.push(paragraph(30 + rng.below(120), &vocab, &mut rng));
        } else {
            let source = texts[rng.below(texts.len())].clone();
            let edits = rng.below(source.len() / 8 + 1);
            texts.push(rng.edit(&source, edits, &vocab));
        }
    }
    let sets: Vec<Vec<u64>> = texts
        .iter()
        .map(|t| shingles(&shingler, &t.join(" ")))
        .collect();
    let sigs: Vec<Signature> = sets.iter().map(|s| hasher.signature(s)).collect();

    let params = LshParams::for_threshold(threshold, 128).unwrap();
    let mut index = LshIndex::new(params);
    let mut streaming = LshIndex::new(params);
    let (mut wanted, mut found_candidates, mut found_verified) = (0, 0, 0);
    let (mut expected_recall, mut reported) = (0.0, 0);
    for (i, sig) in sigs.iter().enumerate() {
        let candidates: HashSet<usize> = index.candidates(sig).into_iter().copied().collect();
        let verified = index.query(sig, threshold);
        let reported_here: Vec<(usize, f64)> = verified.iter().map(|&(&j, f)| (j, f)).collect();
        let ids: Vec<usize> = verified.iter().map(|&(&id, _)| id).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "insertion order, no repeats"
        );
        for &(&j, score) in &verified {
            assert!(score >= threshold && candidates.contains(&j));
            assert_eq!(score, sig.jaccard(&sigs[j]));
            let exact = exact_jaccard(&sets[i], &sets[j]);
            assert!(
                exact >= threshold - 0.1,
                "pair {j} {i}: exact {exact}, estimate {score}"
            );
            reported += 1;
        }
        // The all-pairs oracle. J <= min/max of the sizes, which skips
        // most pairs without changing the answer.
        for j in 0..i {
            let (small, large) = (
                sets[i].len().min(sets[j].len()),
                sets[i].len().max(sets[j].len()),
            );
            if (small as f64) < (threshold + 0.05) * large as f64 {
                continue;
            }
            let exact = sorted_jaccard(&sets[i], &sets[j]);
            if exact >= threshold + 0.05 {
                wanted += 1;
                expected_recall += params.collision_probability(exact);
                found_candidates += usize::from(candidates.contains(&j));
                found_verified += usize::from(ids.contains(&j));
            }
        }
        index.insert(i, sig).unwrap();
        let streamed = streaming.insert_and_query(i, sig, threshold).unwrap();
        let streamed: Vec<(usize, f64)> = streamed.into_iter().map(|(&j, f)| (j, f)).collect();
        assert_eq!(
            streamed, reported_here,
            "insert_and_query is query, then insert"
        );
    }
    let candidate_recall = found_candidates as f64 / wanted as f64;
    let verified_recall = found_verified as f64 / wanted as f64;
    let theory = expected_recall / wanted as f64;
    println!(
        "{wanted} pairs with J >= {}: candidate recall {candidate_recall:.4} (theory {theory:.4}), \
         verified recall {verified_recall:.4}; {reported} pairs reported",
        threshold + 0.05
    );
    assert!(
        wanted > 300,
        "the test data must contain near-duplicates: {wanted}"
    );
    assert!(
        candidate_recall >= theory - 0.02,
        "{candidate_recall} vs {theory}"
    );
    assert!(verified_recall >= 0.98, "{verified_recall}");
}

// ----------------------------------------------------------------- simhash

fn naive_simhash(shingles: &[u64]) -> u64 {
    let mut out = 0;
    for bit in 0..64 {
        let ones = shingles.iter().filter(|&&h| h >> bit & 1 == 1).count();
        if ones * 2 > shingles.len() {
            out |= 1 << bit;
        }
    }
    out
}

#[test]
fn simhash_matches_the_naive_one() {
    let mut rng = Rng(3);
    for size in [0, 1, 2, 3, 10, 101, 255, 256, 1000] {
        for _ in 0..50 {
            let shingles: Vec<u64> = (0..size).map(|_| rng.next()).collect();
            assert_eq!(
                simhash(&shingles),
                naive_simhash(&shingles),
                "given {shingles:?}"
            );
        }
    }
    // Pinned: the majority rule on fixed input.
    assert_eq!(simhash(&[u64::MAX, 0, 0xFF]), 0xFF);
    assert_eq!(simhash(&[u64::MAX; 600]), u64::MAX);
}

/// Flips `bits` distinct random bits.
fn flip(hash: u64, bits: u32, rng: &mut Rng) -> u64 {
    let mut mask = 0u64;
    while mask.count_ones() < bits {
        mask |= 1 << rng.below(64);
    }
    hash ^ mask
}

#[test]
fn simhash_index_matches_brute_force() {
    for max_distance in [0, 1, 3, 5, 8] {
        let mut rng = Rng(100 + u64::from(max_distance));
        let mut index = SimHashIndex::new(max_distance).unwrap();
        let mut hashes: Vec<u64> = Vec::new();
        for i in 0..3000 {
            let hash = match (i, rng.below(4)) {
                (0, _) | (_, 0) => rng.next(),
                // Near an earlier hash, often at exactly max_distance and one past it.
                (_, choice) => {
                    let base = hashes[rng.below(hashes.len())];
                    let bits = match choice {
                        1 => max_distance,
                        2 => max_distance + 1,
                        _ => rng.below(max_distance as usize + 2) as u32,
                    };
                    flip(base, bits.min(64), &mut rng)
                }
            };
            hashes.push(hash);
            index.insert(i, hash);
        }
        let mut exactly_k = 0;
        for (q, &query) in hashes.iter().enumerate().step_by(3) {
            let query = if q % 2 == 0 {
                query
            } else {
                flip(query, max_distance, &mut rng)
            };
            let expected: Vec<(usize, u32)> = hashes
                .iter()
                .enumerate()
                .map(|(i, &h)| (i, (h ^ query).count_ones()))
                .filter(|&(_, d)| d <= max_distance)
                .collect();
            let got: Vec<(usize, u32)> = index
                .query(query)
                .into_iter()
                .map(|(&i, d)| (i, d))
                .collect();
            exactly_k += expected.iter().filter(|&&(_, d)| d == max_distance).count();
            assert_eq!(
                got, expected,
                "max_distance {max_distance}, query {query:#x}"
            );
        }
        assert!(
            exactly_k > 100,
            "the boundary must be exercised: {exactly_k}"
        );
    }
}

#[test]
fn simhash_index_boundary_is_inclusive() {
    let mut index = SimHashIndex::new(3).unwrap();
    index.insert("three", 0b111);
    index.insert("four", 0b1111);
    assert_eq!(index.query(0), [(&"three", 3)]);
    assert!(SimHashIndex::<u8>::new(9).is_err());
}

// ------------------------------------------------------------- containment

#[test]
fn containment_matches_hash_sets() {
    let mut rng = Rng(5);
    let mut index = ContainmentIndex::new();
    let mut naive: Vec<HashSet<u64>> = Vec::new();
    for id in 0..300 {
        // Small values so that sets overlap a lot; repeats on purpose.
        let shingles: Vec<u64> = (0..rng.below(40)).map(|_| rng.next() % 500).collect();
        let distinct: HashSet<u64> = shingles.iter().copied().collect();
        let seen: HashSet<u64> = naive.iter().flatten().copied().collect();
        let expected = if distinct.is_empty() {
            0.0
        } else {
            distinct.intersection(&seen).count() as f64 / distinct.len() as f64
        };
        assert_eq!(index.containment(&shingles), expected, "set {id}");

        // Best source: the earliest id with the most shingles it had first.
        let mut best: Option<(usize, usize)> = None;
        for (source, set) in naive.iter().enumerate() {
            let firsts = distinct
                .iter()
                .filter(|s| set.contains(s) && !naive[..source].iter().any(|e| e.contains(s)))
                .count();
            if firsts > 0 && best.is_none_or(|(_, count)| firsts > count) {
                best = Some((source, firsts));
            }
        }
        let expected = best.map(|(source, count)| (source, count as f64 / distinct.len() as f64));
        let got = index.best_source(&shingles).map(|(&source, f)| (source, f));
        assert_eq!(got, expected, "set {id}");

        index.insert(id, &shingles);
        naive.push(distinct);
    }
}

#[test]
fn containment_catches_a_copied_paragraph() {
    let mut rng = Rng(6);
    let vocab = vocabulary(1000, &mut rng);
    let shingler = Shingler::new(5).unwrap();
    let quoted = paragraph(60, &vocab, &mut rng);
    let mut longer = paragraph(100, &vocab, &mut rng);
    longer.splice(40..40, quoted.iter().cloned());
    let mut index = ContainmentIndex::new();
    index.insert("long", &shingles(&shingler, &longer.join(" ")));
    let part = shingles(&shingler, &quoted.join(" "));
    assert_eq!(index.containment(&part), 1.0);
    assert_eq!(index.best_source(&part), Some((&"long", 1.0)));
    assert!(exact_jaccard(&part, &shingles(&shingler, &longer.join(" "))) < 0.4);
}

// -------------------------------------------------------------- properties

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Shingler>();
    check::<MinHasher>();
    check::<Signature>();
    check::<LshParams>();
    check::<LshIndex<String>>();
    check::<SimHashIndex<String>>();
    check::<ContainmentIndex<String>>();
}

proptest! {
    #[test]
    fn shingler_never_panics(text in any::<String>(), n in 1usize..8) {
        let shingler = Shingler::new(n).unwrap();
        let got = shingles(&shingler, &text);
        prop_assert!(got.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(got.is_empty(), text.split(' ').all(str::is_empty));
        prop_assert_eq!(got, naive_shingles(&text, n));
    }

    #[test]
    fn signature_invariants(
        a in proptest::collection::vec(any::<u64>(), 0..200),
        b in proptest::collection::vec(any::<u64>(), 0..200),
        num_perm in 1usize..300,
    ) {
        let hasher = MinHasher::new(num_perm).unwrap();
        let (sa, sb) = (hasher.signature(&a), hasher.signature(&b));
        prop_assert_eq!(sa.len(), num_perm);
        let j = sa.jaccard(&sb);
        prop_assert!((0.0..=1.0).contains(&j));
        prop_assert_eq!(j, sb.jaccard(&sa));
        prop_assert_eq!(sa.jaccard(&hasher.signature(&a)), 1.0);
    }

    #[test]
    fn indexes_never_panic(
        slots in proptest::collection::vec(proptest::collection::vec(any::<u64>(), 0..12), 0..20),
        bands in 1usize..5,
        rows in 1usize..4,
        threshold in -1.0f64..2.0,
    ) {
        let mut lsh = LshIndex::new(LshParams::new(bands, rows).unwrap());
        let mut sim = SimHashIndex::new((bands + rows) as u32).unwrap();
        let mut containment = ContainmentIndex::new();
        for (i, slots) in slots.iter().enumerate() {
            let sig = Signature::from_slots(slots.iter().map(|&slot| slot as u32).collect());
            let found = lsh.query(&sig, threshold);
            prop_assert!(found.iter().all(|&(_, score)| (0.0..=1.0).contains(&score)));
            prop_assert_eq!(lsh.insert(i, &sig).is_ok(), slots.len() >= bands * rows);
            let hash = slots.first().copied().unwrap_or(0);
            prop_assert!(sim.query(hash).iter().all(|&(_, d)| d <= (bands + rows) as u32));
            sim.insert(i, hash);
            let c = containment.containment(slots);
            prop_assert!((0.0..=1.0).contains(&c));
            containment.insert(i, slots);
        }
    }

    #[test]
    fn words_text_signature_is_deterministic(text in "[a-z ]{0,200}") {
        let shingler = Shingler::new(3).unwrap();
        let hasher = MinHasher::default();
        let a = hasher.signature(&shingles(&shingler, &text));
        let b = hasher.signature(&shingles(&shingler, &text));
        prop_assert_eq!(a.jaccard(&b), 1.0);
    }
}

// ------------------------------------------------------------- real text

/// The first `count` documents of the news/web corpus, when it is present.
fn corpus_documents(count: usize) -> Option<Vec<String>> {
    use std::io::{BufRead, BufReader};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/corpora/news_web_en.jsonl.gz");
    let file = std::fs::File::open(&path).ok()?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let texts = reader
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(&line).ok()?;
            Some(value.get("text")?.as_str()?.to_owned())
        })
        .take(count)
        .collect();
    Some(texts)
}

#[test]
fn minhash_error_on_corpus_text() {
    let Some(documents) = corpus_documents(300) else {
        println!("news_web_en.jsonl.gz not found: skipping the corpus test");
        return;
    };
    let normalizer = textdedup::Normalizer::default();
    let shingler = Shingler::new(5).unwrap();
    let hasher = MinHasher::default();
    let mut rng = Rng(11);
    let (mut total_error, mut trials) = (0.0, 0);
    for document in &documents {
        let words: Vec<String> = normalizer
            .normalize(document)
            .split(' ')
            .map(String::from)
            .collect();
        let vocab = words.clone();
        let edits = rng.below(words.len() / 10 + 1);
        let copy = rng.edit(&words, edits, &vocab);
        let (a, b) = (
            shingles(&shingler, &words.join(" ")),
            shingles(&shingler, &copy.join(" ")),
        );
        total_error += minhash_error(&hasher, (&a, &b), sorted_jaccard(&a, &b));
        trials += 1;
    }
    let mean = total_error / trials as f64;
    println!("{trials} corpus documents: mean absolute error {mean:.4}");
    assert!(mean <= 0.03, "mean absolute error {mean}");
}

/// The entries whose signature equals `query`'s in at least one band.
fn sharing_a_band(entries: &[Signature], query: &Signature, params: LshParams) -> Vec<usize> {
    let used = params.bands() * params.rows();
    (0..entries.len())
        .filter(|&e| {
            entries[e].as_slice()[..used]
                .chunks(params.rows())
                .zip(query.as_slice()[..used].chunks(params.rows()))
                .any(|(a, b)| a == b)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// LSH candidates, from a small index (band slots compared in place)
    /// and past it (band keys in hash tables), are exactly the entries that
    /// share a band; and a signature of the shingles in text order, with
    /// repeats, equals the signature of the sorted set.
    #[test]
    fn lsh_candidates_share_a_band_and_order_does_not_change_signatures(
        texts in prop::collection::vec(
            "(a|b|c|d|e|f|g|h) (a|b|c|d|e|f|g|h) (a|b|c|d) (a|b|c|d|e|f) (a|b)",
            1..70,
        ),
        rows in 1usize..20,
    ) {
        let hasher = MinHasher::new(128).unwrap();
        let shingler = Shingler::new(2).unwrap();
        let params = LshParams::new(128 / rows, rows).unwrap();
        let mut index: LshIndex<usize> = LshIndex::new(params);
        let mut signatures = Vec::new();
        let (mut sorted, mut in_order) = (Vec::new(), Vec::new());
        for (i, text) in texts.iter().enumerate() {
            shingler.shingles_into(text, &mut sorted);
            let signature = hasher.signature(&sorted);
            let candidates: Vec<usize> = index.candidates(&signature).into_iter().copied().collect();
            prop_assert_eq!(candidates, sharing_a_band(&signatures, &signature, params), "entry {}", i);
            shingler.shingles_in_order_into(text, &mut in_order);
            let unsorted = hasher.signature(&in_order);
            prop_assert_eq!(unsorted.as_slice(), signature.as_slice());
            index.insert(i, &signature).unwrap();
            signatures.push(signature);
        }
    }
}
