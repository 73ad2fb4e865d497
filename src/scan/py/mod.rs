//! Python's semantics that byte-compatibility with the reference needs:
//! `int()` on strings, the reference's `to_number`, float `repr`, the `str`
//! character classes, and `json.dumps(indent=2)`'s layout.

pub mod int;
pub mod json;
pub(crate) mod unicode;
pub mod value;
