//! One plan of the tests for every face: `fault-summary --history` and the harness
//! judge history alike, the command's result line and `--exit-code` tell the truth
//! about the tests its reports hold, and `<folder>::setup` says the same however the
//! tests are run (`cargo test`, `--exact`, nextest, nextest with `FAULT_JUNIT`).

use crate::history::steady_history;
use crate::support::harness::{fault_suite_command, run_in_process};
use crate::support::runs::{fault_summary, run_bounded, Run};
use crate::support::{utf8, Scratch};
use fault_harness::eval::model::Verdict;
use fault_harness::harness::Config;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;
use std::path::Path;

/// Returns each test case of a JUnit report by full name: `pass`, or `failure` /
/// `error` with the element's whole text.
fn junit_cases(xml: &str) -> BTreeMap<String, (String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut cases = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut kind: Option<String> = None;
    loop {
        match reader.read_event().expect("the JUnit report parses") {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) => {
                let attr = |key: &[u8]| {
                    element
                        .attributes()
                        .filter_map(Result::ok)
                        .find(|attr| attr.key.as_ref() == key)
                        // Test names hold no character that XML escapes.
                        .map(|attr| String::from_utf8_lossy(&attr.value).into_owned())
                        .unwrap_or_default()
                };
                match element.name().as_ref() {
                    b"testcase" => {
                        let name = format!("{}::{}", attr(b"classname"), attr(b"name"));
                        cases.insert(name.clone(), ("pass".to_string(), String::new()));
                        current = Some(name);
                    }
                    name @ (b"failure" | b"error") => {
                        let name = String::from_utf8_lossy(name).into_owned();
                        if let Some(case) = current.as_ref().and_then(|c| cases.get_mut(c)) {
                            case.0 = name.clone();
                        }
                        kind = Some(name);
                    }
                    _ => {}
                }
            }
            Event::Text(text) if kind.is_some() => {
                if let Some(case) = current.as_ref().and_then(|c| cases.get_mut(c)) {
                    case.1.push_str(&text.decode().unwrap());
                }
            }
            Event::GeneralRef(reference) if kind.is_some() => {
                let resolved = match reference.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match &*reference.decode().unwrap() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity &{other};"),
                    }
                    .to_string(),
                };
                if let Some(case) = current.as_ref().and_then(|c| cases.get_mut(c)) {
                    case.1.push_str(&resolved);
                }
            }
            Event::End(element) => match element.name().as_ref() {
                b"failure" | b"error" => kind = None,
                b"testcase" => current = None,
                _ => {}
            },
            _ => {}
        }
    }
    cases
}

/// Returns the verdict as the JUnit report words it: `pass`, `failure` or `error`, with its text.
fn as_junit(verdict: &Verdict) -> (String, String) {
    match verdict {
        Verdict::Pass => ("pass".to_string(), String::new()),
        Verdict::Failure(text) => ("failure".to_string(), text.clone()),
        Verdict::Error(text) => ("error".to_string(), text.clone()),
    }
}

/// Makes every earlier run's `torn_read/streamer.log` a link to a copy outside the
/// folder of runs, so that confinement refuses them.
fn link_earlier_logs_outside(scratch: &Scratch, folder: &Path, newest: &str) {
    let outside = scratch.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    for entry in std::fs::read_dir(folder).unwrap() {
        let run = entry.unwrap().path();
        let name = run.file_name().unwrap().to_string_lossy().into_owned();
        if name == newest || !run.join("manifest.tsv").exists() {
            continue;
        }
        let log = run.join("torn_read/streamer.log");
        let target = outside.join(format!("{name}.log"));
        std::fs::rename(&log, &target).unwrap();
        std::os::unix::fs::symlink(&target, &log).unwrap();
    }
}

