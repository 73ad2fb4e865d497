//! How a line is read when the suite says how its logs are written (`"logs"`):
//! a JSON object as its message and metric members ([`crate::json_line`]),
//! ANSI colours removed, logfmt quotes and unit suffixes dropped from values.
//! Joining CRI records into the text read here is the scans' business
//! ([`crate::cri`]); without a `logs` section nothing here runs, and a line
//! is read as the reference reads it ([`crate::kv`]).

use crate::json_line;
use crate::kv::{ascii_values_into, Keys, PairParser, ValuesVisit, PAIRS_BUDGET, VALUE_MAX};
use std::borrow::Cow;

/// Which readings of a line are on: what the suite's `logs` section says (the
/// library's `input::logs` reads it into this type).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Readings {
    /// A line that is a JSON object is read as its message text and metric members.
    pub json: bool,
    /// ANSI SGR colour sequences are removed before pairs are read.
    pub ansi: bool,
    /// A logfmt value in double quotes is read without them.
    pub quotes: bool,
    /// A suffix equal to the key's unit is dropped.
    pub units: bool,
    /// CRI records lose their prefix, and partial records are joined.
    pub cri: bool,
}

impl Readings {
    /// Every reading on.
    pub const AUTO: Readings = Readings {
        json: true,
        ansi: true,
        quotes: true,
        units: true,
        cri: true,
    };

    /// Returns true if and only if no reading is on.
    pub fn is_off(&self) -> bool {
        *self == Readings::default()
    }
}

/// How the lines of one log are read: the readings on, and the metric names whose
/// JSON members are read as pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    logs: Readings,
    metrics: Vec<String>,
}

impl Reading {
    /// Returns the reading of `logs`, reading JSON members named as one of `metrics`.
    pub fn new(logs: Readings, metrics: Vec<String>) -> Reading {
        Reading { logs, metrics }
    }

    /// Returns the reference's reading: every reading off.
    pub fn off() -> Reading {
        Reading::default()
    }

    /// Returns which readings are on.
    pub fn readings(&self) -> Readings {
        self.logs
    }

    /// Returns true if and only if no reading is on: lines are read as the reference reads them.
    pub fn is_off(&self) -> bool {
        self.logs.is_off()
    }

    /// Returns true if and only if `key` names one of the metrics.
    fn is_metric(&self, key: &str) -> bool {
        self.metrics.iter().any(|metric| metric == key)
    }
}

/// A line's text as the reading makes it: the message and a JSON line's metric
/// members, whose pairs are read when asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Read {
    /// The text a token must be in for the line to count: a JSON line's message, or
    /// the line (without colours).
    pub(crate) message: String,
    /// A JSON line's members named as a metric, values raw, in the object's order.
    members: Vec<(String, String)>,
    /// The line's time from a JSON time member, in milliseconds since the epoch.
    pub(crate) time: Option<i64>,
    logs: Readings,
}

/// Reads the text of one line (CRI records already joined) as `reading` says.
pub(crate) fn read_text(text: &str, reading: &Reading) -> Read {
    let logs = reading.logs;
    let json = (logs.json && text.trim_start().starts_with('{'))
        .then(|| json_line::parse(text, &|key| reading.is_metric(key)))
        .flatten();
    let (body, mut members, time) = match json {
        Some(line) => (line.message.unwrap_or_default(), line.members, line.time),
        None => (Cow::Borrowed(text), Vec::new(), None),
    };
    // A member is a metric's when it is a number, perhaps in a string with a unit.
    members.retain(|(_, value)| split_number(value).is_some());
    let message = match (logs.ansi, body) {
        (true, body) => match strip_ansi(&body) {
            Cow::Borrowed(_) => body.into_owned(),
            Cow::Owned(stripped) => stripped,
        },
        (false, body) => body.into_owned(),
    };
    Read {
        message,
        members,
        time,
        logs,
    }
}

impl Read {
    /// Returns the pairs, values raw: the message's by the pair rule, then the members,
    /// each value read as the readings say, in the dict's order; and whether the message
    /// was cut ([`crate::kv`]).
    pub(crate) fn pairs(&self) -> (Vec<(String, String)>, bool) {
        let (pairs, cut, _) = self.pairs_within(PAIRS_BUDGET);
        (pairs, cut)
    }

