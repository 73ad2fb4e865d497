//! What a user sees: each failure once, messages that point the right way, a
//! result line where work ends, and the warnings found on real-world input.

use crate::support::harness::{fault_suite_command, run_in_process};
use crate::support::runs::{drop_in_args, fault_summary, good_log, run_bounded, Run};
use crate::support::utf8;
use fault_harness::harness::Config;
use std::process::Output;

/// Returns the standard error of `output` as text.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returns the standard output of `output` as text.
fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_failing_run_under_cargo_test_shows_each_message_once_and_no_stderr_copy() {
    let run = Run::good("msg-once");
    run.write(
        "torn_read/streamer.log",
        good_log("torn_read").replace("p99_us=1744", "p99_us=2500"),
    );
    let output = run_bounded(fault_suite_command(run.dir()));
    assert_eq!(output.status.code(), Some(101));
    let out = stdout(&output);
    assert_eq!(out.matches("p99_us=2500 > 2000").count(), 1, "{out}");
    // The progress lines stay whole: no `Error:` copy lands between them.
    assert!(!stderr(&output).contains("Error:"), "{}", stderr(&output));
    let progress: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("test ") && l.contains(" ... "))
        .collect();
    assert_eq!(progress.len(), 19, "{out}");
    assert!(
        progress
            .iter()
            .all(|l| l.ends_with(" ... ok") || l.ends_with(" ... FAILED")),
        "{progress:?}"
    );
}

#[test]
fn a_failed_samples_check_names_its_own_limit_and_the_references_key_once() {
    let run = Run::good("msg-samples");
    run.write(
        "torn_read/streamer.log",
        good_log("torn_read").replace("ingest_to_emit_samples=2997", "ingest_to_emit_samples=5"),
    );
    let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
    let name = format!("{}::torn_read::ingest_to_emit_samples_min", run.test_name());
    let message = out.message(&name, "failure");
    assert!(
        message.starts_with(
            "ingest_to_emit_samples=5 < 100 (limit ingest_to_emit_samples_min (samples_min in the reference's table) of mode degraded"
        ),
        "{message}"
    );
    assert_eq!(message.matches("samples_min").count(), 2, "{message}");
}

#[test]
fn evidence_read_from_outside_the_run_is_noted_once_per_log() {
    let run = Run::good("msg-outside");
    let outside = crate::support::Scratch::new("msg-outside-log");
    let log = outside.path().join("streamer.log");
    std::fs::write(&log, good_log("torn_read")).unwrap();
    run.torn_read_log_named(log.to_str().unwrap());
    let output = run_bounded(fault_suite_command(run.dir()));
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let err = stderr(&output);
    let note = format!("note: {}: leads out of the run directory", log.display());
    assert_eq!(err.matches(&note).count(), 1, "{err}");
    assert!(err.contains("FAULT_CONFINE=1 refuses it"), "{err}");
}

#[test]
fn a_missing_relative_log_says_where_it_was_looked_for_not_where_it_leads() {
    let run = Run::good("msg-missing");
    run.remove("sink_stall/streamer.log");
    let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
    let name = format!("{}::sink_stall::p95_us_max", run.test_name());
    let message = out.message(&name, "error");
    assert!(
        message.contains(&format!(
            "streamer log \"sink_stall/streamer.log\" does not exist beside the manifest (in {}) nor in the current directory",
            run.dir().display()
        )),
        "{message}"
    );
    assert!(!message.contains("leads out"), "{message}");
}

#[test]
fn fault_run_dir_naming_a_manifest_file_says_a_folder_is_expected() {
    let run = Run::good("msg-file");
    let output = run_bounded(fault_suite_command(&run.path("manifest.tsv")));
    assert_eq!(output.status.code(), Some(101));
    let out = stdout(&output);
    // The folder part of `setup` is an identifier: `.` is no identifier character.
    assert!(out.contains("manifest_tsv::setup"), "{out}");
    assert!(
        out.contains("manifest.tsv: is a file; expected a run directory (holding manifest.tsv) or a folder of them"),
        "{out}"
    );
}

