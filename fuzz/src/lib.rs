//! Oracles of the fuzz targets; the targets themselves are in `fuzz_targets/`.
#![forbid(unsafe_code)]

// The oracles are the crate's test support, which `cargo test` builds and
// lints on every run; this rarely built package borrows the file, so the
// tests need no path into `fuzz/`.
#[path = "../../tests/it/support/oracles.rs"]
pub mod oracles;

use std::path::PathBuf;

/// Returns a scratch path of this process for `name`, in memory where `/dev/shm` exists.
pub fn scratch(name: &str) -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("fault-harness-fuzz-{}-{name}", std::process::id()))
}
