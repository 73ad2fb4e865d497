//! Suites as data: a run judged by its `fault-suite.json` (a fourth scenario, a
//! token of its own, a limit over the whole run), where suites are found, and
//! every broken suite failing loudly with its position.

use crate::support::harness::{fault_suite_command, run_in_process};
use crate::support::runs::{fault_summary, run_bounded, Run};
use crate::support::{crate_root, fixtures, utf8, Scratch};
use fault_harness::harness::Config;
use std::path::{Path, PathBuf};

/// Returns the fixture run with a `clock_skew` scenario and its suite file.
fn clock_skew() -> PathBuf {
    fixtures("suites").join("clock-skew")
}

#[test]
fn a_suite_adds_a_scenario_a_token_and_a_limit_over_the_whole_run() {
    let out = run_in_process(&Config::new(utf8(clock_skew())), &[]);
    let ran = out.ran();
    for name in [
        "clock_skew::clock_skew::clock_skew_events_min",
        "clock_skew::clock_skew::p99_us_max",
        "clock_skew::clock_skew::rtp_jitter_us_max",
        "clock_skew::clock_skew::process_exit",
    ] {
        assert!(ran.contains(&name), "{name} not in {ran:?}");
    }
    // The scenario set follows the file: four scenarios, none unexpected.
    assert_eq!(
        out.get("clock_skew::suite::expected_scenarios").verdict,
        fault_harness::eval::model::Verdict::Pass
    );
    // p99_us crossed 3000 mid-run, though the last line (2400) is within the limit.
    assert_eq!(out.failed(), ["clock_skew::clock_skew::p99_us_max"]);
    let message = out.message("clock_skew::clock_skew::p99_us_max", "failure");
    let log = clock_skew().join("clock_skew/streamer.log");
    assert!(
        message.starts_with(
            "p99_us=3100 > 3000 on 7 of 60 lines; first at line 50, worst 4410 at line 56 (limit p99_us_max of mode degraded in "
        ),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "fault-suite.json, mode from {}",
            clock_skew().join("run.json").display()
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!("first over the limit: {}:50", log.display())),
        "{message}"
    );
    // A `last` check of the same limit would have passed: the last value is 2400.
    let text = std::fs::read_to_string(&log).unwrap();
    let last = text
        .lines()
        .rev()
        .find(|line| line.contains("LATENCY_METRICS"))
        .unwrap();
    assert!(last.contains("p99_us=2400 "), "{last}");
}