#[test]
fn the_command_and_the_harness_judge_every_regression_test_alike() {
    let scratch = Scratch::new("plan-history-alike");
    // Seven steady nightlies (p99_us about 960) and a newest one 47% above them.
    let folder = steady_history(&scratch, Some(1410));
    link_earlier_logs_outside(&scratch, &folder, "nightly-0312");
    let run = folder.join("nightly-0312");
    for confine in [false, true] {
        let mut args = vec![
            "--run-dir".to_string(),
            run.display().to_string(),
            "--history".to_string(),
            folder.display().to_string(),
            "--junit".to_string(),
            "junit.xml".to_string(),
        ];
        if confine {
            args.push("--confine".to_string());
        }
        let cli = fault_summary(&run, &args);
        assert_eq!(
            cli.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&cli.stderr)
        );
        let reported = junit_cases(&std::fs::read_to_string(run.join("junit.xml")).unwrap());
        let mut config = Config::new(utf8(&folder));
        config.confine = confine;
        let harness = run_in_process(&config, &[]);
        let regressions: Vec<_> = harness
            .finished
            .ran
            .iter()
            .filter(|judged| {
                judged.name.starts_with("nightly_0312::") && judged.name.ends_with("_regression")
            })
            .collect();
        assert_eq!(regressions.len(), 12, "four metrics of three scenarios");
        for judged in regressions {
            let from_cli = reported
                .get(&judged.name)
                .unwrap_or_else(|| panic!("{} is not in the command's report", judged.name));
            assert_eq!(
                from_cli,
                &as_junit(&judged.verdict),
                "{} (confine: {confine})",
                judged.name
            );
        }
        // Read through the links, the jump fails; refused, no earlier value is left to
        // compare with, and the test passes on both faces.
        let verdict = &reported["nightly_0312::torn_read::p99_us_regression"];
        assert_eq!(verdict.0, if confine { "pass" } else { "failure" });
        if !confine {
            assert!(
                verdict
                    .1
                    .contains(&format!("earlier runs from: {}", folder.display())),
                "the message names where the window's runs are: {}",
                verdict.1
            );
        }
    }
}

#[test]
fn the_result_line_names_failing_tests_and_exit_code_fails_on_them() {
    let scratch = Scratch::new("plan-result-line");
    let folder = steady_history(&scratch, Some(1410));
    let run = folder.join("nightly-0312");
    let plain = fault_summary(
        &run,
        ["--run-dir", ".", "--output", "plain.json", "--exit-code"],
    );
    assert_eq!(plain.status.code(), Some(0));
    let judged = fault_summary(
        &run,
        [
            "--run-dir",
            ".",
            "--output",
            "judged.json",
            "--history",
            "..",
            "--exit-code",
        ],
    );
    let stderr = String::from_utf8_lossy(&judged.stderr);
    assert_eq!(judged.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "3 of 3 scenarios pass (mode degraded, from ./run.json); 1 of 12 tests did not pass: nightly_0312::torn_read::p99_us_regression;"
        ),
        "{stderr}"
    );
    // summary.json is the reference's whatever the reports say.
    assert_eq!(
        std::fs::read(run.join("plain.json")).unwrap(),
        std::fs::read(run.join("judged.json")).unwrap()
    );
    // With reports, every test they hold counts: 19 checks and 12 regression tests.
    let reported = fault_summary(
        &run,
        [
            "--run-dir",
            ".",
            "--output",
            "reported.json",
            "--history",
            "..",
            "--markdown",
            "summary.md",
            "--exit-code",
        ],
    );
    let stderr = String::from_utf8_lossy(&reported.stderr);
    assert_eq!(reported.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("; 1 of 31 tests did not pass: "),
        "{stderr}"
    );
    let markdown = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(markdown.contains("p99_us_regression"), "{markdown}");
}

