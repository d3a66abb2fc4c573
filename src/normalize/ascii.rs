//! Byte-at-a-time rewriting of pure-ASCII segments through a 128-entry table.

/// The table entry for bytes that are removed.
pub(crate) const DROP: u8 = 0;
/// The table entry for bytes that become a (collapsed) space.
pub(crate) const SPACE: u8 = b' ';

/// Rewrites the ASCII `segment` into `out` (cleared first): each byte `b`
/// becomes `table[b]`, except that `DROP` entries are removed and runs of
/// `SPACE` entries become one space, with none at either end.
///
/// `segment` must be ASCII; other bytes are dropped.
pub(crate) fn rewrite(table: &[u8; 128], segment: &str, out: &mut String) {
    // Working on the bytes of `out` avoids a char encode per byte; the buffer
    // keeps its capacity through the round trip.
    let mut buf = std::mem::take(out).into_bytes();
    buf.clear();
    buf.reserve(segment.len());
    let mut pending = false;
    for &b in segment.as_bytes() {
        let m = table.get(usize::from(b)).copied().unwrap_or(DROP);
        if m == SPACE {
            pending = !buf.is_empty();
        } else if m != DROP {
            if pending {
                buf.push(b' ');
                pending = false;
            }
            buf.push(m);
        }
    }
    *out = match String::from_utf8(buf) {
        Ok(text) => text,
        // Unreachable: every byte pushed is an ASCII table entry.
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
}
