//! The `cargo test` harness: every case of every run becomes a libtest-mimic trial.
//!
//! This module owns reading the `FAULT_*` settings and turning the planned tests
//! ([`crate::plan`]: which runs, suites, modes and histories, failing loudly when
//! there is none) into trials. A trial judges its test through the one judging
//! path ([`plan::Test::judge`]) on the run's [`Evaluation`], which evaluates a
//! scenario the first time one of its tests runs: listing reads manifests only,
//! and `--exact NAME` reads one log. It records the tests that ran for the JUnit
//! report and the pages. Names are `eval::case`'s, messages `report::cases`'s,
//! the XML `junit`'s.

use crate::eval::case::Case;
use crate::eval::evaluation::{Evaluation, Options};
use crate::eval::model::Verdict;
use crate::fs::atomic;
pub use crate::input::history::HISTORY_VAR;
pub use crate::input::mode::MODE_VAR;
use crate::input::mode::{Mode, ModeChoice};
use crate::input::suite::SUITE_VAR;
pub use crate::plan::RUN_DIR_VAR;
use crate::plan::{self, History, Plan, Request, Test};
use crate::publish::{self, Pages};
pub use crate::publish::{HTML_VAR, MARKDOWN_VAR};
use crate::report::cases::Judged;
use crate::report::{junit, warnings};
use crate::stubs::{self, STUBS_VAR};
use camino::{Utf8Path, Utf8PathBuf};
use libtest_mimic::Trial;
pub use libtest_mimic::{Arguments, Conclusion};
use std::ffi::OsString;
use std::fmt;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Names the file a JUnit report of the tests that ran is written to.
pub const JUNIT_VAR: &str = "FAULT_JUNIT";
/// A boolean: refuse streamer logs outside their run directory (see [`Options::confine`]).
pub const CONFINE_VAR: &str = "FAULT_CONFINE";

/// Returns true if and only if nextest runs this process, to list tests or to run one.
fn under_nextest() -> bool {
    // NEXTEST_EXECUTION_MODE is set where tests run, NEXTEST_RUN_ID (0.9.138 on) also
    // where they are listed; the list and the runs must agree on the tests.
    ["NEXTEST_EXECUTION_MODE", "NEXTEST_RUN_ID"]
        .iter()
        .any(|var| std::env::var_os(var).is_some())
}

/// What the harness runs over and what it writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// A run directory (it holds `manifest.tsv`) or a folder of run directories.
    pub runs: Utf8PathBuf,
    /// The mode for every run, overriding `run.json` and `summary.json`.
    pub mode: Option<Mode>,
    /// Where to write a JUnit report of the tests that ran.
    pub junit: Option<Utf8PathBuf>,
    /// Refuses streamer logs outside their run directory.
    pub confine: bool,
    /// The suite file for every run, overriding the one each run's folders hold.
    pub suite: Option<Utf8PathBuf>,
    /// A folder of earlier runs; default: the folder of the runs judged.
    pub history: Option<Utf8PathBuf>,
    /// Where to write the HTML report and the Markdown summary of the runs judged.
    pub pages: Pages,
}

