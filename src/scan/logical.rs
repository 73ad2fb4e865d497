//! A line as the logging stack meant it, when the suite says how logs are written:
//! the CRI records that make it joined (`P` records with the records after them up
//! to the `F` one), its text read by [`crate::format`], and the last such line
//! of each token found by reading back from the end of a log.
//!
//! The tail scan here keeps the shape of [`crate::tail`]: one backward search
//! per token over doubling windows from the end, then only the lines found are read.
//! A line whose token is not in its message (a JSON member that mentions it) does not
//! count, and the search goes on before it; with CRI on, a partial record after the
//! token's last occurrence is read too, since a token split between two records is
//! in no record whole.

use crate::cri;
use crate::format::{read_text, Read, Reading};
use crate::lines::{break_before, break_len, line_end, line_start, BLOCK};
use crate::tail::RawHit;
use crate::timestamp;
use memchr::memmem::Finder;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Bytes of a line's text read at most: what a scenario's lines may hold in memory
/// (a histogram dump of 70,000 pairs is 1.4 MB).
pub const TEXT_BUDGET: u64 = crate::kv::PAIRS_BUDGET as u64;

/// Bytes of the preview kept at most.
const PREVIEW_MAX: usize = 4096;

/// What marks a partial CRI record, searched beside the tokens.
pub(crate) const PARTIAL: [&[u8]; 2] = [b" stdout P ", b" stderr P "];

/// One line of a log as the stack meant it.
#[derive(Debug)]
pub(crate) struct Logical {
    /// Offset of its first record's first byte.
    pub(crate) start: u64,
    /// Offset just past its last record's last byte.
    pub(crate) end: u64,
    /// Its text as read.
    pub(crate) read: Read,
    /// The start of its text, decoded, for messages (empty as the forward scan reads it).
    pub(crate) preview: String,
    /// The time of its first CRI record, if it is one.
    pub(crate) cri_time: Option<i64>,
    /// Its text ran past [`TEXT_BUDGET`] bytes and the rest was not read.
    pub(crate) cut: bool,
}

/// Returns the line holding the byte at `pos` of `file` (of `len` bytes): with CRI on,
/// the records joined with it, read as `reading` says.
pub(crate) fn line_at(file: &File, pos: u64, len: u64, reading: &Reading) -> io::Result<Logical> {
    let mut buf = vec![0u8; 64 << 10];
    let start = line_start(file, pos, &mut buf)?;
    let end = line_end(file, pos, len, &mut buf)?;
    let mut records = vec![(start, end)];
    let mut first_record = None;
    if reading.readings().cri {
        if let Some(record) = record_at(file, start, end)? {
            first_record = Some(record);
            // Back over the partial records this one continues.
            let mut at = start;
            while let Some((prev_start, prev_end)) = previous_line(file, at, &mut buf)? {
                match record_at(file, prev_start, prev_end)? {
                    Some(prev) if prev.partial => {
                        records.insert(0, (prev_start, prev_end));
                        first_record = Some(prev);
                        at = prev_start;
                    }
                    _ => break,
                }
            }
            // On over the records after a partial one, up to the full one.
            let mut last = record;
            let mut at = end;
            while last.partial {
                let Some((next_start, next_end)) = next_line(file, at, len, &mut buf)? else {
                    break;
                };
                let Some(next) = record_at(file, next_start, next_end)? else {
                    break;
                };
                records.push((next_start, next_end));
                last = next;
                at = next_end;
            }
        }
    }
    let mut text: Vec<u8> = Vec::new();
    let mut cut = false;
    for &(from, to) in &records {
        let skip = match first_record {
            Some(_) => record_at(file, from, to)?.map_or(0, |record| record.text as u64),
            None => 0,
        };
        let from = (from + skip).min(to);
        let room = TEXT_BUDGET.saturating_sub(text.len() as u64);
        let take = (to - from).min(room);
        cut |= take < to - from;
        let at = text.len();
        text.resize(at + take as usize, 0);
        file.read_exact_at(&mut text[at..], from)?;
    }
    let decoded = String::from_utf8_lossy(&text);
    let mut preview_end = decoded.len().min(PREVIEW_MAX);
    while !decoded.is_char_boundary(preview_end) {
        preview_end -= 1;
    }
    let read = read_text(&decoded, reading);
    Ok(Logical {
        start: records.first().map_or(start, |r| r.0),
        end: records.last().map_or(end, |r| r.1),
        cut,
        preview: decoded[..preview_end].to_string(),
        read,
        cri_time: first_record.and_then(|record| record.time),
    })
}

