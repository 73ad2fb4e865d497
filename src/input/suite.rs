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
//! instead of passing unnoticed. Where a suite is found is `find`'s business;
//! the reference's own table, the built-in suite, is [`Suite::builtin`].

use crate::fs::open::{self, OpenError};
use crate::input::logs::{Logs, LogsSeed};
use crate::input::mode::Mode;
use crate::input::regression::{Regression, RegressionSeed};
use camino::{Utf8Path, Utf8PathBuf};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// The suite file's name, looked for in the run directory and in the folder holding it.
pub const SUITE_FILE: &str = "fault-suite.json";
/// Names the suite file for every run (`--suite` on the command line).
pub const SUITE_VAR: &str = "FAULT_SUITE";
/// The scenario whose table holds the limits of every scenario not named.
pub const ANY_SCENARIO: &str = "*";
/// Largest suite file read.
const SIZE_LIMIT: u64 = 4 << 20;

/// The reference's table, as `fault-summary --print-suite` prints it: the built-in suite.
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
    pub logs: Logs,
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

/// Finds the suite of the run in `run_dir`: `named` (`--suite`, `FAULT_SUITE`), else
/// `fault-suite.json` in the run directory, else in the folder holding it, else none.
pub fn find(run_dir: &Utf8Path, named: Option<&Utf8Path>) -> Found {
    if let Some(named) = named {
        return Found::Named(named.to_path_buf());
    }
    let in_run = run_dir.join(SUITE_FILE);
    if in_run.symlink_metadata().is_ok() {
        return Found::InRun(in_run);
    }
    let in_folder = crate::input::run_dir::folder_of(run_dir).join(SUITE_FILE);
    if in_folder.symlink_metadata().is_ok() {
        return Found::InFolder(in_folder);
    }
    Found::Builtin
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
    let doc = deserializer
        .deserialize_map(SuiteVisitor)
        .map_err(invalid)?;
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
        scenarios: scenarios.unwrap_or_else(|| {
            ["torn_read", "sink_stall", "reset_storm"]
                .map(String::from)
                .to_vec()
        }),
        tokens: tokens.unwrap_or_else(|| {
            [
                "PIPELINE_METRICS",
                "LATENCY_METRICS",
                "FAULT_COUNTERS",
                "RTP_METRICS",
            ]
            .map(String::from)
            .to_vec()
        }),
        // Without "modes" (a file that only says how logs are written) the reference's table.
        modes: modes.unwrap_or_else(|| Suite::builtin().modes),
        regression: regression.unwrap_or_else(|| Some(Regression::default())),
        logs: logs.unwrap_or_default(),
    };
    check_tokens(&suite, path)?;
    Ok(suite)
}

