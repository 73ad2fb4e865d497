//! The forward scan: every line of a log that holds one of some tokens, in
//! order, for limits judged over the whole run and for charts.
//!
//! The log is read once, in blocks ([`fold_lines`]: a large log in two halves
//! at once). Each block is cut after its last complete line; in that region
//! the tokens are found (one `memmem` pass per token, or for several tokens one
//! pass over a byte of each that the log seldom holds) and each line holding
//! one is handed over as it lies in memory, its values looked up on demand
//! ([`Keys`]: an ASCII line without a copy or an allocation, as most metric
//! lines are) and its first bytes at hand for a timestamp. Numbering
//! lines costs a count of the breaks before them, so it is left to the caller
//! for the few lines a message names ([`crate::lines::line_number`]).
//! The partial line at a block's end is carried into the next. A line longer
//! than `LONG_LINE` bytes is read through [`crate::lines`] instead, so memory
//! stays bounded whatever the log holds.

use crate::format::{Read, Reading};
pub use crate::kv::Keys;
use crate::kv::{ascii_line_values_into, ascii_values, ValuesVisit};
use crate::lines::{
    break_len, complete_end, end_of_line, line_end, pairs_of, parse_span, start_of_line, Span,
    BLOCK,
};
use crate::logical;
use memchr::memmem::Finder;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// The longest line held in memory; a longer one is read from the file in pieces.
const LONG_LINE: usize = 4 << 20;

pub use crate::lines::HEAD;

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
    /// ASCII without breaks, so the pair rule reads the bytes as they are.
    Plain(&'a [u8]),
    /// Any other line, without its break.
    Held(&'a [u8]),
    /// A line too long to hold: its pairs, and the first bytes of its text decoded.
    Read {
        pairs: Vec<(String, String)>,
        head: String,
    },
    /// A line read as the suite's logs section says, and its first bytes for its time,
    /// made when asked for.
    Stack {
        read: Box<Read>,
        cri_time: Option<i64>,
        head: OnceCell<String>,
    },
}

impl TokenLine<'_> {
    /// Returns true if and only if the line holds the token of index `token`.
    pub fn holds(&self, token: usize) -> bool {
        holds(self.tokens, token)
    }

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
                if bytes.len() <= crate::kv::VALUE_MAX
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
            Text::Stack { read, .. } => {
                let (pairs, _) = read.pairs();
                keys.iter()
                    .map(|key| find(&pairs, key).map(Cow::Owned))
                    .collect()
            }
        }
    }

    /// Returns the first [`HEAD`] bytes of the line (fewer for a shorter line), raw; a
    /// line too long to hold gives its first characters decoded lossily.
    pub fn head(&self) -> &[u8] {
        match &self.text {
            Text::Plain(bytes) | Text::Held(bytes) => &bytes[..bytes.len().min(HEAD)],
            Text::Read { pairs: _, head } => head.as_bytes(),
            Text::Stack {
                read,
                cri_time,
                head,
            } => head
                .get_or_init(|| logical::head_of(read, *cri_time))
                .as_bytes(),
        }
    }

    /// Calls `f` once with the values of `keys` on the line, as [`TokenLine::values`]
    /// gives them but as UTF-8 bytes; a printable ASCII line and at most 16 keys cost no
    /// allocation. `f` is a trait object so that this runs as compiled here, optimized
    /// in every profile (`lib.rs`), and not as a generic compiled by the caller.
    pub fn with_values(&self, keys: &Keys, f: &mut ValuesVisit<'_>) {
        const HELD: usize = 16;
        let count = keys.names().len();
        match &self.text {
            Text::Plain(bytes) | Text::Held(bytes)
                if count <= HELD
                    && bytes.len() <= crate::kv::VALUE_MAX
                    && (matches!(self.text, Text::Plain(_)) || bytes.is_ascii()) =>
            {
                let mut found: [Option<&[u8]>; HELD] = [None; HELD];
                // A line's text holds no line break (it ends where one starts).
                ascii_line_values_into(bytes, keys, &mut found[..count]);
                f(&found[..count])
            }
            Text::Stack { read, .. } => read.with_values(keys, f),
            _ => {
                let names: Vec<&str> = keys.names().iter().map(String::as_str).collect();
                let owned = self.values(&names);
                let values: Vec<Option<&[u8]>> = owned
                    .iter()
                    .map(|value| value.as_deref().map(str::as_bytes))
                    .collect();
                f(&values)
            }
        }
    }

    /// Returns all the line's pairs, values still raw.
    pub fn pairs(&self) -> Vec<(String, String)> {
        match &self.text {
            Text::Plain(bytes) | Text::Held(bytes) => pairs_of(bytes).0,
            Text::Read { pairs, head: _ } => pairs.clone(),
            Text::Stack { read, .. } => read.pairs().0,
        }
    }
}

