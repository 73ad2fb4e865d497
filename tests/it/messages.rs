//! What a user sees: each failure once, messages that point the right way, a
//! result line where work ends, and the warnings found on real-world input.

use crate::support::harness::{fault_suite_command, run_in_process};
use crate::support::runs::{drop_in_args, fault_summary, good_log, pages_in, run_bounded, Run};
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

/// Runs `fault-summary --run-dir .` in `run`, which must refuse it (exit 2), and returns
/// what it said on stderr.
fn refused(run: &Run) -> String {
    let output = fault_summary(run.dir(), ["--run-dir", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    stderr(&output)
}

/// Returns the name of the run directory of `run`, as its test names begin.
fn run_name(run: &Run) -> String {
    run.test_name()
}

#[test]
fn a_process_exit_failure_names_the_process_and_its_signal_under_the_references_words() {
    let run = Run::good("msg-signal");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).unwrap();
    // The streamer killed by SIGSEGV (128 + 11), the tester ended by exit(1).
    run.write(
        "manifest.tsv",
        manifest.replacen("\t1200\t0\t0\t0\t", "\t1200\t0\t139\t1\t", 1),
    );
    let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
    let name = format!("{}::torn_read::process_exit", run_name(&run));
    let message = out.message(&name, "failure");
    assert!(
        message.starts_with(
            "process_rc(sim=0,streamer=139,tester=1)\nstreamer exited 139: killed by SIGSEGV\ntester exited 1\n  manifest: "
        ),
        "{message}"
    );
    // The pages say it too, without the paths.
    let (html, markdown) = pages_in(run.dir(), ".");
    let said = "process_rc(sim=0,streamer=139,tester=1); streamer exited 139: killed by SIGSEGV; tester exited 1";
    assert!(
        markdown.contains(&format!("`process_exit`: {said} |")),
        "{markdown}"
    );
    assert!(
        html.contains(&format!("<code>process_exit</code>: {said}</li>")),
        "{html}"
    );
}

#[test]
fn a_missing_mode_is_said_in_full_once_and_shortly_in_every_other_check() {
    let run = Run::good("msg-no-mode");
    std::fs::remove_file(run.path("run.json")).unwrap();
    let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
    let run_name = run_name(&run);
    let checks: Vec<&str> = out
        .failed()
        .into_iter()
        .filter(|name| !name.ends_with("process_exit"))
        .collect();
    // Five checks for each of the three scenarios.
    assert_eq!(checks.len(), 15, "{checks:?}");
    // The first check of the first scenario in the manifest (torn_read's first limit in
    // the reference's table, ingest_to_emit_samples_min) says it all.
    let first = format!("{run_name}::torn_read::ingest_to_emit_samples_min");
    let full = out.message(&first, "error");
    assert!(full.contains("no mode for the thresholds"), "{full}");
    assert!(full.contains("FAULT_MODE=baseline|degraded"), "{full}");
    let short =
        format!("no mode for the thresholds, so no limit ({first} says why and how to set one)");
    for name in checks.iter().filter(|name| **name != first) {
        assert_eq!(out.message(name, "error"), short, "{name}");
    }
    let all: String = checks
        .iter()
        .map(|name| out.message(name, "error"))
        .collect();
    assert_eq!(all.matches("FAULT_MODE=").count(), 1, "said in full once");
}

#[test]
fn a_misspelled_mode_is_named_with_the_suites_modes_and_the_closest_one() {
    let run = Run::good("msg-misspelled-mode");
    run.write(
        "run.json",
        r#"{"run_id": "n", "mode": "degradd", "started_at": "t0", "finished_at": "t1"}"#,
    );
    let out = run_in_process(&Config::new(utf8(run.dir())), &[]);
    let name = format!("{}::torn_read::ingest_to_emit_samples_min", run_name(&run));
    let message = out.message(&name, "error");
    assert!(
        message.contains(
            "run.json: mode \"degradd\" is not a mode of the suite (it has baseline and degraded); did you mean \"degraded\"?"
        ),
        "{message}"
    );
    assert!(!message.contains("add \"mode\""), "{message}");
    // fault-summary reads run.json itself, and says the same.
    let err = refused(&run);
    assert!(
        err.contains(
            "run.json: mode \"degradd\" is not a mode of the suite (it has baseline and degraded); did you mean \"degraded\"?"
        ),
        "{err}"
    );
}

#[test]
fn a_comma_separated_manifest_is_said_to_be_not_tab_separated() {
    let run = Run::good("msg-commas");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).unwrap();
    run.write("manifest.tsv", manifest.replace('\t', ","));
    let err = refused(&run);
    // The header's 13 columns are joined by 12 commas.
    assert!(
        err.contains(
            "manifest.tsv:1: no tab in the header, but 12 commas: the file is not tab-separated"
        ),
        "{err}"
    );
    assert!(!err.contains("is not an integer"), "{err}");
    // Only the header: the reference reads no record, and neither do we.
    run.write(
        "manifest.tsv",
        manifest.lines().next().unwrap().replace('\t', ","),
    );
    let output = fault_summary(run.dir(), ["--run-dir", "."]);
    assert!(
        !stderr(&output).contains("not tab-separated"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_windows_1252_byte_in_a_manifest_gets_a_hint() {
    let run = Run::good("msg-cp1252");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).unwrap();
    // "Torn frame – reads" with Windows-1252's en dash, 0x96.
    let mut bytes = manifest.into_bytes();
    let at = bytes.windows(5).position(|w| w == b"fault").unwrap();
    bytes.splice(at..at, [0x96, b' ']);
    std::fs::write(run.path("manifest.tsv"), bytes).unwrap();
    let err = refused(&run);
    assert!(
        err.contains("manifest.tsv:2: invalid utf-8 at byte offset")
            && err.contains("(byte 0x96); saved as Windows-1252? save it as UTF-8"),
        "{err}"
    );
}

#[test]
fn a_relative_fault_run_dir_that_does_not_exist_shows_the_path_tried_and_from_where() {
    let scratch = crate::support::Scratch::new("msg-relative-run-dir");
    let mut command = fault_suite_command(scratch.path());
    command
        .current_dir(scratch.path())
        .env("FAULT_RUN_DIR", "runs/nightly-fail");
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101));
    let out = stdout(&output);
    let folder = scratch.path().canonicalize().unwrap();
    let tried = format!(
        "runs/nightly-fail: no such run directory: looked for {}/runs/nightly-fail (a relative path is taken from the current folder, {}, which cargo test sets to the crate's root)",
        folder.display(),
        folder.display()
    );
    assert!(out.contains(&tried), "{out}");
}

#[test]
fn the_harness_help_lists_every_fault_variable_one_line_each() {
    let mut command = fault_suite_command(std::path::Path::new("."));
    command.arg("--help");
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    // libtest's own flags stay, and the variables follow them.
    assert!(out.contains("--test-threads"), "{out}");
    for var in [
        "FAULT_RUN_DIR",
        "FAULT_MODE",
        "FAULT_SUITE",
        "FAULT_HISTORY",
        "FAULT_JUNIT",
        "FAULT_HTML",
        "FAULT_MARKDOWN",
        "FAULT_CONFINE",
    ] {
        let lines: Vec<&str> = out
            .lines()
            .filter(|line| line.trim_start().starts_with(&format!("{var} ")))
            .collect();
        assert_eq!(lines.len(), 1, "{var}: {out}");
        assert!(
            lines[0].len() > var.len() + 20,
            "{var} is explained: {}",
            lines[0]
        );
    }
}
