//! The Markdown summary: per run a GitHub-flavoured table (scenario, status, the
//! failing checks with value and limit), short enough for a CI page
//! (`$GITHUB_STEP_SUMMARY`, a GitLab merge-request note).
//!
//! What it shows is `overview`'s, worded with the model's own violations
//! (`p99_us=2500 > 2000`), without the paths and lines of the full test
//! messages, which the HTML report and the tests give. Every text from a run
//! is escaped so that it stays text in a table cell. The whole stays under
//! [`MAX_BYTES`]: runs past that are counted, not listed.

use crate::eval::model::{Strictness, Verdict};
use crate::report::overview::{self, headline, Overview, Run, Status};
use std::fmt::Write;

/// The most bytes the summary takes; GitHub allows 1 MiB per step summary.
pub const MAX_BYTES: usize = 64 << 10;

/// Failing checks named per scenario; the rest are counted.
const CHECKS_NAMED: usize = 3;

/// Renders the summary of `runs`, the newest first.
pub fn render(runs: &[Run<'_>]) -> String {
    let overviews: Vec<Overview> = overview::newest_first(runs)
        .into_iter()
        .map(Overview::of)
        .collect();
    let failing = overviews.iter().filter(|overview| !overview.passed).count();
    let mut out = String::new();
    if overviews.len() > 1 {
        let _ = writeln!(
            out,
            "## Fault suite: {} runs, {}\n",
            overviews.len(),
            match failing {
                0 => "all pass".to_string(),
                n => format!("{n} failing"),
            }
        );
    }
    for (index, overview) in overviews.iter().enumerate() {
        let block = run_block(overview);
        if out.len() + block.len() > MAX_BYTES - 200 {
            let rest = &overviews[index..];
            let rest_failing = rest.iter().filter(|overview| !overview.passed).count();
            let _ = writeln!(
                out,
                "… and {} more runs ({rest_failing} failing), left out to keep this summary short; the HTML report and the test results have them all.",
                rest.len()
            );
            break;
        }
        out.push_str(&block);
    }
    out
}

/// Returns the emoji and word of a status.
fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Failure => "❌ fail",
        Status::Error => "⚠️ error",
        Status::NotRun => "⏭️ not run",
    }
}

/// Writes one run: a heading with its verdict, its facts, and the scenario table.
fn run_block(overview: &Overview<'_>) -> String {
    let run = overview.run;
    let mut out = String::new();
    let counts = overview.counts;
    let total = counts.passed + counts.failed + counts.errors;
    let _ = writeln!(
        out,
        "### {} {}: {} of {} scenarios pass, {} of {total} tests\n",
        if overview.passed { "✅" } else { "❌" },
        cell(&run.name),
        overview.scenarios_passed(),
        overview.scenarios.len(),
        counts.passed
    );
    let mut facts = Vec::new();
    if let Some(evaluation) = run.evaluation {
        facts.push(match evaluation.settled_mode() {
            Ok(choice) => format!(
                "mode **{}** (from {})",
                choice.mode.as_str(),
                cell(&choice.origin)
            ),
            Err(_) => "no mode".to_string(),
        });
        facts.push(match &evaluation.suite.origin {
            Some(path) => format!("suite {}", cell(path.as_str())),
            None => "the built-in suite".to_string(),
        });
    }
    match (run.started_at.as_deref(), run.finished_at.as_deref()) {
        (Some(start), Some(end)) if !start.is_empty() || !end.is_empty() => {
            facts.push(format!("{} → {}", cell(start), cell(end)));
        }
        _ => {}
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}\n", facts.join(" · "));
    }
    for judged in &overview.run_cases {
        let status = Status::of(Some(judged));
        if status != Status::Pass {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                mark(status),
                code(&judged.name),
                cell(headline(&judged.verdict).unwrap_or_default())
            );
        }
    }
    if overview
        .run_cases
        .iter()
        .any(|judged| !judged.verdict.passed())
    {
        out.push('\n');
    }
    if !overview.scenarios.is_empty() {
        out.push_str("| scenario | status | failing checks |\n| --- | --- | --- |\n");
        for view in &overview.scenarios {
            let mut failing: Vec<String> = Vec::new();
            if let Some(exit) = view.exit.filter(|exit| !exit.verdict.passed()) {
                // The reference's words and which process exited how, without the paths.
                let text = overview::said(&exit.verdict).unwrap_or_default();
                failing.push(format!("{}: {}", code("process_exit"), cell(&text)));
            }
            for check in &view.checks {
                let Some(judged) = check.judged.filter(|judged| !judged.verdict.passed()) else {
                    continue;
                };
                // A failure by the model's own violation (value and limit); an error by
                // the test's first line, which says why the evidence is missing.
                let verdict = check.check.verdict(Strictness::Strict);
                let text = match (&judged.verdict, verdict.text()) {
                    (Verdict::Failure(_), Some(violation)) => violation,
                    _ => headline(&judged.verdict).unwrap_or_default(),
                };
                failing.push(format!("{}: {}", code(&check.test), cell(text)));
            }
            for (test, judged) in &view.other {
                if !judged.verdict.passed() {
                    let text = headline(&judged.verdict).unwrap_or_default();
                    failing.push(format!("{}: {}", code(test), cell(text)));
                }
            }
            let shown = failing.len().min(CHECKS_NAMED);
            let mut checks = failing[..shown].join("<br>");
            if failing.len() > shown {
                let _ = write!(checks, "<br>and {} more", failing.len() - shown);
            }
            let _ = writeln!(
                out,
                "| {} | {} | {checks} |",
                code(&view.key),
                mark(view.status)
            );
        }
        out.push('\n');
    }
    if overview.not_shown > 0 {
        let _ = writeln!(
            out,
            "{} scenario(s) not shown: their tests did not run.\n",
            overview.not_shown
        );
    }
    out
}