/// Runs the real harness binary over `runs` with `args` and extra variables; returns
/// its exit code and what it printed on stdout and stderr.
fn harness_binary(runs: &Path, args: &[&str], vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = fault_suite_command(runs);
    command.args(args).env_remove("NEXTEST_RUN_ID");
    for (key, value) in vars {
        command.env(key, value);
    }
    let out = run_bounded(command);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// Returns the lines of `text` that belong to the message of the failed test `name`
/// as libtest-mimic prints it (`---- name ----`, then the message).
fn failure_block<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let header = format!("---- {name} ----");
    let mut lines = text.lines().skip_while(|line| *line != header);
    lines.next();
    lines
        .take_while(|line| !line.is_empty() && !line.starts_with("----"))
        .collect()
}

#[test]
fn setup_says_the_same_under_cargo_test_exact_and_nextest() {
    let scratch = Scratch::new("plan-setup");
    let runs = scratch.path().join("runs");
    for name in ["nightly-a", "nightly-b"] {
        let run = Run::good(name);
        crate::support::runs::copy_run(run.dir(), &runs.join(name));
    }
    std::fs::write(runs.join("fault-suite.json"), "{\"tokns\": []}\n").unwrap();
    let whole = harness_binary(&runs, &[], &[]);
    assert_eq!(whole.0, Some(101), "{}", whole.1);
    let message = failure_block(&whole.1, "runs::setup");
    assert!(
        message
            .iter()
            .any(|line| line.contains("fault-suite.json:1:")
                && line.contains("unknown key \"tokns\"")),
        "{}",
        whole.1
    );
    let exact = harness_binary(&runs, &["--exact", "runs::setup"], &[]);
    assert_eq!(
        failure_block(&exact.1, "runs::setup"),
        message,
        "{}",
        exact.1
    );
    assert!(exact.1.contains("1 failed"), "{}", exact.1);
    let nextest = [("NEXTEST_EXECUTION_MODE", "process-per-test")];
    let listed = harness_binary(&runs, &["--list", "--format", "terse"], &nextest);
    assert_eq!(listed.1.trim(), "runs::setup: test", "{}", listed.1);
    let one = harness_binary(&runs, &["--exact", "runs::setup"], &nextest);
    assert_eq!(failure_block(&one.1, "runs::setup"), message, "{}", one.1);
    // FAULT_JUNIT under nextest: still one setup test, with both messages.
    let junit = scratch.path().join("junit.xml");
    let junit = junit.to_str().unwrap();
    let with_junit = [nextest[0], ("FAULT_JUNIT", junit)];
    let listed = harness_binary(&runs, &["--list", "--format", "terse"], &with_junit);
    assert_eq!(listed.1.trim(), "runs::setup: test", "{}", listed.1);
    let one = harness_binary(&runs, &["--exact", "runs::setup"], &with_junit);
    let both = failure_block(&one.1, "runs::setup");
    assert_eq!(both[0], message[0], "{}", one.1);
    assert!(
        both.iter()
            .any(|line| line.contains("is not written under nextest")),
        "{}",
        one.1
    );
    assert!(one.1.contains("1 failed"), "{}", one.1);
    // A healthy folder has no setup test: asking for it runs nothing and fails nothing.
    std::fs::remove_file(runs.join("fault-suite.json")).unwrap();
    let healthy = harness_binary(&runs, &["--exact", "runs::setup"], &[]);
    assert_eq!(healthy.0, Some(0), "{}", healthy.1);
    assert!(healthy.1.contains("0 passed; 0 failed"), "{}", healthy.1);
    let listed = harness_binary(&runs, &["--list", "--format", "terse"], &with_junit);
    let setups = listed.1.lines().filter(|l| l.contains("::setup")).count();
    assert_eq!(setups, 1, "{}", listed.1);
    let one = harness_binary(&runs, &["--exact", "runs::setup"], &with_junit);
    let note = failure_block(&one.1, "runs::setup");
    assert_eq!(note.len(), 1, "only the nextest note: {}", one.1);
    assert!(
        note[0].contains("is not written under nextest"),
        "{}",
        one.1
    );
}
