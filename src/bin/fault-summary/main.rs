//! `fault-summary`: a drop-in for the reference helper, plus `--run-dir`-only use and JUnit.
//!
//! This file only settles the inputs (flags, `run.json`), calls the library
//! and maps the outcome to an exit status.

mod args;

use args::{Args, Command};
use fault_harness::eval::evaluate::{self, Options};
use fault_harness::eval::model::{Log, LogStatus, Observed, Run, RunInfo, Strictness};
use fault_harness::eval::thresholds::Mode;
use fault_harness::fs::atomic as output;
use fault_harness::input::{manifest, run_dir as run};
use fault_harness::report::{cases, junit, summary};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::process::ExitCode;

/// An error that stops the summary from being written (exit status 2).
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(err: E) -> Fatal {
        Fatal(err.to_string())
    }
}

fn path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes.to_vec()))
}

/// Fills in what the flags leave open from `run.json` and the run directory.
fn settle(args: &Args) -> Result<(RunInfo, PathBuf), Fatal> {
    let run_dir_bytes = args.run_dir.clone().unwrap_or_default();
    let run_dir = path(&run_dir_bytes);
    let needs_run_json = args.run_id.is_none()
        || args.mode.is_none()
        || args.started_at.is_none()
        || args.finished_at.is_none();
    let described = if needs_run_json {
        run::read_run_json(&run_dir)?.unwrap_or_default()
    } else {
        run::RunJson::default()
    };
    let (mode, mode_origin) = match (&args.mode, described.mode) {
        (Some(flag), _) => (
            Mode::parse(&String::from_utf8_lossy(flag))
                .ok_or_else(|| Fatal("bad --mode".into()))?,
            "--mode".to_string(),
        ),
        (None, Some(mode)) => (mode, run_dir.join(run::RUN_JSON).display().to_string()),
        (None, None) => {
            return Err(Fatal(
                run::RunError::NoMode {
                    dir: run_dir.clone(),
                    tried: format!("--mode, {}", run::RUN_JSON),
                }
                .to_string(),
            ))
        }
    };
    let name = run::run_name(&run_dir);
    let text = |flag: &Option<Vec<u8>>, described: Option<String>, fallback: &str| {
        flag.clone()
            .or(described.map(String::into_bytes))
            .unwrap_or_else(|| fallback.as_bytes().to_vec())
    };
    let manifest = args
        .manifest
        .as_deref()
        .map(path)
        .unwrap_or_else(|| run_dir.join(run::MANIFEST));
    let output = args
        .output
        .as_deref()
        .map(path)
        .unwrap_or_else(|| run_dir.join(run::SUMMARY));
    let info = RunInfo {
        run_id: text(&args.run_id, described.run_id, &name),
        started_at: text(&args.started_at, described.started_at, ""),
        finished_at: text(&args.finished_at, described.finished_at, ""),
        run_dir: run_dir_bytes,
        name,
        mode,
        mode_origin,
        manifest,
    };
    Ok((info, output))
}

/// Warns on stderr about metric values the reference would have crashed on.
fn warn_invalid(run: &Run) {
    for scenario in &run.scenarios {
        for check in &scenario.checks {
            if let Observed::Invalid { reason, .. } = &check.observed {
                let place = scenario
                    .log
                    .path
                    .as_deref()
                    .map_or_else(String::new, |p| p.display().to_string());
                let line = scenario
                    .metrics
                    .line(check.spec.source)
                    .and_then(|line| line.line)
                    .map_or_else(String::new, |n| format!(":{n}"));
                eprintln!(
                    "fault-summary: warning: {place}{line}: {}: {reason}; the check fails",
                    check.spec.metric
                );
            }
        }
    }
}

/// Warns on stderr about streamer logs that were named but not read (their metrics count
/// as absent) and about those outside the run directory.
fn warn_logs(run: &Run) {
    for scenario in &run.scenarios {
        let Log {
            named,
            path,
            status,
            outside,
        } = &scenario.log;
        let place = path
            .as_deref()
            .map_or_else(|| named.clone(), |p| p.display().to_string());
        let id = &scenario.row.scenario_id;
        if let (Some(outside), false) = (outside, *status == LogStatus::Refused) {
            eprintln!(
                "fault-summary: warning: {place}: leads out of the run directory, to {} (--confine refuses it)",
                outside.display()
            );
        }
        let problem = match status {
            LogStatus::Read { .. } | LogStatus::Unnamed => continue,
            LogStatus::Missing => "no such file".to_string(),
            LogStatus::NotAFile { kind } => format!("is {kind}, not a regular file; not read"),
            LogStatus::Unreadable { reason } => format!("cannot read: {reason}"),
            LogStatus::Refused => format!(
                "leads out of the run directory, to {}; not read (--confine)",
                outside
                    .as_deref()
                    .map_or_else(String::new, |p| p.display().to_string())
            ),
        };
        eprintln!(
            "fault-summary: warning: {place}: {problem}; the metrics of scenario {id:?} count as absent"
        );
    }
}

fn summarize(args: &Args) -> Result<u8, Fatal> {
    let (info, output_path) = settle(args)?;
    let manifest = manifest::read(&info.manifest)?;
    let strictness = if args.strict {
        Strictness::Strict
    } else {
        Strictness::Reference
    };
    let options = Options {
        locate_lines: args.junit.is_some(),
        confine: args.confine,
    };
    let run = evaluate::evaluate(info, &manifest, options)?;
    warn_invalid(&run);
    warn_logs(&run);
    let text = summary::render(&run, strictness);
    output::write_atomic(&output_path, text.as_bytes())
        .map_err(|err| Fatal(format!("{}: {}", output_path.display(), err)))?;
    if let Some(junit_path) = args.junit.as_deref().map(path) {
        let failed = |err: std::io::Error| Fatal(format!("{}: {}", junit_path.display(), err));
        let xml = junit::render(&cases::judge_run(&run)).map_err(failed)?;
        output::write_atomic(&junit_path, xml.as_bytes()).map_err(failed)?;
    }
    Ok(if args.exit_code && !run.all_pass(strictness) {
        1
    } else {
        0
    })
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
            Err(Fatal(message)) => {
                eprintln!("fault-summary: error: {message}");
                ExitCode::from(2)
            }
        },
    }
}
