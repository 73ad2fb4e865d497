//! The log tail scan: finds the last line holding each metric token by reading backwards.
//!
//! PLACEHOLDER: interface only; to be implemented.

use crate::kv::Pairs;
use std::fs::File;
use std::io;

/// The four tokens, in the order the reference looks them up.
pub const TOKENS: [&str; 4] = ["PIPELINE_METRICS", "LATENCY_METRICS", "FAULT_COUNTERS", "RTP_METRICS"];

/// The last line holding one token.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Byte offset of the line's first byte.
    pub start: u64,
    /// Byte offset just past the line's last byte (before its line break).
    pub end: u64,
    /// The line's pairs, as the reference parses them.
    pub pairs: Pairs,
    /// The line, decoded lossily, cut to at most 4096 bytes for messages.
    pub preview: String,
}

/// Scans `file` (a regular file of `len` bytes) once from the end and returns the
/// last line holding each of [`TOKENS`], in that order.
pub fn scan(file: &mut File, len: u64) -> io::Result<[Option<Hit>; 4]> { todo!() }

/// Returns the 1-based line number (Python `str.splitlines` rules) of the line starting at `offset`.
pub fn line_number(file: &mut File, offset: u64) -> io::Result<u64> { todo!() }
