//! Integration tests of fault-harness, one binary; each module is one concern.

// Committed golden runs: our summary.json bytes equal the reference's, also without it.
#[path = "it/golden.rs"]
mod golden;
// Random runs mixing every compatibility trap, compared with the reference itself.
#[path = "it/differential.rs"]
mod differential;
// Shared helpers: paths, temporary folders, running the binaries.
#[path = "it/util.rs"]
mod util;
