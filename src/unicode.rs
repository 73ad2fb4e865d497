//! Python 3.11's Unicode character classes that the reference relies on.
//!
//! PLACEHOLDER: interface only; to be implemented.

/// Returns true if and only if Python's `str.isspace()` (and `re`'s `\s`) holds for `c`.
pub(crate) fn is_space(c: char) -> bool { todo!() }

/// Returns the digit value of `c` when it is a Unicode decimal digit (category Nd).
pub(crate) fn decimal_value(c: char) -> Option<u32> { todo!() }
