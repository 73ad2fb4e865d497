//! The suite file, `fault-suite.json`: which scenarios a run must hold, which
//! metric tokens to read, and per mode and scenario the limits.
//!
//! A mode table has the shape of `summary.json`'s `thresholds` block
//! (scenario → `<metric>_<min|max>` → integer), so a table can be pasted from
//! a summary. A limit is an integer, or `{"limit": N, "over": "last" | "all",
//! "token": "..."}`: `last` (the default) judges the last line holding the
//! metric, as the reference does; `all` judges every line of the log that holds
//! it. The scenario `"*"` gives the limits of every scenario its mode table does
//! not name. A `"//"` key is a note, allowed in any object. Everything else is
//! checked as it is read, so a misspelled key fails with its `file:line:column`
//! (and the closest right name) instead of passing unnoticed; a key left out
//! takes its default, and `null` is refused. The file's top level is the
//! derived `SuiteDoc`, whose fields are the suite's keys; `object` holds the
//! readers derive cannot say. Where a suite is found is `find`'s business (an
//! empty file is no suite yet); the reference's own table, the built-in suite,
//! is [`Suite::builtin`].

use crate::fs::open::{self, OpenError};
use crate::input::logs::Logs;
use crate::input::mode::Mode;
use crate::input::object::{
    self, did_you_mean, Check, Checked, Given, Key, Noted, Object, Ordered,
};
use crate::input::regression::{Regression, Section};
use crate::scan::format::Readings;
use camino::{Utf8Path, Utf8PathBuf};
use serde::de::{self, value::MapAccessDeserializer, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// The suite file's name, looked for in the run directory and in the folder holding it.
pub const SUITE_FILE: &str = "fault-suite.json";
/// Names the suite file for every run (`--suite` on the command line).
pub const SUITE_VAR: &str = "FAULT_SUITE";
/// The scenario whose table holds the limits of every scenario not named.
pub const ANY_SCENARIO: &str = "*";
/// Largest suite file read.
const SIZE_LIMIT: u64 = 4 << 20;

/// The reference's table and the regression defaults, as `fault-summary --print-suite`
/// prints them: the built-in suite.
const BUILTIN: &str = r#"{
  "//": "The reference's table (fault_summary_helper.py). \"*\" holds the limits of any other scenario.",
  "scenarios": ["torn_read", "sink_stall", "reset_storm"],
  "tokens": ["PIPELINE_METRICS", "LATENCY_METRICS", "FAULT_COUNTERS", "RTP_METRICS"],
  "modes": {
    "baseline": {
      "torn_read": {
        "torn_read_events_min": 1,
        "p50_us_max": 150000,
        "p99_us_max": 250000,
        "drop_ratio_ppm_max": 980000,
        "samples_min": 10
      },
      "sink_stall": {
        "sink_stall_events_min": 1,
        "p50_us_max": 350000,
        "p95_us_max": 600000,
        "drop_ratio_ppm_max": 980000,
        "samples_min": 10
      },
      "reset_storm": {
        "reset_events_min": 4,
        "p50_us_max": 800000,
        "p99_us_max": 1000000,
        "drop_ratio_ppm_max": 1000000,
        "samples_min": 1
      },
      "*": {
        "samples_min": 1,
        "p50_us_max": 500000,
        "drop_ratio_ppm_max": 1000000
      }
    },
    "degraded": {
      "torn_read": {
        "torn_read_events_min": 200,
        "p50_us_max": 1000,
        "p99_us_max": 2000,
        "drop_ratio_ppm_max": 20000,
        "samples_min": 100
      },
      "sink_stall": {
        "sink_stall_events_min": 200,
        "p50_us_max": 1000,
        "p95_us_max": 2000,
        "drop_ratio_ppm_max": 20000,
        "samples_min": 100
      },
      "reset_storm": {
        "reset_events_min": 20,
        "p50_us_max": 1000,
        "p99_us_max": 2000,
        "drop_ratio_ppm_max": 20000,
        "samples_min": 100
      },
      "*": {
        "samples_min": 1,
        "p50_us_max": 500000,
        "drop_ratio_ppm_max": 1000000
      }
    }
  },
  "regression": {
    "//": "Each run against the runs before it (README: History); false turns it off.",
    "window": 7,
    "min_runs": 3,
    "test": "percent",
    "metrics": {
      "p50_us": {"max_increase_pct": 25},
      "p95_us": {"max_increase_pct": 25},
      "p99_us": {"max_increase_pct": 25},
      "drop_ratio_ppm": {"max_increase_pct": 50}
    }
  }
}
"#;

