//! Byte spans into the original text.

use std::fmt;
use std::ops::Range;

/// A half-open byte range `[start, end)` into the text a segment came from.
///
/// Spans always point into the *original* text handed to the library, never
/// into a normalized copy, so `&text[span.range()]` is the segment as the
/// user wrote it.
///
/// ```
/// use textdedup::Span;
///
/// let text = "Hello, world.";
/// let span = Span::new(7, 12);
/// assert_eq!(&text[span.range()], "world");
/// assert_eq!(span.len(), 5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Span {
    /// The first byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// Creates a span from `start` to `end`.
    ///
    /// # Panics
    ///
    /// Panics if `start > end`, which is a bug in the caller rather than bad
    /// input.
    ///
    /// ```
    /// let span = textdedup::Span::new(3, 8);
    /// assert_eq!((span.start, span.end), (3, 8));
    /// ```
    #[inline]
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "invalid span: start {start} > end {end}");
        Span { start, end }
    }

    /// The number of bytes in the span.
    ///
    /// ```
    /// assert_eq!(textdedup::Span::new(3, 8).len(), 5);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    ///
    /// ```
    /// assert!(textdedup::Span::new(4, 4).is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The span as a `Range`, for slicing: `&text[span.range()]`.
    ///
    /// ```
    /// assert_eq!(&"abcdef"[textdedup::Span::new(1, 3).range()], "bc");
    /// ```
    #[inline]
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Whether `other` lies entirely inside this span.
    ///
    /// ```
    /// use textdedup::Span;
    /// assert!(Span::new(0, 10).contains(Span::new(2, 5)));
    /// assert!(!Span::new(0, 10).contains(Span::new(8, 12)));
    /// ```
    #[inline]
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The span moved right by `offset` bytes, used to turn a span relative
    /// to a piece of text into one relative to the text containing it.
    ///
    /// ```
    /// use textdedup::Span;
    /// assert_eq!(Span::new(1, 3).offset(10), Span::new(11, 13));
    /// ```
    #[inline]
    pub fn offset(&self, offset: usize) -> Span {
        Span {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

impl From<Span> for Range<usize> {
    fn from(span: Span) -> Range<usize> {
        span.range()
    }
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Span {
        Span::new(range.start, range.end)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{},{})", self.start, self.end)
    }
}
