//! A log line that is a JSON object, as logging stacks write them (tracing,
//! Docker json-file, journald, slog, zap, structlog, pino, Vector): its message
//! text, its integer members named like a metric, and its time.
//!
//! The message is the first string among `fields.message`, `message`, `msg`,
//! `MESSAGE`, `log`, `body` and `event`; members are read at the top level and
//! under `fields` and `attributes`; the time is `timestamp`, `time`, `ts` or
//! `__REALTIME_TIMESTAMP` (an RFC 3339 string, or seconds, milliseconds,
//! microseconds or nanoseconds since the epoch). serde_json reads the object
//! (escapes, nesting and validity are its business), borrowing every string
//! that holds no escape. What a message's pairs are is `format`'s business.

use crate::timestamp;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The members a message may be, best first; `fields.message` comes before them all.
const MESSAGES: [&str; 6] = ["message", "msg", "MESSAGE", "log", "body", "event"];

/// The members a line's time may be.
const TIMES: [&str; 4] = ["timestamp", "time", "ts", "__REALTIME_TIMESTAMP"];

/// What a JSON line holds for the metrics.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct JsonLine<'a> {
    /// The message text, if a member holds one.
    pub(crate) message: Option<Cow<'a, str>>,
    /// The rank of the message's member (0 for `fields.message`, then [`MESSAGES`]).
    rank: usize,
    /// Members named as a metric with an integer or a string value, in the object's
    /// order, as raw text (which strings are numbers is `format`'s business).
    pub(crate) members: Vec<(String, String)>,
    /// The line's time, in milliseconds since the epoch.
    pub(crate) time: Option<i64>,
}

/// Reads `text` as a JSON object, keeping members whose key `is_metric` says is a
/// metric's; `None` if it is not one.
pub(crate) fn parse<'a>(text: &'a str, is_metric: &dyn Fn(&str) -> bool) -> Option<JsonLine<'a>> {
    let mut line = JsonLine {
        rank: usize::MAX,
        ..JsonLine::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    Level {
        line: &mut line,
        is_metric,
        nested: false,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(line)
}

/// One object of the line: the top level, or `fields`/`attributes` under it.
struct Level<'l, 'a> {
    line: &'l mut JsonLine<'a>,
    is_metric: &'l dyn Fn(&str) -> bool,
    nested: bool,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Level<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Level<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let key: &str = &key;
            if !self.nested && (key == "fields" || key == "attributes") {
                // Only an object is read as one; anything else is skipped.
                map.next_value_seed(Nested {
                    line: &mut *self.line,
                    is_metric: self.is_metric,
                })?;
                continue;
            }
            let rank = if self.nested {
                (key == "message").then_some(0)
            } else {
                MESSAGES.iter().position(|name| *name == key).map(|i| i + 1)
            };
            let is_time = !self.nested && TIMES.contains(&key);
            let is_metric = (self.is_metric)(key);
            if rank.is_none() && !is_time && !is_metric {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = map.next_value::<Scalar<'de>>()?;
            match (&value, rank) {
                (Scalar::Str(text), Some(rank)) if rank < self.line.rank => {
                    self.line.message = Some(text.clone());
                    self.line.rank = rank;
                }
                _ => {}
            }
            if is_time && self.line.time.is_none() {
                self.line.time = value.time();
            }
            if is_metric {
                if let Some(raw) = value.metric() {
                    self.line.members.push((key.to_string(), raw));
                }
            }
        }
        Ok(())
    }
}

/// The value of `fields` or `attributes`: an object read as a [`Level`], or skipped.
struct Nested<'l, 'a> {
    line: &'l mut JsonLine<'a>,
    is_metric: &'l dyn Fn(&str) -> bool,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Nested<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Nested<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Level {
            line: self.line,
            is_metric: self.is_metric,
            nested: true,
        }
        .visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A member's value as far as a message, a time or a metric needs it.
