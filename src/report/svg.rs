//! The HTML report's pictures, as inline SVG: a budget bar per check (its value
//! against its limit), a line chart per checked metric over the whole run, and a
//! trend per metric judged against earlier runs, with its regression boundary.
//!
//! Both are plain markup written by hand: a few shapes, no script, no fonts
//! or images fetched, drawn the same on screen and in print. The numbers come
//! from the model and its charts (`eval::chart`); which side of a limit is a
//! failure is the check's bound, and whether a check failed is its test's
//! verdict, handed in. Text from logs and manifests is escaped by [`escape`].

use crate::eval::chart::{Axis, Chart, ChartPoint};
use crate::eval::regression::Trend;
use crate::input::suite::Bound;
use crate::timestamp;
use std::fmt::Write;

/// Colour of values within their limit.
const PASS: &str = "#2e7d4f";
/// Colour of values past their limit and of failure marks.
pub const FAIL: &str = "#b42318";
/// Colour of points past a limit on a check that passed (it judges another line).
const CAUTION: &str = "#bf8700";
/// Fill of the region past a limit.
const FORBIDDEN: &str = "#f7dcd8";
/// Colour of a metric's line.
const LINE: &str = "#2f5d8a";
/// Colour of axes, limits and labels.
const INK: &str = "#1f2328";
/// Colour of grid lines and bar tracks.
const GRID: &str = "#e3e6ea";
/// Colour of secondary text.
const MUTED: &str = "#57606a";

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // C0 controls but tab and newline are not allowed in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Formats a number with thousands separators: `24,780,000`, `-3`, `0.5`.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".to_string()
        } else if value > 0.0 {
            "∞".to_string()
        } else {
            "-∞".to_string()
        };
    }
    if value.fract() != 0.0 || value.abs() >= 1e15 {
        return format!("{value:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string();
    }
    let digits = format!("{}", value.abs() as i64);
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Formats a tick label short enough for the chart's margin: `1,500`, `25k`, `30M`.
fn compact(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e9 {
        format!("{}G", number((value / 1e8).round() / 10.0))
    } else if magnitude >= 1e6 {
        format!("{}M", number((value / 1e5).round() / 10.0))
    } else if magnitude >= 1e5 {
        format!("{}k", number((value / 1e2).round() / 10.0))
    } else {
        number(value)
    }
}

/// Returns `≤ limit` for a max and `≥ limit` for a min.
pub fn limit_words(bound: Bound, limit: i64) -> String {
    match bound {
        Bound::Max => format!("≤ {}", number(limit as f64)),
        Bound::Min => format!("≥ {}", number(limit as f64)),
    }
}

/// Draws `value` against `limit` as a bar in a track whose part past the limit is
/// shaded (right of a max, left of a min), the limit a dark tick; red when `failed`.
pub fn budget_bar(metric: &str, value: f64, limit: i64, bound: Bound, failed: bool) -> String {
    const WIDTH: f64 = 220.0;
    const PAD: f64 = 3.0;
    let limit_value = limit as f64;
    let low = value.min(limit_value).min(0.0);
    let mut high = value.max(limit_value).max(0.0);
    if high <= low {
        high = low + 1.0;
    }
    // Room past the larger of the two, so that a value at the limit still shows as a bar.
    let high = low + (high - low) * 1.15;
    let x = |v: f64| PAD + (v - low) / (high - low) * (WIDTH - 2.0 * PAD);
    let (zone_from, zone_to) = match bound {
        Bound::Max => (x(limit_value), WIDTH - PAD),
        Bound::Min => (PAD, x(limit_value)),
    };
    let (bar_from, bar_to) = (x(0.0).min(x(value)), x(0.0).max(x(value)));
    let colour = if failed { FAIL } else { PASS };
    let side = bound.as_str();
    format!(
        "<svg class=\"bar\" viewBox=\"0 0 {WIDTH} 20\" width=\"{WIDTH}\" height=\"20\" role=\"img\" aria-label=\"{label}\">\
<title>{label}</title>\
<rect x=\"{PAD}\" y=\"5\" width=\"{track:.1}\" height=\"10\" rx=\"2\" fill=\"{GRID}\"/>\
<rect x=\"{zone_from:.1}\" y=\"5\" width=\"{zone:.1}\" height=\"10\" fill=\"{FORBIDDEN}\"/>\
<rect x=\"{bar_from:.1}\" y=\"7\" width=\"{bar:.1}\" height=\"6\" rx=\"1\" fill=\"{colour}\"/>\
<line x1=\"{limit_x:.1}\" y1=\"1\" x2=\"{limit_x:.1}\" y2=\"19\" stroke=\"{INK}\" stroke-width=\"2\"/>\
</svg>",
        label = escape(&format!(
            "{metric} {} against the {side} {}",
            number(value),
            number(limit_value)
        )),
        track = WIDTH - 2.0 * PAD,
        zone = (zone_to - zone_from).max(0.0),
        bar = (bar_to - bar_from).max(1.0),
        limit_x = x(limit_value),
    )
}

/// What a line chart marks besides the metric's points.
pub struct Marks<'a> {
    pub metric: &'a str,
    pub bound: Bound,
    pub limit: Option<i64>,
    /// True if and only if the check's test failed (or erred).
    pub failed: bool,
}

