//! The forward scan: every line of a log that holds one of some tokens, in
//! order, with its line number, for limits judged over the whole run.
//!
//! The log is read once, in blocks. Each block is cut after its last complete
//! line; in that region `memmem` finds the tokens and each line holding one is
//! handed over as it lies in memory, its values looked up on demand (an ASCII
//! line without a copy or an allocation, as most metric lines are). Numbering
//! lines costs a count of the breaks before them, so it is left to the caller
//! for the few lines a message names ([`crate::scan::lines::line_number`]).
//! The partial line at a block's end is carried into the next. A line longer
//! than `LONG_LINE` bytes is read through [`crate::scan::lines`] instead, so memory
//! stays bounded whatever the log holds.

use crate::scan::lines::{line_end, pairs_of, parse_span, Span, BLOCK};
use memchr::memmem::Finder;
use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// The longest line held in memory; a longer one is read from the file in pieces.
const LONG_LINE: usize = 4 << 20;

/// Bytes of a line's start that [`TokenLine::head`] gives: enough for a timestamp.
pub const HEAD: usize = 64;

/// Logs at least this large are read in two halves at once by [`fold_lines`].
pub const SPLIT_AT: u64 = 16 << 20;

/// A line holding at least one of the tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenLine<'a> {
    /// Byte offset of the line's first byte.
    pub start: u64,
    /// Which of the tokens the line holds, by index.
    pub tokens: &'a [usize],
    text: Text<'a>,
}

/// A line's text: its bytes in memory, or the pairs read from the file of a long one.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Text<'a> {
    /// Printable ASCII without breaks, so the pair rule reads the bytes as they are.
    Plain(&'a [u8]),
    Held(&'a [u8]),
    /// A line too long to hold: its pairs, and the first bytes of its text decoded.
    Read {
        pairs: Vec<(String, String)>,
        head: String,
    },
}

impl TokenLine<'_> {
    /// Returns the value of `key` on the line as the reference's dict has it (the last
    /// pair with that key), still raw.
    pub fn value(&self, key: &str) -> Option<Cow<'_, str>> {
        self.values(&[key]).pop().flatten()
    }

    /// Returns the values of `keys` on the line, as [`TokenLine::value`] does, in one pass.
    pub fn values(&self, keys: &[&str]) -> Vec<Option<Cow<'_, str>>> {
        let find = |pairs: &[(String, String)], key: &str| {
            pairs
                .iter()
                .rev()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.clone())
        };
        match &self.text {
            Text::Plain(bytes) | Text::Held(bytes)
                if bytes.len() <= crate::scan::kv::LINE_BUDGET
                    && (matches!(self.text, Text::Plain(_)) || bytes.is_ascii()) =>
            {
                ascii_values(bytes, keys)
                    .into_iter()
                    .map(|value| {
                        value
                            .and_then(|value| std::str::from_utf8(value).ok())
                            .map(Cow::Borrowed)
                    })
                    .collect()
            }
            Text::Plain(bytes) | Text::Held(bytes) => {
                let (pairs, _) = pairs_of(bytes);
                keys.iter()
                    .map(|key| find(&pairs, key).map(Cow::Owned))
                    .collect()
            }
            Text::Read { pairs, head: _ } => keys
                .iter()
                .map(|key| find(pairs, key).map(Cow::Owned))
                .collect(),
        }
    }

    /// Returns the first [`HEAD`] bytes of the line (fewer for a shorter line), raw; a
    /// line too long to hold gives its first characters decoded lossily.
    pub fn head(&self) -> &[u8] {
        match &self.text {
            Text::Plain(bytes) | Text::Held(bytes) => &bytes[..bytes.len().min(HEAD)],
            Text::Read { pairs: _, head } => head.as_bytes(),
        }
    }

    /// Returns all the line's pairs, values still raw.
    pub fn pairs(&self) -> Vec<(String, String)> {
        match &self.text {
            Text::Plain(bytes) | Text::Held(bytes) => pairs_of(bytes).0,
            Text::Read { pairs, head: _ } => pairs.clone(),
        }
    }
}

