//! Normalization: turning a segment into the key that gets hashed.
//!
//! A [`Normalizer`] applies one [`Preset`]: either this crate's
//! Unicode-correct rules ([`Preset::Default`]), or a faithful reproduction of
//! the normalization of a known pipeline, so that keys agree with it
//! ([`Preset::CcNet`], [`Preset::Datatrove`], [`Preset::C4`]).
//!
//! # Example: copies that differ only trivially get one key
//!
//! ```
//! use textdedup::Normalizer;
//!
//! let norm = Normalizer::default();
//! let plain = norm.normalize("The \"state-of-the-art\" model");
//! let fancy = norm.normalize("  THE\u{a0}“state‑of‑the‑art”   ｍｏｄｅｌ ");
//! assert_eq!(plain, "the state of the art model");
//! assert_eq!(fancy, plain);
//! assert_eq!(norm.normalize("The U.S. economy"), norm.normalize("the US economy"));
//! ```
//!
//! # Example: reusing a buffer
//!
//! [`Normalizer::normalize_into`] clears and refills a `String`, so a loop
//! over many segments does not allocate once the buffer is large enough.
//!
//! ```
//! use textdedup::{Normalizer, Preset};
//!
//! let norm = Normalizer::new(Preset::C4);
//! let mut key = String::new();
//! let mut keys = Vec::new();
//! for line in ["  Hello World ", "ΟΔΟΣ"] {
//!     norm.normalize_into(line, &mut key);
//!     keys.push(key.clone());
//! }
//! assert_eq!(keys, ["hello world", "οδος"]);
//! ```

mod ascii;
mod c4;
mod ccnet;
mod datatrove;
mod default;
mod initialisms;
mod props;
mod scratch;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd;
mod tables;

use crate::Error;

/// The Unicode version of this module's own character tables (general
/// categories, case folding, Python's white space and casing properties).
///
/// NFKC and NFD come from `unicode-normalization`, and lowercasing from the
/// standard library, which may follow a newer version; the two differ only
/// on characters added since.
///
/// # Example
///
/// ```
/// assert!(textdedup::normalize::UNICODE_VERSION >= (14, 0, 0));
/// ```
pub const UNICODE_VERSION: (u8, u8, u8) = tables::UNICODE_VERSION;

/// A named set of normalization rules.
///
/// The rules of each preset are listed on its variant; `DESIGN.md` gives the
/// sources they reproduce.
///
/// # Example
///
/// ```
/// use textdedup::{Normalizer, Preset};
///
/// let text = "Ａ ｆｉｎｅ Straße, 1,234.5 €!";
/// let key = |preset| Normalizer::new(preset).normalize(text);
/// assert_eq!(key(Preset::Default), "a fine strasse 1 234 5");
/// assert_eq!(key(Preset::CcNet), "ａ ｆｉｎｅ straße, 0,000.0 €!");
/// assert_eq!(key(Preset::Datatrove), "ａ ｆｉｎｅ straße 0 0 €");
/// assert_eq!(key(Preset::C4), "ａ ｆｉｎｅ straße, 1,234.5 €!");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Preset {
    /// Unicode-correct, for matching text that differs only in presentation.
    ///
    /// In order: periods inside initialisms are removed, so "U.S." and "US"
    /// agree (a `.` after a lone letter and before a letter); NFKC; Unicode White_Space becomes a space; punctuation (P*)
    /// and symbols (S*, so emoji too) become a space, so "state-of-the-art"
    /// and "state of the art" agree (and "don't" becomes "don t"); controls
    /// and format characters (Cc, Cf: soft hyphen, zero-width and bidi marks)
    /// are removed without a space, so no word is split; a combining mark on
    /// a character that became a space goes with it; everything else is case
    /// folded (full folding, CaseFolding.txt C + F: `ß` and `ẞ`→`ss`, `ς`→`σ`,
    /// `İ`→`i̇`); the result is recomposed to NFKC; runs of spaces become
    /// one, with none at either end. Normalizing a key again leaves it as it
    /// is. Options:
    /// [`NormalizerBuilder::fold_digits`], [`NormalizerBuilder::strip_accents`].
    #[default]
    Default,
    /// cc_net's `normalize_for_dedup`: Python `strip()` and `lower()`, each
    /// Unicode decimal digit to `0`, and removal of 34 CJK, full-width and
    /// typographic punctuation characters and of the C0 and C1 controls
    /// (tab and newline included). ASCII punctuation, accents and inner
    /// spaces are kept as they are.
    CcNet,
    /// datatrove's `simplify_text` with its default configuration: Python
    /// `lower()`, each number (decimals included) to one `0`, its punctuation
    /// set to a space, white space collapsed and trimmed, NFD with every
    /// nonspacing mark (Mn) removed.
    ///
    /// NOTE: like datatrove, this removes Indic, Thai, Hebrew and Arabic vowel
    /// signs that are Mn, which can merge distinct words.
    Datatrove,
    /// The C4 line dedup: Python `strip().lower()`.
    C4,
}

