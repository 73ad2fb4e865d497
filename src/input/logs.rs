//! The suite's `"logs"` section: how the streamer's logs are written, so that
//! metrics are read from the lines a logging stack writes.
//!
//! ```json
//! "logs": "auto"
//! "logs": { "json": true, "ansi": true, "quotes": false, "units": true, "cri": false }
//! ```
//!
//! `"auto"` turns every reading on, `"off"` (or no section) none: the reference's
//! reading, byte for byte. An object turns each reading on or off by name; a name
//! left out is off. The readings themselves are `scan::format`'s and `scan::cri`'s.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// The names of the readings, in the order the section documents them.
pub const NAMES: [&str; 5] = ["json", "ansi", "quotes", "units", "cri"];

/// Which readings of a log line are on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Logs {
    /// A line that is a JSON object is read as its message text and numeric members.
    pub json: bool,
    /// ANSI SGR colour sequences are removed before pairs are read.
    pub ansi: bool,
    /// A logfmt value in double quotes (`k="123"`) is read without them.
    pub quotes: bool,
    /// A suffix equal to the key's unit (`p50_us=412us`) is dropped; another is an error.
    pub units: bool,
    /// Kubernetes CRI records lose their prefix, and partial records are joined.
    pub cri: bool,
}

impl Logs {
    /// No reading on: the reference's.
    pub const OFF: Logs = Logs {
        json: false,
        ansi: false,
        quotes: false,
        units: false,
        cri: false,
    };

    /// Every reading on (`"logs": "auto"`).
    pub const AUTO: Logs = Logs {
        json: true,
        ansi: true,
        quotes: true,
        units: true,
        cri: true,
    };

    /// Returns true if and only if no reading is on.
    pub fn is_off(&self) -> bool {
        *self == Logs::OFF
    }

    /// Returns the flag of the reading called `name`.
    fn flag(&mut self, name: &str) -> Option<&mut bool> {
        match name {
            "json" => Some(&mut self.json),
            "ansi" => Some(&mut self.ansi),
            "quotes" => Some(&mut self.quotes),
            "units" => Some(&mut self.units),
            "cri" => Some(&mut self.cri),
            _ => None,
        }
    }
}

/// Reads the `"logs"` value of a suite file; serde_json places its errors at their
/// line and column.
pub struct LogsSeed;

impl<'de> serde::Deserialize<'de> for Logs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Logs, D::Error> {
        LogsSeed.deserialize(deserializer)
    }
}

impl<'de> DeserializeSeed<'de> for LogsSeed {
    type Value = Logs;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Logs, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LogsSeed {
    type Value = Logs;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"auto\", \"off\" or an object of readings ({}) each true or false",
            NAMES.join(", ")
        )
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Logs, E> {
        match value {
            "auto" => Ok(Logs::AUTO),
            "off" => Ok(Logs::OFF),
            other => Err(E::custom(format!(
                "logs {other:?} is not \"auto\", \"off\" or an object of readings ({})",
                NAMES.join(", ")
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Logs, A::Error> {
        let mut logs = Logs::OFF;
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "//" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if seen.contains(&key) {
                return Err(de::Error::custom(format!(
                    "key {key:?} appears twice in this object"
                )));
            }
            let Some(flag) = logs.flag(&key) else {
                return Err(de::Error::custom(format!(
                    "unknown reading {key:?}: \"logs\" turns on or off {} and \"//\" notes",
                    NAMES.join(", ")
                )));
            };
            *flag = map
                .next_value::<bool>()
                .map_err(|_| de::Error::custom(format!("logs.{key} is not true or false")))?;
            seen.push(key);
        }
        Ok(logs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Logs, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        LogsSeed.deserialize(&mut de).map_err(|err| err.to_string())
    }

    #[test]
    fn auto_off_and_objects_turn_readings_on_by_name() {
        assert_eq!(read("\"auto\""), Ok(Logs::AUTO));
        assert_eq!(read("\"off\""), Ok(Logs::OFF));
        assert_eq!(
            read(r#"{"json": true, "//": "docker", "cri": false, "units": true}"#),
            Ok(Logs {
                json: true,
                units: true,
                ..Logs::OFF
            })
        );
        assert!(Logs::default().is_off() && !Logs::AUTO.is_off());
    }

    #[test]
    fn a_wrong_section_is_refused_at_its_place() {
        let err = read("{\n  \"jsn\": true}").unwrap_err();
        assert!(err.starts_with("unknown reading \"jsn\""), "{err}");
        // serde_json places an error about a key just past its closing quote.
        assert!(err.ends_with("line 2 column 7"), "{err}");
        let err = read(r#"{"json": "yes"}"#).unwrap_err();
        assert!(err.starts_with("logs.json is not true or false"), "{err}");
        let err = read(r#""on""#).unwrap_err();
        assert!(err.starts_with("logs \"on\" is not \"auto\""), "{err}");
        let err = read(r#"{"ansi": true, "ansi": false}"#).unwrap_err();
        assert!(err.contains("appears twice"), "{err}");
        assert!(read("3")
            .unwrap_err()
            .contains("\"auto\", \"off\" or an object"));
    }
}