/// Why the environment does not make a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A variable's value is not UTF-8; the value is shown with the bad bytes escaped.
    NotUtf8 { var: &'static str, value: String },
    /// `FAULT_MODE` names no mode.
    BadMode { value: String },
    /// A boolean variable holds neither a spelling of true nor one of false.
    BadBool { var: &'static str, value: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NotUtf8 { var, value } => {
                write!(f, "{var}={value}: not valid UTF-8; name a UTF-8 path")
            }
            ConfigError::BadMode { value } => write!(
                f,
                "{MODE_VAR}={value:?} is neither \"baseline\" nor \"degraded\""
            ),
            ConfigError::BadBool { var, value } => write!(
                f,
                "{var}={value:?} is not a boolean: use 1, true, yes or on, or 0, false, no or off"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Parses the usual spellings of a boolean, in any case.
fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Config {
    /// Returns a configuration over `runs`, each run with its own mode and no JUnit report.
    pub fn new(runs: impl Into<Utf8PathBuf>) -> Config {
        Config {
            runs: runs.into(),
            mode: None,
            junit: None,
            confine: false,
            suite: None,
            history: None,
            pages: Pages::default(),
        }
    }

    /// Reads `FAULT_RUN_DIR`, `FAULT_MODE`, `FAULT_JUNIT`, `FAULT_CONFINE`, `FAULT_SUITE`,
    /// `FAULT_HTML` and `FAULT_MARKDOWN`, using `default_runs` when `FAULT_RUN_DIR` is unset or empty.
    pub fn from_env(default_runs: impl Into<Utf8PathBuf>) -> Result<Config, ConfigError> {
        Config::from_vars(default_runs.into(), |name| std::env::var_os(name))
    }

    /// Builds the configuration from a variable lookup; empty values count as unset.
    fn from_vars(
        default_runs: Utf8PathBuf,
        var: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Config, ConfigError> {
        let text = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match var(name).filter(|value| !value.is_empty()) {
                None => Ok(None),
                Some(value) => {
                    value
                        .into_string()
                        .map(Some)
                        .map_err(|value| ConfigError::NotUtf8 {
                            var: name,
                            value: format!("{:?}", value),
                        })
                }
            }
        };
        let mode = match text(MODE_VAR)? {
            None => None,
            Some(value) => Some(Mode::parse(value.trim()).ok_or(ConfigError::BadMode { value })?),
        };
        let confine = match text(CONFINE_VAR)? {
            None => false,
            Some(value) => parse_bool(&value).ok_or(ConfigError::BadBool {
                var: CONFINE_VAR,
                value,
            })?,
        };
        Ok(Config {
            runs: text(RUN_DIR_VAR)?.map_or(default_runs, Utf8PathBuf::from),
            mode,
            junit: text(JUNIT_VAR)?.map(Utf8PathBuf::from),
            confine,
            suite: text(SUITE_VAR)?.map(Utf8PathBuf::from),
            history: text(HISTORY_VAR)?.map(Utf8PathBuf::from),
            pages: Pages {
                html: text(HTML_VAR)?.map(Utf8PathBuf::from),
                markdown: text(MARKDOWN_VAR)?.map(Utf8PathBuf::from),
            },
        })
    }
}

/// What a harness run did.
#[derive(Debug)]
pub struct Finished {
    /// libtest-mimic's counts.
    pub conclusion: Conclusion,
    /// The tests that actually ran (not filtered out), sorted by name.
    pub ran: Vec<Judged>,
    /// Why the JUnit report could not be written, if it could not.
    pub junit_error: Option<String>,
    /// Why the HTML report or the Markdown summary could not be written, if one could not.
    pub pages_error: Option<String>,
    /// The runs judged, for [`main`] to leave to the end of the process.
    evaluations: Vec<(String, Arc<Evaluation>)>,
}

impl Finished {
    /// Returns 101 when a test failed or a report could not be written, else 0.
    pub fn exit_code(&self) -> ExitCode {
        if self.junit_error.is_some() || self.pages_error.is_some() {
            ExitCode::from(101)
        } else {
            self.conclusion.exit_code()
        }
    }
}

/// Runs the harness for a `harness = false` test target, with arguments from the command line, `FAULT_*` settings from the environment, and `default_runs` where `FAULT_RUN_DIR` is unset.
///
/// A relative `default_runs` is taken from the crate's root as the test runs: the
/// `CARGO_MANIFEST_DIR` that cargo and nextest set for a test binary (remapped with
/// `--workspace-remap` when nextest runs an archive on another machine), else the
/// current folder.
pub fn main(default_runs: impl Into<Utf8PathBuf>) -> ExitCode {
    // A reader that goes away (`| head`) ends the process quietly, as it ends other
    // Unix tools: libtest-mimic's printer would panic on the failed write.
    crate::fs::sys::end_quietly_on_broken_pipe();
    let args = arguments();
    let default_runs: Utf8PathBuf = default_runs.into();
    let default_runs = match std::env::var("CARGO_MANIFEST_DIR") {
        Ok(root) if default_runs.is_relative() && !root.is_empty() => {
            Utf8PathBuf::from(root).join(default_runs)
        }
        _ => default_runs,
    };
    let finished = match Config::from_env(default_runs.clone()) {
        Ok(mut config) => {
            let mut plan = plan_of(&config, focus(&args));
            keep_stubs(&config, &default_runs, &args, &mut plan);
            if under_nextest() {
                // nextest runs each test in a process of its own, and nothing runs once they
                // are all done: no process could write the whole report. Say so in the
                // folder's `setup` test, where nextest shows it, rather than in output it hides.
                if let Some(junit) = config.junit.take() {
                    plan.setup.push(format!(
                        "{JUNIT_VAR}={junit} is not written under nextest, which runs each test in a process of its own; nextest writes the JUnit report itself: set [profile.ci.junit] path = \"junit.xml\" in .config/nextest.toml, run `cargo nextest run --profile ci`, and unset {JUNIT_VAR}"
                    ));
                }
                plan.setup.extend(publish::not_under_nextest(&config.pages));
                config.pages = Pages::default();
            }
            let refused = refuse_outputs_outside(&mut config);
            let mut finished = finish(&args, plan, config.junit.as_deref(), &config.pages);
            refused.report(&mut finished);
            finished
        }
        Err(err) => {
            let runs = std::env::var_os(RUN_DIR_VAR)
                .filter(|v| !v.is_empty())
                .map_or(default_runs, |v| {
                    Utf8PathBuf::from(v.to_string_lossy().into_owned())
                });
            let plan = Plan::unusable_folder(&runs, err.to_string());
            finish(&args, plan, None, &Pages::default())
        }
    };
    let code = finished.exit_code();
    // The process ends here: freeing every scenario of a folder of 1,000 runs one by
    // one would cost a tenth of judging them.
    std::mem::forget(finished.evaluations);
    code
}

/// The variables the harness reads, each with what it means, for `--help`.
const VARIABLES: [(&str, &str); 9] = [
    (
        RUN_DIR_VAR,
        "a run directory, or a folder of them (default: the test target's, fault-runs/)",
    ),
    (
        MODE_VAR,
        "baseline or degraded, for every run (default: each run's run.json)",
    ),
    (
        SUITE_VAR,
        "the suite file for every run (default: fault-suite.json beside the run)",
    ),
    (
        HISTORY_VAR,
        "a folder of earlier runs for the _regression tests (default: the runs' own)",
    ),
    (
        JUNIT_VAR,
        "write a JUnit XML report of the tests that ran to this path",
    ),
    (
        HTML_VAR,
        "write the HTML report of the runs judged to this path",
    ),
    (
        MARKDOWN_VAR,
        "write the Markdown summary of the runs judged to this path",
    ),
    (
        CONFINE_VAR,
        "1 (or true, yes, on): refuse evidence paths that leave the run directory",
    ),
    (
        STUBS_VAR,
        "write: rewrite the editors' #[test] stubs of the default folder in tests/<target>.rs",
    ),
];

/// Reads the command line as libtest-mimic does, its `--help` ending with the `FAULT_*`
/// variables, one line each.
fn arguments() -> Arguments {
    use clap::{CommandFactory, FromArgMatches};
    let command = Arguments::command();
    let mut after = command
        .get_after_help()
        .map_or(String::new(), ToString::to_string);
    after.push_str("\n\nThe fault suite reads these environment variables:\n");
    for (var, meaning) in VARIABLES {
        after.push_str(&format!("    {var:<16}{meaning}\n"));
    }
    let matches = command.after_help(after).get_matches();
    Arguments::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
}

/// The outputs `FAULT_CONFINE` refused: why the JUnit report and the pages were not written.
struct Refused {
    junit: Option<String>,
    pages: Option<String>,
}

impl Refused {
    /// Says why each refused output was not written, as the error of writing it.
    fn report(self, finished: &mut Finished) {
        let Refused { junit, pages } = self;
        for message in junit.iter().chain(&pages) {
            eprintln!("error: {message}");
        }
        finished.junit_error = finished.junit_error.take().or(junit);
        finished.pages_error = finished.pages_error.take().or(pages);
    }
}

/// Takes out of `config`, under `FAULT_CONFINE`, the outputs in the runs' folder that
/// lead out of it through symlinks, and says why.
fn refuse_outputs_outside(config: &mut Config) -> Refused {
    let mut refused = Refused {
        junit: None,
        pages: None,
    };
    if !config.confine {
        return refused;
    }
    let runs = config.runs.clone();
    let leads_out = |path: &Utf8Path| {
        let target = atomic::leads_outside(path.as_std_path(), runs.as_std_path())?;
        Some(format!(
            "{path}: leads out of the run directory, to {}; not written ({CONFINE_VAR})",
            target.display()
        ))
    };
    refused.junit = config.junit.as_deref().and_then(leads_out);
    if refused.junit.is_some() {
        config.junit = None;
    }
    let Pages { html, markdown } = &config.pages;
    let pages: Vec<String> = [html, markdown]
        .into_iter()
        .flatten()
        .filter_map(|path| leads_out(path))
        .collect();
    if !pages.is_empty() {
        refused.pages = Some(pages.join("; "));
        config.pages = Pages::default();
    }
    refused
}

/// Keeps the editors' stubs in the test target's own source file
/// (`<crate root>/tests/<target>.rs`) in step with the plan of the default folder (see
/// [`stubs`]): when the whole list is planned over that folder with its own modes,
/// suites and history, it says in one line on stderr that they are stale, or writes
/// them for `FAULT_STUBS=write`. A folder named by `FAULT_RUN_DIR` never rewrites them.
fn keep_stubs(config: &Config, default_runs: &Utf8Path, args: &Arguments, plan: &mut Plan) {
    let action = match stubs::Action::from_value(std::env::var(STUBS_VAR).ok().as_deref()) {
        Ok(action) => action,
        Err(message) => return plan.setup.push(message),
    };
    let default = config.runs == default_runs
        && config.mode.is_none()
        && config.suite.is_none()
        && config.history.is_none();
    if !default {
        if action == stubs::Action::Write {
            eprintln!("note: {STUBS_VAR}=write: the editor stubs stand for {default_runs} as the harness judges it by default; not written for other runs, a mode, a suite or a history named by a variable");
        }
        return;
    }
    // nextest runs each test as `--exact NAME`: one note for the list, not one a test.
    let (Ok(root), None) = (std::env::var("CARGO_MANIFEST_DIR"), focus(args)) else {
        return;
    };
    // The test binary is `<target>-<hash>`; its source, `tests/<target>.rs`.
    let exe = std::env::current_exe().ok();
    let stem = exe
        .as_deref()
        .and_then(|exe| exe.file_stem())
        .and_then(|stem| stem.to_str());
    let target = match stem.and_then(|stem| stem.rsplit_once('-')) {
        Some((target, hash)) if hash.bytes().all(|b| b.is_ascii_hexdigit()) => target,
        _ => "fault_suite",
    };
    let shown = format!("tests/{target}.rs");
    let source = Utf8PathBuf::from(root).join(&shown);
    if let Some(line) = stubs::keep(&source, &shown, plan, action) {
        eprintln!("note: {line}");
    }
}

/// Runs the harness over `config` with explicit arguments, as [`main`] does after reading the environment.
pub fn execute(config: &Config, args: &Arguments) -> Finished {
    finish(
        args,
        plan_of(config, focus(args)),
        config.junit.as_deref(),
        &config.pages,
    )
}

/// Returns the one test an `--exact NAME` run asks for (nextest runs each test so), to
/// read only what that test needs; `None` for every other run.
fn focus(args: &Arguments) -> Option<&str> {
    match (&args.filter, args.exact, args.list, args.skip.is_empty()) {
        (Some(name), true, false, true) => Some(name),
        _ => None,
    }
}

/// Plans the tests of `config`, narrowed to the one test `focus` names.
fn plan_of(config: &Config, focus: Option<&str>) -> Plan {
    let request = Request {
        runs: config.runs.clone(),
        manifest: None,
        mode: config.mode.map(|mode| ModeChoice {
            mode,
            origin: MODE_VAR.to_string(),
        }),
        suite: config.suite.clone(),
        history: match &config.history {
            Some(path) => History::Folder {
                path: path.clone(),
                named_by: HISTORY_VAR,
            },
            None => History::Around,
        },
        options: Options {
            locate_lines: true,
            confine: config.confine,
            charts: config.pages.html.is_some(),
            streamer_log_only: false,
        },
        focus: focus.map(str::to_string),
    };
    plan::plan(&request)
}

/// Turns a test into a trial that judges it and records the verdict; under nextest a
/// failure is also printed on stderr, where nextest's JUnit report reads it.
fn trial(test: Test, record: Arc<Mutex<Vec<Judged>>>, under_nextest: bool) -> Trial {
    let name = test.case.name.clone();
    Trial::test(name, move || {
        let start = Instant::now();
        // A panic while judging (a bug) still yields a recorded verdict, so the report misses no test that ran.
        let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test.judge()));
        let mut judged = judged.unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            let message = format!(
                "internal error: judging {} panicked: {what}",
                test.case.name
            );
            let Case { suite, name, kind } = test.case.clone();
            Judged {
                suite,
                name,
                kind,
                verdict: Verdict::Error(message),
                evidence: String::new(),
                time: None,
            }
        });
        judged.time = Some(start.elapsed());
        let failed = judged.verdict.text().map(str::to_string);
        record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(judged);
        match failed {
            None => Ok(()),
            Some(message) => {
                // libtest-mimic prints failures on stdout only, under `failures:`; nextest's
                // JUnit reads stderr. Under cargo test a second copy would only interleave
                // with the progress lines.
                if under_nextest {
                    eprintln!("Error: {message}");
                }
                Err(message.into())
            }
        }
    })
}

