//! The HTML report and the Markdown summary: what they show of a passing and a
//! failing run, that they fetch nothing and keep hostile text as text, that a
//! spike survives decimation, both faces (`--html`/`--markdown` and
//! `FAULT_HTML`/`FAULT_MARKDOWN`), and what Chromium makes of them.

use crate::support::harness::{fault_suite_command, run_in_process};
use crate::support::runs::{copy_run, fault_summary, pages_in, run_bounded, Run, HEADER};
use crate::support::{bless, chromium, crate_root, fixture, fixtures, png, utf8, Scratch};
use fault_harness::eval::chart::{Axis, MAX_POINTS};
use fault_harness::eval::evaluation::{Evaluation, Options};
use fault_harness::harness::Config;
use fault_harness::input::suite::Suite;
use fault_harness::publish::Pages;
use fault_harness::report::svg::{self, Anchor, TextBox};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The bundled sample run.
fn sample_run() -> PathBuf {
    crate_root().join("fault-runs").join("nightly-0305")
}

/// A run with a limit judged over all lines that is crossed mid-run.
fn clock_skew_run() -> PathBuf {
    fixtures("suites").join("clock-skew")
}

/// Both pages of one run, written by `fault-summary` from a copy of the run.
struct Written {
    scratch: Scratch,
    html: String,
    markdown: String,
}

/// Copies the run at `from` to `<scratch>/<name>` and writes its pages from the scratch
/// folder, so that the pages show paths relative to it.
fn pages_of(from: &Path, name: &str) -> Written {
    let scratch = Scratch::new(&format!("report-{name}"));
    copy_run(from, &scratch.path().join(name));
    let (html, markdown) = pages_in(scratch.path(), name);
    Written {
        html,
        markdown,
        scratch,
    }
}

/// Asserts that `html` asks for nothing from anywhere: every literal `<` opens one of
/// the page's own tags (text is escaped), none of them loads a resource, every link is
/// an anchor in the page, and the style sheet imports nothing.
fn assert_self_contained(html: &str) {
    let allowed = [
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "p",
        "table",
        "tr",
        "th",
        "td",
        "a",
        "span",
        "b",
        "code",
        "pre",
        "div",
        "dl",
        "dt",
        "dd",
        "section",
        "details",
        "summary",
        "ul",
        "li",
        "figure",
        "figcaption",
        "footer",
        "svg",
        "rect",
        "line",
        "text",
        "polyline",
        "path",
        "circle",
        "title",
    ];
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let tag = &rest[at + 1..];
        let end = tag.find('>').expect("every tag is closed");
        let inside = &tag[..end];
        let name = inside
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(allowed.contains(&name.as_str()), "tag <{inside}>");
        let lower = inside.to_ascii_lowercase();
        for attribute in [
            " src=",
            " srcset=",
            "xlink:href",
            " style=",
            " on",
            " action=",
        ] {
            assert!(
                !lower.contains(attribute),
                "attribute {attribute} in <{inside}>"
            );
        }
        if let Some(link) = lower.split(" href=\"").nth(1) {
            assert!(link.starts_with('#'), "a link out: <{inside}>");
        }
        rest = &tag[end + 1..];
    }
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("an inline style sheet");
    for fetch in ["url(", "@import", "@font-face"] {
        assert!(!style.contains(fetch), "the style sheet holds {fetch}");
    }
}

/// Where a budget bar draws its shaded zone (from, to), its limit's tick and its value's dot.
struct BarGeometry {
    zone: (f64, f64),
    limit: f64,
    value: f64,
}

impl BarGeometry {
    /// Reads the geometry off a bar's markup.
    fn read(bar: &str) -> BarGeometry {
        let zone = element(bar, "<rect class=\"zone\"");
        let limit = element(bar, "<line class=\"limit\"");
        let value = element(bar, "<circle class=\"value\"");
        let from = attribute(zone, "x");
        BarGeometry {
            zone: (from, from + attribute(zone, "width")),
            limit: attribute(limit, "x1"),
            value: attribute(value, "cx"),
        }
    }
}

/// Returns the element of `markup` that starts with `opening`, up to its end.
fn element<'a>(markup: &'a str, opening: &str) -> &'a str {
    let at = markup
        .find(opening)
        .unwrap_or_else(|| panic!("{opening} in {markup}"));
    let rest = &markup[at..];
    &rest[..rest.find('>').unwrap()]
}

/// Returns the number an attribute of `element` holds.
fn attribute(element: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    let at = element
        .find(&key)
        .unwrap_or_else(|| panic!("{name} in {element}"))
        + key.len();
    let value = &element[at..];
    value[..value.find('"').unwrap()]
        .parse()
        .unwrap_or_else(|err| panic!("{name} in {element}: {err}"))
}

