//! Normalization: turning a segment into the key that gets hashed.
//!
//! PLACEHOLDER: the real presets land with the normalization work.

use crate::Error;

/// A named set of normalization rules.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Preset {
    /// Unicode-correct: NFKC, case folding, punctuation and white space folded.
    #[default]
    Default,
    /// cc_net's `normalize_for_dedup`.
    CcNet,
    /// datatrove's `simplify_text` with its default configuration.
    Datatrove,
    /// The C4 line dedup: `strip().lower()`.
    C4,
}

/// Turns segments into normalized keys.
#[derive(Clone, Debug)]
pub struct Normalizer {
    preset: Preset,
    fold_digits: bool,
    strip_accents: bool,
}

impl Normalizer {
    /// A normalizer with the preset's rules and no extra options.
    pub fn new(preset: Preset) -> Normalizer {
        Normalizer {
            preset,
            fold_digits: false,
            strip_accents: false,
        }
    }

    /// A builder for a normalizer with options on top of a preset.
    pub fn builder(preset: Preset) -> NormalizerBuilder {
        NormalizerBuilder {
            inner: Normalizer::new(preset),
        }
    }

    /// The preset.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Whether digits are folded to `0`.
    pub fn folds_digits(&self) -> bool {
        self.fold_digits
    }

    /// Whether accents are stripped.
    pub fn strips_accents(&self) -> bool {
        self.strip_accents
    }

    /// Normalizes `segment` into a new string.
    pub fn normalize(&self, segment: &str) -> String {
        let mut out = String::new();
        self.normalize_into(segment, &mut out);
        out
    }

    /// Normalizes `segment` into `out`, which is cleared first.
    pub fn normalize_into(&self, segment: &str, out: &mut String) {
        out.clear();
        for word in segment.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
}

impl Default for Normalizer {
    fn default() -> Normalizer {
        Normalizer::new(Preset::Default)
    }
}

/// Builds a [`Normalizer`].
#[derive(Clone, Debug)]
pub struct NormalizerBuilder {
    inner: Normalizer,
}

impl NormalizerBuilder {
    /// Fold every decimal digit to `0`.
    pub fn fold_digits(&mut self, yes: bool) -> &mut NormalizerBuilder {
        self.inner.fold_digits = yes;
        self
    }

    /// Strip accents.
    pub fn strip_accents(&mut self, yes: bool) -> &mut NormalizerBuilder {
        self.inner.strip_accents = yes;
        self
    }

    /// Validates the options and builds the normalizer.
    pub fn build(&self) -> Result<Normalizer, Error> {
        if self.inner.preset != Preset::Default
            && (self.inner.fold_digits || self.inner.strip_accents)
        {
            return Err(Error::config(
                "fold_digits",
                "options apply to Preset::Default only",
            ));
        }
        Ok(self.inner.clone())
    }
}
