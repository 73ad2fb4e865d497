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

use crate::scan::format::Readings;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// The names of the readings, in the order the section documents them.
pub const NAMES: [&str; 5] = ["json", "ansi", "quotes", "units", "cri"];

/// Returns the flag of the reading called `name` in `logs`.
fn flag<'a>(logs: &'a mut Readings, name: &str) -> Option<&'a mut bool> {
    match name {
        "json" => Some(&mut logs.json),
        "ansi" => Some(&mut logs.ansi),
        "quotes" => Some(&mut logs.quotes),
        "units" => Some(&mut logs.units),
        "cri" => Some(&mut logs.cri),
        _ => None,
    }
}

/// The `"logs"` value of a suite file, read into the scanner's [`Readings`] (a type
/// of the package `fault-scan`, which serde's traits cannot be given here).
#[derive(Debug)]
pub struct Logs(pub Readings);

/// Reads the `"logs"` value of a suite file; serde_json places its errors at their
/// line and column.
pub struct LogsSeed;

impl<'de> serde::Deserialize<'de> for Logs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Logs, D::Error> {
        LogsSeed.deserialize(deserializer).map(Logs)
    }
}

impl<'de> DeserializeSeed<'de> for LogsSeed {
    type Value = Readings;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Readings, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LogsSeed {
    type Value = Readings;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"auto\", \"off\" or an object of readings ({}) each true or false",
            NAMES.join(", ")
        )
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Readings, E> {
        match value {
            "auto" => Ok(Readings::AUTO),
            "off" => Ok(Readings::default()),
            other => Err(E::custom(format!(
                "logs {other:?} is not \"auto\", \"off\" or an object of readings ({})",
                NAMES.join(", ")
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Readings, A::Error> {
        let mut logs = Readings::default();
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
            let Some(flag) = flag(&mut logs, &key) else {
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

    fn read(text: &str) -> Result<Readings, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        LogsSeed.deserialize(&mut de).map_err(|err| err.to_string())
    }

    #[test]
    fn auto_off_and_objects_turn_readings_on_by_name() {
        assert_eq!(read("\"auto\""), Ok(Readings::AUTO));
        assert_eq!(read("\"off\""), Ok(Readings::default()));
        assert_eq!(
            read(r#"{"json": true, "//": "docker", "cri": false, "units": true}"#),
            Ok(Readings {
                json: true,
                units: true,
                ..Readings::default()
            })
        );
        assert!(Readings::default().is_off() && !Readings::AUTO.is_off());
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
