//! Hostile and broken runs: a corpus of inputs a crashed fault suite, a full
//! disk or a foreign machine leaves behind, each with its expected behaviour.
//!
//! Every input is generated here into a scratch folder. For each: no panic
//! (never exit status 101, never "panicked" on stderr), no hang (a deadline on
//! every child), a message naming the file (and the line and value where there
//! is one), no temporary file left, and an existing `summary.json` survives a
//! run that could not be summarized. Where the reference exits 0 on the input,
//! our bytes equal its bytes when `FAULT_REFERENCE` names it (see
//! `golden.rs`); without it, or where the reference crashes or hangs, the
//! expected behaviour is reasoned in a comment and asserted on the summary.
//!
//! Sections: the manifest, streamer logs and their values, `run.json`, output
//! paths, evidence outside the run directory (noted; refused with `--confine`
//! and `FAULT_CONFINE=1`), and the harness, where a broken input is a failing
//! test, never an aborted run.

use crate::support::harness::{fault_suite_command, run_in_process, InProcess};
use crate::support::reference::reference;
use crate::support::runs::{
    drop_in_args, good_log, row, run_bounded, Run, DEADLINE, HEADER, STALE,
};
use crate::support::Scratch;
use fault_harness::eval::model::Verdict;
use fault_harness::harness::Config;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Returns the drop-in arguments (all seven of the reference's flags) writing to `output`.
fn drop_in(output: &str, mode: &str) -> Vec<OsString> {
    drop_in_args(output, "hostile", "t0", "t1", mode)
}

/// Runs `fault-summary` in `cwd` with `args`.
fn ours<S: AsRef<OsStr>>(cwd: &Path, args: impl IntoIterator<Item = S>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fault-summary"));
    command.current_dir(cwd).args(args);
    let output = run_bounded(command);
    assert_no_panic(&output);
    output
}

/// Runs the reference, when `FAULT_REFERENCE` names it, in `cwd` with `args`.
fn theirs<S: AsRef<OsStr>>(cwd: &Path, args: impl IntoIterator<Item = S>) -> Option<Output> {
    let reference = reference("comparing hostile runs with the reference")?;
    Some(run_bounded(reference.command(cwd, args)))
}

/// Asserts that a child did not panic: exit status 101 or "panicked" on stderr.
fn assert_no_panic(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(101), "panicked: {stderr}");
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panicked: {stderr}");
}

/// Asserts that no temporary output file (`.<name>.<pid>-<n>.tmp`) is left anywhere in `dir`.
fn assert_no_temp_files(dir: &Path) {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                !(name.starts_with('.') && name.ends_with(".tmp")),
                "temporary file left: {}",
                entry.path().display()
            );
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                pending.push(entry.path());
            }
        }
    }
}

/// Returns stderr as text.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts that our run exited 0 and wrote `output` in `run`; returns the summary bytes.
fn assert_summarized(run: &Run, output: &Output, file: &str) -> Vec<u8> {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    assert_no_temp_files(run.dir());
    std::fs::read(run.path(file)).expect("summary written")
}

/// Summarizes `run` with ours and the reference (drop-in flags); where the reference
/// runs it must exit 0 too and write the same bytes. Returns our parsed summary and stderr.
fn summary_equal_to_reference(run: &Run, mode: &str) -> (serde_json::Value, String) {
    let output = ours(run.dir(), drop_in("ours.json", mode));
    let bytes = assert_summarized(run, &output, "ours.json");
    if let Some(reference) = theirs(run.dir(), drop_in("reference.json", mode)) {
        assert_eq!(
            reference.status.code(),
            Some(0),
            "the reference failed: {}",
            stderr(&reference)
        );
        let expected = std::fs::read(run.path("reference.json")).expect("reference output");
        assert!(
            bytes == expected,
            "{}",
            crate::support::first_difference("summary", &expected, &bytes)
        );
    }
    (parse(&bytes), stderr(&output))
}

/// Summarizes `run` where the reference crashes (or would): ours must still exit 0 with
/// a summary; the reference, where it runs, must fail. Returns our summary and stderr.
fn summary_where_reference_crashes(run: &Run, mode: &str) -> (serde_json::Value, String) {
    let output = ours(run.dir(), drop_in("ours.json", mode));
    let bytes = assert_summarized(run, &output, "ours.json");
    if let Some(reference) = theirs(run.dir(), drop_in("reference.json", mode)) {
        assert_ne!(
            reference.status.code(),
            Some(0),
            "the reference no longer crashes here"
        );
    }
    (parse(&bytes), stderr(&output))
}

/// Runs ours on a run that cannot be summarized: exit 2, a message holding every one of
/// `needles`, no output, the stale summary intact, no temporary file. Returns stderr.
fn refused(run: &Run, args: Vec<OsString>, needles: &[&str]) -> String {
    run.stale_summary();
    let output = ours(run.dir(), &args);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {message}");
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
    assert!(message.starts_with("fault-summary: error: "), "{message}");
    assert_eq!(
        std::fs::read_to_string(run.path("summary.json")).expect("stale summary"),
        STALE
    );
    assert!(
        !run.path("ours.json").exists(),
        "output written after an error"
    );
    assert_no_temp_files(run.dir());
    message
}

/// Parses a summary (Python JSON: integers of any size survive as strings of digits would not,
/// so the tests only read small numbers and strings).
fn parse(bytes: &[u8]) -> serde_json::Value {
    let text = String::from_utf8(bytes.to_vec()).expect("summary is UTF-8");
    let text = text
        .replace("-Infinity", "null")
        .replace("Infinity", "null")
        .replace("NaN", "null");
    serde_json::from_str(&text).expect("summary is JSON")
}

/// Returns the summary's scenario with id `id`.
fn scenario<'a>(summary: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    summary["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no scenario {id} in {summary}"))
}

/// Asserts that scenario `id` read no metrics at all (its log yielded nothing).
fn assert_no_metrics(summary: &serde_json::Value, id: &str) {
    let metrics = &scenario(summary, id)["metrics"];
    for line in ["pipeline", "latency", "fault", "rtp"] {
        assert_eq!(
            metrics[line],
            serde_json::json!({}),
            "{id} {line}: {metrics}"
        );
    }
    assert_eq!(scenario(summary, id)["status"], "FAIL");
}

/// Returns the names in `dir` that the tests did not put there.
fn extra_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Makes a FIFO at `path` with `mkfifo`; false when it is not runnable.
fn mkfifo(path: &Path) {
    // coreutils' mkfifo is on every Linux machine; a FIFO case must not pass by skipping.
    let made = Command::new("mkfifo").arg(path).status();
    assert!(
        made.is_ok_and(|status| status.success()),
        "mkfifo {} failed",
        path.display()
    );
}

/// Returns true if and only if this process runs as root, which reads files of any mode.
fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

// ---------------------------------------------------------------- manifest

#[test]
fn manifest_missing_is_an_error_naming_it() {
    let run = Run::good("m-missing");
    run.remove("manifest.tsv");
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv: cannot read: "],
    );
}

#[test]
fn manifest_of_zero_bytes_has_no_scenarios() {
    let run = Run::good("m-empty");
    run.write("manifest.tsv", "");
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    // No header, no rows: DictReader yields nothing; the run does not pass.
    assert_eq!(summary["counts"]["total"], 0);
    assert_eq!(summary["all_pass"], false);
    assert_eq!(summary["recommended_exit_code"], 1);
}

