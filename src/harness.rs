//! The `cargo test` harness: every case of every run becomes a libtest-mimic trial.
//!
//! This module owns discovery for tests (a run directory or a folder of them,
//! failing loudly when there is none), settling each run's mode (`FAULT_MODE`,
//! else `run.json`, else an existing `summary.json`), and running the cases
//! lazily: listing reads manifests only, a scenario's log is scanned the first
//! time one of its tests runs and shared by the rest, so `--exact NAME` reads
//! one log. It records the tests that ran for the JUnit report. Names and
//! messages are `cases`'s, the XML `junit`'s.

use crate::eval::evaluate::{self, Options, Planned};
use crate::eval::model::Scenario;
use crate::eval::thresholds::Mode;
use crate::fs::atomic as output;
use crate::input::{manifest, run_dir as run};
use crate::report::cases::{self, Case, Context, Judged, Outcome, Subject};
use crate::report::junit;
use libtest_mimic::Trial;
pub use libtest_mimic::{Arguments, Conclusion};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

/// Names a run directory or a folder of run directories.
pub const RUN_DIR_VAR: &str = "FAULT_RUN_DIR";
/// Names the mode (`baseline` or `degraded`) that overrides every run's own.
pub const MODE_VAR: &str = "FAULT_MODE";
/// Names the file a JUnit report of the tests that ran is written to.
pub const JUNIT_VAR: &str = "FAULT_JUNIT";
/// `1` refuses streamer logs outside their run directory (see `evaluate::Options::confine`).
pub const CONFINE_VAR: &str = "FAULT_CONFINE";

/// What the harness runs over and what it writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// A run directory (it holds `manifest.tsv`) or a folder of run directories.
    pub runs: PathBuf,
    /// The mode for every run, overriding `run.json` and `summary.json`.
    pub mode: Option<Mode>,
    /// Where to write a JUnit report of the tests that ran.
    pub junit: Option<PathBuf>,
    /// Refuses streamer logs outside their run directory.
    pub confine: bool,
}

