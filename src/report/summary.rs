//! The `summary.json` writer: renders an evaluated run as the reference's bytes.
//!
//! It decides nothing: every verdict comes from the model, so the summary,
//! the harness and the JUnit report cannot disagree.

use crate::eval::model::{
    Check, ExitCodes, MetricLine, Metrics, Observed, Scenario, Strictness, Tally, Verdict,
};
use crate::eval::thresholds;
use crate::input::mode::Mode;
use crate::input::suite::{ModeTables, Suite, ANY_SCENARIO};
use crate::py::int::PyInt;
use crate::py::json::{dump_at, dumps, newline_at, Json};
use std::borrow::Cow;
use std::io::{self, Write};

fn obj<'a>(members: Vec<(&'static str, Json<'a>)>) -> Json<'a> {
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    )
}

fn int(v: i64) -> Json<'static> {
    Json::Int(Cow::Owned(PyInt::from_i64(v)))
}

/// A string the document borrows.
fn text(s: &str) -> Json<'_> {
    Json::Str(Cow::Borrowed(s))
}

fn pairs(line: Option<&MetricLine>) -> Json<'_> {
    let pairs: &[_] = line.map_or(&[], |line| &line.pairs);
    Json::Object(
        pairs
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from(v)))
            .collect(),
    )
}

/// Renders the mode's tables as the reference's `thresholds` block: scenario → key →
/// limit, without the table of any other scenario (`"*"`), which the reference's lacks.
fn thresholds_json(tables: &ModeTables) -> Json<'_> {
    Json::Object(
        tables
            .tables
            .iter()
            .filter(|table| table.scenario != ANY_SCENARIO)
            .map(|table| {
                let limits = table
                    .limits
                    .iter()
                    .map(|limit| (Cow::Borrowed(limit.key.as_str()), int(limit.value)))
                    .collect();
                (Cow::Borrowed(table.scenario.as_str()), Json::Object(limits))
            })
            .collect(),
    )
}

fn check_json(check: &Check, strictness: Strictness) -> Json<'_> {
    let actual = match &check.observed {
        Observed::Value(actual) => Json::Int(Cow::Borrowed(actual)),
        // The reference counts a metric that never appeared as 0.
        Observed::Missing => int(0),
        Observed::Invalid { value } => Json::from(value),
        // The metric was not among the pairs read of an overlong line.
        Observed::Cut { .. } => text(""),
        // Judged over every line: the worst value stands for them.
        Observed::All(series) => match (&series.invalid, &series.worst) {
            (Some((_, value)), _) => Json::from(value),
            (None, Some(worst)) => Json::Int(Cow::Borrowed(&worst.value)),
            (None, None) => int(0),
        },
    };
    let (passed, violation) = match check.verdict(strictness) {
        Verdict::Pass => (true, String::new()),
        Verdict::Failure(violation) | Verdict::Error(violation) => (false, violation),
    };
    obj(vec![
        ("metric", text(&check.spec.metric)),
        ("type", text(check.spec.bound.as_str())),
        ("actual", actual),
        ("expected", int(check.spec.limit.unwrap_or_default())),
        ("passed", Json::Bool(passed)),
        ("violation", Json::Str(Cow::Owned(violation))),
    ])
}

