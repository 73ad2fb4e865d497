//! The `cargo test` harness over the fixture runs in `tests/fixtures/runs/`:
//! names, verdicts and messages in process, then the real `fault_suite` binary
//! through the protocols of cargo test, nextest and RustRover.

use crate::support::fixture;
use crate::support::harness::{fault_suite_command, run_in_process};
use fault_harness::eval::evaluation::{Evaluation, Options};
use fault_harness::eval::model::{Strictness, Verdict};
use fault_harness::harness::Config;
use fault_harness::input::mode::Mode;
use fault_harness::input::mode::ModeChoice;
use std::collections::BTreeSet;

/// The nineteen tests of a run with the three known scenarios, without the run's name.
const TESTS: [&str; 19] = [
    "reset_storm::drop_ratio_ppm_max",
    "reset_storm::ingest_to_emit_samples_min",
    "reset_storm::p50_us_max",
    "reset_storm::p99_us_max",
    "reset_storm::process_exit",
    "reset_storm::reset_events_min",
    "sink_stall::drop_ratio_ppm_max",
    "sink_stall::ingest_to_emit_samples_min",
    "sink_stall::p50_us_max",
    "sink_stall::p95_us_max",
    "sink_stall::process_exit",
    "sink_stall::sink_stall_events_min",
    "suite::expected_scenarios",
    "torn_read::drop_ratio_ppm_max",
    "torn_read::ingest_to_emit_samples_min",
    "torn_read::p50_us_max",
    "torn_read::p99_us_max",
    "torn_read::process_exit",
    "torn_read::torn_read_events_min",
];

/// Returns the full names of the nineteen tests of run `run`.
fn names(run: &str) -> Vec<String> {
    TESTS.iter().map(|test| format!("{run}::{test}")).collect()
}

#[test]
fn passing_run_lists_and_passes_every_named_test() {
    let out = run_in_process(&Config::new(crate::support::utf8(fixture("passing"))), &[]);
    assert_eq!(out.ran(), names("passing"));
    assert!(out.failed().is_empty(), "{:?}", out.failed());
    assert_eq!(out.finished.conclusion.num_passed, 19);
    assert!(!out.finished.conclusion.has_failed());
}

#[test]
fn threshold_misses_fail_with_violation_mode_file_line_and_the_line() {
    let out = run_in_process(
        &Config::new(crate::support::utf8(fixture("failing-thresholds"))),
        &[],
    );
    assert_eq!(
        out.failed(),
        [
            "failing-thresholds::sink_stall::sink_stall_events_min",
            "failing-thresholds::torn_read::p99_us_max",
        ]
    );
    let message = out.message("failing-thresholds::torn_read::p99_us_max", "failure");
    let run_json = fixture("failing-thresholds").join("run.json");
    let log = fixture("failing-thresholds").join("torn_read/streamer.log");
    let expected = format!(
        "p99_us=2500 > 2000 (limit p99_us_max of mode degraded, mode from {})\n  {}:6\n  | {}",
        run_json.display(),
        log.display(),
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .nth(5)
            .unwrap()
    );
    assert_eq!(message, expected);
    let stall = out.message(
        "failing-thresholds::sink_stall::sink_stall_events_min",
        "failure",
    );
    assert!(
        stall.starts_with(
            "sink_stall_events=150 < 200 (limit sink_stall_events_min of mode degraded"
        ),
        "{stall}"
    );
    assert!(stall.contains("sink_stall/streamer.log:7\n"), "{stall}");
    assert_eq!(out.finished.conclusion.num_failed, 2);
}

