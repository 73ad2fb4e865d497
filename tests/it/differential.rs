//! Differential test: random run directories mixing every compatibility trap,
//! summarized by the reference and by `fault-summary`; where the reference
//! exits 0 the bytes must be equal, and where it crashes we must neither panic
//! nor leave an output file behind a failure.
//!
//! Run it with `FAULT_REFERENCE=path/to/fault_summary_helper.py cargo test
//! --test it differential -- --ignored`; `FAULT_DIFF_RUNS` sets the count
//! (default 300) and `FAULT_DIFF_SEED` the first seed.

use crate::support::first_difference;
use crate::support::reference::reference;
use crate::support::rng::Rng;
use crate::support::runs::{drop_in_args, fault_summary};
use crate::support::Scratch;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const SCENARIOS: [&str; 5] = [
    "torn_read",
    "sink_stall",
    "reset_storm",
    "latency_spike",
    "",
];
const TOKENS: [&str; 4] = [
    "PIPELINE_METRICS",
    "LATENCY_METRICS",
    "FAULT_COUNTERS",
    "RTP_METRICS",
];
const CHECKED: [&str; 8] = [
    "p50_us",
    "p95_us",
    "p99_us",
    "ingest_to_emit_samples",
    "drop_ratio_ppm",
    "torn_read_events",
    "sink_stall_events",
    "reset_events",
];
const OTHER_KEYS: [&str; 6] = ["frames_in", "max_us", "ssrc", "a", "A_9", "x"];
const SEPARATORS: [&[u8]; 7] = [
    b" ",
    b" ",
    b"  ",
    b"\t",
    b"\x1f",
    b"\xc2\xa0",
    b"\xe3\x80\x80",
];

/// Returns a value that Python's `int()` accepts, in one of its many spellings.
fn int_text(rng: &mut Rng) -> String {
    let n = rng.below(3000);
    match rng.below(14) {
        0 => format!("00{n}"),
        1 => format!("+{n}"),
        2 => format!("-{n}"),
        3 => format!(" {n} "),
        4 => format!("{}_{:03}", n / 1000 + 1, n % 1000),
        5 => "\u{0663}\u{0660}\u{0660}".to_string(),
        6 => "99999999999999999999999".to_string(),
        7 => format!("{n}.75"),
        8 => format!("-{n}.5"),
        9 => "\u{2003}7\u{2003}".to_string(),
        _ => n.to_string(),
    }
}

/// Returns a manifest field for an integer column, sometimes one that `int()` rejects.
fn int_field(rng: &mut Rng, small: bool) -> String {
    if rng.chance(12) {
        return rng
            .pick(&["", "x", "1__0", "0x1", "1.0", "_1", "٣x"])
            .to_string();
    }
    if small && rng.chance(70) {
        return "0".to_string();
    }
    let text = int_text(rng);
    // Floats are no ints to the manifest; keep those for log values.
    if text.contains('.') {
        "0".to_string()
    } else {
        text
    }
}

/// Returns an `order` field: an integer in some spelling, rarely one the reference crashes on.
fn order_field(rng: &mut Rng) -> String {
    let n = rng.below(6);
    match rng.below(40) {
        0 => "first".to_string(),
        1 => format!(" {n}\t"),
        2 => format!("+{n}"),
        3 => format!("-{n}"),
        4 => format!("0{n}"),
        5 => format!("1_{n}"),
        6 => "\u{0663}".to_string(),
        7 => "123456789012345678901234567890".to_string(),
        _ => n.to_string(),
    }
}

/// Returns free text for name-like manifest fields.
fn text_field(rng: &mut Rng) -> String {
    let parts = [
        "plain",
        "with space",
        "q\"uote",
        "tab\there",
        "new\nline",
        "cr\rret",
        "caf\u{e9}",
        "\u{1F600}",
        "\u{2028}",
        "\\back",
        "\u{7f}",
        "\u{1}",
        "",
    ];
    (0..rng.below(3) + 1).map(|_| rng.pick(&parts)).collect()
}