/// Returns true if and only if `held` (a few token indexes) holds `token`; a plain loop,
/// cheap also unoptimized, where `contains` is not.
fn holds(held: &[usize], token: usize) -> bool {
    let mut i = 0;
    while i < held.len() {
        if held[i] == token {
            return true;
        }
        i += 1;
    }
    false
}

/// How the tokens are found in a region of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Search {
    /// Not decided yet: the first region read decides.
    Undecided,
    /// One `memmem` pass per token.
    EachToken,
    /// One pass for up to three bytes, one rare in each token (the byte, its index in
    /// the token), each candidate checked for the whole token: several tokens cost
    /// about one pass.
    RareBytes(Vec<(u8, usize)>),
}

impl Search {
    /// Returns how to search `tokens`, from how often their bytes occur in the start
    /// of `sample`: by rare bytes when there are several tokens and the bytes chosen
    /// are seldom in the log (at most one in 256), else token by token.
    fn decide(tokens: &[&[u8]], sample: &[u8]) -> Search {
        if tokens.len() < 2 || tokens.iter().any(|token| token.is_empty()) {
            return Search::EachToken;
        }
        let sample = &sample[..sample.len().min(256 << 10)];
        let mut counts = [0usize; 256];
        for &b in sample {
            counts[usize::from(b)] += 1;
        }
        let rare: Vec<(u8, usize)> = tokens
            .iter()
            .filter_map(|token| {
                let (index, &byte) = token
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, &b)| counts[usize::from(b)])?;
                Some((byte, index))
            })
            .collect();
        let mut bytes: Vec<u8> = rare.iter().map(|(byte, _)| *byte).collect();
        bytes.sort_unstable();
        bytes.dedup();
        let candidates: usize = bytes.iter().map(|&b| counts[usize::from(b)]).sum();
        if bytes.len() > 3 || candidates * 256 > sample.len() {
            return Search::EachToken;
        }
        Search::RareBytes(rare)
    }

    /// Adds the positions of the tokens in `region` to `hits`, with their indexes.
    fn find(
        &self,
        tokens: &[&[u8]],
        finders: &[Finder],
        region: &[u8],
        hits: &mut Vec<(usize, usize)>,
    ) {
        let Search::RareBytes(rare) = self else {
            for (index, finder) in finders.iter().enumerate() {
                hits.extend(finder.find_iter(region).map(|at| (at, index)));
            }
            return;
        };
        let mut bytes: Vec<u8> = rare.iter().map(|(byte, _)| *byte).collect();
        bytes.sort_unstable();
        bytes.dedup();
        // Indexes, not iterator adapters: this runs for every candidate, also unoptimized.
        let mut check = |at: usize| {
            let mut index = 0;
            while index < rare.len() {
                let (byte, offset) = rare[index];
                let token = tokens[index];
                if region[at] == byte && at >= offset {
                    let start = at - offset;
                    let end = start + token.len();
                    if end <= region.len() && region[start..end] == *token {
                        hits.push((start, index));
                    }
                }
                index += 1;
            }
        };
        match bytes[..] {
            [a] => memchr::memchr_iter(a, region).for_each(&mut check),
            [a, b] => memchr::memchr2_iter(a, b, region).for_each(&mut check),
            [a, b, c] => memchr::memchr3_iter(a, b, c, region).for_each(&mut check),
            _ => {}
        }
    }
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
    fold_lines_read(file, len, tokens, &Reading::off(), fresh, visit, merge)
}

