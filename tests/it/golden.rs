//! Golden runs: each folder in `tests/fixtures/golden/` holds a run directory
//! covering one or more compatibility traps (its `CASE` file says which) and
//! `expected.json`, the bytes the reference wrote for it. Our output must equal
//! them. With `FAULT_REFERENCE` set, the reference is run too and must still
//! agree with the committed file; `BLESS=1` rewrites the files from it.

use crate::support::reference::reference;
use crate::support::runs::{drop_in_args, fault_summary};
use crate::support::{bless, first_difference, fixtures, Scratch};
use std::ffi::OsString;
use std::path::Path;

const STARTED: &str = "2026-03-05T12:00:00Z";
const FINISHED: &str = "2026-03-05T12:10:00Z";

/// Returns the mode a golden case is run in, from its `run.json`.
fn mode_of(case: &Path) -> String {
    let info = fault_harness::input::run_dir::read_run_json(&crate::support::utf8(case))
        .expect("readable run.json")
        .expect("golden cases carry run.json");
    info.mode.expect("golden run.json names a mode")
}

/// Returns the reference's flags for golden case `name`, writing to `output`.
fn args(name: &str, mode: &str, output: &Path) -> Vec<OsString> {
    drop_in_args(output, name, STARTED, FINISHED, mode)
}

fn cases() -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures("golden"))
        .expect("golden fixtures folder")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.join("expected.json").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn golden_set_is_not_empty() {
    // Fifteen and more cases cover DESIGN.md's trap list; a lost folder must not pass silently.
    assert!(cases().len() >= 15, "found {} golden cases", cases().len());
}

#[test]
fn our_bytes_equal_the_committed_reference_bytes() {
    let scratch = Scratch::new("golden");
    let reference = reference("rerunning the reference on the golden cases");
    let bless = bless();
    assert!(
        !bless || reference.is_some(),
        "BLESS=1 needs FAULT_REFERENCE"
    );
    let mut mismatches = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let mode = mode_of(&case);
        let expected_path = case.join("expected.json");
        if let Some(reference) = &reference {
            let out = scratch.path().join(format!("{name}.reference.json"));
            let ran = reference.run(&case, args(&name, &mode, &out));
            assert!(
                ran.status.success(),
                "{name}: reference failed: {}",
                String::from_utf8_lossy(&ran.stderr)
            );
            let fresh = std::fs::read(&out).expect("reference output");
            if bless {
                std::fs::write(&expected_path, &fresh).expect("write expected.json");
            } else {
                let committed = std::fs::read(&expected_path).expect("expected.json");
                assert!(
                    committed == fresh,
                    "{name}: expected.json is stale; rerun with BLESS=1"
                );
            }
        }
        let out = scratch.path().join(format!("{name}.ours.json"));
        let ran = fault_summary(&case, args(&name, &mode, &out));
        assert!(
            ran.status.success(),
            "{name}: fault-summary failed: {}",
            String::from_utf8_lossy(&ran.stderr)
        );
        let ours = std::fs::read(&out).expect("our output");
        let expected = std::fs::read(&expected_path).expect("expected.json");
        if ours != expected {
            mismatches.push(first_difference(&name, &expected, &ours));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} golden case(s) differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_printed_suite_gives_the_references_bytes_on_every_golden_run() {
    // The invariant of suites as data: the built-in table, printed and read back as a
    // file, judges and summarizes every run exactly as the reference does.
    let scratch = Scratch::new("golden-suite");
    let printed = fault_summary(scratch.path(), ["--print-suite"]);
    assert!(printed.status.success(), "--print-suite failed");
    let suite = scratch.path().join("fault-suite.json");
    std::fs::write(&suite, &printed.stdout).expect("write the printed suite");
    let mut mismatches = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out = scratch.path().join(format!("{name}.json"));
        let mut flags = args(&name, &mode_of(&case), &out);
        flags.extend([OsString::from("--suite"), suite.clone().into_os_string()]);
        let ran = fault_summary(&case, flags);
        assert!(
            ran.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&ran.stderr)
        );
        let ours = std::fs::read(&out).expect("our output");
        let expected = std::fs::read(case.join("expected.json")).expect("expected.json");
        if ours != expected {
            mismatches.push(first_difference(&name, &expected, &ours));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
