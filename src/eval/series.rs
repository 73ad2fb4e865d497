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
use crate::scan::lines::{self, BLOCK};
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
    // Each part of the log fills series of its own for the wanted checks.
    let scan_part = |range: std::ops::Range<u64>| -> io::Result<Vec<Check>> {
        let mut part: Vec<Check> = wanted
            .iter()
            .map(|&i| Check {
                spec: checks[i].spec.clone(),
                observed: Observed::All(Series::default()),
            })
            .collect();
        forward::each_line_in(file, range, &read, BLOCK, |line| {
            let values = line.values(&keys);
            for (n, check) in part.iter_mut().enumerate() {
                if let Some(raw) = &values[slot[n]] {
                    add_line(check, &read, &line, raw);
                }
            }
        })?;
        Ok(part)
    };
    // A large log is read in two halves at once, one per core, split at a line start.
    let parts = if len >= SPLIT_AT {
        let mid = forward::line_start_after(file, len / 2, len)?;
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| scan_part(mid..len));
            let first = scan_part(0..mid);
            (first, second.join())
        });
        let second = second.map_err(|_| io::Error::other("the second half's scan panicked"))?;
        vec![first?, second?]
    } else {
        vec![scan_part(0..len)?]
    };
    for part in parts {
        for (check, &i) in part.into_iter().zip(&wanted) {
            if let (Observed::All(into), Observed::All(from)) =
                (&mut checks[i].observed, check.observed)
            {
                merge(into, from, check.spec.bound);
            }
        }
    }
    number_failures(file, checks)
}

/// Logs at least this large are read in two halves at once.
const SPLIT_AT: u64 = 16 << 20;

/// Adds the series of a later part of the log to `into`, the series of the part before it.
fn merge(into: &mut Series, from: Series, bound: Bound) {
    let Series {
        lines,
        crossed,
        first,
        worst,
        invalid,
    } = from;
    into.lines += lines;
    into.crossed += crossed;
    if into.first.is_none() {
        into.first = first;
    }
    if into.invalid.is_none() {
        into.invalid = invalid;
    }
    if let Some(worst) = worst {
        // Strictly worse only: of equal values the earlier line stays the worst.
        let worse = into.worst.as_ref().is_none_or(|kept| match bound {
            Bound::Max => worst.value > kept.value,
            Bound::Min => worst.value < kept.value,
        });
        if worse {
            into.worst = Some(worst);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::thresholds::CheckSpec;
    use crate::testing::Scratch;

    fn check(limit: i64, bound: Bound) -> Check {
        Check {
            spec: CheckSpec {
                metric: "p99_us".to_string(),
                bound,
                key: format!("p99_us_{}", bound.as_str()),
                token: Some("LATENCY_METRICS".to_string()),
                over: Over::All,
                limit: Some(limit),
            },
            observed: Observed::All(Series::default()),
        }
    }

    #[test]
    fn a_log_read_in_two_halves_gives_the_series_of_one_pass() {
        // Past SPLIT_AT, so both halves run; the values cross the limit only after the
        // middle, and the lowest value lies in the first half.
        let scratch = Scratch::new("series-split");
        let path = scratch.path().join("streamer.log");
        let mut log = String::new();
        let mut values = Vec::new();
        let mut line = 1u64;
        while (log.len() as u64) < SPLIT_AT + (1 << 20) {
            let value = if (log.len() as u64) < SPLIT_AT / 2 {
                50 + line % 7
            } else {
                90 + line % 30
            };
            log.push_str(&format!(
                "filler line {line} with some text to skip over quickly\n"
            ));
            log.push_str(&format!(
                "t LATENCY_METRICS p50_us=1 p99_us={value} drop_ratio_ppm=0\n"
            ));
            values.push((line + 1, value));
            line += 2;
        }
        std::fs::write(&path, &log).unwrap();
        let file = File::open(&path).unwrap();
        let tokens = ["LATENCY_METRICS".to_string()];
        let mut checks = [check(100, Bound::Max), check(60, Bound::Min)];
        observe_all(&file, log.len() as u64, &tokens, &mut checks).unwrap();
        // Max: crossed by every value over 100; the first and the worst (earliest max).
        let Observed::All(max) = &checks[0].observed else {
            panic!()
        };
        let over: Vec<&(u64, u64)> = values.iter().filter(|(_, v)| *v > 100).collect();
        assert_eq!(max.lines, values.len() as u64);
        assert_eq!(max.crossed, over.len() as u64);
        assert_eq!(max.first.as_ref().unwrap().line, Some(over[0].0));
        let top = values.iter().map(|(_, v)| *v).max().unwrap();
        let top_line = values.iter().find(|(_, v)| *v == top).unwrap().0;
        assert_eq!(max.worst.as_ref().unwrap().line, Some(top_line));
        assert_eq!(
            max.worst.as_ref().unwrap().value,
            PyInt::from_i64(top as i64)
        );
        // Min: crossed by values under 60, all in the first half; the worst is the first 50.
        let Observed::All(min) = &checks[1].observed else {
            panic!()
        };
        let under = values.iter().filter(|(_, v)| *v < 60).count();
        assert_eq!(min.crossed, under as u64);
        let low_line = values.iter().find(|(_, v)| *v == 50).unwrap().0;
        assert_eq!(min.worst.as_ref().unwrap().line, Some(low_line));
        assert!(min.invalid.is_none() && max.invalid.is_none());
    }
}
