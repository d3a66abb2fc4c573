//! The ASCII pass of the `Default` rules 32 bytes at a time with AVX2 and
//! BMI2, chosen at run time: one of the three modules of the crate with
//! `unsafe` (see the crate's `# Safety`).
//!
//! Why: the portable pass (`ascii.rs`) is limited to baseline x86-64 (SSE2)
//! and squeezes out doubled spaces with bit tricks that handle one per eight
//! bytes; here a 32-byte map, four masks and `pext` (which packs the kept
//! bytes of a word in one instruction, whatever the pattern) do the same
//! work in about a third of the instructions. The `exact_paragraph_dedup`
//! bench (README, "Performance") measures what it gains.
//!
//! A chunk of 32 bytes takes this path when it is ASCII and maps no byte to
//! `DROP`; otherwise its two 16-byte blocks go the portable way, with the
//! same state, so the output is the same. A `SPECIAL` byte that needs its
//! rule (one before a letter, or in the last lane when more of the segment
//! follows: the initialism period) is asked of the rule here too, lane by
//! lane; sending its chunk the portable way cost 5% of the pass on the news
//! corpus, where 4% of the chunks hold such a period.

use std::arch::x86_64::{
    __m256i, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_extract_epi64, _mm256_loadu_si256,
    _mm256_movemask_epi8, _mm256_set1_epi8, _pext_u64,
};

use super::ascii::{BlockRules, Collapse, DROP, SPACE, Special, collapse_from, pad_into};

/// Bytes per chunk.
const CHUNK: usize = 32;

/// [`Special::rewrite_into`] by AVX2 and BMI2, if this CPU has them: the
/// length of what is kept in `buf`, or the index of the first non-ASCII
/// byte.
///
/// The caller has sized `buf` to at least `bytes.len() + 32`.
#[inline]
pub(crate) fn rewrite_special<M, S, const SPECIAL: u8>(
    rules: &mut Special<M, S, SPECIAL>,
    buf: &mut [u8],
    bytes: &[u8],
) -> Option<Result<usize, usize>>
where
    M: Fn(u8) -> u8,
    S: Fn(usize) -> u8,
{
    // NOTE: std caches the answers; each test is an atomic load and a mask.
    let available = is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("bmi2")
        && is_x86_feature_detected!("popcnt");
    // SAFETY: the CPU has every feature `chunks` is compiled for (tested
    // just above); the function has no other precondition.
    available.then(|| unsafe { chunks(rules, buf, bytes) })
}

/// The chunk loop of [`rewrite_special`]. The last chunk of a segment of
/// 32 bytes or more is its last 32 bytes, of which the lanes already done
/// are left out; a shorter segment is padded with a byte that is kept as it
/// is, and cut off after.
#[target_feature(enable = "avx2,bmi1,bmi2,popcnt")]
fn chunks<M, S, const SPECIAL: u8>(
    rules: &mut Special<M, S, SPECIAL>,
    buf: &mut [u8],
    bytes: &[u8],
) -> Result<usize, usize>
where
    M: Fn(u8) -> u8,
    S: Fn(usize) -> u8,
{
    let mut collapse = Collapse::START;
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let len = rest.len().min(CHUNK);
        // NOTE: a 32-byte read from the text itself, rather than a padded
        // copy, which is stored in pieces and read back whole: a stall.
        let chunk = match rest.len() {
            n if n >= CHUNK => Chunk::whole(rest, (at, n == CHUNK)),
            n if bytes.len() >= CHUNK => Chunk::last(bytes, n),
            _ => Chunk {
                src: padded(rest, <Special<M, S, SPECIAL> as BlockRules>::PAD),
                start: 0,
                first: 0,
                end: true,
            },
        };
        let pad = CHUNK - len - chunk.first;
        collapse = match fast_chunk(rules, buf, (chunk, collapse)) {
            Some(done) => Collapse {
                write: done.write - pad,
                ..done
            },
            // Whole blocks but for the last: the state carries on.
            None => collapse_from(rules, buf, (&rest[..len], at), collapse)?,
        };
        at += CHUNK;
    }
    Ok(collapse.write)
}

/// 32 bytes to map, of which those from lane `first` on are new.
struct Chunk {
    src: [u8; CHUNK],
    /// Where lane 0 is in the segment.
    start: usize,
    first: usize,
    /// Nothing of the segment follows: its last lane has no next byte for
    /// the `SPECIAL` rule to look at.
    end: bool,
}

impl Chunk {
    /// The first 32 bytes of `rest`, which starts at `start` of the
    /// segment; `end`: they are all of it.
    #[inline]
    fn whole(rest: &[u8], (start, end): (usize, bool)) -> Chunk {
        let mut src = [0; CHUNK];
        src.copy_from_slice(&rest[..CHUNK]);
        Chunk {
            src,
            start,
            first: 0,
            end,
        }
    }

    /// The last 32 bytes of `segment`, of which the last `new` are new.
    #[inline]
    fn last(segment: &[u8], new: usize) -> Chunk {
        let start = segment.len() - CHUNK;
        let mut src = [0; CHUNK];
        src.copy_from_slice(&segment[start..]);
        Chunk {
            src,
            start,
            first: CHUNK - new,
            end: true,
        }
    }
}

