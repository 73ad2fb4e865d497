//! The manifest parser never panics; rows start on increasing lines within the
//! text; quote-free text reads as a plain split would; `read` agrees with `parse_str`.
#![no_main]

use fault_harness_fuzz::{oracles, scratch};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static FILE: OnceLock<std::path::PathBuf> = OnceLock::new();
    oracles::check_manifest(data, FILE.get_or_init(|| scratch("manifest.tsv")));
});
