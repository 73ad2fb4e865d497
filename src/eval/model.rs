//! The evaluated scenario: the one model every face renders, with every decision in it.
//!
//! Evaluation (`evaluation`, `evidence`) fills it; the summary, the test
//! cases and the JUnit report only read it. Each verdict is decided here —
//! a check's, the exit codes', the scenario set's — so that no two faces can
//! disagree. Evidence positions (file, byte offset, line number) travel with
//! every metric so that a failure can say where its number came from.

use crate::eval::thresholds::CheckSpec;
use crate::input::manifest::Row;
use crate::py::int::PyInt;
use crate::py::value::Value;
use crate::scan::kv::Pairs;
use camino::Utf8PathBuf;
use std::collections::HashMap;
use std::fmt;

/// How something judged turned out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Judged and passed.
    Pass,
    /// A limit or an exit code was missed; the text says how.
    Failure(String),
    /// The evidence is missing or unusable, so nothing could be judged; the text says why.
    Error(String),
}

impl Verdict {
    /// Returns true if and only if the verdict is a pass.
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass)
    }

    /// Returns the failure's or error's text, `None` for a pass.
    pub fn text(&self) -> Option<&str> {
        match self {
            Verdict::Pass => None,
            Verdict::Failure(text) | Verdict::Error(text) => Some(text),
        }
    }
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
    /// Not read: the path leads out of the run directory (to [`Evidence::outside`])
    /// and evaluation is confined.
    Refused,
}

/// An evidence file the manifest names, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The path as the manifest gives it.
    pub named: String,
    /// The path that was tried: beside the manifest if something is there, else as named
    /// (relative to the current directory); `None` when the manifest names none.
    pub path: Option<Utf8PathBuf>,
    /// True if and only if something exists at [`Evidence::path`].
    pub found: bool,
    /// Where the path leads, symlinks followed, when that is outside the run
    /// directory (the folder holding the manifest): through `..`, as an
    /// absolute path elsewhere, or through a symlink.
    pub outside: Option<Utf8PathBuf>,
}

impl Evidence {
    /// Returns the path to show: the one tried, else the one named.
    pub fn shown(&self) -> &str {
        self.path.as_ref().map_or(&self.named, |path| path.as_str())
    }
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
    /// A run of the line's text without white space went past
    /// [`crate::scan::kv::VALUE_MAX`] bytes, or the scenario's pairs past
    /// [`crate::scan::kv::PAIRS_BUDGET`], so a metric absent from `pairs` may have been on it.
    pub cut: bool,
}

/// The last line of each scanned token, in the suite's order; `None` where the
/// token never appeared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub lines: Vec<(String, Option<MetricLine>)>,
    /// How the log changed while it was scanned, if it did: a run still writing it.
    pub changed: Option<LogChange>,
    /// How the log looks when a logging stack wrote it and no `logs` section says how
    /// to read it; looked for only when a check misses its metric.
    pub look: Option<crate::scan::format::Hint>,
}

/// How a log changed between its opening and the end of its scan, told by its length
/// and its modification time: a run may still be writing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogChange {
    /// It grew from `from` to `to` bytes; the lines judged are those of the first `from`.
    Grew { from: u64, to: u64 },
    /// It shrank from `from` to `to` bytes: truncated, or rotated in place.
    Shrank { from: u64, to: u64 },
    /// Its length stayed, but it was written to.
    Rewritten,
    /// Its path names another file by now (a log rotated by renaming); the file
    /// opened was read.
    Replaced,
}

impl fmt::Display for LogChange {
    /// Words the change as a clause: `grew from 10 to 20 bytes while it was read`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogChange::Grew { from, to } => {
                write!(f, "grew from {from} to {to} bytes while it was read")
            }
            LogChange::Shrank { from, to } => write!(
                f,
                "shrank from {from} to {to} bytes while it was read (truncated or replaced)"
            ),
            LogChange::Rewritten => f.write_str("was written to while it was read"),
            LogChange::Replaced => f.write_str("was replaced by another file while it was read"),
        }
    }
}

