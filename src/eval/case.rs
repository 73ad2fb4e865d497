//! The test cases of a run: what each judges and how it is named.
//!
//! This module owns the name contract, and is the one place that spells a test
//! name: `<run>::<scenario>::process_exit`, `<run>::<scenario>::<metric>_<min|max>`,
//! `<run>::<scenario>::<metric>_regression`, `<run>::suite::expected_scenarios`,
//! `<run>::suite_file`, `<run>::manifest` for a run that cannot be read and
//! `<folder>::setup` for a folder that cannot be judged. It makes every part of a
//! name a Rust identifier, unique among its siblings, so that every name is a path
//! an editor's `#[test]` stub can stand at. Which cases a folder has is `plan`'s business, judging them
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

/// Words that are no Rust identifier: the strict and reserved keywords of every
/// edition, `_` alone, and `self`, `Self`, `super` and `crate`, which cannot be raw
/// identifiers either.
const KEYWORDS: &[&str] = &[
    "Self", "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Makes `part` a Rust identifier, so that a test name is a path an editor can hold a
/// function at: ASCII letters, digits and `_` stay, anything else becomes `_`; a
/// leading digit gets a `_` before it (`0305` → `_0305`) and a keyword a `_` after it
/// (`type` → `type_`, the empty part `__`).
pub fn sanitize(part: &str) -> String {
    let mut ident: String = part
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c,
            false => '_',
        })
        .collect();
    if ident.is_empty() {
        ident.push('_');
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// Makes `parts` unique in order: the first of equal parts keeps its spelling, later ones get `_2`, `_3`, ... (skipping a spelling that is itself among the parts), and `reserved` spellings are never handed out bare.
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
                let candidate = format!("{part}_{n}");
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

/// Returns a prefix of the spelling [`unique`] gave `name` a suffix to: `name` without a
/// trailing `_<digits>` (a name that ends so by itself, `nightly_0305`, loses it too, so
/// that a filter by this prefix may take in more than the one spelling, never less).
pub fn unsuffixed(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((part, n))
            if !part.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            part
        }
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
        for (check, test) in check_tests(specs).into_iter().enumerate() {
            cases.push(Case {
                name: format!("{suite}::{test}"),
                suite: suite.clone(),
                kind: CaseKind::Check { scenario, check },
            });
        }
        for (metric, test) in regression_tests(regressions).into_iter().enumerate() {
            cases.push(Case {
                name: format!("{suite}::{test}"),
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

/// Returns true if and only if `name` is the name of a folder's `setup` test,
/// `<folder>::setup`.
pub fn is_setup(name: &str) -> bool {
    name.split("::").count() == 2 && name.ends_with(&format!("::{SETUP}"))
}

/// Returns the last part of a threshold check's test name, `<metric>_<min|max>` made an
/// identifier, before [`check_tests`] keeps it apart from a scenario's other checks.
pub fn check_test(spec: &CheckSpec) -> String {
    sanitize(&format!("{}_{}", spec.metric, spec.bound.as_str()))
}

/// Returns the last parts of the test names of a scenario's threshold checks, in order:
/// each [`check_test`], unique among them and never `process_exit`.
pub fn check_tests(specs: &[CheckSpec]) -> Vec<String> {
    unique(specs.iter().map(check_test).collect(), &[PROCESS_EXIT])
}

/// Returns the last part of the name of a metric's test against earlier runs,
/// `<metric>_regression` made an identifier.
pub fn regression_test(metric: &str) -> String {
    sanitize(&format!("{metric}_{REGRESSION}"))
}

/// Returns the last parts of the names of a scenario's tests against earlier runs, in
/// the order of `metrics`: each [`regression_test`], unique among them.
fn regression_tests(metrics: &[&str]) -> Vec<String> {
    unique(
        metrics
            .iter()
            .map(|metric| regression_test(metric))
            .collect(),
        &[],
    )
}

/// Returns the part of test names that stands for each scenario, from the ids in
/// evaluation order: sanitized, and unique (`torn_read_2`).
pub fn scenario_keys<S: AsRef<str>>(scenario_ids: &[S]) -> Vec<String> {
    unique(
        scenario_ids
            .iter()
            .map(|id| sanitize(id.as_ref()))
            .collect(),
        &[SUITE, SUITE_FILE],
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
    fn sanitize_keeps_ascii_letters_digits_and_underscores_only() {
        assert_eq!(sanitize("torn_read"), "torn_read");
        assert_eq!(sanitize("nightly-0305"), "nightly_0305");
        assert_eq!(sanitize("a::b"), "a__b");
        assert_eq!(sanitize("two words\nand\ta tab"), "two_words_and_a_tab");
    }

    #[test]
    fn sanitize_puts_an_underscore_before_a_leading_digit() {
        assert_eq!(sanitize("0305"), "_0305");
        assert_eq!(sanitize("9lives"), "_9lives");
        assert_eq!(sanitize("-9"), "_9");
    }

    #[test]
    fn sanitize_puts_an_underscore_after_a_keyword() {
        assert_eq!(sanitize("type"), "type_");
        assert_eq!(sanitize("Self"), "Self_");
        assert_eq!(sanitize("crate"), "crate_");
        assert_eq!(sanitize("async"), "async_");
        assert_eq!(sanitize("yield"), "yield_");
        // `_` alone is no identifier, and neither is the empty part it stands for.
        assert_eq!(sanitize("_"), "__");
        assert_eq!(sanitize(""), "__");
        // A keyword only as a whole: `types`, `r#type` and the weak `union` are names.
        assert_eq!(sanitize("types"), "types");
        assert_eq!(sanitize("r#type"), "r_type");
        assert_eq!(sanitize("union"), "union");
    }

    #[test]
    fn sanitize_turns_each_non_ascii_character_into_an_underscore() {
        assert_eq!(sanitize("größe"), "gr__e");
        // One character that is no identifier is `_`, a keyword: `__`.
        assert_eq!(sanitize("é"), "__");
        assert_eq!(sanitize("ünter"), "_nter");
        // Unicode digits are no ASCII digits: no prefix, one `_` each.
        assert_eq!(sanitize("٣x"), "_x");
    }

    /// Returns true if and only if `part` is an identifier Rust accepts in a path.
    fn is_identifier(part: &str) -> bool {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !KEYWORDS.contains(&part)
    }

    #[test]
    fn every_sanitized_and_unique_part_is_an_identifier() {
        let parts: Vec<String> = [
            "", "_", "0", "type", "größe", "a b", "::", "self", "7", "_7", "x", "x",
        ]
        .iter()
        .map(|part| sanitize(part))
        .collect();
        for name in unique(parts, &[SUITE]) {
            assert!(is_identifier(&name), "{name:?}");
        }
    }

    #[test]
    fn parts_that_come_out_alike_get_stable_suffixes_that_collide_with_nothing() {
        let parts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            unique(
                parts(&["torn_read", "sink_stall", "torn_read", "torn_read"]),
                &[]
            ),
            parts(&["torn_read", "sink_stall", "torn_read_2", "torn_read_3"])
        );
        // Two folders that sanitize alike.
        let folders = ["x y", "x-y", "x_y"].map(sanitize).to_vec();
        assert_eq!(unique(folders, &[]), parts(&["x_y", "x_y_2", "x_y_3"]));
        // A later literal `a_2` keeps its spelling; the repeat of `a` skips it.
        assert_eq!(
            unique(parts(&["a", "a", "a_2"]), &[]),
            parts(&["a", "a_3", "a_2"])
        );
        assert_eq!(unique(parts(&["suite"]), &[SUITE]), parts(&["suite_2"]));
        // Every name `unique` gives starts with its part without a suffix.
        let given = parts(&[
            "a", "a", "a_2", "b_x", "c_", "run_12", "_0305", "_0305", "__",
        ]);
        for (part, name) in given.iter().zip(unique(given.clone(), &[])) {
            assert!(part.starts_with(unsuffixed(&name)), "{part} as {name}");
        }
        assert_eq!(unsuffixed("a_3"), "a");
        assert_eq!(unsuffixed("nightly_0305"), "nightly");
        assert_eq!(unsuffixed("_0305"), "_0305");
        assert_eq!(unsuffixed("b_x"), "b_x");
        assert_eq!(unsuffixed("c_"), "c_");
    }

    #[test]
    fn checks_with_odd_metric_names_get_identifiers_apart() {
        let spec = |metric: &str| CheckSpec {
            metric: metric.to_string(),
            bound: crate::input::suite::Bound::Max,
            key: format!("{metric}_max"),
            token: None,
            over: crate::input::suite::Over::Last,
            limit: Some(1),
        };
        let specs = [spec("p99.us"), spec("p99-us"), spec("9ms"), spec("größe")];
        assert_eq!(
            check_tests(&specs),
            ["p99_us_max", "p99_us_max_2", "_9ms_max", "gr__e_max"]
        );
        assert_eq!(
            regression_tests(&["p99.us", "p99_us", "ünter"]),
            [
                "p99_us_regression",
                "p99_us_regression_2",
                "_nter_regression"
            ]
        );
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
