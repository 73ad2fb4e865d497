//! Finding metric lines in logs: the backward tail scan for the last line of
//! each token, the forward scan for every line, the lines themselves (bounds,
//! numbers, text), and the `key=value` rule applied to them. The time a line
//! starts with is read by `crate::timestamp`.

pub mod forward;
pub mod kv;
pub mod lines;
pub mod tail;
