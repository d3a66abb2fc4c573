//! Near-duplicate dedup through the `Dedup` API, against naive oracles that
//! compare every segment with every earlier kept one.

use std::collections::HashSet;

use textdedup::near::{Shingler, simhash};
use textdedup::{Dedup, Level, Method, Normalizer, ParagraphMode, Preset, Report, Span};

/// A small seeded generator, so the tests need no dependency and repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn vocabulary() -> Vec<String> {
    let syllables = [
        "ka", "lo", "mi", "ner", "sto", "ul", "vi", "dra", "pen", "qua", "tor", "es",
    ];
    let mut words = Vec::new();
    for a in syllables {
        for b in syllables {
            words.push(format!("{a}{b}"));
        }
    }
    words
}

/// Paragraphs, one per line: `bases` originals, each followed later by
/// copies with 0 to 6 word substitutions, deletions or insertions.
fn edited_corpus(seed: u64, bases: usize) -> String {
    let vocab = vocabulary();
    let mut rng = Rng(seed);
    let originals: Vec<Vec<String>> = (0..bases)
        .map(|_| {
            let len = 30 + rng.below(50);
            (0..len)
                .map(|_| vocab[rng.below(vocab.len())].clone())
                .collect()
        })
        .collect();
    let mut lines: Vec<String> = originals.iter().map(|w| w.join(" ")).collect();
    for _ in 0..bases * 2 {
        let mut words = originals[rng.below(bases)].clone();
        for _ in 0..rng.below(7) {
            let at = rng.below(words.len());
            match rng.below(3) {
                0 => words[at] = vocab[rng.below(vocab.len())].clone(),
                1 if words.len() > 5 => {
                    words.remove(at);
                }
                _ => words.insert(at, vocab[rng.below(vocab.len())].clone()),
            }
        }
        if rng.below(4) == 0 {
            // Case and punctuation changes that normalization must absorb.
            words[0] = words[0].to_uppercase();
            words.push("!".to_owned());
        }
        lines.push(words.join(" "));
    }
    lines.join("\n")
}

