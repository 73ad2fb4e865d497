//! Wording judged cases: each verdict's full message and the evidence behind it.
//!
//! The verdict is decided by `eval::judgement`, on grounds it hands over with it;
//! this module words it: the violation with its limit, mode and suite file, the
//! evidence file and line, the metric line itself, and for a regression test the
//! window of earlier runs and where they are. It decides no verdict and reads no
//! file. Naming cases is `eval::case`'s job, running them as tests `harness`'s,
//! XML `junit`'s.

use crate::eval::case::{check_test, Case, CaseKind};
use crate::eval::evaluation::Evaluation;
use crate::eval::evidence::manifest_dir;
use crate::eval::judgement::{Grounds, Judgement};
use crate::eval::model::{
    Check, Evidence, LogStatus, MetricLine, Observed, Point, Scenario, Series, Verdict,
};
use crate::eval::regression::Earlier;
use crate::eval::thresholds::CheckSpec;
use crate::input::mode::ModeChoice;
use crate::input::run_dir;
use camino::Utf8Path;
use std::time::Duration;

/// A case together with its verdict (the full message) and the evidence behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// The JUnit testsuite holding the case: `<run>::<scenario>`, `<run>::suite` or `<run>`.
    pub suite: String,
    /// The test name, `<suite>::<test>`.
    pub name: String,
    /// What the case judged.
    pub kind: CaseKind,
    pub verdict: Verdict,
    /// What the case looked at (files, lines), one item per line.
    pub evidence: String,
    /// How long judging took, when it was timed.
    pub time: Option<Duration>,
}

