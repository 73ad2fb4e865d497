//! A line of a log, found by a byte offset in it: where it starts and ends
//! (Python's `str.splitlines` breaks), its number, and its text decoded lossily
//! into a preview and `key=value` pairs.
//!
//! Every line-break decision of the crate is made here, from the one set
//! [`LINE_BREAKS`]: the byte tables and `break_len` are derived from it, and the
//! vectorized count's test of a byte is held equal to it by a test.
//!
//! The scans (`tail`, `forward`) find token positions; this module turns a
//! position into the line that holds it, reading only around it. Memory stays
//! bounded by the buffer the caller passes plus the pairs kept.

use crate::kv::PairParser;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Bytes of a line's start kept to read its time from (`forward::TokenLine::head`, a
/// joined record's start): enough for a timestamp.
pub const HEAD: usize = 64;

/// Bytes read per positioned read.
pub(crate) const BLOCK: usize = 1024 * 1024;

/// A file read at positions: the file itself, or a window of it already in memory.
pub(crate) trait ReadAt {
    /// Fills `buf` with the bytes at `offset`.
    fn fill(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
}

impl ReadAt for File {
    fn fill(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        FileExt::read_exact_at(self, buf, offset)
    }
}

/// A file with the bytes of one window of it kept: reads inside the window are
/// copied from memory, others go to the file. A tail scan keeps its last read, which
/// on a small log is the whole log, so finding and parsing its lines reads nothing more.
pub(crate) struct Cached<'a> {
    pub(crate) file: &'a File,
    /// Offset of the window's first byte.
    pub(crate) at: u64,
    pub(crate) bytes: &'a [u8],
}

impl ReadAt for Cached<'_> {
    fn fill(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let inside = offset
            .checked_sub(self.at)
            .and_then(|from| usize::try_from(from).ok())
            .and_then(|from| Some((from, from.checked_add(buf.len())?)))
            .filter(|&(_, to)| to <= self.bytes.len());
        match inside {
            Some((from, to)) => {
                buf.copy_from_slice(&self.bytes[from..to]);
                Ok(())
            }
            None => FileExt::read_exact_at(self.file, buf, offset),
        }
    }
}

/// Bytes of the preview kept at most.
const PREVIEW_MAX: usize = 4096;

/// The line breaks of Python's `str.splitlines`, as UTF-8 bytes (`\r\n` counts as one):
/// the one spelling of the set; every other test of a break is derived from it or held
/// equal to it by a test.
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

/// Returns the table of the bytes a line break can start with (`first`) or end with.
const fn break_bytes(first: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < LINE_BREAKS.len() {
        let brk = LINE_BREAKS[i];
        let byte = if first { brk[0] } else { brk[brk.len() - 1] };
        table[byte as usize] = true;
        i += 1;
    }
    table
}

/// The bytes a line break can start with.
pub(crate) const STARTS_BREAK: [bool; 256] = break_bytes(true);

/// The bytes a line break can end with.
pub(crate) const ENDS_BREAK: [bool; 256] = break_bytes(false);

/// Returns the length of the line break starting at `bytes[i]`, 0 if none does
/// (`\r\n` is one break of 2; a break cut off by the end of `bytes` is none).
pub(crate) fn break_len(bytes: &[u8], i: usize) -> usize {
    let Some(rest) = bytes.get(i..).filter(|rest| {
        rest.first()
            .is_some_and(|&first| STARTS_BREAK[usize::from(first)])
    }) else {
        return 0;
    };
    LINE_BREAKS
        .iter()
        .filter(|brk| rest.starts_with(brk))
        .map(|brk| brk.len())
        .max()
        .unwrap_or(0)
}

/// Returns true if and only if a line break ends just before `bytes[j]`: a break of
/// length `k` starts at `j - k` (a `\r` whose `\n` follows ends none; one at the end
/// of `bytes` does).
pub(crate) fn ends_break(bytes: &[u8], j: usize) -> bool {
    j > 0
        && ENDS_BREAK[usize::from(bytes[j - 1])]
        && (1..=3.min(j)).any(|k| break_len(bytes, j - k) == k)
}

/// Returns the length of the line break that `bytes` end with, 0 if none.
pub(crate) fn break_before(bytes: &[u8]) -> usize {
    let n = bytes.len();
    (1..=3.min(n))
        .rev()
        .find(|&k| break_len(bytes, n - k) == k)
        .unwrap_or(0)
}

/// Returns where the line holding `bytes[i]` starts: just past the last break before it.
pub(crate) fn start_of_line(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while j > 0 {
        // Most bytes end no break: skip them by the table.
        if ENDS_BREAK[usize::from(bytes[j - 1])] && ends_break(bytes, j) {
            return j;
        }
        j -= 1;
    }
    0
}

/// Returns where the first line break at or after `from` starts, or `bytes.len()`.
pub(crate) fn end_of_line(bytes: &[u8], from: usize) -> usize {
    (from..bytes.len())
        .find(|&i| STARTS_BREAK[usize::from(bytes[i])] && break_len(bytes, i) > 0)
        .unwrap_or(bytes.len())
}

