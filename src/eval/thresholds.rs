//! The checks a scenario gets: its limits in the suite's table for the run's
//! mode, in the reference's order, each with the token of the line it reads.
//!
//! The reference's eight metrics keep the reference's sources
//! (`LATENCY_METRICS` for the latency values and samples, `FAULT_COUNTERS`
//! for the counters); any other metric is read from the token a limit names,
//! else from the first of the suite's tokens whose line holds it. Reading the
//! suite file is `input::suite`'s job, judging the values the model's.

use crate::input::suite::{Bound, Limit, ModeTables, Over, Suite};

/// The token of the reference's latency values and sample count.
pub const LATENCY: &str = "LATENCY_METRICS";
/// The token of the reference's fault counters.
pub const FAULT: &str = "FAULT_COUNTERS";

/// The metrics the reference passes through `int()` for every scenario, whatever its
/// checks: a value `int()` rejects on any of them crashes it.
pub const CONVERTED: [(&str, &str); 8] = [
    (FAULT, "torn_read_events"),
    (FAULT, "sink_stall_events"),
    (FAULT, "reset_events"),
    (LATENCY, "p95_us"),
    (LATENCY, "p99_us"),
    (LATENCY, "p50_us"),
    (LATENCY, "ingest_to_emit_samples"),
    (LATENCY, "drop_ratio_ppm"),
];

/// Returns the token the reference reads `metric` from, if it is one of its eight.
pub fn reference_token(metric: &str) -> Option<&'static str> {
    CONVERTED
        .iter()
        .find(|(_, known)| *known == metric)
        .map(|(token, _)| *token)
}

/// One check a scenario gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSpec {
    /// The metric key on its line, e.g. `p99_us`.
    pub metric: String,
    pub bound: Bound,
    /// The limit's key in the table, e.g. `p99_us_max` or the reference's `samples_min`.
    pub key: String,
    /// The token of the line to read; `None`: the first of the suite's tokens whose line holds the metric.
    pub token: Option<String>,
    pub over: Over,
    /// The limit in force; `None` when the run's mode is unknown.
    pub limit: Option<i64>,
}

impl CheckSpec {
    /// Makes the check of `limit`, with the limit in force when `known`.
    fn of(limit: &Limit, known: bool) -> CheckSpec {
        let Limit {
            key,
            metric,
            bound,
            value,
            over,
            token,
        } = limit;
        CheckSpec {
            metric: metric.clone(),
            bound: *bound,
            key: key.clone(),
            token: token
                .clone()
                .or_else(|| reference_token(metric).map(str::to_string)),
            over: *over,
            limit: known.then_some(*value),
        }
    }
}

/// Returns where the reference puts a check in its list; others follow in the table's order.
fn rank(spec: &CheckSpec) -> u8 {
    match (spec.metric.as_str(), spec.bound) {
        ("ingest_to_emit_samples", Bound::Min) => 0,
        ("p50_us", Bound::Max) => 1,
        ("drop_ratio_ppm", Bound::Max) => 2,
        ("torn_read_events" | "sink_stall_events" | "reset_events", Bound::Min) => 3,
        ("p99_us" | "p95_us", Bound::Max) => 4,
        _ => 5,
    }
}

/// Returns the checks of `scenario` under the tables of its run's mode, in the reference's order.
pub fn checks(tables: &ModeTables, scenario: &str) -> Vec<CheckSpec> {
    let mut specs: Vec<CheckSpec> = tables
        .limits(scenario)
        .iter()
        .map(|limit| CheckSpec::of(limit, true))
        .collect();
    specs.sort_by_key(rank);
    specs
}

/// Returns the checks `scenario` has in any mode of `suite`, without limits: what a run
/// whose mode is unknown lists, each failing for want of its limit.
pub fn checks_of_any_mode(suite: &Suite, scenario: &str) -> Vec<CheckSpec> {
    let mut specs: Vec<CheckSpec> = Vec::new();
    for tables in &suite.modes {
        for limit in tables.limits(scenario) {
            let spec = CheckSpec::of(limit, false);
            if !specs
                .iter()
                .any(|seen| seen.metric == spec.metric && seen.bound == spec.bound)
            {
                specs.push(spec);
            }
        }
    }
    specs.sort_by_key(rank);
    specs
}

/// Returns the tokens to scan a log for: the suite's, then any a check reads that it lacks.
pub fn scan_tokens(suite: &Suite, specs: &[CheckSpec]) -> Vec<String> {
    let mut tokens = suite.tokens.clone();
    for token in specs.iter().filter_map(|spec| spec.token.as_ref()) {
        if !tokens.contains(token) {
            tokens.push(token.clone());
        }
    }
    tokens
}

/// Returns the key of a token's pairs in `summary.json`'s `metrics`: lower case, without
/// `_METRICS` or `_COUNTERS` (`LATENCY_METRICS` → `latency`, `FAULT_COUNTERS` → `fault`).
pub fn summary_key(token: &str) -> String {
    let short = token
        .strip_suffix("_METRICS")
        .or_else(|| token.strip_suffix("_COUNTERS"))
        .filter(|short| !short.is_empty())
        .unwrap_or(token);
    short.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::mode::Mode;

    fn names(specs: &[CheckSpec]) -> Vec<String> {
        // The limit's metric and bound, as the check's test is named.
        specs
            .iter()
            .map(|spec| format!("{}_{}", spec.metric, spec.bound.as_str()))
            .collect()
    }

    #[test]
    fn the_builtin_suite_gives_the_references_checks_in_its_order() {
        let suite = Suite::builtin();
        let degraded = suite.mode(Mode::Degraded).unwrap();
        let torn = checks(degraded, "torn_read");
        assert_eq!(
            names(&torn),
            [
                "ingest_to_emit_samples_min",
                "p50_us_max",
                "drop_ratio_ppm_max",
                "torn_read_events_min",
                "p99_us_max"
            ]
        );
        assert_eq!(torn[0].key, "samples_min");
        assert_eq!(torn[0].limit, Some(100));
        assert_eq!(torn[3].token.as_deref(), Some(FAULT));
        assert_eq!(torn[4].token.as_deref(), Some(LATENCY));
        let other = checks(degraded, "latency_spike");
        assert_eq!(
            names(&other),
            [
                "ingest_to_emit_samples_min",
                "p50_us_max",
                "drop_ratio_ppm_max"
            ]
        );
        assert_eq!(other[0].limit, Some(1));
        let unknown_mode = checks_of_any_mode(&suite, "sink_stall");
        assert_eq!(names(&unknown_mode), names(&checks(degraded, "sink_stall")));
        assert!(unknown_mode.iter().all(|spec| spec.limit.is_none()));
    }

    #[test]
    fn summary_keys_drop_the_token_suffix() {
        assert_eq!(summary_key("PIPELINE_METRICS"), "pipeline");
        assert_eq!(summary_key("FAULT_COUNTERS"), "fault");
        assert_eq!(summary_key("CLOCK_METRICS"), "clock");
        assert_eq!(summary_key("GPU"), "gpu");
        assert_eq!(summary_key("_METRICS"), "_metrics");
    }
}
