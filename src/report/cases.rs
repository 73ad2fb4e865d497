//! The test cases of a run: their names, and their outcomes read off the evaluated model.
//!
//! This module owns the name contract (`<run>::<scenario>::process_exit`,
//! `<run>::<scenario>::<metric>_<min|max>`, `<run>::suite::expected_scenarios`,
//! and `<run>::manifest` for a run that cannot be read), keeps names unique and
//! free of stray `::`, and words failure messages and evidence. It decides no
//! verdict of its own: checks are judged by [`Check::strict_verdict`]. Reading
//! logs is `evaluate`'s job, running cases as tests `harness`'s, and rendering
//! them as XML `junit`'s.

use crate::eval::evaluate;
use crate::eval::model::{
    Check, ExitCodes, Log, LogStatus, MetricLine, Observed, Run, RunInfo, Scenario, Verdict,
};
use crate::eval::thresholds::{self, CheckSpec, Mode, Source};
use crate::harness::CONFINE_VAR;
use crate::py::int::PyInt;
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

/// The middle part of the names of run-wide cases (`<run>::suite::expected_scenarios`).
pub const SUITE: &str = "suite";
/// The last part of the case that checks the scenario set.
pub const EXPECTED_SCENARIOS: &str = "expected_scenarios";
/// The last part of a scenario's exit-code case.
pub const PROCESS_EXIT: &str = "process_exit";
/// The last part of the one case of a run whose manifest cannot be read.
pub const MANIFEST: &str = "manifest";

/// What a case judges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The three exit codes of the scenario at this position (in evaluation order).
    ProcessExit { scenario: usize },
    /// One threshold check of a scenario, by position in its check list.
    Check { scenario: usize, check: usize },
    /// The run holds the three known scenarios, once each.
    ExpectedScenarios,
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
    pub subject: Subject,
}

/// How a case turned out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// A threshold or an exit code was missed.
    Failure {
        message: String,
    },
    /// The evidence is missing or unusable, so nothing could be judged.
    Error {
        message: String,
    },
}

/// A case together with its outcome and the evidence behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    pub suite: String,
    pub name: String,
    pub outcome: Outcome,
    /// What the case looked at (files, lines), one item per line.
    pub evidence: String,
    /// How long judging took, when it was timed.
    pub time: Option<Duration>,
}

/// What judging needs to know about a run besides its scenarios.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub mode: Mode,
    /// Where the mode came from (`FAULT_MODE`, a `run.json`, `--mode`, ...).
    pub mode_origin: &'a str,
    /// The manifest; relative evidence paths are tried against its folder first.
    pub manifest: &'a Path,
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

/// Returns the test name of a check, `<metric>_<min|max>`.
fn check_test(spec: &CheckSpec) -> String {
    format!("{}_{}", spec.metric, spec.bound.as_str())
}