#[test]
fn manifest_with_a_header_only_has_no_scenarios() {
    let run = Run::good("m-header");
    run.write("manifest.tsv", HEADER);
    let (summary, _) = summary_equal_to_reference(&run, "baseline");
    assert_eq!(summary["counts"]["total"], 0);
    assert_eq!(summary["scenarios"], serde_json::json!([]));
}

#[test]
fn manifest_not_utf8_names_line_and_offset() {
    let run = Run::good("m-latin1");
    let mut manifest = HEADER.as_bytes().to_vec();
    manifest.extend_from_slice(b"1\ttorn_read\tcaf\xe9\tPASS\n");
    run.write("manifest.tsv", &manifest);
    // The reference dies in the UTF-8 decoder; we name the line and byte.
    let offset = HEADER.len() + "1\ttorn_read\tcaf".len();
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &[&format!(
            "manifest.tsv:2: invalid utf-8 at byte offset {offset}"
        )],
    );
}

#[test]
fn manifest_of_binary_bytes_names_line_and_offset() {
    let run = Run::good("m-binary");
    // An ELF header, as when a binary was copied over the manifest.
    let elf =
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\xe0\x10\0\0\0\0\0\0\n\x90\x90";
    run.write("manifest.tsv", elf);
    // The first invalid byte is 0xe0 at offset 24 (0x10 cannot continue it), on line 1.
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv:1: invalid utf-8 at byte offset 24"],
    );
}

#[test]
fn manifest_with_nul_characters_matches_the_reference() {
    let run = Run::good("m-nul");
    let mut manifest = String::from(HEADER);
    manifest.push_str(
        &row("1", "torn_read", "torn_read/streamer.log").replace("torn_read fault", "torn\0read"),
    );
    manifest.push_str("\0\0\0\n");
    run.write("manifest.tsv", manifest);
    // Python 3.11's csv keeps NUL characters; the NUL-only line is a record whose order is
    // "\0\0\0", so the reference crashes on int(): we name that line and value.
    let message = refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv:3: order"],
    );
    assert!(message.contains("is not an integer"), "{message}");
    // Without the NUL-only line, the NUL in the name is kept and escaped as \u0000.
    let mut manifest = String::from(HEADER);
    manifest.push_str(
        &row("1", "torn_read", "torn_read/streamer.log").replace("torn_read fault", "torn\0read"),
    );
    run.write("manifest.tsv", manifest);
    run.remove("summary.json");
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(scenario(&summary, "torn_read")["name"], "torn\0read");
}

#[test]
fn manifest_with_a_bom_before_order_reads_as_without_it() {
    let run = Run::good("m-bom");
    let plain = std::fs::read(run.path("manifest.tsv")).expect("manifest");
    let output = ours(run.dir(), drop_in("plain.json", "degraded"));
    let without = assert_summarized(&run, &output, "plain.json");
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(&plain);
    run.write("manifest.tsv", &bom);
    // The reference reads the column as "\ufefforder", finds no `order` and crashes on
    // int(""); we drop the mark (our one deliberate difference) and read the run as it is.
    let output = ours(run.dir(), drop_in("ours.json", "degraded"));
    assert_eq!(assert_summarized(&run, &output, "ours.json"), without);
    if let Some(reference) = theirs(run.dir(), drop_in("reference.json", "degraded")) {
        assert_ne!(reference.status.code(), Some(0));
    }
}

#[test]
fn manifest_with_a_bom_before_another_column_matches_the_reference() {
    let run = Run::good("m-bom-other");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).expect("manifest");
    // Put scenario_id first: the mark then hides it, as it does for the reference.
    let swapped: String = manifest
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split('\t').collect();
            fields.swap(0, 1);
            fields.join("\t") + "\n"
        })
        .collect();
    run.write("manifest.tsv", format!("\u{feff}{swapped}"));
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(summary["scenarios"][0]["id"], "");
}

#[test]
fn manifest_with_duplicate_header_names_matches_the_reference() {
    let run = Run::good("m-dup");
    let mut manifest = String::from("order\tscenario_id\tstreamer_log\torder\tscenario_id\n");
    manifest.push_str("9\tnot_me\tnone.log\t1\ttorn_read\n");
    manifest.push_str("8\tnor_me\tsink_stall/streamer.log\t2\n");
    run.write("manifest.tsv", manifest);
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    // The last position of a repeated name wins, and a short record gives "" there.
    assert_eq!(summary["scenarios"][0]["order"], 1);
    assert_eq!(summary["scenarios"][0]["id"], "torn_read");
    assert_eq!(summary["scenarios"][1]["id"], "");
    assert_eq!(
        summary["scenarios"][0]["evidence"]["streamer_log"],
        "none.log"
    );
}

#[test]
fn manifest_rows_of_one_field_match_the_reference() {
    let run = Run::good("m-one-field");
    run.write("manifest.tsv", "order\n3\n1\n\n2\n");
    let (summary, _) = summary_equal_to_reference(&run, "baseline");
    assert_eq!(summary["counts"]["total"], 3);
    let orders: Vec<i64> = summary["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["order"].as_i64().expect("order"))
        .collect();
    assert_eq!(orders, [1, 2, 3]);
    // Missing exit codes are -1, as the reference's parse_exit gives them.
    assert_eq!(summary["scenarios"][0]["process_exit"]["sim"], -1);
}

#[test]
fn manifest_with_an_unterminated_quote_matches_the_reference() {
    let run = Run::good("m-open-quote");
    let mut manifest = std::fs::read_to_string(run.path("manifest.tsv")).expect("manifest");
    manifest.push_str("4\t\"torn_read\tnever closed\n5\tx\n");
    run.write("manifest.tsv", manifest);
    // Not strict: the quoted field runs to the end of the file, newlines and tabs included.
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(summary["counts"]["total"], 4);
    assert_eq!(
        summary["scenarios"][3]["id"],
        "torn_read\tnever closed\n5\tx\n"
    );
}

#[test]
fn manifest_order_not_an_integer_names_line_and_value() {
    let run = Run::good("m-order");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).expect("manifest");
    run.write("manifest.tsv", manifest.replacen("\n2\t", "\nsecond\t", 1));
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv:3: order \"second\" is not an integer"],
    );
}

#[test]
fn manifest_order_of_five_thousand_digits_names_line_and_limit() {
    let run = Run::good("m-order-huge");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).expect("manifest");
    let huge = "7".repeat(5000);
    run.write(
        "manifest.tsv",
        manifest.replacen("\n1\t", &format!("\n{huge}\t"), 1),
    );
    // Python 3.11 refuses int() of more than 4300 digits, so the reference crashes.
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv:2: order", "more than 4300 digits"],
    );
}

#[test]
fn manifest_that_is_a_directory_is_refused() {
    let run = Run::good("m-dir");
    run.remove("manifest.tsv");
    std::fs::create_dir(run.path("manifest.tsv")).expect("folder");
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv: not a regular file"],
    );
}

#[test]
fn manifest_that_is_a_fifo_is_refused_without_hanging() {
    let run = Run::good("m-fifo");
    run.remove("manifest.tsv");
    mkfifo(&run.path("manifest.tsv"));
    // The reference would block in open() forever; it is not run.
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv: not a regular file"],
    );
}

