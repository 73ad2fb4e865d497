//! Limits judged over the whole run (`over: all`): every line of the log that
//! holds a check's metric, gathered in one forward pass for all such checks of
//! a scenario.
//!
//! Finding the lines is `scan::forward`'s job, reading them once for these
//! series and the charts `sweep`'s; this module keeps, per check,
//! how many lines held the metric, how many crossed the limit, the first that
//! did and the worst value. The verdict is the model's.

use crate::eval::lookup::{value_on, Lookup};
use crate::eval::model::{Check, Observed, Point, Series};
use crate::input::suite::{Bound, Over};
use crate::py::int::PyInt;
use crate::py::value::{small_int, to_number};
use crate::scan::forward::TokenLine;
use crate::scan::lines;
use std::fs::File;
use std::io;

/// The checks judged over all lines, as one forward pass reads them.
pub(crate) struct Plan {
    items: Vec<Item>,
}

/// The series of one check over a part of the log, with its worst value as a machine
/// integer where it is one, so that a line's value is compared with it without a parse.
pub(crate) struct Part {
    series: Series,
    worst: Option<i64>,
}

/// One check judged over all lines.
struct Item {
    /// Its position among the scenario's checks.
    check: usize,
    /// The token whose lines it reads (an index into the lookup's tokens); `None`: any.
    token: Option<usize>,
    /// Where its metric's value is among the values looked up on each line.
    key: usize,
    bound: Bound,
    limit: i64,
}

impl Plan {
    /// Plans the checks judged over all lines whose limit is known (the others are
    /// errors anyway), adding their tokens and metrics to `lookup`.
    pub(crate) fn new(checks: &[Check], lookup: &mut Lookup) -> Plan {
        let items = checks
            .iter()
            .enumerate()
            .filter(|(_, check)| check.spec.over == Over::All)
            .filter_map(|(index, check)| {
                Some(Item {
                    check: index,
                    token: lookup.token(check.spec.token.as_deref()),
                    key: lookup.key(&check.spec.metric),
                    bound: check.spec.bound,
                    limit: check.spec.limit?,
                })
            })
            .collect();
        Plan { items }
    }

    /// Returns true if and only if no check is judged over all lines.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Returns empty series for a part of the log.
    pub(crate) fn fresh(&self) -> Vec<Part> {
        let empty = || Part {
            series: Series::default(),
            worst: None,
        };
        self.items.iter().map(|_| empty()).collect()
    }

    /// Adds a line, whose looked-up values are `values`, to the series of a part.
    pub(crate) fn add(&self, part: &mut [Part], line: &TokenLine<'_>, values: &[Option<&[u8]>]) {
        // Indexes, not iterator adapters: this runs for every line, also unoptimized.
        let mut i = 0;
        while i < self.items.len() {
            let item = &self.items[i];
            if let Some(raw) = value_on(line, values, item.token, item.key) {
                add_line(item, &mut part[i], line.start, raw);
            }
            i += 1;
        }
    }

    /// Adds the series of a later part of the log to those of the part before it.
    pub(crate) fn merge(&self, into: &mut [Part], later: Vec<Part>) {
        for ((item, into), from) in self.items.iter().zip(into.iter_mut()).zip(later) {
            merge(&mut into.series, from.series, item.bound);
            into.worst = into.series.worst.as_ref().and_then(|w| w.value.to_i64());
        }
    }

    /// Stores the series of the whole log in their checks, and numbers the lines the
    /// messages of failing ones name (one more count of `file`).
    pub(crate) fn finish(
        &self,
        file: &File,
        whole: Vec<Part>,
        checks: &mut [Check],
    ) -> io::Result<()> {
        for (item, part) in self.items.iter().zip(whole) {
            checks[item.check].observed = Observed::All(part.series);
        }
        number_failures(file, checks)
    }
}

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
        let worse =
            (into.worst.as_ref()).is_none_or(|kept| bound.beyond(&worst.value, &kept.value));
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

/// Adds the value `raw` of the line at offset `start` to the series of `item`.
fn add_line(item: &Item, part: &mut Part, start: u64, raw: &[u8]) {
    let limit = item.limit;
    let series = &mut part.series;
    series.lines += 1;
    let point = |value| Point {
        offset: start,
        line: None,
        value,
    };
    // Most values are small decimals: compare them as machine integers, and build the
    // reference's integer only for the few points kept.
    let (crossed, worse, value) = match small_int(raw) {
        Some(small) => {
            let crossed = item.bound.beyond(&small, &limit);
            // `small` against the worst so far, as the ordering of `small` to it.
            let worse = match (&series.worst, part.worst) {
                (None, _) => true,
                (Some(_), Some(worst)) => item.bound.beyond(&small, &worst),
                (Some(worst), None) => {
                    let ordering = worst.value.cmp_i64(small).reverse();
                    item.bound.beyond(&ordering, &std::cmp::Ordering::Equal)
                }
            };
            if !(worse || crossed && series.first.is_none()) {
                if crossed {
                    series.crossed += 1;
                }
                return;
            }
            (crossed, worse, PyInt::from_i64(small))
        }
        None => {
            let typed = to_number(&String::from_utf8_lossy(raw));
            let value = match typed.to_int() {
                Ok(value) => value,
                Err(_) => {
                    if series.invalid.is_none() {
                        series.invalid = Some((point(PyInt::from_i64(0)), typed));
                    }
                    return;
                }
            };
            let crossed = item.bound.beyond(&value, &PyInt::from_i64(limit));
            let worst = series.worst.as_ref();
            let worse = worst.is_none_or(|worst| item.bound.beyond(&value, &worst.value));
            (crossed, worse, value)
        }
    };
    if worse {
        part.worst = value.to_i64();
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
    use crate::scan::forward::SPLIT_AT;
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
            unsettled: None,
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
        let metrics = crate::eval::model::Metrics::default();
        crate::eval::sweep::observe(
            &file,
            log.len() as u64,
            &tokens,
            &crate::scan::format::Reading::off(),
            &mut checks,
            &metrics,
            false,
        )
        .unwrap();
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
