//! The log tail scan: finds the last line holding each metric token by reading backwards.
//!
//! The reference decodes a whole log (UTF-8, invalid bytes replaced), splits it
//! with `str.splitlines` and keeps the last line holding each token. Tokens are
//! ASCII and every line break is a complete UTF-8 sequence, so both searches run
//! on raw bytes here: one backward pass over fixed-size blocks finds each
//! token's last occurrence, then only the lines holding them are read, decoded
//! and streamed into [`crate::kv::PairParser`]. Memory stays bounded by the block size plus
//! the pairs kept. Typing values is left to the crate-private `py::value`, the
//! pair rule to [`crate::kv`].

use crate::kv::Pairs;
use crate::kv::PAIRS_BUDGET;
use crate::lines::{line_end, line_start, parse_span_within, Cached, Span, BLOCK};
use crate::py::value::to_number;
use memchr::memmem::Finder;
use std::cell::RefCell;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// The four tokens, in the order the reference looks them up.
pub const TOKENS: [&str; 4] = [
    "PIPELINE_METRICS",
    "LATENCY_METRICS",
    "FAULT_COUNTERS",
    "RTP_METRICS",
];

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
    /// True if and only if the line was cut ([`crate::kv`]): a run of its text
    /// or the scenario's pairs went past what is kept, so a metric may have been lost.
    pub cut: bool,
}

/// A [`Hit`] whose values are still the raw strings the regex captured.
///
/// Public for the fuzz targets and property tests only.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq)]
pub struct RawHit {
    pub start: u64,
    pub end: u64,
    pub pairs: Vec<(String, String)>,
    pub preview: String,
    pub cut: bool,
}

/// Scans `file` (a regular file of `len` bytes) once from the end and returns the
/// last line holding each of `tokens`, in their order.
pub fn scan<T: AsRef<str>>(
    file: &mut File,
    len: u64,
    tokens: &[T],
) -> io::Result<Vec<Option<Hit>>> {
    let raw = scan_raw(file, len, BLOCK, tokens)?;
    Ok(raw.into_iter().map(|hit| hit.map(RawHit::typed)).collect())
}

impl RawHit {
    /// Types the values as the reference's `to_number` does.
    pub fn typed(self) -> Hit {
        let RawHit {
            start,
            end,
            pairs,
            preview,
            cut,
        } = self;
        let pairs = pairs
            .into_iter()
            .map(|(k, v)| {
                let value = to_number(&v);
                (k, value)
            })
            .collect();
        Hit {
            start,
            end,
            pairs,
            preview,
            cut,
        }
    }
}

/// Scans like [`scan`] with reads of `block` bytes and returns raw values.
///
/// Public for the fuzz targets and property tests only: small blocks split
/// tokens, line breaks and UTF-8 sequences between reads.
#[doc(hidden)]
pub fn scan_raw<T: AsRef<str>>(
    file: &File,
    len: u64,
    block: usize,
    tokens: &[T],
) -> io::Result<Vec<Option<RawHit>>> {
    let tokens: Vec<&[u8]> = tokens.iter().map(|t| t.as_ref().as_bytes()).collect();
    let block = block.clamp(1, BLOCK);
    // A block keeps this much of the block after it, so that a token split between them is found.
    let overlap = tokens.iter().map(|t| t.len()).max().unwrap_or(1).max(1) - 1;
    // Metric lines sit near the end: the first read is small (no larger than the
    // file), later ones double.
    let first = block
        .min(FIRST_READ)
        .min(usize::try_from(len).unwrap_or(usize::MAX))
        .max(1);
    let size = first + overlap.max(2);
    let mut window = vec![0u8; size];
    let (positions, at, kept) =
        last_positions(file, len, first, block, overlap, &tokens, &mut window)?;
    // The last read stays in memory: lines inside it are found and parsed from there.
    let file = &Cached {
        file,
        at,
        bytes: &window[..kept],
    };
    let mut buf = vec![0u8; size];
    let mut hits: Vec<Option<RawHit>> = vec![None; tokens.len()];
    // The pairs of all the lines found share one budget: what a scenario holds.
    let mut left = PAIRS_BUDGET;
    for i in 0..tokens.len() {
        let Some(pos) = positions[i] else { continue };
        let same_line = hits
            .iter()
            .flatten()
            .find(|h| h.start <= pos && pos < h.end)
            .cloned();
        hits[i] = Some(match same_line {
            Some(hit) => hit,
            None => {
                let start = line_start(file, pos, &mut buf)?;
                let token_end = pos.saturating_add(tokens[i].len() as u64);
                let end = line_end(file, token_end, len, &mut buf)?;
                let (span, kept) = parse_span_within(file, start, end, &mut buf, left)?;
                left = left.saturating_sub(kept);
                let Span {
                    pairs,
                    preview,
                    cut,
                } = span;
                RawHit {
                    start,
                    end,
                    pairs,
                    preview,
                    cut,
                }
            }
        });
    }
    Ok(hits)
}