#[test]
fn manifest_dev_zero_is_refused_without_reading() {
    let run = Run::good("m-dev-zero");
    let mut args = drop_in("ours.json", "degraded");
    args[1] = OsString::from("/dev/zero");
    refused(&run, args, &["/dev/zero: not a regular file"]);
}

#[test]
fn manifest_symlink_loop_names_the_file() {
    let run = Run::good("m-loop");
    run.remove("manifest.tsv");
    std::os::unix::fs::symlink("manifest.tsv", run.path("manifest.tsv")).expect("symlink");
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv: cannot read: ", "symbolic links"],
    );
}

#[test]
fn manifest_over_the_size_limit_is_refused() {
    let run = Run::good("m-huge");
    // Sparse: 300 MB of NULs after the header cost no disk and are never read in full.
    let file = std::fs::File::create(run.path("manifest.tsv")).expect("create");
    file.set_len(300 << 20).expect("grow sparsely");
    refused(
        &run,
        drop_in("ours.json", "degraded"),
        &["manifest.tsv: larger than 268435456 bytes"],
    );
}

#[test]
fn manifest_of_a_hundred_thousand_rows_is_read_and_listed() {
    let run = Run::good("m-100k");
    let mut manifest = String::from(HEADER);
    for i in (0..100_000).rev() {
        manifest.push_str(&format!("{i}\ts{i}\tn\tPASS\t\t1\t0\t0\t0\t\t\t\t\r\n"));
    }
    run.write("manifest.tsv", &manifest);
    // The library reads and orders them (the summary itself is ~120 MB; the CLI over it is
    // compared with the reference in the ignored test below, too slow for a debug build).
    let read =
        fault_harness::input::manifest::read(&crate::support::utf8(run.path("manifest.tsv")))
            .expect("manifest");
    assert_eq!(read.rows.len(), 100_000);
    assert_eq!(read.rows[99_999].line, 100_001);
    let planned = fault_harness::eval::evaluation::order(
        &crate::support::utf8(run.path("manifest.tsv")),
        read.rows,
    )
    .expect("orders are integers");
    assert_eq!(planned[0].row.scenario_id(), "s0");
    assert_eq!(planned[99_999].row.scenario_id(), "s99999");
    // The harness names the cases of every row, reading the manifest only; a filter keeps
    // the listing itself (400,001 lines) out of the test's time.
    let name = fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()));
    let out = run_in_process(
        &Config::new(crate::support::utf8(run.dir())),
        &["--list", "::s99999::"],
    );
    assert!(out.finished.ran.is_empty());
    let listed: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.ends_with(": test"))
        .collect();
    let expected: Vec<String> = [
        "drop_ratio_ppm_max",
        "ingest_to_emit_samples_min",
        "p50_us_max",
        "process_exit",
    ]
    .iter()
    .map(|test| format!("{name}::s99999::{test}: test"))
    .collect();
    assert_eq!(listed, expected);
}

#[test]
#[ignore = "writes a 120 MB summary; slow in a debug build: run with --release --ignored"]
fn manifest_of_a_hundred_thousand_rows_matches_the_reference() {
    let run = Run::good("m-100k-cli");
    let mut manifest = String::from(HEADER);
    for i in (0..100_000).rev() {
        manifest.push_str(&format!(
            "{}\ts{i}\tn\tPASS\t\t1\t0\t{}\t0\t\t\t\t\n",
            i % 7,
            i % 2
        ));
    }
    run.write("manifest.tsv", &manifest);
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(summary["counts"]["total"], 100_000);
}

// ---------------------------------------------------------------- streamer logs

#[test]
fn log_missing_counts_as_absent_metrics() {
    let run = Run::good("l-missing");
    run.remove("torn_read/streamer.log");
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_no_metrics(&summary, "torn_read");
    assert_eq!(
        scenario(&summary, "torn_read")["reason"],
        "ingest_to_emit_samples=0 < 100; torn_read_events=0 < 200"
    );
    assert!(
        warnings.contains("torn_read/streamer.log: no such file"),
        "{warnings}"
    );
}

#[test]
fn log_empty_counts_as_absent_metrics() {
    let run = Run::good("l-empty");
    run.write("torn_read/streamer.log", "");
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_no_metrics(&summary, "torn_read");
}

#[test]
fn log_that_is_a_directory_is_not_read() {
    let run = Run::good("l-dir");
    run.remove("torn_read/streamer.log");
    std::fs::create_dir(run.path("torn_read/streamer.log")).expect("folder");
    // The reference's read_text raises IsADirectoryError, an OSError it turns into "".
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_no_metrics(&summary, "torn_read");
    assert!(
        warnings.contains("torn_read/streamer.log: is a directory, not a regular file"),
        "{warnings}"
    );
}

#[test]
fn log_unreadable_is_read_only_by_root() {
    use std::os::unix::fs::PermissionsExt;
    let run = Run::good("l-mode-000");
    let path = run.path("torn_read/streamer.log");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads a file of mode 000 (CI runs as root); anyone else gets EACCES, which the
    // reference turns into "" and we into absent metrics with a warning. Both match bytes.
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    if is_root() {
        assert_eq!(scenario(&summary, "torn_read")["status"], "PASS");
    } else {
        assert_no_metrics(&summary, "torn_read");
        assert!(
            warnings.contains("torn_read/streamer.log: cannot read: "),
            "{warnings}"
        );
    }
}

#[test]
fn log_that_is_a_fifo_is_refused_without_hanging() {
    let run = Run::good("l-fifo");
    run.remove("torn_read/streamer.log");
    mkfifo(&run.path("torn_read/streamer.log"));
    // The reference would block reading the FIFO forever; it is not run. We look before
    // opening and refuse it: the scenario reads no metrics, the others are unaffected.
    let output = ours(run.dir(), drop_in("ours.json", "degraded"));
    let summary = parse(&assert_summarized(&run, &output, "ours.json"));
    assert_no_metrics(&summary, "torn_read");
    assert_eq!(scenario(&summary, "sink_stall")["status"], "PASS");
    let warnings = stderr(&output);
    assert!(
        warnings.contains("torn_read/streamer.log: is a FIFO, not a regular file; not read"),
        "{warnings}"
    );
}

#[test]
fn log_dev_zero_is_refused_without_reading() {
    let run = Run::good("l-dev-zero");
    run.torn_read_log_named("/dev/zero");
    // The reference would read /dev/zero until memory ran out; it is not run.
    let output = ours(run.dir(), drop_in("ours.json", "degraded"));
    let summary = parse(&assert_summarized(&run, &output, "ours.json"));
    assert_no_metrics(&summary, "torn_read");
    let warnings = stderr(&output);
    assert!(
        warnings.contains("/dev/zero: is a character device, not a regular file"),
        "{warnings}"
    );
}

#[test]
fn log_symlink_loop_counts_as_absent_metrics() {
    let run = Run::good("l-loop");
    run.remove("torn_read/streamer.log");
    std::os::unix::fs::symlink("streamer.log", run.path("torn_read/streamer.log"))
        .expect("symlink");
    // Python's Path.exists() is False on ELOOP, so the reference reads "".
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_no_metrics(&summary, "torn_read");
    assert!(
        warnings.contains("torn_read/streamer.log: cannot read: "),
        "{warnings}"
    );
    assert!(warnings.contains("symbolic links"), "{warnings}");
}