/// Quotes a field the way a csv writer would, or leaves it raw (and then sometimes broken).
fn tsv_field(rng: &mut Rng, field: &str) -> String {
    let needs = field.contains(['\t', '\n', '\r', '"']);
    if needs || rng.chance(10) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Returns a metric value text: mostly numbers the checks accept, sometimes other things.
fn value_text(rng: &mut Rng, checked: bool) -> Vec<u8> {
    let roll = rng.below(100);
    let text = if roll < 60 {
        int_text(rng)
    } else if roll < 75 {
        rng.pick(&[
            "0.00001",
            "100.0",
            "-0.0",
            "1234567890123456789.5",
            "0.1",
            "2.5",
            "5e-324",
        ])
        .to_string()
    } else if roll < 80 {
        format!("{}.0", "9".repeat(320))
    } else if roll < 85 && !checked {
        rng.pick(&["12abc", "0x10", "abc", "-", "1e5", "\u{661}.\u{665}"])
            .to_string()
    } else if roll < 88 && !checked {
        return b"\xff\xfe1".to_vec();
    } else if roll < 90 && !checked {
        "7".repeat(4301)
    } else {
        (rng.below(2000) + 1).to_string()
    };
    text.into_bytes()
}

/// Returns one log line's bytes (without its break).
fn log_line(rng: &mut Rng) -> Vec<u8> {
    let mut line = Vec::new();
    if rng.chance(70) {
        line.extend_from_slice(b"2026-03-05T12:00:41.001Z INFO cvmmap_streamer::metrics ");
    }
    if rng.chance(60) {
        if rng.chance(10) {
            line.extend_from_slice(b"xx");
        }
        line.extend_from_slice(rng.pick(&TOKENS).as_bytes());
    } else if rng.chance(20) {
        line.extend_from_slice(b"LATENCY_METRIC FAULT_COUNTER");
    }
    for _ in 0..rng.below(8) {
        line.extend_from_slice(rng.pick(&SEPARATORS));
        let checked = rng.chance(60);
        let key = if checked {
            rng.pick(&CHECKED)
        } else {
            rng.pick(&OTHER_KEYS)
        };
        line.extend_from_slice(key.as_bytes());
        line.push(b'=');
        // Values that int() rejects on a checked key make the reference crash; keep them rare.
        let keep_valid = !rng.chance(3);
        line.extend_from_slice(&value_text(rng, checked && keep_valid));
        if rng.chance(5) {
            line.extend_from_slice(b"=c");
        }
    }
    if rng.chance(8) {
        line.extend_from_slice(rng.pick(&[
            &b"\xff"[..],
            b"\xc3",
            b"\xe2\x80",
            b"\x00",
            b"\xc2\x85x=1",
        ]));
    }
    line
}

fn log_bytes(rng: &mut Rng) -> Vec<u8> {
    let mut log = Vec::new();
    for _ in 0..rng.below(12) {
        log.extend_from_slice(&log_line(rng));
        log.extend_from_slice(rng.pick(&fault_harness::scan::lines::LINE_BREAKS));
    }
    if rng.chance(50) {
        log.extend_from_slice(&log_line(rng));
    }
    log
}

/// Writes one random run directory; returns the mode to run it in.
fn write_run(rng: &mut Rng, dir: &Path) -> &'static str {
    let mut columns: Vec<String> = fault_harness::input::manifest::COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    if rng.chance(15) {
        let i = rng.below(columns.len());
        let j = rng.below(columns.len());
        columns.swap(i, j);
    }
    if rng.chance(10) {
        columns.insert(rng.below(columns.len()), "extra".to_string());
    }
    let endings = ["\n", "\r\n", "\r"];
    let mut manifest = columns.join("\t");
    manifest.push_str(rng.pick(&endings));
    let rows = rng.below(5);
    for row in 0..rows {
        let id = if rng.chance(80) {
            SCENARIOS[row % 3]
        } else {
            rng.pick(&SCENARIOS)
        };
        let folder = if id.is_empty() {
            "blank".to_string()
        } else {
            id.to_string()
        };
        let streamer = format!("{folder}/streamer.log");
        let fields: Vec<String> = columns
            .iter()
            .map(|column| match column.as_str() {
                "order" => order_field(rng),
                "scenario_id" => id.to_string(),
                "duration_ms" => int_field(rng, false),
                "sim_rc" | "streamer_rc" | "tester_rc" => int_field(rng, true),
                "streamer_log" => {
                    if rng.chance(5) {
                        String::new()
                    } else {
                        streamer.clone()
                    }
                }
                "sim_log" | "tester_log" | "sdp_path" => format!("{folder}/{column}"),
                _ => text_field(rng),
            })
            .collect();
        let mut fields: Vec<String> = fields.iter().map(|field| tsv_field(rng, field)).collect();
        if rng.chance(10) {
            fields.truncate(rng.below(fields.len()) + 1);
        }
        if rng.chance(10) {
            fields.push("surplus".to_string());
        }
        manifest.push_str(&fields.join("\t"));
        manifest.push_str(rng.pick(&endings));
        if rng.chance(10) {
            manifest.push_str(rng.pick(&endings));
        }
        if !rng.chance(5) {
            let path = dir.join(&streamer);
            std::fs::create_dir_all(path.parent().expect("log folder")).expect("create log folder");
            std::fs::write(&path, log_bytes(rng)).expect("write log");
        }
    }
    std::fs::write(dir.join("manifest.tsv"), manifest).expect("write manifest");
    if rng.chance(50) {
        "degraded"
    } else {
        "baseline"
    }
}

