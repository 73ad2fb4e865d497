//! Turns a fault-injection suite's run directory into test results.
//!
//! Data flows one way: run dir → manifest → evidence (log tail scan) →
//! metrics → checks → report, and the report is rendered as a
//! `summary.json` byte-compatible with the team's Python helper, as
//! libtest-mimic trials, as JUnit XML, or as pages people read: a
//! self-contained HTML report and a Markdown summary for CI pages.
//!
//! # Running a run's checks as tests
//!
//! Another crate runs the harness from a test target of its own, declared in
//! its `Cargo.toml` as `[[test]] name = "fault_suite" harness = false`, whose
//! `tests/fault_suite.rs` hands over to [`harness::main`] with the folder of
//! runs to use when `FAULT_RUN_DIR` is unset:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     fault_harness::harness::main("fault-runs")
//! }
//! ```
//!
//! `cargo test --test fault_suite` then lists and judges one test per check,
//! named `<run>::<scenario>::<metric>_<min|max>`; `FAULT_RUN_DIR`, `FAULT_MODE`
//! and `FAULT_JUNIT` pick the runs, override the mode and ask for a JUnit
//! report. The same run, in process and with explicit arguments:
//!
//! ```
//! use fault_harness::harness::{self, Arguments, Config};
//!
//! let config = Config::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fault-runs/nightly-0305"));
//! let finished = harness::execute(&config, &Arguments::from_iter(["fault_suite", "--quiet"]));
//! assert!(!finished.conclusion.has_failed());
//! assert_eq!(finished.ran.len(), 19);
//! assert!(finished.ran.iter().any(|test| test.name == "nightly_0305::torn_read::p99_us_max"));
//! ```
// Denied, not forbidden: `fs::sys` holds the few system calls std does not offer
// (`linkat` with AT_SYMLINK_FOLLOW, signal dispositions), each with a SAFETY note.
#![deny(unsafe_code)]

// Safe opening of run files relies on Unix file types and `O_NONBLOCK`.
#[cfg(not(unix))]
compile_error!("fault-harness supports Unix-like systems only");

pub mod eval;
pub mod fs;
pub mod harness;
pub mod input;
pub mod plan;
pub mod publish;
pub(crate) use scan::py;
pub mod report;
pub use scan;
pub mod stubs;
// The unit tests' support: one file, the scanner's (its `hex` and code-point helpers
// serve only the scanner's tests).
#[cfg(test)]
#[allow(dead_code)]
#[path = "scan/testing.rs"]
mod testing;
pub use scan::timestamp;