/// Returns the offset of the last occurrence of each token, reading `file` backwards once.
/// Bytes of the first read from a log's end; each later read doubles, up to the block size.
const FIRST_READ: usize = 64 << 10;

/// Returns the offset of the last occurrence of each token, reading `file` backwards once,
/// `first` bytes first and twice as many each time after, at most `block` at a time; and
/// the offset and length of the last window read, which `buf` still holds.
fn last_positions(
    file: &File,
    len: u64,
    first: usize,
    block: usize,
    overlap: usize,
    tokens: &[&[u8]],
    buf: &mut Vec<u8>,
) -> io::Result<(Vec<Option<u64>>, u64, usize)> {
    with_finders(tokens, |finders| {
        search_backwards(file, len, first, block, overlap, finders, buf)
    })
}

/// Token searchers kept per thread at most; more tokens than that are searched for
/// with searchers built for the call.
const FINDERS_KEPT: usize = 64;

thread_local! {
    /// The searchers for the tokens this thread has looked for: building one costs
    /// more than searching the tail of a small log, and a run's logs share their tokens.
    static FINDERS: RefCell<Vec<(Vec<u8>, Finder<'static>)>> = const { RefCell::new(Vec::new()) };
}

/// Calls `search` with a searcher for each of `tokens`, in their order.
fn with_finders<R>(tokens: &[&[u8]], search: impl FnOnce(&[&Finder<'static>]) -> R) -> R {
    if tokens.len() > FINDERS_KEPT {
        let built: Vec<Finder<'static>> = tokens
            .iter()
            .map(|token| Finder::new(token).into_owned())
            .collect();
        return search(&built.iter().collect::<Vec<_>>());
    }
    FINDERS.with_borrow_mut(|kept| {
        let missing = tokens
            .iter()
            .filter(|token| !kept.iter().any(|(known, _)| known == *token))
            .count();
        if kept.len() + missing > FINDERS_KEPT {
            kept.clear();
        }
        for token in tokens {
            if !kept.iter().any(|(known, _)| known == token) {
                kept.push((token.to_vec(), Finder::new(token).into_owned()));
            }
        }
        let finders: Vec<&Finder<'static>> = tokens
            .iter()
            .filter_map(|token| kept.iter().find(|(known, _)| known == token))
            .map(|(_, finder)| finder)
            .collect();
        search(&finders)
    })
}

/// Does [`last_positions`]' work with a searcher for each token.
fn search_backwards(
    file: &File,
    len: u64,
    first: usize,
    block: usize,
    overlap: usize,
    finders: &[&Finder<'static>],
    buf: &mut Vec<u8>,
) -> io::Result<(Vec<Option<u64>>, u64, usize)> {
    // Forward search with SIMD beats a reverse one over a whole window; the first
    // windows are small anyway.
    let mut found: Vec<Option<u64>> = vec![None; finders.len()];
    let mut hi = len;
    let mut prev_window = 0usize;
    let mut chunk = first;
    while hi > 0 && found.iter().any(Option::is_none) {
        let lo = hi.saturating_sub(chunk as u64);
        let n = (hi - lo) as usize;
        // The first bytes of the previous window continue this block in the file.
        let keep = prev_window.min(overlap);
        if buf.len() < n + keep.max(2) {
            buf.resize(n + keep.max(2), 0);
        }
        buf.copy_within(..keep, n);
        file.read_exact_at(&mut buf[..n], lo)?;
        let window = &buf[..n + keep];
        for (slot, finder) in found.iter_mut().zip(finders) {
            if slot.is_none() {
                *slot = finder.find_iter(window).last().map(|k| lo + k as u64);
            }
        }
        prev_window = n + keep;
        hi = lo;
        chunk = chunk.saturating_mul(2).min(block);
    }
    Ok((found, hi, prev_window))
}

#[cfg(test)]
mod tests {
    // The scanner against the naive forward scan and python3, on hand-made and random
    // logs, is tested with the shared oracles in `tests/it/scan.rs` and `tests/it/fuzzing.rs`.
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn scan_types_values() {
        let log = b"x\nFAULT_COUNTERS torn_read_events=998 r=0.5 s=ok\nRTP_METRICS\n";
        let scratch = Scratch::new("scan-types");
        let path = scratch.path().join("log");
        std::fs::write(&path, log).unwrap();
        let mut file = File::open(&path).unwrap();
        let hits = scan(&mut file, log.len() as u64, &TOKENS).unwrap();
        let fault = hits[2].as_ref().unwrap();
        assert_eq!((fault.start, fault.end), (2, 48));
        assert_eq!(
            fault.pairs,
            vec![
                ("torn_read_events".to_string(), to_number("998")),
                ("r".to_string(), to_number("0.5")),
                ("s".to_string(), to_number("ok")),
            ]
        );
        assert!(hits[3].as_ref().is_some_and(|h| h.pairs.is_empty()));
        assert!(hits[0].is_none() && hits[1].is_none());
        assert_eq!(
            crate::lines::line_number(&mut file, fault.start).unwrap(),
            2
        );
    }
}
