//! What the HTML report and the Markdown summary say about a run, read off the
//! evaluation and its judged test cases: the run's verdict and counts, and per
//! scenario its exit codes and checks, each with its test verdict and chart.
//!
//! Verdicts are the tests' (`cases`, strict: a metric that never appeared is an
//! error), so a report never disagrees with `cargo test` or the JUnit report.
//! Only scenarios already evaluated are shown; nothing here reads a file or
//! evaluates anything. `html` and `markdown` only format what this gives.

use crate::eval::case::{self, CaseKind};
use crate::eval::chart::Chart;
use crate::eval::evaluation::Evaluation;
use crate::eval::model::{Check, Scenario, Verdict};
use crate::eval::regression::{self, Trend};
use crate::report::cases::Judged;

/// A judged run as a face hands it to the renderers.
#[derive(Debug)]
pub struct Run<'a> {
    /// The run's name as its folder is named (`nightly-0305`; test names spell it `nightly_0305`).
    pub name: String,
    /// The run, or `None` when it could not be evaluated (its judged case says why).
    pub evaluation: Option<&'a Evaluation>,
    /// The run's cases that were judged, sorted by name.
    pub judged: Vec<Judged>,
    /// When the run started and finished, as `run.json` or the command line give it.
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// How a case turned out, for marking it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Failure,
    Error,
    /// Not judged in this run of the tests (filtered out).
    NotRun,
}

impl Status {
    /// Returns the status of a judged case, [`Status::NotRun`] for none.
    pub fn of(judged: Option<&Judged>) -> Status {
        match judged.map(|judged| &judged.verdict) {
            Some(Verdict::Pass) => Status::Pass,
            Some(Verdict::Failure(_)) => Status::Failure,
            Some(Verdict::Error(_)) => Status::Error,
            None => Status::NotRun,
        }
    }

    /// Returns the word a report shows: `pass`, `fail`, `error`, `not run`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Failure => "fail",
            Status::Error => "error",
            Status::NotRun => "not run",
        }
    }

    /// Combines two statuses: an error outweighs a failure, which outweighs a pass.
    fn worst(self, other: Status) -> Status {
        let rank = |status| match status {
            Status::NotRun => 0,
            Status::Pass => 1,
            Status::Failure => 2,
            Status::Error => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// Counts of judged cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

/// One threshold check of a scenario, with its test verdict and chart.
#[derive(Debug)]
pub struct CheckView<'a> {
    pub check: &'a Check,
    /// The test name's last part, `p99_us_max`.
    pub test: String,
    pub judged: Option<&'a Judged>,
    pub chart: Option<&'a Chart>,
}

impl CheckView<'_> {
    /// Returns how the check's test turned out.
    pub fn status(&self) -> Status {
        Status::of(self.judged)
    }
}

/// One evaluated scenario.
#[derive(Debug)]
pub struct ScenarioView<'a> {
    /// The scenario's part of test names (`torn_read`, `torn_read_2`).
    pub key: String,
    pub scenario: &'a Scenario,
    /// The `process_exit` test.
    pub exit: Option<&'a Judged>,
    pub checks: Vec<CheckView<'a>>,
    /// Its other tests that ran (those judged against earlier runs, `_regression`),
    /// with their test names' last parts, in name order.
    pub other: Vec<(String, &'a Judged)>,
    /// The worst status of its tests.
    pub status: Status,
    /// Per regression test that ran, its metric across the runs before this one.
    pub trends: Vec<TrendView<'a>>,
}

/// A metric across runs, with the regression test that judged it.
#[derive(Debug)]
pub struct TrendView<'a> {
    pub trend: Trend,
    pub judged: &'a Judged,
}

impl TrendView<'_> {
    /// Returns how the regression test turned out.
    pub fn status(&self) -> Status {
        Status::of(Some(self.judged))
    }
}

/// A run as both reports show it.
#[derive(Debug)]
pub struct Overview<'a> {
    pub run: &'a Run<'a>,
    /// True if and only if every judged case of the run passed.
    pub passed: bool,
    pub counts: Counts,
    /// The evaluated scenarios, in evaluation order.
    pub scenarios: Vec<ScenarioView<'a>>,
    /// Scenarios of the manifest not evaluated (their tests were filtered out).
    pub not_shown: usize,
    /// Judged cases of the run as a whole (`suite::expected_scenarios`, `suite_file`,
    /// `manifest`, `setup`), in name order.
    pub run_cases: Vec<&'a Judged>,
}