#[test]
fn exit_codes_fail_with_the_three_codes_and_the_log_paths() {
    let out = run_in_process(
        &Config::new(crate::support::utf8(fixture("failing-exit"))),
        &[],
    );
    assert_eq!(
        out.failed(),
        [
            "failing-exit::reset_storm::process_exit",
            "failing-exit::sink_stall::process_exit"
        ]
    );
    let dir = fixture("failing-exit");
    let message = out.message("failing-exit::sink_stall::process_exit", "failure");
    let expected = format!(
        "process_rc(sim=0,streamer=139,tester=0)\nstreamer exited 139: killed by SIGSEGV\n  manifest: {m}:3\n  sim log: {d}/sink_stall/sim.log (not found, nor in the current directory)\n  streamer log: {d}/sink_stall/streamer.log\n  tester log: {d}/sink_stall/tester.log (not found, nor in the current directory)",
        m = dir.join("manifest.tsv").display(),
        d = dir.display()
    );
    assert_eq!(message, expected);
    // An exit code that is not a number is missing evidence, not a failure.
    let message = out.message("failing-exit::reset_storm::process_exit", "error");
    assert!(
        message.starts_with("process_rc(sim=0,streamer=0,tester=-1): tester_rc=\"n/a\" is not an integer (counted as -1)"),
        "{message}"
    );
}

#[test]
fn metrics_that_never_appeared_are_errors_where_the_summary_counts_zero() {
    let dir = fixture("missing-metrics");
    let out = run_in_process(&Config::new(crate::support::utf8(&dir)), &[]);
    assert_eq!(
        out.failed(),
        [
            "missing-metrics::sink_stall::p95_us_max",
            "missing-metrics::torn_read::torn_read_events_min"
        ]
    );
    let message = out.message("missing-metrics::torn_read::torn_read_events_min", "error");
    assert_eq!(
        message,
        format!(
            "metric torn_read_events never appeared: no FAULT_COUNTERS line in {} (959 bytes)",
            dir.join("torn_read/streamer.log").display()
        )
    );
    let message = out.message("missing-metrics::sink_stall::p95_us_max", "error");
    assert!(
        message.starts_with(
            "metric p95_us never appeared: the last LATENCY_METRICS line has no p95_us\n  "
        ),
        "{message}"
    );
    assert!(
        message.contains("sink_stall/streamer.log:6\n  | "),
        "{message}"
    );

    // The summary keeps the reference's rule: absent counts as 0, so p95_us_max passes there.
    let choice = ModeChoice {
        mode: Mode::Degraded,
        origin: "test".to_string(),
    };
    let dir = crate::support::utf8(&dir);
    let evaluated = Evaluation::open_dir(
        &dir,
        Some(choice),
        std::sync::Arc::new(fault_harness::input::suite::Suite::builtin()),
        Options::default(),
    )
    .unwrap();
    let p95 = evaluated
        .scenario(1)
        .unwrap()
        .checks
        .iter()
        .find(|c| c.spec.metric == "p95_us")
        .unwrap();
    assert_eq!(p95.verdict(Strictness::Reference), Verdict::Pass);
    assert!(matches!(p95.verdict(Strictness::Strict), Verdict::Error(_)));
}

#[test]
fn missing_or_unnamed_logs_are_errors_for_every_check_of_their_scenario() {
    let dir = fixture("missing-logs");
    let out = run_in_process(&Config::new(crate::support::utf8(&dir)), &[]);
    let failed: Vec<&str> = out.failed();
    let expected: Vec<String> = names("missing-logs")
        .into_iter()
        .filter(|name| {
            (name.contains("::torn_read::") || name.contains("::sink_stall::"))
                && !name.ends_with("process_exit")
        })
        .collect();
    assert_eq!(failed, expected);
    for name in &expected {
        assert!(matches!(out.get(name).verdict, Verdict::Error(_)), "{name}");
    }
    let message = out.message("missing-logs::torn_read::p99_us_max", "error");
    assert_eq!(
        message,
        format!(
            "metric p99_us never appeared: streamer log \"torn_read/streamer.log\" does not exist beside the manifest (in {}) nor in the current directory",
            dir.display()
        )
    );
    let message = out.message("missing-logs::sink_stall::p50_us_max", "error");
    assert_eq!(
        message,
        format!(
            "metric p50_us never appeared: the manifest names no streamer_log ({}:3)",
            dir.join("manifest.tsv").display()
        )
    );
}

