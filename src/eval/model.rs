//! The evaluated run: one model that every writer renders.
//!
//! Parsing and evaluation fill it (`evaluate`); the summary, the test
//! harness and the JUnit writer only read it. Evidence positions (file,
//! byte offset, line number) travel with every metric so that a failure can
//! say where its number came from.

use crate::eval::thresholds::{Bound, CheckSpec, Mode, Source};
use crate::input::manifest::Row;
use crate::py::int::PyInt;
use crate::py::value::Value;
use crate::scan::kv::Pairs;
use std::path::PathBuf;

/// A run directory's identity and settings as the summary reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// The run's name in test names: the run directory's file name.
    pub name: String,
    pub mode: Mode,
    /// Where the mode came from, for messages (`--mode`, `run.json`, ...).
    pub mode_origin: String,
    /// Values echoed into `summary.json`, as raw bytes (argv may not be UTF-8).
    pub run_id: Vec<u8>,
    pub run_dir: Vec<u8>,
    pub started_at: Vec<u8>,
    pub finished_at: Vec<u8>,
    pub manifest: PathBuf,
}

/// An evaluated run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub info: RunInfo,
    /// Scenarios in the reference's order (stable sort by `order`).
    pub scenarios: Vec<Scenario>,
}

/// What became of a scenario's streamer log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogStatus {
    /// Read; its length in bytes.
    Read { len: u64 },
    /// The manifest names no streamer log.
    Unnamed,
    /// No file at the named path (tried against the manifest's folder, then the current directory).
    Missing,
    /// The path is not a regular file (directory, FIFO, device); the kind is named.
    NotAFile { kind: &'static str },
    /// The file could not be read.
    Unreadable { reason: String },
    /// Not read: the path leads out of the run directory (to [`Log::outside`])
    /// and evaluation is confined ([`crate::eval::evaluate::Options::confine`]).
    Refused,
}

/// The streamer log of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The path as the manifest gives it.
    pub named: String,
    /// The path that was read or tried.
    pub path: Option<PathBuf>,
    pub status: LogStatus,
    /// Where the path leads, symlinks followed, when that is outside the run
    /// directory (the folder holding the manifest): through `..`, as an
    /// absolute path elsewhere, or through a symlink. `None` inside it or when
    /// no path was named. Writers show it; with confinement the log is not read.
    pub outside: Option<PathBuf>,
}

/// The last line holding one metric token.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricLine {
    pub pairs: Pairs,
    /// Byte offset of the line in the log.
    pub offset: u64,
    /// Bytes of the line in the log, its line break excluded.
    pub len: u64,
    /// 1-based line number, when it was located (it costs a scan of the log's prefix).
    pub line: Option<u64>,
    /// The line itself, cut for messages.
    pub text: String,
    /// The line held more text than the [`crate::scan::kv::LINE_BUDGET`] bytes read
    /// for pairs, so a metric absent from `pairs` may have been on it.
    pub cut: bool,
}

/// The four metric lines of a scenario, `None` where the token never appeared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub pipeline: Option<MetricLine>,
    pub latency: Option<MetricLine>,
    pub fault: Option<MetricLine>,
    pub rtp: Option<MetricLine>,
}

impl Metrics {
    /// Returns the line a check reads from.
    pub fn line(&self, source: Source) -> Option<&MetricLine> {
        match source {
            Source::Latency => self.latency.as_ref(),
            Source::Fault => self.fault.as_ref(),
        }
    }
}

/// The value a check found for its metric.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed {
    /// `int()` of the metric's value.
    Value(PyInt),
    /// The metric is not on its line, or its line never appeared.
    Missing,
    /// The value is one that Python's `int()` rejects; the reference crashes here.
    Invalid { value: Value, reason: String },
}

/// One threshold check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub spec: CheckSpec,
    /// The limit in force.
    pub limit: i64,
    pub observed: Observed,
}

/// A check's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The threshold was missed; the violation as the reference words it.
    Fail {
        violation: String,
    },
    /// The evidence is missing or unusable.
    Error {
        reason: String,
    },
}

