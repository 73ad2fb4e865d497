//! Limits judged over the whole run (`over: all`): every line of the log that
//! holds a check's metric, gathered in one forward pass for all such checks of
//! a scenario.
//!
//! Finding the lines is `scan::forward`'s job; this module keeps, per check,
//! how many lines held the metric, how many crossed the limit, the first that
//! did and the worst value. The verdict is the model's.

use crate::eval::model::{Check, Observed, Point, Series};
use crate::input::suite::{Bound, Over};
use crate::py::int::PyInt;
use crate::py::value::to_number;
use crate::scan::forward::{self, TokenLine};
use crate::scan::lines;
use std::fs::File;
use std::io;

/// Fills in the series of the checks judged over all lines, reading `file` (of
/// `len` bytes) forward once for the tokens they read; does nothing when none is,
/// or when their limits are unknown (the checks are errors then anyway). Lines are
/// numbered, one more count of the log, only for checks that fail.
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
    // Only the tokens these checks read; a check naming none reads every token's lines.
    let read: Vec<String> = if wanted.iter().any(|&i| checks[i].spec.token.is_none()) {
        tokens.to_vec()
    } else {
        let mut read: Vec<String> = Vec::new();
        for &i in &wanted {
            if let Some(token) = &checks[i].spec.token {
                if !read.contains(token) {
                    read.push(token.clone());
                }
            }
        }
        read
    };
    // The metrics to look up, each once a line whatever the checks on it.
    let mut metrics: Vec<String> = Vec::new();
    for &i in &wanted {
        if !metrics.contains(&checks[i].spec.metric) {
            metrics.push(checks[i].spec.metric.clone());
        }
    }
    let keys: Vec<&str> = metrics.iter().map(String::as_str).collect();
    let slot: Vec<usize> = wanted
        .iter()
        .map(|&i| {
            metrics
                .iter()
                .position(|m| *m == checks[i].spec.metric)
                .unwrap_or(0)
        })
        .collect();
    forward::each_line(file, len, &read, |line| {
        let values = line.values(&keys);
        for (n, &i) in wanted.iter().enumerate() {
            if let Some(raw) = &values[slot[n]] {
                add_line(&mut checks[i], &read, &line, raw);
            }
        }
    })?;
    number_failures(file, checks)
}

/// Numbers the lines the messages of failing series name, counting the log once.
fn number_failures(file: &File, checks: &mut [Check]) -> io::Result<()> {
    let mut points: Vec<&mut Point> = Vec::new();
    for check in checks.iter_mut() {
        if let Observed::All(series) = &mut check.observed {
            let failing = series.crossed > 0 || series.invalid.is_some();
            if failing {
                let Series {
                    lines: _,
                    crossed: _,
                    first,
                    worst,
                    invalid,
                } = series;
                points.extend(first.as_mut());
                points.extend(worst.as_mut());
                points.extend(invalid.as_mut().map(|(point, _)| point));
            }
        }
    }
    if points.is_empty() {
        return Ok(());
    }
    let offsets: Vec<u64> = points.iter().map(|point| point.offset).collect();
    let numbers = lines::line_numbers(file, &offsets)?;
    for (point, number) in points.into_iter().zip(numbers) {
        point.line = Some(number);
    }
    Ok(())
}

/// Returns the value of a plain decimal of at most 18 digits (`-?[0-9]+`), the form
/// metric values take, without the general path's typing and big integers.
fn small_int(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// Adds one line to a check's series when the line is one the check reads.
fn add_line(check: &mut Check, tokens: &[String], line: &TokenLine<'_>, raw: &str) {
    let spec = &check.spec;
    let reads = match &spec.token {
        Some(token) => line.tokens.iter().any(|&i| tokens[i] == *token),
        None => true,
    };
    if !reads {
        return;
    }
    let (Some(limit), Observed::All(series)) = (spec.limit, &mut check.observed) else {
        return;
    };
    series.lines += 1;
    let point = |value| Point {
        offset: line.start,
        line: None,
        value,
    };
    // Most values are small decimals: compare them as machine integers, and build the
    // reference's integer only for the few points kept.
    let (crossed, worse, value) = match small_int(raw) {
        Some(small) => {
            let crossed = match spec.bound {
                Bound::Max => small > limit,
                Bound::Min => small < limit,
            };
            let worse = series.worst.as_ref().is_none_or(|worst| {
                let ordering = worst.value.cmp_i64(small);
                match spec.bound {
                    Bound::Max => ordering == std::cmp::Ordering::Less,
                    Bound::Min => ordering == std::cmp::Ordering::Greater,
                }
            });
            if !(worse || crossed && series.first.is_none()) {
                if crossed {
                    series.crossed += 1;
                }
                return;
            }
            (crossed, worse, PyInt::from_i64(small))
        }
        None => {
            let typed = to_number(raw);
            let value = match typed.to_int() {
                Ok(value) => value,
                Err(_) => {
                    if series.invalid.is_none() {
                        series.invalid = Some((point(PyInt::from_i64(0)), typed));
                    }
                    return;
                }
            };
            let limit = PyInt::from_i64(limit);
            match spec.bound {
                Bound::Max => (
                    value > limit,
                    series
                        .worst
                        .as_ref()
                        .is_none_or(|worst| value > worst.value),
                    value,
                ),
                Bound::Min => (
                    value < limit,
                    series
                        .worst
                        .as_ref()
                        .is_none_or(|worst| value < worst.value),
                    value,
                ),
            }
        }
    };
    if worse {
        series.worst = Some(point(value.clone()));
    }
    if crossed {
        series.crossed += 1;
        if series.first.is_none() {
            series.first = Some(point(value));
        }
    }
}
