//! Integration tests of fault-harness, one binary (`cargo test --test it`);
//! each module is one concern.

// Committed golden runs: our summary.json bytes equal the reference's, also without it.
mod golden;
// Random runs mixing every compatibility trap, compared with the reference itself.
mod differential;
// The fault-summary command line: defaults from the run directory, exit status, usage.
mod cli;
// The `cargo test` harness over fixture runs: in process, as a real subprocess,
// and through the nextest and RustRover (JSON) protocols.
mod harness;
// What a user sees: each failure once, messages that point the right way, result lines.
mod messages;
// Suites as data: scenarios, tokens and limits from fault-suite.json; bad suites.
mod suites;
// History: runs judged against the runs before them, as _regression tests.
mod history;
// One plan for every face: the command and the harness agree; setup tells one truth.
mod plan;
// The tests in editors: the `#[test]` stubs through rust-analyzer over LSP (nodes,
// runnables run through cargo) and the JSON events RustRover reads.
mod editors;
// JUnit reports of the harness and of `fault-summary --junit`, checked against Jenkins' schema.
mod junit;
// The HTML report and the Markdown summary: their content, self-containment, escaping,
// decimation, both faces, and headless Chromium's rendering of them.
mod reports;
// Hostile and broken runs: a corpus of bad inputs, each with its expected behaviour.
mod hostile;
// Faults around the tools: broken pipes, no threads, kills and size limits while
// writing, symlinked outputs, logs still being written.
mod faults;
// Logs from logging stacks (JSON, ANSI, logfmt, units, CRI): `"logs": "auto"` on both faces.
mod stacks;
// The log tail scanner against a naive forward scan and against python3, on hand-made and random logs.
mod scan;
// The fuzz targets' oracles: saved crashers replayed, and property tests of the scanner.
mod fuzzing;
// The architecture: each stage of src/ uses only the stages before it; renderers do no I/O.
mod layout;
// The README holds together: its contents list and its links to its own headings.
mod readme;
// The one test-support module: paths, scratch folders, run builders, the harness and
// binaries, python3 and the reference, JUnit schema checks, the RNG and the oracles.
mod support;
