//! The evaluation of a run: its manifest rows put in order, and each scenario
//! evaluated once, eagerly or on first use, into the model.
//!
//! This is the one judging path. `fault-summary` evaluates every scenario of
//! its run up front; the harness asks for a scenario the first time one of
//! its tests runs, so `--exact NAME` reads one log. Either way a scenario is
//! evaluated by [`evaluate_scenario`] under the mode [`crate::input::mode`]
//! settles, and all verdicts are read off the resulting [`Scenario`].
//! Resolving and reading evidence is `evidence`'s; wording is the reports'.

use crate::eval::evidence::{self, Resolver};
use crate::eval::model::{
    Check, ExitCode, ExitCodes, Files, LogStatus, Metrics, Observed, Scenario, ScenarioSet, Series,
    Strictness, UncheckedValue,
};
use crate::eval::schedule;
use crate::eval::sweep;
use crate::eval::thresholds::{self, CheckSpec};
use crate::input::manifest::{self, LongField, ManifestError, OrderError, OrderedRow};
use crate::input::mode::{self, ModeChoice, ModeError};
use crate::input::regression::Metric;
use crate::input::run_dir;
use crate::input::suite::{ModeTables, Over, Suite};
use crate::py::int::PyInt;
use crate::scan::format::{Reading, Readings};
use crate::scan::lines;
use camino::{Utf8Path, Utf8PathBuf};
use std::fmt;
use std::fs::File;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How much work evaluation does beyond what the summary needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Finds the line numbers of metric lines behind checks that do not pass
    /// (costs a scan of the log up to that line).
    pub locate_lines: bool,
    /// Refuses streamer logs whose path leads out of the run directory (the
    /// folder holding the manifest) through `..`, as an absolute path or
    /// through a symlink: such a log is never opened, its status is
    /// [`crate::eval::model::LogStatus::Refused`] (an evidence error) and its
    /// metrics are absent. Without it they are read and only noted.
    pub confine: bool,
    /// Gathers each checked metric over the whole streamer log for the HTML report's
    /// charts ([`crate::eval::chart`]), in the forward pass that limits judged over
    /// all lines take anyway: costs a read of every log.
    pub charts: bool,
    /// Resolves only the streamer log, leaving the sim and tester logs unlooked-at:
    /// the summary only echoes their names (`fault-summary` without `--junit` or
    /// pages), and for a missing file each costs two failed `lstat`s.
    pub streamer_log_only: bool,
}

/// Why a run cannot be evaluated at all: its manifest is unusable.
#[derive(Debug)]
pub enum UnusableRun {
    /// The manifest could not be read.
    Manifest(ManifestError),
    /// A record's `order` is not an integer.
    Order(OrderError),
}

impl fmt::Display for UnusableRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnusableRun::Manifest(err) => err.fmt(f),
            UnusableRun::Order(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for UnusableRun {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UnusableRun::Manifest(err) => Some(err),
            UnusableRun::Order(err) => Some(err),
        }
    }
}

/// Returns `int(value)`, or `fallback` when Python's `int()` would raise.
fn int_or(value: &str, fallback: i64) -> PyInt {
    PyInt::parse(value).unwrap_or_else(|_| PyInt::from_i64(fallback))
}