/// Asserts that `page` holds each of `expected`.
fn assert_holds(page: &str, expected: &[&str]) {
    for text in expected {
        assert!(page.contains(text), "{text:?} missing");
    }
}

#[test]
fn the_sample_runs_report_shows_its_facts_checks_and_charts() {
    let pages = pages_of(&sample_run(), "nightly-0305");
    let html = &pages.html;
    assert_self_contained(html);
    assert!(!html.contains("http"), "no URL at all in this run's page");
    assert_eq!(html.matches("<section class=\"run\"").count(), 1);
    assert_holds(
        html,
        &[
            "<div class=\"banner pass\"><span class=\"verdict\">PASS</span><h2>nightly-0305</h2>",
            "3 of 3 scenarios pass · 19 of 19 tests pass",
            "<dt>mode</dt><dd><b>degraded</b> (from nightly-0305/run.json)</dd>",
            "<dt>suite</dt><dd>built in (the reference's table)</dd>",
            "<dt>started</dt><dd>2026-03-05T12:00:00Z</dd>",
            "<dt>finished</dt><dd>2026-03-05T12:06:10Z</dd>",
            "<dt>took</dt><dd>6 min 10 s</dd>",
            // torn_read's last p99_us and its limit, and a passing row's words.
            "<td class=\"num\">1,539</td><td class=\"num\">≤ 2,000</td>",
            "77% of the max",
            "nightly-0305/torn_read/streamer.log</span> (",
            "<code>p99_us</code> over the run · LATENCY_METRICS · 10 lines, all drawn",
            "judged 1,539",
            // One phrasing for every note: a share of the limit, 3,000 of a min of 100.
            "3,000% of the min",
        ],
    );
    assert!(!html.contains("× the"), "notes in one phrasing");
    // Passing scenarios are folded to their headings (no `open`), and print unfolds them.
    assert_eq!(html.matches("<details class=\"scenario pass\"").count(), 3);
    assert!(!html.contains(" open>"), "a passing scenario is folded");
    assert!(
        html.contains("<summary><h3><span class=\"badge pass\">pass</span> <span>torn_read</span>")
    );
    assert!(html.contains("6 of 6 tests pass</span></h3></summary>"));
    let print = &html[html.find("@media print").unwrap()..];
    assert!(print.contains("details.scenario::details-content { content-visibility: visible;"));
    // Five checks per scenario: five bars and five charts each.
    assert_eq!(html.matches("<svg class=\"bar\"").count(), 15);
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 15);
    assert!(!html.contains("What did not pass"));
    assert!(!html.contains("badge fail") && !html.contains("badge error"));
    // Every limit of the built-in suite judges the last line: the counters that start
    // low (torn_read_events from 40 to 446 against a min of 200) are context, not alarms:
    // no dot, no shaded region, no first crossing in any chart.
    assert!(
        !html.contains("<path d=\"M"),
        "no dots on a last-line limit"
    );
    assert!(
        !html.contains("opacity=\"0.6\""),
        "no region shaded on a last-line limit"
    );
    assert!(!html.contains("first past the limit"));
    assert!(html.contains("the line shows every value; only the last line is judged"));
    // Bars read the same way for a min and a max: the shaded zone ends (min) or starts
    // (max) at the limit's tick, and a passing value's dot is on the other side.
    for bar in html.split("<svg class=\"bar\"").skip(1) {
        let bar = &bar[..bar.find("</svg>").unwrap()];
        let geometry = BarGeometry::read(bar);
        if bar.contains("against the min") {
            assert_eq!(geometry.zone.0, 6.0, "{bar}");
            assert!((geometry.zone.1 - geometry.limit).abs() < 0.11, "{bar}");
            assert!(geometry.value > geometry.limit, "{bar}");
        } else {
            assert!((geometry.zone.0 - geometry.limit).abs() < 0.11, "{bar}");
            assert!(geometry.value < geometry.limit, "{bar}");
        }
        assert!(!bar.contains("<rect x"), "no bar covers the zone: {bar}");
    }

    let markdown = &pages.markdown;
    assert!(
        markdown.starts_with("### ✅ nightly-0305: 3 of 3 scenarios pass, 19 of 19 tests\n"),
        "{markdown}"
    );
    for row in [
        "| scenario | status | failing checks |",
        "| `torn_read` | ✅ pass |  |",
        "| `sink_stall` | ✅ pass |  |",
        "| `reset_storm` | ✅ pass |  |",
    ] {
        assert!(
            markdown.lines().any(|line| line == row),
            "{row:?} in {markdown}"
        );
    }
    drop(pages.scratch);
}