/// Scenarios a harness run must hold for a second thread to read ahead.
const READ_AHEAD_FROM: usize = 64;

/// Runs the tests as trials and writes the JUnit report and the pages of those that ran.
fn finish(args: &Arguments, plan: Plan, junit_path: Option<&Utf8Path>, pages: &Pages) -> Finished {
    let record = Arc::new(Mutex::new(Vec::new()));
    let tests = plan.tests();
    // Each evaluation once, with its run's name (the first part of its tests' names).
    let Plan {
        label: _,
        runs: evaluations,
        unusable: _,
        setup: _,
    } = plan;
    let under_nextest = under_nextest();
    let trials = tests
        .into_iter()
        .map(|test| trial(test, Arc::clone(&record), under_nextest))
        .collect();
    // A test is judged in microseconds once its scenario is read, and the costly reads
    // (a whole log for `over: all`) use both cores themselves: handing tests between
    // threads costs more than it saves, so one test thread is the default. Reading the
    // logs is what takes time, so by default a second thread reads ahead instead: it
    // evaluates the scenarios from the last run backwards while the tests are judged
    // from the first, each scenario evaluated once, by whichever thread comes first.
    // Only when every test runs: a filter or `--exact` reads only what its tests
    // need, and an explicit `--test-threads` is obeyed as given.
    let mut args = args.clone();
    // A few runs' scenarios are read before a thread would start (and looking up the
    // cores reads the control group's files).
    let scenarios: usize = evaluations.iter().map(|(_, run)| run.len()).sum();
    let read_ahead = args.test_threads.is_none()
        && !args.list
        && !args.ignored
        && args.filter.is_none()
        && args.skip.is_empty()
        && scenarios > READ_AHEAD_FROM
        && std::thread::available_parallelism().is_ok_and(|cores| cores.get() > 1);
    if args.test_threads.is_none() {
        args.test_threads = Some(1);
    }
    let done = AtomicBool::new(false);
    let conclusion = std::thread::scope(|scope| {
        if read_ahead {
            let (evaluations, done) = (&evaluations, &done);
            // Where no thread can be had (a process limit), the tests read what they need.
            let _ = std::thread::Builder::new().spawn_scoped(scope, move || {
                for (_, evaluation) in evaluations.iter().rev() {
                    for index in (0..evaluation.len()).rev() {
                        if done.load(Ordering::Relaxed) {
                            return;
                        }
                        // A panic (a bug) is left to the test that meets it, which
                        // records it as an internal error.
                        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            evaluation.scenario(index);
                        }));
                        if read.is_err() {
                            return;
                        }
                    }
                }
            });
        }
        let conclusion = libtest_mimic::run(&args, trials);
        done.store(true, Ordering::Relaxed);
        conclusion
    });
    // Evidence read from outside a run passes its tests silently, and so may a log that
    // grew while it was read: say so once per log.
    for (_, evaluation) in &evaluations {
        let notes = evaluation.evaluated().flat_map(|scenario| {
            warnings::read_outside(scenario)
                .into_iter()
                .chain(warnings::changed_while_read(scenario))
        });
        for note in notes {
            eprintln!("note: {note}");
        }
    }
    let mut ran = std::mem::take(&mut *record.lock().unwrap_or_else(PoisonError::into_inner));
    ran.sort_by(|a, b| a.name.cmp(&b.name));
    let junit_error = match junit_path {
        Some(path) if !args.list => write_junit(path, &ran).err(),
        _ => None,
    };
    if let Some(message) = &junit_error {
        eprintln!("error: {message}");
    }
    let pages_error = match pages.any() && !args.list {
        true => publish::write_harness_pages(pages, &evaluations, &ran).err(),
        false => None,
    };
    if let Some(message) = &pages_error {
        eprintln!("error: {message}");
    }
    Finished {
        conclusion,
        ran,
        junit_error,
        pages_error,
        evaluations,
    }
}