/// Whether a limit bounds its metric from below or from above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    Min,
    Max,
}

impl Bound {
    /// Returns `"min"` or `"max"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
        }
    }

    /// Returns true if and only if `value` lies strictly on the failing side of `than`:
    /// above it for a maximum, below it for a minimum.
    pub fn beyond<T: PartialOrd + ?Sized>(self, value: &T, than: &T) -> bool {
        match self {
            Bound::Min => value < than,
            Bound::Max => value > than,
        }
    }

    /// Returns the operator a message puts between a value beyond the limit and the
    /// limit: `<` for a minimum, `>` for a maximum.
    pub fn beyond_sign(self) -> char {
        match self {
            Bound::Min => '<',
            Bound::Max => '>',
        }
    }
}

/// Which metric lines of a log a limit judges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Over {
    /// The last line holding the metric, as the reference judges it.
    #[default]
    Last,
    /// Every line holding the metric: a limit crossed once during the run fails.
    All,
}

impl Over {
    /// Returns `"last"` or `"all"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Over::Last => "last",
            Over::All => "all",
        }
    }
}

/// One limit of a scenario's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The key as the table spells it: `p99_us_max`, or the reference's `samples_min`.
    pub key: String,
    /// The metric it bounds: `p99_us`; `samples_min` bounds `ingest_to_emit_samples`.
    pub metric: String,
    pub bound: Bound,
    pub value: i64,
    pub over: Over,
    /// The token of the line to read the metric from, when the table names one.
    pub token: Option<String>,
}

/// The limits of one scenario (or of [`ANY_SCENARIO`]) in one mode, in the file's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub scenario: String,
    pub limits: Vec<Limit>,
}

/// The tables of one mode, in the file's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeTables {
    pub mode: Mode,
    pub tables: Vec<Table>,
}

/// A suite: the built-in one or a file's.
#[derive(Clone, Debug, PartialEq)]
pub struct Suite {
    /// The file it was read from; `None` for the built-in suite.
    pub origin: Option<Utf8PathBuf>,
    /// The scenario ids a run must hold, each once.
    pub scenarios: Vec<String>,
    /// The metric tokens read from each streamer log, in order.
    pub tokens: Vec<String>,
    pub modes: Vec<ModeTables>,
    /// How runs are judged against the runs before them; `None` when turned off.
    pub regression: Option<Regression>,
    /// How the streamer's logs are written (`"logs"`); off, the reference's reading, without it.
    pub logs: Readings,
}

/// Why a suite file cannot be used.
#[derive(Debug)]
pub enum SuiteError {
    /// The file could not be read.
    Unreadable { path: Utf8PathBuf, reason: String },
    /// The file is not JSON, or not a suite; `line` and `column` are 1-based.
    Invalid {
        path: Utf8PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A run's mode has no table in the suite.
    NoMode {
        origin: String,
        mode: Mode,
        defined: Vec<Mode>,
    },
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuiteError::Unreadable { path, reason } => write!(f, "{path}: {reason}"),
            SuiteError::Invalid {
                path,
                line,
                column,
                message,
            } => write!(f, "{path}:{line}:{column}: {message}"),
            SuiteError::NoMode {
                origin,
                mode,
                defined,
            } => {
                let defined: Vec<&str> = defined.iter().map(|mode| mode.as_str()).collect();
                write!(
                    f,
                    "{origin}: the run's mode {mode} has no table: \"modes\" defines {}",
                    if defined.is_empty() {
                        "none".to_string()
                    } else {
                        defined.join(", ")
                    }
                )
            }
        }
    }
}

impl std::error::Error for SuiteError {}

impl Suite {
    /// Returns the built-in suite: the reference's scenarios, tokens and table.
    pub fn builtin() -> Suite {
        // The text is ours and checked by the tests; a failure here is a bug.
        let mut suite = parse(BUILTIN, Utf8Path::new("(built-in suite)"))
            .unwrap_or_else(|err| panic!("the built-in suite does not parse: {err}"));
        suite.origin = None;
        suite
    }