/// The plot's size and margins, in SVG units.
const CHART_W: f64 = 560.0;
const CHART_H: f64 = 200.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 30.0;

/// Maps chart values to plot coordinates.
struct Frame {
    x_low: f64,
    x_high: f64,
    y_low: f64,
    y_high: f64,
}

impl Frame {
    fn x(&self, value: f64) -> f64 {
        LEFT + (value - self.x_low) / (self.x_high - self.x_low) * (CHART_W - LEFT - RIGHT)
    }

    fn y(&self, value: f64) -> f64 {
        CHART_H
            - BOTTOM
            - (value - self.y_low) / (self.y_high - self.y_low) * (CHART_H - TOP - BOTTOM)
    }

    /// Shades the plot past `edge`: above it, or below it.
    fn shade_past(&self, out: &mut String, edge: f64, above: bool) {
        let at = self.y(edge);
        let (from, to) = if above {
            (TOP, at)
        } else {
            (at, CHART_H - BOTTOM)
        };
        let _ = write!(
            out,
            "<rect x=\"{LEFT}\" y=\"{from:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{FORBIDDEN}\" opacity=\"0.6\"/>",
            CHART_W - RIGHT - LEFT,
            (to - from).max(0.0)
        );
    }

    /// Draws the grid lines and the value labels.
    fn value_grid(&self, out: &mut String) {
        for tick in value_ticks(self.y_low, self.y_high, 5.0) {
            let y = self.y(tick);
            let _ = write!(
                out,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"tick\">{}</text>",
                CHART_W - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                compact(tick)
            );
        }
    }

    /// Draws the two axes.
    fn axes(out: &mut String) {
        let (right, bottom) = (CHART_W - RIGHT, CHART_H - BOTTOM);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"{INK}\"/>\
<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{bottom}\" stroke=\"{INK}\"/>"
        );
    }

    /// Draws an edge (a limit, a boundary) dashed across, labelled at the right inside
    /// the shaded side past it (above or below) when that has room, else on the other.
    fn edge(&self, out: &mut String, edge: f64, above: bool, label: &str) {
        let y = self.y(edge);
        let bottom = CHART_H - BOTTOM;
        let label_y = match above {
            true if y - TOP >= 16.0 => y - 5.0,
            true => y + 13.0,
            false if bottom - y >= 16.0 => y + 13.0,
            false => y - 5.0,
        };
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\
<text x=\"{:.1}\" y=\"{label_y:.1}\" text-anchor=\"end\" class=\"limit\">{}</text>",
            CHART_W - RIGHT,
            CHART_W - RIGHT - 4.0,
            escape(label)
        );
    }
}

/// Returns true if and only if `value` is past `limit` on the `bound` side.
fn past(bound: Bound, limit: Option<i64>, value: f64) -> bool {
    match (limit, bound) {
        (Some(limit), Bound::Max) => value > limit as f64,
        (Some(limit), Bound::Min) => value < limit as f64,
        (None, _) => false,
    }
}