impl Check {
    /// Judges `actual` against the limit as the reference's `make_check_min/max` do.
    pub fn judge(&self, actual: &PyInt) -> Verdict {
        let limit = PyInt::from_i64(self.limit);
        let (passed, op) = match self.spec.bound {
            Bound::Min => (*actual >= limit, '<'),
            Bound::Max => (*actual <= limit, '>'),
        };
        if passed {
            Verdict::Pass
        } else {
            Verdict::Fail {
                violation: format!("{}={} {} {}", self.spec.metric, actual, op, self.limit),
            }
        }
    }

    /// Returns the verdict as the reference gives it (a missing metric counts as 0).
    pub fn reference_verdict(&self) -> Verdict {
        match &self.observed {
            Observed::Value(actual) => self.judge(actual),
            Observed::Missing => self.judge(&PyInt::from_i64(0)),
            Observed::Invalid { reason, .. } => Verdict::Fail {
                violation: format!("{}: {}", self.spec.metric, reason),
            },
        }
    }

    /// Returns the strict verdict: a missing or unusable metric is an error, not a 0.
    pub fn strict_verdict(&self) -> Verdict {
        match &self.observed {
            Observed::Value(actual) => self.judge(actual),
            Observed::Missing => Verdict::Error {
                reason: format!("metric {} never appeared", self.spec.metric),
            },
            Observed::Invalid { reason, .. } => Verdict::Error {
                reason: format!("metric {}: {}", self.spec.metric, reason),
            },
        }
    }
}

/// Exit codes of the three processes, as the reference parses them (-1 when unreadable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCodes {
    pub sim: PyInt,
    pub streamer: PyInt,
    pub tester: PyInt,
}

impl ExitCodes {
    /// Returns true if and only if all three processes exited 0.
    pub fn all_zero(&self) -> bool {
        self.sim.is_zero() && self.streamer.is_zero() && self.tester.is_zero()
    }
}

/// An evaluated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The manifest record, verbatim.
    pub row: Row,
    pub order: PyInt,
    pub duration_ms: PyInt,
    pub exit: ExitCodes,
    pub log: Log,
    pub metrics: Metrics,
    pub checks: Vec<Check>,
}

/// How a metric that never appeared is judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strictness {
    /// As the reference: an absent metric counts as 0.
    #[default]
    Reference,
    /// An absent or unusable metric is an error.
    Strict,
}

impl Check {
    /// Returns the verdict under `strictness`.
    pub fn verdict(&self, strictness: Strictness) -> Verdict {
        match strictness {
            Strictness::Reference => self.reference_verdict(),
            Strictness::Strict => self.strict_verdict(),
        }
    }
}

impl Scenario {
    /// Returns the violations (and errors) of the checks, as the reference lists them.
    pub fn violations(&self, strictness: Strictness) -> Vec<String> {
        self.checks
            .iter()
            .filter_map(|check| match check.verdict(strictness) {
                Verdict::Pass => None,
                Verdict::Fail { violation } => Some(violation),
                Verdict::Error { reason } => Some(reason),
            })
            .collect()
    }

    /// Returns true if and only if all processes exited 0 and no check failed.
    pub fn passes(&self, strictness: Strictness) -> bool {
        self.exit.all_zero()
            && self
                .checks
                .iter()
                .all(|c| c.verdict(strictness) == Verdict::Pass)
    }

    /// Returns the scenario's `reason` as the reference words it.
    pub fn reason(&self, strictness: Strictness) -> String {
        let ExitCodes {
            sim,
            streamer,
            tester,
        } = &self.exit;
        if !self.exit.all_zero() {
            format!("process_rc(sim={sim},streamer={streamer},tester={tester})")
        } else {
            let violations = self.violations(strictness);
            if violations.is_empty() {
                "all checks passed".to_string()
            } else {
                violations.join("; ")
            }
        }
    }
}

impl Run {
    /// Returns how many scenarios pass.
    pub fn pass_count(&self, strictness: Strictness) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.passes(strictness))
            .count()
    }

    /// Returns the reference's `all_pass`: three scenarios, all passed.
    pub fn all_pass(&self, strictness: Strictness) -> bool {
        self.scenarios.len() == 3 && self.pass_count(strictness) == 3
    }
}
