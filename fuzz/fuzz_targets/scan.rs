//! The backward log scanner, read in blocks of 1 to 64 bytes, finds the same
//! last lines, pairs, previews and line numbers as a naive forward scan.
#![no_main]

use fault_harness_fuzz::{oracles, scratch};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static FILE: OnceLock<std::path::PathBuf> = OnceLock::new();
    oracles::check_scan(data, FILE.get_or_init(|| scratch("scan.log")));
});