#[test]
#[ignore = "compares with the reference: set FAULT_REFERENCE=../shared/reference/fault_summary_helper.py and pass --ignored"]
fn random_runs_match_the_reference() {
    let script = reference("the differential test")
        .expect("FAULT_REFERENCE must name the reference script for this test");
    let runs: u64 = std::env::var("FAULT_DIFF_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let first: u64 = std::env::var("FAULT_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let scratch = Scratch::new("differential");
    // The reference's table as a suite file must give the reference's bytes too.
    let printed = fault_summary(scratch.path(), ["--print-suite"]);
    assert!(printed.status.success(), "--print-suite failed");
    let suite = scratch.path().join("printed-suite.json");
    std::fs::write(&suite, &printed.stdout).expect("write the printed suite");
    let (mut compared, mut reference_crashed) = (0, 0);
    let mut failures = String::new();
    for seed in first..first + runs {
        let mut rng = Rng::new(seed);
        let dir = scratch.path().join(format!("run-{seed}"));
        std::fs::create_dir_all(&dir).expect("run folder");
        let mode = write_run(&mut rng, &dir);
        let run_id: Vec<u8> = if rng.chance(10) {
            b"id-\xff\xfe-\xc3\xa9".to_vec()
        } else {
            format!("run-{seed}").into_bytes()
        };
        let args = |out: &str| drop_in_args(out, OsStr::from_bytes(&run_id), "t0", "t1", mode);
        let theirs = script.run(&dir, args("reference.json"));
        let ours = fault_summary(&dir, args("ours.json"));
        let our_code = ours.status.code();
        if our_code == Some(101) || our_code.is_none() {
            let _ = writeln!(
                failures,
                "seed {seed}: fault-summary panicked or was killed: {}",
                String::from_utf8_lossy(&ours.stderr)
            );
            continue;
        }
        if theirs.status.success() {
            compared += 1;
            let expected = std::fs::read(dir.join("reference.json")).expect("reference output");
            let mut with_suite = args("ours-suite.json");
            with_suite.extend([OsString::from("--suite"), suite.clone().into_os_string()]);
            let _ = fault_summary(&dir, with_suite);
            match std::fs::read(dir.join("ours-suite.json")) {
                Ok(bytes) if bytes == expected => {}
                _ => {
                    let _ = writeln!(
                        failures,
                        "seed {seed}: with the printed suite, the bytes differ"
                    );
                }
            }
            match std::fs::read(dir.join("ours.json")) {
                Ok(bytes) if bytes == expected => {}
                Ok(bytes) => {
                    let _ = writeln!(
                        failures,
                        "seed {seed}: {}",
                        first_difference("bytes", &expected, &bytes)
                    );
                }
                Err(_) => {
                    let _ = writeln!(
                        failures,
                        "seed {seed}: no output; stderr: {}",
                        String::from_utf8_lossy(&ours.stderr)
                    );
                }
            }
        } else {
            reference_crashed += 1;
            let written = dir.join("ours.json").exists();
            match our_code {
                Some(0) if written => {}
                Some(2) if !written && !ours.stderr.is_empty() => {}
                _ => {
                    let _ = writeln!(failures, "seed {seed}: reference crashed; we exited {our_code:?} with output {written}");
                }
            }
        }
    }
    eprintln!("differential: {compared} runs compared byte for byte, {reference_crashed} where the reference crashed");
    assert!(failures.is_empty(), "{failures}");
    assert!(
        compared >= 200,
        "only {compared} runs were comparable; the generator breaks too many"
    );
}
