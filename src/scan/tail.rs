//! The log tail scan: finds the last line holding each metric token by reading backwards.
//!
//! The reference decodes a whole log (UTF-8, invalid bytes replaced), splits it
//! with `str.splitlines` and keeps the last line holding each token. Tokens are
//! ASCII and every line break is a complete UTF-8 sequence, so both searches run
//! on raw bytes here: one backward pass over fixed-size blocks finds each
//! token's last occurrence, then only the lines holding them are read, decoded
//! and streamed into [`PairParser`]. Memory stays bounded by the block size plus
//! the pairs kept. Typing values is left to the crate-private `py::value`, the
//! pair rule to [`crate::scan::kv`].

use crate::py::value::to_number;
use crate::scan::kv::{PairParser, Pairs};
use memchr::memmem::Finder;
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
    /// True if and only if the line holds more pairs than [`crate::scan::kv::LINE_BUDGET`]
    /// allows and some were dropped or shortened.
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

/// Bytes read per positioned read.
const BLOCK: usize = 1024 * 1024;

/// Bytes of the preview kept at most.
const PREVIEW_MAX: usize = 4096;

/// The line breaks of Python's `str.splitlines`, as UTF-8 bytes (`\r\n` counts as one).
pub const LINE_BREAKS: [&[u8]; 11] = [
    b"\n",
    b"\r",
    b"\r\n",
    b"\x0b",
    b"\x0c",
    b"\x1c",
    b"\x1d",
    b"\x1e",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xe2\x80\xa9",
];

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
    fn typed(self) -> Hit {
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
    let mut buf = vec![0u8; block + overlap.max(2)];
    let positions = last_positions(file, len, block, overlap, &tokens, &mut buf)?;
    let mut hits: Vec<Option<RawHit>> = vec![None; tokens.len()];
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
                let Span {
                    pairs,
                    preview,
                    cut,
                } = parse_span(file, start, end, &mut buf)?;
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
fn last_positions(
    file: &File,
    len: u64,
    block: usize,
    overlap: usize,
    tokens: &[&[u8]],
    buf: &mut [u8],
) -> io::Result<Vec<Option<u64>>> {
    let finders: Vec<Finder> = tokens.iter().map(Finder::new).collect();
    let mut found: Vec<Option<u64>> = vec![None; tokens.len()];
    let mut hi = len;
    let mut prev_window = 0usize;
    while hi > 0 && found.iter().any(Option::is_none) {
        let lo = hi.saturating_sub(block as u64);
        let n = (hi - lo) as usize;
        // The first bytes of the previous window continue this block in the file.
        let keep = prev_window.min(overlap);
        buf.copy_within(..keep, n);
        file.read_exact_at(&mut buf[..n], lo)?;
        let window = &buf[..n + keep];
        for (slot, finder) in found.iter_mut().zip(&finders) {
            if slot.is_none() {
                *slot = finder.find_iter(window).last().map(|k| lo + k as u64);
            }
        }
        prev_window = n + keep;
        hi = lo;
    }
    Ok(found)
}

/// Bytes read by the first step of a search for a line's start or end: a metric
/// line is short, so reading a whole block around it would read the file twice
/// near every hit.
const FIRST_LINE_CHUNK: u64 = 4096;

/// Returns the size of the first read of a line-boundary search in `buf`.
fn first_chunk(buf: &[u8]) -> u64 {
    FIRST_LINE_CHUNK.min((buf.len() - 2) as u64).max(1)
}

/// Returns the next, doubled, read size of a line-boundary search, at most what `buf` holds.
fn next_chunk(chunk: u64, buf: &[u8]) -> u64 {
    chunk.saturating_mul(2).min((buf.len() - 2) as u64).max(1)
}

/// Returns the offset where the line holding the byte at `pos` starts.
fn line_start(file: &File, pos: u64, buf: &mut [u8]) -> io::Result<u64> {
    // Two bytes before each block let a break ending in the block be recognized.
    let mut chunk = first_chunk(buf);
    let mut hi = pos;
    while hi > 0 {
        let lo = hi.saturating_sub(chunk);
        let wlo = lo.saturating_sub(2);
        let window = &mut buf[..(hi - wlo) as usize];
        file.read_exact_at(window, wlo)?;
        let first = (lo - wlo) as usize;
        for i in (first..window.len()).rev() {
            let is_break_end = match window[i] {
                0x0a..=0x0d | 0x1c..=0x1e => true,
                0x85 => i >= 1 && window[i - 1] == 0xc2,
                0xa8 | 0xa9 => i >= 2 && window[i - 1] == 0x80 && window[i - 2] == 0xe2,
                _ => false,
            };
            if is_break_end {
                return Ok(wlo + i as u64 + 1);
            }
        }
        hi = lo;
        chunk = next_chunk(chunk, buf);
    }
    Ok(0)
}

/// Returns the offset of the first line break at or after `from`, or `len` if none follows.
fn line_end(file: &File, from: u64, len: u64, buf: &mut [u8]) -> io::Result<u64> {
    // Two bytes after each block let a break starting in the block be recognized.
    let mut chunk = first_chunk(buf);
    let mut lo = from;
    while lo < len {
        let hi = lo.saturating_add(chunk).min(len);
        let whi = hi.saturating_add(2).min(len);
        let window = &mut buf[..(whi - lo) as usize];
        file.read_exact_at(window, lo)?;
        let n = (hi - lo) as usize;
        for i in 0..n {
            let is_break_start = match window[i] {
                0x0a..=0x0d | 0x1c..=0x1e => true,
                0xc2 => window.get(i + 1) == Some(&0x85),
                0xe2 => {
                    window.get(i + 1) == Some(&0x80)
                        && matches!(window.get(i + 2), Some(0xa8 | 0xa9))
                }
                _ => false,
            };
            if is_break_start {
                return Ok(lo + i as u64);
            }
        }
        lo = hi;
        chunk = next_chunk(chunk, buf);
    }
    Ok(len)
}

/// What [`parse_span`] reads off a line.
struct Span {
    pairs: Vec<(String, String)>,
    preview: String,
    /// The pairs were cut to [`crate::scan::kv::LINE_BUDGET`].
    cut: bool,
}

/// Decodes the bytes `start..end` of `file` lossily and returns their pairs and preview.
fn parse_span(file: &File, start: u64, end: u64, buf: &mut [u8]) -> io::Result<Span> {
    let mut parser = PairParser::new();
    let mut preview = Preview::default();
    let mut carry = 0usize;
    let mut pos = start;
    while pos < end {
        let n = ((end - pos).min((buf.len() - carry) as u64)) as usize;
        let filled = carry + n;
        file.read_exact_at(&mut buf[carry..filled], pos)?;
        pos += n as u64;
        carry = decode_lossy(&buf[..filled], |s| {
            parser.feed(s);
            preview.push(s);
        });
        buf.copy_within(filled - carry..filled, 0);
    }
    if carry > 0 {
        parser.feed("\u{fffd}");
        preview.push("\u{fffd}");
    }
    let (pairs, cut) = parser.finish_raw();
    Ok(Span {
        pairs,
        preview: preview.text,
        cut,
    })
}

/// Passes the text of `bytes` to `emit`, one U+FFFD per maximal invalid
/// subpart, and returns the length of an incomplete sequence left at the end.
fn decode_lossy(bytes: &[u8], mut emit: impl FnMut(&str)) -> usize {
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                emit(text);
                return 0;
            }
            Err(err) => {
                let (valid, after) = rest.split_at(err.valid_up_to());
                if let Ok(text) = std::str::from_utf8(valid) {
                    emit(text);
                }
                match err.error_len() {
                    Some(bad) => {
                        emit("\u{fffd}");
                        rest = after.get(bad..).unwrap_or_default();
                    }
                    None => return after.len(),
                }
            }
        }
    }
}

