//! The HTML report: one self-contained page over one or more judged runs.
//!
//! Per run a banner (pass or fail), the facts (mode and where it came from,
//! suite, times, counts), the run-wide tests, and per scenario its exit codes,
//! its checks as a table of budget bars with the failing tests' messages, the
//! charts of its checked metrics over the whole run, the trends across runs of
//! its metrics judged against earlier runs, and its evidence paths.
//! Everything is inline (CSS in a `<style>`, pictures as SVG from `svg`): no
//! script, font, image or style sheet is fetched, so the file reads the same
//! offline, in a CI artifact viewer and on paper. Passing scenarios are folded
//! (`<details>`), failing ones open, and print unfolds them all. Runs are shown
//! newest first. Markup is [`Html`]: every text from a run is escaped by type.
//! What is shown is `overview`'s; this module only lays it out.

use crate::eval::case::PROCESS_EXIT;
use crate::eval::chart::{Axis, Chart, MAX_POINTS};
use crate::eval::model::{Evidence, LogStatus, Observed, Scenario};
use crate::html;
use crate::input::suite::{Bound, Over};
use crate::report::cases::Judged;
use crate::report::markup::Html;
use crate::report::overview::{
    self, headline, CheckView, Overview, Run, ScenarioView, Status, TrendView,
};
use crate::report::svg::{self, number};
use crate::timestamp;

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
.scenario > summary { list-style: none; cursor: pointer; }
.scenario > summary::-webkit-details-marker { display: none; }
.scenario > summary h3::before { content: "▸"; color: var(--muted); width: 10px; }
.scenario[open] > summary h3::before { content: "▾"; }
.scenario .tally { color: var(--muted); font-weight: 400; font-size: 13px; }
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
  /* Paper cannot unfold a scenario: print shows every one whole. */
  details.scenario::details-content { content-visibility: visible; display: contents; }
  .scenario > summary h3::before { content: none; }
}
"#;