impl Metrics {
    /// Returns the last line of `token`.
    pub fn line(&self, token: &str) -> Option<&MetricLine> {
        self.lines
            .iter()
            .find(|(scanned, _)| scanned == token)
            .and_then(|(_, line)| line.as_ref())
    }

    /// Returns the last line of `token`, to fill in its line number.
    pub fn line_mut(&mut self, token: &str) -> Option<&mut MetricLine> {
        self.lines
            .iter_mut()
            .find(|(scanned, _)| scanned == token)
            .and_then(|(_, line)| line.as_mut())
    }

    /// Returns the token a check reads: its own, else the first whose last line holds the metric.
    pub fn token_of<'a>(&'a self, spec: &'a CheckSpec) -> Option<&'a str> {
        if let Some(token) = &spec.token {
            return Some(token);
        }
        self.lines
            .iter()
            .find(|(_, line)| {
                line.as_ref()
                    .is_some_and(|line| line.pairs.iter().any(|(key, _)| *key == spec.metric))
            })
            .map(|(token, _)| token.as_str())
    }
}

/// A metric's value on one line of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// Byte offset of the line.
    pub offset: u64,
    /// 1-based line number, found for the lines a failure names (it costs a count of
    /// the breaks before them).
    pub line: Option<u64>,
    pub value: PyInt,
}

impl Point {
    /// Names the line: `line 1882`, or its byte offset where it was not numbered.
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("line {line}"),
            None => format!("byte offset {}", self.offset),
        }
    }
}

/// A metric over every line of the log that holds it, for a limit judged `over: all`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Lines holding the metric.
    pub lines: u64,
    /// Lines whose value crosses the limit.
    pub crossed: u64,
    /// The first line that crossed the limit.
    pub first: Option<Point>,
    /// The value furthest past the limit's side (the highest for a max, the lowest for a min).
    pub worst: Option<Point>,
    /// The first value `int()` rejects, with its line; such a log cannot be judged.
    pub invalid: Option<(Point, Value)>,
}

/// The value a check found for its metric.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed {
    /// `int()` of the metric's value.
    Value(PyInt),
    /// The metric is not on its line, or its line never appeared.
    Missing,
    /// The value is one that Python's `int()` rejects; the reference crashes here.
    Invalid { value: Value },
    /// The metric is not among the pairs read of its line, which was cut: it may have
    /// been on the part not kept.
    Cut { len: u64 },
    /// Every line holding the metric, for a limit judged `over: all`.
    All(Series),
}

/// One threshold check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// What it bounds, how, and the limit in force (`None` when the run's mode is
    /// unknown: only the harness judges such a run, and its checks are errors).
    pub spec: CheckSpec,
    pub observed: Observed,
    /// Why the line the check judged may not be the run's last word: it has no line
    /// end (a writer may be in the middle of it). Judged strictly, the check is then an
    /// error; the reference's reading judges the line as it stands.
    pub unsettled: Option<String>,
}

impl Check {
    /// Returns true if and only if the check found no value of its metric it could judge:
    /// none on the last line, or on no line of the run, or one that is no integer.
    pub fn misses(&self) -> bool {
        match &self.observed {
            Observed::Missing | Observed::Invalid { .. } => true,
            Observed::All(series) => series.lines == 0 || series.invalid.is_some(),
            Observed::Value(_) | Observed::Cut { .. } => false,
        }
    }

    /// Judges `actual` against `limit` as the reference's `make_check_min/max` do.
    fn judge(&self, actual: &PyInt, limit: i64) -> Verdict {
        let bound = self.spec.bound;
        if bound.beyond(actual, &PyInt::from_i64(limit)) {
            let op = bound.beyond_sign();
            Verdict::Failure(format!("{}={} {} {}", self.spec.metric, actual, op, limit))
        } else {
            Verdict::Pass
        }
    }