#[test]
fn log_not_utf8_matches_the_reference() {
    let run = Run::good("l-latin1");
    let mut base = b"\xff\xfe caf\xe9 \xc3\x28\n".to_vec();
    base.extend_from_slice(good_log("torn_read").as_bytes());
    let mut log = base.clone();
    log.extend_from_slice(b"LATENCY_METRICS p50_us=\xe9 p99_us=\xf0\x9f\x98 ingest_to_emit_samples=300\x80 drop_ratio_ppm=7\n");
    run.write("torn_read/streamer.log", &log);
    // Every invalid byte becomes U+FFFD; the values holding one are strings, which int()
    // rejects: the reference crashes, we fail the checks and say where.
    let (summary, warnings) = summary_where_reference_crashes(&run, "degraded");
    let torn = scenario(&summary, "torn_read");
    assert_eq!(torn["metrics"]["latency"]["p50_us"], "\u{fffd}");
    assert_eq!(torn["metrics"]["latency"]["drop_ratio_ppm"], 7);
    assert!(
        warnings.contains("torn_read/streamer.log:6: p50_us=\"\u{fffd}\" is not an integer"),
        "{warnings}"
    );
    // Without the bad values, the bytes match the reference.
    run.write("torn_read/streamer.log", &base);
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(scenario(&summary, "torn_read")["status"], "PASS");
}

#[test]
fn log_full_of_nuls_matches_the_reference() {
    let run = Run::good("l-nuls");
    let mut log = vec![0u8; 1 << 20];
    log.extend_from_slice(good_log("torn_read").as_bytes());
    log.extend(vec![0u8; 1 << 20]);
    run.write("torn_read/streamer.log", &log);
    // NUL is neither a line break nor whitespace: the first megabyte of NULs joins the
    // first line (no token there), the last forms a line of its own after the last break.
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(scenario(&summary, "torn_read")["status"], "PASS");
    let rtp = &scenario(&summary, "torn_read")["metrics"]["rtp"];
    assert_eq!(rtp["packets"], 9000);
}

#[test]
fn log_nul_padded_after_a_crash_fails_the_check_with_its_line() {
    let run = Run::good("l-nul-padded");
    let mut log = good_log("torn_read").into_bytes();
    // The filesystem kept the file's length but not its last bytes: a value runs into NULs.
    log.extend_from_slice(b"2026-03-05T12:00:42.002Z INFO cvmmap_streamer::metrics FAULT_COUNTERS torn_read_events=999");
    log.extend(vec![0u8; 64 << 10]);
    run.write("torn_read/streamer.log", &log);
    // int("999\0\0...") raises in the reference; we fail that check, say which line, and
    // still summarize the run.
    let (summary, warnings) = summary_where_reference_crashes(&run, "degraded");
    let torn = scenario(&summary, "torn_read");
    assert_eq!(torn["status"], "FAIL");
    assert!(
        torn["reason"]
            .as_str()
            .expect("reason")
            .starts_with("torn_read_events=\"999\\0\\0"),
        "{}",
        torn["reason"]
    );
    // The 64 KiB value is shown cut, so that the message stays one readable line.
    assert!(
        warnings.contains("torn_read/streamer.log:5: torn_read_events=\"999\\0")
            && warnings.contains("… (65539 characters) is not an integer; the check fails"),
        "{warnings}"
    );
    assert!(warnings.len() < 2_000, "{}", warnings.len());
}

/// Peak resident memory of `command` in kB: from GNU time where it is installed, else
/// from `VmHWM` in `/proc`, polled while the child runs (the last reading before it exits).
fn peak_rss_kb(mut command: Command, label: &str) -> (Output, u64) {
    let time = Path::new("/usr/bin/time");
    let report =
        std::env::temp_dir().join(format!("fault-harness-rss-{}-{label}", std::process::id()));
    if time.is_file() {
        let program = command.get_program().to_os_string();
        let args: Vec<OsString> = command.get_args().map(OsStr::to_os_string).collect();
        let mut timed = Command::new(time);
        timed
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(program)
            .args(args);
        if let Some(cwd) = command.get_current_dir() {
            timed.current_dir(cwd);
        }
        let output = run_bounded(timed);
        let text = std::fs::read_to_string(&report).expect("GNU time's report");
        let _ = std::fs::remove_file(&report);
        let kb = text
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .expect("a number of kB");
        return (output, kb);
    }
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let start = Instant::now();
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text.lines().find_map(|l| l.strip_prefix("VmHWM:"));
            if let Some(kb) = hwm.and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(start.elapsed() < DEADLINE, "hung");
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut stderr = Vec::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_end(&mut stderr);
    }
    (
        Output {
            status,
            stdout: Vec::new(),
            stderr,
        },
        peak,
    )
}

/// Memory the binary may take on any input of the tests below: its blocks, a line's
/// budget of pairs, the summary, and what a debug build and the allocator add.
const RSS_LIMIT_KB: u64 = 64 << 10;

/// Summarizes a good run whose torn_read log ends in `tail` followed by NULs up
/// to 200 MB (a sparse file, so quick to make), with no newline; returns the
/// run, the output and the peak RSS in kB.
fn run_with_200_mb_tail(name: &str, tail: &[u8]) -> (Run, std::process::Output, u64) {
    let run = Run::good(name);
    let path = run.path("torn_read/streamer.log");
    let mut log = good_log("torn_read").into_bytes();
    log.extend_from_slice(tail);
    std::fs::write(&path, &log).expect("write log");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open log");
    file.set_len(200 << 20).expect("grow sparsely");
    drop(file);
    let mut command = Command::new(env!("CARGO_BIN_EXE_fault-summary"));
    command
        .current_dir(run.dir())
        .args(drop_in("ours.json", "degraded"));
    let (output, kb) = peak_rss_kb(command, name);
    (run, output, kb)
}

#[test]
fn log_of_one_200_mb_line_without_newline_is_scanned_in_bounded_memory() {
    let (run, output, kb) = run_with_200_mb_tail(
        "l-200mb",
        b"2026-03-05T12:00:42.001Z INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us=500 p99_us=1500 ingest_to_emit_samples=400 drop_ratio_ppm=10 ",
    );
    assert_no_panic(&output);
    let summary = parse(&assert_summarized(&run, &output, "ours.json"));
    // The reference (not run: it would hold the 200 MB line several times over) reads the
    // pairs before the NULs; a space ends the last value, so no value swallows them.
    let torn = scenario(&summary, "torn_read");
    assert_eq!(torn["metrics"]["latency"]["p50_us"], 500);
    assert_eq!(torn["metrics"]["latency"]["ingest_to_emit_samples"], 400);
    assert_eq!(torn["status"], "PASS");
    assert!(kb < RSS_LIMIT_KB, "peak RSS {kb} kB");
    eprintln!("note: 200 MB line scanned with a peak RSS of {kb} kB");
}

