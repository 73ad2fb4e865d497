//! Publishing judged runs as pages people read: the HTML report
//! (`--html`, `FAULT_HTML`) and the Markdown summary (`--markdown`,
//! `FAULT_MARKDOWN`).
//!
//! The faces hand over their evaluations and judged cases; this module adds
//! what the renderers may not read themselves (each run's times from its
//! `run.json`), renders through `report::html` and `report::markdown`, and
//! writes each file atomically. Judging is `report::cases`'s, evaluating
//! `eval`'s; neither happens here.

use crate::eval::evaluation::Evaluation;
use crate::fs::atomic;
use crate::input::run_dir;
use crate::report::cases::Judged;
use crate::report::overview::Run;
use crate::report::{html, markdown};
use camino::{Utf8Path, Utf8PathBuf};
use std::sync::Arc;

/// Names the file the harness writes the HTML report to.
pub const HTML_VAR: &str = "FAULT_HTML";
/// Names the file the harness writes the Markdown summary to.
pub const MARKDOWN_VAR: &str = "FAULT_MARKDOWN";

/// Where the pages go; `None` for a page not asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    pub html: Option<Utf8PathBuf>,
    pub markdown: Option<Utf8PathBuf>,
}

impl Pages {
    /// Returns true if and only if some page is asked for.
    pub fn any(&self) -> bool {
        self.html.is_some() || self.markdown.is_some()
    }

    /// Renders the pages of `runs` and writes them; `written_by` names the face in the
    /// HTML report. Returns the paths written, or why one could not be.
    pub fn write(&self, runs: &[Run<'_>], written_by: &str) -> Result<Vec<Utf8PathBuf>, String> {
        let Pages { html, markdown } = self;
        let mut written = Vec::new();
        if let Some(path) = html {
            write_page(path, "HTML report", &html::render(runs, written_by))?;
            written.push(path.clone());
        }
        if let Some(path) = markdown {
            write_page(path, "Markdown summary", &markdown::render(runs))?;
            written.push(path.clone());
        }
        Ok(written)
    }
}

/// Writes `text` to `path` atomically.
fn write_page(path: &Utf8Path, what: &str, text: &str) -> Result<(), String> {
    atomic::write_atomic(path.as_std_path(), text.as_bytes())
        .map_err(|err| format!("{path}: cannot write the {what}: {err}"))
}

/// Returns when the run in `dir` started and finished, as its `run.json` says; `None`
/// for what it does not say or when it cannot be read (the tests say why).
pub fn times(dir: &Utf8Path) -> (Option<String>, Option<String>) {
    match run_dir::read_run_json(dir) {
        Ok(Some(described)) => (described.started_at, described.finished_at),
        _ => (None, None),
    }
}

/// Says why the harness cannot write `pages` under nextest, when some are asked for:
/// nextest runs each test in a process of its own, and none sees every verdict.
pub fn not_under_nextest(pages: &Pages) -> Option<String> {
    let Pages { html, markdown } = pages;
    let asked: Vec<String> = [(HTML_VAR, html), (MARKDOWN_VAR, markdown)]
        .into_iter()
        .filter_map(|(var, path)| Some(format!("{var}={}", path.as_ref()?)))
        .collect();
    if asked.is_empty() {
        return None;
    }
    Some(format!(
        "{} is not written under nextest, which runs each test in a process of its own, so no process sees every verdict; run `cargo test --test fault_suite` with it, or `fault-summary --run-dir RUN --html PATH --markdown PATH` per run",
        asked.join(" and ")
    ))
}

/// Writes the pages of the tests the harness ran: each run's judged cases with its
/// evaluation (`evaluations`, by run name) and its times.
pub fn write_harness_pages(
    pages: &Pages,
    evaluations: &[(String, Arc<Evaluation>)],
    ran: &[Judged],
) -> Result<(), String> {
    let runs = harness_runs(evaluations, ran);
    pages.write(&runs, "the fault_suite harness").map(|_| ())
}

/// Groups the cases the harness judged by run (the first part of their names; `ran`
/// is sorted by name, so each run's cases are together), each with its evaluation
/// from `evaluations` (by run name) when it has one.
fn harness_runs<'a>(evaluations: &'a [(String, Arc<Evaluation>)], ran: &[Judged]) -> Vec<Run<'a>> {
    let mut runs: Vec<Run<'a>> = Vec::new();
    // The run part of the test names of the last run grouped.
    let mut last: Option<&str> = None;
    for judged in ran {
        let key = judged.name.split("::").next().unwrap_or_default();
        if last != Some(key) {
            last = Some(key);
            let evaluation = evaluations
                .iter()
                .find(|(run, _)| run == key)
                .map(|(_, evaluation)| evaluation.as_ref());
            let (started_at, finished_at) = match evaluation {
                Some(evaluation) => times(&evaluation.dir),
                None => (None, None),
            };
            runs.push(Run {
                // Shown as the folder is named; test names spell it as an identifier.
                name: evaluation
                    .map_or(key, |evaluation| evaluation.name())
                    .to_string(),
                evaluation,
                judged: Vec::new(),
                started_at,
                finished_at,
            });
        }
        if let Some(run) = runs.last_mut() {
            run.judged.push(judged.clone());
        }
    }
    runs
}