    /// Judges every line of a series: one crossing fails the check.
    fn judge_series(&self, series: &Series, limit: i64) -> Option<Verdict> {
        let Series {
            lines,
            crossed,
            first,
            worst,
            invalid: _,
        } = series;
        if *lines == 0 {
            return None;
        }
        let (Some(first), Some(worst), true) = (first, worst, *crossed > 0) else {
            return Some(Verdict::Pass);
        };
        let op = self.spec.bound.beyond_sign();
        Some(Verdict::Failure(format!(
            "{}={} {op} {limit} on {crossed} of {lines} lines; first at {}, worst {} at {}",
            self.spec.metric,
            first.value,
            first.place(),
            worst.value,
            worst.place()
        )))
    }

    /// Returns the verdict under `strictness`; the reference's counts an absent metric as 0.
    pub fn verdict(&self, strictness: Strictness) -> Verdict {
        let Some(limit) = self.spec.limit else {
            return Verdict::Error("no mode, so no limit".to_string());
        };
        if let (Some(unsettled), Strictness::Strict) = (&self.unsettled, strictness) {
            return Verdict::Error(unsettled.clone());
        }
        let missing = Observed::Missing;
        let observed = match &self.observed {
            Observed::All(series) => match (&series.invalid, self.judge_series(series, limit)) {
                (Some((_, value)), _) => {
                    return self.invalid_verdict(value, strictness);
                }
                (None, Some(verdict)) => return verdict,
                (None, None) => &missing,
            },
            other => other,
        };
        match (observed, strictness) {
            (Observed::Value(actual), _) => self.judge(actual, limit),
            (Observed::Missing, Strictness::Reference) => self.judge(&PyInt::from_i64(0), limit),
            (Observed::Missing, Strictness::Strict) => {
                Verdict::Error(format!("metric {} never appeared", self.spec.metric))
            }
            (Observed::Invalid { value }, _) => self.invalid_verdict(value, strictness),
            (Observed::Cut { len }, Strictness::Reference) => {
                Verdict::Failure(self.cut_words(*len))
            }
            (Observed::Cut { len }, Strictness::Strict) => Verdict::Error(self.cut_words(*len)),
            (Observed::All(_), _) => Verdict::Error("internal error: a nested series".to_string()),
        }
    }

    /// Words a metric missing from the part of its line that was read.
    fn cut_words(&self, len: u64) -> String {
        format!(
            "{} is not among the pairs read of its line of {len} bytes: a run of more than {} bytes without white space, or more than the {} bytes of pairs a scenario keeps, was cut",
            self.spec.metric,
            crate::scan::kv::VALUE_MAX,
            crate::scan::kv::PAIRS_BUDGET
        )
    }

    /// Returns the verdict on a value `int()` rejects, in our words.
    fn invalid_verdict(&self, value: &Value, strictness: Strictness) -> Verdict {
        let text = not_an_integer(&self.spec.metric, value);
        match strictness {
            Strictness::Reference => Verdict::Failure(text),
            Strictness::Strict => Verdict::Error(text),
        }
    }
}

/// One process's exit code as the reference parses it (-1 when unreadable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCode {
    pub code: PyInt,
    /// The manifest's text when `int()` rejects it (the code then counts as -1).
    pub unreadable: Option<String>,
}

impl ExitCode {
    /// Parses a manifest cell as the reference's `parse_exit` does.
    pub fn parse(cell: &str) -> ExitCode {
        match PyInt::parse(cell) {
            Ok(code) => ExitCode {
                code,
                unreadable: None,
            },
            Err(_) => ExitCode {
                code: PyInt::from_i64(-1),
                unreadable: Some(cell.to_string()),
            },
        }
    }
}

/// Exit codes of the three processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCodes {
    pub sim: ExitCode,
    pub streamer: ExitCode,
    pub tester: ExitCode,
}

impl ExitCodes {
    /// Returns true if and only if all three processes exited 0.
    pub fn all_zero(&self) -> bool {
        [&self.sim, &self.streamer, &self.tester]
            .iter()
            .all(|exit| exit.code.is_zero())
    }