/// The start of a line's text, cut at a char boundary.
#[derive(Debug, Default)]
struct Preview {
    text: String,
    full: bool,
}

impl Preview {
    /// Appends as much of `s` as fits within [`PREVIEW_MAX`] bytes.
    fn push(&mut self, s: &str) {
        if self.full {
            return;
        }
        let room = PREVIEW_MAX.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
            return;
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.full = true;
    }
}

/// Returns the 1-based line number (Python `str.splitlines` rules) of the line starting at `offset`.
pub fn line_number(file: &mut File, offset: u64) -> io::Result<u64> {
    line_number_with(file, offset, BLOCK)
}

/// Counts lines like [`line_number`] with reads of `block` bytes.
///
/// Public for the fuzz targets and property tests only.
#[doc(hidden)]
pub fn line_number_with(file: &File, offset: u64, block: usize) -> io::Result<u64> {
    let block = block.clamp(1, BLOCK);
    let mut buf = vec![0u8; block + 2];
    let mut breaks = 0u64;
    let mut lo = 0u64;
    while lo < offset {
        let hi = lo.saturating_add(block as u64).min(offset);
        let whi = hi.saturating_add(2).min(offset);
        let window = &mut buf[..(whi - lo) as usize];
        file.read_exact_at(window, lo)?;
        breaks += count_breaks(window, (hi - lo) as usize);
        lo = hi;
    }
    Ok(breaks + 1)
}

