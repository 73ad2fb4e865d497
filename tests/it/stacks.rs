//! Logs from logging stacks (`tests/fixtures/stacks/<stack>/`): each run's streamer
//! log holds the metric lines of one stack (tracing JSON, Docker json-file, journald,
//! slog, zap, structlog, pino, Vector, ANSI colours, logfmt quotes, unit suffixes, CRI
//! records) with the same values: `p50_us=400` and `p99_us=2500`, so that in mode
//! degraded (limits 1000 and 2000, the built-in table) p50_us_max passes and
//! p99_us_max fails. With `"logs": "auto"` both faces judge that; without a `logs`
//! section the lines are read as the reference reads them, and p50_us is not read.

use crate::support::harness::run_in_process;
use crate::support::property::{self, fewer, text_of};
use crate::support::rng::Rng;
use crate::support::runs::copy_run;
use crate::support::{fixtures, utf8, Scratch};
use fault_harness::eval::model::Verdict;
use fault_harness::harness::Config;
use fault_harness::scan::format::{Reading, Readings};
use fault_harness::scan::forward::each_line_read;
use fault_harness::scan::logical;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The stacks, each a fixture run of one scenario (`torn_read`).
const STACKS: [&str; 15] = [
    "tracing-json",
    "tracing-fields",
    "tracing-flatten",
    "docker",
    "journald",
    "slog",
    "zap",
    "structlog",
    "pino",
    "vector",
    "tracing-ansi",
    "ansi-values",
    "logfmt-quotes",
    "units",
    "cri",
];

/// The suite that only says `"logs": "auto"`.
fn auto_suite() -> PathBuf {
    fixtures("stacks").join("auto-suite.json")
}

/// Judges the stack's run with the harness in process, with `suite` if given, copied
/// into a folder of its own (the other stacks are no earlier runs of it).
fn harness(stack: &str, suite: Option<&Path>) -> Vec<(String, Verdict)> {
    let scratch = Scratch::new("stacks-harness");
    let run = scratch.path().join(stack);
    copy_run(&fixtures("stacks").join(stack), &run);
    let mut config = Config::new(utf8(&run));
    config.suite = suite.map(utf8);
    let out = run_in_process(&config, &[]);
    out.finished
        .ran
        .iter()
        .map(|judged| (judged.name.clone(), judged.verdict.clone()))
        .collect()
}

/// Runs fault-summary on the stack's run with `suite` if given; returns its summary.json
/// and JUnit report.
fn cli(stack: &str, suite: Option<&Path>) -> (serde_json::Value, String) {
    let scratch = Scratch::new("stacks-cli");
    let summary = scratch.path().join("summary.json");
    let junit = scratch.path().join("junit.xml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_fault-summary"));
    command
        .arg("--run-dir")
        .arg(fixtures("stacks").join(stack))
        .arg("--output")
        .arg(&summary)
        .arg("--junit")
        .arg(&junit)
        .arg("--quiet");
    if let Some(suite) = suite {
        command.arg("--suite").arg(suite);
    }
    let out = command.output().expect("run fault-summary");
    assert!(
        out.status.code().is_some(),
        "{stack}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&summary)
        .unwrap_or_else(|err| panic!("{stack}: no summary.json ({err}): {out:?}"));
    let doc = serde_json::from_str(&text).expect("summary.json is JSON");
    (doc, std::fs::read_to_string(&junit).expect("junit.xml"))
}

/// Returns the verdict of the test of `stack`'s run ending in `test`.
fn verdict<'a>(judged: &'a [(String, Verdict)], stack: &str, test: &str) -> &'a Verdict {
    let name = format!(
        "{}::torn_read::{test}",
        fault_harness::eval::case::sanitize(stack)
    );
    judged
        .iter()
        .find(|(found, _)| *found == name)
        .map(|(_, verdict)| verdict)
        .unwrap_or_else(|| panic!("{name} did not run: {judged:?}"))
}

/// Returns the `<testcase>` element of `test` in a JUnit report, up to its end.
fn testcase<'a>(junit: &'a str, test: &str) -> &'a str {
    let at = junit
        .find(&format!("testcase name=\"{test}\""))
        .unwrap_or_else(|| panic!("no testcase {test}: {junit}"));
    let rest = &junit[at..];
    let end = rest
        .find("</testcase>")
        .or_else(|| rest.find("/>"))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Asserts that the harness passed `stack`'s `p50_us_max` and failed its `p99_us_max`