    /// Returns the pairs as [`Read::pairs`] does, keeping `budget` bytes of the
    /// message's pairs at most, and the bytes kept.
    pub(crate) fn pairs_within(&self, budget: usize) -> (Vec<(String, String)>, bool, usize) {
        let mut parser = PairParser::with_budget(budget);
        parser.feed(&self.message);
        let kept = parser.kept();
        let (found, cut) = parser.finish_raw();
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(found.len());
        let members = self.members.iter().map(|(k, v)| (k.clone(), v.clone()));
        for (key, value) in found.into_iter().chain(members) {
            let value = value_as_read(&key, &value, self.logs).to_string();
            match pairs.iter_mut().find(|(known, _)| *known == key) {
                Some(slot) => slot.1 = value,
                None => pairs.push((key, value)),
            }
        }
        (pairs, cut, kept)
    }

    /// Calls `f` once with the value of each of `keys` as [`Read::pairs`] gives it; an
    /// ASCII message and at most 16 keys cost no allocation (a test holds the two equal).
    pub(crate) fn with_values(&self, keys: &Keys, f: &mut ValuesVisit<'_>) {
        const HELD: usize = 16;
        let names = keys.names();
        let message = self.message.as_bytes();
        if names.len() > HELD || message.len() > VALUE_MAX || !message.is_ascii() {
            let (pairs, _) = self.pairs();
            let values: Vec<Option<&[u8]>> = names
                .iter()
                .map(|name| {
                    let found = pairs.iter().rev().find(|(key, _)| key == name);
                    found.map(|(_, value)| value.as_bytes())
                })
                .collect();
            return f(&values);
        }
        let mut found: [Option<&[u8]>; HELD] = [None; HELD];
        let found = &mut found[..names.len()];
        ascii_values_into(message, keys, found);
        for (name, slot) in names.iter().zip(found.iter_mut()) {
            // An ASCII value is text; its readings only cut it.
            if let Some(value) = slot.and_then(|value| std::str::from_utf8(value).ok()) {
                *slot = Some(value_as_read(name, value, self.logs).as_bytes());
            }
            if let Some((_, value)) = self.members.iter().rev().find(|(key, _)| key == name) {
                *slot = Some(value_as_read(name, value, self.logs).as_bytes());
            }
        }
        f(found)
    }
}

/// Returns `value` without logfmt quotes and without a suffix equal to `key`'s unit,
/// as far as `logs` turns those readings on: a part of `value`.
fn value_as_read<'v>(key: &str, value: &'v str, logs: Readings) -> &'v str {
    let unquoted = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if logs.quotes => inner,
        _ => value,
    };
    if !logs.units {
        return unquoted;
    }
    match (unit_of(key), split_unit(unquoted)) {
        (Some(unit), Some((number, suffix))) if same_unit(unit, suffix) => number,
        _ => unquoted,
    }
}

/// Returns the unit a metric's name gives it: `_us` → `us`, `_ms` → `ms`, `_ppm` →
/// `ppm`, `_s` → `s`, `_bytes` → `B`.
fn unit_of(key: &str) -> Option<&'static str> {
    [
        ("_us", "us"),
        ("_ms", "ms"),
        ("_ppm", "ppm"),
        ("_s", "s"),
        ("_bytes", "B"),
    ]
    .into_iter()
    .find(|(ending, _)| key.ends_with(ending))
    .map(|(_, unit)| unit)
}

/// Returns true if and only if `suffix` writes `unit` (`µs` and `μs` write `us`).
fn same_unit(unit: &str, suffix: &str) -> bool {
    suffix == unit || (unit == "us" && matches!(suffix, "µs" | "μs"))
}

/// Splits a number (an optional `-`, digits, an optional fraction) followed by letters
/// (`412`, `412us`, `1.7ms`) into the two; `None` for anything else.
fn split_number(value: &str) -> Option<(&str, &str)> {
    let number = value.trim_end_matches(char::is_alphabetic);
    let suffix = &value[number.len()..];
    let digits = number.strip_prefix('-').unwrap_or(number);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    (all_digits(whole) && all_digits(fraction)).then_some((number, suffix))
}

/// Splits a number followed by letters (`412us`, `1.7ms`) into the two; `None` for
/// anything else, and for a number without letters.
fn split_unit(value: &str) -> Option<(&str, &str)> {
    split_number(value).filter(|(_, suffix)| !suffix.is_empty())
}

/// Returns why the value of `key` is not read as its number when its suffix is
/// another unit than the key's: `unit ms, the key says us`.
pub fn unit_mismatch(key: &str, value: &str) -> Option<String> {
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let unit = unit_of(key)?;
    let (_, suffix) = split_unit(value)?;
    (!same_unit(unit, suffix)).then(|| format!("unit {suffix}, the key says {unit}"))
}