/// Names the cases of one run (its name already sanitized and unique) from its scenario ids in evaluation order, sorted by name.
pub fn name_run<S: AsRef<str>>(run: &str, scenario_ids: &[S]) -> Vec<Case> {
    let keys = unique(
        scenario_ids
            .iter()
            .map(|id| sanitize(id.as_ref()))
            .collect(),
        &[SUITE],
    );
    let mut cases = Vec::new();
    for (scenario, (id, key)) in scenario_ids.iter().zip(keys).enumerate() {
        let suite = format!("{run}::{key}");
        cases.push(Case {
            name: format!("{suite}::{PROCESS_EXIT}"),
            suite: suite.clone(),
            subject: Subject::ProcessExit { scenario },
        });
        for (check, spec) in thresholds::checks_for(id.as_ref()).iter().enumerate() {
            cases.push(Case {
                name: format!("{suite}::{}", check_test(spec)),
                suite: suite.clone(),
                subject: Subject::Check { scenario, check },
            });
        }
    }
    let suite = format!("{run}::{SUITE}");
    cases.push(Case {
        name: format!("{suite}::{EXPECTED_SCENARIOS}"),
        suite,
        subject: Subject::ExpectedScenarios,
    });
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Returns the one case standing for a run (or folder) that cannot be judged: `<label>::<test>`, failing with `message`.
pub fn unusable(label: &str, test: &str, message: String) -> Case {
    Case {
        suite: label.to_string(),
        name: format!("{label}::{test}"),
        subject: Subject::Unusable { message },
    }
}

/// Judges a case; `scenario` is the evaluated scenario its subject points at, `ids` the run's scenario ids.
pub fn judge<S: AsRef<str>>(
    subject: &Subject,
    scenario: Option<&Scenario>,
    ids: &[S],
    context: &Context<'_>,
) -> (Outcome, String) {
    match (subject, scenario) {
        (Subject::Unusable { message }, _) => (
            Outcome::Error {
                message: message.clone(),
            },
            String::new(),
        ),
        (Subject::ExpectedScenarios, _) => expected_scenarios(ids, context),
        (Subject::ProcessExit { .. }, Some(scenario)) => process_exit(scenario, context),
        (Subject::Check { check, .. }, Some(scenario)) => match scenario.checks.get(*check) {
            Some(found) => judge_check(scenario, found, context),
            None => internal(format!("scenario has no check #{check}")),
        },
        (Subject::ProcessExit { scenario } | Subject::Check { scenario, .. }, None) => {
            internal(format!("scenario #{scenario} was not evaluated"))
        }
    }
}

/// Returns an error outcome for a case that points at nothing (a bug, never a verdict).
fn internal(what: String) -> (Outcome, String) {
    (
        Outcome::Error {
            message: format!("internal error: {what}"),
        },
        String::new(),
    )
}

/// Names and judges every case of an evaluated run, sorted by name.
pub fn judge_run(run: &Run) -> Vec<Judged> {
    let RunInfo {
        name,
        mode,
        mode_origin,
        run_id: _,
        run_dir: _,
        started_at: _,
        finished_at: _,
        manifest,
    } = &run.info;
    let context = Context {
        mode: *mode,
        mode_origin,
        manifest,
    };
    let ids: Vec<&str> = run
        .scenarios
        .iter()
        .map(|s| s.row.scenario_id.as_str())
        .collect();
    name_run(&sanitize(name), &ids)
        .into_iter()
        .map(|case| {
            let scenario = match case.subject {
                Subject::ProcessExit { scenario } | Subject::Check { scenario, .. } => {
                    run.scenarios.get(scenario)
                }
                Subject::ExpectedScenarios | Subject::Unusable { .. } => None,
            };
            let (outcome, evidence) = judge(&case.subject, scenario, &ids, &context);
            let Case {
                suite,
                name,
                subject: _,
            } = case;
            Judged {
                suite,
                name,
                outcome,
                evidence,
                time: None,
            }
        })
        .collect()
}

/// Returns `message` followed by `evidence` indented by two spaces.
fn with_evidence(message: String, evidence: &str) -> String {
    let mut out = message;
    for line in evidence.lines() {
        out.push_str("\n  ");
        out.push_str(line);
    }
    out
}

/// Describes an evidence file named in the manifest: where it was found, or where it was looked for first.
fn evidence_path(named: &str, context: &Context<'_>) -> String {
    let base = evaluate::manifest_dir(context.manifest);
    match evaluate::resolve(&base, named) {
        None => "(none named)".to_string(),
        Some(path) if path.symlink_metadata().is_ok() => path.display().to_string(),
        Some(_) => format!("{} (not found)", base.join(named).display()),
    }
}

/// Judges a scenario's three exit codes: all 0 passes, any other code fails, a code the manifest does not give as an integer is an error.
fn process_exit(scenario: &Scenario, context: &Context<'_>) -> (Outcome, String) {
    let Scenario {
        row,
        order: _,
        duration_ms: _,
        exit,
        log: _,
        metrics: _,
        checks: _,
    } = scenario;
    let ExitCodes {
        sim,
        streamer,
        tester,
    } = exit;
    let evidence = format!(
        "manifest: {}:{}\nsim log: {}\nstreamer log: {}\ntester log: {}",
        context.manifest.display(),
        row.line,
        evidence_path(&row.sim_log, context),
        evidence_path(&row.streamer_log, context),
        evidence_path(&row.tester_log, context),
    );
    let codes = format!("process_rc(sim={sim},streamer={streamer},tester={tester})");
    let unreadable: Vec<String> = [
        ("sim_rc", &row.sim_rc),
        ("streamer_rc", &row.streamer_rc),
        ("tester_rc", &row.tester_rc),
    ]
    .iter()
    .filter(|(_, raw)| PyInt::parse(raw).is_err())
    .map(|(column, raw)| format!("{column} {raw:?} is not an integer"))
    .collect();
    let outcome = if !unreadable.is_empty() {
        Outcome::Error {
            message: with_evidence(
                format!("{codes}: {} (counted as -1)", unreadable.join(", ")),
                &evidence,
            ),
        }
    } else if exit.all_zero() {
        Outcome::Pass
    } else {
        Outcome::Failure {
            message: with_evidence(codes, &evidence),
        }
    };
    (outcome, evidence)
}

/// Returns the token of the metric line a check reads.
fn token(source: Source) -> &'static str {
    match source {
        Source::Latency => "LATENCY_METRICS",
        Source::Fault => "FAULT_COUNTERS",
    }
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

/// Explains why a log yielded no metric line.
fn log_problem(log: &Log, row_line: u64, context: &Context<'_>, source: Source) -> String {
    let Log {
        named,
        path,
        status,
        outside,
    } = log;
    let shown = path
        .as_deref()
        .map_or_else(|| named.clone(), |p| p.display().to_string());
    match status {
        LogStatus::Read { len } => {
            format!("no {} line in {shown} ({len} bytes)", token(source))
        }
        LogStatus::Unnamed => format!(
            "the manifest names no streamer_log ({}:{row_line})",
            context.manifest.display()
        ),
        LogStatus::Missing => {
            if Path::new(named).is_absolute() {
                format!("streamer log {shown} does not exist")
            } else {
                format!(
                    "streamer log {named:?} does not exist beside the manifest (in {}) nor in the current directory",
                    evaluate::manifest_dir(context.manifest).display()
                )
            }
        }
        LogStatus::NotAFile { kind } => {
            format!("streamer log {shown} is {kind}, not a regular file")
        }
        LogStatus::Unreadable { reason } => format!("streamer log {shown}: {reason}"),
        LogStatus::Refused => format!(
            "streamer log {shown} leads out of the run directory, to {}; not read ({CONFINE_VAR}=1)",
            outside
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string())
        ),
    }
}

