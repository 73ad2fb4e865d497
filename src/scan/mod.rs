//! Finding metric lines in logs: the backward tail scan, line numbers, and
//! the `key=value` rule applied to the lines found.

pub mod kv;
pub mod tail;