#[test]
fn a_failing_runs_report_says_what_failed_by_how_much_and_when() {
    let pages = pages_of(&clock_skew_run(), "clock-skew");
    let html = &pages.html;
    assert_self_contained(html);
    assert_holds(
        html,
        &[
            "<div class=\"banner fail\"><span class=\"verdict\">FAIL</span><h2>clock-skew</h2>",
            "3 of 4 scenarios pass · 22 of 23 tests pass · 1 failed",
            "<dt>suite</dt><dd><span class=\"mono\">clock-skew/fault-suite.json</span></dd>",
            // First under the facts: what failed, by how much, and when.
            "<h4>What did not pass</h4>",
            "<code>p99_us_max</code>: p99_us=3100 &gt; 3000 on 7 of 60 lines; first at line 50, worst 4410 at line 56 (limit p99_us_max of mode degraded in clock-skew/fault-suite.json, mode from clock-skew/run.json) <b>First past the limit: 2026-03-06 02:04:00 UTC.</b>",
            // The failing row: worst value, limit, a red bar, its note and the test's message.
            "<td class=\"num\">4,410</td><td class=\"num\">≤ 3,000</td>",
            "past the limit on 7 of 60 lines",
            "<pre class=\"fail\">p99_us=3100 &gt; 3000 on 7 of 60 lines",
            "first over the limit: clock-skew/clock_skew/streamer.log:50",
            // The chart: the limit, the first crossing, the dots and the judged worst value.
            "max 3,000</text>",
            "first past the limit 02:04:00</text>",
            "judged 4,410</text>",
            "dots: 7 of 60 lines past it",
        ],
    );
    // The failing scenario open, the passing ones folded.
    assert_eq!(html.matches("<details class=\"scenario fail\"").count(), 1);
    assert!(html.contains("<details class=\"scenario fail\" id=\"run-1-scenario-4\" open>"));
    assert_eq!(html.matches("<details class=\"scenario pass\"").count(), 3);
    assert_eq!(html.matches(" open>").count(), 1);
    // The failing check's chart twice: at the top and in its scenario.
    assert_eq!(html.matches("first past the limit 02:04:00").count(), 2);
    // Seven lines past the limit, each a dot (`M x y h0`) in both copies of the chart;
    // clock_skew_events, a counter judged on its last line, starts under its min of 5
    // but passes: no dots there.
    let dots: Vec<&str> = html.split("<path d=\"").skip(1).collect();
    assert_eq!(dots.len(), 2, "two p99_us charts");
    assert_eq!(dots[0].split('"').next().unwrap().matches("h0").count(), 7);

    let markdown = &pages.markdown;
    assert!(
        markdown.starts_with("### ❌ clock-skew: 3 of 4 scenarios pass, 22 of 23 tests\n"),
        "{markdown}"
    );
    let row = "| `clock_skew` | ❌ fail | `p99_us_max`: p99_us=3100 > 3000 on 7 of 60 lines; first at line 50, worst 4410 at line 56 |";
    assert!(markdown.lines().any(|line| line == row), "{markdown}");
    assert!(markdown.contains("mode **degraded** (from clock-skew/run.json) · suite clock-skew/fault-suite.json · 2026-03-06T02:00:00Z → 2026-03-06T02:10:00Z"), "{markdown}");
}

#[test]
fn broken_runs_get_reports_that_fetch_nothing_and_mark_errors() {
    for (name, marked) in [
        ("failing-thresholds", "badge fail"),
        ("failing-exit", "badge fail"),
        ("missing-logs", "badge error"),
        ("missing-metrics", "badge error"),
        ("repeated-scenario", "badge fail"),
    ] {
        let pages = pages_of(&fixture(name), name);
        assert_self_contained(&pages.html);
        assert!(!pages.html.contains("http"), "{name}");
        assert!(pages.html.contains(marked), "{name}: {marked}");
        assert!(pages.html.contains("<div class=\"banner fail\">"), "{name}");
        assert!(
            pages.markdown.starts_with("### ❌ "),
            "{name}: {}",
            pages.markdown
        );
    }
}

#[test]
fn hostile_ids_names_and_log_text_stay_text() {
    let run = Run::good("report-hostile");
    let id = "<script>alert(1)</script>";
    let mut manifest = String::from(HEADER);
    manifest.push_str(&format!(
        "1\t{id}\t<img src=x onerror=alert(2)>\tPASS\t\t1200\t0\t0\t0\ta/sim.log\ttorn_read/streamer.log\ta/tester.log\t\"a|b\"\n"
    ));
    manifest.push_str("2\tsink_stall\t\"Name \"\"quoted\"\" & <b>bold</b>\"\tPASS\t\t1200\t0\t0\t0\ts/sim.log\tsink_stall/streamer.log\ts/tester.log\ts/stream.sdp\n");
    run.write("manifest.tsv", manifest);
    let log = std::fs::read_to_string(run.path("torn_read/streamer.log")).unwrap();
    run.write(
        "torn_read/streamer.log",
        log.replace("p50_us=412", "p50_us=<b>412</b>"),
    );
    let (html, markdown) = pages_in(run.dir(), ".");
    assert_self_contained(&html);
    assert_holds(
        &html,
        &[
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&lt;img src=x onerror=alert(2)&gt;",
            "Name &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;",
            // The value int() rejects and the metric line it stands on, in the message.
            "p50_us=&quot;&lt;b&gt;412&lt;/b&gt;&quot; is not an integer",
            "p50_us=&lt;b&gt;412&lt;/b&gt; p95_us=1380",
        ],
    );
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>412"));

    assert!(!markdown.contains("<script"), "{markdown}");
    assert!(
        markdown.contains("&lt;script>alert(1)&lt;/script>"),
        "{markdown}"
    );
    // Every table row keeps its four cell borders: no `|` of a run's text splits a cell.
    for line in markdown.lines().filter(|line| line.starts_with('|')) {
        let borders = line
            .match_indices('|')
            .filter(|(at, _)| !line[..*at].ends_with('\\'))
            .count();
        assert_eq!(borders, 4, "{line}");
    }
}

