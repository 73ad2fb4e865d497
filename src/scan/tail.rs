//! The log tail scan: finds the last line holding each metric token by reading backwards.
//!
//! The reference decodes a whole log (UTF-8, invalid bytes replaced), splits it
//! with `str.splitlines` and keeps the last line holding each token. Tokens are
//! ASCII and every line break is a complete UTF-8 sequence, so both searches run
//! on raw bytes here: one backward pass over fixed-size blocks finds each
//! token's last occurrence, then only the lines holding them are read, decoded
//! and streamed into [`PairParser`]. Memory stays bounded by the block size plus
//! the pairs kept. Typing values is left to `py::value`, the pair rule to
//! [`crate::scan::kv`].

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
    /// True if and only if the line holds more text than [`crate::scan::kv::LINE_BUDGET`]
    /// bytes, and what follows them was not read for pairs.
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

/// Bytes a block keeps from the block after it so that a token split between them is found.
const OVERLAP: usize = longest_token() - 1;

/// Returns the length of the longest token.
const fn longest_token() -> usize {
    let mut longest = 0;
    let mut i = 0;
    while i < TOKENS.len() {
        if TOKENS[i].len() > longest {
            longest = TOKENS[i].len();
        }
        i += 1;
    }
    longest
}

/// Scans `file` (a regular file of `len` bytes) once from the end and returns the
/// last line holding each of [`TOKENS`], in that order.
pub fn scan(file: &mut File, len: u64) -> io::Result<[Option<Hit>; 4]> {
    let raw = scan_raw(file, len, BLOCK)?;
    Ok(raw.map(|hit| hit.map(RawHit::typed)))
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
pub fn scan_raw(file: &File, len: u64, block: usize) -> io::Result<[Option<RawHit>; 4]> {
    let block = block.clamp(1, BLOCK);
    let mut buf = vec![0u8; block + OVERLAP];
    let positions = last_positions(file, len, block, &mut buf)?;
    let mut hits: [Option<RawHit>; 4] = Default::default();
    for i in 0..TOKENS.len() {
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
                let token_end = pos.saturating_add(TOKENS[i].len() as u64);
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
    buf: &mut [u8],
) -> io::Result<[Option<u64>; 4]> {
    let finders = TOKENS.map(Finder::new);
    let mut found: [Option<u64>; 4] = [None; 4];
    let mut hi = len;
    let mut prev_window = 0usize;
    while hi > 0 && found.iter().any(Option::is_none) {
        let lo = hi.saturating_sub(block as u64);
        let n = (hi - lo) as usize;
        // The first bytes of the previous window continue this block in the file.
        let keep = prev_window.min(OVERLAP);
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
    /// The line's text ran past [`crate::scan::kv::LINE_BUDGET`] and the rest was not read.
    cut: bool,
}

/// Decodes the bytes `start..end` of `file` lossily and returns their pairs and preview.
fn parse_span(file: &File, start: u64, end: u64, buf: &mut [u8]) -> io::Result<Span> {
    let mut parser = PairParser::new();
    let mut preview = Preview::default();
    let mut carry = 0usize;
    let mut pos = start;
    // Past the budget nothing more is parsed, and the preview is full long before.
    while pos < end && !parser.is_cut() {
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
    if carry > 0 && !parser.is_cut() {
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
    use super::*;
    use crate::scan::kv::parse_line_raw;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// What the naive oracle expects for one token: line number, line text and pairs.
    type Expected = Option<(u64, String, Vec<(String, String)>)>;

    /// Splits `text` as Python's `str.splitlines` does.
    fn splitlines(text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    lines.push(std::mem::take(&mut line));
                }
                '\n' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
                | '\u{2029}' => lines.push(std::mem::take(&mut line)),
                _ => line.push(c),
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Applies the reference's rules to `bytes` the slow way: decode, split, search, parse.
    fn naive(bytes: &[u8]) -> [Expected; 4] {
        let lines = splitlines(&String::from_utf8_lossy(bytes));
        TOKENS.map(|token| {
            let (i, line) = lines.iter().enumerate().rfind(|(_, l)| l.contains(token))?;
            Some((i as u64 + 1, line.clone(), parse_line_raw(line)))
        })
    }

    /// Returns the first `PREVIEW_MAX` bytes of `s`, cut at a char boundary.
    fn cut_preview(s: &str) -> &str {
        let mut cut = s.len().min(PREVIEW_MAX);
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        &s[..cut]
    }

    /// Returns a fresh path in the temporary directory.
    fn temp_path(tag: &str) -> PathBuf {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        std::env::temp_dir().join(format!("fault-scan-{}-{tag}-{n}", std::process::id()))
    }

    /// Writes `bytes` to a fresh temporary file and returns its path.
    fn temp_file(bytes: &[u8]) -> PathBuf {
        let path = temp_path("log");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Generates pseudo-random numbers (xorshift64*).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
            items[self.below(items.len())]
        }
    }

    /// Every break kind, plus runs of breaks.
    const BREAKS: [&[u8]; 13] = {
        let mut all: [&[u8]; 13] = [b"\n\n"; 13];
        let mut i = 0;
        while i < LINE_BREAKS.len() {
            all[i] = LINE_BREAKS[i];
            i += 1;
        }
        all[12] = b"\r\r\n";
        all
    };
    const INVALID: &[&[u8]] = &[
        b"\x85",
        b"\xc2",
        b"\xe2\x80",
        b"\xe2",
        b"\xf0\x9f\x98",
        b"\xed\xa0\x80",
        b"\xff",
        b"\x80\x80",
        b"\xc0\xaf",
        b"\xe2\x85",
        b"\xc2\xc2\x85",
        b"\xe2\xe2\x80\xa8",
        b"\xa8",
        b"\xf4\x90\x80\x80",
        b"\xe0\x80\xa8",
    ];
    const SPACES: &[&[u8]] = &[
        b" ",
        b"\t",
        b"\x1f",
        b"\xc2\xa0",
        b"\xe3\x80\x80",
        b"\xe2\x80\x83",
        b"  ",
    ];
    const WORDS: &[&[u8]] = &[
        b"a",
        b"p50_us",
        b"x_1",
        b"=",
        b"==",
        b"12",
        b"-3.5",
        b"007",
        b"\xc3\xbc",
        b"\xc3\xa9",
        b"\xf0\x9f\x98\x80",
        b"INFO",
        b"METRICS",
        b"PIPELINE_MET",
        b"_METRICS",
        b"RTP_",
        b"\xe2\x80",
        b"\xe2\x80\xa7",
    ];

    /// Returns a random log mixing tokens, pairs, every break kind and invalid UTF-8.
    fn random_log(rng: &mut Rng) -> Vec<u8> {
        let mut out = Vec::new();
        let pieces = rng.below(120);
        let token_odds = 1 + rng.below(8);
        for _ in 0..pieces {
            match rng.below(12) {
                0 | 1 => out.extend_from_slice(rng.pick(&BREAKS)),
                2 => out.extend_from_slice(rng.pick(INVALID)),
                3 | 4 => out.extend_from_slice(rng.pick(SPACES)),
                5 | 6 => out.extend_from_slice(rng.pick(WORDS)),
                7 | 8 => {
                    out.extend_from_slice(rng.pick(&[b"k", b"p99_us", b"a", b"\xc3\xbc_"]));
                    out.push(b'=');
                    out.extend_from_slice(rng.pick(&[b"1", b"v", b"", b"x=y", b"\xff2"]));
                    out.extend_from_slice(rng.pick(SPACES));
                }
                9 => {
                    if rng.below(token_odds) == 0 {
                        out.extend_from_slice(TOKENS[rng.below(4)].as_bytes());
                    }
                }
                10 => {
                    if rng.below(15) == 0 {
                        let word = rng.pick(WORDS);
                        for _ in 0..rng.below(2000) {
                            out.extend_from_slice(word);
                        }
                    }
                }
                _ => out.push(rng.below(256) as u8),
            }
        }
        out
    }

    /// Checks `scan_raw` and `line_number_with` against the naive oracle on `bytes`
    /// and returns how many tokens were found and how many of their lines were cut.
    fn check(bytes: &[u8], blocks: &[usize]) -> (usize, usize) {
        let expected = naive(bytes);
        let path = temp_file(bytes);
        let file = File::open(&path).unwrap();
        for &block in blocks {
            let hits = scan_raw(&file, bytes.len() as u64, block).unwrap();
            for (t, (hit, want)) in hits.iter().zip(&expected).enumerate() {
                let ctx = || format!("token {} block {block} log {bytes:?}", TOKENS[t]);
                match (hit, want) {
                    (None, None) => {}
                    (Some(hit), Some((number, line, pairs))) => {
                        let span = &bytes[hit.start as usize..hit.end as usize];
                        assert_eq!(&String::from_utf8_lossy(span), line, "{}", ctx());
                        assert_eq!(&hit.pairs, pairs, "{}", ctx());
                        assert_eq!(hit.preview, cut_preview(line), "{}", ctx());
                        let got = line_number_with(&file, hit.start, block).unwrap();
                        assert_eq!(got, *number, "{}", ctx());
                    }
                    _ => panic!("{}: got {hit:?}, want {want:?}", ctx()),
                }
            }
        }
        std::fs::remove_file(&path).unwrap();
        let found = expected.iter().flatten();
        let cut = found
            .clone()
            .filter(|(_, line, _)| line.len() > PREVIEW_MAX);
        (found.count(), cut.count())
    }

    #[test]
    fn hand_cases_match_oracle() {
        let cases: &[&[u8]] = &[
            b"",
            b"PIPELINE_METRICS",
            b"x FAULT_COUNTERS a=1\nFAULT_COUNTERS a=2\r\nb",
            b"LATENCY_METRICS p50_us=1\xc2\x85LATENCY_METRICS p50_us=2\x85x",
            b"RTP_METRICS a=1\xe2\x80\xa8RTP_METRICS a=2\xe2\x80\xa9\xe2\x80\xa8",
            b"a\r\n\rRTP_METRICS\x1ck=\xe2\x80 \x1d\x1e\x0b\x0c",
            b"PIPELINE_METRICS LATENCY_METRICS FAULT_COUNTERS RTP_METRICS a=b=c a=d",
            b"\xe2PIPELINE_METRICS a=\xf0\x9f\x98",
            b"RTP_METRICSRTP_METRICS\n\nRTP_METRIC",
        ];
        for case in cases {
            check(case, &[1, 2, 3, 7, 16, 17, 64, BLOCK]);
        }
    }

    #[test]
    fn random_logs_match_oracle() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut found, mut cut) = (0, 0);
        for _ in 0..1500 {
            let log = random_log(&mut rng);
            let (f, c) = check(&log, &[7, 16, 64, BLOCK]);
            found += f;
            cut += c;
        }
        // The generator must exercise hits and long lines, or the test proves little.
        assert!(found > 1200 && cut > 10, "found {found}, cut {cut}");
    }

    #[test]
    fn long_line_preview_is_cut_at_char_boundary() {
        let mut log = b"FAULT_COUNTERS k=".to_vec();
        log.extend(std::iter::repeat_n(b"\xc3\xbc".as_slice(), 5000).flatten());
        log.extend_from_slice(b" a=1\xe2\x80\xa9tail");
        check(&log, &[7, 4096, BLOCK]);
        let path = temp_file(&log);
        let file = File::open(&path).unwrap();
        let hits = scan_raw(&file, log.len() as u64, 1000).unwrap();
        let hit = hits[2].as_ref().unwrap();
        assert_eq!(hit.preview.len(), 4095);
        assert!(hit.preview.ends_with('\u{fc}'));
        assert_eq!(hit.end, log.len() as u64 - 7);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn line_number_counts_every_break_kind() {
        let log =
            b"a\r\nb\rc\nd\x0be\x0cf\x1cg\x1dh\x1ei\xc2\x85j\xe2\x80\xa8k\xe2\x80\xa9l\x85m\n";
        let path = temp_file(log);
        let file = File::open(&path).unwrap();
        let breaks = [
            '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}',
        ];
        for block in [1, 2, 3, 5, 64] {
            let mut starts = 0;
            for offset in 0..=log.len() {
                let prefix = String::from_utf8_lossy(&log[..offset]);
                let inside_crlf = prefix.ends_with('\r') && log.get(offset) == Some(&b'\n');
                let after_break = prefix.ends_with(breaks) && !inside_crlf;
                if offset == 0 || after_break {
                    starts += 1;
                    let expected = splitlines(&prefix).len() as u64 + 1;
                    let got = line_number_with(&file, offset as u64, block).unwrap();
                    assert_eq!(got, expected, "offset {offset} block {block}");
                }
            }
            assert_eq!(starts, 13);
        }
        std::fs::remove_file(&path).unwrap();
    }

    /// Runs the reference's rules in python3 over `logs` and returns its JSON answer.
    fn python_oracle(logs: &[Vec<u8>]) -> Option<serde_json::Value> {
        const SCRIPT: &str = r#"
import json, re, sys
from pathlib import Path
KV = re.compile(r"([a-zA-Z0-9_]+)=([^\s]+)")
TOKENS = ["PIPELINE_METRICS", "LATENCY_METRICS", "FAULT_COUNTERS", "RTP_METRICS"]
out = []
for i in range(int(sys.argv[2])):
    text = Path(sys.argv[1], str(i)).read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    row = []
    for token in TOKENS:
        hit = None
        for n, line in enumerate(lines):
            if token in line:
                hit = [n + 1, line, list({m.group(1): m.group(2) for m in KV.finditer(line)}.items())]
        row.append(hit)
    out.append(row)
print(json.dumps(out))
"#;
        let dir = temp_path("py");
        std::fs::create_dir(&dir).unwrap();
        for (i, log) in logs.iter().enumerate() {
            std::fs::write(dir.join(i.to_string()), log).unwrap();
        }
        let child = Command::new("python3")
            .arg("-c")
            .arg(SCRIPT)
            .arg(&dir)
            .arg(logs.len().to_string())
            .stdout(Stdio::piped())
            .spawn();
        let output = child.ok()?.wait_with_output().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(output.status.success(), "python3 failed");
        Some(serde_json::from_slice(&output.stdout).unwrap())
    }

    #[test]
    fn random_logs_match_python() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        let logs: Vec<Vec<u8>> = (0..400).map(|_| random_log(&mut rng)).collect();
        let Some(answer) = python_oracle(&logs) else {
            eprintln!("python3 not runnable; skipping the differential test");
            return;
        };
        let rows = answer.as_array().unwrap();
        assert_eq!(rows.len(), logs.len());
        for (log, row) in logs.iter().zip(rows) {
            let path = temp_file(log);
            let file = File::open(&path).unwrap();
            let hits = scan_raw(&file, log.len() as u64, 64).unwrap();
            for (hit, want) in hits.iter().zip(row.as_array().unwrap()) {
                let got = hit.as_ref().map(|hit| {
                    let number = line_number_with(&file, hit.start, 64).unwrap();
                    let line = String::from_utf8_lossy(&log[hit.start as usize..hit.end as usize]);
                    let pairs: Vec<serde_json::Value> = hit
                        .pairs
                        .iter()
                        .map(|(k, v)| serde_json::json!([k, v]))
                        .collect();
                    serde_json::json!([number, line, pairs])
                });
                assert_eq!(got.unwrap_or(serde_json::Value::Null), *want, "log {log:?}");
            }
            std::fs::remove_file(&path).unwrap();
        }
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

    #[test]
    fn scan_types_values() {
        let log = b"x\nFAULT_COUNTERS torn_read_events=998 r=0.5 s=ok\nRTP_METRICS\n";
        let path = temp_file(log);
        let mut file = File::open(&path).unwrap();
        let hits = scan(&mut file, log.len() as u64).unwrap();
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
        std::fs::remove_file(&path).unwrap();
    }
}