/// Counts the line breaks that start within `window[..n]` and end within `window`.
fn count_breaks(window: &[u8], n: usize) -> u64 {
    // Positions with two bytes of lookahead go through the vectorizable loop.
    let full = n.min(window.len().saturating_sub(2));
    let mut total = 0u64;
    for start in (0..full).step_by(255 * LANES) {
        let end = start.saturating_add(255 * LANES).min(full);
        total += count_lanes(&window[start..end + 2]);
    }
    for i in full..n {
        let next = |k: usize| window.get(i + k).copied().unwrap_or(0);
        total += u64::from(break_at(window[i], next(1), next(2)));
    }
    total
}

/// Lanes of the byte counters in [`count_lanes`].
const LANES: usize = 32;

/// Counts break starts at all but the last two of at most `255 * LANES + 2` bytes.
fn count_lanes(bytes: &[u8]) -> u64 {
    let m = bytes.len().saturating_sub(2);
    let (a, b, c) = (&bytes[..m], &bytes[1..m + 1], &bytes[2..m + 2]);
    let whole = m / LANES * LANES;
    let mut lanes = [0u8; LANES];
    for ((a, b), c) in a[..whole]
        .chunks_exact(LANES)
        .zip(b[..whole].chunks_exact(LANES))
        .zip(c[..whole].chunks_exact(LANES))
    {
        for j in 0..LANES {
            lanes[j] += break_at(a[j], b[j], c[j]);
        }
    }
    let mut total: u64 = lanes.iter().map(|&x| u64::from(x)).sum();
    for j in whole..m {
        total += u64::from(break_at(a[j], b[j], c[j]));
    }
    total
}

/// Returns 1 if a line break starts at a byte `a` followed by `b` and `c`, else 0.
// Inlining lets the counting loop vectorize; without it `line_number` ran at half speed.
#[inline(always)]
fn break_at(a: u8, b: u8, c: u8) -> u8 {
    // `\r\n` counts at its `\n`, so a `\r` before `\n` counts nothing.
    let single =
        (a.wrapping_sub(0x0a) < 4 || a.wrapping_sub(0x1c) < 3) && !(a == b'\r' && b == b'\n');
    let nel = a == 0xc2 && b == 0x85;
    let sep = a == 0xe2 && b == 0x80 && (c | 1) == 0xa9;
    u8::from(single | nel | sep)
}

#[cfg(test)]
mod tests {
    // The scanner against the naive forward scan and python3, on hand-made and random
    // logs, is tested with the shared oracles in `tests/it/scan.rs` and `tests/it/fuzzing.rs`.
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn decode_lossy_matches_std_at_every_split() {
        let bytes = b"a\xe2\x80\xa8\xf0\x9f\x98\x80\xed\xa0\x80\xf0\x9f\xc3\xbc\xe2\x80";
        let whole = String::from_utf8_lossy(bytes);
        for cut in 0..=bytes.len() {
            let mut text = String::new();
            let mut buf = bytes[..cut].to_vec();
            let carry = decode_lossy(&buf, |s| text.push_str(s));
            buf.drain(..cut - carry);
            buf.extend_from_slice(&bytes[cut..]);
            let carry = decode_lossy(&buf, |s| text.push_str(s));
            if carry > 0 {
                text.push('\u{fffd}');
            }
            assert_eq!(text, whole, "cut {cut}");
        }
    }

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
        assert_eq!(line_number(&mut file, fault.start).unwrap(), 2);
    }
}
