//! Finding metric lines in logs: the backward tail scan for the last line of
//! each token, the forward scan for every line, the lines themselves (bounds,
//! numbers, text), and the `key=value` rule applied to them; with a `logs`
//! section, how a logging stack's lines are read (`format`, `json_line`, `cri`,
//! `logical`). The time a line starts with is read by `crate::timestamp`.

pub mod cri;
pub mod format;
pub mod forward;
pub mod json_line;
pub mod kv;
pub mod lines;
pub mod logical;
pub mod tail;