#[test]
fn a_spike_in_the_middle_of_a_100000_line_log_survives_decimation() {
    let run = Run::good("report-spike");
    // 100,000 metric lines a second apart, long enough (over 16 MiB) to be read in two
    // halves; one spike at line 50,000, the middle, and one dip at line 70,000.
    let mut log = String::with_capacity(20 << 20);
    // 2026-03-05T12:00:00Z; the log runs into the next day.
    let start = 1_772_712_000i64;
    for line in 1..=100_000i64 {
        let t = start + line;
        let day = 5 + (t - 1_772_668_800) / 86_400;
        let (hh, mm, ss) = (t / 3600 % 24, t / 60 % 60, t % 60);
        let p99 = match line {
            50_000 => 9_999,
            _ => 1_500 + line % 97,
        };
        let samples = if line == 70_000 { 7 } else { 3_000 + line };
        log.push_str(&format!(
            "2026-03-{day:02}T{hh:02}:{mm:02}:{ss:02}.000Z INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us=400 p95_us=1300 p99_us={p99} max_us=5000 ingest_to_emit_samples={samples} drop_ratio_ppm=1000 padding=xxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        ));
    }
    assert!(log.len() > 16 << 20);
    run.write("torn_read/streamer.log", &log);
    let evaluation = Evaluation::open_dir(
        &utf8(run.dir()),
        None,
        Arc::new(Suite::builtin()),
        Options {
            charts: true,
            ..Options::default()
        },
    )
    .unwrap();
    let scenario = evaluation.scenario(0).unwrap();
    let chart_of = |test: &str| {
        let check = scenario
            .checks
            .iter()
            .position(|check| fault_harness::eval::case::check_test(&check.spec) == test)
            .unwrap();
        scenario
            .charts
            .iter()
            .find(|chart| chart.check == check)
            .unwrap()
    };
    let p99 = chart_of("p99_us_max");
    assert_eq!(p99.lines, 100_000);
    assert!(
        p99.points.len() <= MAX_POINTS,
        "{} points",
        p99.points.len()
    );
    assert!(
        p99.points.len() > MAX_POINTS / 2,
        "{} points",
        p99.points.len()
    );
    assert_eq!(p99.axis, Axis::Time);
    let spikes: Vec<_> = p99.points.iter().filter(|p| p.value == 9_999.0).collect();
    assert_eq!(spikes.len(), 1, "the spike is kept");
    assert_eq!(p99.crossed, 1);
    assert_eq!(p99.first_crossed.map(|p| p.value), Some(9_999.0));
    assert_eq!(spikes[0].time, Some((start + 50_000) * 1000));
    let samples = chart_of("ingest_to_emit_samples_min");
    assert!(
        samples.points.iter().any(|p| p.value == 7.0),
        "the dip is kept"
    );
    assert_eq!(samples.first_crossed.map(|p| p.value), Some(7.0));
    // The last line, the one a limit on the last line judges, is marked.
    assert_eq!(
        p99.judged.map(|p| p.value),
        Some((1_500 + 100_000 % 97) as f64)
    );
}

#[test]
fn the_harness_writes_one_report_over_every_run_it_judged() {
    let scratch = Scratch::new("report-harness");
    let html = scratch.utf8().join("report.html");
    let markdown = scratch.utf8().join("summary.md");
    let mut config = Config::new(utf8(fixture("two-runs")));
    config.pages = Pages {
        html: Some(html.clone()),
        markdown: Some(markdown.clone()),
    };
    let ran = run_in_process(&config, &[]);
    assert!(ran.finished.pages_error.is_none());
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    assert_eq!(page.matches("<section class=\"run\"").count(), 2);
    assert!(
        page.contains("<a href=\"#run-1\">alpha</a>")
            && page.contains("<a href=\"#run-2\">beta</a>")
    );
    assert!(page.contains("judged by the fault_suite harness"));
    let summary = std::fs::read_to_string(&markdown).unwrap();
    assert!(summary.starts_with("## Fault suite: 2 runs, "), "{summary}");
    assert_eq!(
        summary.matches("\n### ").count() + usize::from(summary.starts_with("### ")),
        2
    );

    // One test: only its scenario is evaluated, and the page says the rest were not shown.
    let ran = run_in_process(&config, &["--exact", "alpha::torn_read::p99_us_max"]);
    assert_eq!(ran.ran(), ["alpha::torn_read::p99_us_max"]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<section class=\"run\"").count(), 1);
    assert_eq!(page.matches("<details class=\"scenario").count(), 1);
    assert!(
        page.contains("scenario(s) whose tests did not run (filtered out)"),
        "{page}"
    );
}

#[test]
fn tests_judged_against_earlier_runs_show_beside_the_checks() {
    let scratch = Scratch::new("report-history");
    let folder = crate::history::steady_history(&scratch, Some(1410));
    let html = scratch.utf8().join("report.html");
    let markdown = scratch.utf8().join("summary.md");
    let mut config = Config::new(utf8(&folder));
    config.pages = Pages {
        html: Some(html.clone()),
        markdown: Some(markdown.clone()),
    };
    let ran = run_in_process(
        &config,
        &["--exact", "nightly_0312::torn_read::p99_us_regression"],
    );
    assert_eq!(ran.failed(), ["nightly_0312::torn_read::p99_us_regression"]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    let jump = "p99_us=1410 is 47% above the median 960 of the 7 runs before (max +25%)";
    assert_holds(
        &page,
        &[
            "<div class=\"banner fail\">",
            "<details class=\"scenario fail\"",
            // The value, the boundary (+25% over the median 960) and the violation.
            "<tr><td><code>p99_us_regression</code></td><td><span class=\"badge fail\">fail</span></td><td class=\"num\">1,410</td><td class=\"num\">≤ 1,200</td>",
            "<td>p99_us=1410 is 47% above",
            &format!("<code>p99_us_regression</code>: {jump}"),
            // The trend: the window's seven runs and this one, the boundary +25% over the
            // median 960 (1,200), this run's value ringed in the failure colour.
            "<code>p99_us</code> across runs · the 7 runs before and this one</figcaption>",
            "<title>nightly-0305</title>",
            "<title>nightly-0312</title>",
            "class=\"tick\">median 960</text>",
            "class=\"limit\">boundary 1,200</text>",
            "class=\"judged\" fill=\"#b42318\">this run 1,410</text>",
        ],
    );
    // Once in its scenario, once under What did not pass; only the test that ran has one.
    assert_eq!(page.matches("across runs · the").count(), 2, "{page}");
    assert!(!page.contains("<code>rebuffer_ms</code> across runs"));
    let summary = std::fs::read_to_string(&markdown).unwrap();
    assert!(
        summary.contains(&format!(
            "| `torn_read` | ❌ fail | `p99_us_regression`: {jump}"
        )),
        "{summary}"
    );
}

#[test]
fn a_run_with_enough_history_gets_a_trend_per_metric_and_the_first_runs_none() {
    let scratch = Scratch::new("report-trends");
    let folder = crate::history::steady_history(&scratch, Some(1056));
    let html = scratch.utf8().join("report.html");
    let mut config = Config::new(utf8(&folder));
    config.pages = Pages {
        html: Some(html.clone()),
        markdown: None,
    };
    let ran = run_in_process(&config, &[]);
    assert!(ran.failed().is_empty(), "{:?}", ran.failed());
    let page = std::fs::read_to_string(&html).unwrap();
    assert_self_contained(&page);
    // The default regression metrics are judged from the fourth run on (min_runs 3):
    // nightly-0308 has 3 runs before it, nightly-0312 a full window of 7.
    let regression_tests = ran
        .ran()
        .iter()
        .filter(|name| name.ends_with("_regression"))
        .count();
    assert!(regression_tests > 0);
    assert_eq!(
        page.matches("</code> across runs · the ").count(),
        regression_tests,
        "one trend per regression test"
    );
    assert_holds(
        &page,
        &[
            "<code>p99_us</code> across runs · the 3 runs before and this one</figcaption>",
            "<code>p99_us</code> across runs · the 7 runs before and this one</figcaption>",
            // A drift of 10% stays under the boundary: this run in ink, not red.
            "class=\"judged\" fill=\"#1f2328\">this run 1,056</text>",
        ],
    );
    assert!(!page.contains("class=\"judged\" fill=\"#b42318\">this run"));
    assert!(!page.contains("What did not pass"));
    // A passing regression row shows its value, its boundary (+25% over the median 960)
    // and the median, as a failing one does.
    assert_holds(
        &page,
        &[
            "<tr><td><code>p99_us_regression</code></td><td><span class=\"badge pass\">pass</span></td><td class=\"num\">1,056</td><td class=\"num\">≤ 1,200</td>",
            "<td>median 960 of the 7 runs before</td></tr>",
        ],
    );
    assert!(!page.contains(">passed<"), "no row says only passed");
    // Newest first: the run started last (nightly-0312) heads the page, the first last.
    let newest = page.find("<h2>nightly-0312</h2>").unwrap();
    let oldest = page.find("<h2>nightly-0305</h2>").unwrap();
    assert!(newest < oldest);
    assert!(page.contains("<td><a href=\"#run-1\">nightly-0312</a></td>"));
    // Run names under a trend stand whole, never cut (`…htly-0301`).
    assert!(page.contains("<title>nightly-0305</title>nightly-0305</text>"));
    assert!(!page.contains("…"), "no name cut short");
}

#[test]
fn the_real_harness_reads_the_pages_from_the_environment_but_not_under_nextest() {
    let scratch = Scratch::new("report-env");
    let html = scratch.path().join("report.html");
    let markdown = scratch.path().join("summary.md");
    let mut command = fault_suite_command(&fixture("failing-thresholds"));
    command
        .env("FAULT_HTML", &html)
        .env("FAULT_MARKDOWN", &markdown);
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101));
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .contains("<div class=\"banner fail\">"));
    assert!(std::fs::read_to_string(&markdown)
        .unwrap()
        .contains("❌ fail"));
    std::fs::remove_file(&html).unwrap();

    // Under nextest no process sees every verdict: a setup test says so.
    let mut command = fault_suite_command(&fixture("passing"));
    command
        .args(["--exact", "passing::setup"])
        .env("FAULT_HTML", &html)
        .env("NEXTEST_EXECUTION_MODE", "process-per-test");
    let output = run_bounded(command);
    assert_eq!(output.status.code(), Some(101));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("FAULT_HTML="), "{stderr}");
    assert!(stderr.contains("is not written under nextest"), "{stderr}");
    assert!(!html.exists());
}

