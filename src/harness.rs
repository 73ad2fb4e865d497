//! The `cargo test` harness: every case of every run becomes a libtest-mimic trial.
//!
//! This module owns reading the `FAULT_*` settings, finding the runs (a run
//! directory or a folder of them, failing loudly when there is none), and
//! turning cases into trials. A trial judges its case through the one
//! judging path ([`cases::judge`]) on the run's [`Evaluation`], which
//! evaluates a scenario the first time one of its tests runs: listing reads
//! manifests only, and `--exact NAME` reads one log. It records the tests that
//! ran for the JUnit report. Names and messages are `cases`'s, the XML `junit`'s.

use crate::eval::evaluation::{Evaluation, Options};
use crate::eval::model::Verdict;
use crate::eval::regression;
use crate::fs::atomic;
pub use crate::input::history::HISTORY_VAR;
pub use crate::input::mode::MODE_VAR;
use crate::input::mode::{Mode, ModeChoice};
use crate::input::run_dir;
use crate::input::suite::{self, Found, Suite, SUITE_VAR};
use crate::publish::{self, Pages};
pub use crate::publish::{HTML_VAR, MARKDOWN_VAR};
use crate::report::cases::{self, Case, Judged};
use crate::report::{junit, warnings};
use camino::{Utf8Path, Utf8PathBuf};
use libtest_mimic::Trial;
pub use libtest_mimic::{Arguments, Conclusion};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fmt;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Names a run directory or a folder of run directories.
pub const RUN_DIR_VAR: &str = "FAULT_RUN_DIR";
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
    let args = Arguments::from_args();
    let default_runs: Utf8PathBuf = default_runs.into();
    let default_runs = match std::env::var("CARGO_MANIFEST_DIR") {
        Ok(root) if default_runs.is_relative() && !root.is_empty() => {
            Utf8PathBuf::from(root).join(default_runs)
        }
        _ => default_runs,
    };
    let finished = match Config::from_env(default_runs.clone()) {
        Ok(mut config) => {
            let mut tests = tests(&config, focus(&args));
            if under_nextest() {
                // nextest runs each test in a process of its own, and nothing runs once they
                // are all done: no process could write the whole report. Say so in a test
                // of its own, where nextest shows it, rather than in output it hides.
                let mut messages = Vec::new();
                if let Some(junit) = config.junit.take() {
                    messages.push(format!(
                        "{JUNIT_VAR}={junit} is not written under nextest, which runs each test in a process of its own; nextest writes the JUnit report itself: set [profile.ci.junit] path = \"junit.xml\" in .config/nextest.toml, run `cargo nextest run --profile ci`, and unset {JUNIT_VAR}"
                    ));
                }
                messages.extend(publish::not_under_nextest(&config.pages));
                config.pages = Pages::default();
                if !messages.is_empty() {
                    tests.push(Test {
                        case: setup_case(&config.runs, messages.join("\n")),
                        evaluation: None,
                    });
                    tests.sort_by(|a, b| a.case.name.cmp(&b.case.name));
                }
            }
            let refused = refuse_outputs_outside(&mut config);
            let mut finished = finish(&args, tests, config.junit.as_deref(), &config.pages);
            refused.report(&mut finished);
            finished
        }
        Err(err) => {
            let runs = std::env::var_os(RUN_DIR_VAR)
                .filter(|v| !v.is_empty())
                .map_or(default_runs, |v| {
                    Utf8PathBuf::from(v.to_string_lossy().into_owned())
                });
            let test = Test {
                case: setup_case(&runs, err.to_string()),
                evaluation: None,
            };
            finish(&args, vec![test], None, &Pages::default())
        }
    };
    let code = finished.exit_code();
    // The process ends here: freeing every scenario of a folder of 1,000 runs one by
    // one would cost a tenth of judging them.
    std::mem::forget(finished.evaluations);
    code
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