/// Folds lines like [`fold_lines`], reading them as `reading` says: a line counts
/// when its message holds a token, and CRI records are joined into one line.
pub fn fold_lines_read<T, S>(
    file: &File,
    len: u64,
    tokens: &[T],
    reading: &Reading,
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
        each_line_read(file, range, tokens, reading, BLOCK, |line| {
            visit(&mut state, line)
        })?;
        Ok(state)
    };
    if len < SPLIT_AT {
        return scan_part(0..len);
    }
    let mut mid = line_start_after(file, len / 2, len)?;
    if reading.readings().cri {
        mid = logical::start_at_or_after(file, mid, len)?;
    }
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

/// Returns true if and only if `bytes` are ASCII without a line break, text the pair
/// rule reads without decoding.
///
/// Two spellings, held equal by a test: optimized, a loop over the bytes that the
/// compiler vectorizes; unoptimized (as `cargo test` builds the crate), where such a
/// loop costs a few nanoseconds a byte, searches by precompiled or optimized code.
///
/// The caller's `bytes` hold no `\n`: they were cut at one.
fn plain(bytes: &[u8]) -> bool {
    if crate::kv::UNOPTIMIZED {
        plain_by_search(bytes)
    } else {
        plain_by_fold(bytes)
    }
}

/// Returns [`plain`] of `bytes` by one pass of arithmetic over the bytes.
fn plain_by_fold(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        // ASCII, and none of `\n`, `\x0b`, `\x0c`, `\r`, `\x1c`-`\x1e`.
        ok & (b < 0x80) & (b.wrapping_sub(b'\n') >= 4) & (b.wrapping_sub(0x1c) >= 3)
    })
}

/// Returns [`plain`] of `bytes`, which hold no `\n` (they were cut at one), by the UTF-8
/// check and character count of `std` and `memchr` searches for the other breaks.
fn plain_by_search(bytes: &[u8]) -> bool {
    // Valid UTF-8 with as many characters as bytes is ASCII.
    let ascii = std::str::from_utf8(bytes).is_ok_and(|text| text.chars().count() == bytes.len());
    ascii
        && memchr::memchr3(b'\r', 0x0b, 0x0c, bytes).is_none()
        && memchr::memchr3(0x1c, 0x1d, 0x1e, bytes).is_none()
}

/// Returns the bounds of the line holding `bytes[i]` when it is a plain line ending in
/// `\n` (or the end of `bytes`), the common case, found with `memchr`.
fn plain_line(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let start = memchr::memrchr(b'\n', &bytes[..i]).map_or(0, |nl| nl + 1);
    let stop = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |nl| i + nl);
    plain(&bytes[start..stop]).then_some((start, stop))
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
    visit: impl FnMut(TokenLine<'_>),
) -> io::Result<()> {
    each_line_read(file, range, tokens, &Reading::off(), block, visit)
}