/// with a message starting `failure`.
fn assert_p50_passes_and_p99_fails(judged: &[(String, Verdict)], stack: &str, failure: &str) {
    assert_eq!(
        verdict(judged, stack, "p50_us_max"),
        &Verdict::Pass,
        "{stack}"
    );
    match verdict(judged, stack, "p99_us_max") {
        Verdict::Failure(message) => {
            assert!(message.starts_with(failure), "{stack}: {message}")
        }
        other => panic!("{stack}: p99_us_max {other:?}"),
    }
}

#[test]
fn with_logs_auto_both_faces_pass_one_check_and_fail_the_other_on_every_stack() {
    let suite = auto_suite();
    for stack in STACKS {
        let judged = harness(stack, Some(&suite));
        assert_p50_passes_and_p99_fails(&judged, stack, "p99_us=2500 > 2000");
        for passing in [
            "torn_read_events_min",
            "ingest_to_emit_samples_min",
            "drop_ratio_ppm_max",
        ] {
            assert_eq!(
                verdict(&judged, stack, passing),
                &Verdict::Pass,
                "{stack} {passing}"
            );
        }
        let (summary, junit) = cli(stack, Some(&suite));
        let latency = &summary["scenarios"][0]["metrics"]["latency"];
        assert_eq!(latency["p50_us"], 400, "{stack}: {summary}");
        assert_eq!(latency["p99_us"], 2500, "{stack}: {summary}");
        assert_eq!(summary["suite"], suite.to_str().unwrap(), "{stack}");
        assert!(
            !testcase(&junit, "p50_us_max").contains("<failure"),
            "{stack}"
        );
        assert!(
            testcase(&junit, "p99_us_max").contains("p99_us=2500 &gt; 2000"),
            "{stack}: {junit}"
        );
    }
}

#[test]
fn without_a_logs_section_every_stack_is_read_as_the_reference_reads_it() {
    let suite = auto_suite();
    let tests = [
        "p50_us_max",
        "p99_us_max",
        "drop_ratio_ppm_max",
        "ingest_to_emit_samples_min",
        "torn_read_events_min",
    ];
    for stack in STACKS {
        // The pair rule on the raw line misses what the stack wrote somewhere: a JSON
        // line's last value swallows its tail, colours and units make values no
        // integers, and in the CRI log p99_us is past the split.
        let off = harness(stack, None);
        let auto = harness(stack, Some(&suite));
        let differ = tests
            .iter()
            .any(|test| verdict(&off, stack, test) != verdict(&auto, stack, test));
        assert!(differ, "{stack}: {off:?}");
        let (summary, _) = cli(stack, None);
        let (read, _) = cli(stack, Some(&suite));
        assert_ne!(
            summary["scenarios"][0]["metrics"], read["scenarios"][0]["metrics"],
            "{stack}"
        );
        assert!(
            summary.get("suite").is_none(),
            "{stack}: the built-in suite is not named"
        );
    }
}

/// Returns the pairs of the last line of each of `tokens` in `log` by the tail scan and,
/// for each token, by the forward scan (its last line), read as `reading` says.
fn both_scans(
    log: &[u8],
    tokens: &[&str],
    reading: &Reading,
) -> Vec<(Option<Pairs>, Option<Pairs>)> {
    let scratch = Scratch::new("stacks-scan");
    let path = scratch.path().join("streamer.log");
    std::fs::write(&path, log).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let len = log.len() as u64;
    let tail = logical::scan_tail(&file, len, tokens, reading).unwrap();
    let mut forward: Vec<Option<Pairs>> = vec![None; tokens.len()];
    each_line_read(&file, 0..len, tokens, reading, 1 << 20, |line| {
        for &token in line.tokens {
            forward[token] = Some(line.pairs());
        }
    })
    .unwrap();
    tail.into_iter()
        .map(|hit| hit.map(|hit| hit.pairs))
        .zip(forward)
        .collect()
}

type Pairs = Vec<(String, String)>;

/// The metric line the random tests hide in a stack's records.
const LINE: &str =
    "2026-03-05T12:00:41.001Z INFO m LATENCY_METRICS p50_us=400 p99_us=2500 drop_ratio_ppm=1000";

