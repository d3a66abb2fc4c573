//! Normalizes arbitrary text with every preset: no panic, `normalize_into`
//! agrees with `normalize`, and the Default output is trimmed, single-spaced
//! and a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textdedup::{Normalizer, Preset};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut out = String::from("stale");
    for preset in [Preset::Default, Preset::CcNet, Preset::Datatrove, Preset::C4] {
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
});
