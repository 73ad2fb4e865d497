//! Arbitrary-size integers with the semantics of Python's `int()` on strings.
//!
//! PLACEHOLDER: interface only; to be implemented.

use std::cmp::Ordering;
use std::fmt;

/// An integer of any size, as Python's `int` holds it.
///
/// Stored as a sign and ASCII decimal digits without leading zeros
/// (zero is `"0"` and never negative).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PyInt {
    negative: bool,
    digits: String,
}

/// Why Python's `int()` rejects a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntError {
    /// `invalid literal for int() with base 10`.
    Invalid,
    /// More than 4300 digits (CPython's `sys.get_int_max_str_digits()` default).
    TooManyDigits,
}

impl PyInt {
    /// Returns the integer `v`.
    pub fn from_i64(v: i64) -> PyInt { todo!() }
    /// Parses `s` as Python's `int(s)` does for a `str` in base 10.
    pub fn parse(s: &str) -> Result<PyInt, IntError> { todo!() }
    /// Returns `int(f)`: `f` truncated toward zero, exactly; `None` for inf/nan.
    pub fn from_f64_trunc(f: f64) -> Option<PyInt> { todo!() }
    /// Returns true if and only if the value is zero.
    pub fn is_zero(&self) -> bool { todo!() }
    /// Returns the value as `i64` when it fits.
    pub fn to_i64(&self) -> Option<i64> { todo!() }
}

impl Ord for PyInt { fn cmp(&self, other: &Self) -> Ordering { todo!() } }
impl PartialOrd for PyInt { fn partial_cmp(&self, other: &Self) -> Option<Ordering> { Some(self.cmp(other)) } }
impl fmt::Display for PyInt { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { todo!() } }