    /// Returns the built-in suite's text, as `--print-suite` prints it.
    pub fn builtin_text() -> &'static str {
        BUILTIN
    }

    /// Reads the suite file at `path`.
    pub fn read(path: &Utf8Path) -> Result<Suite, SuiteError> {
        let bytes = open::read_regular(path.as_std_path(), SIZE_LIMIT).map_err(|err| {
            SuiteError::Unreadable {
                path: path.to_path_buf(),
                reason: match err {
                    OpenError::Missing => "no such file".to_string(),
                    other => other.to_string(),
                },
            }
        })?;
        let text = String::from_utf8(bytes).map_err(|err| {
            let offset = err.utf8_error().valid_up_to();
            let before = &err.as_bytes()[..offset];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            let column = offset
                - before
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            SuiteError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: "not valid UTF-8".to_string(),
            }
        })?;
        parse(&text, path)
    }

    /// Returns true if and only if the suite says what the built-in one says, wherever it
    /// was read from: its runs are judged, and summarized, as the reference does.
    pub fn same_as_builtin(&self) -> bool {
        let builtin = Suite::builtin();
        self.scenarios == builtin.scenarios
            && self.tokens == builtin.tokens
            && self.modes == builtin.modes
            && self.regression == builtin.regression
            && self.logs == builtin.logs
    }

    /// Returns a name for where the suite came from, for messages.
    pub fn origin_name(&self) -> String {
        self.origin
            .as_ref()
            .map_or_else(|| "the built-in suite".to_string(), |path| path.to_string())
    }

    /// Returns the tables of `mode`, or why there are none.
    pub fn mode(&self, mode: Mode) -> Result<&ModeTables, SuiteError> {
        self.modes
            .iter()
            .find(|tables| tables.mode == mode)
            .ok_or_else(|| SuiteError::NoMode {
                origin: self.origin_name(),
                mode,
                defined: self.modes.iter().map(|tables| tables.mode).collect(),
            })
    }
}

impl ModeTables {
    /// Returns the limits of `scenario`: its own table, else the [`ANY_SCENARIO`] one, else none.
    pub fn limits(&self, scenario: &str) -> &[Limit] {
        let table = |id: &str| self.tables.iter().find(|table| table.scenario == id);
        table(scenario)
            .or_else(|| table(ANY_SCENARIO))
            .map_or(&[], |table| table.limits.as_slice())
    }
}

/// Where a run's suite comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Named by `--suite` or `FAULT_SUITE`, for every run.
    Named(Utf8PathBuf),
    /// `fault-suite.json` in the run directory.
    InRun(Utf8PathBuf),
    /// `fault-suite.json` in the folder that holds the run directory, for all its runs.
    InFolder(Utf8PathBuf),
    /// No file: the built-in suite, the reference's table.
    Builtin,
}

impl Found {
    /// Returns the file, if there is one.
    fn path(&self) -> Option<&Utf8Path> {
        match self {
            Found::Named(path) | Found::InRun(path) | Found::InFolder(path) => Some(path),
            Found::Builtin => None,
        }
    }
}

/// Where a suite was found, and the empty suite files passed over on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    pub found: Found,
    /// Files that exist but are empty: no suite yet (as `--print-suite > fault-suite.json`
    /// leaves the file while it runs), taken as absent.
    pub empty: Vec<Utf8PathBuf>,
}

/// Finds the suite of the run in `run_dir`: `named` (`--suite`, `FAULT_SUITE`), else
/// `fault-suite.json` in the run directory, else in the folder holding it, else none.
/// An empty file is no suite yet: it is passed over, as if it were not there.
pub fn find(run_dir: &Utf8Path, named: Option<&Utf8Path>) -> Found {
    search(Some(run_dir), named).found
}

/// Finds a suite as [`find`] does, in the run directory and its folder only when
/// `run_dir` is given, and says which empty files it passed over.
pub fn search(run_dir: Option<&Utf8Path>, named: Option<&Utf8Path>) -> Search {
    let mut places: Vec<Found> = named
        .map(|named| Found::Named(named.to_path_buf()))
        .into_iter()
        .collect();
    if let Some(run_dir) = run_dir {
        let in_run = run_dir.join(SUITE_FILE);
        if in_run.symlink_metadata().is_ok() {
            places.push(Found::InRun(in_run));
        }
        let in_folder = crate::input::run_dir::folder_of(run_dir).join(SUITE_FILE);
        if in_folder.symlink_metadata().is_ok() {
            places.push(Found::InFolder(in_folder));
        }
    }
    let mut empty = Vec::new();
    for found in places {
        match found.path() {
            // A missing named file is found, to fail as such when it is read.
            Some(path)
                if std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.len() == 0) =>
            {
                empty.push(path.to_path_buf());
            }
            _ => return Search { found, empty },
        }
    }
    Search {
        found: Found::Builtin,
        empty,
    }
}

