//! The plan of the tests: which runs are judged, with which suite and mode, which
//! runs form each run's history, and the name of every test, read from the run
//! directories, their manifests, `run.json` and suite files, never from a log.
//!
//! Every face takes the plan: `fault-summary` for its one run (and `--history`),
//! the `cargo test` harness for a folder of runs, the editors' `#[test]` stubs for
//! the names. `--exact NAME` narrows the plan to the run the name belongs to, and
//! never changes what it diagnoses: a broken folder is one `<folder>::setup` test
//! with the same message however the tests are run. Judging a planned test goes
//! through `eval::judgement`, wording its verdict through `report::cases`.

use crate::eval::case::{self, Case};
use crate::eval::evaluation::{Evaluation, Options};
use crate::eval::judgement;
use crate::eval::regression;
use crate::input::mode::ModeChoice;
use crate::input::run_dir::{self, RunError};
use crate::input::suite::{self, Found, Suite};
use crate::report::cases::{self as wording, Judged};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The variable that names a run directory or a folder of run directories.
pub const RUN_DIR_VAR: &str = "FAULT_RUN_DIR";

/// Where each judged run's earlier runs are looked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum History {
    /// The runs of the folder `path`, named by `named_by` (`--history`, `FAULT_HISTORY`).
    Folder {
        path: Utf8PathBuf,
        named_by: &'static str,
    },
    /// The harness's default: a lone run's siblings (the folder holding it); for a
    /// folder of runs, the runs judged; for one run of a folder asked for by
    /// `--exact`, that folder's runs.
    Around,
    /// No history: no regression tests (`fault-summary` without `--history`).
    Off,
}

/// What a face asks to judge.
#[derive(Clone, Debug)]
pub struct Request {
    /// A run directory (it holds `manifest.tsv`) or a folder of run directories.
    pub runs: Utf8PathBuf,
    /// The manifest of the one run `runs` names, where it is not at `runs/manifest.tsv`
    /// (`fault-summary --manifest`); `runs` is then taken as the run directory as given.
    pub manifest: Option<Utf8PathBuf>,
    /// The mode for every run, overriding `run.json` and `summary.json`.
    pub mode: Option<ModeChoice>,
    /// The suite file for every run, overriding the ones the runs' folders hold.
    pub suite: Option<Utf8PathBuf>,
    pub history: History,
    /// What evaluating the judged runs does; the runs of their histories are read for
    /// their metric lines only, refused alike when `confine` is set.
    pub options: Options,
    /// The one test an `--exact NAME` run asks for: only its run is opened, and its
    /// history only for a regression test.
    pub focus: Option<String>,
}

impl Request {
    /// Returns a request for the runs at `runs` with their own modes and suites, the
    /// harness's default history, default options and no focus.
    pub fn new(runs: impl Into<Utf8PathBuf>) -> Request {
        Request {
            runs: runs.into(),
            manifest: None,
            mode: None,
            suite: None,
            history: History::Around,
            options: Options::default(),
            focus: None,
        }
    }
}

/// The tests of a request, with the runs they judge.
#[derive(Debug)]
pub struct Plan {
    /// The first part of `<folder>::setup`: the name of what the request named.
    pub label: String,
    /// The runs that can be judged, each with its name in test names (sanitized and
    /// unique), in the order found; their histories are linked.
    pub runs: Vec<(String, Arc<Evaluation>)>,
    /// Why runs cannot be judged, each one case (`<run>::manifest`, `<run>::suite_file`).
    pub unusable: Vec<Case>,
    /// Why the folder cannot be judged, one message a cause; `<folder>::setup` says
    /// them all when there is any.
    pub setup: Vec<String>,
}

/// A planned test: a case and the run it judges (`None` for a case that stands for
/// an unusable run or folder).
#[derive(Clone, Debug)]
pub struct Test {
    pub case: Case,
    pub evaluation: Option<Arc<Evaluation>>,
}

impl Test {
    /// Judges the test: decides its verdict on its run (evaluating the scenario on first
    /// use) and words it.
    pub fn judge(&self) -> Judged {
        let evaluation = self.evaluation.as_deref();
        let judgement = judgement::judge(&self.case, evaluation);
        wording::word(self.case.clone(), judgement, evaluation)
    }
}

/// Why the runs at a path cannot be found.
#[derive(Debug)]
pub struct NotFound {
    /// The variable or flag that named the path.
    pub named_by: &'static str,
    pub source: RunError,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let NotFound { named_by, source } = self;
        write!(f, "{named_by}: {source}")
    }
}

