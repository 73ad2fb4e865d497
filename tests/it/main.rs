//! Integration tests of fault-harness, one binary (`cargo test --test it`);
//! each module is one concern.

// Committed golden runs: our summary.json bytes equal the reference's, also without it.
mod golden;
// Random runs mixing every compatibility trap, compared with the reference itself.
mod differential;
// The fault-summary command line: defaults from the run directory, exit status, usage.
mod cli;
// Shared helpers: paths, temporary folders, running the binaries.
mod util;
// The `cargo test` harness over fixture runs: in process, as a real subprocess,
// and through the nextest and RustRover (JSON) protocols.
mod harness;
// JUnit reports of the harness and of `fault-summary --junit`, validated with xmllint.
mod junit;
// Helpers of the two modules above: fixture runs, in-process runs, the fault_suite binary.
mod harness_support;
// Hostile and broken runs: a corpus of bad inputs, each with its expected behaviour.
mod hostile;
// The fuzz targets' oracles: saved crashers replayed, and property tests of the scanner.
mod fuzzing;
