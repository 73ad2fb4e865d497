//! Faults of the machine around the tools rather than of their input: readers that
//! go away (broken pipes), no threads to be had, kills and a file size limit while
//! an output is written, outputs that are symlinks, and logs still being written.
//!
//! What each promises (README, "Reliability"): both faces end quietly when their
//! reader goes away, one thread does the work where no other can be had, a kill
//! leaves the old output and nothing beside it, a file size limit is an error
//! naming the output, a symlinked output keeps its target's mode and makes no
//! folder outside the run, and a log that changed while read or whose metric
//! line has no line end is said to be so, never judged silently.

use crate::support::harness::{fault_suite_command, run_in_process};
use crate::support::runs::{good_log, row, run_bounded, wait_bounded, Run, HEADER};
use crate::support::Scratch;
use fault_harness::eval::model::Verdict;
use fault_harness::harness::Config;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// `SIGPIPE`'s number on Linux, which a process killed by a closed pipe reports.
const SIGPIPE: i32 = 13;

/// Returns a command running `fault-summary` in `cwd` with `args`.
fn fault_summary(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fault-summary"));
    command.current_dir(cwd).args(args);
    command
}

/// Returns the write end of a pipe whose read end is already closed: every write
/// to it fails with `EPIPE` (or raises `SIGPIPE`), from the first byte on.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Stdio::from(writer)
}

/// Runs `command` with its stdout and stderr as given, stdin empty; returns its status
/// and whatever it wrote to a stream given as [`Stdio::piped`].
fn run_with(mut command: Command, stdout: Stdio, stderr: Stdio) -> (ExitStatus, String) {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("spawn child");
    // Drained on a thread so that a chatty child cannot block on a full pipe.
    let captured = child
        .stdout
        .take()
        .map(|out| Box::new(out) as Box<dyn Read + Send>);
    let captured = captured.or_else(|| {
        child
            .stderr
            .take()
            .map(|err| Box::new(err) as Box<dyn Read + Send>)
    });
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stream) = captured {
            let _ = stream.read_to_string(&mut text);
        }
        text
    });
    let status = wait_bounded(child, &what);
    (status, reader.join().expect("reader thread"))
}

/// Asserts that a process ended quietly: by `SIGPIPE` or with a status other than
/// a panic's 101, and with no panic text in what it printed.
fn assert_quiet(status: ExitStatus, printed: &str, what: &str) {
    assert!(
        status.signal() == Some(SIGPIPE) || status.code().is_some_and(|code| code != 101),
        "{what}: {status:?}\n{printed}"
    );
    assert!(!printed.contains("panicked"), "{what}: {printed}");
}

