//! Outside tools some checks need (python3, the reference, xmllint): a test
//! whose tool is missing says what it skipped and why, and
//! `FAULT_REQUIRE_TOOLS=1` (what CI sets) turns every such skip into a failure.
//!
//! Shared by the integration tests and the crate's unit tests
//! (`src/scan/testing.rs` includes this file), so it uses `std` only.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Write};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Returns true if and only if `FAULT_REQUIRE_TOOLS=1`: a missing tool then fails its test.
pub fn tools_required() -> bool {
    match std::env::var("FAULT_REQUIRE_TOOLS") {
        Err(std::env::VarError::NotPresent) => false,
        Ok(value) if value == "1" => true,
        Ok(value) if value.is_empty() || value == "0" => false,
        Ok(value) => panic!("FAULT_REQUIRE_TOOLS must be 1, 0 or unset, not {value:?}"),
        Err(err) => panic!("FAULT_REQUIRE_TOOLS is not usable: {err}"),
    }
}

/// Skips `what` because of `reason`: a failure under `FAULT_REQUIRE_TOOLS=1`, else a note.
pub fn skip(reason: &str, what: &str) {
    assert!(
        !tools_required(),
        "{reason}, and FAULT_REQUIRE_TOOLS=1 forbids skipping {what}"
    );
    note(&format!("note: {reason}; skipped {what}"));
}

/// Prints `line` once per process to stderr itself, past libtest's capture, so that a
/// plain `cargo test` shows what was skipped.
pub fn note(line: &str) {
    static SHOWN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let first = SHOWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(line.to_owned());
    if first {
        let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
    }
}

/// Returns why `program` cannot run (`--version` probes it), or `None` when it can.
pub fn missing(program: &str) -> Option<String> {
    match Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!("{program} --version failed ({})", output.status)),
        Err(err) if err.kind() == ErrorKind::NotFound => Some(format!("{program} not found")),
        Err(err) => Some(format!("{program} not runnable ({err})")),
    }
}

/// The Python a check needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Any Python 3: what the check compares is the same in every 3.x.
    AnyPython3,
    /// Python 3.11, the reference's: its Unicode 14 tables, and `int()`'s messages and limits.
    Python311,
}

/// The `python3` on `PATH`, probed once.
#[derive(Debug)]
pub struct Python {
    /// Its version, such as `3.11.7`.
    version: String,
    /// Its minor version (the major one is 3).
    minor: u32,
}

/// Returns python3 when it runs and is the one `needs` asks for; else skips `what`
/// (a note, or a failure under `FAULT_REQUIRE_TOOLS=1`) and returns `None`.
pub fn python3(needs: Needs, what: &str) -> Option<&'static Python> {
    static FOUND: OnceLock<Result<Python, String>> = OnceLock::new();
    match FOUND.get_or_init(probe_python3) {
        Err(reason) => {
            skip(reason, what);
            None
        }
        Ok(python) if needs == Needs::Python311 && python.minor != 11 => {
            let reason = format!(
                "python3 is Python {}, not 3.11 (the reference's)",
                python.version
            );
            skip(&reason, what);
            None
        }
        Ok(python) => Some(python),
    }
}

/// Runs `python3` to learn its version.
fn probe_python3() -> Result<Python, String> {
    let output = Command::new("python3")
        .args([
            "-I",
            "-c",
            "import sys; print('%d.%d.%d' % sys.version_info[:3])",
        ])
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == ErrorKind::NotFound => return Err("python3 not found".into()),
        Err(err) => return Err(format!("python3 not runnable ({err})")),
    };
    if !output.status.success() {
        return Err(format!(
            "python3 not runnable ({}: {})",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let mut parts = version.split('.').map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(3)), Some(Ok(minor))) => Ok(Python { version, minor }),
        _ => Err(format!("python3 is Python {version:?}, not Python 3")),
    }
}

impl Python {
    /// Returns its version, such as `3.11.7`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Returns a command running this python3.
    pub fn command(&self) -> Command {
        Command::new("python3")
    }

    /// Runs `script` in isolated mode with `input` on stdin and returns its stdout;
    /// panics when the script fails.
    pub fn run(&self, script: &str, input: &str) -> String {
        let mut child = self
            .command()
            .args(["-I", "-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 ran a moment ago");
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = input.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().expect("wait for python3");
        assert!(
            output.status.success(),
            "python3 {} failed ({}): {}",
            self.version,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            matches!(writer.join(), Ok(Ok(()))),
            "writing to python3 failed"
        );
        String::from_utf8(output.stdout).expect("python3 printed UTF-8")
    }
}