#[test]
fn unreadable_manifest_is_one_failing_manifest_test() {
    let dir = fixture("malformed-manifest");
    let out = run_in_process(&Config::new(crate::support::utf8(&dir)), &[]);
    assert_eq!(out.ran(), ["malformed-manifest::manifest"]);
    let message = out.message("malformed-manifest::manifest", "error");
    assert_eq!(
        message,
        format!(
            "{}:2: order \"first\" is not an integer",
            dir.join("manifest.tsv").display()
        )
    );
    // Listing shows it too: a broken run is never an empty, green suite.
    let listed = run_in_process(&Config::new(crate::support::utf8(&dir)), &["--list"]);
    assert_eq!(listed.stdout, "malformed-manifest::manifest: test\n");
}

#[test]
fn a_folder_of_runs_names_each_run_and_each_run_keeps_its_mode() {
    let out = run_in_process(&Config::new(crate::support::utf8(fixture("two-runs"))), &[]);
    let mut expected = names("alpha");
    expected.extend(names("beta"));
    assert_eq!(out.ran(), expected);
    // beta's mode is baseline, from its summary.json: p99_us=2500 is within baseline's limit.
    assert!(out.failed().is_empty(), "{:?}", out.failed());

    let mut config = Config::new(crate::support::utf8(fixture("two-runs")));
    config.mode = Some(Mode::Degraded);
    let out = run_in_process(&config, &[]);
    assert_eq!(out.failed(), ["beta::torn_read::p99_us_max"]);
    let message = out.message("beta::torn_read::p99_us_max", "failure");
    assert!(
        message.starts_with(
            "p99_us=2500 > 2000 (limit p99_us_max of mode degraded, mode from FAULT_MODE)"
        ),
        "{message}"
    );
}

#[test]
fn a_repeated_scenario_gets_a_stable_suffix_and_fails_the_scenario_set() {
    let out = run_in_process(
        &Config::new(crate::support::utf8(fixture("repeated-scenario"))),
        &[],
    );
    let ran = out.ran();
    assert_eq!(ran.len(), 25);
    assert_eq!(
        ran.iter().collect::<BTreeSet<_>>().len(),
        25,
        "names are unique"
    );
    let mut sorted = ran.clone();
    sorted.sort();
    assert_eq!(ran, sorted);
    assert!(ran.contains(&"repeated-scenario::torn_read#2::process_exit"));
    // The second torn_read row (order 2) is the one with p50_us=1500.
    assert_eq!(
        out.failed(),
        [
            "repeated-scenario::suite::expected_scenarios",
            "repeated-scenario::torn_read#2::p50_us_max"
        ]
    );
    let message = out.message("repeated-scenario::suite::expected_scenarios", "failure");
    assert!(
        message.starts_with(
            "expected torn_read, sink_stall, reset_storm once each: repeated torn_read (2 times)\n"
        ),
        "{message}"
    );
    let message = out.message("repeated-scenario::torn_read#2::p50_us_max", "failure");
    assert!(
        message.contains("torn_read_again/streamer.log:6"),
        "{message}"
    );
}

#[test]
fn a_run_without_a_mode_fails_only_its_checks_saying_how_to_set_it() {
    let dir = fixture("no-mode");
    let out = run_in_process(&Config::new(crate::support::utf8(&dir)), &[]);
    // The exit codes and the scenario set do not depend on the mode.
    let checks: Vec<String> = names("no-mode")
        .into_iter()
        .filter(|name| !name.ends_with("::process_exit") && !name.ends_with("::expected_scenarios"))
        .collect();
    assert_eq!(checks.len(), 15);
    assert_eq!(out.failed(), checks);
    let expected = format!(
        "{}: no mode for the thresholds: none was given and neither run.json nor summary.json names one; pass --mode baseline|degraded (fault-summary), set FAULT_MODE=baseline|degraded, or add \"mode\" to run.json",
        dir.display()
    );
    // In full on the first check of the manifest's first scenario, shortly on the others.
    let first = "no-mode::torn_read::ingest_to_emit_samples_min";
    let short =
        format!("no mode for the thresholds, so no limit ({first} says why and how to set one)");
    for name in checks {
        let want = if name == first { &expected } else { &short };
        assert_eq!(out.message(&name, "error"), want.as_str(), "{name}");
    }
    let mut config = Config::new(crate::support::utf8(&dir));
    config.mode = Some(Mode::Degraded);
    assert!(run_in_process(&config, &[]).failed().is_empty());
}