/// Evaluates one scenario: resolves its evidence, reads its streamer log (the tail
/// for the last lines of `tokens`, the whole log once more only for checks judged
/// over all lines or for charts) and observes the values its `checks` judge.
pub fn evaluate_scenario(
    ordered: &OrderedRow,
    resolver: &Resolver,
    checks: Vec<CheckSpec>,
    tokens: &[String],
    logs: Readings,
    options: Options,
) -> Scenario {
    let OrderedRow { order, row } = ordered;
    let exit = ExitCodes {
        sim: ExitCode::parse(row.sim_rc()),
        streamer: ExitCode::parse(row.streamer_rc()),
        tester: ExitCode::parse(row.tester_rc()),
    };
    let companion = |named: &str| (!options.streamer_log_only).then(|| resolver.resolve(named));
    let (streamer_log, seen_regular) = resolver.resolve_seen(row.streamer_log());
    let files = Files {
        sim_log: companion(row.sim_log()),
        streamer_log,
        tester_log: companion(row.tester_log()),
    };
    let metrics_named = checks.iter().map(|spec| spec.metric.clone()).collect();
    let reading = Reading::new(logs, metrics_named);
    let (log, mut metrics, mut file) = evidence::read_log(
        &files.streamer_log,
        seen_regular,
        tokens,
        &reading,
        options.confine,
    );
    let mut checks: Vec<Check> = checks
        .into_iter()
        .map(|spec| Check {
            observed: match spec.over {
                Over::Last => observe_last(&metrics, &spec),
                Over::All => Observed::All(Series::default()),
            },
            unsettled: unsettled(&metrics, &log, &spec, files.streamer_log.shown()),
            spec,
        })
        .collect();
    let mut charts = Vec::new();
    if let Some((file, len)) = file.as_ref() {
        // A log that cannot be read to its end leaves the series empty (the metric is
        // missing) and draws no chart.
        let charts_too = options.charts;
        charts = sweep::observe(
            file,
            *len,
            tokens,
            &reading,
            &mut checks,
            &metrics,
            charts_too,
        )
        .unwrap_or_default();
    }
    // A log the reference's reading misreads says how it looks where a check misses.
    if reading.is_off() && checks.iter().any(Check::misses) {
        metrics.look = file
            .as_ref()
            .and_then(|(file, len)| evidence::look_of(file, *len));
    }
    let unchecked = unchecked_values(&metrics, &checks);
    let mut scenario = Scenario {
        row: row.clone(),
        order: order.clone(),
        duration_ms: int_or(row.duration_ms(), 0),
        exit,
        files,
        log,
        metrics,
        checks,
        unchecked,
        charts,
    };
    // Lines are located for messages (harness, JUnit), and for the warnings about
    // values the reference would crash on.
    let invalid = !scenario.unchecked.is_empty()
        || scenario
            .checks
            .iter()
            .any(|check| matches!(check.observed, Observed::Invalid { .. }));
    if let (Some((file, _)), true) = (file.as_mut(), options.locate_lines || invalid) {
        locate(&mut scenario, file);
    }
    scenario
}

/// Finds the values the reference converts for every scenario that `int()` rejects
/// and no check of this scenario reads.
fn unchecked_values(metrics: &Metrics, checks: &[Check]) -> Vec<UncheckedValue> {
    thresholds::CONVERTED
        .iter()
        .filter(|(token, key)| {
            !checks.iter().any(|check| {
                check.spec.token.as_deref() == Some(*token) && check.spec.metric == *key
            })
        })
        .filter_map(|&(token, key)| {
            let line = metrics.line(token)?;
            let (_, value) = line.pairs.iter().rev().find(|(name, _)| name == key)?;
            value.to_int().is_err().then(|| UncheckedValue {
                token,
                key,
                value: value.clone(),
            })
        })
        .collect()
}

/// Says why the line a check judges may be cut short by a run still writing the log
/// at `path`: it has no line end (it runs to the end of the log as read).
fn unsettled(metrics: &Metrics, log: &LogStatus, spec: &CheckSpec, path: &str) -> Option<String> {
    let LogStatus::Read { len } = log else {
        return None;
    };
    let token = metrics.token_of(spec)?;
    let line = metrics.line(token)?;
    if line.offset.saturating_add(line.len) < *len {
        return None;
    }
    let changed = match &metrics.changed {
        Some(change) => format!(" and the log {change}"),
        None => String::new(),
    };
    Some(format!(
        "the last {token} line of {path} has no line end{changed}: the run may still be writing it"
    ))
}

/// Reads what a check judged on the last line needs from that line.
fn observe_last(metrics: &Metrics, spec: &CheckSpec) -> Observed {
    let line = metrics.token_of(spec).and_then(|token| metrics.line(token));
    let value = line.and_then(|line| line.pairs.iter().rev().find(|(key, _)| *key == spec.metric));
    match (line, value) {
        // The metric may have been on the part of the line not read: not an absent 0.
        (Some(line), None) if line.cut => Observed::Cut { len: line.len },
        (_, None) => Observed::Missing,
        (_, Some((_, value))) => match value.to_int() {
            Ok(int) => Observed::Value(int),
            Err(_) => Observed::Invalid {
                value: value.clone(),
            },
        },
    }
}

