//! Helpers shared by the integration tests: fixture paths, scratch folders, the binaries.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Returns the crate's root folder.
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Returns `tests/fixtures/<sub>`.
pub fn fixtures(sub: &str) -> PathBuf {
    crate_root().join("tests").join("fixtures").join(sub)
}

/// A scratch folder removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Creates an empty scratch folder named after `label`.
    pub fn new(label: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("fault-harness-it-{}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch folder");
        Scratch(dir)
    }

    /// Returns the folder's path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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

/// Returns the reference script named by `FAULT_REFERENCE`, made absolute, if set.
pub fn reference() -> Option<PathBuf> {
    let named = std::env::var_os("FAULT_REFERENCE")?;
    let path = PathBuf::from(named);
    let path = if path.is_absolute() {
        path
    } else {
        crate_root().join(path)
    };
    assert!(
        path.is_file(),
        "FAULT_REFERENCE={} is not a file",
        path.display()
    );
    Some(path)
}

/// Runs the reference script with `args` in `cwd`.
pub fn run_reference<I, S>(script: &Path, cwd: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new("python3")
        .arg(script)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run python3 with the reference script")
}

/// Returns true if and only if `BLESS=1`; any other value of `BLESS` is a mistake and panics.
pub fn bless() -> bool {
    match std::env::var("BLESS") {
        Err(std::env::VarError::NotPresent) => false,
        Ok(value) if value == "1" => true,
        Ok(value) => panic!("BLESS must be 1 or unset, not {value:?}"),
        Err(err) => panic!("BLESS is not usable: {err}"),
    }
}

/// Returns `path` as a UTF-8 path; test paths always are.
pub fn utf8(path: impl AsRef<Path>) -> camino::Utf8PathBuf {
    camino::Utf8PathBuf::from_path_buf(path.as_ref().to_path_buf()).expect("test paths are UTF-8")
}