#[test]
fn a_page_that_cannot_be_written_is_an_error_that_names_it() {
    let scratch = Scratch::new("report-unwritable");
    copy_run(&sample_run(), &scratch.path().join("run"));
    let output = fault_summary(
        scratch.path(),
        ["--run-dir", "run", "--html", "run/manifest.tsv/report.html"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("run/manifest.tsv/report.html: cannot write the HTML report"),
        "{stderr}"
    );
    // The result line names every file written.
    let output = fault_summary(
        scratch.path(),
        ["--run-dir", "run", "--html", "r.html", "--markdown", "s.md"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("run/summary.json, r.html and s.md written"),
        "{stderr}"
    );
}

/// The screenshots kept in the repository and shown in the README.
const SCREENSHOTS: [(&str, &str); 2] = [
    ("passing", "docs/report-passing.png"),
    ("failing", "docs/report-failing.png"),
];

/// The colours of the pass and fail banners (`--pass` and `--fail` in the page's style).
const PASS_BANNER: [u8; 3] = [0x1a, 0x7f, 0x37];
const FAIL_BANNER: [u8; 3] = [0xb4, 0x23, 0x18];

#[test]
fn chromium_renders_both_reports_without_console_errors() {
    let Some(chromium) = chromium::find("rendering the reports in headless Chromium") else {
        return;
    };
    let scratch = Scratch::new("report-chromium");
    // The check that follows can fail: a page that logs is caught.
    let noisy = scratch.path().join("noisy.html");
    std::fs::write(
        &noisy,
        "<!DOCTYPE html><p>x</p><script>console.error('boom')</script>",
    )
    .unwrap();
    let console = chromium::screenshot(
        chromium,
        &noisy,
        &scratch.path().join("noisy.png"),
        400,
        300,
    );
    assert!(
        console.iter().any(|line| line.contains("boom")),
        "{console:?}"
    );

    for ((label, kept), (run, name, banner)) in SCREENSHOTS.iter().zip([
        (sample_run(), "nightly-0305", PASS_BANNER),
        (clock_skew_run(), "clock-skew", FAIL_BANNER),
    ]) {
        let pages = pages_of(&run, name);
        let page = pages.scratch.path().join("report.html");
        let shot = pages.scratch.path().join("report.png");
        let console = chromium::screenshot(chromium, &page, &shot, 1100, 1250);
        assert!(console.is_empty(), "{label}: the page logged {console:?}");
        let image = png::read(&shot).unwrap();
        assert_eq!((image.width, image.height), (1100, 1250));
        let (_, background) = image.background();
        let share = background as f64 / image.pixels.len() as f64;
        assert!(
            share < 0.9,
            "{label}: {:.0}% of the page is one colour",
            share * 100.0
        );
        assert!(
            image.colours() > 100,
            "{label}: {} colours",
            image.colours()
        );
        // Pass or fail shows at a glance: the first wide band from the top is the banner,
        // in the verdict's colour, above the fold.
        let (row, colour) = image
            .first_band([PASS_BANNER, FAIL_BANNER])
            .expect("a banner");
        assert_eq!(colour, banner, "{label}: the banner's colour");
        assert!(row < 200, "{label}: the banner starts at row {row}");
        if bless() {
            std::fs::copy(&shot, crate_root().join(kept)).unwrap();
        }
    }
}

#[test]
fn printing_a_passing_report_unfolds_every_scenario() {
    let Some(chromium) = chromium::find("printing the report in headless Chromium") else {
        return;
    };
    let pages = pages_of(&sample_run(), "nightly-0305");
    let page = pages.scratch.path().join("report.html");
    let printed = chromium::print(chromium, &page, &pages.scratch.path().join("report.pdf"));
    // The same page without the print rule: its scenarios stay folded on paper.
    let rule =
        "details.scenario::details-content { content-visibility: visible; display: contents; }";
    assert!(pages.html.contains(rule));
    let folded = pages.scratch.path().join("folded.html");
    std::fs::write(&folded, pages.html.replace(rule, "")).unwrap();
    let folded = chromium::print(chromium, &folded, &pages.scratch.path().join("folded.pdf"));
    // Fifteen charts and bars fill pages; the three folded headings fit on one.
    assert_eq!(folded, 1);
    assert!(printed >= 3, "{printed} pages");
}

#[test]
fn the_kept_screenshots_are_images_of_the_reports() {
    for (label, kept) in SCREENSHOTS {
        let image =
            png::read(&crate_root().join(kept)).unwrap_or_else(|err| panic!("{label}: {err}"));
        assert_eq!((image.width, image.height), (1100, 1250), "{label}");
        let banner = if label == "passing" {
            PASS_BANNER
        } else {
            FAIL_BANNER
        };
        let band = image.first_band([PASS_BANNER, FAIL_BANNER]);
        assert_eq!(band.map(|(_, colour)| colour), Some(banner), "{label}");
        let size = std::fs::metadata(crate_root().join(kept)).unwrap().len();
        assert!(size < 300 << 10, "{label}: {size} bytes");
    }
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    for (_, kept) in SCREENSHOTS {
        assert!(
            readme.contains(&format!("]({kept})")),
            "README shows {kept}"
        );
    }
}

/// A label of a chart as drawn: its text (entities read, its `<title>` left out) and box.
#[derive(Debug)]
struct Drawn {
    text: String,
    area: TextBox,
}

/// What a chart draws that its labels must keep clear of.
struct ChartMarkup {
    picture: TextBox,
    frame: Option<TextBox>,
    labels: Vec<Drawn>,
    lines: Vec<((f64, f64), (f64, f64))>,
}

/// Returns the text of an attribute of `element`, if it has one.
fn text_attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = element.find(&key)? + key.len();
    let value = &element[at..];
    Some(&value[..value.find('"')?])
}

/// Reads the labels, lines and frame of one chart's markup (`<svg class="chart" ...`).
fn read_chart(svg: &str) -> ChartMarkup {
    let opening = element(svg, "<svg");
    let view: Vec<f64> = text_attribute(opening, "viewBox")
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    let picture = TextBox {
        left: 0.0,
        top: 0.0,
        right: view[2],
        bottom: view[3],
    };
    let mut labels = Vec::new();
    for piece in svg.split("<text").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        let body = &piece[tag.len() + 1..piece.find("</text>").unwrap()];
        let body = match body.find("</title>") {
            Some(end) => &body[end + "</title>".len()..],
            None => body,
        };
        let text = body
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        let number = |name: &str| text_attribute(tag, name).unwrap().parse::<f64>().unwrap();
        let anchor = Anchor::parse(text_attribute(tag, "text-anchor").unwrap_or("start"));
        labels.push(Drawn {
            area: TextBox::of_text(number("x"), number("y"), anchor, &text),
            text,
        });
    }
    let mut lines = Vec::new();
    let (mut bottom_axis, mut left_axis) = (None, None);
    for piece in svg.split("<line").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        let number = |name: &str| text_attribute(tag, name).unwrap().parse::<f64>().unwrap();
        let (from, to) = ((number("x1"), number("y1")), (number("x2"), number("y2")));
        if tag.contains(" class=\"axis\"") {
            if from.1 == to.1 {
                bottom_axis = Some((from, to));
            } else {
                left_axis = Some((from, to));
            }
        }
        // Grid lines lie under everything, as a background.
        if text_attribute(tag, "stroke") != Some(svg::GRID) {
            lines.push((from, to));
        }
    }
    for piece in svg.split("<polyline").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        let points: Vec<(f64, f64)> = text_attribute(tag, "points")
            .unwrap()
            .split(' ')
            .map(|pair| {
                let (x, y) = pair.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        lines.extend(points.windows(2).map(|pair| (pair[0], pair[1])));
    }
    let frame = match (bottom_axis, left_axis) {
        (Some((from, to)), Some((top, _))) => Some(TextBox {
            left: from.0,
            top: top.1,
            right: to.0,
            bottom: from.1,
        }),
        _ => None,
    };
    ChartMarkup {
        picture,
        frame,
        labels,
        lines,
    }
}