/// Judges one threshold check strictly: a miss fails, a metric that never appeared is an error.
fn judge_check(scenario: &Scenario, check: &Check, context: &Context<'_>) -> (Outcome, String) {
    let Check {
        spec,
        limit: _,
        observed,
    } = check;
    let path = scenario
        .log
        .path
        .as_deref()
        .map_or_else(|| scenario.log.named.clone(), |p| p.display().to_string());
    let line = scenario.metrics.line(spec.source);
    let mut evidence = match line {
        Some(line) => line_evidence(&path, line),
        None => log_problem(&scenario.log, scenario.row.line, context, spec.source),
    };
    if let (Some(outside), true) = (&scenario.log.outside, line.is_some()) {
        evidence.push_str(&format!(
            "\nnote: {path} leads out of the run directory, to {} ({CONFINE_VAR}=1 refuses it)",
            outside.display()
        ));
    }
    let limit_words = format!(
        "limit {} of mode {}, mode from {}",
        spec.limit_key, context.mode, context.mode_origin
    );
    let outcome = match check.strict_verdict() {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail { violation } => Outcome::Failure {
            message: with_evidence(format!("{violation} ({limit_words})"), &evidence),
        },
        Verdict::Error { reason } => {
            let message = match (line, observed) {
                (None, _) => format!("{reason}: {evidence}"),
                (Some(_), Observed::Missing) => with_evidence(
                    format!(
                        "{reason}: the last {} line has no {}",
                        token(spec.source),
                        spec.metric
                    ),
                    &evidence,
                ),
                (Some(_), _) => with_evidence(reason, &evidence),
            };
            Outcome::Error { message }
        }
    };
    (outcome, evidence)
}

/// Judges the scenario set: exactly the three known scenario ids, once each.
fn expected_scenarios<S: AsRef<str>>(ids: &[S], context: &Context<'_>) -> (Outcome, String) {
    let found: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    let evidence = format!(
        "manifest: {}\nscenarios: {}",
        context.manifest.display(),
        if found.is_empty() {
            "(none)".to_string()
        } else {
            found.join(", ")
        }
    );
    let mut problems = Vec::new();
    let missing: Vec<&str> = thresholds::SCENARIOS
        .iter()
        .copied()
        .filter(|known| !found.contains(known))
        .collect();
    if !missing.is_empty() {
        problems.push(format!("missing {}", missing.join(", ")));
    }
    let mut repeated = Vec::new();
    let mut unexpected = Vec::new();
    for (index, id) in found.iter().enumerate() {
        if found[..index].contains(id) {
            continue;
        }
        let count = found.iter().filter(|other| *other == id).count();
        if !thresholds::SCENARIOS.contains(id) {
            unexpected.push(format!("{id:?}"));
        } else if count > 1 {
            repeated.push(format!("{id} ({count} times)"));
        }
    }
    if !repeated.is_empty() {
        problems.push(format!("repeated {}", repeated.join(", ")));
    }
    if !unexpected.is_empty() {
        problems.push(format!("unexpected {}", unexpected.join(", ")));
    }
    let outcome = if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Failure {
            message: with_evidence(
                format!(
                    "expected {} once each: {}",
                    thresholds::SCENARIOS.join(", "),
                    problems.join("; ")
                ),
                &evidence,
            ),
        }
    };
    (outcome, evidence)
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
    }

    #[test]
    fn names_follow_the_contract_sorted() {
        let names: Vec<String> = name_run("nightly", &["torn_read", "x:y"])
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

    #[test]
    fn scenario_set_must_be_the_three_known_once_each() {
        let manifest = Path::new("m.tsv");
        let context = Context {
            mode: Mode::Degraded,
            mode_origin: "test",
            manifest,
        };
        let (ok, _) = expected_scenarios(&["reset_storm", "torn_read", "sink_stall"], &context);
        assert_eq!(ok, Outcome::Pass);
        let (bad, _) =
            expected_scenarios(&["torn_read", "torn_read", "sink_stall", "other"], &context);
        let Outcome::Failure { message } = bad else {
            panic!("expected a failure, got {bad:?}");
        };
        assert!(message.starts_with(
            "expected torn_read, sink_stall, reset_storm once each: missing reset_storm; repeated torn_read (2 times); unexpected \"other\""
        ), "{message}");
    }
}