impl<'a> Overview<'a> {
    /// Reads the overview of `run` off its evaluation and judged cases.
    pub fn of(run: &'a Run<'a>) -> Overview<'a> {
        let mut counts = Counts::default();
        for judged in &run.judged {
            match judged.verdict {
                Verdict::Pass => counts.passed += 1,
                Verdict::Failure(_) => counts.failed += 1,
                Verdict::Error(_) => counts.errors += 1,
            }
        }
        // A run's judged cases are found by what they judge, not by their names.
        let find = |kind: &CaseKind| run.judged.iter().find(|judged| judged.kind == *kind);
        let mut scenarios = Vec::new();
        let mut not_shown = 0;
        if let Some(evaluation) = run.evaluation {
            let keys = case::scenario_keys(&evaluation.ids);
            for (index, key) in keys.into_iter().enumerate() {
                let Some(scenario) = evaluation.evaluated_at(index) else {
                    not_shown += 1;
                    continue;
                };
                let exit = find(&CaseKind::ProcessExit { scenario: index });
                let specs: Vec<_> = scenario
                    .checks
                    .iter()
                    .map(|check| check.spec.clone())
                    .collect();
                let checks: Vec<CheckView> = scenario
                    .checks
                    .iter()
                    .zip(case::check_tests(&specs))
                    .enumerate()
                    .map(|(position, (check, test))| CheckView {
                        check,
                        judged: find(&CaseKind::Check {
                            scenario: index,
                            check: position,
                        }),
                        chart: scenario.charts.iter().find(|chart| chart.check == position),
                        test,
                    })
                    .collect();
                let regressions: Vec<(usize, &Judged)> = run
                    .judged
                    .iter()
                    .filter_map(|judged| match judged.kind {
                        CaseKind::Regression { scenario, metric } if scenario == index => {
                            Some((metric, judged))
                        }
                        _ => None,
                    })
                    .collect();
                let other: Vec<(String, &Judged)> = regressions
                    .iter()
                    .map(|(_, judged)| {
                        let test = judged.name.rsplit("::").next().unwrap_or_default();
                        (test.to_string(), *judged)
                    })
                    .collect();
                let status = checks
                    .iter()
                    .map(CheckView::status)
                    .chain(other.iter().map(|(_, judged)| Status::of(Some(judged))))
                    .fold(Status::of(exit), Status::worst);
                // Only tests that ran: their windows are evaluated already, so this reads nothing.
                let trends = regressions
                    .iter()
                    .filter_map(|(metric, judged)| {
                        let metric = evaluation.regression_metrics().get(*metric)?;
                        let trend = regression::trend(evaluation, index, metric)?;
                        Some(TrendView { trend, judged })
                    })
                    .collect();
                scenarios.push(ScenarioView {
                    key,
                    scenario,
                    exit,
                    checks,
                    other,
                    status,
                    trends,
                });
            }
        }
        let run_cases = run
            .judged
            .iter()
            .filter(|judged| {
                matches!(
                    judged.kind,
                    CaseKind::ExpectedScenarios | CaseKind::SuiteFile | CaseKind::Unusable { .. }
                )
            })
            .collect();
        Overview {
            run,
            passed: counts.failed == 0 && counts.errors == 0,
            counts,
            scenarios,
            not_shown,
            run_cases,
        }
    }

    /// Returns how many shown scenarios passed every test that ran.
    pub fn scenarios_passed(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|view| matches!(view.status, Status::Pass | Status::NotRun))
            .count()
    }
}

/// Returns the first line of a verdict's text (the violation, or why there is none).
pub fn headline(verdict: &Verdict) -> Option<&str> {
    verdict.text().and_then(|text| text.lines().next())
}

/// Returns `runs` the newest first: by the time each started (latest first), runs without
/// one after those with, in the reverse of the order given (the faces give the oldest
/// first), so that the run a reader looks for, the latest, heads the page.
pub fn newest_first<'r, 'a>(runs: &'r [Run<'a>]) -> Vec<&'r Run<'a>> {
    let started = |run: &Run<'_>| {
        run.started_at
            .as_deref()
            .and_then(|text| crate::timestamp::leading(text.as_bytes()))
    };
    let mut order: Vec<(usize, Option<i64>)> = runs
        .iter()
        .enumerate()
        .map(|(index, run)| (index, started(run)))
        .collect();
    order.sort_by(|(a, a_time), (b, b_time)| match (a_time, b_time) {
        (Some(a_time), Some(b_time)) => b_time.cmp(a_time).then(b.cmp(a)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.cmp(a),
    });
    order.into_iter().map(|(index, _)| &runs[index]).collect()
}

/// Returns what a verdict's text says before its evidence (the lines before the first
/// indented one), joined by `; `: `process_rc(sim=0,streamer=139,tester=0); streamer
/// exited 139: killed by SIGSEGV`.
pub fn said(verdict: &Verdict) -> Option<String> {
    let text = verdict.text()?;
    let lines: Vec<&str> = text
        .lines()
        .take_while(|line| !line.starts_with("  "))
        .collect();
    Some(lines.join("; "))
}
