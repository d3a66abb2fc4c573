//! The string loops of `json.rs` 32 bytes at a time with AVX2, chosen at
//! run time: the only `unsafe` in the command.
//!
//! Why: text in a corpus has an escape every fifty bytes or so (mostly
//! `\n`), so the runs between escapes are short. One compare of 32 bytes,
//! a mask and `trailing_zeros` find a run's end in a step or two, and the
//! copying loops store the 32 bytes whole into spare capacity and keep as
//! many as the run is long, where the portable code tests eight bytes a
//! word and calls `memcpy` for each run.
//!
//! The loops are those of `json.rs` with its escape handling; the tests
//! check that they give what the portable ones give.

use std::arch::x86_64::{
    __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_movemask_epi8,
    _mm256_or_si256, _mm256_set1_epi8, _mm256_storeu_si256,
};

use crate::json;

/// Bytes per step.
const CHUNK: usize = 32;

/// Proof that this CPU has AVX2: made only after the test.
#[derive(Clone, Copy)]
pub struct Avx2(());

impl Avx2 {
    /// The proof, if this CPU has AVX2.
    #[inline]
    pub fn detect() -> Option<Avx2> {
        // NOTE: std caches the answer; the test is an atomic load and a mask.
        is_x86_feature_detected!("avx2").then_some(Avx2(()))
    }

    /// The rest of a JSON string whose text starts at `bytes[from]`, as
    /// `Scanner::string` reads it: where it ends (past its closing quote)
    /// and whether it has escapes.
    #[inline]
    pub fn string(self, bytes: &[u8], from: usize) -> Option<(usize, bool)> {
        // SAFETY: `self` proves that the CPU has AVX2, which is all
        // `string` is compiled for; it has no other precondition.
        unsafe { string(bytes, from) }
    }

    /// [`Avx2::string`] that also decodes the string when it has escapes,
    /// as `Scanner::decoded_string` does; `from` is into `line`.
    #[inline]
    pub fn decoded_string(self, line: &str, from: usize) -> Option<(usize, Option<String>)> {
        // SAFETY: as in `string`.
        unsafe { decoded_string(line, from) }
    }

    /// [`json::write_str`] by AVX2.
    #[inline]
    pub fn write_str(self, out: &mut Vec<u8>, s: &str) {
        // SAFETY: as in `string`.
        unsafe { write_str(out, s) }
    }
}

#[target_feature(enable = "avx2")]
fn string(bytes: &[u8], mut at: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        at = find(bytes, at)?;
        match bytes[at] {
            b'"' => return Some((at + 1, escaped)),
            b'\\' => {
                escaped = true;
                at += json::escape_len(&bytes[at..])?;
            }
            _ => return None,
        }
    }
}

#[target_feature(enable = "avx2")]
fn decoded_string(line: &str, from: usize) -> Option<(usize, Option<String>)> {
    let rest = line.get(from..)?;
    let bytes = rest.as_bytes();
    let mut at = find(bytes, 0)?;
    if bytes[at] == b'"' {
        return Some((from + at + 1, None));
    }
    // Room for all that is left and a chunk, which `store` needs: decoding
    // never lengthens a string.
    let mut out = Vec::with_capacity(bytes.len() + CHUNK);
    out.extend_from_slice(&bytes[..at]);
    loop {
        // On the byte that ended a run: the end, or an escape that is not
        // a two-byte one inside a chunk.
        match bytes[at] {
            b'"' => {
                // SAFETY: `out` holds runs of `rest` that start at its start
                // or after an escape (whose last byte is ASCII) and end
                // before a special byte (ASCII), so whole characters (a
                // step may stop inside one, the next goes on with it); and
                // the characters of escapes, as UTF-8.
                let text = unsafe { String::from_utf8_unchecked(out) };
                return Some((from + at + 1, Some(text)));
            }
            b'\\' => {}
            _ => return None,
        }
        // The two-byte escapes by a table, the rest by a call.
        match json::UNESCAPE[usize::from(*bytes.get(at + 1)?)] {
            0 => {
                let (c, len) = json::decode_escape(&bytes[at..])?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                at += len;
            }
            b => {
                out.push(b);
                at += 2;
            }
        }
        // The runs that follow, a chunk at a time, with the two-byte
        // escapes between them (`\n` above all) decoded on the way.
        at = loop {
            let Some(chunk) = chunk_at(bytes, at) else {
                let end = find(bytes, at)?;
                out.extend_from_slice(&bytes[at..end]);
                break end;
            };
            let vector = load(chunk);
            let found = specials(vector);
            // No special byte reads as 32 trailing zeros: the whole chunk.
            let run = found.trailing_zeros() as usize;
            store(&mut out, vector, run);
            if found == 0 {
                at += CHUNK;
                continue;
            }
            match chunk.get(run..run + 2) {
                Some(&[b'\\', letter]) if json::UNESCAPE[usize::from(letter)] != 0 => {
                    out.push(json::UNESCAPE[usize::from(letter)]);
                    at += run + 2;
                }
                _ => break at + run,
            }
        };
    }
}

