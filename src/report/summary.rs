//! The `summary.json` writer: renders an evaluated run as the reference's bytes.
//!
//! It decides nothing: every verdict comes from the model, so the summary,
//! the harness and the JUnit report cannot disagree.

use crate::eval::model::{
    Check, ExitCodes, MetricLine, Metrics, Observed, Run, RunInfo, Scenario, Strictness, Verdict,
};
use crate::eval::thresholds;
use crate::py::int::PyInt;
use crate::py::json::{dumps, Json};
use crate::scan::kv::Pairs;

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

fn pairs(line: &Option<MetricLine>) -> Json {
    let empty = Pairs::new();
    let pairs = line.as_ref().map_or(&empty, |line| &line.pairs);
    Json::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Json::from(v)))
            .collect(),
    )
}

fn thresholds_json(run: &Run) -> Json {
    Json::Object(
        thresholds::table(run.info.mode)
            .iter()
            .map(|(id, limits)| {
                let limits = limits
                    .iter()
                    .map(|(key, v)| (key.to_string(), int(*v)))
                    .collect();
                (id.to_string(), Json::Object(limits))
            })
            .collect(),
    )
}

fn check_json(check: &Check, strictness: Strictness) -> Json {
    let actual = match &check.observed {
        Observed::Value(actual) => Json::Int(actual.clone()),
        // The reference counts a metric that never appeared as 0.
        Observed::Missing => Json::Int(PyInt::from_i64(0)),
        Observed::Invalid { value, .. } => Json::from(value),
    };
    let (passed, violation) = match check.verdict(strictness) {
        Verdict::Pass => (true, String::new()),
        Verdict::Fail { violation } => (false, violation),
        Verdict::Error { reason } => (false, reason),
    };
    obj(vec![
        ("metric", Json::Str(check.spec.metric.to_string())),
        ("type", Json::Str(check.spec.bound.as_str().to_string())),
        ("actual", actual),
        ("expected", int(check.limit)),
        ("passed", Json::Bool(passed)),
        ("violation", Json::Str(violation)),
    ])
}

fn scenario_json(scenario: &Scenario, strictness: Strictness) -> Json {
    let Scenario {
        row,
        order,
        duration_ms,
        exit,
        log: _,
        metrics,
        checks,
    } = scenario;
    let ExitCodes {
        sim,
        streamer,
        tester,
    } = exit;
    let Metrics {
        pipeline,
        latency,
        fault,
        rtp,
    } = metrics;
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
                ("sim", Json::Int(sim.clone())),
                ("streamer", Json::Int(streamer.clone())),
                ("tester", Json::Int(tester.clone())),
            ]),
        ),
        (
            "metrics",
            obj(vec![
                ("pipeline", pairs(pipeline)),
                ("latency", pairs(latency)),
                ("fault", pairs(fault)),
                ("rtp", pairs(rtp)),
            ]),
        ),
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

/// Renders the run as `summary.json` text, trailing newline included.
pub fn render(run: &Run, strictness: Strictness) -> String {
    let RunInfo {
        name: _,
        mode,
        mode_origin: _,
        run_id,
        run_dir,
        started_at,
        finished_at,
        manifest: _,
    } = &run.info;
    let total = run.scenarios.len();
    let pass = run.pass_count(strictness);
    let fail = total - pass;
    let all_pass = run.all_pass(strictness);
    let count = |n: usize| Json::Int(PyInt::from_i64(i64::try_from(n).unwrap_or(i64::MAX)));
    let doc = obj(vec![
        ("task", int(15)),
        ("mode", Json::Str(mode.as_str().to_string())),
        ("run_id", Json::ArgStr(run_id.clone())),
        ("run_dir", Json::ArgStr(run_dir.clone())),
        ("started_at", Json::ArgStr(started_at.clone())),
        ("finished_at", Json::ArgStr(finished_at.clone())),
        ("thresholds", thresholds_json(run)),
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
        (
            "scenarios",
            Json::Array(
                run.scenarios
                    .iter()
                    .map(|s| scenario_json(s, strictness))
                    .collect(),
            ),
        ),
    ]);
    let mut text = dumps(&doc);
    text.push('\n');
    text
}
