//! The suite's `"regression"` section: how a run is judged against the runs
//! before it (the window, the test, the metrics and the change each may make).
//!
//! ```json
//! "regression": {
//!   "window": 7, "min_runs": 3, "test": "percent",
//!   "metrics": { "p99_us": { "max_increase_pct": 25 }, "reset_events": { "max_decrease_pct": 20 } }
//! }
//! ```
//!
//! `"regression": false` turns it off; without the key the defaults below hold.
//! With `"test": "iqr"` a metric's `max_increase_pct`/`max_decrease_pct` says
//! which side is judged, against Tukey's fences (`k`, default 1.5). Finding and
//! ordering earlier runs is `history`'s job, judging `eval::regression`'s.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// How the boundary is computed from the window of earlier values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Test {
    /// A percentage over (or under) the window's median.
    Percent,
    /// Tukey's fences: Q3 + k·IQR above, Q1 − k·IQR below.
    Iqr { k: f64 },
}

/// One metric judged against its history, and the change allowed on each side.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub metric: String,
    /// Judge increases: by at most this percentage over the median (`percent`).
    pub max_increase_pct: Option<f64>,
    /// Judge decreases: by at most this percentage under the median (`percent`).
    pub max_decrease_pct: Option<f64>,
}

/// The regression checks of a suite.
#[derive(Clone, Debug, PartialEq)]
pub struct Regression {
    /// How many of the most recent earlier runs holding the metric make the window.
    pub window: usize,
    /// How many earlier runs a run needs before it gets regression tests.
    pub min_runs: usize,
    pub test: Test,
    pub metrics: Vec<Metric>,
}

impl Default for Regression {
    fn default() -> Regression {
        let up = |metric: &str, pct: f64| Metric {
            metric: metric.to_string(),
            max_increase_pct: Some(pct),
            max_decrease_pct: None,
        };
        Regression {
            window: 7,
            min_runs: 3,
            test: Test::Percent,
            metrics: vec![
                up("p50_us", 25.0),
                up("p95_us", 25.0),
                up("p99_us", 25.0),
                up("drop_ratio_ppm", 50.0),
            ],
        }
    }
}

/// Reads `"regression"`: `false`, or the section; `None` is "off".
pub(crate) struct RegressionSeed;

impl<'de> DeserializeSeed<'de> for RegressionSeed {
    type Value = Option<Regression>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RegressionSeed {
    type Value = Option<Regression>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "false, or an object with \"window\", \"min_runs\", \"test\", \"k\" and \"metrics\"",
        )
    }

    fn visit_bool<E: de::Error>(self, on: bool) -> Result<Self::Value, E> {
        if on {
            Err(E::custom(
                "\"regression\": true says nothing; give the section, or false to turn it off",
            ))
        } else {
            Ok(None)
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut regression = Regression::default();
        let mut test: Option<String> = None;
        let mut k: Option<f64> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "//" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "window" | "min_runs" => {
                    let value: u64 = map.next_value()?;
                    if value == 0 || value > 10_000 {
                        return Err(de::Error::custom(format!(
                            "{key:?} is {value}: a count of runs from 1 to 10000"
                        )));
                    }
                    if key == "window" {
                        regression.window = value as usize;
                    } else {
                        regression.min_runs = value as usize;
                    }
                }
                "test" => {
                    let value: String = map.next_value()?;
                    if value != "percent" && value != "iqr" {
                        return Err(de::Error::custom(format!(
                            "\"test\" is {value:?}: it is \"percent\" (against the median) or \"iqr\" (Tukey's fences)"
                        )));
                    }
                    test = Some(value);
                }
                "k" => {
                    let value: f64 = map.next_value()?;
                    if !(value.is_finite() && value >= 0.0) {
                        return Err(de::Error::custom(format!(
                            "\"k\" is {value}: a fence factor of 0 or more"
                        )));
                    }
                    k = Some(value);
                }
                "metrics" => regression.metrics = map.next_value_seed(MetricsSeed)?,
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key {other:?} in \"regression\": it has \"window\", \"min_runs\", \"test\", \"k\", \"metrics\" and \"//\" notes"
                    )))
                }
            }
        }
        regression.test = match test.as_deref() {
            Some("iqr") => Test::Iqr {
                k: k.unwrap_or(1.5),
            },
            _ if k.is_some() => {
                return Err(de::Error::custom(
                    "\"k\" is the factor of \"test\": \"iqr\", which this section does not use",
                ))
            }
            _ => Test::Percent,
        };
        Ok(Some(regression))
    }
}

/// Reads `"metrics"`: metric → the change allowed.
struct MetricsSeed;

impl<'de> DeserializeSeed<'de> for MetricsSeed {
    type Value = Vec<Metric>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MetricsSeed {
    type Value = Vec<Metric>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an object of metrics, each {\"max_increase_pct\": N} or {\"max_decrease_pct\": N}",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut metrics: Vec<Metric> = Vec::new();
        while let Some(metric) = map.next_key::<String>()? {
            if metric == "//" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if metrics.iter().any(|known| known.metric == metric) {
                return Err(de::Error::custom(format!(
                    "metric {metric:?} appears twice in \"metrics\""
                )));
            }
            let (max_increase_pct, max_decrease_pct) = map.next_value_seed(ChangeSeed)?;
            metrics.push(Metric {
                metric,
                max_increase_pct,
                max_decrease_pct,
            });
        }
        Ok(metrics)
    }
}

/// Reads one metric's allowed change.
struct ChangeSeed;

impl<'de> DeserializeSeed<'de> for ChangeSeed {
    type Value = (Option<f64>, Option<f64>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChangeSeed {
    type Value = (Option<f64>, Option<f64>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{\"max_increase_pct\": N} and/or {\"max_decrease_pct\": N}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut up, mut down) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "//" => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                "max_increase_pct" => &mut up,
                "max_decrease_pct" => &mut down,
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key {other:?}: a metric has \"max_increase_pct\" and \"max_decrease_pct\""
                    )))
                }
            };
            let pct: f64 = map.next_value()?;
            if !(pct.is_finite() && pct >= 0.0) {
                return Err(de::Error::custom(format!(
                    "{key:?} is {pct}: a percentage of 0 or more"
                )));
            }
            *slot = Some(pct);
        }
        if up.is_none() && down.is_none() {
            return Err(de::Error::custom(
                "this metric says no side: give \"max_increase_pct\" or \"max_decrease_pct\"",
            ));
        }
        Ok((up, down))
    }
}