#[test]
fn a_metric_line_split_into_cri_records_at_every_offset_reads_as_the_plain_line() {
    let auto = Reading::new(Readings::AUTO, Vec::new());
    let plain = both_scans(
        format!("x\n{LINE}\ny\n").as_bytes(),
        &["LATENCY_METRICS"],
        &auto,
    );
    assert_eq!(plain[0].0.as_ref().map(Vec::len), Some(3));
    let record =
        |tag: &str, text: &str| format!("2026-03-05T12:00:41.001234567Z stdout {tag} {text}\n");
    for at in 0..=LINE.len() {
        for second in [at, (at + LINE.len()) / 2] {
            let parts = [&LINE[..at], &LINE[at..second], &LINE[second..]];
            let log = format!(
                "{}{}{}{}{}",
                record("F", "x"),
                record("P", parts[0]),
                record("P", parts[1]),
                record("F", parts[2]),
                record("F", "y"),
            );
            assert_eq!(
                both_scans(log.as_bytes(), &["LATENCY_METRICS"], &auto),
                plain,
                "split at {at} and {second}: {log}"
            );
        }
    }
}

/// The characters of a JSON string member: quotes, backslashes, line breaks and
/// non-ASCII among letters.
const STRING_CHARS: [char; 33] = [
    'a',
    'b',
    'c',
    'd',
    'e',
    'f',
    'g',
    'h',
    'i',
    'j',
    'k',
    'l',
    'm',
    'n',
    'o',
    'p',
    'q',
    'r',
    's',
    't',
    'u',
    'v',
    'w',
    'x',
    'y',
    'z',
    '"',
    '\\',
    '\n',
    '\u{e9}',
    '\u{1f600}',
    '=',
    ' ',
];

/// Returns a random JSON value nested `depth` deep at most: a number, a boolean, a
/// string or null, or an array or object of up to 3 such values.
fn json_value(rng: &mut Rng, depth: u32) -> serde_json::Value {
    use serde_json::Value;
    if depth == 0 || rng.chance(50) {
        return match rng.below(4) {
            0 => Value::from(rng.next_u64() as i64),
            1 => Value::from(rng.chance(50)),
            2 => Value::from(text_of(rng, &STRING_CHARS, 0..=12)),
            _ => Value::Null,
        };
    }
    let count = rng.below(4);
    if rng.chance(50) {
        Value::from(
            (0..count)
                .map(|_| json_value(rng, depth - 1))
                .collect::<Vec<_>>(),
        )
    } else {
        let key_chars = ['a', 'b', 'c', 'x', 'y', 'z', '_', '"', '\\'];
        let members =
            (0..count).map(|_| (text_of(rng, &key_chars, 1..=6), json_value(rng, depth - 1)));
        Value::Object(members.collect())
    }
}

/// Members around the message of a JSON line, the key the message goes under, and
/// whether the message carries its own line break (escaped in the JSON).
#[derive(Clone, Debug)]
struct JsonLine {
    before: Vec<(String, serde_json::Value)>,
    after: Vec<(String, serde_json::Value)>,
    key: &'static str,
    escaped: bool,
}

/// Returns up to 3 members named by lowercase letters.
fn members(rng: &mut Rng) -> Vec<(String, serde_json::Value)> {
    let letters: Vec<char> = ('a'..='z').collect();
    (0..rng.below(4))
        .map(|_| (text_of(rng, &letters, 1..=8), json_value(rng, 3)))
        .collect()
}

/// A JSON line with arbitrary members around the message (nesting, escapes,
/// non-ASCII) reads the message's pairs as the plain line gives them, and a
/// mention of the token in another member makes no metric line.
#[test]
fn a_json_line_reads_its_message_as_the_plain_line() {
    let auto = Reading::new(Readings::AUTO, Vec::new());
    let plain = both_scans(format!("{LINE}\n").as_bytes(), &["LATENCY_METRICS"], &auto);
    property::check(
        "json-line",
        200,
        |rng| JsonLine {
            before: members(rng),
            after: members(rng),
            key: rng.pick(&["message", "msg", "MESSAGE", "log", "body", "event"]),
            escaped: rng.chance(50),
        },
        |case| {
            let before = fewer(case, |case| &mut case.before);
            [before, fewer(case, |case| &mut case.after)].concat()
        },
        |case| {
            let message = if case.escaped {
                format!("{LINE}\n")
            } else {
                LINE.to_string()
            };
            let mut object = serde_json::Map::new();
            for (name, value) in &case.before {
                // A string member names the token without being the message.
                let value = match value {
                    serde_json::Value::String(text) => {
                        serde_json::Value::from(format!("{text} LATENCY_METRICS"))
                    }
                    other => other.clone(),
                };
                object.insert(format!("x{name}"), value);
            }
            object.insert(case.key.to_string(), serde_json::Value::from(message));
            for (name, value) in &case.after {
                object.insert(format!("y{name}"), value.clone());
            }
            let line = serde_json::Value::Object(object).to_string();
            let later = serde_json::json!({"msg": "later", "note": "LATENCY_METRICS off"});
            let log = format!("{line}\n{later}\n");
            assert_eq!(
                both_scans(log.as_bytes(), &["LATENCY_METRICS"], &auto),
                plain,
                "{log}"
            );
        },
    );
}