/// Returns whether `b` is white space to Python's `\s` on an ASCII line.
fn ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

/// Finds the value of the last `key=value` pair of an ASCII line whose key is `key`.
#[cfg(test)]
fn ascii_value<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let key = std::str::from_utf8(key).ok()?;
    ascii_values(line, &[key]).pop().flatten()
}

/// Finds, for each of `keys`, the value of the last `key=value` pair of an ASCII line
/// with that key, by the reference's rule `([a-zA-Z0-9_]+)=([^\s]+)` applied left to
/// right. Only the `=` signs are visited: a match ends its key at one, and its value
/// runs to the next white space, so the `=` signs inside a value start no pair.
fn ascii_values<'a>(line: &'a [u8], keys: &[&str]) -> Vec<Option<&'a [u8]>> {
    let is_key = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let n = line.len();
    let mut found = vec![None; keys.len()];
    let mut resume = 0;
    for eq in memchr::memchr_iter(b'=', line) {
        if eq < resume {
            continue;
        }
        let mut start = eq;
        while start > resume && is_key(line[start - 1]) {
            start -= 1;
        }
        if start == eq || eq + 1 >= n || ascii_space(line[eq + 1]) {
            continue;
        }
        let stop = line[eq + 1..]
            .iter()
            .position(|&b| ascii_space(b))
            .map_or(n, |at| eq + 1 + at);
        let name = &line[start..eq];
        // Keys are short: compare them inline rather than through `memcmp`.
        let same =
            |key: &&str| key.len() == name.len() && key.bytes().zip(name).all(|(a, &b)| a == b);
        if let Some(slot) = keys.iter().position(same) {
            found[slot] = Some(&line[eq + 1..stop]);
        }
        resume = stop;
    }
    found
}

/// Returns the offset of the first line that starts at or after `at` in `file` (of
/// `len` bytes), or `len`: a place to split the log between two scans.
pub fn line_start_after(file: &File, at: u64, len: u64) -> io::Result<u64> {
    if at == 0 {
        return Ok(0);
    }
    // The line holding the byte before `at` ends at the first break from there on.
    let mut buf = vec![0u8; 64 << 10];
    let end = line_end(file, at - 1, len, &mut buf)?;
    let mut tail = [0u8; 3];
    let n = ((len - end) as usize).min(3);
    file.read_exact_at(&mut tail[..n], end)?;
    Ok((end + break_len(&tail[..n], 0).max(1) as u64).min(len))
}

/// Calls `visit` with every line of `file` (a regular file of `len` bytes) that
/// holds one of `tokens`, in file order.
pub fn each_line<T: AsRef<str>>(
    file: &File,
    len: u64,
    tokens: &[T],
    visit: impl FnMut(TokenLine<'_>),
) -> io::Result<()> {
    each_line_with(file, len, tokens, BLOCK, visit)
}

/// Folds every line of `file` (of `len` bytes) holding one of `tokens` into a state, in
/// file order: `visit` adds a line to the state of its part of the log, and `merge` adds
/// the state of a later part to that of the part before it.
///
/// A log of [`SPLIT_AT`] bytes or more is read in two halves at once, one per core,
/// split at a line start, each half into a `fresh()` state; a smaller one into one.
pub fn fold_lines<T, S>(
    file: &File,
    len: u64,
    tokens: &[T],
    fresh: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, TokenLine<'_>) + Sync,
    merge: impl FnOnce(&mut S, S),
) -> io::Result<S>
where
    T: AsRef<str> + Sync,
    S: Send,
{
    let scan_part = |range: std::ops::Range<u64>| -> io::Result<S> {
        let mut state = fresh();
        each_line_in(file, range, tokens, BLOCK, |line| visit(&mut state, line))?;
        Ok(state)
    };
    if len < SPLIT_AT {
        return scan_part(0..len);
    }
    let mid = line_start_after(file, len / 2, len)?;
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| scan_part(mid..len));
        let first = scan_part(0..mid);
        (first, second.join())
    });
    let second = second.map_err(|_| io::Error::other("the second half's scan panicked"))?;
    let mut first = first?;
    merge(&mut first, second?);
    Ok(first)
}

