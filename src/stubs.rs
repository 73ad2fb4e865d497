//! The editors' `#[test]` stubs: one empty `#[test]` function per planned test, in
//! nested modules whose paths are the test names, written at the end of the test
//! target's own source file (`tests/fault_suite.rs`), below one marker line.
//!
//! Editors (rust-analyzer, RustRover, Zed, neotest) find tests by reading the source
//! for `#[test]` functions, never by asking the harness; with `harness = false` the
//! stubs compile to nothing. This module owns their text, reading it back, and
//! keeping it in step with the plan of the folder the harness judges by default:
//! it writes them when `FAULT_STUBS=write` asks, and otherwise says in one line when
//! they are stale. Names are `eval::case`'s, the plan `plan`'s.

use crate::eval::case::CaseKind;
use crate::fs::atomic;
use crate::input::suite::{Bound, Over};
use crate::plan::{Plan, Test};
use crate::report::svg;
use camino::Utf8Path;
use std::collections::{BTreeMap, BTreeSet};

/// The variable that asks the harness to write the stubs (`FAULT_STUBS=write`).
pub const STUBS_VAR: &str = "FAULT_STUBS";

/// The start of the line after which the test target's source file holds the stubs.
pub const MARKER: &str = "// fault-harness: editor stubs below";

/// The whole marker line, as the README gives it and the stubs are written after.
const MARKER_LINE: &str =
    "// fault-harness: editor stubs below (FAULT_STUBS=write cargo test --test fault_suite)";

/// What the harness does with the stubs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Says in one line when they differ from the plan.
    Check,
    /// Rewrites them from the plan where they differ.
    Write,
}

impl Action {
    /// Reads `FAULT_STUBS`: unset or empty checks, `write` writes.
    pub fn from_value(value: Option<&str>) -> Result<Action, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(Action::Check),
            Some("write") => Ok(Action::Write),
            Some(other) => Err(format!(
                "{STUBS_VAR}={other:?} is not \"write\": set {STUBS_VAR}=write to rewrite the editor stubs, or leave it unset"
            )),
        }
    }
}

/// Returns the stubs of `tests`: nested modules, one `#[test]` function per test, each
/// with a one-line doc comment saying what it checks.
pub fn render(tests: &[Test]) -> String {
    let mut root = Node::default();
    for test in tests {
        let parts: Vec<&str> = test.case.name.split("::").collect();
        let Some((last, modules)) = parts.split_last() else {
            continue;
        };
        let mut node = &mut root;
        for module in modules {
            node = node.modules.entry(module.to_string()).or_default();
        }
        node.tests.push((last.to_string(), describe(test)));
    }
    let mut out = String::new();
    for (name, node) in &root.modules {
        out.push_str("#[allow(non_snake_case)]\n");
        node.write(name, 0, &mut out);
    }
    for (name, doc) in &root.tests {
        write_test(name, doc, 0, &mut out);
    }
    out
}

/// A module of stubs: its modules by name and its tests in order.
#[derive(Default)]
struct Node {
    modules: BTreeMap<String, Node>,
    tests: Vec<(String, String)>,
}

impl Node {
    /// Writes `mod name { ... }` at `depth`, in the layout `rustfmt` keeps.
    fn write(&self, name: &str, depth: usize, out: &mut String) {
        let indent = "    ".repeat(depth);
        out.push_str(&format!("{indent}mod {name} {{\n"));
        for (module, node) in &self.modules {
            node.write(module, depth + 1, out);
        }
        for (test, doc) in &self.tests {
            write_test(test, doc, depth + 1, out);
        }
        out.push_str(&format!("{indent}}}\n"));
    }
}

/// Writes one stub: its doc comment, `#[test]` and an empty function.
fn write_test(name: &str, doc: &str, depth: usize, out: &mut String) {
    let indent = "    ".repeat(depth);
    out.push_str(&format!(
        "{indent}/// {doc}\n{indent}#[test]\n{indent}fn {name}() {{}}\n"
    ));
}