/// How a log's lines look when they are written by a logging stack that the
/// reference's reading misreads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// Lines that are JSON objects.
    JsonLines,
    /// ANSI colour sequences next to the `=` of a pair.
    Ansi,
    /// Kubernetes CRI record prefixes.
    Cri,
}

/// A log that looks written by a logging stack, and the first line that shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    pub look: Look,
    /// The 1-based number of the line among those looked at (`\n` ends a line).
    pub line: u64,
}

impl Hint {
    /// Words the hint for the log at `path`, judged by the suite file `suite`.
    pub fn words(&self, path: &str, suite: &str) -> String {
        let (holds, reading) = match self.look {
            Look::JsonLines => ("JSON lines", "reads them"),
            Look::Ansi => ("ANSI colour codes around `=`", "removes them"),
            Look::Cri => ("Kubernetes CRI records", "joins them"),
        };
        format!(
            "{path} holds {holds} (line {}); `\"logs\": \"auto\"` in {suite} {reading}",
            self.line
        )
    }
}

/// Bytes of a log's start looked at for a [`Hint`].
pub const SNIFFED: usize = 64 << 10;

/// Returns how the lines in `bytes` (a log's start) look, if a logging stack wrote
/// them: the first line that is a JSON object, holds a colour code next to an `=`, or
/// is a CRI record.
pub fn sniff(bytes: &[u8]) -> Option<Hint> {
    let complete = match memchr::memrchr(b'\n', bytes) {
        Some(last) if bytes.len() == SNIFFED => &bytes[..last],
        _ => bytes,
    };
    complete
        .split(|&b| b == b'\n')
        .zip(1..)
        .find_map(|(line, number)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let trimmed = line.trim_ascii();
            let look = if trimmed.starts_with(b"{\"") && trimmed.ends_with(b"}") {
                Look::JsonLines
            } else if crate::cri::record(line).is_some() {
                Look::Cri
            } else if colour_at_pair(line) {
                Look::Ansi
            } else {
                return None;
            };
            Some(Hint { look, line: number })
        })
}

/// Returns true if and only if an SGR sequence ends just before an `=` or starts just
/// after one.
fn colour_at_pair(line: &[u8]) -> bool {
    memchr::memchr_iter(b'=', line).any(|eq| {
        line[eq + 1..].starts_with(b"\x1b[")
            || (line[..eq].ends_with(b"m") && {
                let before = &line[..eq - 1];
                let params = before
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_digit() || **b == b';')
                    .count();
                before[..before.len() - params].ends_with(b"\x1b[")
            })
    })
}

