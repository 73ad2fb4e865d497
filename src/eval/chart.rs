//! Charts: each checked metric of a scenario over its whole streamer log, cut
//! down to at most [`MAX_POINTS`] points so that no spike is lost.
//!
//! A chart is gathered in the same forward pass as the limits judged over
//! all lines (`sweep` reads the log once for both). The log is split by byte
//! offset into [`BUCKETS`] equal buckets, and each bucket keeps the lowest
//! and the highest value that fell into it, so a one-line spike survives
//! however long the soak; the first and the last point, the first point past
//! the limit and the point the check judged are kept besides. A point is
//! placed at the timestamp its line starts with (`crate::timestamp`), or, when
//! a kept line has none or time runs backwards, every point at its byte
//! offset. Drawing is the HTML report's; the verdicts stay the model's.

use crate::eval::lookup::{value_on, Lookup};
pub use crate::eval::model::{Axis, Chart, ChartPoint, BUCKETS, MAX_POINTS};
use crate::eval::model::{Check, Metrics};
use crate::input::suite::{Bound, Over};
use crate::py::value::{small_int, to_number};
use crate::scan::forward::TokenLine;
use crate::timestamp;
use std::fs::File;
use std::os::unix::fs::FileExt;

/// The charts of a scenario's checks, as one forward pass reads them.
pub(crate) struct Plan {
    items: Vec<Item>,
    /// Bytes of log per bucket.
    width: u64,
    log_len: u64,
}

/// One chart being planned: which lines and which value it reads.
struct Item {
    check: usize,
    token: Option<usize>,
    token_name: Option<String>,
    key: usize,
    bound: Bound,
    limit: Option<i64>,
}

/// A chart being gathered from one part of the log.
pub(crate) struct Gathered {
    lines: u64,
    crossed: u64,
    /// The lowest and the highest point of each bucket.
    buckets: Vec<Option<(Seen, Seen)>>,
    first: Option<Seen>,
    /// The last line's offset and value: its time is read when the chart is finished.
    last: Option<(u64, f64)>,
    first_crossed: Option<Seen>,
    /// The point furthest past the limit's side (the earliest of equal ones).
    worst: Option<Seen>,
}

/// Bytes of a line's start kept with a point: a timestamp with nanoseconds, a zone and
/// a bracket fits.
const STAMP: usize = 40;

/// A point as gathered: the line's first bytes are kept, and its time read from them
/// only for the points a chart keeps in the end.
#[derive(Clone, Copy)]
struct Seen {
    offset: u64,
    value: f64,
    head: [u8; STAMP],
    head_len: u8,
}

impl Seen {
    /// Returns the point of `value` on the line at `offset`, `head` its first bytes.
    fn new((offset, head): (u64, &[u8]), value: f64) -> Seen {
        let head_len = if head.len() < STAMP {
            head.len()
        } else {
            STAMP
        };
        let mut stamp = [0u8; STAMP];
        stamp[..head_len].copy_from_slice(&head[..head_len]);
        Seen {
            offset,
            value,
            head: stamp,
            head_len: head_len as u8,
        }
    }

    /// Returns the point, its time read.
    fn point(&self) -> ChartPoint {
        ChartPoint {
            offset: self.offset,
            time: timestamp::leading(&self.head[..usize::from(self.head_len)]),
            value: self.value,
        }
    }
}

impl Plan {
    /// Plans a chart for every check, reading the token the check reads (its own, else
    /// the one whose last line holds the metric, else every token), adding tokens and
    /// metrics to `lookup`.
    pub(crate) fn new(
        checks: &[Check],
        metrics: &Metrics,
        lookup: &mut Lookup,
        log_len: u64,
    ) -> Plan {
        let items = checks
            .iter()
            .enumerate()
            .map(|(index, check)| {
                let token = metrics.token_of(&check.spec).map(str::to_string);
                Item {
                    check: index,
                    token: lookup.token(token.as_deref()),
                    token_name: token,
                    key: lookup.key(&check.spec.metric),
                    bound: check.spec.bound,
                    limit: check.spec.limit,
                }
            })
            .collect();
        Plan {
            items,
            width: log_len.div_ceil(BUCKETS).max(1),
            log_len,
        }
    }

    /// Returns true if and only if there is nothing to chart.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Returns empty charts for a part of the log.
    pub(crate) fn fresh(&self) -> Vec<Gathered> {
        self.items
            .iter()
            .map(|_| Gathered {
                lines: 0,
                crossed: 0,
                buckets: vec![None; BUCKETS as usize],
                first: None,
                last: None,
                first_crossed: None,
                worst: None,
            })
            .collect()
    }

