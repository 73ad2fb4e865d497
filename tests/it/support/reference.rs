//! The reference, `fault_summary_helper.py`, named by `FAULT_REFERENCE` and run
//! with python3 3.11; without either, the comparisons that need it are skipped
//! with a note, or fail under `FAULT_REQUIRE_TOOLS=1`.

use super::crate_root;
use super::tools::{python3, skip, Needs, Python};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The reference script and the python3 that runs it.
pub struct Reference {
    script: PathBuf,
    python: &'static Python,
}

/// Returns the reference named by `FAULT_REFERENCE` (made absolute) when it can run;
/// else skips `what` and returns `None`.
pub fn reference(what: &str) -> Option<Reference> {
    let Some(named) = std::env::var_os("FAULT_REFERENCE") else {
        skip("FAULT_REFERENCE is not set", what);
        return None;
    };
    let path = PathBuf::from(named);
    let script = if path.is_absolute() {
        path
    } else {
        crate_root().join(path)
    };
    assert!(
        script.is_file(),
        "FAULT_REFERENCE={} is not a file",
        script.display()
    );
    // The reference's bytes are those of Python 3.11 (the committed golden files too).
    let python = python3(Needs::Python311, what)?;
    Some(Reference { script, python })
}

impl Reference {
    /// Returns a command running the reference with `args` in `cwd`.
    pub fn command<I, S>(&self, cwd: &Path, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.python.command();
        command.arg(&self.script).args(args).current_dir(cwd);
        command
    }

    /// Runs the reference with `args` in `cwd`.
    pub fn run<I, S>(&self, cwd: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(cwd, args).output().unwrap_or_else(|err| {
            panic!(
                "python3 {} cannot run {}: {err}",
                self.python.version(),
                self.script.display()
            )
        })
    }
}