#[test]
fn the_summary_names_the_suite_and_holds_its_table_and_tokens() {
    let scratch = Scratch::new("suite-summary");
    let out = scratch.path().join("summary.json");
    let ran = fault_summary(
        &clock_skew(),
        ["--run-dir", ".", "--output", out.to_str().unwrap()],
    );
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("summary is JSON");
    assert_eq!(doc["suite"], "./fault-suite.json");
    assert_eq!(doc["thresholds"]["clock_skew"]["p99_us_max"], 3000);
    assert_eq!(doc["thresholds"]["clock_skew"]["clock_skew_events_min"], 5);
    assert_eq!(doc["counts"]["total"], 4);
    assert_eq!(doc["all_pass"], false);
    let clock = &doc["scenarios"][3];
    assert_eq!(clock["id"], "clock_skew");
    assert_eq!(clock["metrics"]["clock"]["rtp_jitter_us"], 359);
    let checks: Vec<&str> = clock["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check["metric"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["p99_us", "clock_skew_events", "rtp_jitter_us"]);
    assert_eq!(clock["checks"][0]["actual"], 4410);
    assert_eq!(clock["checks"][0]["passed"], false);
}

#[test]
fn print_suite_prints_the_builtin_table_or_the_file_in_effect() {
    let scratch = Scratch::new("print-suite");
    let builtin = fault_summary(scratch.path(), ["--print-suite"]);
    assert_eq!(builtin.status.code(), Some(0));
    let text = String::from_utf8(builtin.stdout).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the built-in suite is JSON");
    assert_eq!(doc["modes"]["degraded"]["torn_read"]["p99_us_max"], 2000);
    assert_eq!(doc["modes"]["baseline"]["*"]["p50_us_max"], 500_000);
    let file = fault_summary(
        scratch.path(),
        ["--print-suite", "--run-dir", clock_skew().to_str().unwrap()],
    );
    assert_eq!(
        file.stdout,
        std::fs::read(clock_skew().join("fault-suite.json")).unwrap()
    );
}

/// Writes a copy of the sample run into `dir`, without a suite file.
fn sample_run_in(dir: &Path) {
    crate::support::runs::copy_run(&crate_root().join("fault-runs/nightly-0305"), dir);
}

/// Returns the summary `fault-summary` writes for the run in `dir`, and its exit code.
fn summary_of(dir: &Path) -> (Option<i32>, Vec<u8>) {
    let out = dir.join("summary.json");
    let _ = std::fs::remove_file(&out);
    let ran = fault_summary(dir, ["--run-dir", "."]);
    (ran.status.code(), std::fs::read(&out).unwrap_or_default())
}

#[test]
fn print_suite_redirected_into_the_suite_file_prints_what_judges_the_same() {
    let scratch = Scratch::new("print-suite-redirect");
    let run = scratch.path().join("nightly");
    sample_run_in(&run);
    let (code, builtin_summary) = summary_of(&run);
    assert_eq!(code, Some(0));
    let builtin = run_in_process(&Config::new(utf8(&run)), &[]);
    // `fault-summary --print-suite > fault-suite.json`: the shell creates the empty file
    // before the tool starts, and the tool must not take it for the suite.
    let suite = run.join("fault-suite.json");
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_fault-summary"))
        .current_dir(&run)
        .arg("--print-suite")
        .stdout(std::fs::File::create(&suite).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&printed.stderr);
    assert_eq!(printed.status.code(), Some(0), "{stderr}");
    let text = std::fs::read_to_string(&suite).unwrap();
    assert!(text.contains("\"regression\": {"), "{text}");
    // Read back, the printed suite judges as the built-in one: the same summary bytes,
    // the same tests and the same failures.
    assert_eq!(summary_of(&run), (Some(0), builtin_summary));
    let printed = run_in_process(&Config::new(utf8(&run)), &[]);
    assert_eq!(printed.ran(), builtin.ran());
    assert_eq!(printed.failed(), builtin.failed());
}

#[test]
fn an_empty_suite_file_is_no_suite_yet_in_both_faces() {
    let scratch = Scratch::new("empty-suite");
    let run = scratch.path().join("nightly");
    sample_run_in(&run);
    let (code, builtin_summary) = summary_of(&run);
    let builtin = run_in_process(&Config::new(utf8(&run)), &[]);
    std::fs::write(run.join("fault-suite.json"), "").unwrap();
    assert_eq!(summary_of(&run), (code, builtin_summary));
    let out = run_in_process(&Config::new(utf8(&run)), &[]);
    assert_eq!(out.ran(), builtin.ran());
    assert!(!out.ran().iter().any(|name| name.ends_with("::suite_file")));
    // --print-suite for the run says why the file is not the suite it prints.
    let printed = fault_summary(&run, ["--print-suite", "--run-dir", "."]);
    assert_eq!(printed.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(printed.stdout).unwrap(),
        String::from_utf8(fault_summary(scratch.path(), ["--print-suite"]).stdout).unwrap()
    );
    let stderr = String::from_utf8_lossy(&printed.stderr);
    assert!(
        stderr.contains("note: ./fault-suite.json is empty: no suite yet"),
        "{stderr}"
    );
}

#[test]
fn the_printed_suite_judges_history_as_the_builtin_one() {
    let scratch = Scratch::new("print-suite-history");
    let folder = crate::history::steady_history(&scratch, Some(1410));
    let builtin = run_in_process(&Config::new(utf8(&folder)), &[]);
    assert!(builtin
        .failed()
        .contains(&"nightly_0312::torn_read::p99_us_regression"));
    let printed = fault_summary(scratch.path(), ["--print-suite"]);
    std::fs::write(folder.join("fault-suite.json"), printed.stdout).unwrap();
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    assert_eq!(out.ran(), builtin.ran());
    assert_eq!(out.failed(), builtin.failed());
}

#[test]
fn a_suite_is_found_in_the_run_then_its_folder_then_fault_suite_wins() {
    let scratch = Scratch::new("suite-order");
    let run = scratch.path().join("nightly");
    sample_run_in(&run);
    let only_torn = |p99: u32| {
        format!(
            r#"{{"scenarios": ["torn_read", "sink_stall", "reset_storm"],
                "modes": {{"degraded": {{"torn_read": {{"p99_us_max": {p99}}}}}}}}}"#
        )
    };
    let checks_of = |config: Config| {
        let out = run_in_process(&config, &["torn_read::"]);
        (out.ran().len(), out.failed().len())
    };
    // The built-in table: five checks and process_exit, all passing.
    assert_eq!(checks_of(Config::new(utf8(&run))), (6, 0));
    // The folder's suite: one check, which fails (the sample's p99 is above 10).
    std::fs::write(scratch.path().join("fault-suite.json"), only_torn(10)).unwrap();
    assert_eq!(checks_of(Config::new(utf8(&run))), (2, 1));
    // The run's own suite comes before the folder's.
    std::fs::write(run.join("fault-suite.json"), only_torn(1_000_000)).unwrap();
    assert_eq!(checks_of(Config::new(utf8(&run))), (2, 0));
    // FAULT_SUITE comes before both.
    let named = scratch.path().join("named.json");
    std::fs::write(&named, only_torn(11)).unwrap();
    let mut config = Config::new(utf8(&run));
    config.suite = Some(utf8(&named));
    assert_eq!(checks_of(config), (2, 1));
    let mut command = fault_suite_command(&run);
    command.env("FAULT_SUITE", &named);
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101));
    assert!(String::from_utf8_lossy(&output.stdout).contains("named.json"));
}