    /// Adds a line, whose looked-up values are `values`, to the charts of a part.
    pub(crate) fn add(
        &self,
        part: &mut [Gathered],
        line: &TokenLine<'_>,
        values: &[Option<&[u8]>],
    ) {
        if self.items.is_empty() {
            return;
        }
        let bucket = ((line.start / self.width) as usize).min(BUCKETS as usize - 1);
        let at = (line.start, line.head());
        // Indexes, not iterator adapters: this runs for every line, also unoptimized.
        let mut i = 0;
        while i < self.items.len() {
            let item = &self.items[i];
            // No `Option` combinators: unoptimized, each is a call.
            if let Some(raw) = value_on(line, values, item.token, item.key) {
                if let Some(value) = number(raw) {
                    part[i].add(item, bucket, at, value);
                }
            }
            i += 1;
        }
    }

    /// Adds the charts of a later part of the log to those of the part before it.
    pub(crate) fn merge(&self, into: &mut [Gathered], later: Vec<Gathered>) {
        for ((item, into), from) in self.items.iter().zip(into.iter_mut()).zip(later) {
            into.merge(item, from);
        }
    }

    /// Returns the charts of the whole log; `checks` and `metrics` say which value each
    /// check judged.
    pub(crate) fn finish(
        &self,
        file: &File,
        whole: Vec<Gathered>,
        checks: &[Check],
        metrics: &Metrics,
    ) -> Vec<Chart> {
        self.items
            .iter()
            .zip(whole)
            .map(|(item, gathered)| {
                let spec = &checks[item.check].spec;
                let point = |seen: Option<Seen>| seen.map(|seen| seen.point());
                let last = gathered.last.map(|(offset, value)| ChartPoint {
                    offset,
                    time: time_at(file, offset),
                    value,
                });
                let judged = match spec.over {
                    Over::All => point(gathered.worst),
                    // The last line holding the metric, if it is the line the check read.
                    Over::Last => last.filter(|last| {
                        item.token_name
                            .as_deref()
                            .and_then(|token| metrics.line(token))
                            .is_some_and(|line| line.offset == last.offset)
                    }),
                };
                let Gathered {
                    lines,
                    crossed,
                    buckets,
                    first,
                    last: _,
                    first_crossed,
                    worst: _,
                } = gathered;
                let first_crossed = point(first_crossed);
                let mut points: Vec<ChartPoint> = buckets
                    .into_iter()
                    .flatten()
                    .flat_map(|(low, high)| [low.point(), high.point()])
                    .chain(point(first))
                    .chain(last)
                    .chain(first_crossed)
                    .chain(judged)
                    .collect();
                points.sort_by_key(|point| point.offset);
                points.dedup_by_key(|point| point.offset);
                let in_time = points.iter().all(|point| point.time.is_some())
                    && points.windows(2).all(|pair| pair[0].time <= pair[1].time);
                Chart {
                    check: item.check,
                    token: item.token_name.clone(),
                    lines,
                    crossed,
                    points,
                    first_crossed,
                    judged,
                    axis: if in_time { Axis::Time } else { Axis::Offset },
                    log_len: self.log_len,
                }
            })
            .collect()
    }
}

impl Gathered {
    /// Adds `value`, the value of `item`'s metric on the line at `at` (its offset and
    /// first bytes), which falls into `bucket`.
    ///
    /// The point (with the line's first bytes) is made only where it is kept: this runs
    /// for every line, also unoptimized.
    #[inline(always)]
    fn add(&mut self, item: &Item, bucket: usize, at: (u64, &[u8]), value: f64) {
        self.lines += 1;
        if self.first.is_none() {
            self.first = Some(Seen::new(at, value));
        }
        self.last = Some((at.0, value));
        if crosses(item, value) {
            self.crossed += 1;
            if self.first_crossed.is_none() {
                self.first_crossed = Some(Seen::new(at, value));
            }
        }
        if worse(item.bound, value, self.worst.as_ref()) {
            self.worst = Some(Seen::new(at, value));
        }
        match &mut self.buckets[bucket] {
            slot @ None => {
                let seen = Seen::new(at, value);
                *slot = Some((seen, seen));
            }
            Some((low, high)) => {
                if value < low.value {
                    *low = Seen::new(at, value);
                } else if value > high.value {
                    *high = Seen::new(at, value);
                }
            }
        }
    }

    /// Adds what a later part of the log gathered.
    fn merge(&mut self, item: &Item, later: Gathered) {
        let Gathered {
            lines,
            crossed,
            buckets,
            first,
            last,
            first_crossed,
            worst,
        } = later;
        self.lines += lines;
        self.crossed += crossed;
        self.first = self.first.or(first);
        self.last = last.or(self.last);
        self.first_crossed = self.first_crossed.or(first_crossed);
        if let Some(worst) = worst {
            if worse(item.bound, worst.value, self.worst.as_ref()) {
                self.worst = Some(worst);
            }
        }
        // A bucket may straddle the split: of equal values the earlier point stays.
        for (into, from) in self.buckets.iter_mut().zip(buckets) {
            match (into.as_mut(), from) {
                (_, None) => {}
                (None, from) => *into = from,
                (Some((low, high)), Some((from_low, from_high))) => {
                    if from_low.value < low.value {
                        *low = from_low;
                    }
                    if from_high.value > high.value {
                        *high = from_high;
                    }
                }
            }
        }
    }
}