/// Fills in the line numbers of the last metric lines behind checks that do not pass
/// strictly and of those holding values the reference would crash on: the lines
/// messages and warnings point at.
fn locate(scenario: &mut Scenario, file: &mut File) {
    let mut wanted: Vec<String> = Vec::new();
    for check in &scenario.checks {
        let last = check.spec.over == Over::Last;
        if last && !check.verdict(Strictness::Strict).passed() {
            wanted.extend(scenario.metrics.token_of(&check.spec).map(str::to_string));
        }
    }
    wanted.extend(
        scenario
            .unchecked
            .iter()
            .map(|value| value.token.to_string()),
    );
    wanted.sort();
    wanted.dedup();
    // One count of the log's line breaks, up to the last line wanted, numbers them all.
    let found: Vec<(String, u64)> = wanted
        .into_iter()
        .filter_map(|token| {
            let offset = scenario.metrics.line(&token)?.offset;
            Some((token, offset))
        })
        .collect();
    let offsets: Vec<u64> = found.iter().map(|(_, offset)| *offset).collect();
    let Ok(numbers) = lines::line_numbers(file, &offsets) else {
        return;
    };
    for ((token, _), number) in found.iter().zip(numbers) {
        if let Some(line) = scenario.metrics.line_mut(token) {
            line.line = Some(number);
        }
    }
}

/// A run: its manifest's rows in order, its mode settled on first use, and each
/// scenario evaluated on first use and kept.
#[derive(Debug)]
pub struct Evaluation {
    /// The run directory.
    pub dir: Utf8PathBuf,
    /// The run's name: the run directory's.
    name: String,
    /// The manifest; relative evidence paths are tried against its folder first.
    pub manifest: Utf8PathBuf,
    /// Resolves the evidence paths the manifest names.
    resolver: Resolver,
    /// The scenario ids in evaluation order.
    pub ids: Vec<String>,
    /// Manifest fields longer than Python's csv allows (the reference stops on them).
    pub long_fields: Vec<LongField>,
    /// The suite whose scenarios, tokens and limits the run is judged by.
    pub suite: Arc<Suite>,
    rows: Vec<OrderedRow>,
    explicit_mode: Option<ModeChoice>,
    mode: OnceLock<Result<ModeChoice, String>>,
    options: Options,
    /// Boxed: an empty cell is one pointer, not a scenario's size (~900 bytes).
    scenarios: Vec<OnceLock<Box<Scenario>>>,
    /// The runs before this one in its history, oldest first (none until set).
    earlier: OnceLock<Vec<Arc<Evaluation>>>,
}

impl Evaluation {
    /// Reads and orders the manifest of the run in `dir`; nothing else is read yet.
    ///
    /// `explicit_mode` (from `--mode` or `FAULT_MODE`) overrides the run's own.
    pub fn open(
        dir: &Utf8Path,
        manifest: &Utf8Path,
        explicit_mode: Option<ModeChoice>,
        suite: Arc<Suite>,
        options: Options,
    ) -> Result<Evaluation, UnusableRun> {
        let read = manifest::read(manifest).map_err(UnusableRun::Manifest)?;
        let rows = manifest::order(manifest, read.rows).map_err(UnusableRun::Order)?;
        Ok(Evaluation {
            dir: dir.to_path_buf(),
            name: run_dir::run_name(dir),
            manifest: manifest.to_path_buf(),
            resolver: Resolver::for_manifest(manifest),
            ids: rows
                .iter()
                .map(|r| r.row.scenario_id().to_string())
                .collect(),
            scenarios: rows.iter().map(|_| OnceLock::new()).collect(),
            rows,
            long_fields: read.long_fields,
            suite,
            explicit_mode,
            mode: OnceLock::new(),
            options,
            earlier: OnceLock::new(),
        })
    }

    /// Opens the run directory `dir` with its manifest at the usual place.
    pub fn open_dir(
        dir: &Utf8Path,
        explicit_mode: Option<ModeChoice>,
        suite: Arc<Suite>,
        options: Options,
    ) -> Result<Evaluation, UnusableRun> {
        let manifest = dir.join(run_dir::MANIFEST);
        Evaluation::open(dir, &manifest, explicit_mode, suite, options)
    }

