//! The JUnit XML writer: judged cases become a quick-junit report.
//!
//! Layout: one `<testsuite>` per run and scenario (the case's `suite`, e.g.
//! `nightly_0305::torn_read`), one `<testcase>` per test named by the check's
//! own name (`p99_us_max`) with the suite as `classname`, as Surefire does,
//! `<failure>` for a missed threshold or exit code, `<error>` for missing
//! evidence, and in `<system-out>` the full test name and the evidence.
//! The output validates against Jenkins' JUnit schema. What the cases are and
//! how they turned out is `cases`'s business; this module only renders them.

use crate::eval::model::Verdict;
use crate::report::cases::Judged;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::io;

/// The name of the `<testsuites>` element.
pub const REPORT_NAME: &str = "fault-harness";

/// Replaces the two non-characters XML 1.0 forbids and quick-junit keeps (C0 controls it drops itself).
fn xml_text(text: &str) -> String {
    text.replace(['\u{fffe}', '\u{ffff}'], "\u{fffd}")
}

/// Builds the `<failure>` or `<error>` of a case: the first line as `message`, the whole as text.
fn non_success(kind: NonSuccessKind, message: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    let headline = message.lines().next().unwrap_or_default();
    status.set_message(xml_text(headline));
    status.set_description(xml_text(message));
    status
}

/// Renders one judged case as a `<testcase>`.
fn test_case(judged: &Judged) -> TestCase {
    let Judged {
        suite,
        name,
        kind: _,
        verdict,
        evidence,
        time,
    } = judged;
    let status = match verdict {
        Verdict::Pass => TestCaseStatus::success(),
        Verdict::Failure(message) => non_success(NonSuccessKind::Failure, message),
        Verdict::Error(message) => non_success(NonSuccessKind::Error, message),
    };
    // Report viewers show `classname` and `name` side by side: the name is the
    // check's own (`p99_us_max`), the full test name leads the system-out.
    let short = name
        .strip_prefix(suite.as_str())
        .and_then(|rest| rest.strip_prefix("::"))
        .unwrap_or(name);
    let mut case = TestCase::new(xml_text(short), status);
    case.set_classname(xml_text(suite));
    if let Some(time) = time {
        case.set_time(*time);
    }
    let mut out = format!("test: {name}");
    if !evidence.is_empty() {
        out.push('\n');
        out.push_str(evidence);
    }
    case.set_system_out(xml_text(&out));
    case
}

/// Renders judged cases as a JUnit XML document, suites and cases sorted by name.
pub fn render(judged: &[Judged]) -> io::Result<String> {
    let mut suites: BTreeMap<&str, Vec<&Judged>> = BTreeMap::new();
    for case in judged {
        suites.entry(case.suite.as_str()).or_default().push(case);
    }
    let mut report = Report::new(REPORT_NAME);
    for (name, mut cases) in suites {
        cases.sort_by(|a, b| a.name.cmp(&b.name));
        let mut suite = TestSuite::new(xml_text(name));
        for case in cases {
            suite.add_test_case(test_case(case));
        }
        report.add_test_suite(suite);
    }
    report.to_string().map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::case::CaseKind;
    use std::time::Duration;

    fn judged(suite: &str, test: &str, verdict: Verdict) -> Judged {
        Judged {
            suite: suite.to_string(),
            name: format!("{suite}::{test}"),
            kind: CaseKind::ExpectedScenarios,
            verdict,
            evidence: "a.log:3\n| LATENCY_METRICS p99_us=2500\u{1f}\u{ffff}".to_string(),
            time: Some(Duration::from_millis(5)),
        }
    }

    #[test]
    fn failures_and_errors_stay_apart_and_group_by_suite() {
        let xml = render(&[
            judged(
                "r::b",
                "p99_us_max",
                Verdict::Failure("p99_us=2500 > 2000 (limit)\n  at a.log:3".to_string()),
            ),
            judged("r::a", "process_exit", Verdict::Pass),
            judged(
                "r::b",
                "p50_us_max",
                Verdict::Error("metric p50_us never appeared".to_string()),
            ),
        ])
        .unwrap();
        let a = xml.find("<testsuite name=\"r::a\" tests=\"1\"").unwrap();
        let b = xml
            .find("<testsuite name=\"r::b\" tests=\"2\" disabled=\"0\" errors=\"1\" failures=\"1\"")
            .unwrap();
        assert!(a < b, "{xml}");
        assert!(
            xml.contains("<failure message=\"p99_us=2500 &gt; 2000 (limit)\">"),
            "{xml}"
        );
        assert!(
            xml.contains("<error message=\"metric p50_us never appeared\">"),
            "{xml}"
        );
        assert!(xml.contains("classname=\"r::b\""), "{xml}");
        // The check's own name under its classname; the full name leads the system-out.
        assert!(
            xml.contains("<testcase name=\"p99_us_max\" classname=\"r::b\""),
            "{xml}"
        );
        assert!(!xml.contains("name=\"r::b::"), "{xml}");
        assert!(
            xml.contains("<system-out>test: r::b::p99_us_max\n"),
            "{xml}"
        );
        assert!(
            xml.contains("| LATENCY_METRICS p99_us=2500\u{fffd}</system-out>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<testsuites name=\"fault-harness\" tests=\"3\" failures=\"1\" errors=\"1\">"
            ),
            "{xml}"
        );
    }
}
