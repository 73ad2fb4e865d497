//! The one forward pass over a scenario's streamer log for everything that reads
//! all of its lines: the series of limits judged `over: all` (`series`) and,
//! when a report asks for them, the charts of every checked metric (`chart`).
//!
//! This module settles which tokens the scan searches and which keys it looks up
//! on each line (`lookup::Lookup`), reads the log once (`scan::forward::fold_lines`,
//! in two halves for a large log), and hands each line's values to both.

use crate::eval::chart::{self, Chart};
use crate::eval::lookup::Lookup;
use crate::eval::model::{Check, Metrics};
use crate::eval::series;
use crate::scan::format::Reading;
use crate::scan::forward;
use std::fs::File;
use std::io;

/// Reads `file` (of `len` bytes) forward once for the checks judged over all lines and,
/// with `charts`, for the charts of all checks (`metrics`, the last lines, say which
/// token a check reads); stores the series in their checks and returns the charts.
/// Does nothing when nothing reads all lines.
pub fn observe(
    file: &File,
    len: u64,
    suite_tokens: &[String],
    reading: &Reading,
    checks: &mut [Check],
    metrics: &Metrics,
    charts: bool,
) -> io::Result<Vec<Chart>> {
    let mut lookup = Lookup::new(suite_tokens);
    let series = series::Plan::new(checks, &mut lookup);
    let drawn = if charts {
        chart::Plan::new(checks, metrics, &mut lookup, len)
    } else {
        chart::Plan::new(&[], metrics, &mut lookup, len)
    };
    if series.is_empty() && drawn.is_empty() {
        return Ok(Vec::new());
    }
    let (tokens, keys) = lookup.into_parts();
    let keys = forward::Keys::new(&keys);
    let (whole_series, whole_charts) = forward::fold_lines_read(
        file,
        len,
        &tokens,
        reading,
        || (series.fresh(), drawn.fresh()),
        |(part_series, part_charts), line| {
            line.with_values(&keys, &mut |values| {
                series.add(part_series, &line, values);
                drawn.add(part_charts, &line, values);
            });
        },
        |(into_series, into_charts), (later_series, later_charts)| {
            series.merge(into_series, later_series);
            drawn.merge(into_charts, later_charts);
        },
    )?;
    series.finish(file, whole_series, checks)?;
    Ok(drawn.finish(file, whole_charts, checks, metrics))
}
