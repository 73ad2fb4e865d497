//! The harness under test: run in this process with libtest-mimic arguments,
//! or as the real `fault_suite` test binary.

use super::{crate_root, Scratch};
use fault_harness::eval::model::Verdict;
use fault_harness::harness::{self, Arguments, Config, Finished};
use fault_harness::report::cases::Judged;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// A harness run in this process: what it did and what it printed.
pub struct InProcess {
    pub finished: Finished,
    /// What libtest-mimic printed (sent to a log file so that it can be read back).
    pub stdout: String,
}

impl InProcess {
    /// Returns the names of the tests that failed, sorted.
    pub fn failed(&self) -> Vec<&str> {
        self.finished
            .ran
            .iter()
            .filter(|judged| judged.verdict != Verdict::Pass)
            .map(|judged| judged.name.as_str())
            .collect()
    }

    /// Returns the names of the tests that ran, sorted.
    pub fn ran(&self) -> Vec<&str> {
        self.finished
            .ran
            .iter()
            .map(|judged| judged.name.as_str())
            .collect()
    }

    /// Returns the judged test `name`, which must have run.
    pub fn get(&self, name: &str) -> &Judged {
        self.finished
            .ran
            .iter()
            .find(|judged| judged.name == name)
            .unwrap_or_else(|| panic!("{name} did not run; ran: {:?}", self.ran()))
    }

    /// Returns the message of test `name`, which must have failed with `kind` ("failure" or "error").
    pub fn message(&self, name: &str, kind: &str) -> &str {
        match (&self.get(name).verdict, kind) {
            (Verdict::Failure(message), "failure") | (Verdict::Error(message), "error") => message,
            (other, _) => panic!("{name}: expected {kind}, got {other:?}"),
        }
    }
}

/// Runs the harness in this process over `config` with the harness arguments `args`.
pub fn run_in_process(config: &Config, args: &[&str]) -> InProcess {
    let scratch = Scratch::new("in-process");
    let log = scratch.path().join("harness.out");
    let mut argv = vec![
        "fault_suite".to_string(),
        "--logfile".to_string(),
        log.display().to_string(),
    ];
    argv.extend(args.iter().map(|arg| arg.to_string()));
    let finished = harness::execute(config, &Arguments::from_iter(argv));
    let stdout = std::fs::read_to_string(&log).unwrap_or_default();
    InProcess { finished, stdout }
}

/// Returns the real `fault_suite` test binary: the newest one beside this test binary if it is newer than the library, else one built with cargo.
pub fn fault_suite() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| beside_this_test().unwrap_or_else(build_fault_suite))
}

/// Returns the newest file in `deps` named `<prefix><hex hash><suffix>`, with its modification time.
fn newest(deps: &Path, prefix: &str, suffix: &str) -> Option<(SystemTime, PathBuf)> {
    std::fs::read_dir(deps)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .is_some_and(|hash| !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .filter_map(|entry| {
            let meta = entry.metadata().ok()?;
            let executable =
                meta.is_file() && (suffix == ".rlib" || meta.permissions().mode() & 0o111 != 0);
            Some((meta.modified().ok()?, entry.path())).filter(|_| executable)
        })
        .max()
}

/// Finds the `fault_suite-<hash>` executable in this test binary's folder (`target/<profile>/deps`), if it was linked after the newest library build.
fn beside_this_test() -> Option<PathBuf> {
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let (linked, binary) = newest(&deps, "fault_suite-", "")?;
    match newest(&deps, "libfault_harness-", ".rlib") {
        Some((built, _)) if built > linked => None,
        _ => Some(binary),
    }
}

/// Builds the `fault_suite` test target with cargo and returns its executable (only when `cargo test --test it` ran alone).
fn build_fault_suite() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "test",
            "--no-run",
            "--test",
            "fault_suite",
            "--message-format=json",
        ])
        .current_dir(crate_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "fault_suite")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported no fault_suite executable")
}

/// Returns a command running the real `fault_suite` binary over `runs`, isolated from the caller's FAULT_* and nextest variables.
pub fn fault_suite_command(runs: &Path) -> Command {
    let mut command = Command::new(fault_suite());
    command
        .current_dir(crate_root())
        .env("FAULT_RUN_DIR", runs)
        .env_remove("FAULT_MODE")
        .env_remove("FAULT_JUNIT")
        .env_remove("FAULT_HTML")
        .env_remove("FAULT_MARKDOWN")
        .env_remove("NEXTEST_EXECUTION_MODE")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    command
}