/// Writes the JUnit report of `ran` to `path`, atomically.
fn write_junit(path: &Utf8Path, ran: &[Judged]) -> Result<(), String> {
    let xml = junit::render(ran).map_err(|err| format!("{path}: {err}"))?;
    atomic::write_atomic(path.as_std_path(), xml.as_bytes())
        .map_err(|err| format!("{path}: cannot write JUnit report: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Utf8PathBuf {
        Utf8Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/runs")
            .join(name)
    }

    /// Returns arguments that send libtest-mimic's report to a log file in the returned
    /// scratch folder.
    fn args(list: &[&str]) -> (Arguments, crate::testing::Scratch) {
        let scratch = crate::testing::Scratch::new("harness-args");
        let log = scratch.path().join("harness.log");
        let mut argv = vec!["fault_suite".to_string(), "--logfile".to_string()];
        argv.push(log.display().to_string());
        argv.extend(list.iter().map(|s| s.to_string()));
        (Arguments::from_iter(argv), scratch)
    }

    /// Runs the tests of `config` like [`execute`] and returns how many scenarios were evaluated.
    fn evaluations(config: &Config, list: &[&str]) -> (Finished, usize) {
        let plan = plan_of(config, None);
        let evaluations: Vec<Arc<Evaluation>> =
            plan.runs.iter().map(|(_, run)| Arc::clone(run)).collect();
        let (arguments, _log) = args(list);
        let finished = finish(&arguments, plan, None, &Pages::default());
        let count = evaluations.iter().map(|e| e.evaluated().count()).sum();
        (finished, count)
    }

    #[test]
    fn listing_evaluates_nothing_and_exact_evaluates_one_scenario() {
        let config = Config::new(fixture("failing-thresholds"));
        let (finished, count) = evaluations(&config, &["--list"]);
        assert_eq!((finished.ran.len(), count), (0, 0));
        let (finished, count) = evaluations(
            &config,
            &["--exact", "failing_thresholds::torn_read::p99_us_max"],
        );
        assert_eq!(finished.ran.len(), 1);
        assert_eq!(count, 1);
    }

    #[test]
    fn exact_on_a_regression_test_reads_that_scenario_in_this_run_and_the_window_only() {
        let scratch = crate::testing::Scratch::new("harness-history-exact");
        let folder = scratch.utf8();
        let header = "order\tscenario_id\tstreamer_log\n";
        for day in 1..=5u32 {
            let dir = folder.join(format!("n{day}"));
            let mut manifest = String::from(header);
            for (order, id) in ["torn_read", "sink_stall"].iter().enumerate() {
                manifest.push_str(&format!("{order}\t{id}\t{id}.log\n"));
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(
                    dir.join(format!("{id}.log")),
                    format!(
                        "LATENCY_METRICS p50_us=1 p95_us=1 p99_us={} drop_ratio_ppm=1\n",
                        900 + day
                    ),
                )
                .unwrap();
            }
            std::fs::write(dir.join("manifest.tsv"), manifest).unwrap();
            std::fs::write(
                dir.join("run.json"),
                format!(r#"{{"mode": "degraded", "started_at": "2026-03-0{day}"}}"#),
            )
            .unwrap();
        }
        let config = Config::new(folder.to_path_buf());
        let (finished, count) = evaluations(&config, &["--list"]);
        assert_eq!((finished.ran.len(), count), (0, 0), "listing reads no log");
        let (finished, count) =
            evaluations(&config, &["--exact", "n5::torn_read::p99_us_regression"]);
        assert_eq!(finished.ran.len(), 1);
        assert_eq!(finished.ran[0].verdict, Verdict::Pass);
        // torn_read of n5 and of the four runs before it; no sink_stall anywhere.
        assert_eq!(count, 5);
    }

    #[test]
    fn each_scenario_is_evaluated_once_for_all_its_tests() {
        let config = Config::new(fixture("passing"));
        let (finished, count) = evaluations(&config, &["--test-threads", "4"]);
        assert_eq!(finished.ran.len(), 19);
        assert_eq!(count, 3);
    }

    #[test]
    fn environment_is_read_with_empty_values_as_unset() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| OsString::from(value))
            }
        };
        let config = Config::from_vars(Utf8PathBuf::from("d"), vars(&[])).unwrap();
        assert_eq!(config, Config::new("d"));
        let config = Config::from_vars(
            Utf8PathBuf::from("d"),
            vars(&[
                (RUN_DIR_VAR, "r"),
                (MODE_VAR, "baseline"),
                (JUNIT_VAR, "j.xml"),
                (HTML_VAR, "r.html"),
                (MARKDOWN_VAR, "s.md"),
            ]),
        )
        .unwrap();
        assert_eq!(config.runs, Utf8PathBuf::from("r"));
        assert_eq!(config.pages.html, Some(Utf8PathBuf::from("r.html")));
        assert_eq!(config.pages.markdown, Some(Utf8PathBuf::from("s.md")));
        assert_eq!(config.mode, Some(Mode::Baseline));
        assert_eq!(config.junit, Some(Utf8PathBuf::from("j.xml")));
        let config = Config::from_vars(
            Utf8PathBuf::from("d"),
            vars(&[(RUN_DIR_VAR, ""), (MODE_VAR, "")]),
        )
        .unwrap();
        assert_eq!(config, Config::new("d"));
        let err =
            Config::from_vars(Utf8PathBuf::from("d"), vars(&[(MODE_VAR, "fast")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "FAULT_MODE=\"fast\" is neither \"baseline\" nor \"degraded\""
        );
        for (value, confine) in [("1", true), ("TRUE", true), ("yes", true), ("on", true)]
            .into_iter()
            .chain([
                ("0", false),
                ("false", false),
                ("No", false),
                ("off", false),
            ])
        {
            let pairs: &'static [(&'static str, &'static str)] =
                Box::leak(vec![(CONFINE_VAR, value)].into_boxed_slice());
            let config = Config::from_vars(Utf8PathBuf::from("d"), vars(pairs)).unwrap();
            assert_eq!(config.confine, confine, "{value}");
        }
        let err =
            Config::from_vars(Utf8PathBuf::from("d"), vars(&[(CONFINE_VAR, "sure")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "FAULT_CONFINE=\"sure\" is not a boolean: use 1, true, yes or on, or 0, false, no or off"
        );
    }
}
