//! `fault-summary`: a drop-in for the reference helper, plus `--run-dir`-only use, JUnit,
//! and the HTML report and Markdown summary.
//!
//! This file only settles the inputs (flags, `FAULT_MODE`, `run.json`), hands
//! them to the library's one evaluation, renders what it returns and maps the
//! outcome to an exit status.

mod args;

/// Prints to stdout like std's `println!`, but a reader that went away (`| head`, a
/// closed pipe) is no error: the output simply ends, as other Unix tools' does.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints to stdout like std's `print!`, a closed pipe being no error (see `println!`).
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints to stderr like std's `eprintln!`, a closed pipe being no error: the warnings
/// end and the summary is still written.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

use args::{Args, Command};
use camino::{Utf8Path, Utf8PathBuf};
use fault_harness::eval::case::{Case, CaseKind};
use fault_harness::eval::evaluation::Options;
use fault_harness::eval::model::{Observed, Scenario, Strictness, Tally};
use fault_harness::fs::atomic;
use fault_harness::input::mode::{self, Mode, ModeChoice, MODE_VAR};
use fault_harness::input::run_dir;
use fault_harness::input::suite::{self, Found, Suite, SUITE_VAR};
use fault_harness::plan::{self, History, Plan, Request};
use fault_harness::publish::Pages;
use fault_harness::report::cases::Judged;
use fault_harness::report::overview::Run;
use fault_harness::report::summary::{self, Header};
use fault_harness::report::{junit, warnings};
use std::process::ExitCode;
use std::sync::Arc;

/// An error that stops the summary from being written (exit status 2), worded only
/// when `main` prints it.
enum CliError {
    /// An error of the library, kept typed with its `source()`.
    Typed(Box<dyn std::error::Error>),
    /// The command's own message, naming the flag, variable or path it concerns.
    Message(String),
}

impl<E: std::error::Error + 'static> From<E> for CliError {
    fn from(err: E) -> CliError {
        CliError::Typed(Box::new(err))
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Typed(err) => err.fmt(f),
            CliError::Message(message) => f.write_str(message),
        }
    }
}

/// Returns a path given on the command line, which must be UTF-8 to be used as one.
fn utf8_path(flag: &str, bytes: &[u8]) -> Result<Utf8PathBuf, CliError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Utf8PathBuf::from(text)),
        Err(_) => Err(CliError::Message(format!(
            "{flag} {}: not valid UTF-8; name a UTF-8 path",
            String::from_utf8_lossy(bytes)
        ))),
    }
}

/// Returns the mode given explicitly: `--mode`, else `FAULT_MODE`.
fn explicit_mode(args: &Args) -> Result<Option<ModeChoice>, CliError> {
    if let Some(flag) = &args.mode {
        let mode = Mode::parse(&String::from_utf8_lossy(flag))
            .ok_or_else(|| CliError::Message("bad --mode".into()))?;
        return Ok(Some(ModeChoice {
            mode,
            origin: "--mode".to_string(),
        }));
    }
    match std::env::var(MODE_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(value) if value.is_empty() => Ok(None),
        Ok(value) => match Mode::parse(value.trim()) {
            Some(mode) => Ok(Some(ModeChoice {
                mode,
                origin: MODE_VAR.to_string(),
            })),
            None => Err(CliError::Message(format!(
                "{MODE_VAR}={value:?} is neither \"baseline\" nor \"degraded\""
            ))),
        },
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::Message(format!("{MODE_VAR}: not valid UTF-8")))
        }
    }
}

/// What the command works on, once the flags' gaps are filled.
struct Inputs {
    header: Header,
    /// The run's name, for JUnit test names.
    name: String,
    dir: Utf8PathBuf,
    manifest: Utf8PathBuf,
    output: Utf8PathBuf,
    junit: Option<Utf8PathBuf>,
    choice: ModeChoice,
}

