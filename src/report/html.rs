//! The HTML report: one self-contained page over one or more judged runs.
//!
//! Per run a banner (pass or fail), the facts (mode and where it came from,
//! suite, times, counts), the run-wide tests, and per scenario its exit codes,
//! its checks as a table of budget bars with the failing tests' messages, the
//! charts of its checked metrics over the whole run, the trends across runs of
//! its metrics judged against earlier runs, and its evidence paths.
//! Everything is inline (CSS in a `<style>`, pictures as SVG from `svg`): no
//! script, font, image or style sheet is fetched, so the file reads the same
//! offline, in a CI artifact viewer and on paper. Every text from a run is
//! escaped. What is shown is `overview`'s; this module only lays it out.

use crate::eval::case::PROCESS_EXIT;
use crate::eval::chart::{Axis, Chart, MAX_POINTS};
use crate::eval::model::{Evidence, LogStatus, Observed, Scenario};
use crate::input::suite::{Bound, Over};
use crate::report::cases::Judged;
use crate::report::overview::{
    headline, CheckView, Overview, Run, ScenarioView, Status, TrendView,
};
use crate::report::svg::{self, escape, number};
use crate::timestamp;
use std::fmt::Write;

/// The page's style: system fonts, restrained colours, and print rules.
const STYLE: &str = r#"
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #b42318; --fail-bg: #ffebe9;
  --error: #9a6700; --error-bg: #fff8c5; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 20px; margin: 0; }