/// Returns the chart markups of an HTML page.
fn charts_of(page: &str) -> Vec<&str> {
    page.split("<svg class=\"chart\"")
        .skip(1)
        .map(|rest| &rest[..rest.find("</svg>").unwrap()])
        .map(|body| {
            // Put the opening back for read_chart.
            let start = page.find(body).unwrap() - "<svg class=\"chart\"".len();
            &page[start..start + "<svg class=\"chart\"".len() + body.len()]
        })
        .collect()
}

/// Writes a run whose values end near their limits, where labels crowd: p99_us rising to
/// 1,960 under its max of 2,000, torn_read_events ending at 150 under its min of 200.
fn crowded_run() -> Run {
    let run = Run::good("report-crowded");
    let mut log = String::new();
    for second in 0..20 {
        let p99 = 1_500 + second * 460 / 19;
        let events = 10 + second * 140 / 19;
        log.push_str(&format!(
            "2026-03-05T12:00:{second:02}.000Z INFO cvmmap_streamer::metrics LATENCY_METRICS p50_us=412 p95_us=1380 p99_us={p99} max_us=5120 ingest_to_emit_samples={} drop_ratio_ppm=1200\n\
             2026-03-05T12:00:{second:02}.001Z INFO cvmmap_streamer::metrics FAULT_COUNTERS torn_read_events={events} sink_stall_events=0 reset_events=0\n",
            150 + second * 10
        ));
    }
    run.write("torn_read/streamer.log", log);
    run
}

