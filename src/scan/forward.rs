//! The forward scan: every line of a log that holds one of some tokens, in
//! order, with its line number, for limits judged over the whole run.
//!
//! One pass from the start finds the tokens' occurrences with `memmem`; each
//! line holding one is read (bounded, through [`crate::scan::lines`]) and its
//! number found by counting the line breaks since the previous one, so the log
//! is read about once however many lines hold tokens. What a line's values
//! mean is left to the caller.

use crate::scan::lines::{breaks_between, line_end, line_start, parse_span, Span, BLOCK};
use memchr::memmem::Finder;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// A line holding at least one of the tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLine {
    /// 1-based line number (Python's `str.splitlines` rules).
    pub number: u64,
    /// Byte offset of the line's first byte.
    pub start: u64,
    /// Which of the tokens the line holds, by index.
    pub tokens: Vec<usize>,
    /// The line's `key=value` pairs, values still raw.
    pub pairs: Vec<(String, String)>,
    /// The line's text ran past [`crate::scan::kv::LINE_BUDGET`] and the rest was not read.
    pub cut: bool,
}

/// Calls `visit` with every line of `file` (a regular file of `len` bytes) that
/// holds one of `tokens`, in file order.
pub fn each_line<T: AsRef<str>>(
    file: &File,
    len: u64,
    tokens: &[T],
    visit: impl FnMut(TokenLine),
) -> io::Result<()> {
    each_line_with(file, len, tokens, BLOCK, visit)
}

/// Scans like [`each_line`] with reads of `block` bytes.
///
/// Public for the property tests only: small blocks split tokens between reads.
#[doc(hidden)]
pub fn each_line_with<T: AsRef<str>>(
    file: &File,
    len: u64,
    tokens: &[T],
    block: usize,
    mut visit: impl FnMut(TokenLine),
) -> io::Result<()> {
    let tokens: Vec<&[u8]> = tokens.iter().map(|t| t.as_ref().as_bytes()).collect();
    let finders: Vec<Finder> = tokens.iter().map(Finder::new).collect();
    let block = block.clamp(1, BLOCK);
    let overlap = tokens.iter().map(|t| t.len()).max().unwrap_or(1).max(1) - 1;
    let mut buf = vec![0u8; block + overlap];
    // Reads around one line (its bounds, its text, the breaks before it).
    let mut line_buf = vec![0u8; block.max(64) + 2];
    let mut current: Option<TokenLine> = None;
    let mut current_end = 0u64;
    let mut counted_to = 0u64;
    let mut breaks = 0u64;
    let mut hits: Vec<(u64, usize)> = Vec::new();
    let mut lo = 0u64;
    while lo < len {
        let hi = lo.saturating_add(block as u64).min(len);
        let whi = hi.saturating_add(overlap as u64).min(len);
        let window = &mut buf[..(whi - lo) as usize];
        file.read_exact_at(window, lo)?;
        hits.clear();
        for (index, finder) in finders.iter().enumerate() {
            // An occurrence starting in the overlap belongs to the next block.
            hits.extend(
                finder
                    .find_iter(window)
                    .filter(|&at| (at as u64) < hi - lo)
                    .map(|at| (lo + at as u64, index)),
            );
        }
        hits.sort_unstable();
        for &(at, index) in &hits {
            if let Some(line) = current.as_mut().filter(|_| at < current_end) {
                if !line.tokens.contains(&index) {
                    line.tokens.push(index);
                }
                continue;
            }
            if let Some(done) = current.take() {
                visit(done);
            }
            let start = line_start(file, at, &mut line_buf)?;
            let end = line_end(file, at + tokens[index].len() as u64, len, &mut line_buf)?;
            breaks += breaks_between(file, counted_to, start, &mut line_buf)?;
            counted_to = start;
            let Span {
                pairs,
                preview: _,
                cut,
            } = parse_span(file, start, end, &mut line_buf)?;
            current = Some(TokenLine {
                number: breaks + 1,
                start,
                tokens: vec![index],
                pairs,
                cut,
            });
            current_end = end;
        }
        lo = hi;
    }
    if let Some(done) = current {
        visit(done);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    fn lines_of(log: &[u8], tokens: &[&str], block: usize) -> Vec<TokenLine> {
        let scratch = Scratch::new("forward");
        let path = scratch.path().join("log");
        std::fs::write(&path, log).unwrap();
        let file = File::open(&path).unwrap();
        let mut seen = Vec::new();
        each_line_with(&file, log.len() as u64, tokens, block, |line| {
            seen.push(line)
        })
        .unwrap();
        seen
    }

    #[test]
    fn every_line_holding_a_token_in_order_with_its_number() {
        let log = b"start\nA x=1\r\nnoise A\x0bB y=2 A\nzzz\xe2\x80\xa8B z=3\nend A";
        for block in [1, 2, 3, 5, 7, 64, 1 << 20] {
            let seen = lines_of(log, &["A", "B"], block);
            type Seen = (u64, Vec<usize>, Vec<(String, String)>);
            let summary: Vec<Seen> = seen
                .into_iter()
                .map(|line| {
                    let mut tokens = line.tokens;
                    tokens.sort_unstable();
                    (line.number, tokens, line.pairs)
                })
                .collect();
            let pair = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
            assert_eq!(
                summary,
                [
                    (2, vec![0], pair("x", "1")),
                    (3, vec![0], vec![]),
                    (4, vec![0, 1], pair("y", "2")),
                    (6, vec![1], pair("z", "3")),
                    (7, vec![0], vec![]),
                ],
                "block {block}"
            );
        }
    }
}