/// Words the judgement of `case`, a case of `evaluation` (`None` for a case that stands
/// for an unusable run or folder): its verdict with the full message, and its evidence.
pub fn word(case: Case, judgement: Judgement<'_>, evaluation: Option<&Evaluation>) -> Judged {
    let Judgement { verdict, grounds } = judgement;
    let (verdict, evidence) = match (grounds, evaluation) {
        (Grounds::Nothing, _) | (_, None) => (verdict, String::new()),
        (Grounds::Exit { scenario }, Some(evaluation)) => {
            process_exit(verdict, scenario, &evaluation.manifest)
        }
        (
            Grounds::Check {
                scenario,
                check,
                mode,
            },
            Some(evaluation),
        ) => word_check(verdict, scenario, check, mode, evaluation),
        (
            Grounds::Regression {
                scenario,
                window,
                line,
            },
            Some(evaluation),
        ) => word_regression(verdict, scenario, &window, line.as_ref(), evaluation),
        (Grounds::ScenarioSet, Some(evaluation)) => expected_scenarios(verdict, evaluation),
    };
    let Case { suite, name, kind } = case;
    Judged {
        suite,
        name,
        kind,
        verdict,
        evidence,
        time: None,
    }
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

/// Words the verdict on a scenario's three exit codes: a failure says, under the
/// reference's words, which process exited how (`streamer exited 139: killed by SIGSEGV`).
fn process_exit(verdict: Verdict, scenario: &Scenario, manifest: &Utf8Path) -> (Verdict, String) {
    let evidence = format!(
        "manifest: {manifest}:{}\nsim log: {}\nstreamer log: {}\ntester log: {}",
        scenario.row.line,
        evidence_path(scenario.files.sim_log.as_ref(), manifest),
        evidence_path(Some(&scenario.files.streamer_log), manifest),
        evidence_path(scenario.files.tester_log.as_ref(), manifest),
    );
    let verdict = match verdict {
        Verdict::Failure(text) => {
            let codes = &scenario.exit;
            let exits: Vec<String> = [
                ("sim", &codes.sim),
                ("streamer", &codes.streamer),
                ("tester", &codes.tester),
            ]
            .into_iter()
            .filter(|(_, exit)| !exit.code.is_zero() && exit.unreadable.is_none())
            .map(|(process, exit)| exit_words(process, exit.code.to_i64()))
            .collect();
            Verdict::Failure(format!("{text}\n{}", exits.join("\n")))
        }
        other => other,
    };
    (worded(verdict, &evidence), evidence)
}

/// Words how a process exited: `streamer exited 1`, `streamer exited 139: killed by
/// SIGSEGV` (a shell's 128 + the signal), `streamer exited -9: killed by SIGKILL` (how
/// Python's subprocess reports a signal).
fn exit_words(process: &str, code: Option<i64>) -> String {
    let Some(code) = code else {
        return format!("{process} exited with a code past any signal's");
    };
    let signal = match code {
        129..=192 => Some(code - 128),
        -64..=-2 => Some(-code),
        _ => None,
    };
    match signal {
        Some(number) => format!("{process} exited {code}: killed by {}", signal_name(number)),
        None => format!("{process} exited {code}"),
    }
}

/// Returns the name of Linux signal `number` (`SIGSEGV`), or `signal <number>`.
fn signal_name(number: i64) -> String {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    usize::try_from(number - 1)
        .ok()
        .and_then(|index| NAMES.get(index))
        .map_or_else(|| format!("signal {number}"), |name| name.to_string())
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

/// Words the verdict on one threshold check, judged strictly: a miss fails, a metric
/// that never appeared is an error.
fn word_check(
    verdict: Verdict,
    scenario: &Scenario,
    check: &Check,
    choice: &ModeChoice,
    evaluation: &Evaluation,
) -> (Verdict, String) {
    let manifest = &evaluation.manifest;
    let Check {
        spec,
        observed,
        unsettled: _,
    } = check;
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
    let verdict = match verdict {
        Verdict::Pass => Verdict::Pass,
        Verdict::Failure(violation) => {
            // The test's own name for the limit; the table's key where it differs.
            let test = check_test(spec);
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

/// Words a regression test: the verdict, this run's metric line, and the window of
/// earlier runs with the folder they are in.
fn word_regression(
    verdict: Verdict,
    scenario: &Scenario,
    window: &[Earlier],
    line: Option<&MetricLine>,
    evaluation: &Evaluation,
) -> (Verdict, String) {
    let log = scenario.files.streamer_log.shown();
    let mut evidence = match line {
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
    // Where the window's runs were found, each folder once; with none in the window,
    // where the latest earlier run was. (Not every earlier run's: a folder of a
    // thousand runs would word each of its tests over all the runs before it.)
    let mut folders: Vec<String> = Vec::new();
    for earlier in window {
        if !folders.contains(&earlier.folder) {
            folders.push(earlier.folder.clone());
        }
    }
    if let (true, Some(latest)) = (folders.is_empty(), evaluation.earlier().last()) {
        folders.push(run_dir::folder_of(&latest.dir).to_string());
    }
    if !folders.is_empty() {
        evidence.push_str(&format!("\nearlier runs from: {}", folders.join(", ")));
    }
    (worded(verdict, &evidence), evidence)
}

/// Words the verdict on the scenario set.
fn expected_scenarios(verdict: Verdict, evaluation: &Evaluation) -> (Verdict, String) {
    let evidence = format!(
        "manifest: {}\nscenarios: {}",
        evaluation.manifest,
        if evaluation.ids.is_empty() {
            "(none)".to_string()
        } else {
            evaluation.ids.join(", ")
        }
    );
    (worded(verdict, &evidence), evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exit_past_128_or_below_minus_1_names_its_signal() {
        assert_eq!(
            exit_words("streamer", Some(139)),
            "streamer exited 139: killed by SIGSEGV"
        );
        assert_eq!(exit_words("sim", Some(1)), "sim exited 1");
        assert_eq!(
            exit_words("tester", Some(-9)),
            "tester exited -9: killed by SIGKILL"
        );
        // -1 is what the reference counts an unreadable code as, not a signal.
        assert_eq!(exit_words("tester", Some(-1)), "tester exited -1");
        assert_eq!(
            exit_words("sim", Some(128 + 40)),
            "sim exited 168: killed by signal 40"
        );
        assert_eq!(exit_words("sim", Some(300)), "sim exited 300");
    }
}