impl std::error::Error for NotFound {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl Plan {
    /// Returns a plan with no run whose folder cannot be judged, for `message`.
    pub fn unusable_folder(runs: &Utf8Path, message: String) -> Plan {
        Plan {
            label: label(runs),
            runs: Vec::new(),
            unusable: Vec::new(),
            setup: vec![message],
        }
    }

    /// Returns every test, sorted by name: each run's cases, one case per unusable run,
    /// and one `<folder>::setup` when the folder cannot be judged.
    pub fn tests(&self) -> Vec<Test> {
        let mut tests: Vec<Test> = Vec::new();
        for (name, evaluation) in &self.runs {
            tests.extend(
                case::name_evaluation(name, evaluation)
                    .into_iter()
                    .map(|case| Test {
                        case,
                        evaluation: Some(Arc::clone(evaluation)),
                    }),
            );
        }
        tests.extend(self.unusable.iter().map(|case| Test {
            case: case.clone(),
            evaluation: None,
        }));
        if !self.setup.is_empty() {
            tests.push(Test {
                case: case::unusable(&self.label, case::SETUP, self.setup.join("\n")),
                evaluation: None,
            });
        }
        tests.sort_by(|a, b| a.case.name.cmp(&b.case.name));
        tests
    }

    /// Returns the names of every test, sorted.
    pub fn names(&self) -> Vec<String> {
        self.tests()
            .into_iter()
            .map(|test| test.case.name)
            .collect()
    }
}

/// Names and judges every case of the run `evaluation`, named `name`, sorted by name.
pub fn judge_run(name: &str, evaluation: &Evaluation) -> Vec<Judged> {
    case::name_evaluation(&case::sanitize(name), evaluation)
        .into_iter()
        .map(|case| {
            let judgement = judgement::judge(&case, Some(evaluation));
            wording::word(case, judgement, Some(evaluation))
        })
        .collect()
}

/// Returns the `<folder>` of `<folder>::setup` for the runs at `runs`.
pub fn label(runs: &Utf8Path) -> String {
    case::sanitize(&run_dir::run_name(runs))
}

/// Finds the run directories of the folder `runs` that the run named `run` (a test
/// name's first part) may be, looking into as few sub-folders as can tell.
///
/// The first folder whose name sanitizes to `run` is that run ([`case::unique`] never
/// takes a bare spelling away); another can be only one whose name sanitizes to `run`
/// without a `_<digits>` ending, given a suffix. So those two spellings are looked
/// into first (`run_00999` looks into `run-00999`, not the 999 runs beside it); only
/// where a folder of the shorter spelling exists, or none of either, does the search
/// widen to every folder whose sanitized name starts with the shorter spelling, and
/// the names [`plan`] gives them pick the run.
fn focused_runs(runs: &Utf8Path, run: &str) -> Result<Vec<Utf8PathBuf>, RunError> {
    let base = case::unsuffixed(run);
    let exact = run_dir::discover_where(runs, |name| {
        let name = case::sanitize(name);
        name == run || name == base
    });
    let suffixed = |dirs: &[Utf8PathBuf]| {
        base != run
            && dirs
                .iter()
                .any(|dir| case::sanitize(&run_dir::run_name(dir)) == base)
    };
    match exact {
        Ok(dirs) if !suffixed(&dirs) => Ok(dirs),
        _ => run_dir::discover_where(runs, |name| case::sanitize(name).starts_with(base)),
    }
}

/// Plans the tests of `request`, reading run directories, manifests, `run.json` and
/// suite files only.
pub fn plan(request: &Request) -> Plan {
    // `<folder>::setup` stands for the whole folder: planned as a whole, it says what
    // the whole run of the tests would.
    let focus = request
        .focus
        .as_deref()
        .filter(|name| !case::is_setup(name));
    // The run a focus names: its name's first part. That is a sanitized name, `_<n>`
    // added for a later run of the same one.
    let focus_run = focus.map(|name| name.split("::").next().unwrap_or(name));
    let found = match (&request.manifest, focus_run) {
        (Some(_), _) => Ok(vec![request.runs.clone()]),
        (None, None) => run_dir::discover(&request.runs),
        (None, Some(run)) => focused_runs(&request.runs, run),
    };
    let dirs = match found {
        Ok(dirs) => dirs,
        Err(err) => {
            let message = format!(
                "{err}; {RUN_DIR_VAR} names a run directory (holding {}) or a folder of them",
                run_dir::MANIFEST
            );
            return Plan::unusable_folder(&request.runs, message);
        }
    };
    let names = case::unique(
        dirs.iter()
            .map(|dir| case::sanitize(&run_dir::run_name(dir)))
            .collect(),
        &[],
    );
    let mut runs_and_names: Vec<(Utf8PathBuf, String)> = dirs.into_iter().zip(names).collect();
    if let Some(run) = focus_run {
        if runs_and_names.iter().any(|(_, named)| named == run) {
            runs_and_names.retain(|(_, named)| named == run);
        }
    }
    let dirs_judged = runs_and_names.len();
    let single_run = request.manifest.is_some()
        || (dirs_judged == 1 && run_dir::is_run_dir(request.runs.as_std_path()));
    let mut suites = Suites::new(request.suite.clone());
    let mut plan = Plan {
        label: label(&request.runs),
        runs: Vec::new(),
        unusable: Vec::new(),
        setup: Vec::new(),
    };
    for (dir, name) in runs_and_names {
        let suite = match suites.of_run(&dir) {
            Ok(suite) => suite,
            Err(SuiteProblem::Run(message)) => {
                plan.unusable
                    .push(case::unusable(&name, case::SUITE_FILE, message));
                continue;
            }
            Err(SuiteProblem::Shared(message)) => {
                if !plan.setup.contains(&message) {
                    plan.setup.push(message);
                }
                continue;
            }
        };
        let manifest = match &request.manifest {
            Some(manifest) => manifest.clone(),
            None => dir.join(run_dir::MANIFEST),
        };
        match Evaluation::open(
            &dir,
            &manifest,
            request.mode.clone(),
            suite,
            request.options,
        ) {
            Ok(evaluation) => plan.runs.push((name, Arc::new(evaluation))),
            Err(err) => plan
                .unusable
                .push(case::unusable(&name, case::MANIFEST, err.to_string())),
        }
    }
    // The runs before each run. Regression tests are named only once they are known;
    // the one test asked for, when it is no regression test, needs no history.
    let wants_history = focus.is_none_or(|name| name.ends_with(case::REGRESSION));
    let folder = match &request.history {
        History::Off => return plan,
        History::Folder { path, .. } => Some(path.clone()),
        History::Around if single_run => Some(run_dir::folder_of(&request.runs)),
        // Focused on one run of a folder: the folder is its history.
        History::Around if dirs_judged == 1 => Some(request.runs.clone()),
        History::Around => None,
    };
    if !wants_history {
        return plan;
    }
    let judged: Vec<Arc<Evaluation>> = plan.runs.iter().map(|(_, run)| Arc::clone(run)).collect();
    let history = match folder {
        None => judged.clone(),
        Some(folder) => match history(&folder, &judged, request, &mut suites) {
            Ok(history) => history,
            Err(source) => match request.history {
                History::Folder { named_by, .. } => {
                    let err = NotFound { named_by, source };
                    return Plan::unusable_folder(&request.runs, err.to_string());
                }
                // A lone run without a readable folder around it has no history.
                History::Around | History::Off => judged.clone(),
            },
        },
    };
    regression::link(&judged, &history);
    plan
}

/// Opens the runs of `folder` as a history of `judged`: a run judged is its own
/// evaluation, any other is read for its metric lines only, with its own suite, the
/// request's mode and confinement. A run whose manifest or suite cannot be read does
/// not count.
fn history(
    folder: &Utf8Path,
    judged: &[Arc<Evaluation>],
    request: &Request,
    suites: &mut Suites,
) -> Result<Vec<Arc<Evaluation>>, RunError> {
    let dirs = run_dir::discover(folder)?;
    // Runs judged are found by their path's text: comparing paths by components for
    // every pair cost more than judging a folder of 1,000 runs.
    let by_dir: HashMap<&str, &Arc<Evaluation>> =
        judged.iter().map(|run| (run.dir.as_str(), run)).collect();
    let options = Options {
        locate_lines: false,
        confine: request.options.confine,
        charts: false,
        streamer_log_only: true,
    };
    Ok(dirs
        .into_iter()
        .filter_map(|dir| match by_dir.get(dir.as_str()) {
            Some(run) => Some(Arc::clone(*run)),
            None => {
                let suite = suites.of_run(&dir).ok()?;
                Evaluation::open_dir(&dir, request.mode.clone(), suite, options)
                    .ok()
                    .map(Arc::new)
            }
        })
        .collect())
}

/// Why a run has no suite to be judged by.
enum SuiteProblem {
    /// The run's own suite file is broken: `<run>::suite_file`.
    Run(String),
    /// A suite file shared by runs (in their folder, or named for all) is broken:
    /// `<folder>::setup`.
    Shared(String),
}

/// The suites of the runs, each file read once however many runs share it.
struct Suites {
    named: Option<Utf8PathBuf>,
    builtin: Arc<Suite>,
    read: HashMap<Utf8PathBuf, Result<Arc<Suite>, String>>,
}

impl Suites {
    /// Starts with no file read; `named` is `--suite`'s or `FAULT_SUITE`'s.
    fn new(named: Option<Utf8PathBuf>) -> Suites {
        Suites {
            named,
            builtin: Arc::new(Suite::builtin()),
            read: HashMap::new(),
        }
    }

