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

use crate::input::object::{did_you_mean, Check, Checked, Given, Key, Noted, Object, Ordered};
use serde::de::{self, value::MapAccessDeserializer, Deserializer, Visitor};
use serde::Deserialize;
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

/// The `"regression"` value as read: `false`, or the section; `None` is "off".
pub(crate) struct Section(pub Option<Regression>);

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SectionVisitor)
    }
}

/// Reads `false` or the section: what derive cannot say without losing the position.
struct SectionVisitor;

impl<'de> Visitor<'de> for SectionVisitor {
    type Value = Section;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "false, or an object with \"window\", \"min_runs\", \"test\", \"k\" and \"metrics\"",
        )
    }

    fn visit_bool<E: de::Error>(self, on: bool) -> Result<Section, E> {
        if on {
            Err(E::custom(
                "\"regression\": true says nothing; give the section, or false to turn it off",
            ))
        } else {
            Ok(Section(None))
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Section, A::Error> {
        let Noted(doc) = Noted::<SectionDoc>::deserialize(MapAccessDeserializer::new(map))?;
        Ok(Section(Some(doc.into_regression())))
    }
}

/// The section as the file gives it; its fields are its keys.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SectionDoc {
    window: Given<Checked<Window>>,
    min_runs: Given<Checked<MinRuns>>,
    test: Given<Checked<TestName>>,
    k: Given<Checked<Fence>>,
    metrics: Given<Ordered<MetricName, Noted<Change>>>,
}

impl Object for SectionDoc {
    const NOUN: &'static str = "\"regression\" section";
    const EXPECTING: &'static str =
        "an object with \"window\", \"min_runs\", \"test\", \"k\" and \"metrics\"";

    fn check(self) -> Result<SectionDoc, String> {
        let iqr = matches!(self.test, Given(Some(Checked(TestName::Iqr))));
        if self.k.0.is_some() && !iqr {
            return Err(
                "\"k\" is the factor of \"test\": \"iqr\", which this section does not use".into(),
            );
        }
        Ok(self)
    }
}

impl SectionDoc {
    /// Returns the regression checks the section says, with the defaults for what it leaves out.
    fn into_regression(self) -> Regression {
        let SectionDoc {
            window,
            min_runs,
            test,
            k,
            metrics,
        } = self;
        let defaults = Regression::default();
        Regression {
            window: window
                .0
                .map_or(defaults.window, |Checked(Window(runs))| runs),
            min_runs: min_runs
                .0
                .map_or(defaults.min_runs, |Checked(MinRuns(runs))| runs),
            test: match test.0 {
                Some(Checked(TestName::Iqr)) => Test::Iqr {
                    k: k.0.map_or(1.5, |Checked(Fence(k))| k),
                },
                _ => Test::Percent,
            },
            metrics: metrics.0.map_or(defaults.metrics, |Ordered(metrics)| {
                metrics
                    .into_iter()
                    .map(|(MetricName(metric), Noted(change))| Metric {
                        metric,
                        max_increase_pct: change
                            .max_increase_pct
                            .0
                            .map(|Checked(Increase(pct))| pct),
                        max_decrease_pct: change
                            .max_decrease_pct
                            .0
                            .map(|Checked(Decrease(pct))| pct),
                    })
                    .collect()
            }),
        }
    }
}

/// `"window"`: how many earlier runs make the window.
struct Window(usize);

impl Check for Window {
    type Raw = u64;
    const EXPECTING: &'static str = "a count of runs from 1 to 10000";
    fn check(raw: u64) -> Result<Window, String> {
        runs("window", raw).map(Window)
    }
}

/// `"min_runs"`: how many earlier runs a run needs.
struct MinRuns(usize);

impl Check for MinRuns {
    type Raw = u64;
    const EXPECTING: &'static str = "a count of runs from 1 to 10000";
    fn check(raw: u64) -> Result<MinRuns, String> {
        runs("min_runs", raw).map(MinRuns)
    }
}

/// Checks a count of runs given as `key`.
fn runs(key: &str, value: u64) -> Result<usize, String> {
    match usize::try_from(value) {
        Ok(runs @ 1..=10_000) => Ok(runs),
        _ => Err(format!(
            "{key:?} is {value}: a count of runs from 1 to 10000"
        )),
    }
}

/// `"test"`: the name of the test.
enum TestName {
    Percent,
    Iqr,
}

impl Check for TestName {
    type Raw = String;
    const EXPECTING: &'static str = "\"percent\" or \"iqr\"";
    fn check(raw: String) -> Result<TestName, String> {
        match raw.as_str() {
            "percent" => Ok(TestName::Percent),
            "iqr" => Ok(TestName::Iqr),
            other => Err(format!(
                "\"test\" is {other:?}: it is \"percent\" (against the median) or \"iqr\" (Tukey's fences){}",
                did_you_mean(other, ["percent", "iqr"])
            )),
        }
    }
}

/// `"k"`: the factor of Tukey's fences.
struct Fence(f64);

impl Check for Fence {
    type Raw = f64;
    const EXPECTING: &'static str = "a fence factor of 0 or more";
    fn check(raw: f64) -> Result<Fence, String> {
        if raw.is_finite() && raw >= 0.0 {
            Ok(Fence(raw))
        } else {
            Err(format!("\"k\" is {raw}: a fence factor of 0 or more"))
        }
    }
}

/// A metric's name, a key of `"metrics"`.
#[derive(PartialEq)]
struct MetricName(String);

impl Key for MetricName {
    const MAP: &'static str =
        "an object of metrics, each {\"max_increase_pct\": N} or {\"max_decrease_pct\": N}";

    fn parse(key: &str) -> Result<MetricName, String> {
        Ok(MetricName(key.to_string()))
    }

    fn spelled(&self) -> &str {
        &self.0
    }
}

/// One metric's allowed change.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Change {
    max_increase_pct: Given<Checked<Increase>>,
    max_decrease_pct: Given<Checked<Decrease>>,
}

impl Object for Change {
    const NOUN: &'static str = "metric";
    const EXPECTING: &'static str = "{\"max_increase_pct\": N} and/or {\"max_decrease_pct\": N}";

    fn check(self) -> Result<Change, String> {
        if self.max_increase_pct.0.is_none() && self.max_decrease_pct.0.is_none() {
            return Err(
                "this metric says no side: give \"max_increase_pct\" or \"max_decrease_pct\""
                    .into(),
            );
        }
        Ok(self)
    }
}

/// `"max_increase_pct"`.
struct Increase(f64);

impl Check for Increase {
    type Raw = f64;
    const EXPECTING: &'static str = "a percentage of 0 or more";
    fn check(raw: f64) -> Result<Increase, String> {
        percentage("max_increase_pct", raw).map(Increase)
    }
}

/// `"max_decrease_pct"`.
struct Decrease(f64);

impl Check for Decrease {
    type Raw = f64;
    const EXPECTING: &'static str = "a percentage of 0 or more";
    fn check(raw: f64) -> Result<Decrease, String> {
        percentage("max_decrease_pct", raw).map(Decrease)
    }
}

/// Checks a percentage given as `key`.
fn percentage(key: &str, pct: f64) -> Result<f64, String> {
    if pct.is_finite() && pct >= 0.0 {
        Ok(pct)
    } else {
        Err(format!("{key:?} is {pct}: a percentage of 0 or more"))
    }
}
