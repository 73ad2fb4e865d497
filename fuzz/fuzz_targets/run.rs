//! Whole runs (flags, a manifest, a log) evaluate and render without panicking,
//! into a summary whose counts, verdicts and located lines hold together.
#![no_main]

use fault_harness_fuzz::{oracles, scratch};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    oracles::check_run(data, DIR.get_or_init(|| scratch("run")));
});
