//! The warnings `fault-summary` prints on stderr: where its summary rests on
//! evidence the reference would have crashed on, could not read, that leaves
//! the run directory, or that a run may still be writing.
//!
//! It words facts the evaluation recorded; it reads nothing and decides
//! nothing. Printing is the command's.

use crate::eval::model::{not_an_integer, LogStatus, Observed, Scenario, Strictness};

/// Returns the warnings about `scenario`, one line each, without the program's prefix.
pub fn render(scenario: &Scenario) -> Vec<String> {
    let mut lines = Vec::new();
    invalid_values(scenario, &mut lines);
    log_problems(scenario, &mut lines);
    lines.extend(changed_while_read(scenario));
    lines.extend(unended_lines(scenario));
    lines
}

/// Returns the note about a streamer log that changed while it was read, if it did.
pub fn changed_while_read(scenario: &Scenario) -> Option<String> {
    let change = scenario.metrics.changed.as_ref()?;
    let LogStatus::Read { len } = scenario.log else {
        return None;
    };
    Some(format!(
        "{}: the log {change}: the run may still be writing it; its lines were read up to byte {len}",
        scenario.files.streamer_log.shown()
    ))
}

/// Words the last metric lines that have no line end: a writer may be in the middle
/// of them. The summary reads them as they stand, as the reference does.
fn unended_lines(scenario: &Scenario) -> Option<String> {
    let LogStatus::Read { len } = scenario.log else {
        return None;
    };
    let unended: Vec<&str> = scenario
        .metrics
        .lines
        .iter()
        .filter_map(|(token, line)| {
            let line = line.as_ref()?;
            (line.offset.saturating_add(line.len) >= len).then_some(token.as_str())
        })
        .collect();
    if unended.is_empty() {
        return None;
    }
    Some(format!(
        "{}: the last {} line has no line end: the run may still be writing it; the summary reads it as it stands, as the reference does",
        scenario.files.streamer_log.shown(),
        unended.join(" and ")
    ))
}

/// Words the metric values the reference would have crashed on.
fn invalid_values(scenario: &Scenario, lines: &mut Vec<String>) {
    let place = scenario.files.streamer_log.shown();
    for unchecked in &scenario.unchecked {
        let line = scenario
            .metrics
            .line(unchecked.token)
            .and_then(|line| line.line)
            .map_or_else(String::new, |n| format!(":{n}"));
        lines.push(format!(
            "{place}{line}: {}; no check of scenario {:?} reads it, but the reference converts it and would stop here",
            not_an_integer(unchecked.key, &unchecked.value),
            scenario.row.scenario_id()
        ));
    }
    for check in &scenario.checks {
        if let Observed::Invalid { .. } | Observed::Cut { .. } = &check.observed {
            let reason = check.verdict(Strictness::Reference);
            let reason = reason.text().unwrap_or_default();
            let place = scenario.files.streamer_log.shown();
            let line = scenario
                .metrics
                .token_of(&check.spec)
                .and_then(|token| scenario.metrics.line(token))
                .and_then(|line| line.line)
                .map_or_else(String::new, |n| format!(":{n}"));
            lines.push(format!("{place}{line}: {reason}; the check fails"));
        }
    }
}

/// Returns the note about a streamer log read from outside the run directory, if it was.
pub fn read_outside(scenario: &Scenario) -> Option<String> {
    let log = &scenario.files.streamer_log;
    let outside = log.outside.as_ref()?;
    (scenario.log != LogStatus::Refused).then(|| {
        format!(
            "{}: leads out of the run directory, to {outside} (--confine or FAULT_CONFINE=1 refuses it)",
            log.shown()
        )
    })
}

/// Words a streamer log that was named but not read (its metrics count as absent),
/// and one read from outside the run directory.
fn log_problems(scenario: &Scenario, lines: &mut Vec<String>) {
    let log = &scenario.files.streamer_log;
    let place = log.shown();
    let id = &scenario.row.scenario_id();
    lines.extend(read_outside(scenario));
    let problem = match &scenario.log {
        LogStatus::Read { .. } | LogStatus::Unnamed => return,
        LogStatus::Missing => "no such file".to_string(),
        LogStatus::NotAFile { kind } => format!("is {kind}, not a regular file; not read"),
        LogStatus::Unreadable { reason } => format!("cannot read: {reason}"),
        LogStatus::Refused => format!(
            "leads out of the run directory, to {}; not read (--confine)",
            log.outside.as_ref().map_or("", |p| p.as_str())
        ),
    };
    lines.push(format!(
        "{place}: {problem}; the metrics of scenario {id:?} count as absent"
    ));
}