/// Returns the length of the line break starting at `bytes[i]`, 0 if none does
/// (`\r\n` is one break of 2; a break cut off by the end of `bytes` is none).
fn break_len(bytes: &[u8], i: usize) -> usize {
    let Some(&first) = bytes.get(i) else {
        return 0;
    };
    match first {
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
        0x0a..=0x0d | 0x1c..=0x1e => 1,
        0xc2 if bytes.get(i + 1) == Some(&0x85) => 2,
        0xe2 if bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
        {
            3
        }
        _ => 0,
    }
}

/// The bytes a line break can end with (the last byte of each of Python's breaks).
const ENDS_BREAK: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b, 0x0a..=0x0d | 0x1c..=0x1e | 0x85 | 0xa8 | 0xa9);
        b += 1;
    }
    table
};

/// The bytes a line break can start with.
const STARTS_BREAK: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b, 0x0a..=0x0d | 0x1c..=0x1e | 0xc2 | 0xe2);
        b += 1;
    }
    table
};

/// Returns true if and only if `bytes` are printable ASCII or tabs: no line break, and
/// text the pair rule reads without decoding (the check vectorizes).
fn plain(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & ((b.wrapping_sub(0x20) < 0x5f) | (b == b'\t'))
    })
}

/// Returns the bounds of the line holding `bytes[i]` when it is a plain line ending in
/// `\n` (or the end of `bytes`), the common case, found with `memchr`.
fn plain_line(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let start = memchr::memrchr(b'\n', &bytes[..i]).map_or(0, |nl| nl + 1);
    let stop = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |nl| i + nl);
    plain(&bytes[start..stop]).then_some((start, stop))
}

/// Returns where the line holding `bytes[i]` starts: just past the last break before it.
fn start_of_line(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while j > 0 {
        // Most bytes end no break: skip them by the table.
        if !ENDS_BREAK[usize::from(bytes[j - 1])] {
            j -= 1;
            continue;
        }
        let ends_break = match bytes[j - 1] {
            0x0a..=0x0d | 0x1c..=0x1e => true,
            0x85 => j >= 2 && bytes[j - 2] == 0xc2,
            0xa8 | 0xa9 => j >= 3 && bytes[j - 2] == 0x80 && bytes[j - 3] == 0xe2,
            _ => false,
        };
        if ends_break {
            return j;
        }
        j -= 1;
    }
    0
}

/// Returns where the first line break at or after `from` starts, or `bytes.len()`.
fn end_of_line(bytes: &[u8], from: usize) -> usize {
    (from..bytes.len())
        .find(|&i| STARTS_BREAK[usize::from(bytes[i])] && break_len(bytes, i) > 0)
        .unwrap_or(bytes.len())
}

