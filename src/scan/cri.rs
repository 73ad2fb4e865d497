//! Kubernetes CRI log records (containerd, CRI-O): `<RFC 3339 time> <stdout|stderr>
//! <P|F> <text>`. A line longer than the runtime's buffer (16 KiB) is written as `P`
//! (partial) records followed by one `F` (full) record; joined, their texts are the
//! line the container wrote.
//!
//! This module reads one record's prefix; joining records into a line, forward and
//! backward, is the scans' business, through `Record::partial`.

use crate::timestamp;

/// The prefix of a CRI record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// The record's time, in milliseconds since the epoch.
    pub(crate) time: Option<i64>,
    /// A `P` record: the line goes on in the next record.
    pub(crate) partial: bool,
    /// Where the record's text starts, after the prefix.
    pub(crate) text: usize,
}

/// Bytes of a record's start that hold its prefix at most (a time with nanoseconds and
/// a zone, the stream and the tag).
pub(crate) const PREFIX_MAX: usize = 64;

/// Returns the prefix of the record starting `line`, if it is one.
pub(crate) fn record(line: &[u8]) -> Option<Record> {
    let space = memchr::memchr(b' ', &line[..line.len().min(PREFIX_MAX)])?;
    let time_field = &line[..space];
    // A time, and nothing else in the field: a date, `T`, a clock and a zone.
    if time_field.len() < 20 || !time_field.contains(&b'T') {
        return None;
    }
    let time = timestamp::leading(time_field)?;
    let rest = &line[space + 1..];
    let rest = rest
        .strip_prefix(b"stdout ")
        .or_else(|| rest.strip_prefix(b"stderr "))?;
    let partial = match rest.first()? {
        b'P' => true,
        b'F' => false,
        _ => return None,
    };
    let text = match rest.get(1) {
        Some(b' ') => line.len() - rest.len() + 2,
        None => line.len(),
        Some(_) => return None,
    };
    Some(Record {
        time: Some(time),
        partial,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_lose_their_prefix_and_say_whether_they_are_partial() {
        let line = b"2026-03-05T12:00:41.001234567Z stdout P LATENCY_METRICS p50_us=1";
        let found = record(line).unwrap();
        assert!(found.partial);
        assert_eq!(&line[found.text..], b"LATENCY_METRICS p50_us=1");
        assert_eq!(found.time, timestamp::leading(b"2026-03-05T12:00:41.001Z"));
        let full = record(b"2026-03-05T12:00:41+01:00 stderr F x").unwrap();
        assert!(!full.partial);
        assert_eq!(full.text, b"2026-03-05T12:00:41+01:00 stderr F ".len());
        let empty = b"2026-03-05T12:00:41Z stdout F";
        assert_eq!(record(empty).unwrap().text, empty.len());
        for plain in [
            &b"2026-03-05T12:00:41.001Z INFO x LATENCY_METRICS p50_us=1"[..],
            b"2026-03-05T12:00:41Z stdout X text",
            b"2026-03-05T12:00:41Z stdout Ptext",
            b"stdout F text",
            b"",
        ] {
            assert_eq!(record(plain), None, "{:?}", String::from_utf8_lossy(plain));
        }
    }
}
