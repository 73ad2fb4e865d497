//! The `fault-summary` command line: `--run-dir` alone, `run.json` defaults,
//! the exit status, usage errors and where relative evidence paths resolve.

use crate::support::runs::{copy_run, drop_in_args, fault_summary};
use crate::support::{crate_root, fixtures, Scratch};
use std::process::Command;

/// Returns the bundled sample run.
fn sample_run() -> std::path::PathBuf {
    crate_root().join("fault-runs").join("nightly-0305")
}

#[test]
fn run_dir_alone_equals_the_explicit_flags_from_run_json() {
    let scratch = Scratch::new("cli-run-dir");
    let run = scratch.path().join("nightly-0305");
    copy_run(&sample_run(), &run);
    let _ = std::fs::remove_file(run.join("summary.json"));

    let alone = fault_summary(&run, ["--run-dir", "."]);
    assert_eq!(
        alone.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let written = std::fs::read(run.join("summary.json")).expect("summary.json in the run dir");

    // The sample's run.json: run_id nightly-0305, mode degraded, and these times.
    let args = drop_in_args(
        "explicit.json",
        "nightly-0305",
        "2026-03-05T12:00:00Z",
        "2026-03-05T12:06:10Z",
        "degraded",
    );
    let flags = fault_summary(&run, &args);
    assert_eq!(flags.status.code(), Some(0));
    assert_eq!(written, std::fs::read(run.join("explicit.json")).unwrap());
    assert!(String::from_utf8_lossy(&written).contains("\"all_pass\": true"));
}

#[test]
fn run_id_falls_back_to_the_folder_name_and_times_to_empty() {
    let scratch = Scratch::new("cli-fallback");
    let run = scratch.path().join("night-7");
    copy_run(&sample_run(), &run);
    std::fs::write(run.join("run.json"), "{\"mode\": \"baseline\"}\n").unwrap();
    let out = fault_summary(scratch.path(), ["--run-dir", "night-7"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(text.contains("\"mode\": \"baseline\""), "{text}");
    assert!(text.contains("\"run_id\": \"night-7\""), "{text}");
    assert!(text.contains("\"run_dir\": \"night-7\""), "{text}");
    assert!(text.contains("\"started_at\": \"\""), "{text}");
}

#[test]
fn a_mode_found_nowhere_is_an_error_and_writes_nothing() {
    let scratch = Scratch::new("cli-no-mode");
    let run = scratch.path().join("run");
    copy_run(&sample_run(), &run);
    std::fs::remove_file(run.join("run.json")).unwrap();
    let out = fault_summary(&run, ["--run-dir", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no mode for the thresholds"), "{stderr}");
    assert!(stderr.contains("set FAULT_MODE"), "{stderr}");
    assert!(!run.join("summary.json").exists());
}

/// Runs fault-summary in `run` with `args` and FAULT_MODE set to `mode`.
fn with_fault_mode(run: &std::path::Path, args: &[&str], mode: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fault-summary"))
        .current_dir(run)
        .args(args)
        .env("FAULT_MODE", mode)
        .output()
        .expect("run fault-summary")
}

#[test]
fn fault_mode_gives_the_mode_when_no_flag_does() {
    let scratch = Scratch::new("cli-fault-mode");
    let run = scratch.path().join("run");
    copy_run(&sample_run(), &run);
    std::fs::remove_file(run.join("run.json")).unwrap();
    let out = with_fault_mode(&run, &["--run-dir", "."], "baseline");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(text.contains("\"mode\": \"baseline\""), "{text}");
    // --mode wins over FAULT_MODE; a FAULT_MODE that names no mode is refused.
    let out = with_fault_mode(&run, &["--run-dir", ".", "--mode", "degraded"], "fastest");
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(text.contains("\"mode\": \"degraded\""), "{text}");
    let out = with_fault_mode(&run, &["--run-dir", "."], "fastest");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("FAULT_MODE=\"fastest\""), "{stderr}");
}

#[test]
fn a_missing_run_directory_is_named_as_missing() {
    let scratch = Scratch::new("cli-missing-run");
    let out = fault_summary(scratch.path(), ["--run-dir", "no-such-run"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-run: no such run directory"),
        "{stderr}"
    );
}

#[test]
fn exit_status_follows_the_summary_only_when_asked() {
    let scratch = Scratch::new("cli-exit");
    let run = scratch.path().join("failing");
    copy_run(&fixtures("runs").join("failing-thresholds"), &run);
    let plain = fault_summary(&run, ["--run-dir", "."]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "the reference exits 0 once it has written"
    );
    let text = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(text.contains("\"recommended_exit_code\": 1"), "{text}");
    let asked = fault_summary(&run, ["--run-dir", ".", "--exit-code"]);
    assert_eq!(asked.status.code(), Some(1));
    let passing = fault_summary(
        &sample_run(),
        [
            "--run-dir",
            ".",
            "--exit-code",
            "--output",
            &scratch.path().join("p.json").display().to_string(),
        ],
    );
    assert_eq!(passing.status.code(), Some(0));
}

#[test]
fn usage_errors_exit_2_with_usage() {
    let cwd = crate_root();
    for args in [
        vec![],
        vec!["--mode", "fast", "--run-dir", "."],
        vec!["--run-dir"],
        vec!["--bogus", "x"],
    ] {
        let out = fault_summary(cwd, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("usage: fault-summary"),
            "{args:?}: {stderr}"
        );
    }
    let help = fault_summary(cwd, ["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--exit-code"));
}

#[test]
fn inline_values_and_abbreviations_give_the_same_bytes() {
    let scratch = Scratch::new("cli-inline");
    let run = sample_run();
    let a = scratch.path().join("a.json");
    let b = scratch.path().join("b.json");
    let args = drop_in_args(&a, "r", "s", "f", "degraded");
    assert_eq!(fault_summary(&run, &args).status.code(), Some(0));
    let inline = [
        "--manifest=manifest.tsv".to_string(),
        format!("--out={}", b.display()),
        "--run-i=r".into(),
        "--run-d=.".into(),
        "--start=s".into(),
        "--fin=f".into(),
        "--mode=degraded".into(),
    ];
    assert_eq!(fault_summary(&run, &inline).status.code(), Some(0));
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn relative_evidence_resolves_beside_the_manifest_first() {
    // Run from the crate root with the sample's manifest: its evidence paths
    // (torn_read/streamer.log, ...) exist only beside the manifest.
    let scratch = Scratch::new("cli-resolve");
    let out_path = scratch.path().join("s.json");
    let manifest = sample_run().join("manifest.tsv");
    let out = fault_summary(
        crate_root(),
        [
            "--manifest",
            &manifest.display().to_string(),
            "--output",
            &out_path.display().to_string(),
            "--run-id",
            "x",
            "--run-dir",
            "x",
            "--started-at",
            "a",
            "--finished-at",
            "b",
            "--mode",
            "degraded",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(out_path).unwrap();
    assert!(
        text.contains("\"all_pass\": true"),
        "metrics were not found beside the manifest"
    );
}