/// Draws a chart: the metric's line, the limit across it with the region past it
/// shaded, the points past the limit in red, the first of them marked by a vertical
/// line, and the value the check judged ringed and labelled.
pub fn line_chart(chart: &Chart, marks: &Marks<'_>) -> String {
    let Marks {
        metric,
        bound,
        limit,
        failed,
    } = *marks;
    let mut out = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {CHART_W} {CHART_H}\" role=\"img\" aria-label=\"{}\">",
        escape(&format!("{metric} over the run"))
    );
    if chart.points.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">no line of the log holds {}</text></svg>",
            CHART_W / 2.0,
            CHART_H / 2.0,
            escape(metric)
        );
        return out;
    }
    let xs: Vec<f64> = chart.points.iter().map(|point| chart.x(point)).collect();
    let values = chart.points.iter().map(|point| point.value);
    let (mut y_low, mut y_high) = values
        .clone()
        .chain(limit.map(|limit| limit as f64))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let pad = ((y_high - y_low) * 0.08).max(1.0);
    y_low -= pad;
    y_high += pad;
    // Offsets span the whole log, so the picture shows where in it the lines lie.
    let (x_low, x_high) = match chart.axis {
        Axis::Offset => (0.0, chart.log_len as f64),
        Axis::Time => xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            }),
    };
    let frame = Frame {
        x_low,
        x_high: if x_high > x_low { x_high } else { x_low + 1.0 },
        y_low,
        y_high,
    };
    let plot_right = CHART_W - RIGHT;
    let plot_bottom = CHART_H - BOTTOM;
    // The region past the limit, under everything else.
    if let Some(limit) = limit {
        frame.shade_past(&mut out, limit as f64, bound == Bound::Max);
    }
    frame.value_grid(&mut out);
    // x labels.
    for (tick, label) in x_ticks(chart.axis, frame.x_low, frame.x_high) {
        let x = frame.x(tick);
        // A label at the plot's right end ends there rather than running off the picture.
        let anchor = if x > plot_right - 24.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{plot_bottom}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>\
<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" class=\"tick\">{}</text>",
            plot_bottom + 4.0,
            plot_bottom + 17.0,
            escape(&label)
        );
    }
    Frame::axes(&mut out);
    // The limit.
    if let Some(limit) = limit {
        let side = bound.as_str();
        let label = format!("{side} {}", number(limit as f64));
        frame.edge(&mut out, limit as f64, bound == Bound::Max, &label);
    }
    // The first point past the limit: when the metric crossed it.
    if let (Some(first), true) = (&chart.first_crossed, failed) {
        let x = frame.x(chart.x(first));
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{plot_bottom}\" stroke=\"{FAIL}\" stroke-dasharray=\"2 3\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\" class=\"crossed\">first past the limit {}</text>",
            if x > CHART_W * 0.6 { x - 4.0 } else { x + 4.0 },
            TOP - 5.0,
            if x > CHART_W * 0.6 { "end" } else { "start" },
            escape(&time_of_day(chart, first))
        );
    }
    // The line itself.
    out.push_str("<polyline fill=\"none\" stroke=\"");
    out.push_str(LINE);
    out.push_str("\" stroke-width=\"1.4\" stroke-linejoin=\"round\" points=\"");
    for (point, x) in chart.points.iter().zip(&xs) {
        let _ = write!(out, "{:.1},{:.1} ", frame.x(*x), frame.y(point.value));
    }
    out.pop();
    out.push_str("\"/>");
    // Points past the limit, as round dots of a zero-length path each.
    let mut dots = String::new();
    for (point, x) in chart.points.iter().zip(&xs) {
        if past(bound, limit, point.value) {
            let _ = write!(dots, "M{:.1} {:.1}h0", frame.x(*x), frame.y(point.value));
        }
    }
    if !dots.is_empty() {
        let colour = if failed { FAIL } else { CAUTION };
        let _ = write!(
            out,
            "<path d=\"{dots}\" stroke=\"{colour}\" stroke-width=\"5\" stroke-linecap=\"round\"/>"
        );
    }
    // The value the check judged.
    if let Some(judged) = &chart.judged {
        let (x, y) = (frame.x(chart.x(judged)), frame.y(judged.value));
        let colour = if failed { FAIL } else { INK };
        let right = x > CHART_W * 0.7;
        let label_y = if y < TOP + 16.0 { y + 16.0 } else { y - 8.0 };
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"2\"/>\
<text x=\"{:.1}\" y=\"{label_y:.1}\" text-anchor=\"{}\" class=\"judged\" fill=\"{colour}\">judged {}</text>",
            if right { x - 8.0 } else { x + 8.0 },
            if right { "end" } else { "start" },
            number(judged.value)
        );
    }
    out.push_str("</svg>");
    out
}