    /// Returns the codes as the reference words them: `process_rc(sim=0,streamer=1,tester=0)`.
    pub fn words(&self) -> String {
        let ExitCodes {
            sim,
            streamer,
            tester,
        } = self;
        format!(
            "process_rc(sim={},streamer={},tester={})",
            sim.code, streamer.code, tester.code
        )
    }

    /// Judges the codes: all 0 passes, another code fails, a code the manifest does not
    /// give as an integer is an error.
    pub fn verdict(&self) -> Verdict {
        let columns = [
            ("sim_rc", &self.sim),
            ("streamer_rc", &self.streamer),
            ("tester_rc", &self.tester),
        ];
        let unreadable: Vec<String> = columns
            .iter()
            .filter_map(|(column, exit)| {
                let text = exit.unreadable.as_ref()?;
                Some(format!("{column}={text:?} is not an integer"))
            })
            .collect();
        if !unreadable.is_empty() {
            Verdict::Error(format!(
                "{}: {} (counted as -1)",
                self.words(),
                unreadable.join(", ")
            ))
        } else if self.all_zero() {
            Verdict::Pass
        } else {
            Verdict::Failure(self.words())
        }
    }
}

/// The evidence files of a scenario, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Files {
    /// `None` when only the streamer log was resolved
    /// ([`crate::eval::evaluation::Options::streamer_log_only`]).
    pub sim_log: Option<Evidence>,
    pub streamer_log: Evidence,
    /// `None` when only the streamer log was resolved.
    pub tester_log: Option<Evidence>,
}

/// A value on a metric line that `int()` rejects although no check of the scenario
/// reads it; the reference converts it anyway and crashes.
#[derive(Clone, Debug, PartialEq)]
pub struct UncheckedValue {
    pub token: &'static str,
    pub key: &'static str,
    pub value: Value,
}

/// An evaluated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The manifest record, verbatim.
    pub row: Row,
    pub order: PyInt,
    pub duration_ms: PyInt,
    pub exit: ExitCodes,
    pub files: Files,
    /// What became of the streamer log, the one log whose metrics are read.
    pub log: LogStatus,
    pub metrics: Metrics,
    pub checks: Vec<Check>,
    /// Values the reference would crash on that no check reads.
    pub unchecked: Vec<UncheckedValue>,
    /// Each checked metric over the whole log, when evaluation was asked to draw them
    /// ([`crate::eval::evaluation::Options::charts`]); empty otherwise.
    pub charts: Vec<Chart>,
}

/// Says why `value` of `metric` is no integer: `p50_us="3x1" is not an integer`.
pub fn not_an_integer(metric: &str, value: &Value) -> String {
    match value {
        Value::Float(float) => format!(
            "{metric}={} is not an integer ({} float)",
            value.text(),
            if float.is_nan() {
                "a NaN"
            } else {
                "an infinite"
            }
        ),
        Value::Str(text)
            if crate::py::int::PyInt::parse(text)
                == Err(crate::py::int::IntError::TooManyDigits) =>
        {
            format!(
                "{metric} has {} characters: more than 4300 digits, too long for an integer",
                text.chars().count()
            )
        }
        _ => {
            let text = value.text();
            let words = format!("{metric}={} is not an integer", shown_value(&text));
            // `p50_us="1.7ms"`: a unit other than the key's is never converted.
            match crate::scan::format::unit_mismatch(metric, &text) {
                Some(why) => format!("{words}: {why}"),
                None => words,
            }
        }
    }
}