/// Returns the line whose bytes `bytes` start at `at` in `file` (of `len` bytes), read
/// from memory unless it is a partial CRI record, which is joined with the records
/// after it from the file.
pub(crate) fn line_in(
    file: &File,
    at: u64,
    bytes: &[u8],
    len: u64,
    reading: &Reading,
) -> io::Result<Logical> {
    let record = if reading.readings().cri {
        cri::record(bytes)
    } else {
        None
    };
    if record.is_some_and(|record| record.partial) {
        return line_at(file, at, len, reading);
    }
    let text = &bytes[record.map_or(0, |record| record.text)..];
    // Checking UTF-8 costs less than decoding lossily, and log lines are seldom invalid.
    let read = match std::str::from_utf8(text) {
        Ok(text) => read_text(text, reading),
        Err(_) => read_text(&String::from_utf8_lossy(text), reading),
    };
    Ok(Logical {
        start: at,
        end: at + bytes.len() as u64,
        cut: false,
        preview: String::new(),
        read,
        cri_time: record.and_then(|record| record.time),
    })
}

/// Returns the first bytes of a line read as `read`, from a CRI record of `cri_time`, for
/// its time: the time the line was written (a JSON time member, else the text's own
/// leading time, else its CRI record's), as RFC 3339 where it does not lead the text,
/// else the text's first bytes.
pub(crate) fn head_of(read: &Read, cri_time: Option<i64>) -> String {
    let message = &read.message;
    let mut cut = message.len().min(crate::lines::HEAD);
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    let own = &message[..cut];
    let time = read.time.or_else(|| {
        timestamp::leading(own.as_bytes())
            .is_none()
            .then_some(cri_time)
            .flatten()
    });
    match time {
        Some(millis) => {
            let (year, month, day, hour, minute, second) = timestamp::utc(millis);
            format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{:03}Z",
                millis.rem_euclid(1000)
            )
        }
        None => own.to_string(),
    }
}

/// Returns the first line start at or after `at` (a line start) that no partial CRI
/// record continues into: a place to split a log between two scans.
pub(crate) fn start_at_or_after(file: &File, at: u64, len: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 << 10];
    let mut at = at;
    while at < len {
        let partial_before = match previous_line(file, at, &mut buf)? {
            Some((start, end)) => record_at(file, start, end)?.is_some_and(|r| r.partial),
            None => false,
        };
        if !partial_before {
            return Ok(at);
        }
        let end = line_end(file, at, len, &mut buf)?;
        match next_line(file, end, len, &mut buf)? {
            Some((next, _)) => at = next,
            None => return Ok(len),
        }
    }
    Ok(len)
}

/// Returns the CRI prefix of the line `start..end`, if it has one.
fn record_at(file: &File, start: u64, end: u64) -> io::Result<Option<cri::Record>> {
    let mut head = [0u8; cri::PREFIX_MAX];
    let n = ((end - start) as usize).min(head.len());
    file.read_exact_at(&mut head[..n], start)?;
    Ok(cri::record(&head[..n]))
}

