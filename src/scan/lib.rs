//! Reading the suite's logs as the reference reads them: finding metric lines
//! (the backward tail scan for the last line of each token, the forward scan
//! for every line), the lines themselves (bounds, numbers, text), and the
//! `key=value` rule applied to them; with a `logs` section, how a logging
//! stack's lines are read (`format`, `json_line`, `cri`, `logical`); the time a
//! line starts with (`timestamp`); and Python's value rules the reference's
//! bytes depend on (`py`).
//!
//! A package of its own (`fault-scan`, in the workspace of `fault-harness`) for
//! one reason: the workspace's `Cargo.toml` optimizes it in the profile plain
//! `cargo test` uses, so the harness reads gigabyte logs at nearly the release
//! build's speed there, while the rest of the crate and every test stays
//! unoptimized and quick to build (BENCHMARKS.md, *testprofile*).

pub mod cri;
pub mod format;
pub mod forward;
pub mod json_line;
pub mod kv;
pub mod lines;
pub mod logical;
pub mod py;
pub mod tail;
#[cfg(test)]
mod testing;
pub mod timestamp;
