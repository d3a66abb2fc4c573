//! Normalizes and segments arbitrary text: no panic; `normalize_into`
//! agrees with `normalize`; the Default output is trimmed, single-spaced and
//! a fixed point; every segment's span slices the text to the segment, on
//! char boundaries, in order; deduplicating and cleaning never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textdedup::{Dedup, Level, Normalizer, ParagraphMode, Preset, Span};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut out = String::from("stale");
    for preset in [
        Preset::Default,
        Preset::CcNet,
        Preset::Datatrove,
        Preset::C4,
    ] {
        let norm = Normalizer::new(preset);
        let key = norm.normalize(&text);
        norm.normalize_into(&text, &mut out);
        assert_eq!(out, key, "{preset:?}: normalize_into disagrees");
    }
    for (fold_digits, strip_accents) in [(false, false), (true, true)] {
        let norm = Normalizer::builder(Preset::Default)
            .fold_digits(fold_digits)
            .strip_accents(strip_accents)
            .build()
            .expect("options are valid for Default");
        let key = norm.normalize(&text);
        assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
        assert_eq!(norm.normalize(&key), key, "not idempotent");
    }
    for mode in [
        ParagraphMode::Lines,
        ParagraphMode::Blocks,
        ParagraphMode::Wrapped,
        ParagraphMode::Auto,
    ] {
        check_spans(&text, textdedup::segment::paragraphs(&text, mode));
        check_spans(&text, textdedup::segment::sentences(&text, mode));
    }
    let dedup = Dedup::builder()
        .levels(Level::ALL)
        .min_chars(0)
        .build()
        .expect("valid settings");
    let report = dedup.check(&text);
    assert!(report.cleaned(&text).len() <= text.len());
});

/// Spans slice the text to their segment, on char boundaries, in order,
/// without overlapping.
fn check_spans<'t>(text: &str, segments: impl Iterator<Item = (Span, &'t str)>) {
    let mut end = 0;
    for (span, segment) in segments {
        assert!(span.start >= end, "segments overlap or go backwards");
        assert_eq!(text.get(span.range()), Some(segment));
        end = span.end;
    }
}