/// Returns the one line an editor shows on hovering over a test's stub.
fn describe(test: &Test) -> String {
    let evaluation = test.evaluation.as_deref();
    let line = match (&test.case.kind, evaluation) {
        (CaseKind::Check { scenario, check }, Some(evaluation)) => {
            let spec = evaluation.checks(*scenario).into_iter().nth(*check);
            let mode = match evaluation.mode() {
                Ok(choice) => choice.mode.to_string(),
                Err(_) => "mode unknown".to_string(),
            };
            match spec {
                Some(spec) => {
                    let sign = match spec.bound {
                        Bound::Min => "≥",
                        Bound::Max => "≤",
                    };
                    // Hover text only: a limit past 2^53 would show rounded.
                    let limit = spec
                        .limit
                        .map_or("the limit of the run's mode".to_string(), |limit| {
                            svg::number(limit as f64)
                        });
                    let every = match spec.over {
                        Over::All => " on every line",
                        Over::Last => "",
                    };
                    format!("{} {sign} {limit}{every} ({mode})", spec.metric)
                }
                None => "a threshold check".to_string(),
            }
        }
        (CaseKind::ProcessExit { scenario }, evaluation) => {
            let id = evaluation
                .and_then(|e| e.ids.get(*scenario))
                .map(String::as_str);
            format!(
                "{}: its three exit codes are 0",
                id.unwrap_or("the scenario")
            )
        }
        (CaseKind::Regression { metric, .. }, evaluation) => {
            let name = evaluation
                .and_then(|e| e.regression_metrics().get(*metric))
                .map_or("the metric", |m| m.metric.as_str());
            format!("{name} against the runs before this one")
        }
        (CaseKind::ExpectedScenarios, _) => {
            "the run holds the suite's expected scenarios, once each".to_string()
        }
        (CaseKind::SuiteFile, _) => "the suite file defines the run's mode".to_string(),
        (CaseKind::Unusable { message }, _) => {
            let first = message.lines().next().unwrap_or_default();
            format!("cannot be judged: {first}")
        }
        (CaseKind::Check { .. }, None) => "a threshold check".to_string(),
    };
    // One line, whatever a file name or message held.
    line.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Returns the test paths of the stubs in `text` (the part of a source file below the
/// marker), as [`render`] writes them: `mod name {`, `}` and `fn name() {}` lines.
pub fn paths(text: &str) -> BTreeSet<String> {
    let mut modules: Vec<&str> = Vec::new();
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(" {")) {
            modules.push(name.trim());
        } else if line == "}" {
            modules.pop();
        } else if let Some(name) = line.strip_prefix("fn ").and_then(|l| l.split_once('(')) {
            let mut path = modules.join("::");
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(name.0.trim());
            found.insert(path);
        }
    }
    found
}

/// Splits a source file at the marker line: the text up to and including it, and the
/// stubs below; `None` when it has no marker line.
fn split(source: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        offset += line.len();
        if line.trim_start().starts_with(MARKER) {
            return Some((&source[..offset], &source[offset..]));
        }
    }
    None
}

/// Returns the file's text with the stubs below the marker replaced by `stubs`.
fn with_stubs(head: &str, stubs: &str) -> String {
    let mut text = head.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(stubs);
    text
}