/// Runs the harness over `config` with explicit arguments, as [`main`] does after reading the environment.
pub fn execute(config: &Config, args: &Arguments) -> Finished {
    finish(
        args,
        tests(config, focus(args)),
        config.junit.as_deref(),
        &config.pages,
    )
}

/// Returns the case that stands for a harness that cannot start: `<folder>::setup`.
fn setup_case(runs: &Utf8Path, message: String) -> Case {
    cases::unusable(
        &cases::sanitize(&run_dir::run_name(runs)),
        cases::SETUP,
        message,
    )
}

/// A case and the evaluation it reads (`None` for a case that stands for an unusable run).
struct Test {
    case: Case,
    evaluation: Option<Arc<Evaluation>>,
}

/// Finds the runs and lists their cases, sorted by name, reading manifests only.
/// Returns the one test an `--exact NAME` run asks for (nextest runs each test so), to
/// read only what that test needs; `None` for every other run.
fn focus(args: &Arguments) -> Option<&str> {
    match (&args.filter, args.exact, args.list, args.skip.is_empty()) {
        (Some(name), true, false, true) => Some(name),
        _ => None,
    }
}

/// Finds the runs and lists their cases, sorted by name, reading manifests only; with
/// a `focus` (one test's name), only the run it names, and its history only for a
/// regression test.
fn tests(config: &Config, focus: Option<&str>) -> Vec<Test> {
    // The run a focus names: its name's first part. That is a sanitized name, `#<n>`
    // added for a later run of the same one: only sub-folders whose sanitized name
    // starts with the name without it can be that run or come before it.
    let focus_run = focus.map(|name| name.split("::").next().unwrap_or(name));
    let found = run_dir::discover_where(&config.runs, |name| {
        focus_run.is_none_or(|run| cases::sanitize(name).starts_with(cases::unsuffixed(run)))
    });
    let dirs = match found {
        Ok(dirs) => dirs,
        Err(err) => {
            let message = format!(
                "{err}; {RUN_DIR_VAR} names a run directory (holding {}) or a folder of them",
                run_dir::MANIFEST
            );
            let case = setup_case(&config.runs, message);
            return vec![Test {
                case,
                evaluation: None,
            }];
        }
    };
    let names = cases::unique(
        dirs.iter()
            .map(|dir| cases::sanitize(&run_dir::run_name(dir)))
            .collect(),
        &[],
    );
    let mut runs_and_names: Vec<(Utf8PathBuf, String)> = dirs.into_iter().zip(names).collect();
    let wants_history = focus.is_none_or(|name| name.ends_with(cases::REGRESSION));
    if let Some(run) = focus_run {
        if runs_and_names.iter().any(|(_, named)| named == run) {
            runs_and_names.retain(|(_, named)| named == run);
        }
    }
    let dirs_judged = runs_and_names.len();
    let explicit = config.mode.map(|mode| ModeChoice {
        mode,
        origin: MODE_VAR.to_string(),
    });
    let options = Options {
        locate_lines: true,
        confine: config.confine,
        charts: config.pages.html.is_some(),
        streamer_log_only: false,
    };
    let mut suites = Suites::new(config.suite.clone());
    let mut tests = Vec::new();
    let single_run = dirs_judged == 1 && run_dir::is_run_dir(config.runs.as_std_path());
    let mut opened: Vec<(String, Arc<Evaluation>)> = Vec::new();
    for (dir, name) in runs_and_names {
        let suite = match suites.of_run(&dir) {
            Ok(suite) => suite,
            Err(SuiteProblem::Run(message)) => {
                tests.push(Test {
                    case: cases::unusable(&name, cases::SUITE_FILE, message),
                    evaluation: None,
                });
                continue;
            }
            Err(SuiteProblem::Folder { folder, message }) => {
                let label = cases::sanitize(&run_dir::run_name(&folder));
                let case = cases::unusable(&label, cases::SETUP, message);
                if !tests.iter().any(|test: &Test| test.case.name == case.name) {
                    tests.push(Test {
                        case,
                        evaluation: None,
                    });
                }
                continue;
            }
        };
        match Evaluation::open_dir(&dir, explicit.clone(), suite, options) {
            Ok(evaluation) => opened.push((name, Arc::new(evaluation))),
            Err(err) => tests.push(Test {
                case: cases::unusable(&name, cases::MANIFEST, err.to_string()),
                evaluation: None,
            }),
        }
    }
    // The runs before each run: FAULT_HISTORY's, else the folder of runs judged (for one
    // run, its siblings). Regression tests are named only once they are known; the one
    // test asked for, when it is no regression test, needs no history.
    let runs: Vec<Arc<Evaluation>> = opened.iter().map(|(_, run)| Arc::clone(run)).collect();
    if wants_history {
        let folder = match &config.history {
            Some(folder) => Some(folder.clone()),
            None if single_run => Some(run_dir::folder_of(&config.runs)),
            // Focused on one run of a folder: the folder is its history.
            None if dirs_judged == 1 => Some(config.runs.clone()),
            None => None,
        };
        // Runs judged are found by their path's text: comparing paths by components
        // for every pair cost more than judging a folder of 1,000 runs.
        let judged: HashMap<&str, &Arc<Evaluation>> =
            runs.iter().map(|run| (run.dir.as_str(), run)).collect();
        let history = match folder {
            None => runs.clone(),
            Some(folder) => match run_dir::discover(&folder) {
                Ok(dirs) => dirs
                    .into_iter()
                    .filter_map(|dir| match judged.get(dir.as_str()) {
                        Some(run) => Some(Arc::clone(*run)),
                        None => {
                            let suite = suites.of_run(&dir).ok()?;
                            let history_options = Options {
                                locate_lines: false,
                                confine: config.confine,
                                charts: false,
                                streamer_log_only: true,
                            };
                            Evaluation::open_dir(&dir, explicit.clone(), suite, history_options)
                                .ok()
                                .map(Arc::new)
                        }
                    })
                    .collect(),
                Err(err) if config.history.is_some() => {
                    let message = format!("{HISTORY_VAR}: {err}");
                    return vec![Test {
                        case: setup_case(&config.runs, message),
                        evaluation: None,
                    }];
                }
                // A lone run without a readable folder around it has no history.
                Err(_) => runs.clone(),
            },
        };
        regression::link(&runs, &history);
    }
    for (name, evaluation) in opened {
        for case in cases::name_evaluation(&name, &evaluation) {
            tests.push(Test {
                case,
                evaluation: Some(Arc::clone(&evaluation)),
            });
        }
    }
    tests.sort_by(|a, b| a.case.name.cmp(&b.case.name));
    tests
}

