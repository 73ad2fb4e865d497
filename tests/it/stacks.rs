//! Logs from logging stacks (`tests/fixtures/stacks/<stack>/`): each run's streamer
//! log holds the metric lines of one stack (tracing JSON, Docker json-file, journald,
//! slog, zap, structlog, pino, Vector, ANSI colours, logfmt quotes, unit suffixes, CRI
//! records) with the same values: `p50_us=400` and `p99_us=2500`, so that in mode
//! degraded (limits 1000 and 2000, the built-in table) p50_us_max passes and
//! p99_us_max fails. With `"logs": "auto"` both faces judge that; without a `logs`
//! section the lines are read as the reference reads them, and p50_us is not read.

use crate::support::harness::run_in_process;
use crate::support::runs::copy_run;
use crate::support::{fixtures, utf8, Scratch};
use fault_harness::eval::model::Verdict;
use fault_harness::harness::Config;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The stacks, each a fixture run of one scenario (`torn_read`).
const STACKS: [&str; 15] = [
    "tracing-json",
    "tracing-fields",
    "tracing-flatten",
    "docker",
    "journald",
    "slog",
    "zap",
    "structlog",
    "pino",
    "vector",
    "tracing-ansi",
    "ansi-values",
    "logfmt-quotes",
    "units",
    "cri",
];

/// The suite that only says `"logs": "auto"`.
fn auto_suite() -> PathBuf {
    fixtures("stacks").join("auto-suite.json")
}

/// Judges the stack's run with the harness in process, with `suite` if given, copied
/// into a folder of its own (the other stacks are no earlier runs of it).
fn harness(stack: &str, suite: Option<&Path>) -> Vec<(String, Verdict)> {
    let scratch = Scratch::new("stacks-harness");
    let run = scratch.path().join(stack);
    copy_run(&fixtures("stacks").join(stack), &run);
    let mut config = Config::new(utf8(&run));
    config.suite = suite.map(utf8);
    let out = run_in_process(&config, &[]);
    out.finished
        .ran
        .iter()
        .map(|judged| (judged.name.clone(), judged.verdict.clone()))
        .collect()
}

/// Runs fault-summary on the stack's run with `suite` if given; returns its summary.json
/// and JUnit report.
fn cli(stack: &str, suite: Option<&Path>) -> (serde_json::Value, String) {
    let scratch = Scratch::new("stacks-cli");
    let summary = scratch.path().join("summary.json");
    let junit = scratch.path().join("junit.xml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_fault-summary"));
    command
        .arg("--run-dir")
        .arg(fixtures("stacks").join(stack))
        .arg("--output")
        .arg(&summary)
        .arg("--junit")
        .arg(&junit)
        .arg("--quiet");
    if let Some(suite) = suite {
        command.arg("--suite").arg(suite);
    }
    let out = command.output().expect("run fault-summary");
    assert!(
        out.status.code().is_some(),
        "{stack}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&summary)
        .unwrap_or_else(|err| panic!("{stack}: no summary.json ({err}): {out:?}"));
    let doc = serde_json::from_str(&text).expect("summary.json is JSON");
    (doc, std::fs::read_to_string(&junit).expect("junit.xml"))
}

/// Returns the verdict of the test of `stack`'s run ending in `test`.
fn verdict<'a>(judged: &'a [(String, Verdict)], stack: &str, test: &str) -> &'a Verdict {
    let name = format!("{stack}::torn_read::{test}");
    judged
        .iter()
        .find(|(found, _)| *found == name)
        .map(|(_, verdict)| verdict)
        .unwrap_or_else(|| panic!("{name} did not run: {judged:?}"))
}

/// Returns the `<testcase>` element of `test` in a JUnit report, up to its end.
fn testcase<'a>(junit: &'a str, test: &str) -> &'a str {
    let at = junit
        .find(&format!("testcase name=\"{test}\""))
        .unwrap_or_else(|| panic!("no testcase {test}: {junit}"));
    let rest = &junit[at..];
    let end = rest
        .find("</testcase>")
        .or_else(|| rest.find("/>"))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn with_logs_auto_both_faces_pass_one_check_and_fail_the_other_on_every_stack() {
    let suite = auto_suite();
    for stack in STACKS {
        let judged = harness(stack, Some(&suite));
        assert_eq!(
            verdict(&judged, stack, "p50_us_max"),
            &Verdict::Pass,
            "{stack}"
        );
        match verdict(&judged, stack, "p99_us_max") {
            Verdict::Failure(message) => {
                assert!(
                    message.starts_with("p99_us=2500 > 2000"),
                    "{stack}: {message}"
                )
            }
            other => panic!("{stack}: p99_us_max {other:?}"),
        }
        for passing in [
            "torn_read_events_min",
            "ingest_to_emit_samples_min",
            "drop_ratio_ppm_max",
        ] {
            assert_eq!(
                verdict(&judged, stack, passing),
                &Verdict::Pass,
                "{stack} {passing}"
            );
        }
        let (summary, junit) = cli(stack, Some(&suite));
        let latency = &summary["scenarios"][0]["metrics"]["latency"];
        assert_eq!(latency["p50_us"], 400, "{stack}: {summary}");
        assert_eq!(latency["p99_us"], 2500, "{stack}: {summary}");
        assert_eq!(summary["suite"], suite.to_str().unwrap(), "{stack}");
        assert!(
            !testcase(&junit, "p50_us_max").contains("<failure"),
            "{stack}"
        );
        assert!(
            testcase(&junit, "p99_us_max").contains("p99_us=2500 &gt; 2000"),
            "{stack}: {junit}"
        );
    }
}

#[test]
fn without_a_logs_section_every_stack_is_read_as_the_reference_reads_it() {
    let suite = auto_suite();
    let tests = [
        "p50_us_max",
        "p99_us_max",
        "drop_ratio_ppm_max",
        "ingest_to_emit_samples_min",
        "torn_read_events_min",
    ];
    for stack in STACKS {
        // The pair rule on the raw line misses what the stack wrote somewhere: a JSON
        // line's last value swallows its tail, colours and units make values no
        // integers, and in the CRI log p99_us is past the split.
        let off = harness(stack, None);
        let auto = harness(stack, Some(&suite));
        let differ = tests
            .iter()
            .any(|test| verdict(&off, stack, test) != verdict(&auto, stack, test));
        assert!(differ, "{stack}: {off:?}");
        let (summary, _) = cli(stack, None);
        let (read, _) = cli(stack, Some(&suite));
        assert_ne!(
            summary["scenarios"][0]["metrics"], read["scenarios"][0]["metrics"],
            "{stack}"
        );
        assert!(
            summary.get("suite").is_none(),
            "{stack}: the built-in suite is not named"
        );
    }
}