/// Returns the bounds of the line before the one starting at `start`, if any.
fn previous_line(file: &File, start: u64, buf: &mut [u8]) -> io::Result<Option<(u64, u64)>> {
    if start == 0 {
        return Ok(None);
    }
    let mut before = [0u8; 3];
    let n = start.min(3) as usize;
    file.read_exact_at(&mut before[3 - n..], start - n as u64)?;
    let end = start - break_before(&before[3 - n..]).max(1) as u64;
    let line = if end == 0 {
        0
    } else {
        line_start(file, end, buf)?
    };
    // `line_start` finds the start of the line holding the byte at `end`: the break.
    Ok(Some((line.min(end), end)))
}

/// Returns the bounds of the line after the one ending at `end`, if any.
fn next_line(file: &File, end: u64, len: u64, buf: &mut [u8]) -> io::Result<Option<(u64, u64)>> {
    let mut brk = [0u8; 3];
    let n = ((len - end) as usize).min(3);
    file.read_exact_at(&mut brk[..n], end)?;
    let next = end + break_len(&brk[..n], 0).max(1) as u64;
    if next >= len {
        return Ok(None);
    }
    Ok(Some((next, line_end(file, next, len, buf)?)))
}

/// Returns the last line of `file` (of `len` bytes) whose message holds each of
/// `tokens`, read as `reading` says.
pub fn scan_tail<T: AsRef<str>>(
    file: &File,
    len: u64,
    tokens: &[T],
    reading: &Reading,
) -> io::Result<Vec<Option<RawHit>>> {
    let mut seen: Vec<Logical> = Vec::new();
    // The pairs of all the lines found share one budget: what a scenario holds.
    let mut left = crate::kv::PAIRS_BUDGET;
    let mut hits = Vec::with_capacity(tokens.len());
    for token in tokens {
        let token = token.as_ref();
        let mut needles: Vec<&[u8]> = vec![token.as_bytes()];
        if reading.readings().cri {
            needles.extend(PARTIAL);
        }
        let finders: Vec<Finder> = needles.iter().map(Finder::new).collect();
        let mut hi = len;
        let mut hit = None;
        while let Some(pos) = last_candidate(file, hi, &finders)? {
            let index = match seen
                .iter()
                .position(|line| line.start <= pos && pos < line.end)
            {
                Some(index) => index,
                None => {
                    seen.push(line_at(file, pos, len, reading)?);
                    seen.len() - 1
                }
            };
            let line = &seen[index];
            if line.read.message.contains(token) {
                let (pairs, cut, kept) = line.read.pairs_within(left);
                left = left.saturating_sub(kept);
                hit = Some(RawHit {
                    start: line.start,
                    end: line.end,
                    pairs,
                    preview: line.preview.clone(),
                    cut: line.cut || cut,
                });
                break;
            }
            hi = line.start;
        }
        hits.push(hit);
    }
    Ok(hits)
}

/// Returns the last position below `hi` of the first needle or, above that, of any
/// other, reading back from `hi` in doubling windows until the first is found (without
/// it, the last of any other).
fn last_candidate(file: &File, hi: u64, finders: &[Finder]) -> io::Result<Option<u64>> {
    let overlap = finders.iter().map(|f| f.needle().len()).max().unwrap_or(1) - 1;
    let mut best: Option<u64> = None;
    let mut top = hi;
    let mut chunk: u64 = 64 << 10;
    let mut buf: Vec<u8> = Vec::new();
    while top > 0 {
        let lo = top.saturating_sub(chunk);
        // The window reaches `overlap` bytes into the one after it, below `hi`.
        let to = (top + overlap as u64).min(hi);
        buf.resize((to - lo) as usize, 0);
        file.read_exact_at(&mut buf, lo)?;
        let mut first_found = false;
        for (index, finder) in finders.iter().enumerate() {
            let Some(at) = finder.find_iter(&buf).last() else {
                continue;
            };
            let at = lo + at as u64;
            best = Some(best.map_or(at, |known| known.max(at)));
            first_found |= index == 0;
        }
        // The first needle's last position bounds what the others may add.
        if first_found {
            return Ok(best);
        }
        top = lo;
        chunk = (chunk * 2).min(BLOCK as u64);
    }
    Ok(best)
}
