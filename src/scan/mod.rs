//! Finding metric lines in logs: the backward tail scan for the last line of
//! each token, the forward scan for every line, the lines themselves (bounds,
//! numbers, text), the timestamp a line starts with, and the `key=value` rule
//! applied to them.

pub mod forward;
pub mod kv;
pub mod lines;
pub mod tail;
pub mod timestamp;
