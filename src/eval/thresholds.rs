//! The threshold tables of the two modes and the checks each scenario gets.
//!
//! This module owns the numbers and the check list; applying them to
//! metrics is `evaluate`'s job, printing them the writers'.

use std::fmt;

/// The threshold table in force for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Baseline,
    Degraded,
}

impl Mode {
    /// Parses a mode name exactly as the reference's `--mode` choices accept it.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "baseline" => Some(Mode::Baseline),
            "degraded" => Some(Mode::Degraded),
            _ => None,
        }
    }

    /// Returns the mode's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Baseline => "baseline",
            Mode::Degraded => "degraded",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a check bounds its metric from below or from above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    Min,
    Max,
}

impl Bound {
    /// Returns `"min"` or `"max"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
        }
    }
}

/// Which metric line a checked value is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Latency,
    Fault,
}

/// One scenario's limits, in the reference's key order.
pub type Table = [(&'static str, i64); 5];

/// The three known scenario ids, in the reference's order.
pub const SCENARIOS: [&str; 3] = ["torn_read", "sink_stall", "reset_storm"];

/// Returns the threshold table of `mode`, per known scenario, as the reference lays it out.
pub fn table(mode: Mode) -> [(&'static str, Table); 3] {
    match mode {
        Mode::Baseline => [
            (
                "torn_read",
                [
                    ("torn_read_events_min", 1),
                    ("p50_us_max", 150_000),
                    ("p99_us_max", 250_000),
                    ("drop_ratio_ppm_max", 980_000),
                    ("samples_min", 10),
                ],
            ),
            (
                "sink_stall",
                [
                    ("sink_stall_events_min", 1),
                    ("p50_us_max", 350_000),
                    ("p95_us_max", 600_000),
                    ("drop_ratio_ppm_max", 980_000),
                    ("samples_min", 10),
                ],
            ),
            (
                "reset_storm",
                [
                    ("reset_events_min", 4),
                    ("p50_us_max", 800_000),
                    ("p99_us_max", 1_000_000),
                    ("drop_ratio_ppm_max", 1_000_000),
                    ("samples_min", 1),
                ],
            ),
        ],
        Mode::Degraded => [
            (
                "torn_read",
                [
                    ("torn_read_events_min", 200),
                    ("p50_us_max", 1_000),
                    ("p99_us_max", 2_000),
                    ("drop_ratio_ppm_max", 20_000),
                    ("samples_min", 100),
                ],
            ),
            (
                "sink_stall",
                [
                    ("sink_stall_events_min", 200),
                    ("p50_us_max", 1_000),
                    ("p95_us_max", 2_000),
                    ("drop_ratio_ppm_max", 20_000),
                    ("samples_min", 100),
                ],
            ),
            (
                "reset_storm",
                [
                    ("reset_events_min", 20),
                    ("p50_us_max", 1_000),
                    ("p99_us_max", 2_000),
                    ("drop_ratio_ppm_max", 20_000),
                    ("samples_min", 100),
                ],
            ),
        ],
    }
}

/// One check a scenario gets: what it reads, how it bounds it, and where its limit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckSpec {
    /// The metric key on its line, e.g. `p99_us`.
    pub metric: &'static str,
    pub bound: Bound,
    pub source: Source,
    /// The key in the threshold table, e.g. `p99_us_max` or `samples_min`.
    pub limit_key: &'static str,
    /// The limit used when the table has no entry (scenarios the table does not know).
    pub fallback: i64,
}

const fn spec(
    metric: &'static str,
    bound: Bound,
    source: Source,
    limit_key: &'static str,
    fallback: i64,
) -> CheckSpec {
    CheckSpec {
        metric,
        bound,
        source,
        limit_key,
        fallback,
    }
}

const COMMON: [CheckSpec; 3] = [
    spec(
        "ingest_to_emit_samples",
        Bound::Min,
        Source::Latency,
        "samples_min",
        1,
    ),
    spec("p50_us", Bound::Max, Source::Latency, "p50_us_max", 500_000),
    spec(
        "drop_ratio_ppm",
        Bound::Max,
        Source::Latency,
        "drop_ratio_ppm_max",
        1_000_000,
    ),
];

/// Returns the checks of a scenario, in the reference's order.
pub fn checks_for(scenario_id: &str) -> Vec<CheckSpec> {
    let mut specs = COMMON.to_vec();
    let extra: &[CheckSpec] = match scenario_id {
        "torn_read" => &[
            spec(
                "torn_read_events",
                Bound::Min,
                Source::Fault,
                "torn_read_events_min",
                1,
            ),
            spec("p99_us", Bound::Max, Source::Latency, "p99_us_max", 500_000),
        ],
        "sink_stall" => &[
            spec(
                "sink_stall_events",
                Bound::Min,
                Source::Fault,
                "sink_stall_events_min",
                1,
            ),
            spec("p95_us", Bound::Max, Source::Latency, "p95_us_max", 500_000),
        ],
        "reset_storm" => &[
            spec(
                "reset_events",
                Bound::Min,
                Source::Fault,
                "reset_events_min",
                1,
            ),
            spec("p99_us", Bound::Max, Source::Latency, "p99_us_max", 500_000),
        ],
        _ => &[],
    };
    specs.extend_from_slice(extra);
    specs
}

/// Returns the limit of `spec` for `scenario_id` in `mode`.
pub fn limit(mode: Mode, scenario_id: &str, spec: &CheckSpec) -> i64 {
    table(mode)
        .iter()
        .find(|(id, _)| *id == scenario_id)
        .and_then(|(_, limits)| limits.iter().find(|(key, _)| *key == spec.limit_key))
        .map_or(spec.fallback, |(_, value)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_scenarios_get_five_checks_and_others_three() {
        for id in SCENARIOS {
            assert_eq!(checks_for(id).len(), 5, "{id}");
        }
        assert_eq!(checks_for("latency_spike").len(), 3);
    }

    #[test]
    fn limits_come_from_the_table_and_fall_back_for_unknown_ids() {
        let p99 = checks_for("torn_read")[4];
        assert_eq!(p99.metric, "p99_us");
        assert_eq!(limit(Mode::Degraded, "torn_read", &p99), 2_000);
        assert_eq!(limit(Mode::Baseline, "torn_read", &p99), 250_000);
        let samples = checks_for("other")[0];
        assert_eq!(limit(Mode::Degraded, "other", &samples), 1);
        assert_eq!(limit(Mode::Baseline, "reset_storm", &samples), 1);
    }
}