/// Writes a run of `count` scenarios (all `torn_read`, sharing one good streamer log)
/// into `run`, with `missing` of them naming a log that does not exist (a warning each).
fn many_scenarios(run: &Run, count: usize, missing: usize) {
    let mut manifest = String::from(HEADER);
    for i in 0..count {
        let log = if i < missing {
            "absent/streamer.log"
        } else {
            "torn_read/streamer.log"
        };
        manifest.push_str(&row(&i.to_string(), "torn_read", log));
    }
    run.write("manifest.tsv", manifest);
    run.write("torn_read/streamer.log", good_log("torn_read"));
    run.write("run.json", r#"{"run_id": "faults", "mode": "degraded"}"#);
}

/// Returns the names in `dir` other than those of `expected`, sorted.
fn strangers(dir: &Path, expected: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read folder")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !expected.contains(&name.as_str()))
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------- broken pipes

#[test]
fn a_closed_stdout_ends_help_version_and_print_suite_quietly() {
    let scratch = Scratch::new("faults-stdout");
    for flag in ["--help", "--version", "--print-suite"] {
        let command = fault_summary(scratch.path(), &[flag]);
        let (status, stderr) = run_with(command, closed_pipe(), Stdio::piped());
        assert_quiet(status, &stderr, flag);
        assert_eq!(status.code(), Some(0), "{flag}: {stderr}");
    }
}

#[test]
fn warnings_to_a_closed_pipe_neither_hang_nor_panic_and_the_summary_is_written() {
    // A thousand scenarios each warn (their log is missing): the warnings, printed in
    // order by the thread that takes the evaluated scenarios, meet a closed stderr.
    let run = Run::empty("faults-warnings");
    many_scenarios(&run, 1000, 1000);
    let args = ["--run-dir", ".", "--output", "summary.json"];
    let (status, stdout) = run_with(
        fault_summary(run.dir(), &args),
        Stdio::piped(),
        closed_pipe(),
    );
    assert_quiet(status, &stdout, "stderr closed");
    assert_eq!(status.code(), Some(0));
    let summary = std::fs::read_to_string(run.path("summary.json")).expect("summary written");
    assert!(summary.contains("\"total\": 1000"), "{summary:.300}");
    std::fs::remove_file(run.path("summary.json")).expect("remove summary");
    // Both closed: nothing can be said, and the summary is still written.
    let (status, _) = run_with(
        fault_summary(run.dir(), &args),
        closed_pipe(),
        closed_pipe(),
    );
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(run.path("summary.json").is_file());
}

#[test]
fn the_harness_ends_quietly_when_its_reader_goes_away() {
    // Many tests, each printed on a line of stdout, which is closed.
    let run = Run::empty("faults-harness-pipe");
    many_scenarios(&run, 200, 0);
    let (status, stderr) = run_with(
        fault_suite_command(run.dir()),
        closed_pipe(),
        Stdio::piped(),
    );
    assert_quiet(status, &stderr, "harness, stdout closed");
    // Notes on stderr (a log read from outside the run), with stderr closed.
    let outside = Scratch::new("faults-harness-outside");
    std::fs::write(outside.path().join("streamer.log"), good_log("torn_read")).unwrap();
    std::fs::remove_file(run.path("torn_read/streamer.log")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("streamer.log"),
        run.path("torn_read/streamer.log"),
    )
    .unwrap();
    let (status, stdout) = run_with(
        fault_suite_command(run.dir()),
        Stdio::piped(),
        closed_pipe(),
    );
    assert_quiet(status, &stdout, "harness, stderr closed");
}

// ---------------------------------------------------------------- no threads

/// A default thread stack size no address space holds (128 TiB): with it, every
/// thread std would start fails to start, for root too, whom `RLIMIT_NPROC` spares.
const NO_STACK: &str = "140737488355328";

/// Returns true if and only if this process runs as root.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

/// Returns `command` made to run where no thread can be started: under a process
/// limit of 1 (`ulimit -u`, where it binds: not for root) and with [`NO_STACK`].
fn without_threads(command: &Command) -> Command {
    let mut limited = if is_root() {
        Command::new(command.get_program())
    } else {
        let mut shell = Command::new("sh");
        shell
            .args(["-c", "ulimit -u 1 && exec \"$0\" \"$@\""])
            .arg(command.get_program());
        shell
    };
    limited.args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        limited.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    limited.env("RUST_MIN_STACK", NO_STACK);
    limited
}

#[test]
fn without_threads_both_faces_work_on_one_thread_with_the_same_bytes() {
    let run = Run::empty("faults-threads");
    many_scenarios(&run, 2000, 7);
    let normal = run_bounded(fault_summary(
        run.dir(),
        &["--run-dir", ".", "--output", "a.json"],
    ));
    assert_eq!(normal.status.code(), Some(0));
    let limited = run_bounded(without_threads(&fault_summary(
        run.dir(),
        &["--run-dir", ".", "--output", "b.json"],
    )));
    let stderr = String::from_utf8_lossy(&limited.stderr);
    assert_eq!(limited.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read(run.path("a.json")).unwrap(),
        std::fs::read(run.path("b.json")).unwrap()
    );
    // The harness over more scenarios than it reads ahead for (64): the same tests pass.
    let harness = Run::empty("faults-threads-harness");
    many_scenarios(&harness, 100, 0);
    let normal = run_bounded(fault_suite_command(harness.dir()));
    let limited = run_bounded(without_threads(&fault_suite_command(harness.dir())));
    let result = |output: &std::process::Output| {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let line = stdout.lines().find(|line| line.starts_with("test result:"));
        // The counts, without the time taken.
        line.and_then(|line| line.split("; finished").next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no result line: {stdout}\n{stderr}"))
    };
    assert_eq!(result(&limited), result(&normal));
    // A run of one repeated scenario fails its expected_scenarios test, under both.
    assert_eq!(limited.status.code(), normal.status.code());
}

// ---------------------------------------------------------------- kills and limits

#[test]
fn kills_during_a_large_write_leave_no_file_beside_the_output() {
    // A summary of about 10 MB, spooled while 5,000 scenarios are evaluated, then
    // written: each signal at points further and further apart, from the start until
    // the write is done before the signal comes.
    let run = Run::empty("faults-kills");
    many_scenarios(&run, 5_000, 0);
    let expected = ["manifest.tsv", "run.json", "torn_read", "summary.json"];
    for signal in ["KILL", "TERM", "INT"] {
        let mut delay = Duration::from_millis(2);
        loop {
            let mut command = fault_summary(run.dir(), &["--run-dir", ".", "--quiet"]);
            let mut child = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn fault-summary");
            let start = Instant::now();
            let mut done = false;
            while start.elapsed() < delay && !done {
                done = child.try_wait().expect("wait").is_some();
                std::thread::sleep(Duration::from_millis(1));
            }
            if !done {
                let _ = Command::new("kill")
                    .args([&format!("-{signal}"), &child.id().to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
            let status = wait_bounded(child, "fault-summary");
            assert_eq!(
                strangers(run.dir(), &expected),
                Vec::<String>::new(),
                "SIG{signal} after {delay:?}"
            );
            // Whatever is there is a whole summary.
            if let Ok(text) = std::fs::read_to_string(run.path("summary.json")) {
                assert!(text.ends_with("}\n"), "SIG{signal} after {delay:?}");
            }
            if status.success() {
                break;
            }
            delay = delay * 3 / 2;
        }
    }
}

#[test]
fn a_file_size_limit_is_an_error_naming_the_output() {
    // The summary of 1,000 scenarios is about a megabyte; the limit is 8 blocks.
    let run = Run::empty("faults-fsize");
    many_scenarios(&run, 1000, 0);
    let mut command = Command::new("sh");
    command
        .current_dir(run.dir())
        .args(["-c", "ulimit -f 8 && exec \"$0\" --run-dir . --quiet"])
        .arg(env!("CARGO_BIN_EXE_fault-summary"));
    let output = run_bounded(command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), None, "killed: {:?}", output.status);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("summary.json: File too large"), "{stderr}");
    assert_eq!(
        strangers(run.dir(), &["manifest.tsv", "run.json", "torn_read"]),
        Vec::<String>::new()
    );
}

// ---------------------------------------------------------------- symlinked outputs

#[test]
fn a_symlinked_output_keeps_its_targets_mode_and_confine_refuses_it() {
    let run = Run::good("faults-link");
    let outside = Scratch::new("faults-link-outside");
    let target = outside.path().join("latest.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&target, run.path("summary.json")).unwrap();
    // Confined: refused, naming the output and where it leads; the target stays.
    let output = run_bounded(fault_summary(run.dir(), &["--run-dir", ".", "--confine"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("summary.json: leads out of the run directory, to")
            && stderr.contains("latest.json"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    // Not confined: written through, as the reference's write_text does, the link kept
    // and the target's mode with it.
    let output = run_bounded(fault_summary(run.dir(), &["--run-dir", "."]));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(run.path("summary.json").is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().starts_with('{'));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    assert_eq!(
        strangers(outside.path(), &["latest.json"]),
        Vec::<String>::new()
    );
    // The harness under FAULT_CONFINE refuses a JUnit report linked out of the run.
    let junit = outside.path().join("junit.xml");
    std::fs::write(&junit, "old").unwrap();
    std::os::unix::fs::symlink(&junit, run.path("junit.xml")).unwrap();
    let mut command = fault_suite_command(run.dir());
    command
        .env("FAULT_CONFINE", "1")
        .env("FAULT_JUNIT", run.path("junit.xml"));
    let output = run_bounded(command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{stderr}");
    assert!(
        stderr.contains("junit.xml: leads out of the run directory, to")
            && stderr.contains("(FAULT_CONFINE)"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&junit).unwrap(), "old");
}

#[test]
fn a_dangling_symlinked_output_makes_no_folder_for_its_target() {
    let run = Run::good("faults-dangling");
    let outside = Scratch::new("faults-dangling-outside");
    let target = outside.path().join("no-such-dir").join("x.json");
    std::os::unix::fs::symlink(&target, run.path("summary.json")).unwrap();
    let output = run_bounded(fault_summary(run.dir(), &["--run-dir", "."]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // Both paths named: the output and its link's target.
    assert!(
        stderr.contains("summary.json: a symlink to") && stderr.contains("no-such-dir/x.json"),
        "{stderr}"
    );
    assert!(!outside.path().join("no-such-dir").exists());
}

// ---------------------------------------------------------------- logs still being written

/// The counters line of a good torn_read log cut in the middle of its first value:
/// `torn_read_events=99` where the whole line says 998.
const CUT: &str =
    "2026-03-05T12:00:42.002Z INFO cvmmap_streamer::metrics FAULT_COUNTERS torn_read_events=99";
/// The rest of [`CUT`]'s line.
const REST: &str = "8 sink_stall_events=0 reset_events=0\n";

#[test]
fn a_metric_line_without_a_line_end_is_said_by_both_faces() {
    let run = Run::good("faults-unended");
    let log = run.path("torn_read/streamer.log");
    let mut writer = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    writer.write_all(CUT.as_bytes()).unwrap();
    // The CLI reads the cut line as the reference does, and warns naming the log.
    let output = run_bounded(fault_summary(run.dir(), &["--run-dir", "."]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "torn_read/streamer.log: the last FAULT_COUNTERS line has no line end: the run may still be writing it"
        ),
        "{stderr}"
    );
    // The harness gives the check that judged it an error, not a failure.
    let config = Config::new(crate::support::utf8(run.dir()));
    let judged = run_in_process(&config, &[]);
    let name = judged
        .ran()
        .into_iter()
        .find(|name| name.ends_with("::torn_read::torn_read_events_min"))
        .expect("the counters test ran")
        .to_string();
    let message = judged.message(&name, "error");
    assert!(
        message.starts_with("the last FAULT_COUNTERS line of ")
            && message.contains("torn_read/streamer.log has no line end")
            && message.contains("the run may still be writing it"),
        "{message}"
    );
    // Once the line is whole, it passes and nothing is said.
    writer.write_all(REST.as_bytes()).unwrap();
    let judged = run_in_process(&config, &[]);
    assert_eq!(judged.get(&name).verdict, Verdict::Pass);
    let output = run_bounded(fault_summary(run.dir(), &["--run-dir", "."]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("no line end"), "{stderr}");
}

#[test]
fn a_log_appended_to_while_read_never_passes_or_fails_a_cut_line_silently() {
    // A writer thread appends counters lines in two writes each, so that a reader
    // often meets a line cut in the middle of its value; every whole line passes.
    let run = Run::good("faults-growing");
    let log = run.path("torn_read/streamer.log");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (log, stop) = (log.clone(), std::sync::Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new().append(true).open(log).unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                file.write_all(CUT.as_bytes()).unwrap();
                std::thread::sleep(Duration::from_micros(300));
                file.write_all(REST.as_bytes()).unwrap();
                std::thread::sleep(Duration::from_micros(700));
            }
        })
    };
    let config = Config::new(crate::support::utf8(run.dir()));
    let mut errors = 0;
    for _ in 0..40 {
        let judged = run_in_process(&config, &[]);
        let events = judged
            .finished
            .ran
            .iter()
            .find(|judged| judged.name.ends_with("::torn_read::torn_read_events_min"))
            .expect("the counters test ran");
        match &events.verdict {
            Verdict::Pass => {}
            Verdict::Error(message) => {
                assert!(message.contains("has no line end"), "{message}");
                errors += 1;
            }
            Verdict::Failure(message) => panic!("a cut line failed silently: {message}"),
        }
    }
    // The CLI keeps the reference's reading, but a summary that took a cut value warns.
    let mut warned = 0;
    for _ in 0..20 {
        let output = run_bounded(fault_summary(run.dir(), &["--run-dir", "."]));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let summary = std::fs::read_to_string(run.path("summary.json")).unwrap();
        let says_no_end =
            stderr.contains("torn_read/streamer.log: the last FAULT_COUNTERS line has no line end");
        let changed = stderr.contains("torn_read/streamer.log: the log ");
        if summary.contains("torn_read_events=99 < 200") {
            assert!(says_no_end, "a cut value taken silently: {stderr}");
        }
        warned += usize::from(says_no_end || changed);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().expect("writer thread");
    // Not asserted: how often a cut was met depends on the machine's timing.
    eprintln!(
        "growing log: {errors} of 40 harness runs met a cut line, {warned} of 20 CLI runs warned"
    );
}