#[test]
fn log_of_200_mb_of_nuls_after_a_value_keeps_memory_bounded() {
    let (run, output, kb) = run_with_200_mb_tail(
        "l-200mb-value",
        b"2026-03-05T12:00:42.001Z INFO cvmmap_streamer::metrics LATENCY_METRICS ingest_to_emit_samples=400 p50_us=500",
    );
    assert_no_panic(&output);
    let summary = parse(&assert_summarized(&run, &output, "ours.json"));
    // The value of p50_us runs 200 MB into the NULs. The reference would keep all of it and
    // crash in int(); we keep the line's first megabyte (kv::LINE_BUDGET), fail the check
    // and keep the pairs before it.
    let torn = scenario(&summary, "torn_read");
    assert_eq!(torn["metrics"]["latency"]["ingest_to_emit_samples"], 400);
    let p50 = torn["metrics"]["latency"]["p50_us"]
        .as_str()
        .expect("a string value");
    assert!(
        p50.starts_with("500\0") && p50.len() < fault_harness::scan::kv::LINE_BUDGET,
        "{}",
        p50.len()
    );
    assert!(
        torn["reason"]
            .as_str()
            .expect("reason")
            .contains("p50_us=\"500\\0"),
        "{}",
        torn["reason"]
    );
    assert!(kb < RSS_LIMIT_KB, "peak RSS {kb} kB");
    eprintln!("note: 200 MB value cut with a peak RSS of {kb} kB");
}

#[test]
fn log_line_with_more_pairs_than_the_budget_never_passes_a_lost_metric() {
    let run = Run::good("l-many-pairs");
    let mut line = String::from("LATENCY_METRICS ingest_to_emit_samples=400 drop_ratio_ppm=1 ");
    for i in 0..150_000 {
        line.push_str(&format!("k{i}=v "));
    }
    // Beyond the budget (1.5 MB of line): the reference reads p50_us=999999 and fails the check.
    line.push_str("p50_us=999999\n");
    let mut log = good_log("torn_read");
    log.push_str(&line);
    run.write("torn_read/streamer.log", log);
    let output = ours(run.dir(), drop_in("ours.json", "degraded"));
    let summary = parse(&assert_summarized(&run, &output, "ours.json"));
    let torn = scenario(&summary, "torn_read");
    // We lost p50_us to the budget: it fails as unknown instead of passing as 0.
    assert_eq!(torn["status"], "FAIL");
    let reason = torn["reason"].as_str().expect("reason");
    assert!(
        reason.contains("p50_us is not among the pairs read of its line of "),
        "{reason}"
    );
    // The warning states the line's true size.
    let size = format!(
        "line of {} bytes, of which the first 1048576",
        line.len() - 1
    );
    assert!(stderr(&output).contains(&size), "{}", stderr(&output));
}

#[test]
fn log_line_of_15000_short_pairs_keeps_every_pair_like_the_reference() {
    // About 124 KB of pairs, far below the 1 MiB a line may hold: every pair counts.
    let run = Run::empty("hostile-l-15000-pairs");
    run.write(
        "manifest.tsv",
        "order\tscenario_id\tstreamer_log\n1\ttorn_read\tstreamer.log\n",
    );
    let mut line = String::from("LATENCY_METRICS");
    for i in 0..15_000 {
        line.push_str(&format!(" b{i}=1"));
    }
    line.push_str(" p50_us=400 p99_us=1500 ingest_to_emit_samples=3000 drop_ratio_ppm=10\n");
    line.push_str("FAULT_COUNTERS torn_read_events=300\n");
    run.write("streamer.log", line);
    let (summary, stderr) = summary_equal_to_reference(&run, "baseline");
    let torn = scenario(&summary, "torn_read");
    let checks = torn["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 5, "{torn}");
    for check in checks {
        assert_eq!(check["passed"], true, "{check}");
    }
    assert_eq!(torn["metrics"]["latency"]["p99_us"], 1500);
    assert_eq!(torn["metrics"]["latency"]["b14999"], 1);
    assert!(!stderr.contains("bytes"), "{stderr}");
}

#[test]
fn log_truncated_mid_line_matches_the_reference() {
    let run = Run::good("l-truncated");
    let mut log = good_log("torn_read");
    log.push_str(
        "2026-03-05T12:00:42.001Z INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us=51",
    );
    run.write("torn_read/streamer.log", log);
    // The cut line is the last LATENCY_METRICS line: p50_us=51 and nothing else, so the
    // samples count as 0 and the scenario fails.
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    let torn = scenario(&summary, "torn_read");
    assert_eq!(
        torn["metrics"]["latency"],
        serde_json::json!({"p50_us": 51})
    );
    assert_eq!(torn["status"], "FAIL");
}

#[test]
fn log_with_mixed_line_endings_matches_the_reference() {
    let run = Run::good("l-endings");
    let log = good_log("torn_read")
        .replacen('\n', "\r\n", 1)
        .replacen('\n', "\r", 1)
        .replacen('\n', "\u{2028}", 1)
        + "junk\x1cLATENCY_METRICS p50_us=9\x0b\x0cmore\u{85}x\r\r\n";
    run.write("torn_read/streamer.log", log);
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(
        scenario(&summary, "torn_read")["metrics"]["latency"],
        serde_json::json!({"p50_us": 9})
    );
}

#[test]
fn metric_values_beyond_i64_match_the_reference() {
    let run = Run::good("l-big-ints");
    let log = good_log("torn_read").replace("torn_read_events=998", "torn_read_events=123456789012345678901234567890")
        + "LATENCY_METRICS p50_us=-99999999999999999999 p99_us=007 ingest_to_emit_samples=18446744073709551616 drop_ratio_ppm=0\n";
    run.write("torn_read/streamer.log", log);
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    let torn = scenario(&summary, "torn_read");
    assert_eq!(torn["status"], "PASS");
    assert_eq!(torn["metrics"]["latency"]["p99_us"], 7);
}

#[test]
fn float_overflowing_to_infinity_fails_its_check_where_the_reference_crashes() {
    let run = Run::good("l-inf");
    let huge = format!("1{}.5", "0".repeat(400));
    let log = good_log("torn_read")
        + &format!("LATENCY_METRICS p50_us=1 ingest_to_emit_samples=400 drop_ratio_ppm={huge}\n");
    run.write("torn_read/streamer.log", log);
    // float() gives inf and int(inf) raises OverflowError in the reference.
    let (summary, warnings) = summary_where_reference_crashes(&run, "degraded");
    let torn = scenario(&summary, "torn_read");
    assert_eq!(
        torn["metrics"]["latency"]["drop_ratio_ppm"],
        serde_json::Value::Null,
        "Infinity"
    );
    assert!(
        torn["reason"]
            .as_str()
            .expect("reason")
            .contains("drop_ratio_ppm=inf is not an integer (an infinite float)"),
        "{}",
        torn["reason"]
    );
    assert!(
        warnings.contains("torn_read/streamer.log:5: drop_ratio_ppm=inf is not an integer"),
        "{warnings}"
    );
}

#[test]
fn float_overflowing_to_infinity_in_an_unchecked_metric_matches_the_reference() {
    let run = Run::good("l-inf-unchecked");
    let huge = format!("-9{}.0", "9".repeat(400));
    let log =
        good_log("torn_read") + &format!("RTP_METRICS jitter={huge} tiny=0.{}1\n", "0".repeat(400));
    run.write("torn_read/streamer.log", log);
    // Python writes -Infinity (not JSON, but what it writes) and 0.0.
    let (_, _) = summary_equal_to_reference(&run, "degraded");
    let bytes = std::fs::read(run.path("ours.json")).expect("summary");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("\"jitter\": -Infinity"), "{text}");
    assert!(text.contains("\"tiny\": 0.0"), "{text}");
}

