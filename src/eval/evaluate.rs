//! Evaluation: manifest rows plus their streamer logs become scenarios with judged checks.
//!
//! This module owns the order of scenarios, evidence path resolution, the
//! one scan per log and turning metric values into check observations. It
//! reads files but writes none; rendering is left to the writers.
//!
//! Only regular files are read: a directory, FIFO or device named as a log is
//! refused without being opened (its type is checked before opening and again
//! on what was opened, which is opened non-blocking in case a FIFO took the
//! file's place in between). A streamer log whose path leads out of the run
//! directory (the folder holding the manifest) is noted in [`Log::outside`],
//! and refused when [`Options::confine`] is set.

use crate::eval::model::{
    Check, ExitCodes, Log, LogStatus, MetricLine, Metrics, Observed, Run, RunInfo, Scenario,
};
use crate::eval::thresholds::{self, Mode, Source};
use crate::fs::open::{self, OpenError};
use crate::input::manifest::{Manifest, Row};
use crate::py::int::{IntError, PyInt};
use crate::py::value::Value;
use crate::scan::kv::LINE_BUDGET;
use crate::scan::tail::{self as scan, Hit};
use std::fmt;
use std::fs::File;
use std::path::{Component, Path, PathBuf};

/// How much work evaluation does beyond what the summary needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Finds the line numbers of metric lines behind checks that do not pass
    /// (costs a scan of the log up to that line).
    pub locate_lines: bool,
    /// Refuses streamer logs whose path leads out of the run directory (the
    /// folder holding the manifest) through `..`, as an absolute path or
    /// through a symlink: such a log is never opened, its status is
    /// [`LogStatus::Refused`] (an evidence error) and its metrics are absent.
    /// Without it they are read and only noted in [`Log::outside`].
    /// `fault-summary --confine` sets it; the harness sets it for `FAULT_CONFINE=1`.
    pub confine: bool,
}

/// A manifest record whose `order` was understood, ready to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub row: Row,
    pub order: PyInt,
}

/// Why a manifest's records cannot be put in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderError {
    pub manifest: PathBuf,
    pub line: u64,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: order {:?} is not an integer ({})",
            self.manifest.display(),
            self.line,
            self.value,
            self.reason
        )
    }
}

impl std::error::Error for OrderError {}

/// Puts the manifest's records in the reference's order: a stable sort on `int(order)`.
pub fn plan(manifest: &Manifest) -> Result<Vec<Planned>, OrderError> {
    let mut planned = Vec::with_capacity(manifest.rows.len());
    for row in &manifest.rows {
        let order = PyInt::parse(&row.order).map_err(|err| OrderError {
            manifest: manifest.path.clone(),
            line: row.line,
            value: row.order.clone(),
            reason: match err {
                IntError::Invalid => "invalid literal for int() with base 10".to_string(),
                IntError::TooManyDigits => "more than 4300 digits".to_string(),
            },
        })?;
        planned.push(Planned {
            row: row.clone(),
            order,
        });
    }
    planned.sort_by(|a, b| a.order.cmp(&b.order));
    Ok(planned)
}

/// Evaluates a whole run from its parsed manifest.
pub fn evaluate(info: RunInfo, manifest: &Manifest, options: Options) -> Result<Run, OrderError> {
    let base = manifest_dir(&manifest.path);
    let scenarios = plan(manifest)?
        .into_iter()
        .map(|planned| evaluate_one(planned, &base, info.mode, options))
        .collect();
    Ok(Run { info, scenarios })
}

