//! The line scan of ASCII text with `\n` breaks, 64 bytes at a time with
//! AVX2, chosen at run time.
//!
//! Why: the portable scan (`lines.rs`) tests eight bytes a step and starts
//! a search of its own at every line, so a newswire line of some 50 bytes
//! costs several steps and a loop's setup and exit; here a compare and two
//! `movemask`s per 32 bytes give bitmasks of the line ends and of the
//! non-ASCII bytes, and each line end then takes a `trailing_zeros` and a
//! clear of the lowest bit.

use std::arch::x86_64::{
    __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8,
};

/// Bytes per block: two vectors, one `u64` of lane bits.
const BLOCK: usize = 64;

/// Proof that this CPU has AVX2 and BMI1: only [`Avx2::detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// An [`Avx2`], if this CPU has the features.
    #[inline]
    pub(crate) fn detect() -> Option<Avx2> {
        // NOTE: std caches the answers; each test is an atomic load and a mask.
        let available = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("bmi1");
        available.then_some(Avx2(()))
    }

    /// [`super::lines::for_each_ascii_lf_line`] by AVX2.
    #[inline]
    pub(crate) fn for_each_ascii_lf_line<F: FnMut(usize, usize)>(
        self,
        text: &[u8],
        f: &mut F,
    ) -> Result<(), usize> {
        // SAFETY: `self` proves that the CPU has every feature `lf_lines`
        // is compiled for; the function has no other precondition.
        unsafe { lf_lines(text, f) }
    }
}

/// The block loop of [`Avx2::for_each_ascii_lf_line`].
#[target_feature(enable = "avx2,bmi1")]
fn lf_lines<F: FnMut(usize, usize)>(text: &[u8], f: &mut F) -> Result<(), usize> {
    let mut start = 0;
    let (blocks, tail) = text.as_chunks::<BLOCK>();
    for (i, block) in blocks.iter().enumerate() {
        lines_in(i * BLOCK, masks(block), &mut start, f)?;
    }
    if !tail.is_empty() {
        // The last block of the text, shifted so that only the tail's lanes
        // are left; a text shorter than a block is padded with zeros, which
        // are neither `\n` nor high. Either way no copy past the text.
        let (lf, high) = match text.last_chunk::<BLOCK>() {
            Some(last) => {
                let (lf, high) = masks(last);
                let done = BLOCK - tail.len();
                (lf >> done, high >> done)
            }
            None => {
                let mut padded = [0; BLOCK];
                padded[..tail.len()].copy_from_slice(tail);
                masks(&padded)
            }
        };
        lines_in(text.len() - tail.len(), (lf, high), &mut start, f)?;
    }
    // A text that does not end in `\n` ends in a line all the same.
    if start < text.len() {
        f(start, text.len());
    }
    Ok(())
}

/// Calls `f` for each line that ends in the block at `base`, whose line
/// ends and high bytes are `lf` and `high`, with `start` where the line
/// open at the block's start starts; stops at a high byte, returning the
/// start of its line.
///
/// NOTE: inlined, with `f`, into the block loop: as a call per block, it
/// kept nothing in registers.
#[inline(always)]
fn lines_in<F: FnMut(usize, usize)>(
    base: usize,
    (mut lf, high): (u64, u64),
    start: &mut usize,
    f: &mut F,
) -> Result<(), usize> {
    // Only lines that end before the first high byte are ASCII.
    let first_high = high & high.wrapping_neg();
    if first_high != 0 {
        lf &= first_high - 1;
    }
    while lf != 0 {
        let end = base + lf.trailing_zeros() as usize;
        f(*start, end);
        *start = end + 1;
        lf &= lf - 1;
    }
    if high != 0 {
        return Err(*start);
    }
    Ok(())
}

/// The `\n` bytes and the high bytes of `block`, as lane bits.
#[inline]
#[target_feature(enable = "avx2")]
fn masks(block: &[u8; BLOCK]) -> (u64, u64) {
    let (halves, _) = block.as_chunks::<32>();
    let (lo, hi) = (load(&halves[0]), load(&halves[1]));
    let newline = _mm256_set1_epi8(b'\n' as i8);
    let lf = |v| u64::from(movemask(_mm256_cmpeq_epi8(v, newline)));
    let high = |v| u64::from(movemask(v));
    (lf(lo) | lf(hi) << 32, high(lo) | high(hi) << 32)
}

/// The 32 bytes of `bytes` as a vector.
#[inline]
#[target_feature(enable = "avx2")]
fn load(bytes: &[u8; 32]) -> __m256i {
    // SAFETY: the pointer is valid for 32 bytes of reads; `loadu` needs no
    // alignment.
    unsafe { _mm256_loadu_si256(bytes.as_ptr().cast()) }
}

/// The high bit of each byte of `vector`, as a mask by lane.
#[inline]
#[target_feature(enable = "avx2")]
fn movemask(vector: __m256i) -> u32 {
    _mm256_movemask_epi8(vector) as u32
}