/// Returns the end of the last complete line of `bytes` (just past its break), 0 if
/// none is complete; `at_eof` makes the whole of `bytes` complete. A break is only
/// taken as complete with two bytes after it, so `\r` | `\n` is never split.
pub(crate) fn complete_end(bytes: &[u8], at_eof: bool) -> usize {
    if at_eof {
        return bytes.len();
    }
    let mut i = bytes.len().saturating_sub(2);
    while i > 0 {
        i -= 1;
        let n = break_len(bytes, i);
        if n > 0 {
            // A `\n` whose `\r` came before it is the end of that `\r\n`.
            return i + n;
        }
    }
    0
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
pub(crate) fn line_start(file: &impl ReadAt, pos: u64, buf: &mut [u8]) -> io::Result<u64> {
    // Two bytes before each block let a break ending in the block be recognized.
    let mut chunk = first_chunk(buf);
    let mut hi = pos;
    while hi > 0 {
        let lo = hi.saturating_sub(chunk);
        let wlo = lo.saturating_sub(2);
        let window = &mut buf[..(hi - wlo) as usize];
        file.fill(window, wlo)?;
        let first = (lo - wlo) as usize;
        for i in (first..window.len()).rev() {
            if ENDS_BREAK[usize::from(window[i])] && ends_break(window, i + 1) {
                return Ok(wlo + i as u64 + 1);
            }
        }
        hi = lo;
        chunk = next_chunk(chunk, buf);
    }
    Ok(0)
}

/// Returns the offset of the first line break at or after `from`, or `len` if none follows.
pub(crate) fn line_end(file: &impl ReadAt, from: u64, len: u64, buf: &mut [u8]) -> io::Result<u64> {
    // Two bytes after each block let a break starting in the block be recognized.
    let mut chunk = first_chunk(buf);
    let mut lo = from;
    while lo < len {
        let hi = lo.saturating_add(chunk).min(len);
        let whi = hi.saturating_add(2).min(len);
        let window = &mut buf[..(whi - lo) as usize];
        file.fill(window, lo)?;
        let n = (hi - lo) as usize;
        for i in 0..n {
            if STARTS_BREAK[usize::from(window[i])] && break_len(window, i) > 0 {
                return Ok(lo + i as u64);
            }
        }
        lo = hi;
        chunk = next_chunk(chunk, buf);
    }
    Ok(len)
}

/// What [`parse_span`] reads off a line.
pub(crate) struct Span {
    pub(crate) pairs: Vec<(String, String)>,
    pub(crate) preview: String,
    /// A run of the line's text or its pairs went past what the parser keeps
    /// ([`crate::kv`]): a metric may have been lost.
    pub(crate) cut: bool,
}

/// Decodes the bytes `start..end` of `file` lossily and returns their pairs and preview.
pub(crate) fn parse_span(
    file: &impl ReadAt,
    start: u64,
    end: u64,
    buf: &mut [u8],
) -> io::Result<Span> {
    Ok(parse_span_within(file, start, end, buf, crate::kv::PAIRS_BUDGET)?.0)
}

/// Parses like [`parse_span`], keeping `budget` bytes of pairs at most; returns also
/// the bytes of pairs kept.
pub(crate) fn parse_span_within(
    file: &impl ReadAt,
    start: u64,
    end: u64,
    buf: &mut [u8],
    budget: usize,
) -> io::Result<(Span, usize)> {
    let mut parser = PairParser::with_budget(budget);
    let mut preview = Preview::default();
    let mut carry = 0usize;
    let mut pos = start;
    // Past the budget nothing more is parsed, and the preview is full long before.
    while pos < end && !parser.is_full() {
        let n = ((end - pos).min((buf.len() - carry) as u64)) as usize;
        let filled = carry + n;
        file.fill(&mut buf[carry..filled], pos)?;
        pos += n as u64;
        carry = decode_lossy(&buf[..filled], |s| {
            parser.feed(s);
            preview.push(s);
        });
        buf.copy_within(filled - carry..filled, 0);
    }
    if carry > 0 && !parser.is_full() {
        parser.feed("\u{fffd}");
        preview.push("\u{fffd}");
    }
    let kept = parser.kept();
    let (pairs, cut) = parser.finish_raw();
    let span = Span {
        pairs,
        preview: preview.text,
        cut,
    };
    Ok((span, kept))
}

/// Returns the pairs of a whole line held in memory, decoded lossily, and whether the
/// line ran past the budget read for pairs.
pub(crate) fn pairs_of(bytes: &[u8]) -> (Vec<(String, String)>, bool) {
    let mut parser = PairParser::new();
    let carry = decode_lossy(bytes, |s| parser.feed(s));
    if carry > 0 && !parser.is_full() {
        parser.feed("\u{fffd}");
    }
    parser.finish_raw()
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

/// Returns the 1-based line numbers of the lines starting at `offsets` (in any order),
/// counting the log's line breaks once, up to the last of them.
pub fn line_numbers(file: &File, offsets: &[u64]) -> io::Result<Vec<u64>> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    // No larger than what is counted: a small log's lines cost a small buffer.
    let last = offsets.iter().copied().max().unwrap_or(0);
    let size = usize::try_from(last).unwrap_or(BLOCK).clamp(1, BLOCK);
    let mut buf = vec![0u8; size + 2];
    let mut numbers = vec![0u64; offsets.len()];
    let (mut at, mut breaks) = (0u64, 0u64);
    for i in order {
        breaks += breaks_between(file, at, offsets[i], &mut buf)?;
        at = offsets[i];
        numbers[i] = breaks + 1;
    }
    Ok(numbers)
}

/// Counts lines like [`line_number`] with reads of `block` bytes.
///
/// Public for the fuzz targets and property tests only.
#[doc(hidden)]
pub fn line_number_with(file: &File, offset: u64, block: usize) -> io::Result<u64> {
    let block = block.clamp(1, BLOCK);
    let mut buf = vec![0u8; block + 2];
    Ok(breaks_between(file, 0, offset, &mut buf)? + 1)
}

/// Counts the line breaks that start in `from..to` of `file` and end before `to`,
/// reading through `buf` (at least 3 bytes).
pub(crate) fn breaks_between(file: &File, from: u64, to: u64, buf: &mut [u8]) -> io::Result<u64> {
    let block = (buf.len() - 2) as u64;
    let mut breaks = 0u64;
    let mut lo = from;
    while lo < to {
        let hi = lo.saturating_add(block).min(to);
        let whi = hi.saturating_add(2).min(to);
        let window = &mut buf[..(whi - lo) as usize];
        file.read_exact_at(window, lo)?;
        breaks += count_breaks(window, (hi - lo) as usize);
        lo = hi;
    }
    Ok(breaks)
}

/// Counts the line breaks that start within `window[..n]` and end within `window`.
pub(crate) fn count_breaks(window: &[u8], n: usize) -> u64 {
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

/// Returns 1 if a line break starts at a byte `a` followed by `b` and `c`, else 0: the
/// fast path of [`break_len`] for counting, held equal to it by a test.
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
    use super::*;

    #[test]
    fn a_cached_window_serves_reads_inside_it_and_the_file_the_rest() {
        let scratch = crate::testing::Scratch::new("lines-cached");
        let path = scratch.path().join("cached");
        let text: Vec<u8> = (0..200u8).collect();
        std::fs::write(&path, &text).unwrap();
        let file = File::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        // The window holds bytes 100..150, but scrambled: a read it serves shows that.
        let kept: Vec<u8> = text[100..150].iter().map(|b| !b).collect();
        let cached = Cached {
            file: &file,
            at: 100,
            bytes: &kept,
        };
        let read = |offset: u64, len: usize| {
            let mut buf = vec![0u8; len];
            cached.fill(&mut buf, offset).unwrap();
            buf
        };
        assert_eq!(read(100, 50), kept);
        assert_eq!(read(120, 10), kept[20..30]);
        // Across either edge, or outside: the file's own bytes.
        assert_eq!(read(90, 20), text[90..110]);
        assert_eq!(read(140, 20), text[140..160]);
        assert_eq!(read(0, 10), text[0..10]);
        assert_eq!(read(u64::MAX - 1, 0), Vec::<u8>::new());
    }

    #[test]
    fn the_break_tests_agree_with_the_one_set() {
        // Every break found by `break_len` is one of the set, the longest that fits.
        for brk in LINE_BREAKS {
            assert_eq!(break_len(brk, 0), brk.len(), "{brk:?}");
            assert!(ends_break(brk, brk.len()), "{brk:?}");
            assert!(
                STARTS_BREAK[usize::from(brk[0])] && ENDS_BREAK[usize::from(brk[brk.len() - 1])]
            );
        }
        assert_eq!(break_len(b"\r\n", 0), 2);
        assert!(!ends_break(b"\r\n", 1));
        assert_eq!(
            break_len(b"\xe2\x80", 0),
            0,
            "a break cut off by the end is none"
        );
        // The counting fast path against `break_len`, for every first and second byte.
        let thirds = [0x00, 0x0a, 0x0d, 0x80, 0x85, 0xa8, 0xa9, 0xaa, 0xc2, 0xe2];
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in thirds {
                    let starts = break_len(&[a, b, c], 0) > 0;
                    // `\r\n` is counted at its `\n`.
                    let counted = starts && !(a == b'\r' && b == b'\n');
                    assert_eq!(break_at(a, b, c), u8::from(counted), "{a:#x} {b:#x} {c:#x}");
                }
            }
        }
        // The in-memory bounds of a line, against the set.
        let text = b"a\r\nb\rc\xc2\x85d\xe2\x80\xa8e\x1cf";
        assert_eq!(start_of_line(text, 3), 3);
        assert_eq!(end_of_line(text, 3), 4);
        assert_eq!(start_of_line(text, 5), 5);
        assert_eq!(end_of_line(text, 5), 6);
        assert_eq!(start_of_line(text, 8), 8);
        assert_eq!(start_of_line(text, 14), 14);
        // The `\x1c` has fewer than two bytes after it: the `\u2028` ends the last line.
        assert_eq!(complete_end(text, false), 12);
    }

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
}