/// The bad suite files of the issue, each with what its message must say.
const BAD: [(&str, &str, &str); 9] = [
    ("not JSON", "{\n  \"modes\": {\n    \"degraded\": {,\n", ":3:"),
    (
        "an unknown top-level key",
        "{\n  \"scenarios\": [\"torn_read\"],\n  \"thresholds\": {}\n}\n",
        ":3:14: unknown key \"thresholds\"",
    ),
    (
        "a limit that is not an integer",
        "{\"modes\": {\"degraded\": {\"torn_read\": {\"p99_us_max\": 2000.5}}}}",
        "limit 2000.5 is not an integer",
    ),
    (
        "over other than last or all",
        "{\"modes\": {\"degraded\": {\"torn_read\": {\"p99_us_max\": {\"limit\": 1, \"over\": \"max\"}}}}}",
        "\"over\" is \"max\"",
    ),
    (
        "a misspelled key",
        "{\"modes\": {\"degraded\": {\"torn_read\": {\"p99_us_mx\": 2000}}}}",
        "limit \"p99_us_mx\" names no bound",
    ),
    (
        "a limit given as text",
        "{\"modes\": {\"degraded\": {\"torn_read\": {\"p99_us_max\": \"2000\"}}}}",
        "expected an integer limit",
    ),
    (
        "a mode the run uses but the suite lacks",
        "{\"modes\": {\"baseline\": {}}}",
        "the run's mode degraded has no table: \"modes\" defines baseline",
    ),
    (
        "a misspelled suite key",
        "{\n  \"scenarios\": [\"torn_read\"],\n  \"tokns\": [\"LATENCY_METRICS\"]\n}\n",
        "; did you mean \"tokens\"?",
    ),
    (
        "a misspelled token, placed on its line",
        "{\n  \"modes\": {\"degraded\": {\"torn_read\": {\n    \"p99_us_max\": {\"limit\": 2000, \"token\": \"LATENCY_METRIC\"}}}}\n}\n",
        ":3:59: modes.degraded.torn_read.p99_us_max: token \"LATENCY_METRIC\" is not among",
    ),
];

#[test]
fn every_bad_suite_fails_loudly_with_its_position_in_both_faces() {
    for (what, text, expected) in BAD {
        let run = Run::good(&format!("bad-suite-{}", what.replace(' ', "-")));
        run.write("fault-suite.json", text);
        // fault-summary: exit 2, the file and position, no summary written.
        let ran = fault_summary(run.dir(), ["--run-dir", "."]);
        let stderr = String::from_utf8_lossy(&ran.stderr);
        assert_eq!(ran.status.code(), Some(2), "{what}: {stderr}");
        assert!(stderr.contains("fault-suite.json"), "{what}: {stderr}");
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert!(!run.path("summary.json").exists(), "{what}");
        // The harness: a failing <run>::suite_file, never an empty green suite.
        let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
        let name = format!("{}::suite_file", run.test_name());
        let message = out.message(&name, "error");
        assert!(message.contains(expected), "{what}: {message}");
        assert!(out.finished.conclusion.has_failed(), "{what}");
    }
}

#[test]
fn a_broken_suite_shared_by_a_folder_fails_as_the_folders_setup() {
    let scratch = Scratch::new("bad-folder-suite");
    for run in ["a", "b"] {
        sample_run_in(&scratch.path().join(run));
    }
    std::fs::write(scratch.path().join("fault-suite.json"), "{\"tokens\": []}").unwrap();
    let out = run_in_process(&Config::new(utf8(scratch.path())), &[]);
    let folder = scratch.path().file_name().unwrap().to_string_lossy();
    let label = fault_harness::eval::case::sanitize(&folder);
    assert_eq!(out.ran(), [format!("{label}::setup").as_str()]);
    let message = out.message(&format!("{label}::setup"), "error");
    assert!(
        message.contains("fault-suite.json:1:13: the list of tokens is empty"),
        "{message}"
    );
}

#[test]
fn a_metric_no_line_holds_fails_its_check_as_an_error() {
    let run = Run::good("suite-missing-metric");
    run.write(
        "fault-suite.json",
        "{\"modes\": {\"degraded\": {\"torn_read\": {\"gpu_temp_c_max\": 90}}}}",
    );
    let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
    let name = format!("{}::torn_read::gpu_temp_c_max", run.test_name());
    let message = out.message(&name, "error");
    assert!(
        message.starts_with("metric gpu_temp_c never appeared: no line of PIPELINE_METRICS, LATENCY_METRICS, FAULT_COUNTERS, RTP_METRICS in "),
        "{message}"
    );
}

#[test]
fn the_readmes_broken_suite_gets_the_message_the_readme_shows() {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let text = "{\n  \"scenarios\": [\"torn_read\", \"sink_stall\", \"reset_storm\"],\n  \"tokns\": [\"LATENCY_METRICS\"]\n}\n";
    assert!(
        readme.contains(&format!("```json\n{text}```")),
        "README.md does not show {text}"
    );
    let path = camino::Utf8Path::new("runs/fault-suite.json");
    let message = fault_harness::input::suite::parse(text, path)
        .unwrap_err()
        .to_string();
    assert!(
        readme.contains(&format!("```\n{message}\n```")),
        "README.md does not show the message {message}"
    );
}