/// Why a run has no suite to be judged by.
enum SuiteProblem {
    /// The run's own suite file is broken: `<run>::suite_file`.
    Run(String),
    /// A suite file shared by the runs of `folder` (or named for all) is broken: `<folder>::setup`.
    Folder {
        folder: Utf8PathBuf,
        message: String,
    },
}

/// The suites of the runs, each file read once however many runs share it.
struct Suites {
    named: Option<Utf8PathBuf>,
    builtin: Arc<Suite>,
    read: HashMap<Utf8PathBuf, Result<Arc<Suite>, String>>,
}

impl Suites {
    /// Starts with no file read; `named` is `FAULT_SUITE`'s.
    fn new(named: Option<Utf8PathBuf>) -> Suites {
        Suites {
            named,
            builtin: Arc::new(Suite::builtin()),
            read: HashMap::new(),
        }
    }

    /// Returns the suite of the run in `dir`, reading its file the first time.
    fn of_run(&mut self, dir: &Utf8Path) -> Result<Arc<Suite>, SuiteProblem> {
        let (path, shared_by) = match suite::find(dir, self.named.as_deref()) {
            Found::Builtin => return Ok(Arc::clone(&self.builtin)),
            Found::InRun(path) => (path, None),
            Found::Named(path) => (path, Some(Utf8PathBuf::from(SUITE_VAR))),
            Found::InFolder(path) => {
                let folder = path.parent().map(Utf8Path::to_path_buf).unwrap_or_default();
                (path, Some(folder))
            }
        };
        let read = self
            .read
            .entry(path.clone())
            .or_insert_with(|| {
                Suite::read(&path)
                    .map(Arc::new)
                    .map_err(|err| err.to_string())
            })
            .clone();
        read.map_err(|message| match shared_by {
            None => SuiteProblem::Run(message),
            Some(folder) => SuiteProblem::Folder { folder, message },
        })
    }
}

