//! A reusable per-thread buffer for the passes that cannot work in place.

use std::cell::RefCell;

thread_local! {
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` with this thread's scratch buffer, cleared.
///
/// The buffer keeps its capacity between calls, so a warm thread does not
/// allocate. A nested call (not expected) gets a fresh buffer instead of
/// panicking.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut String) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            f(&mut buf)
        }
        Err(_) => f(&mut String::new()),
    })
}