#[test]
fn fault_confine_takes_the_usual_spellings_and_refuses_others() {
    let run = Run::good("msg-confine");
    let outside = crate::support::Scratch::new("msg-confine-log");
    let log = outside.path().join("streamer.log");
    std::fs::write(&log, good_log("torn_read")).unwrap();
    run.torn_read_log_named(log.to_str().unwrap());
    for (value, refused) in [("true", true), ("yes", true), ("ON", true), ("0", false)] {
        let output = run_bounded({
            let mut command = fault_suite_command(run.dir());
            command.env("FAULT_CONFINE", value);
            command
        });
        let code = if refused { 101 } else { 0 };
        assert_eq!(
            output.status.code(),
            Some(code),
            "{value}: {}",
            stdout(&output)
        );
    }
    let mut command = fault_suite_command(run.dir());
    command.env("FAULT_CONFINE", "maybe");
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101));
    assert!(
        stdout(&output).contains("FAULT_CONFINE=\"maybe\" is not a boolean"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn fault_junit_under_nextest_fails_a_setup_test_that_says_why() {
    let run = Run::good("msg-nextest-junit");
    let junit = run.path("junit.xml");
    // nextest lists and runs with its variables set; listing must show the extra test.
    let mut command = fault_suite_command(run.dir());
    command
        .args(["--list", "--format", "terse"])
        .env("FAULT_JUNIT", &junit)
        .env("NEXTEST_RUN_ID", "00000000-0000-0000-0000-000000000000");
    let listed = stdout(&run_bounded(command));
    let setup = listed
        .lines()
        .find(|line| line.ends_with("::setup: test"))
        .unwrap_or_else(|| panic!("no setup test listed: {listed}"));
    let name = setup.trim_end_matches(": test");
    let mut command = fault_suite_command(run.dir());
    command
        .args(["--exact", name])
        .env("FAULT_JUNIT", &junit)
        .env("NEXTEST_EXECUTION_MODE", "process-per-test");
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101));
    assert!(
        stderr(&output).contains("is not written under nextest"),
        "{}",
        stderr(&output)
    );
    assert!(!junit.exists());
}

#[test]
fn fault_summary_ends_with_one_result_line_unless_quiet() {
    let run = Run::good("msg-result");
    run.write(
        "torn_read/streamer.log",
        good_log("torn_read").replace("p99_us=1744", "p99_us=2500"),
    );
    let output = fault_summary(run.dir(), ["--run-dir", "."]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    let name = run
        .dir()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        err,
        format!(
            "{name}: 2 of 3 scenarios pass (mode degraded, from ./run.json); the run fails; ./summary.json written\n"
        )
    );
    let output = fault_summary(run.dir(), ["--run-dir", ".", "--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "");
}

#[test]
fn fault_summary_says_once_when_summary_and_junit_judge_a_missing_metric_apart() {
    let run = Run::good("msg-strict");
    run.write(
        "sink_stall/streamer.log",
        good_log("sink_stall").replace("p95_us=1380 ", ""),
    );
    let output = fault_summary(run.dir(), ["--run-dir", ".", "--junit", "junit.xml"]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert_eq!(err.matches("--strict").count(), 1, "{err}");
    assert!(err.contains("1 checked metric(s) never appeared"), "{err}");
    // With --strict both agree, and there is nothing to say.
    let output = fault_summary(
        run.dir(),
        ["--run-dir", ".", "--junit", "junit.xml", "--strict"],
    );
    assert!(!stderr(&output).contains("--strict"), "{}", stderr(&output));
}

#[test]
fn a_counter_no_check_reads_but_the_reference_converts_is_warned_about() {
    let run = Run::good("msg-unchecked");
    run.write(
        "torn_read/streamer.log",
        good_log("torn_read").replace(
            "sink_stall_events=0 reset_events=0",
            "sink_stall_events=n/a reset_events=n/a",
        ),
    );
    let output = fault_summary(run.dir(), ["--run-dir", "."]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    for key in ["sink_stall_events", "reset_events"] {
        assert!(
            err.contains(&format!(
                "fault-summary: warning: ./torn_read/streamer.log:3: {key}=\"n/a\" is not an integer"
            )),
            "{err}"
        );
    }
    // The reference stops on this run: the warning is the whole difference.
    let what = "checking that the reference stops on an unchecked counter";
    if let Some(reference) = crate::support::reference::reference(what) {
        let args = drop_in_args("ref.json", "r", "a", "b", "degraded");
        let out = reference.run(run.dir(), args);
        assert!(!out.status.success(), "the reference no longer stops here");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("invalid literal for int()"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_manifest_field_past_pythons_csv_limit_is_warned_about() {
    let run = Run::good("msg-long-field");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).unwrap();
    let trace = "x".repeat(131_073);
    let manifest = manifest.replacen("\tPASS\t\t", &format!("\tPASS\t\"{trace}\"\t"), 1);
    run.write("manifest.tsv", manifest);
    let output = fault_summary(run.dir(), ["--run-dir", "."]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert!(
        err.contains("fault-summary: warning: ./manifest.tsv:2: field 5 (reason) has 131073 characters, over Python's csv limit of 131072"),
        "{err}"
    );
}