/// Renders the report of `runs`, the newest first; `written_by` names the face that wrote it.
pub fn render(runs: &[Run<'_>], written_by: &str) -> String {
    let overviews: Vec<Overview> = overview::newest_first(runs)
        .into_iter()
        .map(Overview::of)
        .collect();
    let failing = overviews.iter().filter(|overview| !overview.passed).count();
    let title = match overviews.as_slice() {
        [one] => format!(
            "{}: {}",
            one.run.name,
            if one.passed { "pass" } else { "fail" }
        ),
        _ => format!("{} runs, {failing} failing", overviews.len()),
    };
    let mut page = Html::new();
    html!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Fault suite report — {}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n\
<h1>Fault suite report</h1>\n<p class=\"sub\">{} judged by {}; verdicts as the tests give them{}</p>\n",
        title,
        Html::literal(STYLE),
        match overviews.len() {
            1 => "1 run".to_string(),
            n => format!("{n} runs"),
        },
        written_by,
        if overviews.len() > 1 { ", the newest first" } else { "" }
    );
    if overviews.len() > 1 {
        page.push_literal(
            "<table class=\"runs\"><tr><th>run</th><th>status</th><th>scenarios</th></tr>\n",
        );
        for (index, overview) in overviews.iter().enumerate() {
            let status = if overview.passed {
                Status::Pass
            } else {
                Status::Failure
            };
            html!(
                page,
                "<tr><td><a href=\"#run-{}\">{}</a></td><td>{}</td><td>{} of {} pass</td></tr>\n",
                index + 1,
                overview.run.name,
                badge(status),
                overview.scenarios_passed(),
                overview.scenarios.len()
            );
        }
        page.push_literal("</table>\n");
    }
    for (index, overview) in overviews.iter().enumerate() {
        run_section(&mut page, index + 1, overview);
    }
    html!(
        page,
        "<footer>Written by {} (fault-harness {}). Verdicts are the tests' (a metric that never appeared is an error). \
Self-contained: nothing is fetched to show this page.</footer>\n</main>\n</body>\n</html>\n",
        written_by,
        env!("CARGO_PKG_VERSION")
    );
    page.into_string()
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
fn badge(status: Status) -> Html {
    let class = match status {
        Status::Pass => "pass",
        Status::Failure => "fail",
        Status::Error => "error",
        Status::NotRun => "notrun",
    };
    html!("<span class=\"badge {}\">{}</span>", class, status.word())
}

/// Returns text in the page's monospace face.
fn mono(text: &str) -> Html {
    html!("<span class=\"mono\">{}</span>", text)
}

/// Writes one run: banner, facts, run-wide tests, scenarios.
fn run_section(page: &mut Html, number_of_run: usize, overview: &Overview<'_>) {
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
        tally.push_str(&format!(" · {} failed", counts.failed));
    }
    if counts.errors > 0 {
        let noun = if counts.errors == 1 {
            "error"
        } else {
            "errors"
        };
        tally.push_str(&format!(" · {} {noun}", counts.errors));
    }
    html!(
        page,
        "<section class=\"run\" id=\"run-{}\">\n<div class=\"banner {}\"><span class=\"verdict\">{}</span>\
<h2>{}</h2><span class=\"counts\">{}</span></div>\n<dl class=\"facts\">\n",
        number_of_run,
        class,
        if overview.passed { "PASS" } else { "FAIL" },
        run.name,
        tally
    );
    let mut fact = |term: &'static str, value: Html| {
        html!(page, "<dt>{}</dt><dd>{}</dd>\n", term, value);
    };
    if let Some(evaluation) = run.evaluation {
        fact(
            "mode",
            match evaluation.settled_mode() {
                Ok(choice) => html!("<b>{}</b> (from {})", choice.mode.as_str(), choice.origin),
                Err(why) => html!("none: {}", why),
            },
        );
        fact(
            "suite",
            match &evaluation.suite.origin {
                Some(path) => mono(path.as_str()),
                None => Html::literal("built in (the reference's table)"),
            },
        );
    }
    let time = |value: &Option<String>| match value.as_deref() {
        Some(text) if !text.is_empty() => Html::text(text),
        _ => Html::literal("not recorded"),
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
            fact("took", Html::text(&duration_words(end - start)));
        }
    }
    if let Some(evaluation) = run.evaluation {
        fact("run directory", mono(evaluation.dir.as_str()));
    }
    if overview.not_shown > 0 {
        fact(
            "not shown",
            html!(
                "{} scenario(s) whose tests did not run (filtered out)",
                overview.not_shown
            ),
        );
    }
    page.push_literal("</dl>\n");
    failures(page, number_of_run, overview);
    if !overview.run_cases.is_empty() {
        page.push_literal("<ul class=\"cases\">\n");
        for judged in &overview.run_cases {
            let status = Status::of(Some(judged));
            html!(page, "<li>{} <code>{}</code>", badge(status), judged.name);
            message(page, status, judged.verdict.text());
            page.push_literal("</li>\n");
        }
        page.push_literal("</ul>\n");
    }
    for (index, view) in overview.scenarios.iter().enumerate() {
        scenario_section(page, number_of_run, index + 1, view);
    }
    page.push_literal("</section>\n");
}

