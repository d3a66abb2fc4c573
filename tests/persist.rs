//! Saved indexes: round trips, every refusal, and merging shards.

use textdedup::{Dedup, DocId, Error, Index, Level, ParagraphMode, Preset, Report};

/// Documents with paragraphs shared across them; ids of both kinds.
fn docs(n: usize, offset: usize) -> Vec<(DocId, String)> {
    (offset..offset + n)
        .map(|d| {
            let text: Vec<String> = (0..4)
                .map(|p| format!("Shared paragraph {} of the corpus.", (d * 7 + p * 13) % 40))
                .collect();
            let id = if d % 2 == 0 {
                DocId::Num(d as u64)
            } else {
                DocId::Str(format!("doc-{d}"))
            };
            (id, text.join("\n"))
        })
        .collect()
}

fn build(dedup: &Dedup, docs: &[(DocId, String)]) -> (Index, Vec<Report>) {
    let mut index = dedup.index();
    let reports = docs
        .iter()
        .map(|(id, text)| index.insert(id.clone(), text))
        .collect();
    (index, reports)
}

fn saved(index: &Index) -> Vec<u8> {
    let mut bytes = Vec::new();
    index.save(&mut bytes).unwrap();
    bytes
}

fn levels() -> Dedup {
    Dedup::builder()
        .levels([Level::Paragraph, Level::Document])
        .build()
        .unwrap()
}

#[test]
fn a_loaded_index_answers_as_the_saved_one() {
    let dedup = levels();
    let (index, _) = build(&dedup, &docs(50, 0));
    let bytes = saved(&index);
    let loaded = Index::load(&bytes[..], &dedup).unwrap();
    assert_eq!(loaded.len(), index.len());
    for level in Level::ALL {
        assert_eq!(loaded.segments(level), index.segments(level));
    }
    for (id, text) in docs(30, 40) {
        assert_eq!(loaded.check(id.clone(), &text), index.check(id, &text));
    }
    // Saving is deterministic, and survives a round trip.
    assert_eq!(saved(&loaded), bytes);
    assert_eq!(saved(&build(&dedup, &docs(50, 0)).0), bytes);
}

#[test]
fn the_header_is_as_documented() {
    let bytes = saved(&Dedup::new().index());
    assert_eq!(&bytes[..8], b"TXDDIDX\0");
    assert_eq!(&bytes[8..12], &4u32.to_le_bytes());
    let payload_len = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), 20 + payload_len + 8);
    let payload = &bytes[20..20 + payload_len];
    let checksum = u64::from_le_bytes(bytes[20 + payload_len..].try_into().unwrap());
    assert_eq!(checksum, xxhash_rust::xxh3::xxh3_64(payload));
    assert_eq!(payload[0], 8);
    assert_eq!(&payload[1..9], b"xxh3-128");
}

fn refusal(bytes: &[u8], dedup: &Dedup) -> String {
    match Index::load(bytes, dedup) {
        Ok(_) => panic!("loaded a file that should be refused"),
        Err(Error::Format { message }) => message,
        Err(other) => panic!("expected a Format error, got {other}"),
    }
}

/// Rewrites the payload with `edit` and fixes the checksum, as a file from
/// another build would be.
fn with_payload(bytes: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
    let mut payload = bytes[20..20 + len].to_vec();
    edit(&mut payload);
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes());
    out
}

#[test]
fn another_version_is_refused_with_what_to_do() {
    let dedup = Dedup::new();
    let mut bytes = saved(&build(&dedup, &docs(5, 0)).0);
    // Version 3 held 64-bit MinHash slots of another scheme.
    for version in [2u32, 3] {
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
        let message = refusal(&bytes, &dedup);
        assert!(message.contains(&format!("version {version}")), "{message}");
        assert!(
            message.contains("re-build the index with textdedup v"),
            "{message}"
        );
    }
}

#[test]
fn another_hash_is_refused() {
    let dedup = Dedup::new();
    let bytes = saved(&build(&dedup, &docs(5, 0)).0);
    let other = with_payload(&bytes, |p| p[1..9].copy_from_slice(b"xxh3-64\0"));
    let message = refusal(&other, &dedup);
    assert!(message.contains("hash \"xxh3-64\\0\""), "{message}");
    assert!(message.contains("re-build"), "{message}");
}