/// Returns `text` without its ANSI SGR sequences (`ESC [ <digits and ;> m`).
pub(crate) fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\x1b') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr(0x1b, &bytes[i..]) {
        let esc = i + at;
        let params = bytes[esc + 1..]
            .iter()
            .skip(1)
            .take_while(|b| b.is_ascii_digit() || matches!(b, b';' | b':'))
            .count();
        let end = esc + 2 + params;
        if bytes.get(esc + 1) == Some(&b'[') && bytes.get(end) == Some(&b'm') {
            out.push_str(&text[kept..esc]);
            kept = end + 1;
            i = end + 1;
        } else {
            i = esc + 1;
        }
    }
    out.push_str(&text[kept..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto() -> Reading {
        Reading::new(
            Readings::AUTO,
            ["p50_us", "p99_us", "drop_ratio_ppm"]
                .map(String::from)
                .to_vec(),
        )
    }

    use crate::kv::owned_pairs as pairs;

    #[test]
    fn colours_quotes_and_units_are_read_away() {
        let line = "\x1b[2m2026\x1b[0m \x1b[3mp50_us\x1b[0m\x1b[2m=\x1b[0m766 p99_us=\x1b[31m2500\x1b[0m drop_ratio_ppm=\"2852ppm\" max_us=1.7ms n=\"x y\"";
        let read = read_text(line, &auto());
        assert_eq!(
            read.pairs().0,
            pairs(&[
                ("p50_us", "766"),
                ("p99_us", "2500"),
                ("drop_ratio_ppm", "2852"),
                ("max_us", "1.7ms"),
                ("n", "\"x")
            ])
        );
        assert_eq!(
            unit_mismatch("max_us", "1.7ms").unwrap(),
            "unit ms, the key says us"
        );
        assert_eq!(
            unit_mismatch("p50_us", "\"1.7ms\"").unwrap(),
            "unit ms, the key says us"
        );
        assert_eq!(unit_mismatch("p50_us", "17us"), None);
        assert_eq!(unit_mismatch("events", "17x"), None);
        // Off, the reference's reading.
        let off = read_text(line, &Reading::off());
        assert_eq!(off.pairs().0[0].0, "2m");
    }

    #[test]
    fn a_json_line_is_read_as_its_message_and_metric_members() {
        let line = r#"{"timestamp":"2026-03-05T12:00:41Z","fields":{"message":"LATENCY_METRICS p50_us=452 drop_ratio_ppm=2041","p99_us":"1744us"},"note":"FAULT_COUNTERS x=1","target":"m"}"#;
        let read = read_text(line, &auto());
        assert_eq!(
            read.message,
            "LATENCY_METRICS p50_us=452 drop_ratio_ppm=2041"
        );
        assert_eq!(
            read.pairs().0,
            pairs(&[
                ("p50_us", "452"),
                ("drop_ratio_ppm", "2041"),
                ("p99_us", "1744")
            ])
        );
        assert!(read.time.is_some());
        // JSON off: the line is text.
        let text = Reading::new(
            Readings {
                json: false,
                ..Readings::AUTO
            },
            Vec::new(),
        );
        assert_eq!(read_text(line, &text).message, line);
    }

    #[test]
    fn looked_up_values_are_the_values_of_the_pairs() {
        let keys = [
            "p50_us",
            "p99_us",
            "drop_ratio_ppm",
            "n",
            "max_us",
            "absent",
        ];
        let lookup = Keys::new(&keys);
        let lines = [
            "p50_us=1 p50_us=\"2us\" p99_us=3ms drop_ratio_ppm=\x1b[1m4ppm\x1b[0m n=\"x y\" max_us=\"\"",
            r#"{"msg":"p50_us=1 p99_us=2","p99_us":"7us","drop_ratio_ppm":5,"fields":{"p50_us":-3}}"#,
            "p50_us=\u{e9}1 p99_us=2 \u{3000}n=4",
            r#"{"msg":"LATENCY_METRICS","p50_us":12345678901234567890}"#,
        ];
        for reading in [
            auto(),
            Reading::off(),
            Reading::new(
                Readings {
                    json: true,
                    ..Readings::default()
                },
                keys.map(String::from).to_vec(),
            ),
        ] {
            for line in lines {
                let read = read_text(line, &reading);
                let (all, _) = read.pairs();
                let expected: Vec<Option<Vec<u8>>> = keys
                    .iter()
                    .map(|key| {
                        let found = all.iter().rev().find(|(k, _)| k == key);
                        found.map(|(_, v)| v.as_bytes().to_vec())
                    })
                    .collect();
                let mut looked_up = Vec::new();
                read.with_values(&lookup, &mut |values| {
                    looked_up = values.iter().map(|v| v.map(<[u8]>::to_vec)).collect();
                });
                assert_eq!(looked_up, expected, "{line:?} {reading:?}");
            }
        }
    }

    #[test]
    fn logs_written_by_a_stack_are_recognized_by_their_first_such_line() {
        let hint = |text: &str| sniff(text.as_bytes());
        assert_eq!(hint("plain p50_us=1\n"), None);
        assert_eq!(
            hint("start\n{\"msg\":\"LATENCY_METRICS\"}\n"),
            Some(Hint {
                look: Look::JsonLines,
                line: 2
            })
        );
        assert_eq!(
            hint("a \x1b[3mp50_us\x1b[0m\x1b[2m=\x1b[0m766\n"),
            Some(Hint {
                look: Look::Ansi,
                line: 1
            })
        );
        assert_eq!(
            hint("p99_us=\x1b[31m2500\x1b[0m").map(|h| h.look),
            Some(Look::Ansi)
        );
        assert_eq!(hint("\x1b[31mred\x1b[0m a=1\n"), None);
        assert_eq!(
            hint("x\ny\n2026-03-05T12:00:41.001Z stdout F text\n").map(|h| h.line),
            Some(3)
        );
        let words = Hint {
            look: Look::JsonLines,
            line: 1,
        }
        .words("s/streamer.log", "fault-suite.json");
        assert_eq!(
            words,
            "s/streamer.log holds JSON lines (line 1); `\"logs\": \"auto\"` in fault-suite.json reads them"
        );
    }

    #[test]
    fn only_sgr_sequences_are_removed() {
        assert_eq!(strip_ansi("a\x1b[1;31mb\x1b[0m"), "ab");
        assert_eq!(strip_ansi("a\x1b[2Jb\x1b"), "a\x1b[2Jb\x1b");
        assert_eq!(strip_ansi("\x1b[m\u{e9}"), "\u{e9}");
    }
}
