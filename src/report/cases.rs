//! The test cases of a run: their names, and their verdicts and messages read off
//! the evaluation.
//!
//! This module owns the name contract (`<run>::<scenario>::process_exit`,
//! `<run>::<scenario>::<metric>_<min|max>`, `<run>::suite::expected_scenarios`,
//! and `<run>::manifest` for a run that cannot be read), keeps names unique and
//! free of stray `::`, and words messages and evidence. It decides no verdict
//! and reads no file: verdicts come from the model ([`crate::eval::model`]),
//! through the one judging path, [`judge`], that `fault-summary` and the
//! harness share. Running cases as tests is `harness`'s job, XML `junit`'s.

use crate::eval::evaluation::Evaluation;
use crate::eval::evidence::manifest_dir;
use crate::eval::model::{
    Check, Evidence, LogStatus, MetricLine, Observed, Point, Scenario, Series, Strictness, Verdict,
};
use crate::eval::regression;
use crate::eval::thresholds::CheckSpec;
use crate::input::mode::ModeChoice;
use camino::Utf8Path;
use std::collections::HashSet;
use std::time::Duration;

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

/// A named test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The JUnit testsuite holding the case: `<run>::<scenario>`, `<run>::suite` or `<run>`.
    pub suite: String,
    /// The test name, `<suite>::<test>`.
    pub name: String,
    pub kind: CaseKind,
}