#[test]
fn a_folder_without_runs_fails_loudly() {
    let empty = crate::support::Scratch::new("harness-no-runs");
    let out = run_in_process(&Config::new(crate::support::utf8(empty.path())), &[]);
    let label = format!(
        "{}::setup",
        empty.path().file_name().unwrap().to_string_lossy()
    );
    assert_eq!(out.ran(), [label.as_str()]);
    let message = out.message(&label, "error");
    assert!(message.contains("no run directory here"), "{message}");
    assert!(
        message.contains("FAULT_RUN_DIR names a run directory"),
        "{message}"
    );

    let out = run_in_process(
        &Config::new(crate::support::utf8(fixture("no-such-run"))),
        &[],
    );
    assert_eq!(out.ran(), ["no-such-run::setup"]);
    assert!(out.finished.conclusion.has_failed());
}

#[test]
fn filter_skip_and_exact_select_tests_and_only_those_run() {
    let config = Config::new(crate::support::utf8(fixture("failing-thresholds")));
    let out = run_in_process(&config, &["p99_us_max"]);
    assert_eq!(
        out.ran(),
        [
            "failing-thresholds::reset_storm::p99_us_max",
            "failing-thresholds::torn_read::p99_us_max"
        ]
    );
    let out = run_in_process(
        &config,
        &["torn_read", "--skip", "p99", "--skip", "process_exit"],
    );
    assert_eq!(out.ran().len(), 4);
    assert!(out.failed().is_empty());
    let out = run_in_process(
        &config,
        &["--exact", "failing-thresholds::torn_read::p99_us_max"],
    );
    assert_eq!(out.ran(), ["failing-thresholds::torn_read::p99_us_max"]);
    assert_eq!(out.finished.conclusion.num_failed, 1);
    assert_eq!(out.finished.conclusion.num_filtered_out, 18);
    // `--exact` wants the whole name.
    let out = run_in_process(&config, &["--exact", "torn_read::p99_us_max"]);
    assert!(out.ran().is_empty());
}

#[test]
fn listing_prints_only_name_colon_test_lines_and_runs_nothing() {
    let config = Config::new(crate::support::utf8(fixture("two-runs")));
    let out = run_in_process(&config, &["--list", "--format", "terse"]);
    let mut expected: Vec<String> = names("alpha");
    expected.extend(names("beta"));
    let listed: Vec<String> = expected
        .iter()
        .map(|name| format!("{name}: test\n"))
        .collect();
    assert_eq!(out.stdout, listed.concat());
    assert!(out.finished.ran.is_empty());
    let ignored = run_in_process(&config, &["--list", "--format", "terse", "--ignored"]);
    assert_eq!(ignored.stdout, "");
}

#[test]
fn json_format_for_rustrover_is_one_json_event_per_line() {
    let config = Config::new(crate::support::utf8(fixture("failing-thresholds")));
    let out = run_in_process(
        &config,
        &["-Z", "unstable-options", "--format=json", "--show-output"],
    );
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect();
    assert_eq!(events.first().unwrap()["event"], "started");
    assert_eq!(events.first().unwrap()["test_count"], 19);
    let last = events.last().unwrap();
    assert_eq!(
        (&last["type"], &last["event"], &last["failed"]),
        (&"suite".into(), &"failed".into(), &2.into())
    );
    let failed = events
        .iter()
        .find(|e| {
            e["event"] == "failed" && e["name"] == "failing-thresholds::torn_read::p99_us_max"
        })
        .unwrap();
    assert!(
        failed["stdout"]
            .as_str()
            .unwrap()
            .contains("p99_us=2500 > 2000"),
        "{failed}"
    );
}