#[test]
fn other_settings_are_refused_naming_the_option() {
    let base = Dedup::new();
    let bytes = saved(&build(&base, &docs(5, 0)).0);
    let cases: [(Dedup, &str); 6] = [
        (
            Dedup::builder().preset(Preset::C4).build().unwrap(),
            "--preset",
        ),
        (
            Dedup::builder()
                .paragraph_mode(ParagraphMode::Blocks)
                .build()
                .unwrap(),
            "--paragraphs",
        ),
        (
            Dedup::builder().levels([Level::Sentence]).build().unwrap(),
            "--level",
        ),
        (
            Dedup::builder().min_chars(3).build().unwrap(),
            "--min-chars",
        ),
        (
            Dedup::builder().span_sentences(5).build().unwrap(),
            "span size",
        ),
        (
            Dedup::builder().ngram(3).build().unwrap(),
            "--ngram document 5, paragraph 5, span 5, sentence 3 but this run uses document 3",
        ),
    ];
    for (dedup, option) in cases {
        let message = refusal(&bytes, &dedup);
        assert!(message.contains(option), "{option}: {message}");
        assert!(message.contains("pass the same"), "{message}");
    }
    let normalizer = textdedup::Normalizer::builder(Preset::Default)
        .fold_digits(true)
        .build()
        .unwrap();
    let digits = Dedup::builder().normalizer(normalizer).build().unwrap();
    assert!(refusal(&bytes, &digits).contains("normalizer options"));
}

#[test]
fn truncation_anywhere_is_refused() {
    let dedup = Dedup::new();
    let bytes = saved(&build(&dedup, &docs(20, 0)).0);
    let n = bytes.len();
    for len in [
        0,
        1,
        7,
        8,
        11,
        12,
        19,
        20,
        21,
        30,
        n / 2,
        n - 28,
        n - 9,
        n - 8,
        n - 1,
    ] {
        let message = refusal(&bytes[..len], &dedup);
        assert!(
            message.contains("truncated") || message.contains("corrupted"),
            "cut at {len}: {message}"
        );
    }
}

#[test]
fn any_flipped_byte_is_refused() {
    let dedup = Dedup::new();
    let bytes = saved(&build(&dedup, &docs(6, 0)).0);
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        assert!(
            Index::load(&bad[..], &dedup).is_err(),
            "byte {i} of {} flipped, and the file loaded",
            bytes.len()
        );
    }
}

#[test]
fn shards_merged_then_checked_equal_one_pass() {
    let dedup = levels();
    let (a, b, c) = (docs(30, 0), docs(30, 30), docs(30, 60));
    let (mut one_pass, _) = build(&dedup, &a);
    for (id, text) in &b {
        one_pass.insert(id.clone(), text);
    }
    let (mut merged, _) = build(&dedup, &a);
    let (shard_b, _) = build(&dedup, &b);
    // Through the file format too, as shards built elsewhere would be.
    let shard_b = Index::load(&saved(&shard_b)[..], &dedup).unwrap();
    merged.merge(shard_b).unwrap();
    assert_eq!(merged.len(), one_pass.len());
    for level in Level::ALL {
        assert_eq!(merged.segments(level), one_pass.segments(level));
    }
    let mut found = 0;
    for (id, text) in &c {
        let want = one_pass.check(id.clone(), text);
        assert_eq!(merged.check(id.clone(), text), want);
        found += want.duplicates.len();
    }
    assert!(found > 0);
    // Continuing to insert after the merge also agrees.
    for (id, text) in &c {
        assert_eq!(
            merged.insert(id.clone(), text),
            one_pass.insert(id.clone(), text)
        );
    }
}

#[test]
fn merging_other_settings_is_refused() {
    let mut a = Dedup::new().index();
    let b = Dedup::builder().preset(Preset::C4).build().unwrap().index();
    let err = a.merge(b).unwrap_err();
    assert!(err.to_string().contains("cannot merge"), "{err}");
}

