//! The one test-support module: paths and scratch folders here; one file per
//! concern beside it. Two of its files are shared with other crates by path:
//! `rng.rs` and `tools.rs` with the crate's unit tests (`src/testing.rs`),
//! `oracles.rs` with the fuzz targets (`fuzz/src/lib.rs`).

pub mod harness;
pub mod junit;
pub mod logs;
pub mod oracles;
pub mod reference;
pub mod rng;
pub mod runs;
pub mod tools;
mod xsd;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Returns the crate's root folder.
pub fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Returns `tests/fixtures/<sub>`.
pub fn fixtures(sub: &str) -> PathBuf {
    crate_root().join("tests").join("fixtures").join(sub)
}

/// Returns the fixture run (or folder of runs) `name` under `tests/fixtures/runs/`.
pub fn fixture(name: &str) -> PathBuf {
    fixtures("runs").join(name)
}

/// A scratch folder of this process, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// Creates an empty scratch folder named after `label`, unique in this process.
    pub fn new(label: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "fault-harness-it-{}-{n}-{label}",
            std::process::id()
        ));
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

/// Returns true if and only if `BLESS=1`; any other value of `BLESS` is a mistake and panics.
pub fn bless() -> bool {
    match std::env::var("BLESS") {
        Err(std::env::VarError::NotPresent) => false,
        Ok(value) if value == "1" => true,
        Ok(value) => panic!("BLESS must be 1 or unset, not {value:?}"),
        Err(err) => panic!("BLESS is not usable: {err}"),
    }
}

/// Describes where two outputs first differ, by line.
pub fn first_difference(name: &str, expected: &[u8], ours: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let ours = String::from_utf8_lossy(ours);
    for (n, (a, b)) in expected.lines().zip(ours.lines()).enumerate() {
        if a != b {
            return format!("{name}: line {}: expected {a:?}, got {b:?}", n + 1);
        }
    }
    format!(
        "{name}: lengths differ ({} vs {} lines)",
        expected.lines().count(),
        ours.lines().count()
    )
}