/// Returns the names of the tests a pretty-format run reports `FAILED`.
fn failed_in_output(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .map(|name| name.trim_end().to_string())
        .collect()
}

#[test]
fn real_binary_fails_with_exit_code_101_and_exactly_the_failed_names() {
    let output = fault_suite_command(&fixture("failing-thresholds"))
        .args(["--test-threads", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{stdout}\n{stderr}");
    assert_eq!(
        failed_in_output(&stdout),
        BTreeSet::from([
            "failing-thresholds::sink_stall::sink_stall_events_min".to_string(),
            "failing-thresholds::torn_read::p99_us_max".to_string(),
        ])
    );
    assert!(
        stdout.contains("test result: FAILED. 17 passed; 2 failed;"),
        "{stdout}"
    );
    // Under cargo test each message is shown once, under `failures:`, and stderr
    // carries no second copy to interleave with the progress lines.
    assert_eq!(
        stdout
            .matches("p99_us=2500 > 2000 (limit p99_us_max of mode degraded")
            .count(),
        1,
        "{stdout}"
    );
    assert!(!stderr.contains("Error: "), "{stderr}");
    // Under nextest each failure also goes to stderr, where nextest's JUnit picks it up.
    let output = fault_suite_command(&fixture("failing-thresholds"))
        .args(["--exact", "failing-thresholds::torn_read::p99_us_max"])
        .env("NEXTEST_EXECUTION_MODE", "process-per-test")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("Error: ").count(), 1, "{stderr}");
    assert!(
        stderr.contains("Error: p99_us=2500 > 2000 (limit p99_us_max of mode degraded"),
        "{stderr}"
    );
}

#[test]
fn real_binary_reads_mode_and_junit_from_the_environment() {
    let scratch = crate::support::Scratch::new("harness-env");
    let junit = scratch.path().join("junit.xml");
    let output = fault_suite_command(&fixture("no-mode"))
        .env("FAULT_MODE", "degraded")
        .env("FAULT_JUNIT", &junit)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(
            "<testsuites name=\"fault-harness\" tests=\"19\" failures=\"0\" errors=\"0\">"
        ),
        "{xml}"
    );

    let output = fault_suite_command(&fixture("passing"))
        .env("FAULT_MODE", "fast")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(101));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("FAULT_MODE=\"fast\" is neither \"baseline\" nor \"degraded\""),
        "{stdout}"
    );
}