/// Bytes per indexed paragraph on the news corpus, when present. Run with
/// `--nocapture` to see the figure reported in the README.
#[test]
fn memory_per_paragraph_on_the_corpus() {
    use std::io::{BufRead, BufReader};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/corpora/news_web_en.jsonl.gz");
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let dedup = Dedup::new();
    let mut index = dedup.index();
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    for (i, line) in reader.lines().enumerate().take(20_000) {
        let record: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        index.insert(i as u64, record["text"].as_str().unwrap_or_default());
    }
    let paragraphs = index.segments(Level::Paragraph);
    let per = index.memory_bytes() as f64 / paragraphs as f64;
    let mut bytes = Vec::new();
    index.save(&mut bytes).unwrap();
    eprintln!(
        "{paragraphs} paragraphs from {} documents: {per:.1} bytes each in memory, {:.1} on disk",
        index.len(),
        bytes.len() as f64 / paragraphs as f64
    );
    assert!(per < 100.0, "{per} bytes per paragraph");
}

#[test]
fn huge_lengths_in_a_corrupted_file_do_not_allocate() {
    let dedup = Dedup::new();
    let bytes = saved(&build(&dedup, &docs(3, 0)).0);
    let mut bad = bytes.clone();
    bad[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    // The document count comes after the two names and 16 bytes of settings.
    let docs_at = 20 + 1 + bad[20] as usize;
    let docs_at = docs_at + 1 + bad[docs_at] as usize + 16;
    bad[docs_at..docs_at + 8].copy_from_slice(&(1u64 << 60).to_le_bytes());
    let message = refusal(&bad, &dedup);
    assert!(
        message.contains("truncated") || message.contains("corrupted"),
        "{message}"
    );
    let mut bad = bytes;
    bad[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    bad[docs_at + 8] = 1; // the first id becomes a string...
    bad[docs_at + 9..docs_at + 17].copy_from_slice(&(1u64 << 50).to_le_bytes()); // ...this long
    assert!(Index::load(&bad[..], &dedup).is_err());
}

/// Near-duplicate indexes keep their signatures, simhashes or n-grams
/// through save and load, and through a merge.
#[test]
fn near_duplicate_indexes_survive_save_load_and_merge() {
    use textdedup::Method;
    let base = "the committee approved the new budget for the city library after a long debate about opening hours \
                staff pay and the cost of heating the old building during the winter months which members said had \
                risen sharply since last year on monday";
    let texts = [
        base.to_owned(),
        "a different story entirely about football and the results of the weekend league games in the north".to_owned(),
        base.replace("monday", "tuesday"),
        base.replace("on monday", "said the chair"),
    ];
    for method in [Method::MinHash, Method::SimHash, Method::Containment] {
        let dedup = Dedup::builder()
            .levels([textdedup::Level::Document])
            .method(method)
            .threshold(if method == Method::SimHash {
                0.875
            } else {
                0.7
            })
            .build()
            .unwrap();
        // One pass over all four documents is the reference.
        let mut one = dedup.index();
        let want: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| one.insert(i as u64, t))
            .collect();
        assert!(!want[2].is_empty(), "{method}: the edited copy is found");
        // Saved after two documents, loaded, then the rest.
        let mut first = dedup.index();
        first.insert(0u64, &texts[0]);
        first.insert(1u64, &texts[1]);
        let mut bytes = Vec::new();
        first.save(&mut bytes).unwrap();
        let mut loaded = Index::load(&bytes[..], &dedup).unwrap();
        assert_eq!(
            loaded.insert(2u64, &texts[2]),
            want[2],
            "{method}: after load"
        );
        assert_eq!(
            loaded.insert(3u64, &texts[3]),
            want[3],
            "{method}: after load"
        );
        // Shards: A = {0, 1}, B = {} then merged, then the rest.
        let mut a = dedup.index();
        a.insert(0u64, &texts[0]);
        let mut b = dedup.index();
        b.insert(1u64, &texts[1]);
        a.merge(b).unwrap();
        assert_eq!(a.check(2u64, &texts[2]), want[2], "{method}: after merge");
        // Another method's file is refused by name.
        let other = Dedup::builder()
            .levels([textdedup::Level::Document])
            .build()
            .unwrap();
        let err = Index::load(&bytes[..], &other).unwrap_err().to_string();
        assert!(err.contains("--method"), "{err}");
    }
}