#[test]
fn unicode_keys_and_digits_match_the_reference() {
    let run = Run::good("l-unicode");
    let log = good_log("torn_read")
        + "LATENCY_METRICS ü=1 p50_üs=2 _ü_=3 p50_us=\u{0664}\u{0662} ingest_to_emit_samples=\u{FF11}\u{FF10}\u{FF10} drop_ratio_ppm=0 ключ=5\n";
    run.write("torn_read/streamer.log", log);
    // Only ASCII letters, digits and _ make keys; Unicode digits make ints (42, 100).
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    let latency = &scenario(&summary, "torn_read")["metrics"]["latency"];
    assert_eq!(latency["p50_us"], 42);
    assert_eq!(latency["ingest_to_emit_samples"], 100);
    assert_eq!(latency["_"], 3);
    assert_eq!(latency["s"], 2);
}

#[test]
fn metric_value_int_rejects_fails_its_check_with_file_line_and_value() {
    let run = Run::good("l-bad-value");
    let log = good_log("torn_read")
        + "LATENCY_METRICS p50_us=fast ingest_to_emit_samples=400 drop_ratio_ppm=0\n";
    run.write("torn_read/streamer.log", log);
    let (summary, warnings) = summary_where_reference_crashes(&run, "degraded");
    assert_eq!(
        scenario(&summary, "torn_read")["metrics"]["latency"]["p50_us"],
        "fast"
    );
    assert!(
        warnings.contains("torn_read/streamer.log:5: p50_us=\"fast\" is not an integer"),
        "{warnings}"
    );
    // Our words, not Python's `invalid literal for int() with base 10: 'fast'`.
    assert!(!warnings.contains("invalid literal"), "{warnings}");
}

#[test]
fn log_path_with_a_nul_byte_is_unreadable() {
    let run = Run::good("l-nul-path");
    run.torn_read_log_named("torn_read/streamer.log\0.bak");
    // Python's Path.exists() is False for a path the system cannot hold (since 3.8).
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_no_metrics(&summary, "torn_read");
    assert!(warnings.contains("cannot read: "), "{warnings}");
}

#[test]
fn log_path_longer_than_the_system_allows_is_unreadable() {
    let run = Run::good("l-long-path");
    run.torn_read_log_named("x/".repeat(3000) + "streamer.log");
    // ENAMETOOLONG is an OSError that Path.exists() does not swallow: the reference crashes.
    let (summary, warnings) = summary_where_reference_crashes(&run, "degraded");
    assert_no_metrics(&summary, "torn_read");
    assert!(warnings.contains("cannot read: "), "{warnings}");
}

// ---------------------------------------------------------------- run.json

/// Returns the arguments of the `--run-dir`-only convenience form.
fn run_dir_only() -> Vec<OsString> {
    vec!["--run-dir".into(), ".".into()]
}

#[test]
fn run_json_invalid_names_line_and_column() {
    let run = Run::good("r-invalid");
    run.write(
        "run.json",
        "{\n  \"mode\": \"degraded\",\n  \"run_id\": \n}\n",
    );
    refused(&run, run_dir_only(), &["run.json: line 4 column 1"]);
}

