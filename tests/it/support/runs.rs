//! Run directories built for a test (a good run to break, a copy of a fixture),
//! and `fault-summary` run over them with the reference's flags and a deadline.

use super::Scratch;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The manifest header, all thirteen columns the reference reads.
pub const HEADER: &str = "order\tscenario_id\tname\tstatus\treason\tduration_ms\tsim_rc\tstreamer_rc\ttester_rc\tsim_log\tstreamer_log\ttester_log\tsdp_path\n";

/// The three scenarios of a good run.
pub const SCENARIOS: [&str; 3] = ["torn_read", "sink_stall", "reset_storm"];

/// The content of a `summary.json` from an earlier run.
pub const STALE: &str = "{\"stale\": true}\n";

/// No child may take longer than this: a hang fails the test instead of stalling CI.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Returns a manifest row of scenario `id` at `order` whose streamer log is `log`.
pub fn row(order: &str, id: &str, log: &str) -> String {
    format!("{order}\t{id}\t{id} fault\tPASS\t\t1200\t0\t0\t0\t{id}/sim.log\t{log}\t{id}/tester.log\t{id}/stream.sdp\n")
}

/// Returns a passing streamer log (degraded mode) for scenario `id`.
pub fn good_log(id: &str) -> String {
    let counters = match id {
        "torn_read" => "torn_read_events=998 sink_stall_events=0 reset_events=0",
        "sink_stall" => "torn_read_events=0 sink_stall_events=310 reset_events=0",
        _ => "torn_read_events=0 sink_stall_events=0 reset_events=25",
    };
    format!(
        "2026-03-05T12:00:40.000Z INFO cvmmap_streamer starting\n\
         2026-03-05T12:00:41.001Z INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us=412 p95_us=1380 p99_us=1744 max_us=5120 ingest_to_emit_samples=2997 drop_ratio_ppm=1200\n\
         2026-03-05T12:00:41.002Z INFO cvmmap_streamer::metrics FAULT_COUNTERS {counters}\n\
         2026-03-05T12:00:41.003Z INFO cvmmap_streamer::metrics RTP_METRICS packets=9000 bytes=11700000\n"
    )
}

/// A run directory in a scratch folder, good unless a test breaks it.
pub struct Run {
    scratch: Scratch,
}

impl Run {
    /// Creates an empty run folder, for a test to fill.
    pub fn empty(label: &str) -> Run {
        Run {
            scratch: Scratch::new(&format!("run-{label}")),
        }
    }

    /// Creates a good run: a manifest of the three scenarios, their logs and a `run.json`.
    pub fn good(label: &str) -> Run {
        let run = Run {
            scratch: Scratch::new(&format!("run-{label}")),
        };
        let mut manifest = String::from(HEADER);
        for (i, id) in SCENARIOS.iter().enumerate() {
            manifest.push_str(&row(
                &(i + 1).to_string(),
                id,
                &format!("{id}/streamer.log"),
            ));
            run.write(&format!("{id}/streamer.log"), good_log(id));
        }
        run.write("manifest.tsv", manifest);
        run.write(
            "run.json",
            r#"{"run_id": "hostile", "mode": "degraded", "started_at": "t0", "finished_at": "t1"}"#,
        );
        run
    }

    /// Returns the first part of this run's test names: its folder's name as the name
    /// rules make it an identifier (`run-h-order` is `run_h_order`).
    pub fn test_name(&self) -> String {
        let name = fault_harness::input::run_dir::run_name(&crate::support::utf8(self.dir()));
        fault_harness::eval::case::sanitize(&name)
    }

    /// Returns the run directory.
    pub fn dir(&self) -> &Path {
        self.scratch.path()
    }

    /// Returns `rel` inside the run directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// Writes `contents` to `rel`, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folder");
        std::fs::write(path, contents).expect("write scratch file");
    }

    /// Replaces `rel` (a file or folder) by nothing.
    pub fn remove(&self, rel: &str) {
        let path = self.path(rel);
        if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(path).expect("remove folder");
        } else {
            std::fs::remove_file(path).expect("remove file");
        }
    }

    /// Rewrites the manifest with the torn_read row's streamer log named `log`.
    pub fn torn_read_log_named(&self, log: impl AsRef<[u8]>) {
        let mut manifest = HEADER.as_bytes().to_vec();
        manifest.extend_from_slice(
            b"1\ttorn_read\ttorn_read fault\tPASS\t\t1200\t0\t0\t0\ttorn_read/sim.log\t",
        );
        manifest.extend_from_slice(log.as_ref());
        manifest.extend_from_slice(b"\ttorn_read/tester.log\ttorn_read/stream.sdp\n");
        manifest.extend_from_slice(row("2", "sink_stall", "sink_stall/streamer.log").as_bytes());
        manifest.extend_from_slice(row("3", "reset_storm", "reset_storm/streamer.log").as_bytes());
        self.write("manifest.tsv", manifest);
    }

    /// Puts a stale `summary.json` in place, to show that a failed run leaves it alone.
    pub fn stale_summary(&self) {
        self.write("summary.json", STALE);
    }
}

/// Copies a run directory (two levels deep, as the fixtures are) into `to`.
pub fn copy_run(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_run(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Returns the reference's seven flags for the run directory `.` (the current one).
pub fn drop_in_args(
    output: impl AsRef<OsStr>,
    run_id: impl AsRef<OsStr>,
    started: &str,
    finished: &str,
    mode: &str,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["--manifest".into(), "manifest.tsv".into()];
    args.extend(["--output".into(), output.as_ref().to_owned()]);
    args.extend(["--run-id".into(), run_id.as_ref().to_owned()]);
    args.extend(["--run-dir", ".", "--started-at", started].map(OsString::from));
    args.extend(["--finished-at", finished, "--mode", mode].map(OsString::from));
    args
}

/// Runs `fault-summary` with `args` in `cwd`.
pub fn fault_summary<I, S>(cwd: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_fault-summary"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run fault-summary")
}

/// Runs `fault-summary --run-dir RUN --html report.html --markdown summary.md --quiet`
/// in `cwd`, which must succeed, and returns the HTML page and the Markdown summary it
/// wrote there.
pub fn pages_in(cwd: &Path, run: &str) -> (String, String) {
    let output = fault_summary(
        cwd,
        [
            "--run-dir",
            run,
            "--html",
            "report.html",
            "--markdown",
            "summary.md",
            "--quiet",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read = |file: &str| std::fs::read_to_string(cwd.join(file)).unwrap();
    (read("report.html"), read("summary.md"))
}

/// Runs `command` to completion with a deadline, failing the test if it hangs.
pub fn run_bounded(mut command: Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child");
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let status = wait_bounded(child, &format!("{command:?}"));
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Waits for `child` (`what` names it) with the deadline, failing the test if it hangs.
pub fn wait_bounded(mut child: Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            return status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} hung for {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
