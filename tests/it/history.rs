//! History: each run judged against the runs before it in its folder, as
//! `<run>::<scenario>::<metric>_regression` tests.

use crate::support::harness::run_in_process;
use crate::support::runs::{fault_summary, good_log, HEADER, SCENARIOS};
use crate::support::{utf8, Scratch};
use fault_harness::eval::model::Verdict;
use fault_harness::harness::Config;
use std::path::Path;

/// Writes run `name` into `folder`: started at day `day` of March, torn_read's p99_us at
/// `p99` (`None`: the latency line lacks it), the other scenarios as the good log has them.
fn write_run(folder: &Path, name: &str, day: u32, p99: Option<u32>) {
    let dir = folder.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let mut manifest = String::from(HEADER);
    for (i, id) in SCENARIOS.iter().enumerate() {
        manifest.push_str(&crate::support::runs::row(
            &(i + 1).to_string(),
            id,
            &format!("{id}/streamer.log"),
        ));
        let mut log = good_log(id);
        if *id == "torn_read" {
            log = match p99 {
                Some(p99) => log.replace("p99_us=1744", &format!("p99_us={p99}")),
                None => log.replace("p99_us=1744 ", ""),
            };
        }
        std::fs::create_dir_all(dir.join(id)).unwrap();
        std::fs::write(dir.join(id).join("streamer.log"), log).unwrap();
    }
    std::fs::write(dir.join("manifest.tsv"), manifest).unwrap();
    std::fs::write(
        dir.join("run.json"),
        format!(
            r#"{{"mode": "degraded", "started_at": "2026-03-{day:02}T02:00:00Z", "finished_at": "2026-03-{day:02}T03:00:00Z"}}"#
        ),
    )
    .unwrap();
}

/// Writes seven steady nightlies (p99_us about 960) and a newest one at `newest`.
pub(crate) fn steady_history(scratch: &Scratch, newest: Option<u32>) -> std::path::PathBuf {
    let folder = scratch.path().join("nightlies");
    let steady = [940, 960, 950, 980, 960, 970, 955];
    for (i, p99) in steady.iter().enumerate() {
        write_run(
            &folder,
            &format!("nightly-03{:02}", i + 5),
            i as u32 + 5,
            Some(*p99),
        );
    }
    write_run(&folder, "nightly-0312", 12, newest);
    folder
}

#[test]
fn a_47_percent_jump_fails_with_the_window_and_a_10_percent_drift_passes() {
    let scratch = Scratch::new("history-jump");
    let folder = steady_history(&scratch, Some(1410));
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    let name = "nightly_0312::torn_read::p99_us_regression";
    let message = out.message(name, "failure");
    assert!(
        message.starts_with(
            "p99_us=1410 is 47% above the median 960 of the 7 runs before (max +25%): nightly-0305 940, nightly-0306 960, nightly-0307 950, nightly-0308 980, nightly-0309 960, nightly-0310 970, nightly-0311 955"
        ),
        "{message}"
    );
    assert!(message.contains("this run: "), "{message}");
    assert_eq!(message.matches("nightly-0305 940").count(), 1, "{message}");
    assert!(
        message.contains("nightly-0312/torn_read/streamer.log:2\n"),
        "{message}"
    );
    // Only that test fails: the other metrics did not move, p99_us is still under its limit.
    assert_eq!(out.failed(), [name]);
    // The first runs have too few runs before them: no regression tests for them.
    let ran = out.ran();
    assert!(!ran
        .iter()
        .any(|t| t.starts_with("nightly_0307::") && t.ends_with("_regression")));
    assert!(ran.contains(&"nightly_0308::torn_read::p99_us_regression"));
    assert_eq!(
        ran.iter().filter(|t| t.ends_with("_regression")).count(),
        5 * 3 * 4,
        "runs 0308-0312, three scenarios, four metrics"
    );

    let scratch = Scratch::new("history-drift");
    let folder = steady_history(&scratch, Some(1056));
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    assert!(out.failed().is_empty(), "{:?}", out.failed());
}

#[test]
fn a_single_run_is_judged_against_its_siblings() {
    let scratch = Scratch::new("history-siblings");
    let folder = steady_history(&scratch, Some(1410));
    let out = run_in_process(&Config::new(utf8(folder.join("nightly-0312"))), &[]);
    assert_eq!(out.ran().len(), 19 + 12);
    assert_eq!(out.failed(), ["nightly_0312::torn_read::p99_us_regression"]);
    // FAULT_HISTORY names another folder: here one without enough runs before.
    let few = scratch.path().join("few");
    write_run(&few, "old-1", 1, Some(900));
    let mut config = Config::new(utf8(folder.join("nightly-0312")));
    config.history = Some(utf8(&few));
    assert_eq!(run_in_process(&config, &[]).ran().len(), 19);
}

