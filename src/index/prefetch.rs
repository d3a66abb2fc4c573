//! A read prefetch: the index's only `unsafe`.
//!
//! Why: inserting a document's keys waits on three dependent loads per key
//! (control group, slot, record), in a table far larger than the caches;
//! asking for the next document's buckets ahead lets those loads overlap
//! the work on this one. A prefetch is a hint that never faults, whatever
//! the address, but the intrinsic is an `unsafe` function.

/// Starts loading the cache line that holds `value`, without waiting.
#[inline(always)]
pub(crate) fn read<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of x86-64, so the intrinsic's target feature
        // is always there; a prefetch reads nothing and cannot fault, and
        // the pointer comes from a reference in any case.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