/// Fills in what the flags leave open from `FAULT_MODE`, `run.json` and the run directory.
fn resolve_inputs(args: &Args) -> Result<Inputs, CliError> {
    let run_dir_bytes = args.run_dir.clone().unwrap_or_default();
    // The run directory is only echoed unless something must be read from it.
    let dir = || utf8_path("--run-dir", &run_dir_bytes);
    let explicit = explicit_mode(args)?;
    let needs_run_json = args.run_id.is_none()
        || explicit.is_none()
        || args.started_at.is_none()
        || args.finished_at.is_none();
    let described = if needs_run_json {
        run_dir::read_run_json(&dir()?)?.unwrap_or_default()
    } else {
        run_dir::RunJson::default()
    };
    let choice = match explicit {
        Some(choice) => choice,
        None => mode::settle(&dir()?, None)?,
    };
    let manifest = match &args.manifest {
        Some(bytes) => utf8_path("--manifest", bytes)?,
        None => dir()?.join(run_dir::MANIFEST),
    };
    let output = match &args.output {
        Some(bytes) => utf8_path("--output", bytes)?,
        None => dir()?.join(run_dir::SUMMARY),
    };
    let name = match std::str::from_utf8(&run_dir_bytes) {
        Ok(text) => run_dir::run_name(Utf8Path::new(text)),
        Err(_) => run_dir::run_name(Utf8Path::new(&String::from_utf8_lossy(&run_dir_bytes))),
    };
    let text = |flag: &Option<Vec<u8>>, described: Option<String>, fallback: &str| {
        flag.clone()
            .or(described.map(String::into_bytes))
            .unwrap_or_else(|| fallback.as_bytes().to_vec())
    };
    let header = Header {
        mode: choice.mode,
        run_id: text(&args.run_id, described.run_id, &name),
        started_at: text(&args.started_at, described.started_at, ""),
        finished_at: text(&args.finished_at, described.finished_at, ""),
        run_dir: run_dir_bytes.clone(),
    };
    let junit = match &args.junit {
        Some(bytes) => Some(utf8_path("--junit", bytes)?),
        None => None,
    };
    Ok(Inputs {
        header,
        name,
        dir: Utf8PathBuf::from(String::from_utf8_lossy(&run_dir_bytes).into_owned()),
        manifest,
        output,
        junit,
        choice,
    })
}

/// What the summary takes from one evaluated scenario, the scenario itself dropped.
struct Evaluated {
    item: summary::Item,
    warnings: Vec<String>,
    /// Its checked metrics that never appeared.
    missing: usize,
}

/// The tests a run's reports (or `--history`) judged, for the result line.
struct Tests<'a> {
    /// How many were judged.
    judged: usize,
    /// The names of those that did not pass, sorted.
    failing: &'a [String],
}

/// Test names the result line names before it only counts the rest.
const NAMED_FAILING: usize = 3;

/// Words the one line that ends a run: `nightly-0313: 2 of 3 scenarios pass (mode
/// degraded, from run.json); summary.json written`, with the tests of its reports that
/// did not pass, when some did not.
fn result_line(
    name: &str,
    tally: &Tally,
    tests: &Tests<'_>,
    choice: &ModeChoice,
    output: &Utf8Path,
    extra: &[Utf8PathBuf],
) -> String {
    let Tally {
        total,
        pass,
        fail: _,
        all_pass,
    } = tally;
    let verdict = if *all_pass { "" } else { "; the run fails" };
    let failing = match tests.failing {
        [] => String::new(),
        names => {
            let mut listed = names[..names.len().min(NAMED_FAILING)].join(", ");
            if names.len() > NAMED_FAILING {
                listed.push_str(&format!(" and {} more", names.len() - NAMED_FAILING));
            }
            format!(
                "; {} of {} tests did not pass: {listed}",
                names.len(),
                tests.judged
            )
        }
    };
    let written = match extra {
        [] => format!("{output} written"),
        [before @ .., last] => {
            let mut all = vec![output.to_string()];
            all.extend(before.iter().map(Utf8PathBuf::to_string));
            format!("{} and {last} written", all.join(", "))
        }
    };
    format!(
        "{name}: {pass} of {total} scenarios pass (mode {}, from {}){verdict}{failing}; {written}",
        choice.mode, choice.origin
    )
}

/// Returns the suite file named by `--suite`, else by `FAULT_SUITE`.
fn named_suite(args: &Args) -> Result<Option<Utf8PathBuf>, CliError> {
    if let Some(bytes) = &args.suite {
        return utf8_path("--suite", bytes).map(Some);
    }
    match std::env::var(SUITE_VAR) {
        Ok(value) if !value.is_empty() => Ok(Some(Utf8PathBuf::from(value))),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::Message(format!("{SUITE_VAR}: not valid UTF-8")))
        }
    }
}

