//! Times as milliseconds since the Unix epoch: the RFC 3339 time that bytes start
//! with, and the UTC calendar parts of a time.
//!
//! Streamer lines start with a time (`2026-03-05T12:00:41.001Z`) that charts put
//! a metric's values against (`eval::chart` reads the head of a line the forward
//! scan hands over); `run.json` records when a run started and finished, which
//! the report turns into how long it took; chart axes are ticked in UTC. This
//! module reads and writes no file and knows no stage: a line without a time is
//! placed by its position in the log instead, which is the chart's business.

/// Returns the time a line starting with `head` was written, in milliseconds since
/// 1970-01-01T00:00:00Z, when it starts (after an optional `[`) with
/// `YYYY-MM-DD[T ]HH:MM:SS`, optional fractional seconds and an optional zone (`Z`,
/// `+HH:MM`, `+HHMM`; none counts as UTC).
pub fn leading(head: &[u8]) -> Option<i64> {
    let text = head.strip_prefix(b"[").unwrap_or(head);
    let mut at = Cursor {
        bytes: text,
        pos: 0,
    };
    let year = at.digits(4)?;
    at.byte(b'-')?;
    let month = at.digits(2)?;
    at.byte(b'-')?;
    let day = at.digits(2)?;
    match at.next()? {
        b'T' | b't' | b' ' => {}
        _ => return None,
    }
    let hour = at.digits(2)?;
    at.byte(b':')?;
    let minute = at.digits(2)?;
    at.byte(b':')?;
    let second = at.digits(2)?;
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut millis = 0;
    if at.peek() == Some(b'.') || at.peek() == Some(b',') {
        at.pos += 1;
        let mut scale = 100;
        let mut any = false;
        while let Some(digit) = at.peek().filter(u8::is_ascii_digit) {
            millis += i64::from(digit - b'0') * scale;
            scale /= 10;
            any = true;
            at.pos += 1;
        }
        if !any {
            return None;
        }
    }
    let offset_minutes = match at.peek() {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            at.pos += 1;
            let hours = at.digits(2)?;
            if at.peek() == Some(b':') {
                at.pos += 1;
            }
            let minutes = at.digits(2)?;
            let total = hours * 60 + minutes;
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => 0,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// Returns the UTC date and time of `millis` (milliseconds since the Unix epoch):
/// year, month, day, hour, minute, second.
pub fn utc(millis: i64) -> (i64, i64, i64, i64, i64, i64) {
    let seconds = millis.div_euclid(1_000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    (
        year,
        month,
        day,
        of_day / 3_600,
        of_day / 60 % 60,
        of_day % 60,
    )
}

/// Returns the date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (
        if month <= 2 {
            year_of_era + era * 400 + 1
        } else {
            year_of_era + era * 400
        },
        month,
        day,
    )
}

/// Reads a timestamp's fields off its bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn digits(&mut self, count: usize) -> Option<i64> {
        let mut value = 0;
        for _ in 0..count {
            let digit = self.next().filter(u8::is_ascii_digit)?;
            value = value * 10 + i64::from(digit - b'0');
        }
        Some(value)
    }
}

/// Returns how many days `month` of `year` has in the Gregorian calendar.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Returns the days from 1970-01-01 to the given date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamer_timestamps_are_read_as_utc_milliseconds() {
        // date -u -d 2026-03-05T12:00:41Z +%s
        let base = 1_772_712_041_000;
        assert_eq!(leading(b"2026-03-05T12:00:41.001Z INFO x"), Some(base + 1));
        assert_eq!(leading(b"2026-03-05T12:00:41Z"), Some(base));
        assert_eq!(leading(b"2026-03-05 12:00:41.5 INFO"), Some(base + 500));
        assert_eq!(
            leading(b"[2026-03-05T12:00:41.123456Z] x"),
            Some(base + 123)
        );
        assert_eq!(leading(b"2026-03-05T14:00:41+02:00"), Some(base));
        assert_eq!(leading(b"2026-03-05T07:00:41-0500"), Some(base));
        assert_eq!(leading(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(leading(b"2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
    }

    #[test]
    fn utc_parts_invert_reading() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2026-03-05T12:00:41Z",
            "1969-12-31T23:59:59Z",
            "2100-03-01T00:00:00Z",
        ] {
            let millis = leading(text.as_bytes()).unwrap();
            let (y, mo, d, h, mi, s) = utc(millis);
            assert_eq!(
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
                text
            );
        }
    }

    #[test]
    fn lines_without_a_timestamp_at_their_start_have_none() {
        for head in [
            &b""[..],
            b"INFO 2026-03-05T12:00:41Z",
            b"2026-03-05",
            b"2026-03-05T12:00",
            b"2026-13-05T12:00:41Z",
            b"2026-02-30T12:00:41Z",
            b"2026-03-05T24:00:41Z",
            b"2026-03-05T12:00:41.Z",
            b"2026-03-05X12:00:41Z",
            b"20260305T120041Z",
        ] {
            assert_eq!(leading(head), None, "{}", String::from_utf8_lossy(head));
        }
    }
}
