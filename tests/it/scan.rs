//! The log tail scanner (`scan::tail::scan_raw` and `line_number_with`) against
//! the naive forward scan of the oracles, at block sizes that split tokens,
//! line breaks and UTF-8 sequences between reads, on hand-made and random logs;
//! and against python3 running the reference's rules.

use crate::support::logs::{BREAKS, INVALID, SPACES, WORDS};
use crate::support::oracles::{check_scan_log, naive_pairs, naive_scan, splitlines};
use crate::support::rng::Rng;
use crate::support::tools::{python3, Needs};
use crate::support::Scratch;
use fault_harness::scan::forward::each_line_with;
use fault_harness::scan::lines::line_number_with;
use fault_harness::scan::tail::{scan_raw, TOKENS};
use std::fs::File;
use std::path::Path;

/// The scanner's own block size (a mebibyte): the size `scan::tail::scan` reads in.
const BLOCK: usize = 1 << 20;

/// Bytes of the preview the scanner keeps at most.
const PREVIEW_MAX: usize = 4096;

/// Returns a random log mixing tokens, pairs, every break kind and invalid UTF-8.
fn random_log(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let pieces = rng.below(120);
    let token_odds = 1 + rng.below(8);
    for _ in 0..pieces {
        match rng.below(12) {
            0 | 1 => out.extend_from_slice(rng.pick(&BREAKS)),
            2 => out.extend_from_slice(rng.pick(INVALID)),
            3 | 4 => out.extend_from_slice(rng.pick(SPACES)),
            5 | 6 => out.extend_from_slice(rng.pick(WORDS)),
            7 | 8 => {
                out.extend_from_slice(rng.pick::<&[u8]>(&[b"k", b"p99_us", b"a", b"\xc3\xbc_"]));
                out.push(b'=');
                out.extend_from_slice(rng.pick::<&[u8]>(&[b"1", b"v", b"", b"x=y", b"\xff2"]));
                out.extend_from_slice(rng.pick(SPACES));
            }
            9 => {
                if rng.below(token_odds) == 0 {
                    out.extend_from_slice(TOKENS[rng.below(4)].as_bytes());
                }
            }
            10 => {
                if rng.below(15) == 0 {
                    let word = rng.pick(WORDS);
                    for _ in 0..rng.below(2000) {
                        out.extend_from_slice(word);
                    }
                }
            }
            _ => out.push(rng.below(256) as u8),
        }
    }
    out
}

/// Checks the scanner against the oracle on `bytes` at each of `blocks` and returns how
/// many tokens were found and how many of their lines are longer than the preview.
fn check(scratch: &Scratch, bytes: &[u8], blocks: &[usize]) -> (usize, usize) {
    let path = scratch.path().join("log");
    for &block in blocks {
        check_scan_log(&path, bytes, block);
    }
    let expected = naive_scan(bytes);
    let found = expected.iter().flatten();
    let long = found
        .clone()
        .filter(|(_, line, _)| line.len() > PREVIEW_MAX);
    (found.count(), long.count())
}

/// Writes `bytes` to `name` in `scratch` and opens it.
fn log_file(scratch: &Scratch, name: &str, bytes: &[u8]) -> File {
    let path = scratch.path().join(name);
    std::fs::write(&path, bytes).expect("write the scratch log");
    File::open(&path).expect("open the scratch log")
}

#[test]
fn hand_cases_match_oracle() {
    let scratch = Scratch::new("scan-hand");
    let cases: &[&[u8]] = &[
        b"",
        b"PIPELINE_METRICS",
        b"x FAULT_COUNTERS a=1\nFAULT_COUNTERS a=2\r\nb",
        b"LATENCY_METRICS p50_us=1\xc2\x85LATENCY_METRICS p50_us=2\x85x",
        b"RTP_METRICS a=1\xe2\x80\xa8RTP_METRICS a=2\xe2\x80\xa9\xe2\x80\xa8",
        b"a\r\n\rRTP_METRICS\x1ck=\xe2\x80 \x1d\x1e\x0b\x0c",
        b"PIPELINE_METRICS LATENCY_METRICS FAULT_COUNTERS RTP_METRICS a=b=c a=d",
        b"\xe2PIPELINE_METRICS a=\xf0\x9f\x98",
        b"RTP_METRICSRTP_METRICS\n\nRTP_METRIC",
    ];
    for case in cases {
        check(&scratch, case, &[1, 2, 3, 7, 16, 17, 64, BLOCK]);
    }
}

