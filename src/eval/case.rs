//! The test cases of a run: what each judges and how it is named.
//!
//! This module owns the name contract, and is the one place that spells a test
//! name: `<run>::<scenario>::process_exit`, `<run>::<scenario>::<metric>_<min|max>`,
//! `<run>::<scenario>::<metric>_regression`, `<run>::suite::expected_scenarios`,
//! `<run>::suite_file`, `<run>::manifest` for a run that cannot be read and
//! `<folder>::setup` for a folder that cannot be judged. It keeps names unique and
//! free of stray `::`. Which cases a folder has is `plan`'s business, judging them
//! `judgement`'s, wording their verdicts `report::cases`'s.

use crate::eval::evaluation::Evaluation;
use crate::eval::thresholds::CheckSpec;
use std::collections::HashSet;

/// The middle part of the names of run-wide cases (`<run>::suite::expected_scenarios`).
pub const SUITE: &str = "suite";
/// The last part of the case that checks the scenario set.
pub const EXPECTED_SCENARIOS: &str = "expected_scenarios";
/// The last part of a scenario's exit-code case.
pub const PROCESS_EXIT: &str = "process_exit";
/// The last part of the one case of a run whose manifest cannot be read.
pub const MANIFEST: &str = "manifest";
/// The last part of the one case of a folder that cannot be judged at all.
pub const SETUP: &str = "setup";
/// The last part of the case of a run whose suite file is broken or cannot judge it.
pub const SUITE_FILE: &str = "suite_file";
/// The suffix of a metric's test against earlier runs (`p99_us_regression`).
pub const REGRESSION: &str = "regression";

/// What a case judges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseKind {
    /// The three exit codes of the scenario at this position (in evaluation order).
    ProcessExit { scenario: usize },
    /// One threshold check of a scenario, by position in its check list.
    Check { scenario: usize, check: usize },
    /// The run holds the expected scenarios, once each.
    ExpectedScenarios,
    /// The suite can judge the run: it defines the run's mode.
    SuiteFile,
    /// One metric of a scenario against the runs before it, by position in the suite's
    /// regression metrics.
    Regression { scenario: usize, metric: usize },
    /// Nothing can be judged (an unreadable manifest, no run found); the message says why.
    Unusable { message: String },
}

impl CaseKind {
    /// Returns true if and only if the case judges a metric against earlier runs.
    pub fn is_regression(&self) -> bool {
        matches!(self, CaseKind::Regression { .. })
    }
}

/// A named test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The JUnit testsuite holding the case: `<run>::<scenario>`, `<run>::suite` or `<run>`.
    pub suite: String,
    /// The test name, `<suite>::<test>`.
    pub name: String,
    pub kind: CaseKind,
}