    /// Returns the suite's tables of the run's mode, or why there are none (no mode,
    /// or a mode the suite does not define).
    pub fn tables(&self) -> Result<&ModeTables, String> {
        let choice = self.mode().map_err(str::to_string)?;
        self.suite.mode(choice.mode).map_err(|err| err.to_string())
    }

    /// Returns the checks of scenario `index`: from the tables of the run's mode; with
    /// no mode, those of any mode, without limits; with a mode the suite lacks, none.
    pub fn checks(&self, index: usize) -> Vec<CheckSpec> {
        let Some(ordered) = self.rows.get(index) else {
            return Vec::new();
        };
        let id = &ordered.row.scenario_id();
        match self.mode() {
            Err(_) => thresholds::checks_of_any_mode(&self.suite, id),
            Ok(choice) => match self.suite.mode(choice.mode) {
                Ok(tables) => thresholds::checks(tables, id),
                Err(_) => Vec::new(),
            },
        }
    }

    /// Returns the run's mode as [`Evaluation::mode`] settled it, without settling it
    /// (naming the run's cases settles it): for the renderers, which read no file.
    pub fn settled_mode(&self) -> Result<&ModeChoice, &str> {
        match self.mode.get() {
            Some(settled) => settled.as_ref().map_err(String::as_str),
            None => Err("the mode was not settled"),
        }
    }