#[test]
fn random_logs_match_oracle() {
    let scratch = Scratch::new("scan-random");
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let (mut found, mut cut) = (0, 0);
    for _ in 0..1500 {
        let log = random_log(&mut rng);
        let (f, c) = check(&scratch, &log, &[7, 16, 64, BLOCK]);
        found += f;
        cut += c;
    }
    // The generator must exercise hits and long lines, or the test proves little.
    assert!(found > 1200 && cut > 10, "found {found}, cut {cut}");
}

#[test]
fn long_line_preview_is_cut_at_char_boundary() {
    let scratch = Scratch::new("scan-preview");
    let mut log = b"FAULT_COUNTERS k=".to_vec();
    log.extend(std::iter::repeat_n(b"\xc3\xbc".as_slice(), 5000).flatten());
    log.extend_from_slice(b" a=1\xe2\x80\xa9tail");
    check(&scratch, &log, &[7, 4096, BLOCK]);
    let file = log_file(&scratch, "long.log", &log);
    let hits = scan_raw(&file, log.len() as u64, 1000, &TOKENS).unwrap();
    let hit = hits[2].as_ref().unwrap();
    assert_eq!(hit.preview.len(), 4095);
    assert!(hit.preview.ends_with('\u{fc}'));
    assert_eq!(hit.end, log.len() as u64 - 7);
}

#[test]
fn line_number_counts_every_break_kind() {
    let scratch = Scratch::new("scan-breaks");
    let log = b"a\r\nb\rc\nd\x0be\x0cf\x1cg\x1dh\x1ei\xc2\x85j\xe2\x80\xa8k\xe2\x80\xa9l\x85m\n";
    let file = log_file(&scratch, "breaks.log", log);
    let breaks = [
        '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}',
    ];
    for block in [1, 2, 3, 5, 64] {
        let mut starts = 0;
        for offset in 0..=log.len() {
            let prefix = String::from_utf8_lossy(&log[..offset]);
            let inside_crlf = prefix.ends_with('\r') && log.get(offset) == Some(&b'\n');
            let after_break = prefix.ends_with(breaks) && !inside_crlf;
            if offset == 0 || after_break {
                starts += 1;
                let expected = splitlines(&prefix).len() as u64 + 1;
                let got = line_number_with(&file, offset as u64, block).unwrap();
                assert_eq!(got, expected, "offset {offset} block {block}");
            }
        }
        assert_eq!(starts, 13);
    }
}

/// The reference's rules in Python over the logs `0`, `1`, ... in the folder named on
/// stdin, with their count: each token's last line, 1-based number and pairs, as JSON.
const PYTHON_RULES: &str = r#"
import json, re, sys
from pathlib import Path
KV = re.compile(r"([a-zA-Z0-9_]+)=([^\s]+)")
TOKENS = ["PIPELINE_METRICS", "LATENCY_METRICS", "FAULT_COUNTERS", "RTP_METRICS"]
folder, count = sys.stdin.read().split("\n")[:2]
out = []
for i in range(int(count)):
    text = Path(folder, str(i)).read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    row = []
    for token in TOKENS:
        hit = None
        for n, line in enumerate(lines):
            if token in line:
                hit = [n + 1, line, list({m.group(1): m.group(2) for m in KV.finditer(line)}.items())]
        row.append(hit)
    out.append(row)
print(json.dumps(out))
"#;