/// Draws a metric across runs: the earlier runs' values joined by a line, this run's
/// value ringed at the right end, the median of the window dotted across, and the
/// regression boundary dashed across with the region past it shaded. `failed` is the
/// regression test's verdict: it colours this run's value.
pub fn trend_chart(trend: &Trend, failed: bool) -> String {
    let metric = &trend.metric;
    let mut out = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {CHART_W} {CHART_H}\" role=\"img\" aria-label=\"{}\">",
        escape(&format!("{metric} across runs"))
    );
    let mut points: Vec<(&str, f64)> = trend
        .window
        .iter()
        .map(|earlier| (earlier.run.as_str(), earlier.value.to_f64()))
        .collect();
    points.push((trend.run.as_str(), trend.value.to_f64()));
    let boundary = trend.boundary.as_ref();
    let lines = boundary
        .into_iter()
        .flat_map(|boundary| [boundary.upper, boundary.lower, Some(boundary.median)])
        .flatten();
    let (mut y_low, mut y_high) = points
        .iter()
        .map(|(_, value)| *value)
        .chain(lines)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let pad = ((y_high - y_low) * 0.1).max(1.0);
    y_low -= pad;
    y_high += pad;
    // One slot per run, the first and last half a slot in from the plot's ends.
    let frame = Frame {
        x_low: -0.5,
        x_high: points.len() as f64 - 0.5,
        y_low,
        y_high,
    };
    let (plot_right, plot_bottom) = (CHART_W - RIGHT, CHART_H - BOTTOM);
    let edges: Vec<(f64, bool)> = boundary
        .iter()
        .flat_map(|boundary| [(boundary.upper, true), (boundary.lower, false)])
        .filter_map(|(edge, above)| Some((edge?, above)))
        .collect();
    for &(edge, above) in &edges {
        frame.shade_past(&mut out, edge, above);
    }
    frame.value_grid(&mut out);
    // Run names under their slots, cut from the left to fit (names differ at their ends).
    let slot = (plot_right - LEFT) / points.len() as f64;
    let fits = ((slot / 6.5) as usize).max(3);
    for (index, (run, _)) in points.iter().enumerate() {
        let x = frame.x(index as f64);
        let chars: Vec<char> = run.chars().collect();
        let label: String = if chars.len() > fits {
            std::iter::once('…')
                .chain(chars[chars.len() - (fits - 1)..].iter().copied())
                .collect()
        } else {
            run.to_string()
        };
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"tick\"><title>{}</title>{}</text>",
            plot_bottom + 17.0,
            escape(run),
            escape(&label)
        );
    }
    Frame::axes(&mut out);
    match boundary {
        Some(boundary) => {
            let y = frame.y(boundary.median);
            let _ = write!(
                out,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{plot_right}\" y2=\"{y:.1}\" stroke=\"{MUTED}\" stroke-dasharray=\"1 3\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">median {}</text>",
                LEFT + 6.0,
                y - 4.0,
                number(boundary.median.round())
            );
            for &(edge, above) in &edges {
                let label = format!("boundary {}", number(edge.round()));
                frame.edge(&mut out, edge, above, &label);
            }
        }
        None => {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"end\" class=\"tick\">too few runs before to judge</text>",
                plot_right - 4.0,
                TOP + 2.0
            );
        }
    }
    if points.len() > 1 {
        out.push_str("<polyline fill=\"none\" stroke=\"");
        out.push_str(LINE);
        out.push_str("\" stroke-width=\"1.4\" stroke-linejoin=\"round\" points=\"");
        for (index, (_, value)) in points.iter().enumerate() {
            let _ = write!(out, "{:.1},{:.1} ", frame.x(index as f64), frame.y(*value));
        }
        out.pop();
        out.push_str("\"/>");
    }
    let mut dots = String::new();
    for (index, (_, value)) in points.iter().enumerate().take(points.len() - 1) {
        let _ = write!(
            dots,
            "M{:.1} {:.1}h0",
            frame.x(index as f64),
            frame.y(*value)
        );
    }
    if !dots.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{dots}\" stroke=\"{LINE}\" stroke-width=\"5\" stroke-linecap=\"round\"/>"
        );
    }
    let last = points.len() - 1;
    let (x, y) = (frame.x(last as f64), frame.y(points[last].1));
    let colour = if failed { FAIL } else { INK };
    let label_y = if y < TOP + 16.0 { y + 18.0 } else { y - 9.0 };
    let _ = write!(
        out,
        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"2\"/>\
<text x=\"{:.1}\" y=\"{label_y:.1}\" text-anchor=\"end\" class=\"judged\" fill=\"{colour}\">this run {}</text></svg>",
        x - 8.0,
        number(points[last].1)
    );
    out
}

/// Says where a point lies: its time of day (UTC) or its byte offset.
pub fn place(chart: &Chart, point: &ChartPoint) -> String {
    match (chart.axis, point.time) {
        (Axis::Time, Some(time)) => {
            let (year, month, day, hour, minute, second) = timestamp::utc(time);
            format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} UTC")
        }
        _ => format!("byte {}", number(point.offset as f64)),
    }
}