/// Prints the suite in effect for `--run-dir` or the named suite, else the built-in one
/// (never a `./fault-suite.json` that `> fault-suite.json` is creating): a file's text
/// once it reads as a suite.
fn print_suite(args: &Args) -> Result<u8, CliError> {
    let dir = match &args.run_dir {
        Some(bytes) => Some(utf8_path("--run-dir", bytes)?),
        None => None,
    };
    let search = suite::search(dir.as_deref(), named_suite(args)?.as_deref());
    for empty in &search.empty {
        eprintln!(
            "fault-summary: note: {empty} is empty: no suite yet, so it is not the suite in effect"
        );
    }
    let text = match search.found {
        Found::Builtin => Suite::builtin_text().to_string(),
        Found::Named(path) | Found::InRun(path) | Found::InFolder(path) => {
            Suite::read(&path)?;
            std::fs::read_to_string(&path)
                .map_err(|err| CliError::Message(format!("{path}: {err}")))?
        }
    };
    print!("{text}");
    Ok(0)
}

/// Refuses, under `--confine`, outputs in the run directory `dir` that lead out of it
/// through symlinks.
fn refuse_outputs_outside<'a>(
    dir: &Utf8Path,
    outputs: impl IntoIterator<Item = Option<&'a Utf8PathBuf>>,
) -> Result<(), CliError> {
    for output in outputs.into_iter().flatten() {
        if let Some(target) = atomic::leads_outside(output.as_std_path(), dir.as_std_path()) {
            return Err(CliError::Message(format!(
                "{output}: leads out of the run directory, to {}; not written (--confine)",
                target.display()
            )));
        }
    }
    Ok(())
}