fn shingle_set(text: &str, n: usize) -> HashSet<u64> {
    let normalized = Normalizer::new(Preset::Default).normalize(text);
    let mut shingles = Vec::new();
    Shingler::new(n)
        .unwrap()
        .shingles_into(&normalized, &mut shingles);
    shingles.into_iter().collect()
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

fn paragraph_dedup(method: Method, threshold: Option<f64>) -> Dedup {
    let mut builder = Dedup::builder();
    builder
        .levels([Level::Paragraph])
        .paragraph_mode(ParagraphMode::Lines)
        .method(method);
    if let Some(t) = threshold {
        builder.threshold(t);
    }
    builder.build().unwrap()
}

/// The paragraphs with, for each, what the report says it duplicates.
fn outcome(text: &str, report: &Report) -> Vec<(Span, Option<Span>)> {
    textdedup::segment::paragraphs(text, ParagraphMode::Lines)
        .map(|(span, _)| {
            let of = report
                .duplicates
                .iter()
                .find(|d| d.span == span)
                .map(|d| d.of.span);
            (span, of)
        })
        .collect()
}

#[test]
fn minhash_matches_an_all_pairs_scan() {
    let text = edited_corpus(7, 400);
    let threshold = 0.8;
    let dedup = paragraph_dedup(Method::MinHash, Some(threshold));
    let report = dedup.check(&text);
    let outcome = outcome(&text, &report);
    let sets: Vec<HashSet<u64>> = outcome
        .iter()
        .map(|(span, _)| shingle_set(&text[span.range()], 5))
        .collect();
    let (mut should, mut found) = (0, 0);
    for (i, (span, of)) in outcome.iter().enumerate() {
        if let Some(of) = of {
            // No reported pair far below the threshold.
            let j = outcome.iter().position(|(s, _)| s == of).unwrap();
            let true_jaccard = jaccard(&sets[i], &sets[j]);
            assert!(
                true_jaccard >= threshold - 0.1,
                "{span} reported as a duplicate of {of} with true Jaccard {true_jaccard:.3}"
            );
            assert!(
                outcome[j].1.is_none(),
                "{span} points at {of}, which was not kept"
            );
        }
        // Recall against the kept segments before it.
        let clear_match = outcome[..i].iter().enumerate().any(|(j, (_, kept))| {
            kept.is_none() && jaccard(&sets[i], &sets[j]) >= threshold + 0.05
        });
        if clear_match {
            should += 1;
            found += usize::from(of.is_some());
        }
    }
    let recall = found as f64 / should as f64;
    eprintln!("minhash: {found} of {should} clear matches found");
    assert!(
        should > 100,
        "the corpus should have many clear matches, has {should}"
    );
    assert!(recall >= 0.98, "recall {recall:.3} ({found} of {should})");
}

#[test]
fn simhash_matches_brute_force_hamming() {
    let text = edited_corpus(11, 300);
    let dedup = paragraph_dedup(Method::SimHash, None);
    let max_distance = ((1.0 - dedup.threshold().unwrap()) * 64.0 + 1e-9).floor() as u32;
    assert_eq!(max_distance, 3);
    let report = dedup.check(&text);
    let hashes: Vec<(Span, HashSet<u64>, u64)> =
        textdedup::segment::paragraphs(&text, ParagraphMode::Lines)
            .map(|(span, p)| {
                let set = shingle_set(p, 5);
                let mut sorted: Vec<u64> = set.iter().copied().collect();
                sorted.sort_unstable();
                (span, set, simhash(&sorted))
            })
            .collect();
    // The oracle: in order, flag a paragraph when an earlier kept one has
    // the same shingles or a simhash within the distance; point at the
    // earliest such.
    let mut kept: Vec<usize> = Vec::new();
    let mut want: Vec<(Span, Span)> = Vec::new();
    for (i, (span, set, hash)) in hashes.iter().enumerate() {
        let exact = kept.iter().find(|&&k| &hashes[k].1 == set);
        let near = kept
            .iter()
            .find(|&&k| (hashes[k].2 ^ hash).count_ones() <= max_distance);
        match exact.or(near) {
            Some(&k) => want.push((*span, hashes[k].0)),
            None => kept.push(i),
        }
    }
    let got: Vec<(Span, Span)> = report
        .duplicates
        .iter()
        .map(|d| (d.span, d.of.span))
        .collect();
    assert!(want.len() > 50);
    assert_eq!(got, want);
}

#[test]
fn containment_matches_a_naive_union() {
    let text = edited_corpus(13, 200);
    let threshold = 0.8;
    let report = paragraph_dedup(Method::Containment, Some(threshold)).check(&text);
    let mut seen: HashSet<u64> = HashSet::new();
    let mut seen_exact: HashSet<String> = HashSet::new();
    let mut want = Vec::new();
    let normalizer = Normalizer::new(Preset::Default);
    for (span, p) in textdedup::segment::paragraphs(&text, ParagraphMode::Lines) {
        let set = shingle_set(p, 5);
        let contained = set.iter().filter(|s| seen.contains(s)).count() as f64 / set.len() as f64;
        if seen_exact.contains(&normalizer.normalize(p)) || contained >= threshold {
            want.push(span);
        } else {
            seen.extend(set);
            seen_exact.insert(normalizer.normalize(p));
        }
    }
    let got: Vec<Span> = report.duplicates.iter().map(|d| d.span).collect();
    assert!(want.len() > 50);
    assert_eq!(got, want);
    for dup in &report.duplicates {
        assert!(dup.score >= threshold && dup.score <= 1.0);
    }
}

#[test]
fn no_removal_through_a_chain_of_weak_matches() {
    // B is A with one word changed, C is B with another: A≈B and B≈C, but C
    // is not close to A, so C must survive.
    let vocab = vocabulary();
    let a: Vec<&str> = vocab[..40].iter().map(String::as_str).collect();
    let mut b = a.clone();
    b[10] = "zzz";
    let mut c = b.clone();
    c[25] = "yyy";
    let (a, b, c) = (a.join(" "), b.join(" "), c.join(" "));
    let text = format!("{a}\n{b}\n{c}");
    let sets: Vec<HashSet<u64>> = [&a, &b, &c].iter().map(|t| shingle_set(t, 5)).collect();
    assert!(jaccard(&sets[0], &sets[1]) >= 0.7);
    assert!(jaccard(&sets[1], &sets[2]) >= 0.7);
    assert!(jaccard(&sets[0], &sets[2]) < 0.6);
    let report = paragraph_dedup(Method::MinHash, Some(0.65)).check(&text);
    assert_eq!(report.duplicates.len(), 1, "{:?}", report.duplicates);
    assert_eq!(&text[report.duplicates[0].span.range()], b);
    assert_eq!(report.duplicates[0].of.span.start, 0);
    assert!(report.cleaned(&text).ends_with(&c));
}

#[test]
fn segments_shorter_than_n_words_still_match() {
    // Four words, 5-grams: one shingle of all of them, so a copy that
    // differs only in case and punctuation matches, and a different one
    // does not.
    let text = "Quarterly results beat expectations\nQUARTERLY RESULTS, BEAT EXPECTATIONS!\nQuarterly results missed expectations";
    for method in [Method::MinHash, Method::SimHash, Method::Containment] {
        let report = paragraph_dedup(method, None).check(text);
        let spans: Vec<&str> = report
            .duplicates
            .iter()
            .map(|d| &text[d.span.range()])
            .collect();
        assert_eq!(spans, ["QUARTERLY RESULTS, BEAT EXPECTATIONS!"], "{method}");
    }
}

#[test]
fn exact_matches_are_reported_as_exact_even_with_a_near_method() {
    let text = "A paragraph that repeats word for word here.\nA paragraph that repeats word for word here.";
    let report = paragraph_dedup(Method::MinHash, None).check(text);
    assert_eq!(report.duplicates[0].method, Method::Exact);
    assert_eq!(report.duplicates[0].score, 1.0);
}

#[test]
fn the_order_of_documents_decides_and_threads_do_not() {
    let text = edited_corpus(17, 50);
    let docs: Vec<&str> = text.lines().collect();
    let dedup = Dedup::builder()
        .levels([Level::Document])
        .method(Method::MinHash)
        .build()
        .unwrap();
    let serial: Vec<Report> = {
        let mut index = dedup.index();
        docs.iter()
            .enumerate()
            .map(|(i, d)| index.insert(i as u64, d))
            .collect()
    };
    let sketches: Vec<textdedup::Sketch> = std::thread::scope(|s| {
        let half = docs.len() / 2;
        let (left, right) = docs.split_at(half);
        let l = s.spawn(|| left.iter().map(|d| dedup.sketch(d)).collect::<Vec<_>>());
        let r = s.spawn(|| right.iter().map(|d| dedup.sketch(d)).collect::<Vec<_>>());
        let mut all = l.join().unwrap();
        all.extend(r.join().unwrap());
        all
    });
    let mut index = dedup.index();
    let parallel: Vec<Report> = sketches
        .iter()
        .enumerate()
        .map(|(i, s)| index.insert_sketch(textdedup::DocId::Num(i as u64), s))
        .collect();
    assert_eq!(serial, parallel);
    assert!(serial.iter().filter(|r| !r.is_empty()).count() > 20);
}