#[test]
fn random_logs_match_python() {
    let what = "comparing the scanner with python3's splitlines and regex on random logs";
    let Some(python) = python3(Needs::AnyPython3, what) else {
        return;
    };
    let scratch = Scratch::new("scan-python");
    let mut rng = Rng::new(0x0123_4567_89ab_cdef);
    let logs: Vec<Vec<u8>> = (0..400).map(|_| random_log(&mut rng)).collect();
    for (i, log) in logs.iter().enumerate() {
        std::fs::write(scratch.path().join(i.to_string()), log).unwrap();
    }
    let folder = scratch.path().to_str().expect("a UTF-8 scratch path");
    let answer = python.run(PYTHON_RULES, &format!("{folder}\n{}\n", logs.len()));
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let rows = answer.as_array().unwrap();
    assert_eq!(rows.len(), logs.len());
    for (i, (log, row)) in logs.iter().zip(rows).enumerate() {
        let file = File::open(Path::new(scratch.path()).join(i.to_string())).unwrap();
        let hits = scan_raw(&file, log.len() as u64, 64, &TOKENS).unwrap();
        for (hit, want) in hits.iter().zip(row.as_array().unwrap()) {
            let got = hit.as_ref().map(|hit| {
                let number = line_number_with(&file, hit.start, 64).unwrap();
                let line = String::from_utf8_lossy(&log[hit.start as usize..hit.end as usize]);
                let pairs: Vec<serde_json::Value> = hit
                    .pairs
                    .iter()
                    .map(|(k, v)| serde_json::json!([k, v]))
                    .collect();
                serde_json::json!([number, line, pairs])
            });
            assert_eq!(got.unwrap_or(serde_json::Value::Null), *want, "log {log:?}");
        }
    }
}

/// Returns every line holding one of the tokens the way the reference would see it:
/// decode, split, search each line; (number, token indexes, pairs).
/// A line holding tokens: its number, the tokens' indexes and its pairs.
type TokenLineSeen = (u64, Vec<usize>, Vec<(String, String)>);

fn naive_every_line(bytes: &[u8]) -> Vec<TokenLineSeen> {
    let text = String::from_utf8_lossy(bytes);
    splitlines(&text)
        .into_iter()
        .enumerate()
        .filter_map(|(index, line)| {
            let held: Vec<usize> = (0..TOKENS.len())
                .filter(|&t| line.contains(TOKENS[t]))
                .collect();
            (!held.is_empty()).then(|| (index as u64 + 1, held, naive_pairs(line)))
        })
        .collect()
}

#[test]
fn forward_scan_finds_every_token_line_with_its_number_at_any_block_size() {
    let scratch = Scratch::new("forward-random");
    let mut rng = Rng::new(20_261_128);
    let mut lines_seen = 0;
    for case in 0..200 {
        let bytes = random_log(&mut rng);
        let file = log_file(&scratch, &format!("f{case}.log"), &bytes);
        let expected = naive_every_line(&bytes);
        lines_seen += expected.len();
        for block in [1, 3, 64, 4096, BLOCK] {
            let mut got = Vec::new();
            each_line_with(&file, bytes.len() as u64, &TOKENS, block, |line| {
                let mut held = line.tokens.to_vec();
                held.sort_unstable();
                let number = line_number_with(&file, line.start, BLOCK).unwrap();
                // The lookup of one value agrees with the whole line's pairs.
                let pairs = line.pairs();
                for (key, value) in &pairs {
                    assert_eq!(line.value(key).as_deref(), Some(value.as_str()), "{key}");
                }
                got.push((number, held, pairs));
            })
            .unwrap();
            assert_eq!(got, expected, "case {case}, block {block}: {bytes:?}");
        }
    }
    assert!(lines_seen > 200, "only {lines_seen} token lines generated");
}

#[test]
fn reads_growing_from_the_end_find_tokens_far_from_it_and_split_between_reads() {
    // The first read is 64 KiB and each next one doubles: put the tokens at offsets
    // that fall in later reads and across their boundaries.
    let scratch = Scratch::new("scan-growing");
    let filler = "INFO cvmmap_streamer::reader frame ok seq=1 bytes=12000\n";
    for far in [70_000usize, 196_600, 196_610, 500_000] {
        let mut log = String::new();
        while log.len() < far {
            log.push_str(filler);
        }
        log.push_str("LATENCY_METRICS p99_us=1700 p50_us=400\nFAULT_COUNTERS torn_read_events=3\n");
        while log.len() < 600_000 {
            log.push_str(filler);
        }
        let path = scratch.path().join(format!("grow-{far}.log"));
        std::fs::write(&path, &log).unwrap();
        check_scan_log(&path, log.as_bytes(), BLOCK);
    }
}