/// The short `rest` (under 32 bytes), followed by `pad`.
#[inline]
fn padded(rest: &[u8], pad: u8) -> [u8; CHUNK] {
    let mut src = [pad; CHUNK];
    pad_into(&mut src, rest);
    src
}

/// Maps and stores one chunk, unless it needs the portable path (see the
/// module docs): then `None`, with nothing done.
#[inline]
#[target_feature(enable = "avx2,bmi1,bmi2,popcnt")]
fn fast_chunk<M, S, const SPECIAL: u8>(
    rules: &Special<M, S, SPECIAL>,
    buf: &mut [u8],
    (chunk, collapse): (Chunk, Collapse),
) -> Option<Collapse>
where
    M: Fn(u8) -> u8,
    S: Fn(usize) -> u8,
{
    let Chunk {
        src,
        start,
        first,
        end,
    } = chunk;
    // The lanes already done (ASCII, as they were done) are left out.
    let fresh = u32::MAX << first;
    if movemask(load(&src)) != 0 {
        // Non-ASCII: the portable path finds where.
        return None;
    }
    // Branch-free, so that the compiler makes it a few vector instructions.
    let mut mapped = [0; CHUNK];
    for i in 0..CHUNK {
        mapped[i] = (rules.map)(src[i]);
    }
    let vector = load(&mapped);
    let dropped = movemask(_mm256_cmpeq_epi8(vector, _mm256_set1_epi8(DROP as i8)));
    let specials = movemask(_mm256_cmpeq_epi8(
        load(&src),
        _mm256_set1_epi8(SPECIAL as i8),
    ));
    // Mapped letters are the only bytes from `a` up.
    let letters = movemask(_mm256_cmpgt_epi8(vector, _mm256_set1_epi8(b'a' as i8 - 1)));
    if dropped & fresh != 0 {
        return None;
    }
    // A `SPECIAL` needs its rule before a letter, and in the last lane
    // unless the segment ends there (the next byte is not in this chunk);
    // the rule is asked lane by lane, as the portable path asks it. Its
    // `SPACE` is what the map gave; a `DROP` removes the lane.
    let unseen = u32::from(!end) << (CHUNK - 1);
    let mut ruled = specials & ((letters >> 1) | unseen) & fresh;
    let mut removed = 0;
    while ruled != 0 {
        let lane = ruled.trailing_zeros();
        if (rules.map_special)(start + lane as usize) == DROP {
            removed |= 1 << lane;
        }
        ruled &= ruled - 1;
    }
    let spaces =
        movemask(_mm256_cmpeq_epi8(vector, _mm256_set1_epi8(SPACE as i8))) & fresh & !removed;
    let doubled = spaces & ((spaces << 1) | (u32::from(collapse.prev == SPACE) << first));
    let kept = !doubled & fresh & !removed;
    // One bounds check for the chunk: each word lands at most 8 bytes past
    // the last, and `buf` has a chunk of room past the end of the segment.
    let dst = &mut buf[collapse.write..collapse.write + CHUNK];
    if kept == u32::MAX {
        // NOTE: most chunks of prose keep every byte (a driver counted 61%):
        // one store instead of four packed words.
        dst.copy_from_slice(&mapped);
        return Some(Collapse {
            write: collapse.write + CHUNK,
            prev: mapped[CHUNK - 1],
        });
    }
    let words = [
        _mm256_extract_epi64::<0>(vector) as u64,
        _mm256_extract_epi64::<1>(vector) as u64,
        _mm256_extract_epi64::<2>(vector) as u64,
        _mm256_extract_epi64::<3>(vector) as u64,
    ];
    let mut at = 0;
    for (i, word) in words.into_iter().enumerate() {
        let keep = (kept >> (8 * i)) as u8;
        // The store may reach past what is kept; the next one overwrites
        // it, and it never reaches bytes not yet read.
        let packed = _pext_u64(word, BYTE_MASKS[usize::from(keep)]);
        dst[at..at + 8].copy_from_slice(&packed.to_le_bytes());
        at += keep.count_ones() as usize;
    }
    let write = collapse.write + at;
    // NOTE: a last lane the rule removed still leaves its mapped `SPACE`
    // here; no step can tell, as a letter comes next (the rule removes only
    // before one), and a letter is kept whatever came before.
    Some(Collapse {
        write,
        prev: mapped[CHUNK - 1],
    })
}

/// By a byte's worth of lane bits: `0xff` in each byte whose bit is set.
static BYTE_MASKS: [u64; 256] = {
    let mut masks = [0; 256];
    let mut bits = 0;
    while bits < 256 {
        let mut lane = 0;
        while lane < 8 {
            if bits >> lane & 1 == 1 {
                masks[bits] |= 0xff << (8 * lane);
            }
            lane += 1;
        }
        bits += 1;
    }
    masks
};

/// The 32 bytes of `bytes` as a vector.
#[inline]
#[target_feature(enable = "avx2")]
fn load(bytes: &[u8; CHUNK]) -> __m256i {
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
