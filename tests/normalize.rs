//! Tests for `textdedup::normalize`: hand-checked tables per preset, golden
//! files from the reference implementations, and property tests.

use proptest::prelude::*;
use textdedup::{Error, Normalizer, Preset};

/// Checks each `input => expected` pair, printing every failure before failing.
macro_rules! table {
    ($name:ident, $normalizer:expr, [$($input:expr => $expected:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            let norm: Normalizer = $normalizer;
            let cases: &[(&str, &str)] = &[$(($input, $expected)),*];
            let failures: Vec<String> = cases
                .iter()
                .filter_map(|&(given, expected)| {
                    let got = norm.normalize(given);
                    (got != expected).then(|| {
                        format!("given: {given:?}\n  expected: {expected:?}\n  got:      {got:?}")
                    })
                })
                .collect();
            assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
        }
    };
}

fn with_options(fold_digits: bool, strip_accents: bool) -> Normalizer {
    Normalizer::builder(Preset::Default)
        .fold_digits(fold_digits)
        .strip_accents(strip_accents)
        .build()
        .expect("options are valid for Default")
}

table!(default_preset, Normalizer::new(Preset::Default), [
    "" => "",
    " \t\n " => "",
    "Hello,   World!" => "hello world",
    "ﬁnance ﬂow" => "finance flow",
    "ＡＢＣ ｄｅｆ" => "abc def",
    "“curly” ‘quotes’" => "curly quotes",
    "\"straight\" 'quotes'" => "straight quotes",
    "non\u{a0}breaking\u{202f}space" => "non breaking space",
    "Straße STRASSE ẞ" => "strasse strasse ss",
    "ΟΔΟΣ οδος" => "οδοσ οδοσ",
    "हिन्दी भाषा" => "हिन्दी भाषा",
    "สวัสดีครับ" => "สวัสดีครับ",
    "مرحبا بالعالم" => "مرحبا بالعالم",
    "中文，句号。" => "中文 句号",
    "emoji 😀👍🏽 ok" => "emoji ok",
    "1,234.5" => "1 234 5",
    "state-of-the-art" => "state of the art",
    "soft\u{ad}hyphen zw\u{200d}j zero\u{200b}width" => "softhyphen zwj zerowidth",
    "bidi\u{200e}mark\u{202b}" => "bidimark",
    "ctrl\u{0}\u{7}\u{7f}\u{9f}end" => "ctrlend",
    "x\u{2028}y\u{2029}z\u{3000}w\u{85}v" => "x y z w v",
    "café cafe\u{301} CAFÉ" => "café café café",
    "İstanbul" => "i\u{307}stanbul",
    "ǰ" => "ǰ",
    "Ⅻ ① ㎏ ½ ²" => "xii 1 kg 1 2 2",
    "𝟏𝟐𝟑 𝐀𝐁𝐂" => "123 abc",
    "ｶﾀｶﾅ" => "カタカナ",
    "a -\u{301} b" => "a b",
    "\u{301}leading mark" => "leading mark",
    "Ꭰ ꭰ" => "Ꭰ Ꭰ",
]);

table!(default_fold_digits, with_options(true, false), [
    "1,234.5" => "0 000 0",
    "٣٫١٤ and ۱۲ and १२" => "0 00 and 00 and 00",
    "１２３ 𝟏" => "000 0",
    "½ ² Ⅻ" => "0 0 0 xii",
]);

table!(default_strip_accents, with_options(false, true), [
    "café naïve résumé Ångström" => "cafe naive resume angstrom",
    "Ελληνικά άέήίόύώ ΐ" => "ελληνικα αεηιουω ι",
    "ёЁ й" => "ее и",
    "hello" => "hello",
    "हिन्दी" => "हिन्दी",
    "สวัสดีครับ" => "สวัสดีครับ",
    "עִבְרִית" => "עִבְרִית",
    "øł" => "øł",
    "Straße" => "strasse",
]);

table!(ccnet_preset, Normalizer::new(Preset::CcNet), [
    "" => "",
    "  Hello,   World!  " => "hello,   world!",
    " ΟΔΟΣ " => "οδος",
    "1,234.5" => "0,000.0",
    "٣ ۱ १ １" => "0 0 0 0",
    "中文，句号。" => "中文句号",
    "“curly” ‘quotes’" => "curly ‘quotes",
    "Straße Café" => "straße café",
    "ﬁ ＡＢＣ" => "ﬁ ａｂｃ",
    "a\tb\nc" => "abc",
    "\u{1}x" => "x",
    "a\u{a0}b" => "a\u{a0}b",
    "İ" => "i\u{307}",
    "—dash–" => "dash",
]);

table!(datatrove_preset, Normalizer::new(Preset::Datatrove), [
    "" => "",
    "Hello,   World!" => "hello world",
    "1,234.5" => "0 0",
    "3.14 and 1.2.3" => "0 and 0 0",
    "ΟΔΟΣ" => "οδος",
    "Straße café" => "straße cafe",
    "हिन्दी" => "हिनदी",
    "สวัสดีครับ" => "สวสดครบ",
    "中文，句号。" => "中文 句号",
    "ﬁ ＡＢＣ" => "ﬁ ａｂｃ",
    "“curly” ‘quotes’" => "curly ‘quotes",
    "a\u{a0}b" => "a b",
    "a \u{301} b" => "a  b",
]);

table!(c4_preset, Normalizer::new(Preset::C4), [
    "" => "",
    "  Hello,   World!  " => "hello,   world!",
    " ΟΔΟΣ " => "οδος",
    "\u{3000}x\u{3000}" => "x",
    "\u{1f}x\u{85}" => "x",
    "\u{200b}x" => "\u{200b}x",
    "Straße ﬁ" => "straße ﬁ",
    "İ" => "i\u{307}",
]);

/// One golden row: the reference's output for one input.
struct Golden {
    input: String,
    expected: String,
}

fn golden(name: &str) -> Vec<Golden> {
    let path = format!("{}/tests/data/normalize/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("golden file is committed");
    text.lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("golden row is JSON");
            let field = |key: &str| row[key].as_str().expect("string field").to_owned();
            Golden {
                input: field("input"),
                expected: field("expected"),
            }
        })
        .collect()
}