fn scenario_json<'a>(
    scenario: &'a Scenario,
    tokens: &[String],
    strictness: Strictness,
) -> Json<'a> {
    let Scenario {
        row,
        order,
        duration_ms,
        exit,
        files: _,
        log: _,
        metrics,
        checks,
        unchecked: _,
        charts: _,
    } = scenario;
    let ExitCodes {
        sim,
        streamer,
        tester,
    } = exit;
    let Metrics {
        lines: _,
        changed: _,
        look: _,
    } = metrics;
    let metrics_json = Json::Object(
        tokens
            .iter()
            .map(|token| {
                (
                    Cow::Owned(thresholds::summary_key(token)),
                    pairs(metrics.line(token)),
                )
            })
            .collect(),
    );
    let violated = scenario.violations(strictness);
    let passed = scenario.passes(strictness);
    let reason = scenario.reason(strictness);
    obj(vec![
        ("order", Json::Int(Cow::Borrowed(order))),
        ("id", text(row.scenario_id())),
        ("name", text(row.name())),
        ("status", text(if passed { "PASS" } else { "FAIL" })),
        ("reason", Json::Str(Cow::Owned(reason))),
        ("duration_ms", Json::Int(Cow::Borrowed(duration_ms))),
        (
            "process_exit",
            obj(vec![
                ("sim", Json::Int(Cow::Borrowed(&sim.code))),
                ("streamer", Json::Int(Cow::Borrowed(&streamer.code))),
                ("tester", Json::Int(Cow::Borrowed(&tester.code))),
            ]),
        ),
        ("metrics", metrics_json),
        (
            "checks",
            Json::Array(checks.iter().map(|c| check_json(c, strictness)).collect()),
        ),
        (
            "violations",
            Json::Array(
                violated
                    .into_iter()
                    .map(|v| Json::Str(Cow::Owned(v)))
                    .collect(),
            ),
        ),
        (
            "evidence",
            obj(vec![
                ("sim_log", text(row.sim_log())),
                ("streamer_log", text(row.streamer_log())),
                ("tester_log", text(row.tester_log())),
                ("sdp", text(row.sdp_path())),
            ]),
        ),
    ])
}

/// What the summary echoes about its run, as the reference's flags give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub mode: Mode,
    /// Values echoed into `summary.json`, as raw bytes (argv may not be UTF-8).
    pub run_id: Vec<u8>,
    pub run_dir: Vec<u8>,
    pub started_at: Vec<u8>,
    pub finished_at: Vec<u8>,
}

/// Renders the evaluated scenarios as `summary.json` text, trailing newline included:
/// the limits of `tables` (the suite's for the run's mode), the pairs of the suite's
/// tokens. A suite file other than the reference's table is named under `"suite"`.
pub fn render(
    header: &Header,
    suite: &Suite,
    tables: &ModeTables,
    scenarios: &[&Scenario],
    strictness: Strictness,
) -> String {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail, and only UTF-8 is written (`ensure_ascii`).
    let _ = write(&mut bytes, header, suite, tables, scenarios, strictness);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Writes what [`render`] returns to `out`, one scenario at a time: the summary of a
/// long manifest is never held whole, as text or as a JSON tree.
pub fn write(
    out: &mut dyn Write,
    header: &Header,
    suite: &Suite,
    tables: &ModeTables,
    scenarios: &[&Scenario],
    strictness: Strictness,
) -> io::Result<()> {
    let tally = Tally::of(scenarios, suite.scenarios.len(), strictness);
    out.write_all(head(header, suite, tables, &tally)?.as_bytes())?;
    let mut chunk = String::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        item(&mut chunk, index, scenario, &suite.tokens, strictness);
        out.write_all(chunk.as_bytes())?;
    }
    out.write_all(tail(scenarios.len()).as_bytes())
}

/// Bytes set aside for a rendered scenario before it is written.
const ITEM_ROOM: usize = 4096;

/// One scenario rendered as an item of the summary's scenarios array, with its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    text: String,
    passed: bool,
}

impl Item {
    /// Returns the bytes of the rendered item.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Returns true if and only if the item renders to nothing (it never does).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Renders scenario number `index` (in evaluation order) of a run judged with `suite`.
    pub fn render(
        index: usize,
        scenario: &Scenario,
        suite: &Suite,
        strictness: Strictness,
    ) -> Item {
        // A scenario's item is a few KiB: room for that at once, not grown six times.
        let mut text = String::with_capacity(ITEM_ROOM);
        item(&mut text, index, scenario, &suite.tokens, strictness);
        Item {
            text,
            passed: scenario.passes(strictness),
        }
    }
}

