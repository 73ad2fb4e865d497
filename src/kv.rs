//! The `key=value` rule of metric lines, as the reference's regex applies it.
//!
//! PLACEHOLDER: interface only; to be implemented.

use crate::value::Value;

/// Metric pairs of one line in the reference's dict order: a repeated key keeps
/// its first position and takes its last value.
pub type Pairs = Vec<(String, Value)>;

/// Incremental parser of `([a-zA-Z0-9_]+)=([^\s]+)` matches over a line fed in pieces.
#[derive(Debug, Default)]
pub struct PairParser {
    // private state
}

impl PairParser {
    /// Returns a parser at the start of a line.
    pub fn new() -> PairParser { todo!() }
    /// Feeds the next piece of the (already decoded) line.
    pub fn feed(&mut self, text: &str) { todo!() }
    /// Ends the line and returns its pairs.
    pub fn finish(self) -> Pairs { todo!() }
}

/// Parses a whole decoded line.
pub fn parse_line(line: &str) -> Pairs {
    let mut parser = PairParser::new();
    parser.feed(line);
    parser.finish()
}