#[test]
fn run_json_of_wrong_types_names_key_and_value() {
    let run = Run::good("r-types");
    run.write("run.json", r#"{"mode": "degraded", "run_id": ["a", 1]}"#);
    refused(
        &run,
        run_dir_only(),
        &["run.json: \"run_id\" must be a string, found [\"a\",1]"],
    );
    run.write("run.json", r#"{"mode": 1}"#);
    refused(
        &run,
        run_dir_only(),
        &["run.json: \"mode\" must be a string, found 1"],
    );
    run.write("run.json", "[\"degraded\"]");
    refused(&run, run_dir_only(), &["run.json: expected a JSON object"]);
}

#[test]
fn run_json_with_an_unknown_mode_names_it() {
    let run = Run::good("r-mode");
    run.write("run.json", r#"{"mode": "Degraded "}"#);
    refused(
        &run,
        run_dir_only(),
        &["run.json: mode \"Degraded \" is neither \"baseline\" nor \"degraded\""],
    );
}

#[test]
fn run_json_binary_or_special_is_refused() {
    let run = Run::good("r-binary");
    run.write("run.json", b"\xff\xfe{\0\"\0m\0");
    refused(&run, run_dir_only(), &["run.json: line 1 column 1"]);
    run.remove("run.json");
    std::fs::create_dir(run.path("run.json")).expect("folder");
    refused(
        &run,
        run_dir_only(),
        &["run.json: is a directory, not a regular file"],
    );
    run.remove("run.json");
    mkfifo(&run.path("run.json"));
    refused(
        &run,
        run_dir_only(),
        &["run.json: is a FIFO, not a regular file"],
    );
}

#[test]
fn run_json_too_large_is_refused() {
    let run = Run::good("r-large");
    let file = std::fs::File::create(run.path("run.json")).expect("create");
    file.set_len(2 << 20).expect("grow sparsely");
    refused(
        &run,
        run_dir_only(),
        &["run.json: larger than 1048576 bytes"],
    );
}

#[test]
fn run_json_without_a_mode_and_no_flag_is_an_error() {
    let run = Run::good("r-no-mode");
    run.write("run.json", r#"{"run_id": "x"}"#);
    refused(
        &run,
        run_dir_only(),
        &["no mode for the thresholds", "--mode baseline|degraded"],
    );
}

#[test]
fn run_json_is_not_read_when_every_flag_is_given() {
    let run = Run::good("r-ignored");
    run.write("run.json", "{ not json");
    // The drop-in form reads no run.json, like the reference.
    let (summary, _) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(summary["all_pass"], true);
}

// ---------------------------------------------------------------- outputs

#[test]
fn output_under_a_missing_folder_creates_it() {
    let run = Run::good("o-missing-folder");
    let output = ours(run.dir(), drop_in("deep/er/ours.json", "degraded"));
    let bytes = assert_summarized(&run, &output, "deep/er/ours.json");
    if let Some(reference) = theirs(run.dir(), drop_in("deep/est/reference.json", "degraded")) {
        assert_eq!(reference.status.code(), Some(0));
        assert_eq!(
            std::fs::read(run.path("deep/est/reference.json")).expect("reference output"),
            bytes
        );
    }
}

#[test]
fn output_under_a_file_is_an_error_and_leaves_nothing() {
    let run = Run::good("o-under-file");
    let before = std::fs::read(run.path("manifest.tsv")).expect("manifest");
    // The reference dies in mkdir (FileExistsError); we say which part is not a folder.
    refused(
        &run,
        drop_in("manifest.tsv/deeper/ours.json", "degraded"),
        &["manifest.tsv/deeper/ours.json: manifest.tsv is not a folder"],
    );
    assert_eq!(
        std::fs::read(run.path("manifest.tsv")).expect("manifest"),
        before
    );
}

#[test]
fn output_onto_a_directory_is_an_error_and_leaves_it() {
    let run = Run::good("o-dir");
    std::fs::create_dir(run.path("out.json")).expect("folder");
    refused(&run, drop_in("out.json", "degraded"), &["out.json: "]);
    assert!(run.path("out.json").is_dir());
    assert_eq!(extra_files(&run.path("out.json")), Vec::<String>::new());
}

#[test]
fn output_with_the_longest_file_name_is_written() {
    let run = Run::good("o-long-name");
    let name = format!("{}.json", "s".repeat(250));
    let output = ours(run.dir(), drop_in(&name, "degraded"));
    let bytes = assert_summarized(&run, &output, &name);
    if let Some(reference) = theirs(
        run.dir(),
        drop_in(&format!("{}.json", "r".repeat(250)), "degraded"),
    ) {
        assert_eq!(reference.status.code(), Some(0));
        let theirs = std::fs::read(run.path(&format!("{}.json", "r".repeat(250))))
            .expect("reference output");
        assert_eq!(theirs, bytes);
    }
}

#[test]
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let run = Run::good("o-symlink");
    run.write("elsewhere/latest.json", "old");
    std::os::unix::fs::symlink("elsewhere/latest.json", run.path("ours.json")).expect("symlink");
    let output = ours(run.dir(), drop_in("ours.json", "degraded"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Python's write_text opens the link's target; so do we, atomically.
    assert!(run.path("ours.json").is_symlink());
    let written = std::fs::read(run.path("elsewhere/latest.json")).expect("target");
    assert!(written.starts_with(b"{\n  \"task\": 15,"));
    assert_no_temp_files(run.dir());
}

#[test]
fn output_failure_keeps_the_existing_summary() {
    let run = Run::good("o-keep");
    // The summary's folder is read-only: only root writes anyway, so make it a symlink
    // loop instead, which stops root too.
    std::os::unix::fs::symlink("loop.json", run.path("loop.json")).expect("symlink");
    run.stale_summary();
    let output = ours(run.dir(), drop_in("loop.json", "degraded"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("loop.json: too many levels of symbolic links"),
        "{}",
        stderr(&output)
    );
    assert!(run.path("loop.json").is_symlink());
    assert_eq!(
        std::fs::read_to_string(run.path("summary.json")).expect("summary"),
        STALE
    );
    assert_no_temp_files(run.dir());
}

// ---------------------------------------------------------------- evidence outside the run

/// A log outside the run: a sibling folder holding a passing torn_read log.
fn outside_log(label: &str) -> (Scratch, PathBuf) {
    let scratch = Scratch::new(&format!("hostile-{label}-outside"));
    let path = scratch.path().join("streamer.log");
    std::fs::write(&path, good_log("torn_read")).expect("write outside log");
    (scratch, path)
}

/// Asserts that stderr notes `named` as leading out of the run, to `target`.
fn assert_noted(warnings: &str, target: &Path) {
    let target = std::fs::canonicalize(target).expect("outside log exists");
    let note = format!("leads out of the run directory, to {}", target.display());
    assert!(warnings.contains(&note), "{note:?} not in {warnings}");
}

/// Summarizes with `--confine` and asserts that torn_read's log was refused, not read.
fn assert_confined(run: &Run, target: &Path) {
    let mut args = drop_in("confined.json", "degraded");
    args.push("--confine".into());
    let output = ours(run.dir(), args);
    let summary = parse(&assert_summarized(run, &output, "confined.json"));
    assert_no_metrics(&summary, "torn_read");
    assert_eq!(scenario(&summary, "sink_stall")["status"], "PASS");
    let warnings = stderr(&output);
    assert_noted(&warnings, target);
    assert!(warnings.contains("not read (--confine)"), "{warnings}");
}

#[test]
fn log_reached_through_dot_dot_is_noted_and_refused_when_confined() {
    let run = Run::good("c-dotdot");
    let (_outside, target) = outside_log("c-dotdot");
    let folder = target
        .parent()
        .and_then(Path::file_name)
        .expect("folder name");
    run.torn_read_log_named(format!("../{}/streamer.log", folder.to_string_lossy()));
    // The reference reads it (relative to the current directory, the run): so do we, noted.
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(scenario(&summary, "torn_read")["status"], "PASS");
    assert_noted(&warnings, &target);
    assert_confined(&run, &target);
}

#[test]
fn log_at_an_absolute_path_elsewhere_is_noted_and_refused_when_confined() {
    let run = Run::good("c-absolute");
    let (_outside, target) = outside_log("c-absolute");
    run.torn_read_log_named(target.as_os_str().as_bytes());
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(scenario(&summary, "torn_read")["status"], "PASS");
    assert_noted(&warnings, &target);
    assert_confined(&run, &target);
}

#[test]
fn log_symlinked_out_of_the_run_is_noted_and_refused_when_confined() {
    let run = Run::good("c-symlink");
    let (_outside, target) = outside_log("c-symlink");
    run.remove("torn_read/streamer.log");
    std::os::unix::fs::symlink(&target, run.path("torn_read/streamer.log")).expect("symlink");
    let (summary, warnings) = summary_equal_to_reference(&run, "degraded");
    assert_eq!(scenario(&summary, "torn_read")["status"], "PASS");
    assert_noted(&warnings, &target);
    assert_confined(&run, &target);
}

#[test]
fn log_at_an_absolute_path_inside_the_run_is_read_when_confined() {
    let run = Run::good("c-inside");
    let inside = run.path("torn_read/streamer.log");
    run.torn_read_log_named(inside.as_os_str().as_bytes());
    // A symlink that stays inside the run is no escape either.
    run.remove("sink_stall/streamer.log");
    std::os::unix::fs::symlink(
        "../torn_read/../sink_stall/real.log",
        run.path("sink_stall/streamer.log"),
    )
    .expect("symlink");
    run.write("sink_stall/real.log", good_log("sink_stall"));
    let mut args = drop_in("ours.json", "degraded");
    args.push("--confine".into());
    let output = ours(run.dir(), args);
    let summary = parse(&assert_summarized(&run, &output, "ours.json"));
    assert_eq!(summary["all_pass"], true, "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("out of the run directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn harness_with_fault_confine_fails_the_checks_of_a_log_outside() {
    let run = Run::good("c-harness");
    let (_outside, target) = outside_log("c-harness");
    run.torn_read_log_named(target.as_os_str().as_bytes());
    let name = fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()));
    // Read (and noted) without confinement: every test passes.
    let output = run_bounded(fault_suite_command(run.dir()));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // FAULT_CONFINE=1: every torn_read check fails (its metrics never appeared: an error
    // in the harness, even for a max check), the rest pass.
    let mut command = fault_suite_command(run.dir());
    command.env("FAULT_CONFINE", "1");
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failed: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .map(str::trim_end)
        .collect();
    failed.sort_unstable();
    let expected: Vec<String> = [
        "drop_ratio_ppm_max",
        "ingest_to_emit_samples_min",
        "p50_us_max",
        "p99_us_max",
        "torn_read_events_min",
    ]
    .iter()
    .map(|check| format!("{name}::torn_read::{check}"))
    .collect();
    assert_eq!(failed, expected, "{stdout}");
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

// ---------------------------------------------------------------- the harness

/// Returns the outcome of test `name` in a harness run, which must have run.
fn outcome<'a>(out: &'a InProcess, name: &str) -> &'a Verdict {
    &out.get(name).verdict
}

#[test]
fn harness_over_a_missing_run_dir_fails_one_setup_test() {
    let scratch = Scratch::new("h-missing");
    let missing = scratch.path().join("no-such-runs");
    let out = run_in_process(&Config::new(crate::support::utf8(&missing)), &[]);
    assert_eq!(out.ran(), ["no-such-runs::setup"]);
    match outcome(&out, "no-such-runs::setup") {
        Verdict::Error(message) => assert!(message.contains("no-such-runs"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(out.finished.conclusion.has_failed());
}

#[test]
fn harness_over_a_run_dir_not_utf8_says_so_and_names_it() {
    let scratch = Scratch::new("h-not-utf8");
    let dir = scratch.path().join(OsStr::from_bytes(b"run-\xff\xfe"));
    std::fs::create_dir(&dir).expect("run folder");
    let good = Run::good("h-not-utf8-source");
    for file in ["manifest.tsv", "run.json"] {
        std::fs::copy(good.path(file), dir.join(file)).expect("copy");
    }
    // Paths are UTF-8 all the way (test names, messages): the folder is named, escaped.
    let out = run_in_process(&Config::new(crate::support::utf8(scratch.path())), &[]);
    assert_eq!(out.ran().len(), 1, "{:?}", out.ran());
    let name = out.ran()[0].to_string();
    assert!(name.ends_with("::setup"), "{name}");
    let message = out.message(&name, "error");
    assert!(message.contains("run-\\xFF\\xFE"), "{message}");
    assert!(message.contains("not UTF-8"), "{message}");
    // FAULT_RUN_DIR itself may hold such bytes: the real binary, a missing folder.
    let missing = scratch.path().join(OsStr::from_bytes(b"gone-\xff"));
    let output = run_bounded(fault_suite_command(&missing));
    assert_eq!(output.status.code(), Some(101), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("gone-\u{fffd}::setup"), "{stdout}");
    assert!(
        stdout.contains("FAULT_RUN_DIR=\"") && stdout.contains("not valid UTF-8"),
        "{stdout}"
    );
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn harness_over_a_binary_manifest_fails_its_manifest_test() {
    let run = Run::good("h-binary");
    run.write("manifest.tsv", b"order\tscenario_id\n1\t\xff\xfe\n");
    assert_only_manifest_error(&run, "manifest.tsv:2: invalid utf-8 at byte offset 20");
}

#[test]
fn harness_over_a_fifo_manifest_fails_its_manifest_test() {
    let run = Run::good("h-fifo");
    run.remove("manifest.tsv");
    mkfifo(&run.path("manifest.tsv"));
    assert_only_manifest_error(&run, "manifest.tsv: not a regular file");
}

/// Asserts that the harness over `run` runs one test, `<run>::manifest`, an error holding `needle`.
fn assert_only_manifest_error(run: &Run, needle: &str) {
    let out = run_in_process(&Config::new(crate::support::utf8(run.dir())), &[]);
    let name = format!(
        "{}::manifest",
        fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()))
    );
    assert_eq!(out.ran(), [name.as_str()]);
    match outcome(&out, &name) {
        Verdict::Error(message) => assert!(message.contains(needle), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn run_dir_that_is_a_file_is_an_error_naming_the_manifest() {
    let run = Run::good("r-file");
    let mut args = vec![
        "--run-dir".into(),
        "manifest.tsv".into(),
        "--mode".into(),
        "degraded".into(),
    ];
    args.extend(["--output".into(), "ours.json".into()]);
    refused(&run, args, &["manifest.tsv/manifest.tsv: cannot read: "]);
}

#[test]
fn harness_over_a_bad_order_fails_its_manifest_test() {
    let run = Run::good("h-order");
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).expect("manifest");
    run.write("manifest.tsv", manifest.replacen("\n3\t", "\nthird\t", 1));
    let out = run_in_process(&Config::new(crate::support::utf8(run.dir())), &[]);
    let name = format!(
        "{}::manifest",
        fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()))
    );
    match outcome(&out, &name) {
        Verdict::Error(message) => assert!(
            message.contains("manifest.tsv:4: order \"third\""),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn harness_over_special_logs_fails_their_tests_and_runs_the_rest() {
    let run = Run::good("h-special");
    run.remove("torn_read/streamer.log");
    mkfifo(&run.path("torn_read/streamer.log"));
    let manifest = std::fs::read_to_string(run.path("manifest.tsv")).expect("manifest");
    run.write(
        "manifest.tsv",
        manifest.replace("sink_stall/streamer.log", "/dev/zero"),
    );
    let name = fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()));
    let out = run_in_process(&Config::new(crate::support::utf8(run.dir())), &[]);
    assert_eq!(out.ran().len(), 19, "the run is not aborted");
    match outcome(&out, &format!("{name}::torn_read::p99_us_max")) {
        Verdict::Error(message) => assert!(
            message.contains("is a FIFO, not a regular file"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    match outcome(&out, &format!("{name}::sink_stall::p95_us_max")) {
        Verdict::Error(message) => {
            assert!(
                message.contains("/dev/zero is a character device, not a regular file"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        outcome(&out, &format!("{name}::reset_storm::p99_us_max")),
        &Verdict::Pass
    );
    assert_eq!(
        outcome(&out, &format!("{name}::torn_read::process_exit")),
        &Verdict::Pass
    );
}

#[test]
fn harness_over_an_invalid_run_json_fails_its_tests_with_the_reason() {
    let run = Run::good("h-run-json");
    run.write("run.json", r#"{"mode": "fastest"}"#);
    let name = fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()));
    let out = run_in_process(&Config::new(crate::support::utf8(run.dir())), &[]);
    assert_eq!(out.ran().len(), 19, "the run is not aborted");
    // The fifteen checks need the mode; the exit codes and the scenario set do not.
    assert_eq!(out.failed().len(), 15);
    // The reason in full on the first check, named there by the others.
    let first = format!("{name}::torn_read::ingest_to_emit_samples_min");
    match outcome(&out, &first) {
        Verdict::Error(message) => {
            assert!(
                message.contains("run.json: mode \"fastest\" is not a mode of the suite"),
                "{message}"
            );
            assert!(message.contains("FAULT_MODE"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    match outcome(&out, &format!("{name}::torn_read::p50_us_max")) {
        Verdict::Error(message) => assert!(message.contains(&first), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn harness_over_a_200_mb_nul_value_fails_the_check_not_the_run() {
    let run = Run::good("h-200mb");
    let path = run.path("torn_read/streamer.log");
    let mut log = good_log("torn_read").into_bytes();
    log.extend_from_slice(
        b"LATENCY_METRICS ingest_to_emit_samples=400 drop_ratio_ppm=0 p50_us=500",
    );
    std::fs::write(&path, &log).expect("write log");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open log");
    file.set_len(200 << 20).expect("grow sparsely");
    drop(file);
    let name = fault_harness::input::run_dir::run_name(&crate::support::utf8(run.dir()));
    let out = run_in_process(
        &Config::new(crate::support::utf8(run.dir())),
        &["--exact", &format!("{name}::torn_read::p50_us_max")],
    );
    assert_eq!(out.ran().len(), 1);
    match outcome(&out, &format!("{name}::torn_read::p50_us_max")) {
        Verdict::Error(message) => {
            assert!(message.contains("torn_read/streamer.log:5"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