h3 { font-size: 16px; margin: 0; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.runs { border-collapse: collapse; margin: 0 0 20px; }
.runs td, .runs th { padding: 3px 12px 3px 0; text-align: left; }
section.run { margin: 0 0 36px; }
.banner { display: flex; align-items: center; gap: 14px; padding: 12px 16px; border-radius: 6px 6px 0 0; color: #fff; }
.banner.pass { background: var(--pass); }
.banner.fail { background: var(--fail); }
.banner .verdict { font-weight: 700; font-size: 15px; letter-spacing: .06em; border: 2px solid #fff; border-radius: 4px; padding: 1px 8px; }
.banner .counts { margin-left: auto; font-size: 14px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0; padding: 12px 16px;
  border: 1px solid var(--line); border-top: 0; border-radius: 0 0 6px 6px; background: var(--soft); }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; min-width: 44px; text-align: center; font-size: 11.5px; font-weight: 700;
  text-transform: uppercase; letter-spacing: .04em; border-radius: 10px; padding: 1px 8px; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
.badge.error { color: var(--error); background: var(--error-bg); }
.badge.notrun { color: var(--muted); background: var(--soft); }
.scenario { margin: 22px 0 0; padding: 14px 16px; border: 1px solid var(--line); border-left-width: 5px; border-radius: 6px; }
.scenario.pass { border-left-color: var(--pass); }
.scenario.fail { border-left-color: var(--fail); }
.scenario.error { border-left-color: var(--error); }
.scenario .name { color: var(--muted); font-weight: 400; }
.meta { color: var(--muted); margin: 4px 0 10px; }
table.checks { border-collapse: collapse; width: 100%; margin: 6px 0; }
.checks th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 4px 8px; }
.checks td { padding: 5px 8px; border-bottom: 1px solid #eaeef2; vertical-align: middle; }
.checks td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.checks tr.message td { border-bottom: 1px solid var(--line); padding-top: 0; }
.checks .over { color: var(--muted); font-size: 12px; }
pre { margin: 4px 0; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; border-radius: 4px; }
pre.fail { background: var(--fail-bg); border-left: 3px solid var(--fail); }
pre.error { background: var(--error-bg); border-left: 3px solid var(--error); }
.failures { margin: 14px 0 0; padding: 10px 16px; border: 1px solid #f1b8b1; border-left: 5px solid var(--fail); border-radius: 6px; background: #fff8f7; }
.failures h4 { margin: 0 0 4px; font-size: 14px; }
.failures ul { margin: 0; padding: 0; list-style: none; }
.failures li { margin: 4px 0; overflow-wrap: anywhere; }
.failures a { color: var(--ink); font-weight: 600; }
.cases { list-style: none; padding: 0; margin: 12px 0 0; }
.cases li { margin: 4px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 16px 28px; margin: 14px 0 6px; }
.failures .charts { margin-bottom: 2px; }
figure { margin: 0; break-inside: avoid; }
figcaption { font-size: 12.5px; color: var(--muted); margin: 0 0 2px; }
figcaption code { color: var(--ink); font-weight: 600; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; }
svg.chart .tick { fill: var(--muted); }
svg.chart .limit { fill: var(--ink); font-weight: 600; }
svg.chart .crossed { fill: var(--fail); font-weight: 600; }
svg.chart .judged { font-weight: 700; }
svg.bar { display: block; }
.legend { font-size: 12px; color: var(--muted); margin: 2px 0 0; }
.evidence { margin: 10px 0 0; font-size: 12.5px; color: var(--muted); }
.evidence li { overflow-wrap: anywhere; }
.hook { display: none; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; margin-top: 30px; }
@media print {
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  .scenario, section.run { break-inside: auto; }
  .banner, figure, tr { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
}
"#;

/// Renders the report of `runs`; `written_by` names the face that wrote it.
pub fn render(runs: &[Run<'_>], written_by: &str) -> String {
    let overviews: Vec<Overview> = runs.iter().map(Overview::of).collect();
    let failing = overviews.iter().filter(|overview| !overview.passed).count();
    let title = match overviews.as_slice() {
        [one] => format!(
            "{}: {}",
            one.run.name,
            if one.passed { "pass" } else { "fail" }
        ),
        _ => format!("{} runs, {failing} failing", overviews.len()),
    };
    let mut page = String::with_capacity(64 << 10);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Fault suite report — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
<h1>Fault suite report</h1>\n<p class=\"sub\">{} judged by {}; verdicts as the tests give them</p>\n",
        escape(&title),
        match overviews.len() {
            1 => "1 run".to_string(),
            n => format!("{n} runs"),
        },
        escape(written_by)
    );
    if overviews.len() > 1 {
        page.push_str(
            "<table class=\"runs\"><tr><th>run</th><th>status</th><th>scenarios</th></tr>\n",
        );
        for (index, overview) in overviews.iter().enumerate() {
            let status = if overview.passed {
                Status::Pass
            } else {
                Status::Failure
            };
            let _ = writeln!(
                page,
                "<tr><td><a href=\"#run-{}\">{}</a></td><td>{}</td><td>{} of {} pass</td></tr>",
                index + 1,
                escape(&overview.run.name),
                badge(status),
                overview.scenarios_passed(),
                overview.scenarios.len()
            );
        }
        page.push_str("</table>\n");
    }
    for (index, overview) in overviews.iter().enumerate() {
        run_section(&mut page, index + 1, overview);
    }
    let _ = write!(
        page,
        "<footer>Written by {} (fault-harness {}). Verdicts are the tests' (a metric that never appeared is an error). \
Self-contained: nothing is fetched to show this page.</footer>\n</main>\n</body>\n</html>\n",
        escape(written_by),
        env!("CARGO_PKG_VERSION")
    );
    page
}

/// Words a duration: `850 ms`, `42.5 s`, `6 min 10 s`, `2 h 5 min`.
fn duration_words(ms: i64) -> String {
    let seconds = ms / 1000;
    match ms {
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms if ms < 3_600_000 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, seconds / 60 % 60),
    }
}

/// Returns a status badge.
fn badge(status: Status) -> String {
    let class = match status {
        Status::Pass => "pass",
        Status::Failure => "fail",
        Status::Error => "error",
        Status::NotRun => "notrun",
    };
    format!("<span class=\"badge {class}\">{}</span>", status.word())
}

/// Writes one run: banner, facts, run-wide tests, scenarios.
fn run_section(page: &mut String, number_of_run: usize, overview: &Overview<'_>) {
    let run = overview.run;
    let class = if overview.passed { "pass" } else { "fail" };
    let counts = overview.counts;
    let total = counts.passed + counts.failed + counts.errors;
    let mut tally = format!(
        "{} of {} scenarios pass · {} of {total} tests pass",
        overview.scenarios_passed(),
        overview.scenarios.len(),
        counts.passed
    );
    if counts.failed > 0 {
        let _ = write!(tally, " · {} failed", counts.failed);
    }
    if counts.errors > 0 {
        let noun = if counts.errors == 1 {
            "error"
        } else {
            "errors"
        };
        let _ = write!(tally, " · {} {noun}", counts.errors);
    }
    let _ = write!(
        page,
        "<section class=\"run\" id=\"run-{number_of_run}\">\n<div class=\"banner {class}\"><span class=\"verdict\">{}</span>\
<h2>{}</h2><span class=\"counts\">{tally}</span></div>\n<dl class=\"facts\">\n",
        if overview.passed { "PASS" } else { "FAIL" },
        escape(&run.name)
    );
    let mut fact = |term: &str, value: String| {
        let _ = writeln!(page, "<dt>{term}</dt><dd>{value}</dd>");
    };
    if let Some(evaluation) = run.evaluation {
        fact(
            "mode",
            match evaluation.settled_mode() {
                Ok(choice) => format!(
                    "<b>{}</b> (from {})",
                    escape(choice.mode.as_str()),
                    escape(&choice.origin)
                ),
                Err(why) => format!("none: {}", escape(why)),
            },
        );
        fact(
            "suite",
            match &evaluation.suite.origin {
                Some(path) => format!("<span class=\"mono\">{}</span>", escape(path.as_str())),
                None => "built in (the reference's table)".to_string(),
            },
        );
    }
    let time = |value: &Option<String>| match value.as_deref() {
        Some(text) if !text.is_empty() => escape(text),
        _ => "not recorded".to_string(),
    };
    fact("started", time(&run.started_at));
    fact("finished", time(&run.finished_at));
    let instant = |value: &Option<String>| {
        value
            .as_deref()
            .and_then(|text| timestamp::leading(text.as_bytes()))
    };
    if let (Some(start), Some(end)) = (instant(&run.started_at), instant(&run.finished_at)) {
        if end >= start {
            fact("took", duration_words(end - start));
        }
    }
    if let Some(evaluation) = run.evaluation {
        fact(
            "run directory",
            format!(
                "<span class=\"mono\">{}</span>",
                escape(evaluation.dir.as_str())
            ),
        );
    }
    if overview.not_shown > 0 {
        fact(
            "not shown",
            format!(
                "{} scenario(s) whose tests did not run (filtered out)",
                overview.not_shown
            ),
        );
    }
    page.push_str("</dl>\n");
    failures(page, number_of_run, overview);
    if !overview.run_cases.is_empty() {
        page.push_str("<ul class=\"cases\">\n");
        for judged in &overview.run_cases {
            let status = Status::of(Some(judged));
            let _ = write!(
                page,
                "<li>{} <code>{}</code>",
                badge(status),
                escape(&judged.name)
            );
            message(page, status, judged.verdict.text());
            page.push_str("</li>\n");
        }
        page.push_str("</ul>\n");
    }
    for (index, view) in overview.scenarios.iter().enumerate() {
        scenario_section(page, number_of_run, index + 1, view);
    }
    page.push_str("</section>\n");
}

/// Lists what did not pass, first thing under the run's facts: each failing or erring
/// test of a scenario with its violation and when the metric first crossed its limit,
/// linked to the scenario, and the charts of the first few failing checks.
fn failures(page: &mut String, number_of_run: usize, overview: &Overview<'_>) {
    const CHARTS_SHOWN: usize = 4;
    let mut items = String::new();
    let mut charts = String::new();
    let mut charted = 0;
    for (index, view) in overview.scenarios.iter().enumerate() {
        let mut item = |test: &str, judged: Option<&Judged>, check: Option<&CheckView<'_>>| {
            let status = Status::of(judged);
            let (Some(judged), Status::Failure | Status::Error) = (judged, status) else {
                return;
            };
            let when = check
                .and_then(|check| check.chart)
                .and_then(|chart| Some((chart, chart.first_crossed.as_ref()?)))
                .map_or(String::new(), |(chart, first)| {
                    format!(
                        " <b>First past the limit: {}.</b>",
                        escape(&svg::place(chart, first))
                    )
                });
            let _ = writeln!(
                items,
                "<li>{} <a href=\"#run-{number_of_run}-scenario-{}\">{}</a> <code>{}</code>: {}{when}</li>",
                badge(status),
                index + 1,
                escape(&view.key),
                escape(test),
                escape(headline(&judged.verdict).unwrap_or_default())
            );
            if let Some(check) = check.filter(|check| check.chart.is_some()) {
                if charted < CHARTS_SHOWN {
                    figure(&mut charts, view.scenario, check);
                    charted += 1;
                }
            }
        };
        item(PROCESS_EXIT, view.exit, None);
        for check in &view.checks {
            item(&check.test, check.judged, Some(check));
        }
        for (test, judged) in &view.other {
            item(test, Some(judged), None);
        }
        for trend in &view.trends {
            if trend.status() == Status::Failure && charted < CHARTS_SHOWN {
                trend_figure(&mut charts, trend);
                charted += 1;
            }
        }
    }
    if !items.is_empty() {
        let _ = write!(
            page,
            "<div class=\"failures\"><h4>What did not pass</h4>\n<ul>\n{items}</ul>\n"
        );
        if !charts.is_empty() {
            let _ = write!(page, "<div class=\"charts\">\n{charts}</div>\n");
        }
        page.push_str("</div>\n");
    }
}

/// Writes a failing or erring test's full message.
fn message(page: &mut String, status: Status, text: Option<&str>) {
    if let (Some(text), Status::Failure | Status::Error) = (text, status) {
        let class = if status == Status::Failure {
            "fail"
        } else {
            "error"
        };
        let _ = write!(page, "<pre class=\"{class}\">{}</pre>", escape(text));
    }
}

/// Writes one scenario: heading, exit codes, checks, charts, evidence.
fn scenario_section(page: &mut String, run: usize, index: usize, view: &ScenarioView<'_>) {
    let ScenarioView {
        key,
        scenario,
        exit,
        checks,
        other,
        status,
        trends,
    } = view;
    let class = match status {
        Status::Pass | Status::NotRun => "pass",
        Status::Failure => "fail",
        Status::Error => "error",
    };
    let _ = write!(
        page,
        "<section class=\"scenario {class}\" id=\"run-{run}-scenario-{index}\">\n<h3>{} <span>{}</span>",
        badge(*status),
        escape(key)
    );
    if !scenario.row.name().is_empty() {
        let _ = write!(
            page,
            " <span class=\"name\">{}</span>",
            escape(scenario.row.name())
        );
    }
    page.push_str("</h3>\n");
    let exit_codes = &scenario.exit;
    let exit_status = Status::of(*exit);
    let duration = match scenario.duration_ms.to_i64() {
        Some(ms) => duration_words(ms),
        None => format!("{} ms", escape(&scenario.duration_ms.to_string())),
    };
    let _ = writeln!(
        page,
        "<p class=\"meta\">{} exit codes: sim <b>{}</b> · streamer <b>{}</b> · tester <b>{}</b> · took {duration} · manifest line {}</p>",
        badge(exit_status),
        escape(&exit_codes.sim.code.to_string()),
        escape(&exit_codes.streamer.code.to_string()),
        escape(&exit_codes.tester.code.to_string()),
        scenario.row.line
    );
    message(
        page,
        exit_status,
        exit.and_then(|judged| judged.verdict.text()),
    );
    if !checks.is_empty() || !other.is_empty() {
        page.push_str(
            "<table class=\"checks\">\n<tr><th>check</th><th>status</th><th class=\"num\">value</th>\
<th class=\"num\">limit</th><th>value against limit</th><th>note</th></tr>\n",
        );
        for check in checks {
            check_row(page, check);
        }
        for (test, judged) in other {
            other_row(page, test, judged);
        }
        page.push_str("</table>\n");
    }
    let charted: Vec<&CheckView> = checks
        .iter()
        .filter(|check| check.chart.is_some())
        .collect();
    if !charted.is_empty() {
        page.push_str("<div class=\"charts\">\n");
        for check in charted {
            figure(page, scenario, check);
        }
        page.push_str("</div>\n");
    }
    if !trends.is_empty() {
        page.push_str("<div class=\"charts\">\n");
        for trend in trends {
            trend_figure(page, trend);
        }
        page.push_str("</div>\n");
    }
    evidence(page, scenario);
    page.push_str("</section>\n");
}

/// Writes a metric's trend across runs, coloured by its regression test's verdict.
fn trend_figure(page: &mut String, view: &TrendView<'_>) {
    let trend = &view.trend;
    let failed = matches!(view.status(), Status::Failure | Status::Error);
    let runs = trend.window.len();
    let _ = write!(
        page,
        "<figure>\n<figcaption><code>{}</code> across runs · the {} run{} before and this one</figcaption>\n{}",
        escape(&trend.metric),
        number(runs as f64),
        if runs == 1 { "" } else { "s" },
        svg::trend_chart(trend, failed)
    );
    let words = match trend.boundary {
        Some(_) => "Each dot is a run's last value of the metric; the dashed line is the boundary the window sets (past it the test fails), the dotted one the window's median.",
        None => "Each dot is a run's last value of the metric; too few runs came before to judge this one.",
    };
    let _ = write!(page, "<p class=\"legend\">{words}</p>\n</figure>\n");
}

/// Returns the value a check's bar shows: the value read for a limit on the last line,
/// the worst for one over all lines; `None` where there is none.
fn shown_value(check: &CheckView<'_>) -> Option<f64> {
    match &check.check.observed {
        Observed::Value(value) => Some(value.to_f64()),
        Observed::All(series) => series.worst.as_ref().map(|worst| worst.value.to_f64()),
        Observed::Missing | Observed::Invalid { .. } | Observed::Cut { .. } => None,
    }
}

/// Writes a check's row (and its message's row when its test did not pass).
fn check_row(page: &mut String, view: &CheckView<'_>) {
    let spec = &view.check.spec;
    let status = view.status();
    let failed = matches!(status, Status::Failure | Status::Error);
    let over = match spec.over {
        Over::All => " <span class=\"over\">every line</span>",
        Over::Last => "",
    };
    let value = shown_value(view);
    let value_text = match (&view.check.observed, value) {
        (Observed::Invalid { value }, _) => escape(&value.text()),
        (_, Some(value)) => number(value),
        (_, None) => "—".to_string(),
    };
    let limit_text = match spec.limit {
        Some(limit) => svg::limit_words(spec.bound, limit),
        None => "no mode".to_string(),
    };
    let bar = match (value, spec.limit) {
        (Some(value), Some(limit)) => {
            svg::budget_bar(&spec.metric, value, limit, spec.bound, failed)
        }
        _ => String::new(),
    };
    let _ = writeln!(
        page,
        "<tr><td><code>{}</code>{over}</td><td>{}</td><td class=\"num\">{value_text}</td><td class=\"num\">{limit_text}</td><td>{bar}</td><td>{}</td></tr>",
        escape(&view.test),
        badge(status),
        note(view, value)
    );
    if failed {
        page.push_str("<tr class=\"message\"><td colspan=\"6\">");
        message(
            page,
            status,
            view.judged.and_then(|judged| judged.verdict.text()),
        );
        page.push_str("</td></tr>\n");
    }
}

/// Writes the row of a test that is no threshold check (one judged against earlier
/// runs), with its first line, and its whole message when it did not pass.
fn other_row(page: &mut String, test: &str, judged: &Judged) {
    let status = Status::of(Some(judged));
    let words = match headline(&judged.verdict) {
        Some(line) => escape(line),
        None => "passed".to_string(),
    };
    let _ = writeln!(
        page,
        "<tr><td><code>{}</code></td><td>{}</td><td colspan=\"4\">{words}</td></tr>",
        escape(test),
        badge(status)
    );
    if matches!(status, Status::Failure | Status::Error) {
        page.push_str("<tr class=\"message\"><td colspan=\"6\">");
        message(page, status, judged.verdict.text());
        page.push_str("</td></tr>\n");
    }
}

/// Says how far a value is from its limit, or how many lines crossed it.
fn note(view: &CheckView<'_>, value: Option<f64>) -> String {
    let spec = &view.check.spec;
    if let Observed::All(series) = &view.check.observed {
        return match (series.lines, series.crossed) {
            (0, _) => "no line holds it".to_string(),
            (lines, 0) => format!("{} lines, none past the limit", number(lines as f64)),
            (lines, crossed) => format!(
                "past the limit on {} of {} lines",
                number(crossed as f64),
                number(lines as f64)
            ),
        };
    }
    let (Some(value), Some(limit)) = (value, spec.limit) else {
        return String::new();
    };
    let limit = limit as f64;
    if limit == 0.0 {
        return String::new();
    }
    let share = value / limit * 100.0;
    let side = spec.bound.as_str();
    match spec.bound {
        Bound::Max if value > limit => format!("{:.0}% over the max", share - 100.0),
        Bound::Min if value < limit => format!("{:.0}% under the min", 100.0 - share),
        _ if share >= 1000.0 => format!("{}× the {side}", number((share / 100.0).round())),
        _ if share >= 200.0 => format!("{:.1}× the {side}", share / 100.0),
        _ => format!("{share:.0}% of the {side}"),
    }
}

/// Writes the chart of a checked metric with its caption and legend.
fn figure(page: &mut String, scenario: &Scenario, view: &CheckView<'_>) {
    let Some(chart) = view.chart else {
        return;
    };
    let spec = &view.check.spec;
    let failed = matches!(view.status(), Status::Failure | Status::Error);
    let token = chart.token.as_deref().unwrap_or("any token");
    let drawn = if chart.points.len() as u64 >= chart.lines {
        format!(
            "{} {}, all drawn",
            number(chart.lines as f64),
            if chart.lines == 1 { "line" } else { "lines" }
        )
    } else {
        format!(
            "{} lines, {} drawn (each stretch's lowest and highest kept; at most {MAX_POINTS})",
            number(chart.lines as f64),
            number(chart.points.len() as f64)
        )
    };
    let _ = write!(
        page,
        "<figure>\n<figcaption><code>{}</code> over the run · {} · {drawn}</figcaption>\n",
        escape(&spec.metric),
        escape(token)
    );
    page.push_str(&svg::line_chart(
        chart,
        &svg::Marks {
            metric: &spec.metric,
            bound: spec.bound,
            limit: spec.limit,
            failed,
        },
    ));
    legend(page, scenario, chart, view);
    page.push_str("</figure>\n");
}

/// Writes what a chart's axes and marks mean.
fn legend(page: &mut String, scenario: &Scenario, chart: &Chart, view: &CheckView<'_>) {
    let mut parts = vec![match chart.axis {
        Axis::Time => "x: time (UTC)".to_string(),
        Axis::Offset => format!(
            "x: byte offset in {} (no timestamps in order)",
            escape(scenario.files.streamer_log.shown())
        ),
    }];
    if let Some(limit) = view.check.spec.limit {
        parts.push(format!(
            "dashed: limit {}",
            escape(&svg::limit_words(view.check.spec.bound, limit))
        ));
    }
    if chart.crossed > 0 {
        parts.push(format!(
            "dots: {} of {} lines past it",
            number(chart.crossed as f64),
            number(chart.lines as f64)
        ));
    }
    if let Some(judged) = &chart.judged {
        let which = match view.check.spec.over {
            Over::All => "worst line",
            Over::Last => "last line",
        };
        parts.push(format!(
            "ring: judged {}, the {which}, at {}",
            number(judged.value),
            escape(&svg::place(chart, judged))
        ));
    }
    let _ = writeln!(page, "<p class=\"legend\">{}</p>", parts.join(" · "));
}

/// Writes a scenario's evidence files.
fn evidence(page: &mut String, scenario: &Scenario) {
    let files = &scenario.files;
    let streamer = match &scenario.log {
        LogStatus::Read { len } => format!(" ({} bytes)", number(*len as f64)),
        LogStatus::Unnamed => " (none named)".to_string(),
        LogStatus::Missing => " (not found)".to_string(),
        LogStatus::NotAFile { kind } => format!(" ({kind}, not a regular file)"),
        LogStatus::Unreadable { reason } => format!(" (unreadable: {})", escape(reason)),
        LogStatus::Refused => " (refused: leads out of the run directory)".to_string(),
    };
    let path = |evidence: &Option<Evidence>| {
        let Some(evidence) = evidence else {
            return "(not looked for)".to_string();
        };
        let found = if evidence.found || evidence.named.is_empty() {
            ""
        } else {
            " (not found)"
        };
        format!(
            "<span class=\"mono\">{}</span>{found}",
            escape(evidence.shown())
        )
    };
    let _ = write!(
        page,
        "<ul class=\"evidence\"><li>streamer log: <span class=\"mono\">{}</span>{streamer}</li><li>sim log: {}</li><li>tester log: {}</li>",
        escape(files.streamer_log.shown()),
        path(&files.sim_log),
        path(&files.tester_log)
    );
    if !scenario.row.sdp_path().is_empty() {
        let _ = write!(
            page,
            "<li>SDP: <span class=\"mono\">{}</span></li>",
            escape(scenario.row.sdp_path())
        );
    }
    page.push_str("</ul>\n");
}