/// Removes serde_json's ` at line L column C` from a message that is given its position apart.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Checks that every token a limit names is among the suite's tokens.
fn check_tokens(suite: &Suite, path: &Utf8Path) -> Result<(), SuiteError> {
    for tables in &suite.modes {
        for table in &tables.tables {
            for limit in &table.limits {
                let Some(token) = &limit.token else { continue };
                if !suite.tokens.contains(token) {
                    return Err(SuiteError::Invalid {
                        path: path.to_path_buf(),
                        line: 1,
                        column: 1,
                        message: format!(
                            "modes.{}.{}.{}: token {token:?} is not among \"tokens\" ({})",
                            tables.mode,
                            table.scenario,
                            limit.key,
                            suite.tokens.join(", ")
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The top level of a suite file as read, before defaults.
struct SuiteDoc {
    scenarios: Option<Vec<String>>,
    tokens: Option<Vec<String>>,
    modes: Option<Vec<ModeTables>>,
    regression: Option<Option<Regression>>,
    logs: Option<Logs>,
}

/// Returns an error for a key met twice in one object.
fn repeated<E: de::Error>(key: &str) -> E {
    E::custom(format!("key {key:?} appears twice in this object"))
}

/// Reads the top-level object.
struct SuiteVisitor;

impl<'de> Visitor<'de> for SuiteVisitor {
    type Value = SuiteDoc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a suite object with \"scenarios\", \"tokens\" and \"modes\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SuiteDoc, A::Error> {
        let mut doc = SuiteDoc {
            scenarios: None,
            tokens: None,
            modes: None,
            regression: None,
            logs: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "//" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "scenarios" if doc.scenarios.is_some() => return Err(repeated(&key)),
                "scenarios" => doc.scenarios = Some(map.next_value_seed(Names("scenario"))?),
                "tokens" if doc.tokens.is_some() => return Err(repeated(&key)),
                "tokens" => doc.tokens = Some(map.next_value_seed(Names("token"))?),
                "modes" if doc.modes.is_some() => return Err(repeated(&key)),
                "modes" => doc.modes = Some(map.next_value_seed(ModesSeed)?),
                "regression" if doc.regression.is_some() => return Err(repeated(&key)),
                "regression" => doc.regression = Some(map.next_value_seed(RegressionSeed)?),
                "logs" if doc.logs.is_some() => return Err(repeated(&key)),
                "logs" => doc.logs = Some(map.next_value_seed(LogsSeed)?),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key {other:?}: a suite has \"scenarios\", \"tokens\", \"modes\", \"regression\", \"logs\" and \"//\" notes"
                    )))
                }
            }
        }
        Ok(doc)
    }
}

/// Reads a list of distinct, non-empty names (scenario ids or tokens).
struct Names(&'static str);

impl<'de> DeserializeSeed<'de> for Names {
    type Value = Vec<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<String>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Names {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {} names", self.0)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut names: Vec<String> = Vec::new();
        while let Some(name) = seq.next_element::<String>()? {
            if name.is_empty() || name.chars().any(char::is_whitespace) {
                return Err(de::Error::custom(format!(
                    "{} name {name:?} is empty or holds white space",
                    self.0
                )));
            }
            if names.contains(&name) {
                return Err(de::Error::custom(format!(
                    "{} {name:?} is listed twice",
                    self.0
                )));
            }
            names.push(name);
        }
        if names.is_empty() {
            return Err(de::Error::custom(format!(
                "the list of {}s is empty",
                self.0
            )));
        }
        Ok(names)
    }
}

/// Reads `"modes"`: mode name → tables.
struct ModesSeed;

impl<'de> DeserializeSeed<'de> for ModesSeed {
    type Value = Vec<ModeTables>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ModesSeed {
    type Value = Vec<ModeTables>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of modes (\"baseline\", \"degraded\")")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut modes: Vec<ModeTables> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "//" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let Some(mode) = Mode::parse(&key) else {
                return Err(de::Error::custom(format!(
                    "unknown mode {key:?}: modes are \"baseline\" and \"degraded\""
                )));
            };
            if modes.iter().any(|tables| tables.mode == mode) {
                return Err(repeated(&key));
            }
            let tables = map.next_value_seed(TablesSeed)?;
            modes.push(ModeTables { mode, tables });
        }
        Ok(modes)
    }
}

/// Reads one mode: scenario id → limits.
struct TablesSeed;

impl<'de> DeserializeSeed<'de> for TablesSeed {
    type Value = Vec<Table>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TablesSeed {
    type Value = Vec<Table>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of scenario tables")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut tables: Vec<Table> = Vec::new();
        while let Some(scenario) = map.next_key::<String>()? {
            if scenario == "//" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if tables.iter().any(|table| table.scenario == scenario) {
                return Err(repeated(&scenario));
            }
            let limits = map.next_value_seed(LimitsSeed)?;
            tables.push(Table { scenario, limits });
        }
        Ok(tables)
    }
}

/// Reads one scenario's table: `<metric>_<min|max>` → limit.
struct LimitsSeed;

impl<'de> DeserializeSeed<'de> for LimitsSeed {
    type Value = Vec<Limit>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LimitsSeed {
    type Value = Vec<Limit>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of limits (\"<metric>_min\" or \"<metric>_max\" → integer)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut limits: Vec<Limit> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "//" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let (metric, bound) = split_key(&key).ok_or_else(|| {
                de::Error::custom(format!(
                    "limit {key:?} names no bound: a limit's key is \"<metric>_min\" or \"<metric>_max\""
                ))
            })?;
            if limits
                .iter()
                .any(|limit| limit.metric == metric && limit.bound == bound)
            {
                return Err(de::Error::custom(format!(
                    "limit {key:?}: {metric}_{} is given twice in this table",
                    bound.as_str()
                )));
            }
            let (value, over, token) = map.next_value_seed(LimitSeed)?;
            limits.push(Limit {
                key,
                metric,
                bound,
                value,
                over,
                token,
            });
        }
        Ok(limits)
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

/// Reads one limit: an integer, or `{"limit": N, "over": ..., "token": ...}`.
struct LimitSeed;

type LimitParts = (i64, Over, Option<String>);

impl<'de> DeserializeSeed<'de> for LimitSeed {
    type Value = LimitParts;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LimitSeed {
    type Value = LimitParts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an integer limit, or {\"limit\": N, \"over\": \"last\" | \"all\", \"token\": \"...\"}",
        )
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<LimitParts, E> {
        Ok((value, Over::Last, None))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<LimitParts, E> {
        i64::try_from(value)
            .map(|value| (value, Over::Last, None))
            .map_err(|_| E::custom(format!("limit {value} is larger than {}", i64::MAX)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<LimitParts, E> {
        Err(E::custom(format!("limit {value} is not an integer")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LimitParts, A::Error> {
        let mut limit = None;
        let mut over = None;
        let mut token = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "//" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "limit" if limit.is_some() => return Err(repeated(&key)),
                "limit" => {
                    let (value, _, _) = map.next_value_seed(IntegerOnly)?;
                    limit = Some(value);
                }
                "over" if over.is_some() => return Err(repeated(&key)),
                "over" => {
                    let value: String = map.next_value()?;
                    over = Some(match value.as_str() {
                        "last" => Over::Last,
                        "all" => Over::All,
                        other => {
                            return Err(de::Error::custom(format!(
                                "\"over\" is {other:?}: it is \"last\" (the last line holding the metric) or \"all\" (every line)"
                            )))
                        }
                    });
                }
                "token" if token.is_some() => return Err(repeated(&key)),
                "token" => token = Some(map.next_value::<String>()?),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key {other:?} in a limit: it has \"limit\", \"over\", \"token\" and \"//\" notes"
                    )))
                }
            }
        }
        let limit = limit.ok_or_else(|| de::Error::custom("this limit has no \"limit\""))?;
        Ok((limit, over.unwrap_or_default(), token))
    }
}

/// Reads the integer of `"limit"`, refusing objects.
struct IntegerOnly;

impl<'de> DeserializeSeed<'de> for IntegerOnly {
    type Value = LimitParts;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for IntegerOnly {
    type Value = LimitParts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<LimitParts, E> {
        LimitSeed.visit_i64(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<LimitParts, E> {
        LimitSeed.visit_u64(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<LimitParts, E> {
        LimitSeed.visit_f64(value)
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
}