/// Turns a test into a trial that judges it and records the verdict; under nextest a
/// failure is also printed on stderr, where nextest's JUnit report reads it.
fn trial(test: Test, record: Arc<Mutex<Vec<Judged>>>, under_nextest: bool) -> Trial {
    let name = test.case.name.clone();
    Trial::test(name, move || {
        let start = Instant::now();
        // A panic while judging (a bug) still yields a recorded verdict, so the report misses no test that ran.
        let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cases::judge(&test.case, test.evaluation.as_deref())
        }));
        let (verdict, evidence) = judged.unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            let message = format!(
                "internal error: judging {} panicked: {what}",
                test.case.name
            );
            (Verdict::Error(message), String::new())
        });
        let failed = verdict.text().map(str::to_string);
        let Test {
            case,
            evaluation: _,
        } = test;
        let Case {
            suite,
            name,
            kind: _,
        } = case;
        record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Judged {
                suite,
                name,
                verdict,
                evidence,
                time: Some(start.elapsed()),
            });
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
fn finish(
    args: &Arguments,
    tests: Vec<Test>,
    junit_path: Option<&Utf8Path>,
    pages: &Pages,
) -> Finished {
    let record = Arc::new(Mutex::new(Vec::new()));
    // Each evaluation once, with its run's name (the first part of its tests' names).
    let mut evaluations: Vec<(String, Arc<Evaluation>)> = Vec::new();
    let mut seen: HashSet<*const Evaluation> = HashSet::new();
    for test in &tests {
        if let Some(evaluation) = &test.evaluation {
            if seen.insert(Arc::as_ptr(evaluation)) {
                let run = test.case.name.split("::").next().unwrap_or_default();
                evaluations.push((run.to_string(), Arc::clone(evaluation)));
            }
        }
    }
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

    /// Returns arguments that send libtest-mimic's report to a log file (removed by the caller).
    fn args(list: &[&str]) -> (Arguments, std::path::PathBuf) {
        let log = std::env::temp_dir().join(format!(
            "fault-harness-unit-{}-{}.log",
            std::process::id(),
            list.join("_").replace(['/', ':'], "_")
        ));
        let mut argv = vec!["fault_suite".to_string(), "--logfile".to_string()];
        argv.push(log.display().to_string());
        argv.extend(list.iter().map(|s| s.to_string()));
        (Arguments::from_iter(argv), log)
    }

    /// Runs the tests of `config` like [`execute`] and returns how many scenarios were evaluated.
    fn evaluations(config: &Config, list: &[&str]) -> (Finished, usize) {
        let tests = tests(config, None);
        let mut evaluations: Vec<Arc<Evaluation>> = tests
            .iter()
            .filter_map(|test| test.evaluation.clone())
            .collect();
        evaluations.dedup_by(|a, b| Arc::ptr_eq(a, b));
        let (arguments, log) = args(list);
        let finished = finish(&arguments, tests, None, &Pages::default());
        let _ = std::fs::remove_file(log);
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
            &["--exact", "failing-thresholds::torn_read::p99_us_max"],
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