/// Turns segments into normalized keys.
///
/// Cheap to clone, and `Send + Sync`: share one across threads.
///
/// # Example
///
/// ```
/// use textdedup::{Normalizer, Preset};
///
/// let norm = Normalizer::new(Preset::Default);
/// assert_eq!(norm.normalize("Don’t   STOP\u{ad}ping!"), "don t stopping");
/// ```
#[derive(Clone, Debug)]
pub struct Normalizer {
    preset: Preset,
    fold_digits: bool,
    strip_accents: bool,
}

impl Normalizer {
    /// A normalizer with the preset's rules and no extra options.
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// let norm = Normalizer::new(Preset::CcNet);
    /// assert_eq!(norm.normalize(" Price: 42 。"), "price: 00 ");
    /// ```
    pub fn new(preset: Preset) -> Normalizer {
        Normalizer {
            preset,
            fold_digits: false,
            strip_accents: false,
        }
    }

    /// A builder for a normalizer with options on top of a preset.
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// let norm = Normalizer::builder(Preset::Default).fold_digits(true).build()?;
    /// assert_eq!(norm.normalize("Call 555-0123"), "call 000 0000");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(preset: Preset) -> NormalizerBuilder {
        NormalizerBuilder {
            inner: Normalizer::new(preset),
        }
    }

    /// The preset.
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// assert_eq!(Normalizer::new(Preset::C4).preset(), Preset::C4);
    /// ```
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Whether every decimal digit is folded to `0` (the
    /// [`NormalizerBuilder::fold_digits`] option; the `CcNet` and `Datatrove`
    /// presets fold digits by their own rules either way).
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// assert!(!Normalizer::new(Preset::Default).folds_digits());
    /// let norm = Normalizer::builder(Preset::Default).fold_digits(true).build()?;
    /// assert!(norm.folds_digits());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn folds_digits(&self) -> bool {
        self.fold_digits
    }

    /// Whether accents are stripped (the [`NormalizerBuilder::strip_accents`]
    /// option).
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// assert!(!Normalizer::new(Preset::Default).strips_accents());
    /// let norm = Normalizer::builder(Preset::Default).strip_accents(true).build()?;
    /// assert!(norm.strips_accents());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn strips_accents(&self) -> bool {
        self.strip_accents
    }

    /// Normalizes `segment` into a new string.
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::Normalizer;
    ///
    /// assert_eq!(Normalizer::default().normalize("ΟΔΟΣ Straße"), "οδοσ strasse");
    /// ```
    pub fn normalize(&self, segment: &str) -> String {
        let mut out = String::new();
        self.normalize_into(segment, &mut out);
        out
    }

    /// Normalizes `segment` into `out`, which is cleared first.
    ///
    /// Once `out` has grown to the size of the keys, this does not allocate
    /// for ASCII segments and for segments already in NFKC.
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::Normalizer;
    ///
    /// let mut out = String::from("left over");
    /// Normalizer::default().normalize_into("Ｈｅｌｌｏ，\u{3000}ｗｏｒｌｄ", &mut out);
    /// assert_eq!(out, "hello world");
    /// ```
    pub fn normalize_into(&self, segment: &str, out: &mut String) {
        match self.preset {
            Preset::Default => {
                let opts = default::Options {
                    fold_digits: self.fold_digits,
                    strip_accents: self.strip_accents,
                };
                default::normalize_joined(opts, segment, out);
            }
            Preset::CcNet => ccnet::normalize(segment, out),
            Preset::Datatrove => datatrove::normalize(segment, out),
            Preset::C4 => c4::normalize(segment, out),
        }
    }

    /// Normalizes `segment` into `out`: the key's UTF-8 bytes, as
    /// [`Normalizer::normalize_into`] makes them, are `out[..len]`, where
    /// `len` is returned; what follows is left over (not shortening the
    /// buffer spares filling it again for the next segment).
    ///
    /// NOTE: for hashing. The `Default` ASCII path writes bytes, and a
    /// `String` would check them again for UTF-8 (only `unsafe` could skip
    /// the check, and the crate keeps `unsafe` to its vector code).
    pub(crate) fn normalize_bytes_into(&self, segment: &str, out: &mut Vec<u8>) -> usize {
        if self.preset == Preset::Default {
            let opts = default::Options {
                fold_digits: self.fold_digits,
                strip_accents: self.strip_accents,
            };
            return default::normalize_joined_bytes(opts, segment, out);
        }
        // Emptied first, so that taking it as a `String` checks nothing.
        out.clear();
        let mut key = String::from_utf8(std::mem::take(out)).unwrap_or_default();
        self.normalize_into(segment, &mut key);
        *out = key.into_bytes();
        out.len()
    }
}