/// Keeps the stubs in `source` (the test target's file, `shown` in messages) in step
/// with `plan`: writes them for [`Action::Write`], else compares. Returns the one line
/// to say, if any: the stubs written, stale, or why they could not be kept.
pub fn keep(source: &Utf8Path, shown: &str, plan: &Plan, action: Action) -> Option<String> {
    let refresh = format!("refresh: {STUBS_VAR}=write cargo test --test fault_suite");
    let text = match std::fs::read_to_string(source) {
        Ok(text) => text,
        Err(err) if action == Action::Write => {
            return Some(format!(
                "{shown}: cannot read it to write the editor stubs: {err}"
            ))
        }
        // A crate that runs the harness from elsewhere has no stubs to keep.
        Err(_) => return None,
    };
    let Some((head, old)) = split(&text) else {
        return match action {
            Action::Write => Some(format!(
                "{shown}: no line starting with {MARKER:?} to write the editor stubs after; add `{MARKER_LINE}` at its end"
            )),
            Action::Check => None,
        };
    };
    let tests = plan.tests();
    let new = render(&tests);
    if new == old {
        return None;
    }
    match action {
        Action::Write => {
            match atomic::write_atomic(source.as_std_path(), with_stubs(head, &new).as_bytes()) {
                Ok(()) => Some(format!("{shown}: wrote {} editor stubs", tests.len())),
                Err(err) => Some(format!("{shown}: cannot write the editor stubs: {err}")),
            }
        }
        Action::Check => {
            let (want, have) = (paths(&new), paths(old));
            let missing = want.difference(&have).count();
            let extra = have.difference(&want).count();
            let what = match (missing, extra) {
                (0, 0) => "their doc comments differ from the tests'".to_string(),
                _ => format!("{missing} tests missing, {extra} extra"),
            };
            Some(format!(
                "{shown}: the editor stubs are stale ({what}); {refresh}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{self, Request};
    use camino::Utf8PathBuf;

    fn sample() -> Plan {
        let root = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        plan::plan(&Request::new(root.join("fault-runs")))
    }

    #[test]
    fn stubs_hold_every_test_at_its_name_and_read_back_alike() {
        let plan = sample();
        let stubs = render(&plan.tests());
        let names: BTreeSet<String> = plan.names().into_iter().collect();
        assert_eq!(names.len(), 19);
        assert_eq!(paths(&stubs), names);
        assert!(stubs.contains(
            "        /// p99_us ≤ 2,000 (degraded)\n        #[test]\n        fn p99_us_max() {}\n"
        ));
    }

    #[test]
    fn the_marker_splits_the_file_and_a_file_without_it_is_left_alone() {
        let source = format!("fn main() {{}}\n\n{MARKER_LINE}\nmod old {{\n}}\n");
        let (head, stubs) = split(&source).unwrap();
        assert!(head.ends_with(&format!("{MARKER_LINE}\n")));
        assert_eq!(stubs, "mod old {\n}\n");
        assert_eq!(split("fn main() {}\n"), None);
    }

    #[test]
    fn stale_stubs_are_counted_and_written_only_when_asked() {
        let scratch = crate::testing::Scratch::new("stubs-keep");
        let source = scratch.utf8().join("fault_suite.rs");
        let plan = sample();
        let head = format!("fn main() {{}}\n{MARKER_LINE}\n");
        let stale = "mod nightly_0305 {\n    /// gone\n    #[test]\n    fn gone() {}\n}\n";
        std::fs::write(&source, format!("{head}{stale}")).unwrap();
        let note = keep(&source, "f.rs", &plan, Action::Check).unwrap();
        assert_eq!(
            note,
            "f.rs: the editor stubs are stale (19 tests missing, 1 extra); refresh: FAULT_STUBS=write cargo test --test fault_suite"
        );
        assert_eq!(
            std::fs::read_to_string(&source).unwrap(),
            format!("{head}{stale}")
        );
        let note = keep(&source, "f.rs", &plan, Action::Write).unwrap();
        assert_eq!(note, "f.rs: wrote 19 editor stubs");
        let written = std::fs::read_to_string(&source).unwrap();
        assert_eq!(written, format!("{head}{}", render(&plan.tests())));
        assert_eq!(keep(&source, "f.rs", &plan, Action::Check), None);
        assert_eq!(keep(&source, "f.rs", &plan, Action::Write), None);
        std::fs::write(&source, "fn main() {}\n").unwrap();
        assert_eq!(keep(&source, "f.rs", &plan, Action::Check), None);
        assert!(keep(&source, "f.rs", &plan, Action::Write)
            .unwrap()
            .starts_with("f.rs: no line starting with"));
    }

    #[test]
    fn only_write_or_nothing_is_an_action() {
        assert_eq!(Action::from_value(None), Ok(Action::Check));
        assert_eq!(Action::from_value(Some("")), Ok(Action::Check));
        assert_eq!(Action::from_value(Some("write")), Ok(Action::Write));
        assert_eq!(
            Action::from_value(Some("yes")).unwrap_err(),
            "FAULT_STUBS=\"yes\" is not \"write\": set FAULT_STUBS=write to rewrite the editor stubs, or leave it unset"
        );
    }
}