    /// Returns the run's mode and where it came from, or why there is none, settling it on first use.
    pub fn mode(&self) -> Result<&ModeChoice, &str> {
        self.mode
            .get_or_init(|| {
                let defined: Vec<_> = self.suite.modes.iter().map(|tables| tables.mode).collect();
                mode::settle(&self.dir, self.explicit_mode.as_ref())
                    .map_err(|err: ModeError| err.worded(&defined))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// Returns how many scenarios the run holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Returns true if and only if the manifest holds no scenario.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Returns scenario `index` (in evaluation order), evaluating it on first use.
    pub fn scenario(&self, index: usize) -> Option<&Scenario> {
        let cell = self.scenarios.get(index)?;
        let ordered = self.rows.get(index)?;
        Some(cell.get_or_init(|| Box::new(self.evaluate_row(index, ordered))))
    }

    /// Evaluates scenario `index` afresh and hands it over without keeping it: a long
    /// manifest is summarized one scenario at a time in bounded memory.
    pub fn evaluate(&self, index: usize) -> Option<Scenario> {
        let ordered = self.rows.get(index)?;
        Some(self.evaluate_row(index, ordered))
    }

    /// Evaluates the scenario of `ordered`, the row at `index`.
    fn evaluate_row(&self, index: usize, ordered: &OrderedRow) -> Scenario {
        let checks = self.checks(index);
        let tokens = thresholds::scan_tokens(&self.suite, &checks);
        let logs = self.suite.logs;
        evaluate_scenario(ordered, &self.resolver, checks, &tokens, logs, self.options)
    }

    /// Evaluates every scenario on up to `threads` threads (`None`: one per core, which
    /// is only looked up when there is work for more than one) and hands what `map`
    /// makes of each, on the thread that evaluated it, to `take` in evaluation order;
    /// `weigh` says how many bytes a mapped scenario holds.
    ///
    /// With `keep` the scenarios are kept (as [`Evaluation::scenario`] keeps them), else
    /// each is dropped once mapped: a long manifest is then summarized in bounded
    /// memory, the threads never more than a few batches, nor more than about
    /// 32 MiB of mapped scenarios, ahead of `take`. The first error of `take` stops
    /// the threads and is returned.
    pub fn map_in_order<T: Send, E>(
        &self,
        threads: Option<usize>,
        keep: bool,
        map: impl Fn(usize, &Scenario) -> T + Sync,
        weigh: impl Fn(&T) -> usize + Sync,
        take: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        self.map_in_order_after(threads, keep, schedule::SLOW, map, weigh, take)
    }

    /// Does [`Evaluation::map_in_order`]'s work, a first scenario that takes `slow` or
    /// longer sending a short manifest's rest to threads.
    fn map_in_order_after<T: Send, E>(
        &self,
        threads: Option<usize>,
        keep: bool,
        slow: Duration,
        map: impl Fn(usize, &Scenario) -> T + Sync,
        weigh: impl Fn(&T) -> usize + Sync,
        take: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        let evaluate = |index: usize| {
            if keep {
                self.scenario(index).map(|scenario| map(index, scenario))
            } else {
                self.evaluate(index).map(|scenario| map(index, &scenario))
            }
        };
        schedule::map_in_order(self.len(), threads, slow, evaluate, weigh, take)
    }

    /// Returns every scenario in evaluation order, evaluating those not evaluated yet.
    pub fn scenarios(&self) -> impl Iterator<Item = &Scenario> {
        (0..self.len()).filter_map(|index| self.scenario(index))
    }

    /// Returns how the run's scenario ids compare with the expected set.
    pub fn scenario_set(&self) -> ScenarioSet {
        ScenarioSet::of(&self.ids, &self.suite.scenarios)
    }

    /// Returns scenario `index` if it has been evaluated, evaluating nothing.
    pub fn evaluated_at(&self, index: usize) -> Option<&Scenario> {
        self.scenarios
            .get(index)
            .and_then(OnceLock::get)
            .map(|boxed| &**boxed)
    }

    /// Sets the runs before this one in its history, oldest first; only the first call counts.
    pub fn set_earlier(&self, earlier: Vec<Arc<Evaluation>>) {
        let _ = self.earlier.set(earlier);
    }

    /// Returns the runs before this one in its history, oldest first.
    pub fn earlier(&self) -> &[Arc<Evaluation>] {
        self.earlier.get().map_or(&[], Vec::as_slice)
    }

    /// Returns the regression checks of the run: the suite's, when enough runs came before.
    pub fn regression_metrics(&self) -> &[Metric] {
        match &self.suite.regression {
            Some(regression) if self.earlier().len() >= regression.min_runs => &regression.metrics,
            _ => &[],
        }
    }

    /// Returns the run's name: its directory's, as it was when the run was opened.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the 1-based number of the line at `offset` of scenario `index`'s streamer
    /// log, reading the log up to it; `None` when it cannot be read.
    pub fn line_number(&self, index: usize, offset: u64) -> Option<u64> {
        let path = self.scenario(index)?.files.streamer_log.path.as_ref()?;
        let (mut file, _) = crate::fs::open::regular_file(path.as_std_path()).ok()?;
        lines::line_number(&mut file, offset).ok()
    }

    /// Returns the scenarios evaluated so far, in evaluation order, evaluating none.
    pub fn evaluated(&self) -> impl Iterator<Item = &Scenario> {
        self.scenarios
            .iter()
            .filter_map(OnceLock::get)
            .map(|boxed| &**boxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::mode::Mode;
    use crate::testing::Scratch;

    /// Writes a run of one torn_read scenario whose streamer log is `log`, in a scratch
    /// folder that is removed when the returned one is dropped.
    fn run_with_log(label: &str, log: &str) -> (Scratch, Utf8PathBuf) {
        let scratch = Scratch::new(&format!("evaluation-{label}"));
        let dir = scratch.utf8().to_path_buf();
        std::fs::create_dir_all(dir.join("torn_read")).unwrap();
        std::fs::write(
            dir.join("manifest.tsv"),
            "order\tscenario_id\tstreamer_log\n1\ttorn_read\ttorn_read/streamer.log\n",
        )
        .unwrap();
        std::fs::write(dir.join("torn_read/streamer.log"), log).unwrap();
        (scratch, dir)
    }

    #[test]
    fn values_no_check_reads_but_the_reference_converts_are_kept_with_their_line() {
        let (_scratch, dir) = run_with_log(
            "unchecked",
            "LATENCY_METRICS p50_us=400 p99_us=1500 ingest_to_emit_samples=3000 drop_ratio_ppm=10\n\
             FAULT_COUNTERS torn_read_events=452 sink_stall_events=n/a reset_events=7\n",
        );
        let choice = ModeChoice {
            mode: Mode::Degraded,
            origin: "test".to_string(),
        };
        let evaluation = Evaluation::open_dir(
            &dir,
            Some(choice),
            Arc::new(Suite::builtin()),
            Options::default(),
        )
        .unwrap();
        let scenario = evaluation.scenario(0).unwrap();
        let keys: Vec<&str> = scenario.unchecked.iter().map(|value| value.key).collect();
        assert_eq!(keys, ["sink_stall_events"]);
        assert_eq!(scenario.unchecked[0].value.text(), "n/a");
        // Located for the warning although every check passes.
        assert_eq!(
            scenario.metrics.line("FAULT_COUNTERS").unwrap().line,
            Some(2)
        );
        assert!(scenario
            .checks
            .iter()
            .all(|check| check.verdict(Strictness::Strict).passed()));
    }

    #[test]
    fn a_scenario_is_evaluated_once_and_only_when_asked() {
        let (_scratch, dir) = run_with_log("lazy", "LATENCY_METRICS p50_us=400\n");
        let evaluation =
            Evaluation::open_dir(&dir, None, Arc::new(Suite::builtin()), Options::default())
                .unwrap();
        assert_eq!(evaluation.evaluated().count(), 0);
        assert_eq!(evaluation.ids, ["torn_read"]);
        let first: *const Scenario = evaluation.scenario(0).unwrap();
        let again: *const Scenario = evaluation.scenario(0).unwrap();
        assert_eq!(first, again);
        assert_eq!(evaluation.evaluated().count(), 1);
        // No mode anywhere: the checks have no limit and are errors; the rest is judged.
        let scenario = evaluation.scenario(0).unwrap();
        assert!(evaluation.mode().is_err());
        assert!(scenario
            .checks
            .iter()
            .all(|check| check.spec.limit.is_none()));
        assert_eq!(scenario.exit.verdict(), crate::eval::model::Verdict::Error(
            "process_rc(sim=-1,streamer=-1,tester=-1): sim_rc=\"\" is not an integer, streamer_rc=\"\" is not an integer, tester_rc=\"\" is not an integer (counted as -1)".to_string()
        ));
    }

    #[test]
    fn scenarios_mapped_on_threads_come_in_order_and_are_kept_only_when_asked() {
        let scratch = Scratch::new("evaluation-threads");
        let dir = scratch.utf8().to_path_buf();
        // More scenarios than the threads may run ahead of the one taken (four batches
        // each), in an order the manifest's rows do not have.
        let count = schedule::BATCH * schedule::AHEAD * 3 + 7;
        let mut manifest = String::from("order\tscenario_id\n");
        for i in 0..count {
            manifest.push_str(&format!("{}\ts{i}\n", count - i));
        }
        std::fs::write(dir.join("manifest.tsv"), manifest).unwrap();
        let open = || {
            Evaluation::open_dir(&dir, None, Arc::new(Suite::builtin()), Options::default())
                .unwrap()
        };
        let evaluation = open();
        let mut seen = Vec::new();
        let mapped =
            |index: usize, scenario: &Scenario| (index, scenario.row.scenario_id().to_string());
        let light = |_: &(usize, String)| 10;
        evaluation
            .map_in_order(Some(3), false, mapped, light, |item| {
                seen.push(item);
                Ok::<(), ()>(())
            })
            .unwrap();
        let expected: Vec<(usize, String)> = (0..count)
            .map(|index| (index, format!("s{}", count - 1 - index)))
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(evaluation.evaluated().count(), 0);
        // Kept: every scenario stays evaluated, as `scenario` keeps it.
        let mut kept = 0;
        evaluation
            .map_in_order(Some(2), true, mapped, light, |_| {
                kept += 1;
                Ok::<(), ()>(())
            })
            .unwrap();
        assert_eq!((kept, evaluation.evaluated().count()), (count, count));
        // A short manifest whose first scenario is slow: the rest go one a batch.
        let evaluation = open();
        let short = Evaluation {
            rows: evaluation.rows[..9].to_vec(),
            scenarios: (0..9).map(|_| OnceLock::new()).collect(),
            ..evaluation
        };
        let mut seen = Vec::new();
        short
            .map_in_order_after(Some(2), true, Duration::ZERO, mapped, light, |item| {
                seen.push(item);
                Ok::<(), ()>(())
            })
            .unwrap();
        assert_eq!(seen, expected[..9]);
        assert_eq!(short.evaluated().count(), 9);
    }
}