fn summarize(args: &Args) -> Result<u8, CliError> {
    if args.print_suite {
        return print_suite(args);
    }
    let Inputs {
        header,
        name,
        dir,
        manifest,
        output,
        junit,
        choice,
    } = resolve_inputs(args)?;
    let strictness = if args.strict {
        Strictness::Strict
    } else {
        Strictness::Reference
    };
    let pages = Pages {
        html: args
            .html
            .as_deref()
            .map(|bytes| utf8_path("--html", bytes))
            .transpose()?,
        markdown: args
            .markdown
            .as_deref()
            .map(|bytes| utf8_path("--markdown", bytes))
            .transpose()?,
    };
    if args.confine {
        // The run directory evidence is confined to: the folder holding the manifest.
        let run = fault_harness::eval::evidence::manifest_dir(&manifest);
        let outputs = [&Some(output.clone()), &junit, &pages.html, &pages.markdown];
        refuse_outputs_outside(&run, outputs.map(Option::as_ref))?;
    }
    // The summary alone needs no scenario kept once written: a long manifest is
    // summarized in bounded memory. JUnit, the pages and history read them all again.
    let keep = junit.is_some() || pages.any() || args.history.is_some();
    let options = Options {
        // Messages name lines; the charts read every line of the logs.
        locate_lines: args.junit.is_some() || pages.any(),
        confine: args.confine,
        charts: pages.html.is_some(),
        streamer_log_only: !keep,
    };
    // The one run, planned as the harness plans its runs: the same suite, and the same
    // history, each earlier run with its own suite, the explicit mode and confinement.
    let history = match &args.history {
        Some(folder) => History::Folder {
            path: utf8_path("--history", folder)?,
            named_by: "--history",
        },
        None => History::Off,
    };
    let request = Request {
        runs: dir.clone(),
        manifest: Some(manifest.clone()),
        mode: explicit_mode(args)?,
        suite: named_suite(args)?,
        history,
        options,
        focus: None,
    };
    let Plan {
        label: _,
        runs,
        unusable,
        setup,
    } = plan::plan(&request);
    if let Some(message) = setup.into_iter().next() {
        return Err(CliError::Message(message));
    }
    if let Some(Case {
        kind: CaseKind::Unusable { message },
        ..
    }) = unusable.into_iter().next()
    {
        return Err(CliError::Message(message));
    }
    let Some((test_name, evaluation)) = runs.into_iter().next() else {
        return Err(CliError::Message(format!("{dir}: no run planned")));
    };
    // The run's mode settles the same way in the evaluation; its tables must exist.
    let suite = Arc::clone(&evaluation.suite);
    let tables = suite.mode(choice.mode)?;
    for field in &evaluation.long_fields {
        eprintln!(
            "fault-summary: warning: {manifest}:{field}; the reference stops there, this summary reads it whole"
        );
    }
    let mut stream = summary::Stream::new(&header, &suite, tables);
    let mut missing = 0;
    atomic::write_atomic_spooled(output.as_std_path(), |out| {
        // Each scenario is evaluated and rendered on one of the threads; the warnings
        // and items are written in evaluation order.
        let evaluated = |index: usize, scenario: &Scenario| Evaluated {
            item: summary::Item::render(index, scenario, &suite, strictness),
            warnings: warnings::render(scenario),
            missing: scenario
                .checks
                .iter()
                .filter(|check| check.observed == Observed::Missing)
                .count(),
        };
        let weigh = |done: &Evaluated| {
            done.item.len() + done.warnings.iter().map(String::len).sum::<usize>()
        };
        evaluation.map_in_order(None, keep, evaluated, weigh, |done: Evaluated| {
            for warning in &done.warnings {
                eprintln!("fault-summary: warning: {warning}");
            }
            missing += done.missing;
            stream.push(out, &done.item)
        })?;
        let (head, tail) = stream.frame()?;
        Ok((head.into_bytes(), tail.as_bytes().to_vec()))
    })
    .map_err(|err| CliError::Message(format!("{output}: {err}")))?;
    let tally = stream.tally();
    // The tests the reports show (every case), or with `--history` alone those against
    // the runs before: the result line and `--exit-code` hide none that fails.
    let judged: Vec<Judged> = if junit.is_some() || pages.any() {
        plan::judge_run(&test_name, &evaluation)
    } else if args.history.is_some() {
        plan::judge_run(&test_name, &evaluation)
            .into_iter()
            .filter(|judged| judged.kind.is_regression())
            .collect()
    } else {
        Vec::new()
    };
    if let Some(junit_path) = &junit {
        let failed = |err: std::io::Error| CliError::Message(format!("{junit_path}: {err}"));
        let xml = junit::render(&judged).map_err(failed)?;
        atomic::write_atomic(junit_path.as_std_path(), xml.as_bytes()).map_err(failed)?;
    }
    let junit_written = junit;
    let mut extra: Vec<Utf8PathBuf> = junit_written.iter().cloned().collect();
    let failing: Vec<String> = judged
        .iter()
        .filter(|judged| !judged.verdict.passed())
        .map(|judged| judged.name.clone())
        .collect();
    let tests = Tests {
        judged: judged.len(),
        failing: &failing,
    };
    if pages.any() {
        let run = Run {
            name: name.clone(),
            evaluation: Some(&evaluation),
            judged,
            started_at: Some(String::from_utf8_lossy(&header.started_at).into_owned()),
            finished_at: Some(String::from_utf8_lossy(&header.finished_at).into_owned()),
        };
        extra.extend(
            pages
                .write(&[run], "fault-summary")
                .map_err(CliError::Message)?,
        );
    }
    if !args.quiet {
        eprintln!(
            "{}",
            result_line(&name, &tally, &tests, &choice, &output, &extra)
        );
    }
    if junit_written.is_some() && strictness == Strictness::Reference && missing > 0 {
        eprintln!(
            "fault-summary: note: {missing} checked metric(s) never appeared: the summary counts them as 0, as the reference does, while the JUnit report marks them as errors; --strict makes the summary fail them too"
        );
    }
    Ok(
        if args.exit_code && !(tally.all_pass && tests.failing.is_empty()) {
            1
        } else {
            0
        },
    )
}

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!(
                "{}\nfault-summary: error: {message}",
                args::USAGE.lines().next().unwrap_or("")
            );
            eprintln!("(run fault-summary --help for the full usage)");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("fault-summary {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Run(args) => match summarize(&args) {
            Ok(code) => ExitCode::from(code),
            Err(err) => {
                eprintln!("fault-summary: error: {err}");
                ExitCode::from(2)
            }
        },
    }
}