/// Scans like [`each_line_in`], reading lines as `reading` says.
///
/// Public for the property tests only.
#[doc(hidden)]
pub fn each_line_read<T: AsRef<str>>(
    file: &File,
    range: std::ops::Range<u64>,
    tokens: &[T],
    reading: &Reading,
    block: usize,
    mut visit: impl FnMut(TokenLine<'_>),
) -> io::Result<()> {
    let tokens: Vec<&[u8]> = tokens.iter().map(|t| t.as_ref().as_bytes()).collect();
    each_line_dyn(file, range, tokens, reading, block, &mut visit)
}

/// The loop of [`each_line_read`], not generic: it is compiled in this crate, which is
/// optimized in every profile (`lib.rs`), where a generic loop would be compiled in
/// the crate that calls it, unoptimized under `cargo test`. `visit` is called once a
/// line that holds a token.
fn each_line_dyn(
    file: &File,
    range: std::ops::Range<u64>,
    mut tokens: Vec<&[u8]>,
    reading: &Reading,
    block: usize,
    visit: &mut dyn FnMut(TokenLine<'_>),
) -> io::Result<()> {
    let len = range.end;
    // With CRI on, the marks of partial records are searched as tokens past the real
    // ones: a token split between two records is in no record whole.
    let real = tokens.len();
    if reading.readings().cri {
        tokens.extend(logical::PARTIAL);
    }
    // The end of the last line read from the file (joined CRI records): hits before it
    // were in that line.
    let mut read_to_line = range.start;
    let finders: Vec<Finder> = tokens.iter().map(Finder::new).collect();
    let mut search = Search::Undecided;
    let block = block.clamp(1, BLOCK);
    // `store[..filled]` holds the log from `base`, where a line starts; the store is
    // allocated (and zeroed) once, a carried partial line moved to its front.
    let span = (range.end - range.start) as usize;
    let mut store: Vec<u8> = vec![0u8; block + LONG_LINE.min(span + 1)];
    let mut filled = 0usize;
    let mut base = range.start;
    let mut read_to = range.start;
    let mut hits: Vec<(usize, usize)> = Vec::new();
    let read_logically = !reading.is_off();
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
            if !reading.is_off() {
                let mut next = line_end;
                if base >= read_to_line {
                    let line = logical::line_at(file, base, len, reading)?;
                    read_to_line = line.end;
                    next = next.max(line.end);
                    let mut held = Vec::new();
                    visit_read(line, &finders[..real], &mut held, visit);
                }
                filled = 0;
                base = next;
                read_to = next;
                continue;
            }
            // A token is looked for in the whole line, however far into it.
            let held = tokens_in_span(file, base, line_end, &finders)?;
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
        if search == Search::Undecided {
            search = Search::decide(&tokens, region);
        }
        search.find(&tokens, &finders, region, &mut hits);
        // Hits are in order per token: a stable sort merges the runs in linear time.
        hits.sort();
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
                if !holds(&held, hits[next].1) {
                    held.push(hits[next].1);
                }
                next += 1;
            }
            let bytes = &region[start..stop];
            if read_logically {
                let at = base + start as u64;
                if at < read_to_line {
                    continue;
                }
                let line = logical::line_in(file, at, bytes, len, reading)?;
                read_to_line = line.end;
                visit_read(line, &finders[..real], &mut held, visit);
                continue;
            }
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

/// Returns the indexes of the `finders` whose token is in `start..end` of `file`, read
/// a block at a time.
fn tokens_in_span(file: &File, start: u64, end: u64, finders: &[Finder]) -> io::Result<Vec<usize>> {
    let overlap = finders
        .iter()
        .map(|f| f.needle().len())
        .max()
        .unwrap_or(1)
        .max(1)
        - 1;
    let mut found = vec![false; finders.len()];
    let mut buf = vec![0u8; BLOCK + overlap];
    let mut at = start;
    while at < end && found.contains(&false) {
        let n = ((end - at) as usize).min(buf.len());
        file.read_exact_at(&mut buf[..n], at)?;
        for (seen, finder) in found.iter_mut().zip(finders) {
            *seen |= finder.find(&buf[..n]).is_some();
        }
        if at + n as u64 >= end {
            break;
        }
        at += (n - overlap) as u64;
    }
    Ok((0..finders.len()).filter(|&i| found[i]).collect())
}

/// Visits a line read by the logs section if its message holds one of the tokens
/// that `finders` search.
fn visit_read(
    line: logical::Logical,
    finders: &[Finder],
    held: &mut Vec<usize>,
    visit: &mut dyn FnMut(TokenLine<'_>),
) {
    let message = line.read.message.as_bytes();
    held.clear();
    held.extend((0..finders.len()).filter(|&i| finders[i].find(message).is_some()));
    if held.is_empty() {
        return;
    }
    visit(TokenLine {
        start: line.start,
        tokens: held,
        text: Text::Stack {
            read: Box::new(line.read),
            cri_time: line.cri_time,
            head: OnceCell::new(),
        },
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::ascii_value;
    use crate::lines::line_number_with;
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
    fn a_token_far_into_a_line_too_long_to_hold_is_seen() {
        let log = format!("a\n{} A q=1 B\nA r=2\n", "y".repeat(LONG_LINE + 10));
        let pair = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            lines_of(log.as_bytes(), &["A", "B"], 1 << 20),
            [
                (2, vec![0, 1], pair("q", "1")),
                (3, vec![0], pair("r", "2"))
            ]
        );
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
        // Keys longer than a word, at the line's start, and ones the rule never matches.
        let long = b"ingest_to_emit_samples";
        assert_eq!(
            ascii_value(b"ingest_to_emit_samples=5", long),
            Some(&b"5"[..])
        );
        assert_eq!(ascii_value(b"a xingest_to_emit_samples=5", long), None);
        assert_eq!(ascii_value(b"gest_to_emit_samples=5", long), None);
        assert_eq!(ascii_value(b"q=1 iNgest_to_emit_samples=5", long), None);
        assert_eq!(ascii_value(b"x a.b=1", b"a.b"), None);
        assert_eq!(ascii_value(b"x a.b=1", b"b"), Some(&b"1"[..]));
        assert_eq!(ascii_value(b"=1 k=2", b""), None);
        assert_eq!(ascii_value(b"k=2", b"k"), Some(&b"2"[..]));
    }

    #[test]
    fn both_spellings_of_a_plain_line_agree() {
        // No `\n`: a line is cut at one before it is checked.
        let alphabet: Vec<u8> = (0u8..=255)
            .filter(|&b| b != b'\n')
            .chain(*b"\r\x0b\x0c\x1c\x1d\x1e\x1f\t k=v")
            .chain("\u{85}\u{2028}\u{e9}".bytes())
            .collect();
        let mut rng = crate::testing::Rng::new(0x504c_4149);
        for round in 0..20_000 {
            // Mostly printable ASCII, so that many texts are plain.
            let len = rng.below(80);
            let text: Vec<u8> = (0..len)
                .map(|_| match rng.below(20) {
                    0 => alphabet[rng.below(alphabet.len())],
                    _ => b' ' + rng.below(95) as u8,
                })
                .collect();
            let expected = text.is_ascii()
                && !text
                    .iter()
                    .any(|&b| crate::lines::STARTS_BREAK[usize::from(b)]);
            assert_eq!(plain_by_fold(&text), expected, "round {round}: {text:?}");
            assert_eq!(plain_by_search(&text), expected, "round {round}: {text:?}");
        }
    }

    #[test]
    fn several_tokens_found_by_rare_bytes_are_the_lines_each_token_finds() {
        let scratch = Scratch::new("forward-rare");
        let path = scratch.path().join("log");
        let tokens = ["LATENCY_METRICS", "FAULT_COUNTERS", "RTP_METRICS"];
        let mut log = String::new();
        let mut expected = Vec::new();
        let mut state = 7u64;
        for line in 0..20_000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let start = log.len() as u64;
            match state >> 58 {
                0 => log.push_str("info metrics LATENCY_METRICS p99_us=1\n"),
                1 => log.push_str("FAULT_COUNTERS torn_read_events=2 RTP_METRICS\n"),
                2 => log.push_str("x RTP_METRICSRTP_METRICS y\n"),
                3 => log.push_str("LATENCY_METRIC FAULT_COUNTER near misses\n"),
                _ => log.push_str(&format!("info reader frame ok seq={line} bytes=12000\n")),
            }
            let text = &log[start as usize..];
            let held: Vec<usize> = (0..3).filter(|&t| text.contains(tokens[t])).collect();
            if !held.is_empty() {
                expected.push((start, held));
            }
        }
        std::fs::write(&path, &log).unwrap();
        let file = File::open(&path).unwrap();
        let bytes = log.as_bytes();
        let finders: Vec<Finder> = tokens.iter().map(|t| Finder::new(t.as_bytes())).collect();
        let token_bytes: Vec<&[u8]> = tokens.iter().map(|t| t.as_bytes()).collect();
        assert!(matches!(
            Search::decide(&token_bytes, bytes),
            Search::RareBytes(_)
        ));
        for block in [7, 4096, 1 << 20] {
            let mut seen = Vec::new();
            each_line_with(&file, log.len() as u64, &tokens, block, |line| {
                let mut held = line.tokens.to_vec();
                held.sort_unstable();
                seen.push((line.start, held));
            })
            .unwrap();
            assert_eq!(seen, expected, "block {block}");
        }
        // The same hits, token by token.
        let (mut rare, mut each) = (Vec::new(), Vec::new());
        Search::decide(&token_bytes, bytes).find(&token_bytes, &finders, bytes, &mut rare);
        Search::EachToken.find(&token_bytes, &finders, bytes, &mut each);
        rare.sort();
        each.sort();
        assert_eq!(rare, each);
    }
}