#[target_feature(enable = "avx2")]
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Room for the string as it is and a chunk, which `store` needs.
    out.reserve(bytes.len() + CHUNK + 2);
    out.push(b'"');
    let mut at = 0;
    while let Some(chunk) = chunk_at(bytes, at) {
        let vector = load(chunk);
        let found = specials(vector);
        // No special byte reads as 32 trailing zeros: the whole chunk.
        let run = found.trailing_zeros() as usize;
        store(out, vector, run);
        at += run;
        if found != 0 {
            json::write_escape(out, bytes[at]);
            at += 1;
            // An escape is longer than its byte: room again for what is
            // left as it is, and a chunk.
            out.reserve(bytes.len() - at + CHUNK);
        }
    }
    // The tail, under a chunk.
    while let Some(i) = find(bytes, at) {
        out.extend_from_slice(&bytes[at..i]);
        json::write_escape(out, bytes[i]);
        at = i + 1;
    }
    out.extend_from_slice(&bytes[at..]);
    out.push(b'"');
}

/// The position of the first byte of `bytes[from..]` that a JSON string
/// cannot hold as is, as `json::find_special` finds it. The part shorter
/// than a chunk at the end is read as the last 32 bytes, with the lanes
/// before it left out; a line shorter than a chunk is left to the portable
/// search.
#[inline]
#[target_feature(enable = "avx2")]
fn find(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = chunk_at(bytes, at) {
        let found = specials(load(chunk));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize);
        }
        at += CHUNK;
    }
    let tail = bytes.get(at..).filter(|tail| !tail.is_empty())?;
    let Some(last) = bytes.last_chunk() else {
        return json::find_special(tail).map(|k| at + k);
    };
    // The tail is the end of `last`, under a chunk long.
    let found = specials(load(last)) >> (CHUNK - tail.len());
    (found != 0).then(|| at + found.trailing_zeros() as usize)
}

/// The chunk of `bytes` at `at`, if a whole one is there. One comparison:
/// `at` is an index into `bytes`, so `at + 32` does not overflow.
#[inline(always)]
fn chunk_at(bytes: &[u8], at: usize) -> Option<&[u8; CHUNK]> {
    bytes.get(at..at + CHUNK)?.try_into().ok()
}

/// Appends the first `len` bytes of `vector` (at most 32) to `out`, which
/// has room for 32 more.
///
/// The callers reserve ahead rather than here: a call that may grow `out`
/// in the loop makes the compiler keep the vector on the stack.
#[inline]
#[target_feature(enable = "avx2")]
fn store(out: &mut Vec<u8>, vector: __m256i, len: usize) {
    let len = len.min(CHUNK);
    let spare = out.spare_capacity_mut();
    assert!(spare.len() >= CHUNK, "room for a chunk was reserved");
    // SAFETY: `spare` has room for 32 bytes (asserted just above), and
    // `storeu` needs no alignment.
    unsafe { _mm256_storeu_si256(spare.as_mut_ptr().cast(), vector) };
    // SAFETY: the capacity holds `len` more bytes (at most 32), which the
    // store just initialized.
    unsafe { out.set_len(out.len() + len) };
}

/// The lanes of `vector` that a JSON string cannot hold as is: control
/// characters (below 0x20: unsigned, those whose maximum with 0x1f is
/// 0x1f), quotes and backslashes.
#[inline]
#[target_feature(enable = "avx2")]
fn specials(vector: __m256i) -> u32 {
    let below = _mm256_set1_epi8(0x1f);
    let control = _mm256_cmpeq_epi8(_mm256_max_epu8(vector, below), below);
    let quote = _mm256_cmpeq_epi8(vector, _mm256_set1_epi8(b'"' as i8));
    let backslash = _mm256_cmpeq_epi8(vector, _mm256_set1_epi8(b'\\' as i8));
    let any = _mm256_or_si256(control, _mm256_or_si256(quote, backslash));
    _mm256_movemask_epi8(any) as u32
}

/// The 32 bytes of `chunk` as a vector.
#[inline]
#[target_feature(enable = "avx2")]
fn load(chunk: &[u8; CHUNK]) -> __m256i {
    // SAFETY: the pointer is valid for 32 bytes of reads; `loadu` needs no
    // alignment.
    unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) }
}