/// Why the environment does not make a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A variable's value is not UTF-8 where it must be.
    NotUtf8 { var: &'static str },
    /// `FAULT_MODE` names no mode.
    BadMode { value: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NotUtf8 { var } => write!(f, "{var}: not valid UTF-8"),
            ConfigError::BadMode { value } => write!(
                f,
                "{MODE_VAR}={value:?} is neither \"baseline\" nor \"degraded\""
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Returns a configuration over `runs`, each run with its own mode and no JUnit report.
    pub fn new(runs: impl Into<PathBuf>) -> Config {
        Config {
            runs: runs.into(),
            mode: None,
            junit: None,
            confine: false,
        }
    }

    /// Reads `FAULT_RUN_DIR`, `FAULT_MODE` and `FAULT_JUNIT`, using `default_runs` when `FAULT_RUN_DIR` is unset or empty.
    pub fn from_env(default_runs: impl Into<PathBuf>) -> Result<Config, ConfigError> {
        Config::from_vars(default_runs.into(), |name| std::env::var_os(name))
    }

    /// Builds the configuration from a variable lookup; empty values count as unset.
    fn from_vars(
        default_runs: PathBuf,
        var: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Config, ConfigError> {
        let set = |name: &str| var(name).filter(|value| !value.is_empty());
        let mode = match set(MODE_VAR) {
            None => None,
            Some(value) => {
                let value = value
                    .into_string()
                    .map_err(|_| ConfigError::NotUtf8 { var: MODE_VAR })?;
                Some(Mode::parse(value.trim()).ok_or(ConfigError::BadMode { value })?)
            }
        };
        Ok(Config {
            runs: set(RUN_DIR_VAR).map_or(default_runs, PathBuf::from),
            mode,
            junit: set(JUNIT_VAR).map(PathBuf::from),
            confine: set(CONFINE_VAR).is_some_and(|value| value == "1"),
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
}

impl Finished {
    /// Returns 101 when a test failed or the JUnit report could not be written, else 0.
    pub fn exit_code(&self) -> ExitCode {
        if self.junit_error.is_some() {
            ExitCode::from(101)
        } else {
            self.conclusion.exit_code()
        }
    }
}

/// Runs the harness for a `harness = false` test target, with arguments from the command line, `FAULT_*` settings from the environment, and `default_runs` where `FAULT_RUN_DIR` is unset.
pub fn main(default_runs: impl Into<PathBuf>) -> ExitCode {
    let args = Arguments::from_args();
    let default_runs = default_runs.into();
    let finished = match Config::from_env(default_runs.clone()) {
        Ok(mut config) => {
            if config.junit.is_some() && std::env::var_os("NEXTEST_EXECUTION_MODE").is_some() {
                // nextest runs each test in a process of its own; each would overwrite the report.
                eprintln!(
                    "warning: {JUNIT_VAR} is ignored under nextest; use `cargo nextest run --profile ci` for JUnit"
                );
                config.junit = None;
            }
            run(&config, &args)
        }
        Err(err) => {
            let runs = std::env::var_os(RUN_DIR_VAR)
                .filter(|v| !v.is_empty())
                .map_or(default_runs, PathBuf::from);
            let entry = Entry {
                case: setup_case(&runs, err.to_string()),
                run: None,
            };
            finish(&args, vec![entry], None)
        }
    };
    finished.exit_code()
}

/// Runs the harness over `config` with explicit arguments, as [`main`] does after reading the environment.
pub fn run(config: &Config, args: &Arguments) -> Finished {
    let (entries, _) = entries(config);
    finish(args, entries, config.junit.as_deref())
}

/// Returns the case that stands for a harness that cannot start: `<folder>::setup`.
fn setup_case(runs: &Path, message: String) -> Case {
    cases::unusable(&cases::sanitize(&run::run_name(runs)), "setup", message)
}

/// A run whose manifest was read: what its cases need, evaluated lazily.
struct RunSlot {
    dir: PathBuf,
    manifest: PathBuf,
    mode_override: Option<Mode>,
    confine: bool,
    /// The mode and where it came from, or how to set it; settled on first use.
    mode: OnceLock<Result<(Mode, String), String>>,
    ids: Vec<String>,
    planned: Vec<Planned>,
    /// Each scenario, evaluated (its log scanned) the first time a case needs it.
    evaluated: Vec<OnceLock<Scenario>>,
    /// How many scenarios were evaluated, for tests of laziness.
    evaluations: Arc<AtomicUsize>,
}

impl RunSlot {
    /// Returns the run's mode and its origin, settling it on first use.
    fn mode(&self) -> &Result<(Mode, String), String> {
        self.mode
            .get_or_init(|| settle_mode(&self.dir, self.mode_override))
    }

    /// Returns scenario `index` evaluated under `mode`, scanning its log on first use.
    fn scenario(&self, index: usize, mode: Mode) -> Option<&Scenario> {
        let cell = self.evaluated.get(index)?;
        let planned = self.planned.get(index)?;
        Some(cell.get_or_init(|| {
            self.evaluations.fetch_add(1, Ordering::Relaxed);
            let base = evaluate::manifest_dir(&self.manifest);
            let options = Options {
                locate_lines: true,
                confine: self.confine,
            };
            evaluate::evaluate_one(planned.clone(), &base, mode, options)
        }))
    }
}

/// Settles a run's mode: the override, else `run.json`, else an existing `summary.json`.
fn settle_mode(dir: &Path, mode_override: Option<Mode>) -> Result<(Mode, String), String> {
    if let Some(mode) = mode_override {
        return Ok((mode, MODE_VAR.to_string()));
    }
    let how = format!("set {MODE_VAR}=baseline or {MODE_VAR}=degraded");
    match run::read_run_json(dir) {
        Err(err) => return Err(format!("{err}; fix it or {how}")),
        Ok(Some(run::RunJson {
            mode: Some(mode), ..
        })) => return Ok((mode, dir.join(run::RUN_JSON).display().to_string())),
        Ok(_) => {}
    }
    match run::summary_mode(dir) {
        Some(mode) => Ok((mode, dir.join(run::SUMMARY).display().to_string())),
        None => Err(format!(
            "{}: no mode for the thresholds ({MODE_VAR} is unset and neither {} nor {} names one); {how}, or add \"mode\" to {}",
            dir.display(),
            run::RUN_JSON,
            run::SUMMARY,
            run::RUN_JSON
        )),
    }
}

/// A case and the run it reads (`None` for a case that stands for an unusable run).
struct Entry {
    case: Case,
    run: Option<Arc<RunSlot>>,
}

/// Discovers the runs and lists their cases, sorted by name, reading manifests only.
fn entries(config: &Config) -> (Vec<Entry>, Arc<AtomicUsize>) {
    let evaluations = Arc::new(AtomicUsize::new(0));
    let dirs = match run::discover(&config.runs) {
        Ok(dirs) => dirs,
        Err(err) => {
            let message = format!(
                "{err}; {RUN_DIR_VAR} names a run directory (holding {}) or a folder of them",
                run::MANIFEST
            );
            let case = setup_case(&config.runs, message);
            return (vec![Entry { case, run: None }], evaluations);
        }
    };
    let names = cases::unique(
        dirs.iter()
            .map(|dir| cases::sanitize(&run::run_name(dir)))
            .collect(),
        &[],
    );
    let mut entries = Vec::new();
    for (dir, name) in dirs.into_iter().zip(names) {
        let manifest_path = dir.join(run::MANIFEST);
        let planned = manifest::read(&manifest_path)
            .map_err(|err| err.to_string())
            .and_then(|manifest| evaluate::plan(&manifest).map_err(|err| err.to_string()));
        let planned = match planned {
            Ok(planned) => planned,
            Err(message) => {
                let case = cases::unusable(&name, cases::MANIFEST, message);
                entries.push(Entry { case, run: None });
                continue;
            }
        };
        let ids: Vec<String> = planned.iter().map(|p| p.row.scenario_id.clone()).collect();
        let slot = Arc::new(RunSlot {
            dir,
            manifest: manifest_path,
            mode_override: config.mode,
            confine: config.confine,
            mode: OnceLock::new(),
            evaluated: planned.iter().map(|_| OnceLock::new()).collect(),
            planned,
            evaluations: Arc::clone(&evaluations),
            ids,
        });
        for case in cases::name_run(&name, &slot.ids) {
            entries.push(Entry {
                case,
                run: Some(Arc::clone(&slot)),
            });
        }
    }
    entries.sort_by(|a, b| a.case.name.cmp(&b.case.name));
    (entries, evaluations)
}

/// Judges one entry, evaluating its scenario if no earlier case did.
fn judge(entry: &Entry) -> (Outcome, String) {
    let Entry { case, run } = entry;
    let Some(run) = run else {
        let message = match &case.subject {
            Subject::Unusable { message } => message.clone(),
            _ => "internal error: a case without a run".to_string(),
        };
        return (Outcome::Error { message }, String::new());
    };
    let (mode, origin) = match run.mode() {
        Ok((mode, origin)) => (*mode, origin.as_str()),
        Err(message) => {
            return (
                Outcome::Error {
                    message: message.clone(),
                },
                String::new(),
            )
        }
    };
    let context = Context {
        mode,
        mode_origin: origin,
        manifest: &run.manifest,
    };
    let scenario = match case.subject {
        Subject::ProcessExit { scenario } | Subject::Check { scenario, .. } => {
            run.scenario(scenario, mode)
        }
        Subject::ExpectedScenarios | Subject::Unusable { .. } => None,
    };
    cases::judge(&case.subject, scenario, &run.ids, &context)
}

/// Turns an entry into a trial that judges it, records the outcome and reports a failure on stderr too.
fn trial(entry: Entry, record: Arc<Mutex<Vec<Judged>>>) -> Trial {
    let name = entry.case.name.clone();
    Trial::test(name, move || {
        let start = Instant::now();
        // A panic while judging (a bug) still yields a recorded outcome, so the report misses no test that ran.
        let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| judge(&entry)));
        let (outcome, evidence) = judged.unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            let message = format!(
                "internal error: judging {} panicked: {what}",
                entry.case.name
            );
            (Outcome::Error { message }, String::new())
        });
        let failed = match &outcome {
            Outcome::Pass => None,
            Outcome::Failure { message } | Outcome::Error { message } => Some(message.clone()),
        };
        let Entry { case, run: _ } = entry;
        let Case {
            suite,
            name,
            subject: _,
        } = case;
        record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Judged {
                suite,
                name,
                outcome,
                evidence,
                time: Some(start.elapsed()),
            });
        match failed {
            None => Ok(()),
            Some(message) => {
                // libtest-mimic prints failures on stdout only; nextest's JUnit reads stderr.
                eprintln!("Error: {message}");
                Err(message.into())
            }
        }
    })
}

/// Runs the entries as trials and writes the JUnit report of those that ran.
fn finish(args: &Arguments, entries: Vec<Entry>, junit_path: Option<&Path>) -> Finished {
    let record = Arc::new(Mutex::new(Vec::new()));
    let trials = entries
        .into_iter()
        .map(|entry| trial(entry, Arc::clone(&record)))
        .collect();
    let conclusion = libtest_mimic::run(args, trials);
    let mut ran = std::mem::take(&mut *record.lock().unwrap_or_else(PoisonError::into_inner));
    ran.sort_by(|a, b| a.name.cmp(&b.name));
    let junit_error = match junit_path {
        Some(path) if !args.list => write_junit(path, &ran).err(),
        _ => None,
    };
    if let Some(message) = &junit_error {
        eprintln!("error: {message}");
    }
    Finished {
        conclusion,
        ran,
        junit_error,
    }
}

/// Writes the JUnit report of `ran` to `path`, atomically.
fn write_junit(path: &Path, ran: &[Judged]) -> Result<(), String> {
    let xml = junit::render(ran).map_err(|err| format!("{}: {err}", path.display()))?;
    output::write_atomic(path, xml.as_bytes())
        .map_err(|err| format!("{}: cannot write JUnit report: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/runs")
            .join(name)
    }

    /// Returns arguments that send libtest-mimic's report to a log file (removed by the caller).
    fn args(list: &[&str]) -> (Arguments, PathBuf) {
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

    /// Runs the entries of `config` like [`run`] and returns how many scenarios were evaluated.
    fn evaluations(config: &Config, list: &[&str]) -> (Finished, usize) {
        let (entries, evaluations) = entries(config);
        let (arguments, log) = args(list);
        let finished = finish(&arguments, entries, None);
        let _ = std::fs::remove_file(log);
        let count = evaluations.load(Ordering::Relaxed);
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
        let config = Config::from_vars(PathBuf::from("d"), vars(&[])).unwrap();
        assert_eq!(config, Config::new("d"));
        let config = Config::from_vars(
            PathBuf::from("d"),
            vars(&[
                (RUN_DIR_VAR, "r"),
                (MODE_VAR, "baseline"),
                (JUNIT_VAR, "j.xml"),
            ]),
        )
        .unwrap();
        assert_eq!(config.runs, PathBuf::from("r"));
        assert_eq!(config.mode, Some(Mode::Baseline));
        assert_eq!(config.junit, Some(PathBuf::from("j.xml")));
        let config = Config::from_vars(
            PathBuf::from("d"),
            vars(&[(RUN_DIR_VAR, ""), (MODE_VAR, "")]),
        )
        .unwrap();
        assert_eq!(config, Config::new("d"));
        let err = Config::from_vars(PathBuf::from("d"), vars(&[(MODE_VAR, "fast")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "FAULT_MODE=\"fast\" is neither \"baseline\" nor \"degraded\""
        );
    }
}
