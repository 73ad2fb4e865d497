//! What the HTML report and the Markdown summary say about a run, read off the
//! evaluation and its judged test cases: the run's verdict and counts, and per
//! scenario its exit codes and checks, each with its test verdict and chart.
//!
//! Verdicts are the tests' (`cases`, strict: a metric that never appeared is an
//! error), so a report never disagrees with `cargo test` or the JUnit report.
//! Only scenarios already evaluated are shown; nothing here reads a file or
//! evaluates anything. `html` and `markdown` only format what this gives.

use crate::eval::chart::Chart;
use crate::eval::evaluation::Evaluation;
use crate::eval::model::{Check, Scenario, Verdict};
use crate::eval::regression::{self, Trend};
use crate::report::cases::{self, Judged, PROCESS_EXIT};

/// A judged run as a face hands it to the renderers.
#[derive(Debug)]
pub struct Run<'a> {
    /// The run's name as its test names give it (`nightly-0305`).
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
    /// The scenario's part of test names (`torn_read`, `torn_read#2`).
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
        let find = |name: &str| run.judged.iter().find(|judged| judged.name == name);
        let mut scenarios = Vec::new();
        let mut not_shown = 0;
        let mut scenario_suites = Vec::new();
        if let Some(evaluation) = run.evaluation {
            let keys = cases::scenario_keys(&evaluation.ids);
            for (index, key) in keys.into_iter().enumerate() {
                let suite = format!("{}::{key}", run.name);
                scenario_suites.push(suite.clone());
                let Some(scenario) = evaluation.evaluated_at(index) else {
                    not_shown += 1;
                    continue;
                };
                let exit = find(&format!("{suite}::{PROCESS_EXIT}"));
                let checks: Vec<CheckView> = scenario
                    .checks
                    .iter()
                    .enumerate()
                    .map(|(position, check)| {
                        let test = check.spec.test_name();
                        CheckView {
                            check,
                            judged: find(&format!("{suite}::{test}")),
                            chart: scenario.charts.iter().find(|chart| chart.check == position),
                            test,
                        }
                    })
                    .collect();
                let prefix = format!("{suite}::");
                let other: Vec<(String, &Judged)> = run
                    .judged
                    .iter()
                    .filter(|judged| judged.suite == suite)
                    .filter_map(|judged| {
                        let test = judged.name.strip_prefix(&prefix)?;
                        let known =
                            test == PROCESS_EXIT || checks.iter().any(|check| check.test == test);
                        (!known).then(|| (test.to_string(), judged))
                    })
                    .collect();
                let status = checks
                    .iter()
                    .map(CheckView::status)
                    .chain(other.iter().map(|(_, judged)| Status::of(Some(judged))))
                    .fold(Status::of(exit), Status::worst);
                // Only tests that ran: their windows are evaluated already, so this reads nothing.
                let trends = evaluation
                    .regression_metrics()
                    .iter()
                    .filter_map(|metric| {
                        let test = format!("{}_{}", metric.metric, cases::REGRESSION);
                        let (_, judged) = other.iter().find(|(name, _)| *name == test)?;
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
            .filter(|judged| !scenario_suites.contains(&judged.suite))
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
            .and_then(|text| crate::scan::timestamp::leading(text.as_bytes()))
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