/// Replaces what could break the `::` hierarchy or a `name: test` listing line (colons, whitespace, control characters) with `_`.
pub fn sanitize(part: &str) -> String {
    let cleaned: String = part
        .chars()
        .map(|c| {
            if c == ':' || c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if cleaned.is_empty() {
        "_".to_string()
    } else {
        cleaned
    }
}

/// Makes `parts` unique in order: the first of equal parts keeps its spelling, later ones get `#2`, `#3`, ..., and `reserved` spellings are never handed out bare.
pub fn unique(parts: Vec<String>, reserved: &[&str]) -> Vec<String> {
    let spelled: HashSet<String> = parts
        .iter()
        .cloned()
        .chain(reserved.iter().map(|r| r.to_string()))
        .collect();
    let mut given: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let name = if given.contains(&part) || reserved.contains(&part.as_str()) {
            let mut n = 2u64;
            loop {
                let candidate = format!("{part}#{n}");
                if !spelled.contains(&candidate) && !given.contains(&candidate) {
                    break candidate;
                }
                n += 1;
            }
        } else {
            part
        };
        given.insert(name.clone());
        out.push(name);
    }
    out
}

/// Returns the spelling [`unique`] gave `name` a suffix to: `name` without a trailing
/// `#<digits>`.
pub fn unsuffixed(name: &str) -> &str {
    match name.rsplit_once('#') {
        Some((part, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => part,
        _ => name,
    }
}

/// Names the cases of an evaluation, `run` being its name (sanitized and unique), sorted by name.
pub fn name_evaluation(run: &str, evaluation: &Evaluation) -> Vec<Case> {
    let checks: Vec<Vec<CheckSpec>> = (0..evaluation.len())
        .map(|index| evaluation.checks(index))
        .collect();
    // A mode was found but the suite has no table for it: the suite file is at fault.
    let suite_file = evaluation.mode().is_ok() && evaluation.tables().is_err();
    let regressions: Vec<&str> = evaluation
        .regression_metrics()
        .iter()
        .map(|metric| metric.metric.as_str())
        .collect();
    name_run(run, &evaluation.ids, &checks, &regressions, suite_file)
}

/// Names the cases of one run (its name already sanitized and unique) from its scenario ids
/// in evaluation order, their checks and the metrics judged against earlier runs, sorted
/// by name; `suite_file` adds the case that says the suite cannot judge the run.
pub fn name_run<S: AsRef<str>>(
    run: &str,
    scenario_ids: &[S],
    checks: &[Vec<CheckSpec>],
    regressions: &[&str],
    suite_file: bool,
) -> Vec<Case> {
    let keys = scenario_keys(scenario_ids);
    let mut cases = Vec::new();
    for (scenario, key) in keys.into_iter().enumerate() {
        let suite = format!("{run}::{key}");
        cases.push(Case {
            name: format!("{suite}::{PROCESS_EXIT}"),
            suite: suite.clone(),
            kind: CaseKind::ProcessExit { scenario },
        });
        let specs = checks.get(scenario).map_or(&[][..], Vec::as_slice);
        for (check, spec) in specs.iter().enumerate() {
            cases.push(Case {
                name: format!("{suite}::{}", check_test(spec)),
                suite: suite.clone(),
                kind: CaseKind::Check { scenario, check },
            });
        }
        for (metric, name) in regressions.iter().enumerate() {
            cases.push(Case {
                name: format!("{suite}::{}", regression_test(name)),
                suite: suite.clone(),
                kind: CaseKind::Regression { scenario, metric },
            });
        }
    }
    let suite = format!("{run}::{SUITE}");
    cases.push(Case {
        name: format!("{suite}::{EXPECTED_SCENARIOS}"),
        suite,
        kind: CaseKind::ExpectedScenarios,
    });
    if suite_file {
        cases.push(Case {
            name: format!("{run}::{SUITE_FILE}"),
            suite: run.to_string(),
            kind: CaseKind::SuiteFile,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Returns the last part of a threshold check's test name, `<metric>_<min|max>`.
pub fn check_test(spec: &CheckSpec) -> String {
    format!("{}_{}", spec.metric, spec.bound.as_str())
}

/// Returns the last part of the name of a metric's test against earlier runs, `<metric>_regression`.
pub fn regression_test(metric: &str) -> String {
    format!("{metric}_{REGRESSION}")
}

/// Returns the part of test names that stands for each scenario, from the ids in
/// evaluation order: sanitized, and unique (`torn_read#2`).
pub fn scenario_keys<S: AsRef<str>>(scenario_ids: &[S]) -> Vec<String> {
    unique(
        scenario_ids
            .iter()
            .map(|id| sanitize(id.as_ref()))
            .collect(),
        &[SUITE],
    )
}

/// Returns the one case standing for a run (or folder) that cannot be judged: `<label>::<test>`, an error with `message`.
pub fn unusable(label: &str, test: &str, message: String) -> Case {
    Case {
        suite: label.to_string(),
        name: format!("{label}::{test}"),
        kind: CaseKind::Unusable { message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_the_hierarchy_and_listing_intact() {
        assert_eq!(sanitize("torn_read"), "torn_read");
        assert_eq!(sanitize("a::b"), "a__b");
        assert_eq!(sanitize("two words\nand\ta tab"), "two_words_and_a_tab");
        assert_eq!(sanitize(""), "_");
        assert_eq!(sanitize("größe"), "größe");
    }

    #[test]
    fn repeated_parts_get_stable_suffixes_that_collide_with_nothing() {
        let parts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            unique(
                parts(&["torn_read", "sink_stall", "torn_read", "torn_read"]),
                &[]
            ),
            parts(&["torn_read", "sink_stall", "torn_read#2", "torn_read#3"])
        );
        // A later literal `a#2` keeps its spelling; the repeat of `a` skips it.
        assert_eq!(
            unique(parts(&["a", "a", "a#2"]), &[]),
            parts(&["a", "a#3", "a#2"])
        );
        assert_eq!(unique(parts(&["suite"]), &[SUITE]), parts(&["suite#2"]));
        // Every name `unique` gives starts with its part without a suffix.
        let given = parts(&["a", "a", "a#2", "b#x", "c#", "run#12"]);
        for (part, name) in given.iter().zip(unique(given.clone(), &[])) {
            assert!(part.starts_with(unsuffixed(&name)), "{part} as {name}");
        }
        assert_eq!(unsuffixed("a#3"), "a");
        assert_eq!(unsuffixed("b#x"), "b#x");
        assert_eq!(unsuffixed("c#"), "c#");
    }

    #[test]
    fn names_follow_the_contract_sorted() {
        let suite = crate::input::suite::Suite::builtin();
        let tables = suite.mode(crate::input::mode::Mode::Degraded).unwrap();
        let ids = ["torn_read", "x:y"];
        let checks: Vec<Vec<CheckSpec>> = ids
            .iter()
            .map(|id| crate::eval::thresholds::checks(tables, id))
            .collect();
        let names: Vec<String> = name_run("nightly", &ids, &checks, &[], false)
            .into_iter()
            .map(|case| case.name)
            .collect();
        assert_eq!(
            names,
            [
                "nightly::suite::expected_scenarios",
                "nightly::torn_read::drop_ratio_ppm_max",
                "nightly::torn_read::ingest_to_emit_samples_min",
                "nightly::torn_read::p50_us_max",
                "nightly::torn_read::p99_us_max",
                "nightly::torn_read::process_exit",
                "nightly::torn_read::torn_read_events_min",
                "nightly::x_y::drop_ratio_ppm_max",
                "nightly::x_y::ingest_to_emit_samples_min",
                "nightly::x_y::p50_us_max",
                "nightly::x_y::process_exit",
            ]
        );
    }
}
