//! Limits judged over the whole run (`over: all`): every line of the log that
//! holds a check's metric, gathered in one forward pass for all such checks of
//! a scenario.
//!
//! Finding the lines is `scan::forward`'s job; this module keeps, per check,
//! how many lines held the metric, how many crossed the limit, the first that
//! did and the worst value. The verdict is the model's.

use crate::eval::model::{Check, Observed, Point};
use crate::input::suite::{Bound, Over};
use crate::py::value::to_number;
use crate::scan::forward::{self, TokenLine};
use std::fs::File;
use std::io;

/// Fills in the series of the checks judged over all lines, reading `file` (of
/// `len` bytes) forward once; does nothing when none is, or when their limits are
/// unknown (the checks are errors then anyway).
pub fn observe_all(
    file: &File,
    len: u64,
    tokens: &[String],
    checks: &mut [Check],
) -> io::Result<()> {
    let wanted: Vec<usize> = (0..checks.len())
        .filter(|&i| checks[i].spec.over == Over::All && checks[i].spec.limit.is_some())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    forward::each_line(file, len, tokens, |line| {
        for &i in &wanted {
            add_line(&mut checks[i], tokens, &line);
        }
    })
}

/// Adds one line to a check's series when the line is one the check reads.
fn add_line(check: &mut Check, tokens: &[String], line: &TokenLine) {
    let spec = &check.spec;
    let read = match &spec.token {
        Some(token) => line.tokens.iter().any(|&i| tokens[i] == *token),
        None => true,
    };
    let Some((_, raw)) = line
        .pairs
        .iter()
        .rev()
        .find(|(key, _)| read && *key == spec.metric)
    else {
        return;
    };
    let (Some(limit), Observed::All(series)) = (spec.limit, &mut check.observed) else {
        return;
    };
    series.lines += 1;
    let value = to_number(raw);
    let value = match value.to_int() {
        Ok(value) => value,
        Err(_) => {
            if series.invalid.is_none() {
                series.invalid = Some((line.number, value));
            }
            return;
        }
    };
    let limit = crate::py::int::PyInt::from_i64(limit);
    let (crossed, worse) = match spec.bound {
        Bound::Max => (
            value > limit,
            series
                .worst
                .as_ref()
                .is_none_or(|worst| value > worst.value),
        ),
        Bound::Min => (
            value < limit,
            series
                .worst
                .as_ref()
                .is_none_or(|worst| value < worst.value),
        ),
    };
    let point = Point {
        line: line.number,
        value,
    };
    if worse {
        series.worst = Some(point.clone());
    }
    if crossed {
        series.crossed += 1;
        if series.first.is_none() {
            series.first = Some(point);
        }
    }
}