/// Quotes a value for a message, cut to its first 200 characters: a log may hold a
/// value of megabytes (a crash that wrote NULs), a message must stay a line.
fn shown_value(text: &str) -> String {
    const SHOWN: usize = 200;
    let count = text.chars().count();
    if count <= SHOWN {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(SHOWN).collect();
    format!("{head:?}… ({count} characters)")
}

impl Scenario {
    /// Returns the violations (and errors) of the checks, as the reference lists them.
    pub fn violations(&self, strictness: Strictness) -> Vec<String> {
        self.checks
            .iter()
            .filter_map(|check| check.verdict(strictness).text().map(str::to_string))
            .collect()
    }

    /// Returns true if and only if all processes exited 0 and no check failed.
    pub fn passes(&self, strictness: Strictness) -> bool {
        self.exit.all_zero()
            && self
                .checks
                .iter()
                .all(|check| check.verdict(strictness).passed())
    }

    /// Returns the scenario's `reason` as the reference words it.
    pub fn reason(&self, strictness: Strictness) -> String {
        if !self.exit.all_zero() {
            return self.exit.words();
        }
        let violations = self.violations(strictness);
        if violations.is_empty() {
            "all checks passed".to_string()
        } else {
            violations.join("; ")
        }
    }
}

/// The run's counts and overall verdict as the reference's summary gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    /// The reference's `all_pass`: as many scenarios as expected (three for the
    /// reference), all passed.
    pub all_pass: bool,
}

impl Tally {
    /// Counts the scenarios that pass under `strictness`, `expected` being how many the
    /// suite expects.
    pub fn of(scenarios: &[&Scenario], expected: usize, strictness: Strictness) -> Tally {
        let pass = scenarios
            .iter()
            .filter(|scenario| scenario.passes(strictness))
            .count();
        Tally::counted(scenarios.len(), pass, expected)
    }

    /// Returns the tally of `total` scenarios of which `pass` pass, `expected` being how
    /// many the suite expects.
    pub fn counted(total: usize, pass: usize, expected: usize) -> Tally {
        Tally {
            total,
            pass,
            fail: total.saturating_sub(pass),
            all_pass: total == expected && pass == expected,
        }
    }
}

/// What is wrong with a run's set of scenario ids against the expected set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScenarioSet {
    /// The ids the suite expects, each once.
    pub expected: Vec<String>,
    /// Expected ids the run lacks.
    pub missing: Vec<String>,
    /// Expected ids the run holds more than once, with their counts.
    pub repeated: Vec<(String, usize)>,
    /// Ids the run holds that are not expected.
    pub unexpected: Vec<String>,
}

impl ScenarioSet {
    /// Compares the run's ids, in evaluation order, with the `expected` set.
    pub fn of<S: AsRef<str>>(ids: &[S], expected: &[String]) -> ScenarioSet {
        // Counted in one pass, listed in order of first appearance: linear in the ids,
        // so a manifest of 100,000 rows is compared at once.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut first_seen: Vec<&str> = Vec::new();
        for id in ids {
            let id = id.as_ref();
            let count = counts.entry(id).or_insert(0);
            if *count == 0 {
                first_seen.push(id);
            }
            *count += 1;
        }
        let mut set = ScenarioSet {
            missing: expected
                .iter()
                .filter(|known| !counts.contains_key(known.as_str()))
                .cloned()
                .collect(),
            expected: expected.to_vec(),
            ..ScenarioSet::default()
        };
        for id in first_seen {
            let count = counts[id];
            if !expected.iter().any(|known| known == id) {
                set.unexpected.push(id.to_string());
            } else if count > 1 {
                set.repeated.push((id.to_string(), count));
            }
        }
        set
    }

    /// Judges the set: exactly the expected ids, once each.
    pub fn verdict(&self) -> Verdict {
        let ScenarioSet {
            expected,
            missing,
            repeated,
            unexpected,
        } = self;
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", missing.join(", ")));
        }
        if !repeated.is_empty() {
            let repeated: Vec<String> = repeated
                .iter()
                .map(|(id, count)| format!("{id} ({count} times)"))
                .collect();
            problems.push(format!("repeated {}", repeated.join(", ")));
        }
        if !unexpected.is_empty() {
            let unexpected: Vec<String> = unexpected.iter().map(|id| format!("{id:?}")).collect();
            problems.push(format!("unexpected {}", unexpected.join(", ")));
        }
        if problems.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Failure(format!(
                "expected {} once each: {}",
                expected.join(", "),
                problems.join("; ")
            ))
        }
    }
}