/// Returns `name` as a code span when it is made of plain name characters, else as text.
fn code(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '#' | '.' | '-' | ':'));
    if plain && !name.is_empty() {
        format!("`{name}`")
    } else {
        cell(name)
    }
}

/// Escapes text for a table cell: Markdown punctuation and HTML become literal, line
/// breaks become spaces, so that a hostile id stays text and the table stays whole.
pub fn cell(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let inside_word = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
        match c {
            '&' => out.push_str("&amp;"),
            // Only a `<` before a letter, `/`, `!` or `?` can open HTML: `150 < 200` stays.
            '<' if chars
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')) =>
            {
                out.push_str("&lt;")
            }
            // Between letters or digits `_` never emphasizes: `p99_us` stays readable.
            '_' if inside_word(i.checked_sub(1).and_then(|j| chars.get(j)))
                && inside_word(chars.get(i + 1)) =>
            {
                out.push(c)
            }
            // Inside a line only these start inline markup (`@` a mention on GitHub).
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::case::CaseKind;
    use crate::report::cases::Judged;

    #[test]
    fn many_runs_stay_under_the_bound_and_are_counted() {
        let runs: Vec<Run> = (0..5_000)
            .map(|n| Run {
                name: format!("nightly-{n:04}"),
                evaluation: None,
                judged: vec![Judged {
                    suite: format!("nightly-{n:04}"),
                    name: format!("nightly-{n:04}::manifest"),
                    kind: CaseKind::Unusable {
                        message: "manifest.tsv: no such file".to_string(),
                    },
                    verdict: Verdict::Error("manifest.tsv: no such file".to_string()),
                    evidence: String::new(),
                    time: None,
                }],
                started_at: None,
                finished_at: None,
            })
            .collect();
        let summary = render(&runs);
        assert!(summary.len() <= MAX_BYTES, "{} bytes", summary.len());
        assert!(summary.starts_with("## Fault suite: 5000 runs, 5000 failing\n"));
        // Newest first: without start times, the last run given (the latest) leads.
        assert!(summary.contains("- ⚠️ error `nightly-4999::manifest`: manifest.tsv: no such file"));
        assert!(!summary.contains("`nightly-0000::manifest`"));
        let shown = summary.matches("\n### ").count();
        assert!(summary.contains(&format!(
            "… and {} more runs ({} failing)",
            5_000 - shown,
            5_000 - shown
        )));
    }

    #[test]
    fn cells_keep_hostile_text_as_text() {
        assert_eq!(
            cell("<script>alert(1)</script> a|b\nc 1 < 2"),
            "&lt;script>alert(1)&lt;/script> a\\|b c 1 < 2"
        );
        assert_eq!(code("p99_us_max"), "`p99_us_max`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(cell("p99_us _x_ @team"), "p99_us \\_x\\_ \\@team");
    }
}
