//! Metric values as the reference types them, and Python's float `repr`.
//!
//! PLACEHOLDER: interface only; to be implemented.

use crate::pyint::PyInt;

/// A metric value: an int, a float or a string, as the reference's `to_number` yields it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(PyInt),
    Float(f64),
    Str(String),
}

/// Types `s` as the reference's `to_number` does.
pub fn to_number(s: &str) -> Value { todo!() }

/// Formats `f` as Python's `repr(float)` does (`1e-05`, `100.0`, `-0.0`, `inf`).
pub fn float_repr(f: f64) -> String { todo!() }

impl Value {
    /// Returns `int(value)` as the reference's checks compute it, or why Python would raise.
    pub fn to_int(&self) -> Result<PyInt, String> { todo!() }
}
