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
use crate::scan::kv::Pairs;
use std::io::{self, Write};

fn obj(members: Vec<(&str, Json)>) -> Json {
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn int(v: i64) -> Json {
    Json::Int(PyInt::from_i64(v))
}

fn pairs(line: Option<&MetricLine>) -> Json {
    let empty = Pairs::new();
    let pairs = line.map_or(&empty, |line| &line.pairs);
    Json::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Json::from(v)))
            .collect(),
    )
}

/// Renders the mode's tables as the reference's `thresholds` block: scenario → key →
/// limit, without the table of any other scenario (`"*"`), which the reference's lacks.
fn thresholds_json(tables: &ModeTables) -> Json {
    Json::Object(
        tables
            .tables
            .iter()
            .filter(|table| table.scenario != ANY_SCENARIO)
            .map(|table| {
                let limits = table
                    .limits
                    .iter()
                    .map(|limit| (limit.key.clone(), int(limit.value)))
                    .collect();
                (table.scenario.clone(), Json::Object(limits))
            })
            .collect(),
    )
}

fn check_json(check: &Check, strictness: Strictness) -> Json {
    let actual = match &check.observed {
        Observed::Value(actual) => Json::Int(actual.clone()),
        // The reference counts a metric that never appeared as 0.
        Observed::Missing => Json::Int(PyInt::from_i64(0)),
        Observed::Invalid { value } => Json::from(value),
        // The metric was not among the pairs read of an overlong line.
        Observed::Cut { .. } => Json::Str(String::new()),
        // Judged over every line: the worst value stands for them.
        Observed::All(series) => match (&series.invalid, &series.worst) {
            (Some((_, value)), _) => Json::from(value),
            (None, Some(worst)) => Json::Int(worst.value.clone()),
            (None, None) => Json::Int(PyInt::from_i64(0)),
        },
    };
    let (passed, violation) = match check.verdict(strictness) {
        Verdict::Pass => (true, String::new()),
        Verdict::Failure(violation) | Verdict::Error(violation) => (false, violation),
    };
    obj(vec![
        ("metric", Json::Str(check.spec.metric.to_string())),
        ("type", Json::Str(check.spec.bound.as_str().to_string())),
        ("actual", actual),
        ("expected", int(check.spec.limit.unwrap_or_default())),
        ("passed", Json::Bool(passed)),
        ("violation", Json::Str(violation)),
    ])
}

fn scenario_json(scenario: &Scenario, tokens: &[String], strictness: Strictness) -> Json {
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
    let Metrics { lines: _ } = metrics;
    let metrics_json = Json::Object(
        tokens
            .iter()
            .map(|token| (thresholds::summary_key(token), pairs(metrics.line(token))))
            .collect(),
    );
    let violated = scenario.violations(strictness);
    let passed = scenario.passes(strictness);
    let reason = scenario.reason(strictness);
    obj(vec![
        ("order", Json::Int(order.clone())),
        ("id", Json::Str(row.scenario_id.clone())),
        ("name", Json::Str(row.name.clone())),
        (
            "status",
            Json::Str(if passed { "PASS" } else { "FAIL" }.to_string()),
        ),
        ("reason", Json::Str(reason)),
        ("duration_ms", Json::Int(duration_ms.clone())),
        (
            "process_exit",
            obj(vec![
                ("sim", Json::Int(sim.code.clone())),
                ("streamer", Json::Int(streamer.code.clone())),
                ("tester", Json::Int(tester.code.clone())),
            ]),
        ),
        ("metrics", metrics_json),
        (
            "checks",
            Json::Array(checks.iter().map(|c| check_json(c, strictness)).collect()),
        ),
        (
            "violations",
            Json::Array(violated.into_iter().map(Json::Str).collect()),
        ),
        (
            "evidence",
            obj(vec![
                ("sim_log", Json::Str(row.sim_log.clone())),
                ("streamer_log", Json::Str(row.streamer_log.clone())),
                ("tester_log", Json::Str(row.tester_log.clone())),
                ("sdp", Json::Str(row.sdp_path.clone())),
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
    } = Tally::of(scenarios, suite.scenarios.len(), strictness);
    let count = |n: usize| Json::Int(PyInt::from_i64(i64::try_from(n).unwrap_or(i64::MAX)));
    let mut members = vec![
        ("task", int(15)),
        ("mode", Json::Str(mode.as_str().to_string())),
        ("run_id", Json::ArgStr(run_id.clone())),
        ("run_dir", Json::ArgStr(run_dir.clone())),
        ("started_at", Json::ArgStr(started_at.clone())),
        ("finished_at", Json::ArgStr(finished_at.clone())),
    ];
    if let (Some(path), false) = (&suite.origin, suite.same_as_builtin()) {
        members.push(("suite", Json::Str(path.to_string())));
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
    // `json.dumps` ends the document `"scenarios": []` and a line break and `}`.
    let Some(open) = head.strip_suffix("[]\n}") else {
        return Err(io::Error::other("summary head without its scenarios array"));
    };
    if scenarios.is_empty() {
        return out.write_all(format!("{head}\n").as_bytes());
    }
    out.write_all(open.as_bytes())?;
    out.write_all(b"[")?;
    let mut chunk = String::new();
    for (i, scenario) in scenarios.iter().enumerate() {
        chunk.clear();
        if i > 0 {
            chunk.push(',');
        }
        // Items of the array that is the top object's member: two levels deep.
        newline_at(&mut chunk, 2);
        dump_at(
            &mut chunk,
            &scenario_json(scenario, &suite.tokens, strictness),
            2,
        );
        out.write_all(chunk.as_bytes())?;
    }
    out.write_all(b"\n  ]\n}\n")
}
