//! The threshold tables of the two modes and the checks each scenario gets.
//!
//! This module owns the numbers and the check list; applying them to
//! metrics is `evaluate`'s job, printing them the writers'.

use crate::input::mode::Mode;

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

/// The token of the metric line a checked value is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// `LATENCY_METRICS`.
    Latency,
    /// `FAULT_COUNTERS`.
    Fault,
}

impl Token {
    /// Returns the token as it stands in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Token::Latency => "LATENCY_METRICS",
            Token::Fault => "FAULT_COUNTERS",
        }
    }
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
    pub token: Token,
    /// The key in the threshold table, e.g. `p99_us_max` or `samples_min`.
    pub limit_key: &'static str,
    /// The limit used when the table has no entry (scenarios the table does not know).
    pub fallback: i64,
}

const fn spec(
    metric: &'static str,
    bound: Bound,
    token: Token,
    limit_key: &'static str,
    fallback: i64,
) -> CheckSpec {
    CheckSpec {
        metric,
        bound,
        token,
        limit_key,
        fallback,
    }
}

const COMMON: [CheckSpec; 3] = [
    spec(
        "ingest_to_emit_samples",
        Bound::Min,
        Token::Latency,
        "samples_min",
        1,
    ),
    spec("p50_us", Bound::Max, Token::Latency, "p50_us_max", 500_000),
    spec(
        "drop_ratio_ppm",
        Bound::Max,
        Token::Latency,
        "drop_ratio_ppm_max",
        1_000_000,
    ),
];

/// The metrics the reference passes through `int()` for every scenario, whatever its
/// checks: a value `int()` rejects on any of them crashes it.
pub const CONVERTED: [(Token, &str); 8] = [
    (Token::Fault, "torn_read_events"),
    (Token::Fault, "sink_stall_events"),
    (Token::Fault, "reset_events"),
    (Token::Latency, "p95_us"),
    (Token::Latency, "p99_us"),
    (Token::Latency, "p50_us"),
    (Token::Latency, "ingest_to_emit_samples"),
    (Token::Latency, "drop_ratio_ppm"),
];

/// Returns the checks of a scenario, in the reference's order.
pub fn checks_for(scenario_id: &str) -> Vec<CheckSpec> {
    let mut specs = COMMON.to_vec();
    let extra: &[CheckSpec] = match scenario_id {
        "torn_read" => &[
            spec(
                "torn_read_events",
                Bound::Min,
                Token::Fault,
                "torn_read_events_min",
                1,
            ),
            spec("p99_us", Bound::Max, Token::Latency, "p99_us_max", 500_000),
        ],
        "sink_stall" => &[
            spec(
                "sink_stall_events",
                Bound::Min,
                Token::Fault,
                "sink_stall_events_min",
                1,
            ),
            spec("p95_us", Bound::Max, Token::Latency, "p95_us_max", 500_000),
        ],
        "reset_storm" => &[
            spec(
                "reset_events",
                Bound::Min,
                Token::Fault,
                "reset_events_min",
                1,
            ),
            spec("p99_us", Bound::Max, Token::Latency, "p99_us_max", 500_000),
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