/// Returns the folder relative evidence paths are tried against first.
pub fn manifest_dir(manifest: &Path) -> PathBuf {
    match manifest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Returns `int(value)`, or `fallback` when Python's `int()` would raise.
fn int_or(value: &str, fallback: i64) -> PyInt {
    PyInt::parse(value).unwrap_or_else(|_| PyInt::from_i64(fallback))
}

/// Evaluates one scenario: reads its streamer log once and judges its checks.
pub fn evaluate_one(planned: Planned, base: &Path, mode: Mode, options: Options) -> Scenario {
    let Planned { row, order } = planned;
    let exit = ExitCodes {
        sim: int_or(&row.sim_rc, -1),
        streamer: int_or(&row.streamer_rc, -1),
        tester: int_or(&row.tester_rc, -1),
    };
    let duration_ms = int_or(&row.duration_ms, 0);
    let (log, metrics, mut file) = read_log(base, &row.streamer_log, options.confine);
    let checks: Vec<Check> = thresholds::checks_for(&row.scenario_id)
        .into_iter()
        .map(|spec| {
            let observed = observe(metrics.line(spec.source), spec.metric);
            Check {
                limit: thresholds::limit(mode, &row.scenario_id, &spec),
                spec,
                observed,
            }
        })
        .collect();
    let mut scenario = Scenario {
        row,
        order,
        duration_ms,
        exit,
        log,
        metrics,
        checks,
    };
    let invalid = scenario
        .checks
        .iter()
        .any(|check| matches!(check.observed, Observed::Invalid { .. }));
    if options.locate_lines || invalid {
        if let Some(file) = file.as_mut() {
            locate(&mut scenario, file);
        }
    }
    scenario
}

/// Reads what a check needs from its metric line.
fn observe(line: Option<&MetricLine>, metric: &str) -> Observed {
    let value = line.and_then(|line| line.pairs.iter().rev().find(|(key, _)| key == metric));
    match (line, value) {
        // The metric may have been on the part of the line not read: not an absent 0.
        (Some(line), None) if line.cut => Observed::Invalid {
            value: Value::Str(String::new()),
            reason: format!(
                "not among the pairs kept of its line of {} bytes, of which the first {LINE_BUDGET} are read",
                line.len
            ),
        },
        (_, None) => Observed::Missing,
        (_, Some((_, value))) => match value.to_int() {
            Ok(int) => Observed::Value(int),
            Err(reason) => Observed::Invalid {
                value: value.clone(),
                reason,
            },
        },
    }
}

/// Fills in the line numbers of the metric lines behind checks that do not pass.
fn locate(scenario: &mut Scenario, file: &mut File) {
    let mut wanted = [false; 2];
    for check in &scenario.checks {
        if check.strict_verdict() != crate::eval::model::Verdict::Pass {
            wanted[match check.spec.source {
                Source::Latency => 0,
                Source::Fault => 1,
            }] = true;
        }
    }
    let lines = [&mut scenario.metrics.latency, &mut scenario.metrics.fault];
    for (line, want) in lines.into_iter().zip(wanted) {
        if let (Some(line), true) = (line.as_mut(), want) {
            line.line = scan::line_number(file, line.offset).ok();
        }
    }
}

/// Resolves an evidence path: the manifest's folder first, then the current directory.
pub fn resolve(base: &Path, named: &str) -> Option<PathBuf> {
    if named.is_empty() {
        return None;
    }
    let path = Path::new(named);
    if path.is_absolute() {
        return Some(path.to_path_buf());
    }
    let beside = base.join(path);
    if beside.symlink_metadata().is_ok() {
        Some(beside)
    } else {
        Some(path.to_path_buf())
    }
}

/// Returns `path` made absolute against the current directory, `.` and `..` folded lexically.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut folded = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    Some(folded)
}

/// Returns where `path` leads when that is outside the folder `root`, else `None`.
///
/// Both are resolved through symlinks where they exist; a path that cannot be
/// resolved (missing, a symlink loop) is judged by its lexical form.
pub fn leads_outside(root: &Path, path: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(path)
        .ok()
        .or_else(|| lexical_absolute(path))?;
    let roots = [std::fs::canonicalize(root).ok(), lexical_absolute(root)];
    let inside = roots.iter().flatten().any(|root| target.starts_with(root));
    (!inside).then_some(target)
}

/// Turns a scan hit into the model's metric line.
fn metric_line(hit: Hit) -> MetricLine {
    let Hit {
        start,
        end,
        pairs,
        preview,
        cut,
    } = hit;
    MetricLine {
        pairs,
        offset: start,
        len: end - start,
        line: None,
        text: preview,
        cut,
    }
}

/// Opens a streamer log if it is a regular file; the status says why not.
fn open_log(path: &Path) -> Result<(File, u64), LogStatus> {
    open::regular_file(path).map_err(|err| match err {
        OpenError::Missing => LogStatus::Missing,
        OpenError::NotAFile { kind } => LogStatus::NotAFile { kind },
        other => LogStatus::Unreadable {
            reason: other.to_string(),
        },
    })
}

/// Reads a streamer log's metric lines unless confinement refuses its path; any problem
/// leaves the metrics empty, as the reference does.
fn read_log(base: &Path, named: &str, confine: bool) -> (Log, Metrics, Option<File>) {
    let path = resolve(base, named);
    let mut log = Log {
        named: named.to_string(),
        path: path.clone(),
        status: LogStatus::Unnamed,
        outside: path.as_deref().and_then(|path| leads_outside(base, path)),
    };
    let Some(path) = path else {
        return (log, Metrics::default(), None);
    };
    if confine && log.outside.is_some() {
        log.status = LogStatus::Refused;
        return (log, Metrics::default(), None);
    }
    let (mut file, len) = match open_log(&path) {
        Ok(opened) => opened,
        Err(status) => {
            log.status = status;
            return (log, Metrics::default(), None);
        }
    };
    match scan::scan(&mut file, len) {
        Ok(hits) => {
            log.status = LogStatus::Read { len };
            let [pipeline, latency, fault, rtp] = hits.map(|hit| hit.map(metric_line));
            let metrics = Metrics {
                pipeline,
                latency,
                fault,
                rtp,
            };
            (log, metrics, Some(file))
        }
        Err(err) => {
            log.status = LogStatus::Unreadable {
                reason: err.to_string(),
            };
            (log, Metrics::default(), None)
        }
    }
}
