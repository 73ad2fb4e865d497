//! The one test-support module: paths, `BLESS` and output comparison here; one
//! file per concern beside it. Some of its files are shared with other crates
//! by path: `rng.rs`, `scratch.rs` and `tools.rs` with the crate's unit tests
//! (`src/scan/testing.rs`), `oracles.rs` with the fuzz targets (`fuzz/src/lib.rs`).

pub mod chromium;
pub mod harness;
pub mod junit;
pub mod logs;
pub mod oracles;
pub mod png;
pub mod property;
pub mod reference;
pub mod rng;
pub mod runs;
mod scratch;
pub mod tools;
mod xsd;

pub use scratch::Scratch;

use std::path::{Path, PathBuf};

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

/// Returns `path` as a UTF-8 path; test paths always are.
pub fn utf8(path: impl AsRef<Path>) -> camino::Utf8PathBuf {
    camino::Utf8PathBuf::from_path_buf(path.as_ref().to_path_buf()).expect("test paths are UTF-8")
}