impl Default for Normalizer {
    fn default() -> Normalizer {
        Normalizer::new(Preset::Default)
    }
}

/// Builds a [`Normalizer`].
///
/// # Example
///
/// ```
/// use textdedup::{Normalizer, Preset};
///
/// let norm = Normalizer::builder(Preset::Default)
///     .fold_digits(true)
///     .strip_accents(true)
///     .build()?;
/// assert_eq!(norm.normalize("Café N°7"), "cafe n 0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct NormalizerBuilder {
    inner: Normalizer,
}

impl NormalizerBuilder {
    /// Fold every Unicode decimal digit (General_Category Nd, after NFKC) to
    /// `0`. Only for [`Preset::Default`].
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// let norm = Normalizer::builder(Preset::Default).fold_digits(true).build()?;
    /// assert_eq!(norm.normalize("Born 1987, died ٢٠٢٠"), "born 0000 died 0000");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fold_digits(&mut self, yes: bool) -> &mut NormalizerBuilder {
        self.inner.fold_digits = yes;
        self
    }

    /// Strip the accents of Latin, Greek and Cyrillic letters: after NFD,
    /// nonspacing marks of the combining diacritics blocks (U+0300..U+036F,
    /// U+1AB0..U+1AFF, U+1DC0..U+1DFF, U+20D0..U+20FF, U+FE20..U+FE2F) and
    /// U+0483..U+0487 are removed when their base letter is of one of those
    /// scripts. Vowel signs of other scripts (Devanagari, Thai, Hebrew,
    /// Arabic, ...) are kept: there they are letters, not accents. Only for
    /// [`Preset::Default`].
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Normalizer, Preset};
    ///
    /// let norm = Normalizer::builder(Preset::Default).strip_accents(true).build()?;
    /// assert_eq!(norm.normalize("Crème Brûlée"), "creme brulee");
    /// assert_eq!(norm.normalize("हिन्दी"), "हिन्दी");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn strip_accents(&mut self, yes: bool) -> &mut NormalizerBuilder {
        self.inner.strip_accents = yes;
        self
    }

    /// Validates the options and builds the normalizer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] when an option is set on a preset other than
    /// [`Preset::Default`]: the other presets reproduce a reference exactly.
    ///
    /// # Example
    ///
    /// ```
    /// use textdedup::{Error, Normalizer, Preset};
    ///
    /// let err = Normalizer::builder(Preset::C4).strip_accents(true).build();
    /// assert!(matches!(err, Err(Error::InvalidConfig { option: "strip_accents", .. })));
    /// assert!(Normalizer::builder(Preset::C4).build().is_ok());
    /// ```
    pub fn build(&self) -> Result<Normalizer, Error> {
        let inner = &self.inner;
        if inner.preset != Preset::Default {
            let option = if inner.fold_digits {
                Some("fold_digits")
            } else if inner.strip_accents {
                Some("strip_accents")
            } else {
                None
            };
            if let Some(option) = option {
                return Err(Error::config(
                    option,
                    format!(
                        "only Preset::Default takes options; {:?} reproduces its reference \
                         exactly, so leave `{option}` unset or use Preset::Default",
                        inner.preset
                    ),
                ));
            }
        }
        Ok(inner.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bytes_agree_with_the_string(
            text in "([a-zA-Z0-9 .,\n\t\x01-]|U\\.S\\.|é|Ω|ﬁ|\u{301}|①|\u{ad}){0,60}",
            stale in "[a-z é]{0,20}",
        ) {
            for preset in [Preset::Default, Preset::CcNet, Preset::Datatrove, Preset::C4] {
                for (fold, strip) in [(false, false), (true, true)] {
                    let mut builder = Normalizer::builder(preset);
                    if preset == Preset::Default {
                        builder.fold_digits(fold).strip_accents(strip);
                    }
                    let norm = builder.build().expect("valid options");
                    let mut bytes = stale.clone().into_bytes();
                    let len = norm.normalize_bytes_into(&text, &mut bytes);
                    let want = norm.normalize(&text);
                    prop_assert_eq!(&bytes[..len], want.as_bytes(), "{:?}", preset);
                }
            }
        }
    }
}