/// A case together with its verdict (the full message) and the evidence behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    pub suite: String,
    pub name: String,
    pub verdict: Verdict,
    /// What the case looked at (files, lines), one item per line.
    pub evidence: String,
    /// How long judging took, when it was timed.
    pub time: Option<Duration>,
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
                name: format!("{suite}::{}", spec.test_name()),
                suite: suite.clone(),
                kind: CaseKind::Check { scenario, check },
            });
        }
        for (metric, name) in regressions.iter().enumerate() {
            cases.push(Case {
                name: format!("{suite}::{name}_{REGRESSION}"),
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

/// Judges a case of `evaluation` (`None` for a case that stands for an unusable run):
/// the verdict with its full message, and the evidence.
pub fn judge(case: &Case, evaluation: Option<&Evaluation>) -> (Verdict, String) {
    let evaluation = match (&case.kind, evaluation) {
        (CaseKind::Unusable { message }, _) => {
            return (Verdict::Error(message.clone()), String::new())
        }
        (_, Some(evaluation)) => evaluation,
        (_, None) => return internal("a case without a run".to_string()),
    };
    match case.kind {
        CaseKind::ExpectedScenarios => expected_scenarios(evaluation),
        CaseKind::SuiteFile => match evaluation.tables() {
            Ok(_) => (Verdict::Pass, String::new()),
            Err(why) => (Verdict::Error(why), String::new()),
        },
        CaseKind::ProcessExit { scenario } => match evaluation.scenario(scenario) {
            Some(found) => process_exit(found, &evaluation.manifest),
            None => internal(format!("no scenario #{scenario}")),
        },
        CaseKind::Check { scenario, check } => {
            let choice = match evaluation.mode() {
                Ok(choice) => choice,
                Err(why) => return (Verdict::Error(why.to_string()), String::new()),
            };
            let found = evaluation.scenario(scenario);
            match found.and_then(|found| Some((found, found.checks.get(check)?))) {
                Some((found, check)) => judge_check(found, check, choice, evaluation),
                None => internal(format!("no check #{check} of scenario #{scenario}")),
            }
        }
        CaseKind::Regression { scenario, metric } => {
            let found = evaluation.regression_metrics().get(metric);
            match found.and_then(|metric| regression::judge(evaluation, scenario, metric)) {
                Some(judged) => judge_regression(evaluation, scenario, judged),
                None => internal(format!(
                    "no regression metric #{metric} of scenario #{scenario}"
                )),
            }
        }
        CaseKind::Unusable { .. } => internal("unreachable".to_string()),
    }
}

/// Returns an error for a case that points at nothing (a bug, never a verdict).
fn internal(what: String) -> (Verdict, String) {
    (
        Verdict::Error(format!("internal error: {what}")),
        String::new(),
    )
}

/// Names and judges every case of an evaluation, sorted by name; `name` is the run's.
pub fn judge_run(name: &str, evaluation: &Evaluation) -> Vec<Judged> {
    name_evaluation(&sanitize(name), evaluation)
        .into_iter()
        .map(|case| {
            let (verdict, evidence) = judge(&case, Some(evaluation));
            let Case {
                suite,
                name,
                kind: _,
            } = case;
            Judged {
                suite,
                name,
                verdict,
                evidence,
                time: None,
            }
        })
        .collect()
}

/// Returns `message` followed by `evidence` indented by two spaces.
fn with_evidence(message: &str, evidence: &str) -> String {
    let mut out = message.to_string();
    for line in evidence.lines() {
        out.push_str("\n  ");
        out.push_str(line);
    }
    out
}

/// Returns `verdict` with its text followed by `evidence`.
fn worded(verdict: Verdict, evidence: &str) -> Verdict {
    match verdict {
        Verdict::Pass => Verdict::Pass,
        Verdict::Failure(text) => Verdict::Failure(with_evidence(&text, evidence)),
        Verdict::Error(text) => Verdict::Error(with_evidence(&text, evidence)),
    }
}

/// Describes an evidence file: where it was found, or where it was looked for.
fn evidence_path(evidence: Option<&Evidence>, manifest: &Utf8Path) -> String {
    let Some(evidence) = evidence else {
        return "(not looked for)".to_string();
    };
    match &evidence.path {
        None => "(none named)".to_string(),
        Some(path) if evidence.found => path.to_string(),
        Some(_) if Utf8Path::new(&evidence.named).is_absolute() => {
            format!("{} (not found)", evidence.named)
        }
        Some(_) => format!(
            "{} (not found, nor in the current directory)",
            manifest_dir(manifest).join(&evidence.named)
        ),
    }
}

/// Judges a scenario's three exit codes.
fn process_exit(scenario: &Scenario, manifest: &Utf8Path) -> (Verdict, String) {
    let evidence = format!(
        "manifest: {manifest}:{}\nsim log: {}\nstreamer log: {}\ntester log: {}",
        scenario.row.line,
        evidence_path(scenario.files.sim_log.as_ref(), manifest),
        evidence_path(Some(&scenario.files.streamer_log), manifest),
        evidence_path(scenario.files.tester_log.as_ref(), manifest),
    );
    (worded(scenario.exit.verdict(), &evidence), evidence)
}

/// Describes a metric line's position and text: `path:line` (or the byte offset), then the line.
fn line_evidence(path: &str, line: &MetricLine) -> String {
    let MetricLine {
        pairs: _,
        offset,
        len: _,
        line,
        text,
        cut: _,
    } = line;
    let place = match line {
        Some(number) => format!("{path}:{number}"),
        None => format!("{path} (byte offset {offset})"),
    };
    format!("{place}\n| {text}")
}

/// Explains why the streamer log yielded no line for a check (of `token`, when it names one).
fn log_problem(scenario: &Scenario, manifest: &Utf8Path, spec: &CheckSpec) -> String {
    let log = &scenario.files.streamer_log;
    let shown = log.shown();
    let named = &log.named;
    match &scenario.log {
        LogStatus::Read { len } => match &spec.token {
            Some(token) => format!("no {token} line in {shown} ({len} bytes)"),
            None => {
                let tokens: Vec<&str> = scenario
                    .metrics
                    .lines
                    .iter()
                    .map(|(token, _)| token.as_str())
                    .collect();
                format!(
                    "no line of {} in {shown} ({len} bytes) has {}",
                    tokens.join(", "),
                    spec.metric
                )
            }
        },
        LogStatus::Unnamed => format!(
            "the manifest names no streamer_log ({manifest}:{})",
            scenario.row.line
        ),
        LogStatus::Missing => {
            if Utf8Path::new(named).is_absolute() {
                format!("streamer log {shown} does not exist")
            } else {
                format!(
                    "streamer log {named:?} does not exist beside the manifest (in {}) nor in the current directory",
                    manifest_dir(manifest)
                )
            }
        }
        LogStatus::NotAFile { kind } => {
            format!("streamer log {shown} is {kind}, not a regular file")
        }
        LogStatus::Unreadable { reason } => format!("streamer log {shown}: {reason}"),
        LogStatus::Refused => format!(
            "streamer log {shown} leads out of the run directory, to {}; not read (evidence is confined to the run directory)",
            log.outside.as_ref().map_or("", |p| p.as_str())
        ),
    }
}

/// Judges one threshold check strictly: a miss fails, a metric that never appeared is an error.
fn judge_check(
    scenario: &Scenario,
    check: &Check,
    choice: &ModeChoice,
    evaluation: &Evaluation,
) -> (Verdict, String) {
    let manifest = &evaluation.manifest;
    let Check { spec, observed } = check;
    let log = &scenario.files.streamer_log;
    let token = scenario.metrics.token_of(spec);
    let line = token.and_then(|token| scenario.metrics.line(token));
    let mut evidence = match (observed, line) {
        (Observed::All(series), _) => series_evidence(log.shown(), series, &scenario.log),
        (_, Some(line)) => line_evidence(log.shown(), line),
        (_, None) => log_problem(scenario, manifest, spec),
    };
    if let (Some(hint), true) = (&scenario.metrics.look, check.misses()) {
        let suite = evaluation.suite.origin.as_ref();
        let suite = suite.map_or(crate::input::suite::SUITE_FILE, |path| path.as_str());
        evidence.push_str(&format!("\nnote: {}", hint.words(log.shown(), suite)));
    }
    if let (Some(outside), true) = (&log.outside, line.is_some()) {
        evidence.push_str(&format!(
            "\nnote: {} leads out of the run directory, to {outside} (--confine or FAULT_CONFINE=1 refuses it)",
            log.shown()
        ));
    }
    let verdict = match check.verdict(Strictness::Strict) {
        Verdict::Pass => Verdict::Pass,
        Verdict::Failure(violation) => {
            // The test's own name for the limit; the table's key where it differs.
            let test = spec.test_name();
            let alias = if test == spec.key {
                String::new()
            } else {
                format!(" ({} in the reference's table)", spec.key)
            };
            let from = match &evaluation.suite.origin {
                Some(path) => format!(" in {path}"),
                None => String::new(),
            };
            Verdict::Failure(with_evidence(
                &format!(
                    "{violation} (limit {test}{alias} of mode {}{from}, mode from {})",
                    choice.mode, choice.origin
                ),
                &evidence,
            ))
        }
        Verdict::Error(reason) => Verdict::Error(match (line, observed, token) {
            (_, Observed::All(_), _) => with_evidence(&reason, &evidence),
            (None, _, _) => format!("{reason}: {evidence}"),
            (Some(_), Observed::Missing, Some(token)) => with_evidence(
                &format!("{reason}: the last {token} line has no {}", spec.metric),
                &evidence,
            ),
            (Some(_), _, _) => with_evidence(&reason, &evidence),
        }),
    };
    (verdict, evidence)
}

/// Describes the lines a check judged over the whole run: the first that crossed the
/// limit and the worst, or how many lines held the metric.
fn series_evidence(path: &str, series: &Series, log: &LogStatus) -> String {
    let Series {
        lines,
        crossed: _,
        first,
        worst,
        invalid,
    } = series;
    let mut evidence = format!("{path}: {lines} lines hold the metric");
    if let LogStatus::Read { len } = log {
        evidence.push_str(&format!(" ({len} bytes)"));
    }
    // `path:line` where the line was numbered (a failing check's), else the offset.
    let place = |point: &Point| match point.line {
        Some(line) => format!("{path}:{line}"),
        None => format!("{path} (byte offset {})", point.offset),
    };
    if let Some(first) = first {
        evidence.push_str(&format!("\nfirst over the limit: {}", place(first)));
    }
    if let Some(worst) = worst {
        evidence.push_str(&format!("\nworst: {} at {}", worst.value, place(worst)));
    }
    if let Some((point, _)) = invalid {
        evidence.push_str(&format!("\nnot an integer: {}", place(point)));
    }
    evidence
}

/// Words a regression test: the verdict, this run's metric line and the window.
fn judge_regression(
    evaluation: &Evaluation,
    scenario: usize,
    judged: regression::Judged,
) -> (Verdict, String) {
    let regression::Judged {
        verdict,
        window,
        line,
    } = judged;
    let Some(found) = evaluation.scenario(scenario) else {
        return internal(format!("no scenario #{scenario}"));
    };
    let log = found.files.streamer_log.shown();
    let mut evidence = match &line {
        Some(line) => format!("this run: {}", line_evidence(log, line)),
        None => format!("this run: {log}"),
    };
    // A failure lists the window in its text; other verdicts show it here, once.
    if !matches!(verdict, Verdict::Failure(_)) {
        let listed: Vec<String> = window
            .iter()
            .map(|earlier| format!("{} {}", earlier.run, earlier.value))
            .collect();
        evidence.push_str(&format!(
            "\nruns before ({}): {}",
            window.len(),
            if listed.is_empty() {
                "none holds the metric".to_string()
            } else {
                listed.join(", ")
            }
        ));
    }
    (worded(verdict, &evidence), evidence)
}

/// Judges the scenario set.
fn expected_scenarios(evaluation: &Evaluation) -> (Verdict, String) {
    let evidence = format!(
        "manifest: {}\nscenarios: {}",
        evaluation.manifest,
        if evaluation.ids.is_empty() {
            "(none)".to_string()
        } else {
            evaluation.ids.join(", ")
        }
    );
    (
        worded(evaluation.scenario_set().verdict(), &evidence),
        evidence,
    )
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