#[test]
fn real_binary_speaks_nextests_list_and_exact_protocol() {
    let runs = fixture("failing-thresholds");
    let output = fault_suite_command(&runs)
        .args(["--list", "--format", "terse"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let expected: String = names("failing-thresholds")
        .iter()
        .map(|name| format!("{name}: test\n"))
        .collect();
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);

    let output = fault_suite_command(&runs)
        .args(["--list", "--format", "terse", "--ignored"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");

    let output = fault_suite_command(&runs)
        .args([
            "--exact",
            "failing-thresholds::torn_read::p99_us_max",
            "--nocapture",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(101));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("running 1 test\n"), "{stdout}");
    assert!(
        stdout.contains("1 failed; 0 ignored; 0 measured; 18 filtered out"),
        "{stdout}"
    );
    let output = fault_suite_command(&runs)
        .args([
            "--exact",
            "failing-thresholds::torn_read::p50_us_max",
            "--nocapture",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
}

#[test]
fn real_binary_speaks_rustrovers_json_format() {
    let output = fault_suite_command(&fixture("failing-exit"))
        .args(["-Z", "unstable-options", "--format=json", "--show-output"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(101));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failed = BTreeSet::new();
    for line in stdout.lines() {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"));
        if event["type"] == "test" && event["event"] == "failed" {
            failed.insert(event["name"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        failed,
        BTreeSet::from([
            "failing-exit::reset_storm::process_exit".to_string(),
            "failing-exit::sink_stall::process_exit".to_string(),
        ])
    );
}

#[test]
fn exact_reads_only_the_run_its_name_designates() {
    // nextest runs every test as `--exact NAME`: the other runs of the folder are not
    // opened, so the listing of that process holds the one run's tests only.
    let folder = fixture("two-runs");
    let first = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .min()
        .unwrap();
    let name = format!("{first}::torn_read::p99_us_max");
    let output = fault_suite_command(&folder)
        .args(["--exact", &name])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 passed; 0 failed"), "{stdout}");
    assert!(stdout.contains("; 18 filtered out"), "{stdout}");
    // Without --exact, both runs are listed.
    let output = fault_suite_command(&folder)
        .args(["p99_us_max"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("4 passed; 0 failed; 0 ignored; 0 measured; 34 filtered out"),
        "{stdout}"
    );
}

#[test]
fn the_default_read_ahead_judges_exactly_as_one_thread_does() {
    // A folder of runs of every kind, each four times (more than the 64 scenarios a
    // second thread waits for): by default it evaluates scenarios from the last run
    // backwards while the tests are judged from the first.
    let scratch = crate::support::Scratch::new("read-ahead");
    let kinds = [
        "passing",
        "failing-thresholds",
        "failing-exit",
        "missing-logs",
        "missing-metrics",
        "no-mode",
        "repeated-scenario",
        "malformed-manifest",
    ];
    for copy in 0..4 {
        for kind in kinds {
            let to = scratch.path().join(format!("{kind}-{copy}"));
            crate::support::runs::copy_run(&fixture(kind), &to);
        }
    }
    let config = Config::new(crate::support::utf8(scratch.path()));
    let verdicts = |out: &crate::support::harness::InProcess| {
        out.finished
            .ran
            .iter()
            .map(|judged| {
                let verdict = format!("{:?}", judged.verdict);
                (judged.name.clone(), verdict, judged.evidence.clone())
            })
            .collect::<Vec<_>>()
    };
    let ahead = verdicts(&run_in_process(&config, &[]));
    let alone = verdicts(&run_in_process(&config, &["--test-threads", "1"]));
    assert!(ahead.len() > 200, "{} tests", ahead.len());
    assert_eq!(ahead, alone);
}

#[test]
fn exact_finds_its_run_among_runs_whose_names_sanitize_alike() {
    // "x y" and "x_y" are both named x_y; the first in order keeps the name, the second
    // is x_y#2. `--exact` looks into only the folders whose names can be its run's.
    let scratch = crate::support::Scratch::new("exact-alike");
    for dir in ["x y", "x_y", "z"] {
        crate::support::runs::copy_run(&fixture("passing"), &scratch.path().join(dir));
    }
    let config = Config::new(crate::support::utf8(scratch.path()));
    let listed = run_in_process(&config, &["--list"]);
    assert!(
        listed
            .stdout
            .contains("x_y#2::torn_read::process_exit: test"),
        "{}",
        listed.stdout
    );
    for (name, dir) in [("x_y", "x y"), ("x_y#2", "x_y")] {
        let test = format!("{name}::torn_read::process_exit");
        let out = run_in_process(&config, &["--exact", &test]);
        assert_eq!(out.ran(), [test.as_str()]);
        // Only the named run's tests are named (19, one of which runs).
        assert_eq!(out.finished.conclusion.num_filtered_out, 18);
        let evidence = &out.get(&test).evidence;
        let manifest = scratch.path().join(dir).join("manifest.tsv");
        assert!(
            evidence.contains(&format!("manifest: {}:", manifest.display())),
            "{evidence}"
        );
    }
}