/// Buckets a chart splits the log into; each keeps its lowest and highest point
/// (gathering them is `chart`'s).
pub const BUCKETS: u64 = 498;

/// The most points a chart holds: two per bucket, and the first, the last and the
/// first past the limit.
pub const MAX_POINTS: usize = 2 * BUCKETS as usize + 3;

/// A metric's value on one line of the log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartPoint {
    /// Byte offset of the line.
    pub offset: u64,
    /// The time the line starts with, in milliseconds since the Unix epoch (UTC).
    pub time: Option<i64>,
    pub value: f64,
}

/// What a chart's x axis measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// The time each line starts with (every kept point has one, in order).
    Time,
    /// The byte offset of each line in the log.
    Offset,
}

/// One checked metric over the whole log.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// The check charted, by position in its scenario's checks.
    pub check: usize,
    /// The token whose lines were read; `None`: the lines of every token.
    pub token: Option<String>,
    /// Lines holding the metric (with a value `int()` takes).
    pub lines: u64,
    /// Lines whose value is past the limit.
    pub crossed: u64,
    /// The kept points, in log order: at most [`MAX_POINTS`].
    pub points: Vec<ChartPoint>,
    /// The first point past the limit.
    pub first_crossed: Option<ChartPoint>,
    /// The value the check judged: the last line's for a limit on the last line, the
    /// worst for one judged over all lines.
    pub judged: Option<ChartPoint>,
    pub axis: Axis,
    /// Bytes of the log.
    pub log_len: u64,
}

impl Chart {
    /// Returns where `point` lies on the x axis: milliseconds or a byte offset.
    pub fn x(&self, point: &ChartPoint) -> f64 {
        match (self.axis, point.time) {
            (Axis::Time, Some(time)) => time as f64,
            _ => point.offset as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_in_another_unit_than_the_key_says_so() {
        let value = crate::py::value::to_number("1.7ms");
        assert_eq!(
            not_an_integer("p50_us", &value),
            "p50_us=\"1.7ms\" is not an integer: unit ms, the key says us"
        );
        let plain = crate::py::value::to_number("fast");
        assert_eq!(
            not_an_integer("p50_us", &plain),
            "p50_us=\"fast\" is not an integer"
        );
    }

    #[test]
    fn scenario_set_must_be_the_three_known_once_each() {
        let expected = ["torn_read", "sink_stall", "reset_storm"].map(String::from);
        assert_eq!(
            ScenarioSet::of(&["reset_storm", "torn_read", "sink_stall"], &expected).verdict(),
            Verdict::Pass
        );
        let bad = ScenarioSet::of(
            &["torn_read", "torn_read", "sink_stall", "other"],
            &expected,
        )
        .verdict();
        assert_eq!(
            bad,
            Verdict::Failure(
                "expected torn_read, sink_stall, reset_storm once each: missing reset_storm; repeated torn_read (2 times); unexpected \"other\"".to_string()
            )
        );
    }

    #[test]
    fn exit_codes_fail_on_nonzero_and_err_on_unreadable() {
        let codes = |sim: &str, streamer: &str, tester: &str| ExitCodes {
            sim: ExitCode::parse(sim),
            streamer: ExitCode::parse(streamer),
            tester: ExitCode::parse(tester),
        };
        assert_eq!(codes("0", " 0 ", "+0").verdict(), Verdict::Pass);
        assert_eq!(
            codes("0", "1", "0").verdict(),
            Verdict::Failure("process_rc(sim=0,streamer=1,tester=0)".to_string())
        );
        assert_eq!(
            codes("0", "crashed", "0").verdict(),
            Verdict::Error(
                "process_rc(sim=0,streamer=-1,tester=0): streamer_rc=\"crashed\" is not an integer (counted as -1)".to_string()
            )
        );
    }
}