/// Returns the end of the last complete line of `bytes` (just past its break), 0 if
/// none is complete; `at_eof` makes the whole of `bytes` complete. A break is only
/// taken as complete with two bytes after it, so `\r` | `\n` is never split.
fn complete_end(bytes: &[u8], at_eof: bool) -> usize {
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

/// Scans like [`each_line`] with reads of `block` bytes.
///
/// Public for the property tests only: small blocks cut lines and tokens between reads.
#[doc(hidden)]
pub fn each_line_with<T: AsRef<str>>(
    file: &File,
    len: u64,
    tokens: &[T],
    block: usize,
    visit: impl FnMut(TokenLine<'_>),
) -> io::Result<()> {
    each_line_in(file, 0..len, tokens, block, visit)
}

/// Scans the lines of `range` of `file` like [`each_line_with`]; `range` starts where a
/// line starts and ends where one starts or at the end of the file (see [`line_start_after`]).
pub fn each_line_in<T: AsRef<str>>(
    file: &File,
    range: std::ops::Range<u64>,
    tokens: &[T],
    block: usize,
    mut visit: impl FnMut(TokenLine<'_>),
) -> io::Result<()> {
    let len = range.end;
    let tokens: Vec<&[u8]> = tokens.iter().map(|t| t.as_ref().as_bytes()).collect();
    let finders: Vec<Finder> = tokens.iter().map(Finder::new).collect();
    let block = block.clamp(1, BLOCK);
    // `store[..filled]` holds the log from `base`, where a line starts; the store is
    // allocated (and zeroed) once, a carried partial line moved to its front.
    let span = (range.end - range.start) as usize;
    let mut store: Vec<u8> = vec![0u8; block + LONG_LINE.min(span + 1)];
    let mut filled = 0usize;
    let mut base = range.start;
    let mut read_to = range.start;
    let mut hits: Vec<(usize, usize)> = Vec::new();
    while base < len {
        let want = (block as u64)
            .min(len - read_to)
            .min((store.len() - filled) as u64) as usize;
        file.read_exact_at(&mut store[filled..filled + want], read_to)?;
        filled += want;
        read_to += want as u64;
        let buf = &store[..filled];
        let end = complete_end(buf, read_to == len);
        if end == 0 {
            if filled < LONG_LINE && filled < store.len() {
                continue;
            }
            // One line longer than memory should hold: read it from the file.
            let line_end = line_end(file, base, len, &mut vec![0u8; 64 << 10])?;
            let held: Vec<usize> = finders
                .iter()
                .enumerate()
                .filter(|(_, finder)| finder.find(buf).is_some())
                .map(|(index, _)| index)
                .collect();
            // (A token only past the first LONG_LINE bytes of such a line is not seen.)
            if !held.is_empty() {
                let Span {
                    pairs,
                    preview,
                    cut: _,
                } = parse_span(file, base, line_end, &mut vec![0u8; 64 << 10])?;
                let mut cut = preview.len().min(HEAD);
                while !preview.is_char_boundary(cut) {
                    cut -= 1;
                }
                visit(TokenLine {
                    start: base,
                    tokens: &held,
                    text: Text::Read {
                        head: preview[..cut].to_string(),
                        pairs,
                    },
                });
            }
            // Continue at the line's break.
            filled = 0;
            base = line_end;
            read_to = line_end;
            continue;
        }
        let region = &buf[..end];
        hits.clear();
        for (index, finder) in finders.iter().enumerate() {
            hits.extend(finder.find_iter(region).map(|at| (at, index)));
        }
        hits.sort_unstable();
        let mut next = 0usize;
        let mut held: Vec<usize> = Vec::new();
        while next < hits.len() {
            let (at, _) = hits[next];
            let (start, stop, text_is_plain) = match plain_line(region, at) {
                Some((start, stop)) => (start, stop, true),
                None => (start_of_line(region, at), end_of_line(region, at), false),
            };
            held.clear();
            while next < hits.len() && hits[next].0 < stop {
                if !held.contains(&hits[next].1) {
                    held.push(hits[next].1);
                }
                next += 1;
            }
            let bytes = &region[start..stop];
            visit(TokenLine {
                start: base + start as u64,
                tokens: &held,
                text: if text_is_plain {
                    Text::Plain(bytes)
                } else {
                    Text::Held(bytes)
                },
            });
        }
        store.copy_within(end..filled, 0);
        filled -= end;
        base += end as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::lines::line_number_with;
    use crate::testing::Scratch;

    type Seen = (u64, Vec<usize>, Vec<(String, String)>);

    fn lines_of(log: &[u8], tokens: &[&str], block: usize) -> Vec<Seen> {
        let scratch = Scratch::new("forward");
        let path = scratch.path().join("log");
        std::fs::write(&path, log).unwrap();
        let file = File::open(&path).unwrap();
        let mut seen = Vec::new();
        each_line_with(&file, log.len() as u64, tokens, block, |line| {
            let mut held = line.tokens.to_vec();
            held.sort_unstable();
            let number = line_number_with(&file, line.start, 1 << 20).unwrap();
            seen.push((number, held, line.pairs()));
        })
        .unwrap();
        seen
    }

    #[test]
    fn every_line_holding_a_token_in_order_with_its_number() {
        let log = b"start\nA x=1\r\nnoise A\x0bB y=2 A\nzzz\xe2\x80\xa8B z=3\nend A";
        for block in [1, 2, 3, 5, 7, 64, 1 << 20] {
            let summary = lines_of(log, &["A", "B"], block);
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

    #[test]
    fn two_ranges_split_at_a_line_start_see_what_one_scan_sees() {
        let log = b"A a=1\r\nB b=2\rA c=3\xe2\x80\xa8A d=4\nx\nA e=5";
        let scratch = Scratch::new("forward-split");
        let path = scratch.path().join("log");
        std::fs::write(&path, log).unwrap();
        let file = File::open(&path).unwrap();
        let len = log.len() as u64;
        let scan = |range: std::ops::Range<u64>| {
            let mut seen = Vec::new();
            each_line_in(&file, range, &["A", "B"], 4, |line| {
                seen.push((line.start, line.pairs()))
            })
            .unwrap();
            seen
        };
        let whole = scan(0..len);
        assert_eq!(whole.len(), 5);
        for at in 0..=len {
            let mid = line_start_after(&file, at, len).unwrap();
            let mut halves = scan(0..mid);
            halves.extend(scan(mid..len));
            assert_eq!(halves, whole, "split near {at} at {mid}");
        }
    }

    #[test]
    fn a_line_gives_its_first_bytes_also_when_too_long_to_hold() {
        let scratch = Scratch::new("forward-head");
        let path = scratch.path().join("log");
        let long = format!(
            "2026-03-05T12:00:09.001Z A {}x=1\n",
            "y".repeat(LONG_LINE + 10)
        );
        let log = format!("2026-03-05T12:00:08Z A p=1\nshort A\n{long}\u{e9}t\u{e9} A q=2\n");
        std::fs::write(&path, &log).unwrap();
        let file = File::open(&path).unwrap();
        let mut heads = Vec::new();
        let mut folded = fold_lines(
            &file,
            log.len() as u64,
            &["A"],
            Vec::new,
            |seen: &mut Vec<Vec<u8>>, line| seen.push(line.head().to_vec()),
            |seen, later| seen.extend(later),
        )
        .unwrap();
        heads.append(&mut folded);
        assert_eq!(heads.len(), 4);
        assert_eq!(heads[0], b"2026-03-05T12:00:08Z A p=1");
        assert_eq!(heads[1], b"short A");
        assert_eq!(heads[2].len(), HEAD);
        assert!(heads[2].starts_with(b"2026-03-05T12:00:09.001Z A yyy"));
        assert_eq!(heads[3], "\u{e9}t\u{e9} A q=2".as_bytes());
    }

    #[test]
    fn an_ascii_lookup_follows_the_references_pair_rule() {
        let line = b"A p99_us=1 xp99_us=2 a=p99_us=3 p99_us=4\x1fq p99_us= p99_us==5";
        // The last whole-key pair: `p99_us==5` has the value `=5`.
        assert_eq!(ascii_value(line, b"p99_us"), Some(&b"=5"[..]));
        assert_eq!(ascii_value(b"p99_us=4\x1fq", b"p99_us"), Some(&b"4"[..]));
        assert_eq!(ascii_value(b"a=p99_us=3", b"p99_us"), None);
        assert_eq!(ascii_value(b"xp99_us=2", b"p99_us"), None);
        assert_eq!(ascii_value(b"p99_us= 1", b"p99_us"), None);
    }
}