/// Lists what did not pass, first thing under the run's facts: each failing or erring
/// test of a scenario with its violation and, for a limit judged on every line, when
/// the metric first crossed it, linked to the scenario, and the charts of the first
/// few failing checks.
fn failures(page: &mut Html, number_of_run: usize, overview: &Overview<'_>) {
    const CHARTS_SHOWN: usize = 4;
    let mut items = Html::new();
    let mut charts = Html::new();
    let mut charted = 0;
    for (index, view) in overview.scenarios.iter().enumerate() {
        let mut item = |test: &str, judged: Option<&Judged>, check: Option<&CheckView<'_>>| {
            let status = Status::of(judged);
            let (Some(judged), Status::Failure | Status::Error) = (judged, status) else {
                return;
            };
            // An exit says which process exited how on its second line: both are shown.
            let words = match test {
                PROCESS_EXIT => overview::said(&judged.verdict).unwrap_or_default(),
                _ => headline(&judged.verdict).unwrap_or_default().to_string(),
            };
            let when = check
                .filter(|check| check.check.spec.over == Over::All)
                .and_then(|check| check.chart)
                .and_then(|chart| Some((chart, chart.first_crossed.as_ref()?)))
                .map_or(Html::new(), |(chart, first)| {
                    html!(
                        " <b>First past the limit: {}.</b>",
                        svg::place(chart, first)
                    )
                });
            html!(
                items,
                "<li>{} <a href=\"#run-{}-scenario-{}\">{}</a> <code>{}</code>: {}{}</li>\n",
                badge(status),
                number_of_run,
                index + 1,
                view.key,
                test,
                words,
                when
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
        html!(
            page,
            "<div class=\"failures\"><h4>What did not pass</h4>\n<ul>\n{}</ul>\n",
            items
        );
        if !charts.is_empty() {
            html!(page, "<div class=\"charts\">\n{}</div>\n", charts);
        }
        page.push_literal("</div>\n");
    }
}

/// Writes a failing or erring test's full message.
fn message(page: &mut Html, status: Status, text: Option<&str>) {
    if let (Some(text), Status::Failure | Status::Error) = (text, status) {
        let class = if status == Status::Failure {
            "fail"
        } else {
            "error"
        };
        html!(page, "<pre class=\"{}\">{}</pre>", class, text);
    }
}

/// Writes one scenario: heading, exit codes, checks, charts, evidence. A scenario whose
/// tests all passed is folded to its heading, one that did not is open.
fn scenario_section(page: &mut Html, run: usize, index: usize, view: &ScenarioView<'_>) {
    let ScenarioView {
        key,
        scenario,
        exit,
        checks,
        other,
        status,
        trends,
    } = view;
    let (class, open) = match status {
        Status::Pass | Status::NotRun => ("pass", ""),
        Status::Failure => ("fail", " open"),
        Status::Error => ("error", " open"),
    };
    let tests = checks.len() + other.len() + usize::from(exit.is_some());
    let passed = checks
        .iter()
        .map(CheckView::status)
        .chain(other.iter().map(|(_, judged)| Status::of(Some(judged))))
        .chain(exit.map(|judged| Status::of(Some(judged))))
        .filter(|status| *status == Status::Pass)
        .count();
    html!(
        page,
        "<details class=\"scenario {}\" id=\"run-{}-scenario-{}\"{}>\n<summary><h3>{} <span>{}</span>",
        class,
        run,
        index,
        Html::literal(open),
        badge(*status),
        key
    );
    if !scenario.row.name().is_empty() {
        html!(page, " <span class=\"name\">{}</span>", scenario.row.name());
    }
    html!(
        page,
        " <span class=\"tally\">{} of {} tests pass</span></h3></summary>\n",
        passed,
        tests
    );
    let exit_codes = &scenario.exit;
    let exit_status = Status::of(*exit);
    let duration = match scenario.duration_ms.to_i64() {
        Some(ms) => duration_words(ms),
        None => format!("{} ms", scenario.duration_ms),
    };
    html!(
        page,
        "<p class=\"meta\">{} exit codes: sim <b>{}</b> · streamer <b>{}</b> · tester <b>{}</b> · took {} · manifest line {}</p>\n",
        badge(exit_status),
        exit_codes.sim.code.to_string(),
        exit_codes.streamer.code.to_string(),
        exit_codes.tester.code.to_string(),
        duration,
        scenario.row.line
    );
    message(
        page,
        exit_status,
        exit.and_then(|judged| judged.verdict.text()),
    );
    if !checks.is_empty() || !other.is_empty() {
        page.push_literal(
            "<table class=\"checks\">\n<tr><th>check</th><th>status</th><th class=\"num\">value</th>\
<th class=\"num\">limit</th><th>value against limit</th><th>note</th></tr>\n",
        );
        for check in checks {
            check_row(page, check);
        }
        for (test, judged) in other {
            let trend = trends
                .iter()
                .find(|trend| std::ptr::eq(trend.judged, *judged));
            other_row(page, test, judged, trend);
        }
        page.push_literal("</table>\n");
    }
    let charted: Vec<&CheckView> = checks
        .iter()
        .filter(|check| check.chart.is_some())
        .collect();
    if !charted.is_empty() {
        page.push_literal("<div class=\"charts\">\n");
        for check in charted {
            figure(page, scenario, check);
        }
        page.push_literal("</div>\n");
    }
    if !trends.is_empty() {
        page.push_literal("<div class=\"charts\">\n");
        for trend in trends {
            trend_figure(page, trend);
        }
        page.push_literal("</div>\n");
    }
    evidence(page, scenario);
    page.push_literal("</details>\n");
}

/// Writes a metric's trend across runs, coloured by its regression test's verdict.
fn trend_figure(page: &mut Html, view: &TrendView<'_>) {
    let trend = &view.trend;
    let failed = matches!(view.status(), Status::Failure | Status::Error);
    let runs = trend.window.len();
    html!(
        page,
        "<figure>\n<figcaption><code>{}</code> across runs · the {} run{} before and this one</figcaption>\n{}",
        trend.metric,
        number(runs as f64),
        if runs == 1 { "" } else { "s" },
        svg::trend_chart(trend, failed)
    );
    let this_run = number(trend.value.to_f64());
    let words = match &trend.boundary {
        Some(boundary) => format!(
            "Each dot is a run's last value of the metric, the ring this run's, {this_run}; dashed: the boundary the window sets, {} (past it the test fails); dotted: the window's median, {}.",
            boundary_words(boundary),
            number(boundary.median.round())
        ),
        None => format!("Each dot is a run's last value of the metric, the ring this run's, {this_run}; too few runs came before to judge this one."),
    };
    html!(page, "<p class=\"legend\">{}</p>\n</figure>\n", words);
}

/// Words a regression boundary as a limit: `≤ 1,200`, `≥ 800`, or `800 to 1,200`.
fn boundary_words(boundary: &crate::eval::regression::Boundary) -> String {
    match (boundary.lower, boundary.upper) {
        (Some(lower), Some(upper)) => {
            format!("{} to {}", number(lower.round()), number(upper.round()))
        }
        (None, Some(upper)) => format!("≤ {}", number(upper.round())),
        (Some(lower), None) => format!("≥ {}", number(lower.round())),
        (None, None) => "none".to_string(),
    }
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
fn check_row(page: &mut Html, view: &CheckView<'_>) {
    let spec = &view.check.spec;
    let status = view.status();
    let failed = matches!(status, Status::Failure | Status::Error);
    let over = match spec.over {
        Over::All => Html::literal(" <span class=\"over\">every line</span>"),
        Over::Last => Html::new(),
    };
    let value = shown_value(view);
    let value_text = match (&view.check.observed, value) {
        (Observed::Invalid { value }, _) => value.text(),
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
        _ => Html::new(),
    };
    html!(
        page,
        "<tr><td><code>{}</code>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
        view.test,
        over,
        badge(status),
        value_text,
        limit_text,
        bar,
        note(view, value)
    );
    if failed {
        page.push_literal("<tr class=\"message\"><td colspan=\"6\">");
        message(
            page,
            status,
            view.judged.and_then(|judged| judged.verdict.text()),
        );
        page.push_literal("</td></tr>\n");
    }
}

/// Writes the row of a test that is no threshold check (one judged against earlier
/// runs): with its trend, the value, the boundary and the window's median, as for a
/// check; its whole message too when it did not pass.
fn other_row(page: &mut Html, test: &str, judged: &Judged, trend: Option<&TrendView<'_>>) {
    let status = Status::of(Some(judged));
    let failed = matches!(status, Status::Failure | Status::Error);
    let headline = headline(&judged.verdict);
    match trend.map(|view| &view.trend) {
        Some(trend) => {
            let value = trend.value.to_f64();
            let runs = trend.window.len();
            let (limit, bar, median) = match &trend.boundary {
                Some(boundary) => {
                    let bar = match (boundary.lower, boundary.upper) {
                        (None, Some(upper)) => svg::budget_bar(
                            &trend.metric,
                            value,
                            upper.round() as i64,
                            Bound::Max,
                            failed,
                        ),
                        (Some(lower), None) => svg::budget_bar(
                            &trend.metric,
                            value,
                            lower.round() as i64,
                            Bound::Min,
                            failed,
                        ),
                        _ => Html::new(),
                    };
                    let median = format!(
                        "median {} of the {} runs before",
                        number(boundary.median.round()),
                        number(runs as f64)
                    );
                    (boundary_words(boundary), bar, median)
                }
                None => (
                    "—".to_string(),
                    Html::new(),
                    format!("too few runs before to judge ({runs})"),
                ),
            };
            let words = match (failed, headline) {
                (true, Some(line)) => line.to_string(),
                _ => median,
            };
            html!(
                page,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
                test,
                badge(status),
                number(value),
                limit,
                bar,
                words
            );
        }
        None => {
            let words = headline.unwrap_or(match status {
                Status::Pass => "passed",
                _ => "",
            });
            html!(
                page,
                "<tr><td><code>{}</code></td><td>{}</td><td colspan=\"4\">{}</td></tr>\n",
                test,
                badge(status),
                words
            );
        }
    }
    if failed {
        page.push_literal("<tr class=\"message\"><td colspan=\"6\">");
        message(page, status, judged.verdict.text());
        page.push_literal("</td></tr>\n");
    }
}

/// Says where a value stands against its limit, as a share of it (`77% of the max`), or
/// how many lines crossed a limit judged on every line.
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
    share_of(value, limit, spec.bound)
}

/// Words `value` as a share of `limit`: `77% of the max`, `3,000% of the min`; empty for
/// a limit of 0, of which no share can be taken.
fn share_of(value: f64, limit: i64, bound: Bound) -> String {
    if limit == 0 {
        return String::new();
    }
    let share = (value / limit as f64 * 100.0).round();
    format!("{}% of the {}", number(share), bound.as_str())
}

/// Writes the chart of a checked metric with its caption and legend.
fn figure(page: &mut Html, scenario: &Scenario, view: &CheckView<'_>) {
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
    html!(
        page,
        "<figure>\n<figcaption><code>{}</code> over the run · {} · {}</figcaption>\n{}",
        spec.metric,
        token,
        drawn,
        svg::line_chart(
            chart,
            &svg::Marks {
                metric: &spec.metric,
                bound: spec.bound,
                limit: spec.limit,
                over: spec.over,
                failed,
            },
        )
    );
    legend(page, scenario, chart, view);
    page.push_literal("</figure>\n");
}

/// Writes what a chart's axes and marks mean.
fn legend(page: &mut Html, scenario: &Scenario, chart: &Chart, view: &CheckView<'_>) {
    let spec = &view.check.spec;
    let mut parts = vec![match chart.axis {
        Axis::Time => "x: time (UTC)".to_string(),
        Axis::Offset => format!(
            "x: byte offset in {} (no timestamps in order)",
            scenario.files.streamer_log.shown()
        ),
    }];
    if let Some(limit) = spec.limit {
        parts.push(format!(
            "dashed: limit {}",
            svg::limit_words(spec.bound, limit)
        ));
    }
    match spec.over {
        Over::All if chart.crossed > 0 => parts.push(format!(
            "dots: {} of {} lines past it",
            number(chart.crossed as f64),
            number(chart.lines as f64)
        )),
        Over::All => {}
        Over::Last => {
            parts.push("the line shows every value; only the last line is judged".to_string())
        }
    }
    if let Some(judged) = &chart.judged {
        let which = match spec.over {
            Over::All => "worst line",
            Over::Last => "last line",
        };
        parts.push(format!(
            "ring: judged {}, the {which}, at {}",
            number(judged.value),
            svg::place(chart, judged)
        ));
    }
    html!(page, "<p class=\"legend\">{}</p>\n", parts.join(" · "));
}

/// Writes a scenario's evidence files.
fn evidence(page: &mut Html, scenario: &Scenario) {
    let files = &scenario.files;
    let streamer = match &scenario.log {
        LogStatus::Read { len } => format!(" ({} bytes)", number(*len as f64)),
        LogStatus::Unnamed => " (none named)".to_string(),
        LogStatus::Missing => " (not found)".to_string(),
        LogStatus::NotAFile { kind } => format!(" ({kind}, not a regular file)"),
        LogStatus::Unreadable { reason } => format!(" (unreadable: {reason})"),
        LogStatus::Refused => " (refused: leads out of the run directory)".to_string(),
    };
    let path = |evidence: &Option<Evidence>| {
        let Some(evidence) = evidence else {
            return Html::literal("(not looked for)");
        };
        let found = if evidence.found || evidence.named.is_empty() {
            ""
        } else {
            " (not found)"
        };
        html!("{}{}", mono(evidence.shown()), found)
    };
    html!(
        page,
        "<ul class=\"evidence\"><li>streamer log: {}{}</li><li>sim log: {}</li><li>tester log: {}</li>",
        mono(files.streamer_log.shown()),
        streamer,
        path(&files.sim_log),
        path(&files.tester_log)
    );
    if !scenario.row.sdp_path().is_empty() {
        html!(page, "<li>SDP: {}</li>", mono(scenario.row.sdp_path()));
    }
    page.push_literal("</ul>\n");
}