/// A summary written as its scenarios are evaluated, before its counts are known:
/// the items are pushed one by one to a body, and [`Stream::frame`] then gives the
/// head and tail that go around it.
pub struct Stream<'a> {
    header: &'a Header,
    suite: &'a Suite,
    tables: &'a ModeTables,
    total: usize,
    pass: usize,
}

impl<'a> Stream<'a> {
    /// Starts the summary of a run judged by `tables` of `suite` (those of its mode).
    pub fn new(header: &'a Header, suite: &'a Suite, tables: &'a ModeTables) -> Stream<'a> {
        Stream {
            header,
            suite,
            tables,
            total: 0,
            pass: 0,
        }
    }

    /// Writes the next item, rendered with the index of the items pushed so far, to the body `out`.
    pub fn push(&mut self, out: &mut dyn Write, item: &Item) -> io::Result<()> {
        self.total += 1;
        self.pass += usize::from(item.passed);
        out.write_all(item.text.as_bytes())
    }

    /// Returns the counts of the scenarios pushed so far.
    pub fn tally(&self) -> Tally {
        Tally::counted(self.total, self.pass, self.suite.scenarios.len())
    }

    /// Returns the text before the body and the text after it.
    pub fn frame(&self) -> io::Result<(String, &'static str)> {
        let head = head(self.header, self.suite, self.tables, &self.tally())?;
        Ok((head, tail(self.total)))
    }
}

/// Returns the summary's text before its scenarios: through the `[` that opens them,
/// or the whole document when there are none.
fn head(header: &Header, suite: &Suite, tables: &ModeTables, tally: &Tally) -> io::Result<String> {
    let Header {
        mode,
        run_id,
        run_dir,
        started_at,
        finished_at,
    } = header;
    let Tally {
        total,
        pass,
        fail,
        all_pass,
    } = *tally;
    let count = |n: usize| int(i64::try_from(n).unwrap_or(i64::MAX));
    let mut members = vec![
        ("task", int(15)),
        ("mode", text(mode.as_str())),
        ("run_id", Json::ArgStr(run_id)),
        ("run_dir", Json::ArgStr(run_dir)),
        ("started_at", Json::ArgStr(started_at)),
        ("finished_at", Json::ArgStr(finished_at)),
    ];
    if let (Some(path), false) = (&suite.origin, suite.same_as_builtin()) {
        members.push(("suite", text(path.as_str())));
    }
    members.extend([
        ("thresholds", thresholds_json(tables)),
        (
            "counts",
            obj(vec![
                ("total", count(total)),
                ("pass", count(pass)),
                ("fail", count(fail)),
            ]),
        ),
        ("all_pass", Json::Bool(all_pass)),
        ("recommended_exit_code", int(if all_pass { 0 } else { 1 })),
        // Last, empty: its items are written after the head, one by one.
        ("scenarios", Json::Array(Vec::new())),
    ]);
    let head = dumps(&obj(members));
    if total == 0 {
        return Ok(format!("{head}\n"));
    }
    // `json.dumps` ends the document `"scenarios": []` and a line break and `}`.
    match head.strip_suffix("]\n}") {
        Some(open) => Ok(open.to_string()),
        None => Err(io::Error::other("summary head without its scenarios array")),
    }
}

/// Returns the summary's text after its `count` scenarios.
fn tail(count: usize) -> &'static str {
    if count == 0 {
        ""
    } else {
        "\n  ]\n}\n"
    }
}

/// Sets `chunk` to scenario number `index` as an item of the scenarios array.
fn item(
    chunk: &mut String,
    index: usize,
    scenario: &Scenario,
    tokens: &[String],
    strictness: Strictness,
) {
    chunk.clear();
    if index > 0 {
        chunk.push(',');
    }
    // Items of the array that is the top object's member: two levels deep.
    newline_at(chunk, 2);
    dump_at(chunk, &scenario_json(scenario, tokens, strictness), 2);
}