enum Scalar<'de> {
    Str(Cow<'de, str>),
    Int(i128),
    Float(f64),
    Other,
}

impl Scalar<'_> {
    /// Returns the value as a metric's raw text: an integer, or a string.
    fn metric(&self) -> Option<String> {
        match self {
            Scalar::Int(int) => Some(int.to_string()),
            Scalar::Str(text) => Some(text.to_string()),
            _ => None,
        }
    }

    /// Returns the value as a time in milliseconds since the epoch.
    fn time(&self) -> Option<i64> {
        match self {
            Scalar::Str(text) => timestamp::leading(text.as_bytes()).or_else(|| {
                let int: i128 = text.parse().ok()?;
                epoch_millis(int as f64)
            }),
            Scalar::Int(int) => epoch_millis(*int as f64),
            Scalar::Float(float) => epoch_millis(*float),
            Scalar::Other => None,
        }
    }
}

/// Returns a time since the epoch in milliseconds, its unit guessed from its size:
/// seconds (zap, structlog), milliseconds (pino), microseconds (journald) or nanoseconds.
fn epoch_millis(value: f64) -> Option<i64> {
    let millis = match value.abs() {
        v if v >= 1e17 => value / 1e6,
        v if v >= 1e14 => value / 1e3,
        v if v >= 1e11 => value,
        _ => value * 1e3,
    };
    millis.is_finite().then_some(millis.round() as i64)
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// Reads a [`Scalar`], skipping objects and arrays.
struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(value)))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(value.to_string())))
    }
    fn visit_string<E: de::Error>(self, value: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(value)))
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Int(value.into()))
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Int(value.into()))
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Float(value))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(key: &str) -> bool {
        key.ends_with("_us") || key.ends_with("_ppm")
    }

    #[test]
    fn the_best_message_wins_and_metric_members_are_kept_in_order() {
        let text = r#"{"timestamp":"2026-03-05T12:00:41.001Z","msg":"second","fields":{"message":"LATENCY_METRICS","p50_us":640,"note":"x"},"p99_us":"1744","drop_ratio_ppm":-3,"max_us":1.5,"attributes":{"p95_us":"2.5ms"},"min_us":[1]}"#;
        let line = parse(text, &metric).unwrap();
        assert_eq!(line.message.as_deref(), Some("LATENCY_METRICS"));
        assert_eq!(
            line.members,
            [
                ("p50_us", "640"),
                ("p99_us", "1744"),
                ("drop_ratio_ppm", "-3"),
                ("p95_us", "2.5ms")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        // 2026-03-05T12:00:41.001Z: the reading of `timestamp::leading`.
        assert_eq!(line.time, timestamp::leading(b"2026-03-05T12:00:41.001Z"));
    }

    #[test]
    fn escapes_are_read_and_other_text_is_no_json_line() {
        let line = parse(r#"{"log":"a=\"1\"\n\u00e9","stream":"stdout"}"#, &metric).unwrap();
        assert_eq!(line.message.as_deref(), Some("a=\"1\"\n\u{e9}"));
        assert!(parse("{\"log\": \"x\"} trailing", &metric).is_none());
        assert!(parse("[1, 2]", &metric).is_none());
        assert!(parse("{broken", &metric).is_none());
        assert_eq!(parse("{}", &metric).unwrap().message, None);
    }

    #[test]
    fn epoch_times_are_read_at_their_scale() {
        // 1709640041.001 s after the epoch is 2024-03-05T12:00:41.001Z.
        let millis = 1_709_640_041_001;
        for text in [
            r#"{"ts":1709640041.001}"#,
            r#"{"time":1709640041001}"#,
            r#"{"__REALTIME_TIMESTAMP":"1709640041001000"}"#,
            r#"{"time":1709640041001000000}"#,
        ] {
            assert_eq!(parse(text, &metric).unwrap().time, Some(millis), "{text}");
        }
    }
}