    /// Returns the suite of the run in `dir`, reading its file the first time.
    fn of_run(&mut self, dir: &Utf8Path) -> Result<Arc<Suite>, SuiteProblem> {
        let (path, shared) = match suite::find(dir, self.named.as_deref()) {
            Found::Builtin => return Ok(Arc::clone(&self.builtin)),
            Found::InRun(path) => (path, false),
            Found::Named(path) | Found::InFolder(path) => (path, true),
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
        read.map_err(|message| match shared {
            false => SuiteProblem::Run(message),
            true => SuiteProblem::Shared(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    /// Makes run directories (folders holding a manifest) named `names` in a scratch
    /// folder, and returns it with the folder's path.
    fn folder_of_runs(label: &str, names: &[&str]) -> (Scratch, Utf8PathBuf) {
        let scratch = Scratch::new(label);
        let folder = Utf8PathBuf::from_path_buf(scratch.path().to_path_buf()).unwrap();
        for name in names {
            std::fs::create_dir(folder.join(name)).unwrap();
            let header = "order\tscenario_id\tname\tstatus\treason\tduration_ms\tsim_rc\t\
                          streamer_rc\ttester_rc\tsim_log\tstreamer_log\ttester_log\tsdp_path\n";
            std::fs::write(folder.join(name).join(run_dir::MANIFEST), header).unwrap();
        }
        (scratch, folder)
    }

    /// Returns the folder names `focused_runs` looks into for `run`.
    fn looked_into(folder: &Utf8Path, run: &str) -> Vec<String> {
        let dirs = focused_runs(folder, run).unwrap();
        dirs.iter()
            .map(|dir| dir.file_name().unwrap().to_string())
            .collect()
    }

    /// A run of a folder of many is found by its own spelling, not by a look into every
    /// folder whose name starts alike; where a suffix may have made the name, the search
    /// widens, and the plan's names still pick the one run `unique` gave the name.
    #[test]
    fn a_focused_run_looks_into_its_own_folder_and_widens_only_where_a_suffix_may_name_it() {
        let names = ["run-00001", "run-00002", "run-00003", "a-b", "a.b", "a_b_2"];
        let (_scratch, folder) = folder_of_runs("plan-focus", &names);
        assert_eq!(looked_into(&folder, "run_00002"), ["run-00002"]);
        // `a-b` and `a.b` both come out `a_b`, and `a_b_2` is a folder's own name:
        // `unique` gives `a.b` the name `a_b_3`.
        assert_eq!(looked_into(&folder, "a_b"), ["a-b", "a.b"]);
        assert_eq!(looked_into(&folder, "a_b_3"), ["a-b", "a.b", "a_b_2"]);
        assert_eq!(looked_into(&folder, "a_b_2"), ["a-b", "a.b", "a_b_2"]);
        // A name no folder has widens to what starts like it, as a plain listing would.
        assert_eq!(
            looked_into(&folder, "run_9"),
            ["run-00001", "run-00002", "run-00003"]
        );
        let request = |focus: &str| Request {
            focus: Some(focus.to_string()),
            ..Request::new(folder.clone())
        };
        for (focus, run) in [
            ("a_b_3::x", "a.b"),
            ("a_b_2::x", "a_b_2"),
            ("a_b::x", "a-b"),
            ("run_00002::x", "run-00002"),
        ] {
            let plan = plan(&request(focus));
            let names: Vec<(&str, &str)> = plan
                .runs
                .iter()
                .map(|(name, evaluation)| (name.as_str(), evaluation.dir.file_name().unwrap()))
                .collect();
            assert_eq!(names, [(focus.split("::").next().unwrap(), run)], "{focus}");
        }
    }
}