#[test]
fn without_a_logs_section_a_missed_metric_says_how_the_log_looks_and_how_to_read_it() {
    let holds = |stack: &str| match stack {
        "tracing-ansi" | "ansi-values" => Some("holds ANSI colour codes around `=` (line 1)"),
        "cri" => Some("holds Kubernetes CRI records (line 1)"),
        "logfmt-quotes" | "units" => None,
        _ => Some("holds JSON lines (line 1)"),
    };
    let suite = auto_suite();
    for stack in STACKS {
        let off = harness(stack, None);
        let auto = harness(stack, Some(&suite));
        let mut noted = 0;
        for (name, verdict) in &off {
            let message = match verdict {
                Verdict::Failure(message) | Verdict::Error(message) => message,
                _ => continue,
            };
            // A miss of the metric says how the log looks; a limit crossed does not.
            if !message.contains("never appeared") && !message.contains("not an integer") {
                assert!(!message.contains("\"logs\""), "{name}: {message}");
                continue;
            }
            match holds(stack) {
                Some(holds) => {
                    let note =
                        format!("streamer.log {holds}; `\"logs\": \"auto\"` in fault-suite.json");
                    assert!(message.contains(&note), "{name}: {message}");
                    noted += 1;
                }
                None => assert!(!message.contains("\"logs\""), "{name}: {message}"),
            }
        }
        assert_eq!(noted > 0, holds(stack).is_some(), "{stack}: {off:?}");
        for (name, verdict) in &auto {
            if let Verdict::Failure(message) | Verdict::Error(message) = verdict {
                assert!(!message.contains("\"logs\": \"auto\""), "{name}: {message}");
            }
        }
    }
}

#[test]
fn a_line_read_by_the_logs_section_is_placed_at_its_stack_s_time() {
    use fault_harness::timestamp::leading;
    let log = concat!(
        "{\"time\":\"2026-03-05T12:00:41.001Z\",\"msg\":\"A p=1\"}\n",
        "{\"ts\":1772712042.5,\"msg\":\"A p=2\"}\n",
        "2026-03-05T12:00:43.250000000Z stdout F A p=3\n",
        "2026-03-05T12:00:44.000000000Z stdout F 2026-03-05T12:00:45Z A p=4\n",
        "{\"msg\":\"A p=5\"}\n",
    );
    let scratch = Scratch::new("stacks-times");
    let path = scratch.path().join("streamer.log");
    std::fs::write(&path, log).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let auto = Reading::new(Readings::AUTO, Vec::new());
    let mut times = Vec::new();
    each_line_read(&file, 0..log.len() as u64, &["A"], &auto, 1 << 20, |line| {
        times.push(leading(line.head()));
    })
    .unwrap();
    // The JSON time member (an RFC 3339 string, or seconds), the CRI record's time, the
    // text's own time before the record's, and none.
    let at = |text: &str| leading(text.as_bytes());
    assert_eq!(
        times,
        [
            at("2026-03-05T12:00:41.001Z"),
            at("2026-03-05T12:00:42.500Z"),
            at("2026-03-05T12:00:43.250Z"),
            at("2026-03-05T12:00:45Z"),
            None
        ]
    );
}

#[test]
fn limits_over_all_lines_read_every_stack_alike() {
    let scratch = Scratch::new("stacks-over-all");
    let suite = scratch.path().join("over-all.json");
    std::fs::write(
        &suite,
        r#"{"logs": "auto", "scenarios": ["torn_read"], "modes": {"degraded": {"torn_read": {
            "p50_us_max": {"limit": 1000, "over": "all"},
            "p99_us_max": {"limit": 2000, "over": "all"}}}}}"#,
    )
    .unwrap();
    for stack in STACKS {
        let judged = harness(stack, Some(&suite));
        // One metric line in each log: the JSON member that names the token in
        // tracing-json's warmup line is no metric line.
        assert_p50_passes_and_p99_fails(&judged, stack, "p99_us=2500 > 2000 on 1 of 1 lines");
    }
}