fn check_golden(preset: Preset, name: &str) {
    let norm = Normalizer::new(preset);
    let rows = golden(name);
    assert!(rows.len() > 300, "{name}: only {} rows", rows.len());
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let got = norm.normalize(&row.input);
            (got != row.expected).then(|| {
                format!(
                    "given: {:?}\n  expected: {:?}\n  got:      {got:?}",
                    row.input, row.expected
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn datatrove_matches_golden() {
    check_golden(Preset::Datatrove, "datatrove_golden.jsonl");
}

#[test]
fn ccnet_matches_golden() {
    check_golden(Preset::CcNet, "ccnet_golden.jsonl");
}

#[test]
fn c4_matches_golden() {
    check_golden(Preset::C4, "c4_golden.jsonl");
}

#[test]
fn trivially_different_copies_hash_the_same() {
    let norm = Normalizer::default();
    let plain = "The quick brown fox's state-of-the-art jump, 2024.";
    let copies = [
        "THE QUICK BROWN FOX'S STATE-OF-THE-ART JUMP, 2024.",
        "The  quick   brown fox's state-of-the-art jump,  2024.",
        "The quick brown fox’s state‐of‐the‐art jump, 2024.",
        "The\u{a0}quick\u{a0}brown fox's state-of-the-art jump, 2024.",
        "Ｔｈｅ ｑｕｉｃｋ ｂｒｏｗｎ ｆｏｘ＇ｓ state-of-the-art jump， ２０２４．",
        "  The quick brown fox's state of the art jump 2024  ",
        "The qui\u{ad}ck brown\u{200b} fox's state-of-the-art jump, 2024.",
        "\u{feff}The quick brown fox's state-of-the-art jump, 2024.\r\n",
    ];
    let want = norm.normalize(plain);
    assert_eq!(want, "the quick brown fox s state of the art jump 2024");
    for copy in copies {
        assert_eq!(norm.normalize(copy), want, "given: {copy:?}");
    }
}

#[test]
fn builder_rejects_options_on_reference_presets() {
    for preset in [Preset::CcNet, Preset::Datatrove, Preset::C4] {
        let err = Normalizer::builder(preset).fold_digits(true).build();
        assert!(
            matches!(
                err,
                Err(Error::InvalidConfig {
                    option: "fold_digits",
                    ..
                })
            ),
            "{preset:?}: {err:?}"
        );
        let err = Normalizer::builder(preset).strip_accents(true).build();
        assert!(
            matches!(
                err,
                Err(Error::InvalidConfig {
                    option: "strip_accents",
                    ..
                })
            ),
            "{preset:?}: {err:?}"
        );
        assert!(Normalizer::builder(preset).build().is_ok());
    }
    let norm = with_options(true, true);
    assert!(norm.folds_digits() && norm.strips_accents());
}

#[test]
fn public_types_are_send_sync() {
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_send_sync::<Normalizer>();
    assert_send_sync::<Preset>();
    assert_send_sync::<textdedup::NormalizerBuilder>();
}

#[test]
fn normalize_into_reuses_the_buffer() {
    let norm = Normalizer::default();
    let mut out = String::with_capacity(256);
    let ptr = out.as_ptr();
    for segment in [
        "Plain ASCII, with punctuation!",
        "Curly “quotes” and café",
        "ΟΔΟΣ",
    ] {
        norm.normalize_into(segment, &mut out);
        assert!(!out.is_empty());
        assert_eq!(out.as_ptr(), ptr, "reallocated for {segment:?}");
    }
}

/// For ASCII input, the Default rules are simple enough to state directly.
fn naive_default_ascii(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    // A period between a lone letter and a letter ("U.S.") is dropped.
    let initialism_dot = |i: usize| {
        chars[i] == '.'
            && i >= 1
            && chars[i - 1].is_alphabetic()
            && (i < 2 || !chars[i - 2].is_alphanumeric())
            && chars.get(i + 1).is_some_and(|c| c.is_alphabetic())
    };
    let mapped: String = (0..chars.len())
        .filter(|&i| !initialism_dot(i))
        .map(|i| chars[i])
        .filter_map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => Some(c.to_ascii_lowercase()),
            '\t'..='\r' | ' ' => Some(' '),
            _ if c.is_ascii_punctuation() => Some(' '),
            _ => None,
        })
        .collect();
    mapped
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn presets() -> impl Strategy<Value = Preset> {
    prop_oneof![
        Just(Preset::Default),
        Just(Preset::CcNet),
        Just(Preset::Datatrove),
        Just(Preset::C4),
    ]
}

/// Text biased towards the characters the rules treat specially.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(String::from),
        Just("Σ".to_owned()),
        Just("\u{301}".to_owned()),
        Just("\u{ad}".to_owned()),
        Just(" ".to_owned()),
        Just("ß".to_owned()),
        Just("ﬁ".to_owned()),
        Just("İ".to_owned()),
        Just("1".to_owned()),
        Just(".".to_owned()),
        Just("ǰ".to_owned()),
        Just("\u{345}".to_owned()),
        "[a-zA-Z]{1,3}",
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn never_panics(preset in presets(), text in any::<String>()) {
        let _ = Normalizer::new(preset).normalize(&text);
    }

    #[test]
    fn default_output_is_trimmed_and_single_spaced(text in tricky_text()) {
        let out = with_options(false, false).normalize(&text);
        prop_assert!(!out.starts_with(' ') && !out.ends_with(' '), "{text:?} -> {out:?}");
        prop_assert!(!out.contains("  "), "{text:?} -> {out:?}");
        prop_assert!(!out.chars().any(|c| c.is_whitespace() && c != ' '), "{text:?} -> {out:?}");
    }

    #[test]
    fn default_is_idempotent(text in prop_oneof![tricky_text(), any::<String>()], fold in any::<bool>(), strip in any::<bool>()) {
        let norm = with_options(fold, strip);
        let once = norm.normalize(&text);
        let twice = norm.normalize(&once);
        prop_assert_eq!(&twice, &once, "given: {:?}", text);
    }

    #[test]
    fn default_ascii_matches_naive(text in "[ -~\t\n\r\u{0}-\u{1f}\u{7f}]{0,40}") {
        let got = Normalizer::default().normalize(&text);
        prop_assert_eq!(got, naive_default_ascii(&text), "given: {:?}", text);
    }

    #[test]
    fn c4_matches_std_on_python_spaceless_ends(text in "[a-zA-Z ]{0,20}[^\u{1c}-\u{1f}]{0,20}") {
        // Without U+001C..U+001F, Python's strip() and str::trim agree, and
        // std's str::to_lowercase applies Final_Sigma as Python does.
        let got = Normalizer::new(Preset::C4).normalize(&text);
        let want = text.trim().to_lowercase();
        prop_assert_eq!(got, want, "given: {:?}", text);
    }
}

#[test]
fn default_is_idempotent_on_every_character_in_context() {
    let norms = [with_options(false, false), with_options(true, true)];
    let mut failures = Vec::new();
    // Every character with a decomposition, case mapping, or mark or format
    // category is in planes 0 and 1, the CJK compatibility ideographs of
    // plane 2, or the tags and variation selectors of plane 14.
    let ranges = [0..=0x1FFFFu32, 0x2F800..=0x2FA1F, 0xE0000..=0xE01EF];
    for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
        for text in [
            format!("{c}"),
            format!("a{c}\u{301}"),
            format!("\u{3a3}{c}\u{345}x"),
        ] {
            for norm in &norms {
                let once = norm.normalize(&text);
                let twice = norm.normalize(&once);
                if once != twice && failures.len() < 20 {
                    failures.push(format!(
                        "given: {text:?}\n  once: {once:?}\n  twice: {twice:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn c4_lowercases_every_character_as_python() {
    let path = format!(
        "{}/tests/data/normalize/python_lower.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("golden file is committed");
    let parse = |hex: &str| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    let norm = Normalizer::new(Preset::C4);
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let given = fields.next().and_then(parse).expect("code point");
        let expected: String = fields
            .next()
            .unwrap_or("")
            .split(' ')
            .map(|hex| parse(hex).expect("code point"))
            .collect();
        let got = norm.normalize(&given.to_string());
        if got != expected {
            failures.push(format!(
                "given: {given:?} expected: {expected:?} got: {got:?}"
            ));
        }
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest! {
    #[test]
    fn datatrove_ascii_path_matches_general_path(text in "[ -~\t\n\r\u{0}-\u{1f}\u{7f}]{0,40}") {
        // A trailing combining mark sends the segment through the general
        // path, and datatrove's last step removes it again.
        let norm = Normalizer::new(Preset::Datatrove);
        let general = norm.normalize(&format!("{text}\u{301}"));
        prop_assert_eq!(norm.normalize(&text), general, "given: {:?}", text);
    }

    #[test]
    fn ccnet_ascii_matches_naive(text in "[ -~\t\n\r\u{0}-\u{1f}\u{7f}]{0,40}") {
        let is_py_space = |c: char| matches!(c, '\t'..='\r' | '\u{1c}'..=' ');
        let want: String = text
            .trim_matches(is_py_space)
            .chars()
            .filter(|c| !c.is_ascii_control())
            .map(|c| if c.is_ascii_digit() { '0' } else { c.to_ascii_lowercase() })
            .collect();
        prop_assert_eq!(Normalizer::new(Preset::CcNet).normalize(&text), want, "given: {:?}", text);
    }
}