/// Says where a point lies, briefly: its time of day (`02:04:00`) or its byte offset.
fn time_of_day(chart: &Chart, point: &ChartPoint) -> String {
    match (chart.axis, point.time) {
        (Axis::Time, Some(time)) => {
            let (_, _, _, hour, minute, second) = timestamp::utc(time);
            format!("{hour:02}:{minute:02}:{second:02}")
        }
        _ => format!("byte {}", number(point.offset as f64)),
    }
}

/// Returns about `count` round values between `low` and `high` (steps of 1, 2 or 5
/// times a power of ten, at least 1: values are integers).
fn value_ticks(low: f64, high: f64, count: f64) -> Vec<f64> {
    let raw = (high - low) / count;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(magnitude * 10.0)
        .max(1.0);
    let mut ticks = Vec::new();
    let mut tick = (low / step).ceil() * step;
    while tick <= high && ticks.len() < 12 {
        ticks.push(tick);
        tick += step;
    }
    ticks
}

/// Returns about six x positions with their labels: times of day for a time axis,
/// byte offsets (KiB, MiB, GiB) for a position axis.
fn x_ticks(axis: Axis, low: f64, high: f64) -> Vec<(f64, String)> {
    let span = high - low;
    match axis {
        Axis::Time => {
            const STEPS: [f64; 20] = [
                1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5,
                216e5, 432e5, 864e5, 1728e5, 6048e5,
            ];
            let step = STEPS
                .iter()
                .copied()
                .find(|step| span / step <= 6.0)
                .unwrap_or(6048e5);
            let mut ticks = Vec::new();
            let mut tick = (low / step).ceil() * step;
            while tick <= high {
                let (_, month, day, hour, minute, second) = timestamp::utc(tick as i64);
                let label = if step >= 864e5 {
                    format!("{month:02}-{day:02}")
                } else if span >= 864e5 {
                    format!("{month:02}-{day:02} {hour:02}:{minute:02}")
                } else if step >= 6e4 {
                    format!("{hour:02}:{minute:02}")
                } else {
                    format!("{hour:02}:{minute:02}:{second:02}")
                };
                ticks.push((tick, label));
                tick += step;
            }
            ticks
        }
        Axis::Offset => {
            let (unit, name) = if high >= (1u64 << 30) as f64 {
                ((1u64 << 30) as f64, " GiB")
            } else if high >= (1u64 << 20) as f64 {
                ((1u64 << 20) as f64, " MiB")
            } else if high >= 1024.0 {
                (1024.0, " KiB")
            } else {
                (1.0, " B")
            };
            value_ticks(low / unit, high / unit, 6.0)
                .into_iter()
                .filter(|tick| *tick >= low / unit)
                .map(|tick| (tick * unit, format!("{}{name}", number(tick))))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1744.0), "1,744");
        assert_eq!(number(-24_780_000.0), "-24,780,000");
        assert_eq!(number(100.0), "100");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(compact(25_000.0), "25,000");
        assert_eq!(compact(250_000.0), "250k");
        assert_eq!(compact(30_000_000.0), "30M");
        assert_eq!(compact(-1_500_000.0), "-1.5M");
    }

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x\")</script>&\u{7}"),
            "&lt;script&gt;alert(&#39;x&quot;)&lt;/script&gt;&amp;\u{fffd}"
        );
    }

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            value_ticks(0.0, 2000.0, 5.0),
            [0.0, 500.0, 1000.0, 1500.0, 2000.0]
        );
        assert_eq!(value_ticks(-0.5, 1.5, 5.0), [0.0, 1.0]);
        let times = x_ticks(Axis::Time, 1_772_712_000_000.0, 1_772_712_370_000.0);
        assert_eq!(times[0].1, "12:00");
        assert!(times.len() <= 7);
        let offsets = x_ticks(Axis::Offset, 0.0, (256u64 << 20) as f64);
        assert_eq!(offsets[1].1, "50 MiB");
    }

    #[test]
    fn a_bar_shades_the_side_past_the_limit() {
        // A max of 100: the shaded zone starts at the limit's tick and runs right.
        let bar = budget_bar("p", 50.0, 100, Bound::Max, false);
        assert!(bar.contains(PASS) && !bar.contains(FAIL), "{bar}");
        assert!(
            bar.contains("<rect x=\"189.1\" y=\"5\" width=\"27.9\""),
            "{bar}"
        );
        // A min of 5: the zone runs from the left end to the limit.
        let min = budget_bar("n", 3.0, 5, Bound::Min, true);
        assert!(min.contains(FAIL), "{min}");
        assert!(
            min.contains("<rect x=\"3.0\" y=\"5\" width=\"186.1\""),
            "{min}"
        );
    }
}