/// Parses suite text; `path` names it in errors.
pub fn parse(text: &str, path: &Utf8Path) -> Result<Suite, SuiteError> {
    let invalid = |err: serde_json::Error| SuiteError::Invalid {
        path: path.to_path_buf(),
        line: err.line(),
        column: err.column(),
        message: strip_position(&err.to_string()),
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let Noted(doc) = Noted::<SuiteDoc>::deserialize(&mut deserializer).map_err(invalid)?;
    deserializer.end().map_err(invalid)?;
    let SuiteDoc {
        scenarios,
        tokens,
        modes,
        regression,
        logs,
    } = doc;
    let suite = Suite {
        origin: Some(path.to_path_buf()),
        scenarios: scenarios.0.map_or_else(
            || {
                ["torn_read", "sink_stall", "reset_storm"]
                    .map(String::from)
                    .to_vec()
            },
            |Checked(Scenarios(names))| names,
        ),
        tokens: tokens.0.map_or_else(
            || {
                [
                    "PIPELINE_METRICS",
                    "LATENCY_METRICS",
                    "FAULT_COUNTERS",
                    "RTP_METRICS",
                ]
                .map(String::from)
                .to_vec()
            },
            |Checked(Tokens(names))| names,
        ),
        // Without "modes" (a file that only says how logs are written) the reference's table.
        modes: modes.0.map_or_else(
            || Suite::builtin().modes,
            |Ordered(modes)| modes.into_iter().map(mode_tables).collect(),
        ),
        regression: regression
            .0
            .map_or_else(|| Some(Regression::default()), |Section(on)| on),
        logs: logs
            .0
            .map_or_else(Readings::default, |Logs(readings)| readings),
    };
    check_tokens(&suite, text, path)?;
    Ok(suite)
}

/// Removes serde_json's ` at line L column C` from a message that is given its position apart.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Checks that every token a limit names is among the suite's tokens; `text` is the
/// suite's, to find the token's position in.
fn check_tokens(suite: &Suite, text: &str, path: &Utf8Path) -> Result<(), SuiteError> {
    for tables in &suite.modes {
        for table in &tables.tables {
            for limit in &table.limits {
                let Some(token) = &limit.token else { continue };
                if suite.tokens.contains(token) {
                    continue;
                }
                let at = [
                    "modes",
                    tables.mode.as_str(),
                    &table.scenario,
                    &limit.key,
                    "token",
                ];
                let (line, column) = object::locate(text, &at).unwrap_or((1, 1));
                return Err(SuiteError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: format!(
                        "{}: token {token:?} is not among \"tokens\" ({}){}",
                        at[..4].join("."),
                        suite.tokens.join(", "),
                        did_you_mean(token, suite.tokens.iter().map(String::as_str))
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The `"modes"` object as read: mode → scenario → limit key → limit.
type ModesDoc = Ordered<Mode, Ordered<ScenarioId, Ordered<LimitKey, LimitValue>>>;

/// The top level of a suite file as read, before defaults; its fields are the suite's keys.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SuiteDoc {
    scenarios: Given<Checked<Scenarios>>,
    tokens: Given<Checked<Tokens>>,
    modes: Given<ModesDoc>,
    regression: Given<Section>,
    logs: Given<Logs>,
}

impl Object for SuiteDoc {
    const NOUN: &'static str = "suite";
    const EXPECTING: &'static str = "a suite object with \"scenarios\", \"tokens\" and \"modes\"";
}

/// Returns a mode's tables as read.
fn mode_tables(
    (mode, Ordered(tables)): (Mode, Ordered<ScenarioId, Ordered<LimitKey, LimitValue>>),
) -> ModeTables {
    let tables = tables
        .into_iter()
        .map(|(ScenarioId(scenario), Ordered(limits))| Table {
            scenario,
            limits: limits
                .into_iter()
                .map(|(key, value)| Limit {
                    key: key.key,
                    metric: key.metric,
                    bound: key.bound,
                    value: value.value,
                    over: value.over,
                    token: value.token,
                })
                .collect(),
        })
        .collect();
    ModeTables { mode, tables }
}

/// `"scenarios"`: the scenario ids a run must hold.
struct Scenarios(Vec<String>);

impl Check for Scenarios {
    type Raw = Vec<String>;
    const EXPECTING: &'static str = "a list of scenario names";
    fn check(raw: Vec<String>) -> Result<Scenarios, String> {
        names("scenario", raw).map(Scenarios)
    }
}

/// `"tokens"`: the metric tokens read from each log.
struct Tokens(Vec<String>);

impl Check for Tokens {
    type Raw = Vec<String>;
    const EXPECTING: &'static str = "a list of token names";
    fn check(raw: Vec<String>) -> Result<Tokens, String> {
        names("token", raw).map(Tokens)
    }
}

/// Checks a list of distinct, non-empty names without white space: scenario ids or tokens.
fn names(kind: &str, names: Vec<String>) -> Result<Vec<String>, String> {
    for (at, name) in names.iter().enumerate() {
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(format!(
                "{kind} name {name:?} is empty or holds white space"
            ));
        }
        if names[..at].contains(name) {
            return Err(format!("{kind} {name:?} is listed twice"));
        }
    }
    if names.is_empty() {
        return Err(format!("the list of {kind}s is empty"));
    }
    Ok(names)
}

impl Key for Mode {
    const MAP: &'static str = "an object of modes (\"baseline\", \"degraded\")";

    fn parse(key: &str) -> Result<Mode, String> {
        Mode::parse(key).ok_or_else(|| {
            let modes = [Mode::Baseline, Mode::Degraded].map(Mode::as_str);
            format!(
                "unknown mode {key:?}: modes are \"baseline\" and \"degraded\"{}",
                did_you_mean(key, modes)
            )
        })
    }

    fn spelled(&self) -> &str {
        self.as_str()
    }
}

/// A scenario id (or [`ANY_SCENARIO`]), a key of a mode's tables.
#[derive(PartialEq)]
struct ScenarioId(String);

impl Key for ScenarioId {
    const MAP: &'static str = "an object of scenario tables";

    fn parse(key: &str) -> Result<ScenarioId, String> {
        Ok(ScenarioId(key.to_string()))
    }

    fn spelled(&self) -> &str {
        &self.0
    }
}

/// A limit's key: `<metric>_<min|max>`; two keys are the same if they bound the same
/// metric on the same side (`samples_min` is `ingest_to_emit_samples_min`).
struct LimitKey {
    key: String,
    metric: String,
    bound: Bound,
}

impl PartialEq for LimitKey {
    fn eq(&self, other: &LimitKey) -> bool {
        (&self.metric, self.bound) == (&other.metric, other.bound)
    }
}

impl Key for LimitKey {
    const MAP: &'static str =
        "an object of limits (\"<metric>_min\" or \"<metric>_max\" → integer)";

    fn parse(key: &str) -> Result<LimitKey, String> {
        let (metric, bound) = split_key(key).ok_or_else(|| {
            // "p99_us_mx" is close to "p99_us_max": offer the bounds of the same stem.
            let stem = key.rsplit_once('_').map_or(key, |(stem, _)| stem);
            let bounds = [format!("{stem}_max"), format!("{stem}_min")];
            format!(
                "limit {key:?} names no bound: a limit's key is \"<metric>_min\" or \"<metric>_max\"{}",
                did_you_mean(key, bounds.iter().map(String::as_str))
            )
        })?;
        Ok(LimitKey {
            key: key.to_string(),
            metric,
            bound,
        })
    }

    fn spelled(&self) -> &str {
        &self.key
    }
}

/// Splits a limit key into its metric and bound; `samples_min` is the reference's name
/// for the minimum of `ingest_to_emit_samples`.
fn split_key(key: &str) -> Option<(String, Bound)> {
    if key == "samples_min" {
        return Some(("ingest_to_emit_samples".to_string(), Bound::Min));
    }
    let (metric, bound) = if let Some(metric) = key.strip_suffix("_min") {
        (metric, Bound::Min)
    } else {
        (key.strip_suffix("_max")?, Bound::Max)
    };
    let valid = !metric.is_empty()
        && metric
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (metric.to_string(), bound))
}

/// A limit as the file gives it: an integer, or `{"limit": N, "over": ..., "token": ...}`.
struct LimitValue {
    value: i64,
    over: Over,
    token: Option<String>,
}

impl<'de> Deserialize<'de> for LimitValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LimitVisitor)
    }
}

/// Reads an integer or an object: what derive cannot say without losing the position.
struct LimitVisitor;

impl LimitVisitor {
    /// Returns a limit given as a bare integer.
    fn bare<E>(value: Result<Integer, E>) -> Result<LimitValue, E> {
        value.map(|Integer(value)| LimitValue {
            value,
            over: Over::Last,
            token: None,
        })
    }
}

impl<'de> Visitor<'de> for LimitVisitor {
    type Value = LimitValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an integer limit, or {\"limit\": N, \"over\": \"last\" | \"all\", \"token\": \"...\"}",
        )
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<LimitValue, E> {
        Self::bare(IntegerVisitor.visit_i64(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<LimitValue, E> {
        Self::bare(IntegerVisitor.visit_u64(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<LimitValue, E> {
        Self::bare(IntegerVisitor.visit_f64(value))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<LimitValue, A::Error> {
        let Noted(LimitObject { limit, over, token }) =
            Noted::deserialize(MapAccessDeserializer::new(map))?;
        Ok(LimitValue {
            value: limit.0,
            over: over.0.map_or(Over::Last, |Checked(over)| over),
            token: token.0,
        })
    }
}

/// A limit given as an object; its fields are its keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitObject {
    limit: Integer,
    #[serde(default)]
    over: Given<Checked<Over>>,
    #[serde(default)]
    token: Given<String>,
}

impl Object for LimitObject {
    const NOUN: &'static str = "limit";
    const EXPECTING: &'static str =
        "{\"limit\": N, \"over\": \"last\" | \"all\", \"token\": \"...\"}";
}

impl Check for Over {
    type Raw = String;
    const EXPECTING: &'static str = "\"last\" or \"all\"";
    fn check(raw: String) -> Result<Over, String> {
        match raw.as_str() {
            "last" => Ok(Over::Last),
            "all" => Ok(Over::All),
            other => Err(format!(
                "\"over\" is {other:?}: it is \"last\" (the last line holding the metric) or \"all\" (every line){}",
                did_you_mean(other, ["last", "all"])
            )),
        }
    }
}

/// The integer of a limit.
struct Integer(i64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntegerVisitor)
    }
}

struct IntegerVisitor;

impl<'de> Visitor<'de> for IntegerVisitor {
    type Value = Integer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Integer, E> {
        Ok(Integer(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Integer, E> {
        i64::try_from(value)
            .map(Integer)
            .map_err(|_| E::custom(format!("limit {value} is larger than {}", i64::MAX)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Integer, E> {
        Err(E::custom(format!("limit {value} is not an integer")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> String {
        parse(text, Utf8Path::new("s.json"))
            .expect_err("the text is refused")
            .to_string()
    }

    #[test]
    fn the_builtin_suite_is_the_references_table() {
        let suite = Suite::builtin();
        assert_eq!(suite.origin, None);
        assert_eq!(suite.scenarios, ["torn_read", "sink_stall", "reset_storm"]);
        let degraded = suite.mode(Mode::Degraded).unwrap();
        let keys: Vec<&str> = degraded
            .limits("torn_read")
            .iter()
            .map(|limit| limit.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "torn_read_events_min",
                "p50_us_max",
                "p99_us_max",
                "drop_ratio_ppm_max",
                "samples_min"
            ]
        );
        let other: Vec<(&str, i64)> = degraded
            .limits("latency_spike")
            .iter()
            .map(|limit| (limit.key.as_str(), limit.value))
            .collect();
        assert_eq!(
            other,
            [
                ("samples_min", 1),
                ("p50_us_max", 500_000),
                ("drop_ratio_ppm_max", 1_000_000)
            ]
        );
        assert_eq!(
            degraded.limits("torn_read")[4].metric,
            "ingest_to_emit_samples"
        );
    }

    #[test]
    fn limits_take_both_forms_and_notes_anywhere() {
        let suite = parse(
            r#"{"//": "note", "scenarios": ["clock_skew"], "tokens": ["LATENCY_METRICS", "CLOCK_METRICS"],
                "modes": {"degraded": {"clock_skew": {"//": "n", "clock_skew_events_min": 5,
                  "p99_us_max": {"limit": 3000, "over": "all", "//": "n"},
                  "rtp_jitter_us_max": {"limit": 500, "token": "CLOCK_METRICS"}}}}}"#,
            Utf8Path::new("s.json"),
        )
        .unwrap();
        let limits = suite.mode(Mode::Degraded).unwrap().limits("clock_skew");
        assert_eq!(limits.len(), 3);
        assert_eq!(limits[1].over, Over::All);
        assert_eq!(limits[1].value, 3000);
        assert_eq!(limits[2].token.as_deref(), Some("CLOCK_METRICS"));
        assert!(suite.mode(Mode::Baseline).is_err());
        assert!(suite
            .mode(Mode::Degraded)
            .unwrap()
            .limits("other")
            .is_empty());
    }

    #[test]
    fn a_suite_is_found_in_the_run_then_its_folder() {
        let scratch = crate::testing::Scratch::new("suite-find");
        let folder = scratch.utf8();
        let run = folder.join("nightly");
        std::fs::create_dir_all(&run).unwrap();
        assert_eq!(find(&run, None), Found::Builtin);
        std::fs::write(folder.join(SUITE_FILE), "{}").unwrap();
        assert_eq!(find(&run, None), Found::InFolder(folder.join(SUITE_FILE)));
        std::fs::write(run.join(SUITE_FILE), "{}").unwrap();
        assert_eq!(find(&run, None), Found::InRun(run.join(SUITE_FILE)));
        let named = Utf8Path::new("elsewhere.json");
        assert_eq!(find(&run, Some(named)), Found::Named(named.to_path_buf()));
    }

    #[test]
    fn an_empty_suite_file_is_no_suite_yet() {
        let scratch = crate::testing::Scratch::new("suite-empty");
        let folder = scratch.utf8();
        let run = folder.join("nightly");
        std::fs::create_dir_all(&run).unwrap();
        std::fs::write(folder.join(SUITE_FILE), "{}").unwrap();
        std::fs::write(run.join(SUITE_FILE), "").unwrap();
        let named = folder.join("named.json");
        std::fs::write(&named, "").unwrap();
        // Each empty file is passed over, as if it were not there.
        assert_eq!(
            search(Some(&run), Some(&named)),
            Search {
                found: Found::InFolder(folder.join(SUITE_FILE)),
                empty: vec![named.clone(), run.join(SUITE_FILE)],
            }
        );
        std::fs::write(folder.join(SUITE_FILE), "").unwrap();
        assert_eq!(find(&run, None), Found::Builtin);
        // Without a run directory only the named file is looked at.
        assert_eq!(search(None, Some(&named)).found, Found::Builtin);
        let missing = folder.join("missing.json");
        assert_eq!(search(None, Some(&missing)).found, Found::Named(missing));
    }

    #[test]
    fn the_builtin_text_holds_the_regression_defaults() {
        // Printed and read back, the built-in suite judges as the built-in one does.
        let printed = parse(Suite::builtin_text(), Utf8Path::new("printed.json")).unwrap();
        assert_eq!(printed.regression, Some(Regression::default()));
        assert!(printed.same_as_builtin());
        let doc: serde_json::Value = serde_json::from_str(Suite::builtin_text()).unwrap();
        assert_eq!(doc["regression"]["window"], 7);
    }

    #[test]
    fn bad_files_fail_with_their_position_and_what_was_expected() {
        let err = parse_err("{\n  \"scenarios\": [\"a\"],\n  \"thresholds\": {}\n}");
        assert!(err.starts_with("s.json:3:"), "{err}");
        assert!(err.contains("unknown key \"thresholds\""), "{err}");
        let err = parse_err("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_mx\": 5}}}}");
        assert!(err.contains("limit \"p99_us_mx\" names no bound"), "{err}");
        let err = parse_err("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": 2.5}}}}");
        assert!(err.contains("limit 2.5 is not an integer"), "{err}");
        let err = parse_err("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": \"2000\"}}}}");
        assert!(err.contains("expected an integer limit"), "{err}");
        let err = parse_err(
            "{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": {\"limit\": 1, \"over\": \"any\"}}}}}",
        );
        assert!(err.contains("\"over\" is \"any\""), "{err}");
        let err = parse_err("{\"modes\": {\"fast\": {}}}");
        assert!(err.contains("unknown mode \"fast\""), "{err}");
        let err = parse_err(
            "{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": {\"over\": \"all\"}}}}}",
        );
        assert!(err.contains("has no \"limit\""), "{err}");
        let err = parse_err("{\"scenarios\": [\"a\", \"a\"]}");
        assert!(err.contains("scenario \"a\" is listed twice"), "{err}");
        let err = parse_err(
            "{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": 1, \"p99_us_max\": 2}}}}",
        );
        assert!(err.contains("given twice"), "{err}");
        let err = parse_err("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": {\"limit\": 1, \"token\": \"X\"}}}}}");
        assert!(err.contains("token \"X\" is not among \"tokens\""), "{err}");
        let err = parse_err("{\"scenarios\": [\"a\"],");
        assert!(err.starts_with("s.json:1:"), "{err}");
        let err = parse_err("[1]");
        assert!(err.contains("expected a suite object"), "{err}");
        let err = parse_err("{} {}");
        assert!(err.contains("trailing characters"), "{err}");
    }

    #[test]
    fn a_checked_value_fails_on_its_own_line_and_null_is_refused() {
        // The last value of its object: its error stays on it, not on the brace below.
        let err = parse_err("{\n  \"scenarios\": [\"a\", \"a\"]\n}");
        assert!(
            err.starts_with("s.json:2:25: scenario \"a\" is listed twice"),
            "{err}"
        );
        let err = parse_err("{\"regression\": {\n  \"window\": 0\n}}");
        assert!(err.starts_with("s.json:2:13: \"window\" is 0"), "{err}");
        // null is a value of the wrong type, not a key left out.
        for key in ["scenarios", "tokens", "modes", "regression"] {
            let err = parse_err(&format!("{{\"{key}\": null}}"));
            assert!(err.contains("invalid type: null, expected"), "{key}: {err}");
        }
        let err = parse_err("{\"scenarios\": \"a\"}");
        assert!(err.ends_with("expected a list of scenario names"), "{err}");
        let err = parse_err("{\"regression\": {\"window\": 3, \"window\": 4}}");
        assert!(err.contains("key \"window\" is given twice"), "{err}");
    }

    #[test]
    fn a_misspelling_is_placed_on_its_line_with_the_closest_name() {
        let err = parse_err("{\n  \"tokns\": [\"A\"]\n}");
        assert!(
            err.starts_with("s.json:2:9: unknown key \"tokns\": a suite has "),
            "{err}"
        );
        assert!(err.ends_with("; did you mean \"tokens\"?"), "{err}");
        let text = "{\n \"tokens\": [\"LATENCY_METRICS\", \"CLOCK_METRICS\"],\n \"modes\": {\"degraded\": {\"a\": {\n   \"p99_us_max\": {\"limit\": 1, \"token\": \"LATENCY_METRIC\"}}}}}";
        assert_eq!(
            parse_err(text),
            "s.json:4:55: modes.degraded.a.p99_us_max: token \"LATENCY_METRIC\" is not among \"tokens\" (LATENCY_METRICS, CLOCK_METRICS); did you mean \"LATENCY_METRICS\"?"
        );
        for (text, closest) in [
            ("{\"modes\": {\"degradd\": {}}}", "degraded"),
            ("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_mx\": 5}}}}", "p99_us_max"),
            ("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": {\"limit\": 1, \"ovr\": \"all\"}}}}}", "over"),
            ("{\"modes\": {\"degraded\": {\"a\": {\"p99_us_max\": {\"limit\": 1, \"over\": \"al\"}}}}}", "all"),
            ("{\"regression\": {\"test\": \"precent\"}}", "percent"),
            ("{\"regression\": {\"metrics\": {\"p99_us\": {\"max_increse_pct\": 5}}}}", "max_increase_pct"),
        ] {
            let err = parse_err(text);
            assert!(err.ends_with(&format!("; did you mean \"{closest}\"?")), "{err}");
        }
        // Nothing close: no guess.
        let err = parse_err("{\"thresholds\": {}}");
        assert!(!err.contains("did you mean"), "{err}");
    }
}