#[test]
fn no_label_of_any_chart_touches_another_a_drawn_line_or_the_plot_frame() {
    let scratch = Scratch::new("report-labels");
    let crowded = crowded_run();
    let jump = Scratch::new("report-labels-jump");
    let mut folders = vec![
        crate_root().join("fault-runs"),
        fixtures("suites"),
        crate::history::steady_history(&jump, Some(1410)),
        crowded.dir().to_path_buf(),
    ];
    // A run just under its boundary (1,200): "this run 1,190" beside "boundary 1,200".
    let near = Scratch::new("report-labels-near");
    folders.push(crate::history::steady_history(&near, Some(1190)));
    for entry in std::fs::read_dir(fixtures("runs")).unwrap() {
        folders.push(entry.unwrap().path());
    }
    let mut charts = 0;
    let mut labels = 0;
    let mut pages = Vec::new();
    for (index, folder) in folders.iter().enumerate() {
        let html = scratch.utf8().join(format!("report-{index}.html"));
        let mut config = Config::new(utf8(folder));
        config.pages = Pages {
            html: Some(html.clone()),
            markdown: None,
        };
        run_in_process(&config, &[]);
        let page = std::fs::read_to_string(&html).unwrap();
        for svg in charts_of(&page) {
            let chart = read_chart(svg);
            charts += 1;
            labels += chart.labels.len();
            let context = || format!("{}: {svg}", folder.display());
            for (i, label) in chart.labels.iter().enumerate() {
                assert!(
                    label.area.within(&chart.picture),
                    "{:?} {:?} leaves the picture in {}",
                    label.text,
                    label.area,
                    context()
                );
                if let Some(frame) = &chart.frame {
                    assert!(
                        label.area.within(frame) || !label.area.overlaps(frame),
                        "{label:?} crosses the plot's frame {frame:?} in {}",
                        context()
                    );
                    for (from, to) in &chart.lines {
                        assert!(
                            !label.area.crosses(*from, *to),
                            "{label:?} crosses the line {from:?}-{to:?} in {}",
                            context()
                        );
                    }
                }
                for other in &chart.labels[i + 1..] {
                    assert!(
                        !label.area.overlaps(&other.area),
                        "{label:?} overlaps {other:?} in {}",
                        context()
                    );
                }
            }
        }
        pages.push(page);
    }
    // Not vacuous: many charts and labels, and the crowded ones drew their labels.
    assert!(
        charts >= 60 && labels >= 600,
        "{charts} charts, {labels} labels"
    );
    let all = pages.concat();
    for crowded in [
        ">judged 1,960</text>",
        ">max 2,000</text>",
        ">judged 150</text>",
        ">min 200</text>",
        ">this run 1,190</text>",
        ">boundary 1,200</text>",
        ">this run 1,410</text>",
    ] {
        assert!(all.contains(crowded), "{crowded} drawn");
    }
    drop(crowded);
}
