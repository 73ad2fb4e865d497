//! Integration tests of fault-harness, one binary; each module is one concern.

// Committed golden runs: our summary.json bytes equal the reference's, also without it.
#[path = "it/golden.rs"]
mod golden;
// Random runs mixing every compatibility trap, compared with the reference itself.
#[path = "it/differential.rs"]
mod differential;
// The fault-summary command line: defaults from the run directory, exit status, usage.
#[path = "it/cli.rs"]
mod cli;
// Shared helpers: paths, temporary folders, running the binaries.
#[path = "it/util.rs"]
mod util;
// The `cargo test` harness over fixture runs: in process, as a real subprocess,
// and through the nextest and RustRover (JSON) protocols.
#[path = "it/harness.rs"]
mod harness;
// JUnit reports of the harness and of `fault-summary --junit`, validated with xmllint.
#[path = "it/junit.rs"]
mod junit;
// Helpers of the two modules above: fixture runs, in-process runs, the fault_suite binary.
#[path = "it/harness_support.rs"]
mod harness_support;
// Hostile and broken runs: a corpus of bad inputs, each with its expected behaviour.
#[path = "it/hostile.rs"]
mod hostile;
// The fuzz targets' oracles: saved crashers replayed, and property tests of the scanner.
#[path = "it/fuzzing.rs"]
mod fuzzing;