#[test]
fn a_metric_missing_now_is_an_error_and_missing_before_does_not_count() {
    let scratch = Scratch::new("history-missing");
    let folder = steady_history(&scratch, None);
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    let message = out.message("nightly_0312::torn_read::p99_us_regression", "error");
    assert!(
        message.starts_with("metric p99_us never appeared in this run"),
        "{message}"
    );
    // An old run without the metric leaves the window: six values remain.
    let scratch = Scratch::new("history-missing-old");
    let folder = steady_history(&scratch, Some(1410));
    write_run(&folder, "nightly-0306", 6, None);
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    let message = out.message("nightly_0312::torn_read::p99_us_regression", "failure");
    assert!(
        message.contains("of the 6 runs before (max +25%): nightly-0305 940, nightly-0307 950"),
        "{message}"
    );
}

#[test]
fn run_json_times_order_the_runs_whatever_their_names() {
    let scratch = Scratch::new("history-order");
    let folder = scratch.path().join("runs");
    // The names sort backwards: the time decides, so `a-newest` is judged.
    let names = ["z", "y", "x", "w"];
    for (day, name) in names.iter().enumerate() {
        write_run(&folder, name, day as u32 + 1, Some(1000));
    }
    write_run(&folder, "a-newest", 9, Some(2000));
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    let message = out.message("a_newest::torn_read::p99_us_regression", "failure");
    assert!(
        message.contains(": z 1000, y 1000, x 1000, w 1000"),
        "{message}"
    );
    assert!(!out
        .ran()
        .iter()
        .any(|t| t.starts_with("x::") && t.ends_with("_regression")));
}

#[test]
fn iqr_judges_a_noisy_history_by_tukeys_fences() {
    let scratch = Scratch::new("history-iqr");
    let folder = scratch.path().join("noisy");
    for (day, p99) in [1000, 900, 1300, 950, 1100, 920, 1050].iter().enumerate() {
        write_run(&folder, &format!("n{day}"), day as u32 + 1, Some(*p99));
    }
    // 1280: 33% over the median 1000, but inside the upper fence 1285 of this noise.
    write_run(&folder, "n9", 20, Some(1280));
    std::fs::write(
        folder.join("fault-suite.json"),
        r#"{"regression": {"test": "iqr", "k": 1.5, "metrics": {"p99_us": {"max_increase_pct": 25}}}}"#,
    )
    .unwrap();
    let out = run_in_process(&Config::new(utf8(&folder)), &["n9::"]);
    assert_eq!(
        out.get("n9::torn_read::p99_us_regression").verdict,
        Verdict::Pass
    );
    write_run(&folder, "n9", 20, Some(1300));
    let out = run_in_process(&Config::new(utf8(&folder)), &["n9::"]);
    let message = out.message("n9::torn_read::p99_us_regression", "failure");
    assert!(
        message.starts_with("p99_us=1300 is above the upper fence 1285 (Q3 1075 + 1.5 x IQR 140) of the 7 runs before"),
        "{message}"
    );
}

#[test]
fn a_bad_regression_section_fails_like_any_bad_suite_and_false_turns_it_off() {
    let scratch = Scratch::new("history-config");
    let folder = steady_history(&scratch, Some(1410));
    for (section, expected) in [
        (r#"{"test": "zscore"}"#, "\"test\" is \"zscore\""),
        (r#"{"window": 0}"#, "\"window\" is 0"),
        (r#"{"metrics": {"p99_us": {}}}"#, "says no side"),
        (r#"{"windows": 7}"#, "unknown key \"windows\""),
        ("true", "\"regression\": true says nothing"),
    ] {
        std::fs::write(
            folder.join("fault-suite.json"),
            format!("{{\"regression\": {section}}}"),
        )
        .unwrap();
        let out = run_in_process(&Config::new(utf8(&folder)), &[]);
        let label = folder.file_name().unwrap().to_string_lossy();
        let message = out.message(&format!("{label}::setup"), "error");
        assert!(message.contains("fault-suite.json:1:"), "{message}");
        assert!(message.contains(expected), "{section}: {message}");
    }
    std::fs::write(folder.join("fault-suite.json"), r#"{"regression": false}"#).unwrap();
    let out = run_in_process(&Config::new(utf8(&folder)), &[]);
    assert!(!out.ran().iter().any(|t| t.ends_with("_regression")));
}

#[test]
fn fault_summary_judges_history_in_its_junit_report_only() {
    let scratch = Scratch::new("history-cli");
    let folder = steady_history(&scratch, Some(1410));
    let run = folder.join("nightly-0312");
    let before = fault_summary(&run, ["--run-dir", ".", "--output", "plain.json"]);
    assert_eq!(before.status.code(), Some(0));
    let ran = fault_summary(
        &run,
        [
            "--run-dir",
            ".",
            "--output",
            "with-history.json",
            "--history",
            "..",
            "--junit",
            "junit.xml",
        ],
    );
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    // summary.json does not change for history.
    assert_eq!(
        std::fs::read(run.join("plain.json")).unwrap(),
        std::fs::read(run.join("with-history.json")).unwrap()
    );
    let xml = std::fs::read_to_string(run.join("junit.xml")).unwrap();
    assert!(
        xml.contains("<testcase name=\"p99_us_regression\" classname=\"nightly_0312::torn_read\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"p99_us=1410 is 47% above the median 960"),
        "{xml}"
    );
}