/// Returns the time the line at `offset` of `file` starts with, if it starts with one
/// (and can be read).
fn time_at(file: &File, offset: u64) -> Option<i64> {
    let mut head = [0u8; STAMP];
    let mut filled = 0;
    while filled < STAMP {
        match file.read_at(&mut head[filled..], offset + filled as u64) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    timestamp::leading(&head[..filled])
}

/// Returns true if and only if `value` is past the limit of `item` (none without a limit).
fn crosses(item: &Item, value: f64) -> bool {
    match item.limit {
        Some(limit) => item.bound.beyond(&value, &(limit as f64)),
        None => false,
    }
}

/// Returns true if and only if `value` lies strictly further to the limit's side than `kept`.
fn worse(bound: Bound, value: f64, kept: Option<&Seen>) -> bool {
    match kept {
        Some(kept) => bound.beyond(&value, &kept.value),
        None => true,
    }
}

/// Returns a metric value as a number to draw, as `int()` reads it; `None` where
/// `int()` rejects it (the check says why).
fn number(raw: &[u8]) -> Option<f64> {
    match small_int(raw) {
        Some(small) => Some(small as f64),
        None => to_number(&String::from_utf8_lossy(raw))
            .to_int()
            .ok()
            .map(|int| int.to_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::model::Observed;
    use crate::eval::thresholds::CheckSpec;
    use crate::testing::Scratch;

    fn check(metric: &str, bound: Bound, limit: i64, over: Over) -> Check {
        Check {
            spec: CheckSpec {
                metric: metric.to_string(),
                bound,
                key: format!("{metric}_{}", bound.as_str()),
                token: Some("LATENCY_METRICS".to_string()),
                over,
                limit: Some(limit),
            },
            observed: Observed::Missing,
            unsettled: None,
        }
    }

    /// Charts `log` for `checks`, reading it in one forward pass.
    fn charts(label: &str, log: &str, checks: &mut [Check]) -> Vec<Chart> {
        let scratch = Scratch::new(label);
        let path = scratch.path().join("streamer.log");
        std::fs::write(&path, log).unwrap();
        let file = File::open(&path).unwrap();
        let tokens = ["LATENCY_METRICS".to_string()];
        let metrics = Metrics::default();
        crate::eval::sweep::observe(
            &file,
            log.len() as u64,
            &tokens,
            &crate::scan::format::Reading::off(),
            checks,
            &metrics,
            true,
        )
        .unwrap()
    }

    #[test]
    fn a_short_log_keeps_every_point_at_its_time() {
        let log = "2026-03-05T12:00:00Z LATENCY_METRICS p99_us=10\n\
                   noise\n\
                   2026-03-05T12:00:10Z LATENCY_METRICS p99_us=30\n\
                   2026-03-05T12:00:20Z LATENCY_METRICS p99_us=20 p50_us=x\n";
        let mut checks = [check("p99_us", Bound::Max, 25, Over::All)];
        let charts = charts("chart-short", log, &mut checks);
        let chart = &charts[0];
        assert_eq!(chart.axis, Axis::Time);
        let values: Vec<f64> = chart.points.iter().map(|p| p.value).collect();
        assert_eq!(values, [10.0, 30.0, 20.0]);
        assert_eq!((chart.lines, chart.crossed), (3, 1));
        let crossed = chart.first_crossed.unwrap();
        assert_eq!(chart.x(&crossed) - chart.x(&chart.points[0]), 10_000.0);
        assert_eq!(chart.judged.map(|p| p.value), Some(30.0));
    }

    #[test]
    fn lines_without_a_time_or_with_time_running_back_are_placed_by_offset() {
        let log = "LATENCY_METRICS p99_us=1\nLATENCY_METRICS p99_us=2\n";
        let mut checks = [check("p99_us", Bound::Max, 25, Over::Last)];
        assert_eq!(
            charts("chart-offset", log, &mut checks)[0].axis,
            Axis::Offset
        );
        let log = "2026-03-05T12:00:10Z LATENCY_METRICS p99_us=1\n\
                   2026-03-05T12:00:00Z LATENCY_METRICS p99_us=2\n";
        let chart = &charts("chart-back", log, &mut checks)[0];
        assert_eq!(chart.axis, Axis::Offset);
        assert_eq!(chart.x(&chart.points[1]), 46.0);
    }

    #[test]
    fn a_min_limit_is_crossed_below_it_and_judged_at_its_lowest() {
        let log =
            "LATENCY_METRICS n=50\nLATENCY_METRICS n=3\nLATENCY_METRICS n=3\nLATENCY_METRICS n=9\n";
        let mut checks = [check("n", Bound::Min, 5, Over::All)];
        let chart = &charts("chart-min", log, &mut checks)[0];
        assert_eq!(chart.crossed, 2);
        // The earliest of the two lowest values.
        assert_eq!(chart.judged.map(|p| p.offset), Some(21));
        assert_eq!(chart.first_crossed.map(|p| p.offset), Some(21));
    }
}
