//! JUnit reports: the harness's report of the tests it ran and `fault-summary
//! --junit`'s report of a whole run, both checked against Jenkins' schema
//! (`tests/schemas/jenkins-junit.xsd`): structurally in Rust everywhere, and
//! with `xmllint` (Debian's libxml2-utils) where it is installed.

use crate::support::harness::run_in_process;
use crate::support::junit::{assert_valid_junit, schema, xmllint};
use crate::support::runs::fault_summary;
use crate::support::{fixture, Scratch};
use fault_harness::harness::Config;

/// Removes every ` time="..."` attribute, the only part of a report that varies between runs.
fn without_times(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find(" time=\"") {
        out.push_str(&rest[..start]);
        let after = &rest[start + " time=\"".len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn harness_report_of_every_fixture_run_validates_and_keeps_failures_and_errors_apart() {
    let scratch = Scratch::new("junit-all");
    let junit = scratch.path().join("reports/junit.xml");
    let mut config = Config::new(crate::support::utf8(fixture("")));
    config.junit = Some(crate::support::utf8(junit.clone()));
    let out = run_in_process(&config, &[]);
    assert!(
        out.finished.junit_error.is_none(),
        "{:?}",
        out.finished.junit_error
    );
    assert_valid_junit(&junit);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let ran = out.finished.ran.len();
    assert_eq!(xml.matches("<testcase ").count(), ran);
    assert!(
        xml.contains(&format!(
            "<testsuites name=\"fault-harness\" tests=\"{ran}\""
        )),
        "{xml}"
    );
    // A testsuite per run and scenario, a failure for a threshold miss, an error for missing evidence.
    assert!(xml.contains("<testsuite name=\"failing_thresholds::torn_read\" tests=\"6\" disabled=\"0\" errors=\"0\" failures=\"1\""), "{xml}");
    assert!(xml.contains("<failure message=\"p99_us=2500 &gt; 2000 (limit p99_us_max of mode degraded, mode from "), "{xml}");
    assert!(xml.contains("<testsuite name=\"missing_metrics::torn_read\" tests=\"6\" disabled=\"0\" errors=\"1\" failures=\"0\""), "{xml}");
    assert!(
        xml.contains(
            "<error message=\"metric torn_read_events never appeared: no FAULT_COUNTERS line in "
        ),
        "{xml}"
    );
    assert!(xml.contains("<testsuite name=\"malformed_manifest\" tests=\"1\" disabled=\"0\" errors=\"1\" failures=\"0\""), "{xml}");
    // Surefire's layout: the check's own name under the run-and-scenario classname,
    // the full libtest name in system-out.
    assert!(
        xml.contains("<testcase name=\"p50_us_max\" classname=\"repeated_scenario::torn_read_2\""),
        "{xml}"
    );
    assert!(
        xml.contains("<system-out>test: repeated_scenario::torn_read_2::p50_us_max\n"),
        "{xml}"
    );
    // The evidence of a check is its log line, in system-out.
    assert!(xml.contains("failing-thresholds/torn_read/streamer.log:6\n| 2026-03-05T12:00:05.000Z INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us=400 p95_us=1300 p99_us=2500"), "{xml}");
}

#[test]
fn harness_report_holds_exactly_the_tests_that_ran() {
    let scratch = Scratch::new("junit-filtered");
    let junit = scratch.path().join("junit.xml");
    let mut config = Config::new(crate::support::utf8(fixture("failing-thresholds")));
    config.junit = Some(crate::support::utf8(junit.clone()));
    let out = run_in_process(&config, &["p99_us_max"]);
    assert_eq!(out.ran().len(), 2);
    assert_valid_junit(&junit);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let cases: Vec<&str> = xml
        .match_indices("<system-out>test: ")
        .map(|(at, tag)| {
            let name = &xml[at + tag.len()..];
            &name[..name.find('\n').unwrap()]
        })
        .collect();
    assert_eq!(
        xml.matches("<testcase name=\"p99_us_max\"").count(),
        2,
        "{xml}"
    );
    assert_eq!(
        cases,
        [
            "failing_thresholds::reset_storm::p99_us_max",
            "failing_thresholds::torn_read::p99_us_max"
        ]
    );

    // Listing runs nothing and writes no report.
    std::fs::remove_file(&junit).unwrap();
    let _ = run_in_process(&config, &["--list"]);
    assert!(!junit.exists());
}

#[test]
fn an_unwritable_report_fails_the_run() {
    let scratch = Scratch::new("junit-unwritable");
    let blocker = scratch.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let mut config = Config::new(crate::support::utf8(fixture("passing")));
    config.junit = Some(crate::support::utf8(blocker.join("junit.xml")));
    let out = run_in_process(&config, &[]);
    assert!(!out.finished.conclusion.has_failed());
    let error = out.finished.junit_error.as_deref().unwrap_or_default();
    assert!(error.contains("cannot write JUnit report"), "{error}");
    assert_eq!(
        format!("{:?}", out.finished.exit_code()),
        format!("{:?}", std::process::ExitCode::from(101))
    );
}

#[test]
fn fault_summary_writes_the_same_report_for_a_run() {
    for case in ["failing-thresholds", "missing-metrics", "failing-exit"] {
        let scratch = Scratch::new(&format!("junit-cli-{case}"));
        let run = fixture(case);
        let cli = scratch.path().join("cli.xml");
        let output = fault_summary(
            scratch.path(),
            [
                "--run-dir".as_ref(),
                run.as_os_str(),
                "--output".as_ref(),
                scratch.path().join("summary.json").as_os_str(),
                "--junit".as_ref(),
                cli.as_os_str(),
            ],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_valid_junit(&cli);

        let harness = scratch.path().join("harness.xml");
        let mut config = Config::new(crate::support::utf8(&run));
        config.junit = Some(crate::support::utf8(harness.clone()));
        let _ = run_in_process(&config, &[]);
        let cli = std::fs::read_to_string(&cli).unwrap();
        let harness = std::fs::read_to_string(&harness).unwrap();
        assert_eq!(without_times(&cli), without_times(&harness), "{case}");
    }
}

#[test]
fn the_schema_declares_the_junit_elements_and_their_required_attributes() {
    let elements = &schema().elements;
    let names: Vec<&str> = elements.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "error",
            "failure",
            "properties",
            "property",
            "skipped",
            "system-err",
            "system-out",
            "testcase",
            "testsuite",
            "testsuites"
        ]
    );
    let required = |name: &str| -> Vec<&str> {
        let attributes = &elements[name].attributes;
        attributes
            .iter()
            .filter(|(_, &required)| required)
            .map(|(key, _)| key.as_str())
            .collect()
    };
    assert_eq!(required("testsuite"), ["name", "tests"]);
    assert_eq!(required("testcase"), ["name"]);
    assert!(required("testsuites").is_empty());
    assert!(!elements["testsuites"].attributes.contains_key("skipped"));
    let children: Vec<&str> = elements["testcase"]
        .sequence
        .iter()
        .map(|(name, _, _)| name.as_str())
        .collect();
    assert_eq!(
        children,
        ["skipped", "error", "failure", "system-out", "system-err"]
    );
}

/// Reports that break the schema, each with what the Rust check must say about it.
const BROKEN: [(&str, &str, &str); 7] = [
    (
        "undeclared element",
        r#"<testsuites><testsuite name="s" tests="1"><testcase name="t"><flaky/></testcase></testsuite></testsuites>"#,
        "testsuites/testsuite/testcase/flaky: element <flaky> is not declared",
    ),
    (
        "attribute not allowed",
        r#"<testsuites skipped="0"><testsuite name="s" tests="0"/></testsuites>"#,
        "testsuites: attribute skipped is not allowed",
    ),
    (
        "required attribute missing",
        r#"<testsuites><testsuite name="s"><testcase name="t"/></testsuite></testsuites>"#,
        "testsuites/testsuite: required attribute tests is missing",
    ),
    (
        "children out of order",
        r#"<testsuites><testsuite name="s" tests="1"><testcase name="t"><system-out>x</system-out><failure/></testcase></testsuite></testsuites>"#,
        "testsuites/testsuite/testcase/failure: not allowed here",
    ),
    (
        "too many of a child",
        r#"<testsuites><testsuite name="s" tests="0"><system-out/><system-out/></testsuite></testsuites>"#,
        "testsuites/testsuite/system-out: more than 1 in a row",
    ),
    (
        "text where only elements go",
        r#"<testsuites><testsuite name="s" tests="0">stray</testsuite></testsuites>"#,
        "testsuites/testsuite: text is not allowed here",
    ),
    (
        "a required child missing",
        r#"<testsuites><testsuite name="s" tests="0"><properties></properties></testsuite></testsuites>"#,
        "testsuites/testsuite/properties: <property> missing at the end",
    ),
];

#[test]
fn the_structural_check_rejects_what_the_schema_rejects() {
    let scratch = Scratch::new("junit-broken");
    let good = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="n" tests="1"><testsuite name="s" tests="1" failures="1"><properties><property name="a" value="b"/></properties><testcase name="t" classname="c"><failure message="m &gt; 1">text</failure><system-out>out</system-out></testcase><system-err/></testsuite></testsuites>"#;
    assert_eq!(schema().check(good), "", "{good}");
    let path = scratch.path().join("good.xml");
    std::fs::write(&path, good).unwrap();
    let what = "comparing xmllint's verdicts on these reports with the Rust check's";
    if let Some((valid, messages)) = xmllint(&path, what) {
        assert!(valid, "{messages}");
    }
    for (case, xml, problem) in BROKEN {
        let problems = schema().check(xml);
        assert!(problems.contains(problem), "{case}: {problems:?}");
        // xmllint, where installed, agrees that the report is invalid.
        let path = scratch.path().join("broken.xml");
        std::fs::write(&path, xml).unwrap();
        if let Some((valid, messages)) = xmllint(&path, what) {
            assert!(!valid, "{case}: xmllint accepts it: {messages}");
        }
    }
}
