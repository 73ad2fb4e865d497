//! The HTML report's pictures, as inline SVG: a budget bar per check (its value
//! against its limit), a line chart per checked metric over the whole run, and a
//! trend per metric judged against earlier runs, with its regression boundary.
//!
//! Both are plain markup written by hand: a few shapes, no script, no fonts
//! or images fetched, drawn the same on screen and in print. The numbers come
//! from the model and its charts (`eval::chart`); which side of a limit is a
//! failure is the check's bound, and whether a check failed is its test's
//! verdict, handed in. Every label is placed by its measured extent
//! ([`TextBox`]): never over another label, a drawn line or the plot's edge; a
//! label with no free place is left out (the legend under the chart says it in
//! words). Markup is [`Html`]: text from logs and manifests stays text.

use crate::eval::chart::{Axis, Chart, ChartPoint};
use crate::eval::regression::Trend;
use crate::html;
use crate::input::suite::{Bound, Over};
use crate::report::markup::Html;
use crate::timestamp;

/// Colour of values within their limit.
const PASS: &str = "#2e7d4f";
/// Colour of values past their limit and of failure marks.
pub const FAIL: &str = "#b42318";
/// Fill of the region past a limit.
const FORBIDDEN: &str = "#f7dcd8";
/// Colour of a metric's line.
const LINE: &str = "#2f5d8a";
/// Colour of axes, limits and labels.
const INK: &str = "#1f2328";
/// Colour of grid lines and bar tracks.
pub const GRID: &str = "#e3e6ea";
/// Colour of secondary text.
const MUTED: &str = "#57606a";

/// Size of a chart's text, as the page's style sets it (`svg.chart { font-size: 11px }`).
pub const FONT: f64 = 11.0;
/// Width of one character per unit of font size: more than a bold digit or capital
/// of the common sans-serif faces takes, so that a measured box holds its text.
pub const CHAR_WIDTH: f64 = 0.7;

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

/// Where a text's `x` lies in it (SVG's `text-anchor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    /// Returns the anchor as SVG spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }

    /// Reads an anchor as SVG spells it (`start` when absent or unknown, as SVG does).
    pub fn parse(text: &str) -> Anchor {
        match text {
            "middle" => Anchor::Middle,
            "end" => Anchor::End,
            _ => Anchor::Start,
        }
    }
}

/// A rectangle in picture units: a text's extent, a plot's frame, a picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextBox {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl TextBox {
    /// Returns the extent of `text` at `x` and baseline `y` in the chart font: every
    /// character [`CHAR_WIDTH`] wide, ascenders to 0.8 and descenders to 0.25 of the size.
    pub fn of_text(x: f64, y: f64, anchor: Anchor, text: &str) -> TextBox {
        let width = text.chars().count() as f64 * FONT * CHAR_WIDTH;
        let left = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - width / 2.0,
            Anchor::End => x - width,
        };
        TextBox {
            left,
            top: y - 0.8 * FONT,
            right: left + width,
            bottom: y + 0.25 * FONT,
        }
    }

    /// Returns the square around a circle.
    fn around(x: f64, y: f64, radius: f64) -> TextBox {
        TextBox {
            left: x - radius,
            top: y - radius,
            right: x + radius,
            bottom: y + radius,
        }
    }

    /// Returns true if and only if the two boxes share more than an edge.
    pub fn overlaps(&self, other: &TextBox) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    /// Returns true if and only if this box lies inside `outer` (edges may touch).
    pub fn within(&self, outer: &TextBox) -> bool {
        self.left >= outer.left
            && self.right <= outer.right
            && self.top >= outer.top
            && self.bottom <= outer.bottom
    }

    /// Returns true if and only if the segment from `from` to `to` passes through the box.
    pub fn crosses(&self, from: (f64, f64), to: (f64, f64)) -> bool {
        // Liang and Barsky's clipping: the part of the segment inside each edge's side.
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let (mut enter, mut leave) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, from.0 - self.left),
            (dx, self.right - from.0),
            (-dy, from.1 - self.top),
            (dy, self.bottom - from.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
                continue;
            }
            let r = q / p;
            if p < 0.0 {
                enter = enter.max(r);
            } else {
                leave = leave.min(r);
            }
            if enter > leave {
                return false;
            }
        }
        true
    }
}

/// A segment of a drawn line.
type Segment = ((f64, f64), (f64, f64));

/// The labels of one picture, placed where they touch nothing already drawn.
struct Layout {
    /// The whole picture.
    picture: TextBox,
    /// The plot's frame: a label lies wholly inside it or wholly outside.
    plot: TextBox,
    /// Placed labels and marks (rings).
    taken: Vec<TextBox>,
    /// Drawn lines: axes, limits, boundaries, marks, the metric's own line.
    lines: Vec<Segment>,
}

impl Layout {
    fn new(width: f64, height: f64, plot: TextBox) -> Layout {
        let (left, top, right, bottom) = (plot.left, plot.top, plot.right, plot.bottom);
        Layout {
            picture: TextBox {
                left: 0.0,
                top: 0.0,
                right: width,
                bottom: height,
            },
            plot,
            taken: Vec::new(),
            lines: vec![
                ((left, bottom), (right, bottom)),
                ((left, top), (left, bottom)),
            ],
        }
    }

    /// Returns true if and only if `area` is in the picture, inside or outside the plot
    /// but not across its edge, and clear of every label and line.
    fn free(&self, area: &TextBox) -> bool {
        let inside = TextBox {
            left: self.plot.left + 1.0,
            top: self.plot.top + 1.0,
            right: self.plot.right - 1.0,
            bottom: self.plot.bottom - 1.0,
        };
        // A unit of room all round: coordinates are written rounded to a tenth.
        let room = TextBox {
            left: area.left - 1.0,
            top: area.top - 1.0,
            right: area.right + 1.0,
            bottom: area.bottom + 1.0,
        };
        area.within(&self.picture)
            && (area.within(&inside) || !room.overlaps(&self.plot))
            && !self.taken.iter().any(|taken| taken.overlaps(&room))
            && !self.lines.iter().any(|(from, to)| room.crosses(*from, *to))
    }

    /// Places `text` at the first of `spots` (x, baseline, anchor) where it is free, and
    /// draws it there with `class` (and `fill`); draws nothing when no spot is free.
    fn label(
        &mut self,
        out: &mut Html,
        text: &str,
        class: &'static str,
        fill: Option<&'static str>,
        spots: &[(f64, f64, Anchor)],
    ) -> bool {
        let found = spots.iter().find_map(|&(x, y, anchor)| {
            let area = TextBox::of_text(x, y, anchor, text);
            self.free(&area).then_some((x, y, anchor, area))
        });
        let Some((x, y, anchor, area)) = found else {
            return false;
        };
        self.taken.push(area);
        html!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"{}\"",
            x,
            y,
            anchor.as_str(),
            class
        );
        if let Some(fill) = fill {
            html!(out, " fill=\"{}\"", fill);
        }
        html!(out, ">{}</text>", text);
        true
    }

    /// Returns the spots for a label of a line across the plot at `y`: on the side
    /// `first_above` says first, then the other, at the right end, the left end, then
    /// in between.
    fn along(&self, y: f64, first_above: bool) -> Vec<(f64, f64, Anchor)> {
        let above = y - 4.0;
        let below = y + 4.0 + 0.8 * FONT;
        let sides = if first_above {
            [above, below]
        } else {
            [below, above]
        };
        let (left, right) = (self.plot.left, self.plot.right);
        let width = right - left;
        let mut spots = Vec::new();
        for side in sides {
            spots.push((right - 4.0, side, Anchor::End));
            spots.push((left + 4.0, side, Anchor::Start));
            for share in [0.75, 0.5, 0.25] {
                spots.push((left + width * share, side, Anchor::Middle));
            }
        }
        spots
    }

    /// Returns the spots for the label of a ring at (`x`, `y`): beside it, above, below,
    /// further out, then in the margin above the plot.
    fn around(&self, x: f64, y: f64) -> Vec<(f64, f64, Anchor)> {
        let mut spots = Vec::new();
        for (dy, step) in [
            (4.0, 0.0),
            (-8.0, 0.0),
            (16.0, 0.0),
            (-22.0, 0.0),
            (30.0, 0.0),
        ] {
            let y = y + dy + step;
            spots.push((x - 9.0, y, Anchor::End));
            spots.push((x + 9.0, y, Anchor::Start));
        }
        let margin = self.plot.top - 5.0;
        spots.push((x, margin, Anchor::Middle));
        spots.push((x, margin, Anchor::End));
        spots.push((x, margin, Anchor::Start));
        spots.push((self.plot.right, margin, Anchor::End));
        spots
    }

    /// Draws a line across the plot at `y` (an edge: a limit, a boundary), dashed.
    fn edge_line(&mut self, out: &mut Html, y: f64) {
        let (left, right) = (self.plot.left, self.plot.right);
        html!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
            left,
            y,
            right,
            y,
            INK
        );
        self.lines.push(((left, y), (right, y)));
    }
}

/// Draws `value` against `limit` on a track whose part past the limit is shaded (right
/// of a max, left of a min), the limit a dark tick and the value a dot, red when `failed`:
/// a min and a max read the same way.
pub fn budget_bar(metric: &str, value: f64, limit: i64, bound: Bound, failed: bool) -> Html {
    const WIDTH: f64 = 220.0;
    const PAD: f64 = 6.0;
    let limit_value = limit as f64;
    let low = value.min(limit_value).min(0.0);
    let mut high = value.max(limit_value).max(0.0);
    if high <= low {
        high = low + 1.0;
    }
    // Room past the larger of the two, so that a value at the limit shows on either side.
    let high = low + (high - low) * 1.15;
    let x = |v: f64| PAD + (v - low) / (high - low) * (WIDTH - 2.0 * PAD);
    let (zone_from, zone_to) = match bound {
        Bound::Max => (x(limit_value), WIDTH - PAD),
        Bound::Min => (PAD, x(limit_value)),
    };
    let colour = if failed { FAIL } else { PASS };
    let side = bound.as_str();
    let fails = match bound {
        Bound::Max => "above",
        Bound::Min => "below",
    };
    let label = format!(
        "{metric} {} against the {side} {}; {fails} it fails",
        number(value),
        number(limit_value)
    );
    html!(
        "<svg class=\"bar\" viewBox=\"0 0 {} 20\" width=\"{}\" height=\"20\" role=\"img\" aria-label=\"{}\">\
<title>{}</title>\
<rect class=\"track\" x=\"{}\" y=\"5\" width=\"{}\" height=\"10\" rx=\"2\" fill=\"{}\"/>\
<rect class=\"zone\" x=\"{}\" y=\"5\" width=\"{}\" height=\"10\" fill=\"{}\"/>\
<line class=\"limit\" x1=\"{}\" y1=\"1\" x2=\"{}\" y2=\"19\" stroke=\"{}\" stroke-width=\"2\"/>\
<circle class=\"value\" cx=\"{}\" cy=\"10\" r=\"4.5\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\
</svg>",
        WIDTH,
        WIDTH,
        label,
        label,
        PAD,
        WIDTH - 2.0 * PAD,
        GRID,
        zone_from,
        (zone_to - zone_from).max(0.0),
        FORBIDDEN,
        x(limit_value),
        x(limit_value),
        INK,
        x(value),
        colour
    )
}

/// What a line chart marks besides the metric's points.
pub struct Marks<'a> {
    pub metric: &'a str,
    pub bound: Bound,
    pub limit: Option<i64>,
    /// Which lines the limit judges: only for `over: all` is every point judged.
    pub over: Over,
    /// True if and only if the check's test failed (or erred).
    pub failed: bool,
}

/// The chart's width, the line chart's height and the plot's margins, in SVG units.
const CHART_W: f64 = 560.0;
const CHART_H: f64 = 200.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 30.0;
/// Height of one row of labels under a plot.
const ROW: f64 = 13.0;

/// Maps chart values to plot coordinates.
struct Frame {
    x_low: f64,
    x_high: f64,
    y_low: f64,
    y_high: f64,
    /// The plot's frame in the picture.
    plot: TextBox,
}

impl Frame {
    fn new(x: (f64, f64), y: (f64, f64), height: f64, bottom: f64) -> Frame {
        // One point (or points at one place) stands in the middle, clear of the axis.
        let (x_low, x_high) = if x.1 > x.0 { x } else { (x.0 - 1.0, x.0 + 1.0) };
        Frame {
            x_low,
            x_high,
            y_low: y.0,
            y_high: y.1,
            plot: TextBox {
                left: LEFT,
                top: TOP,
                right: CHART_W - RIGHT,
                bottom: height - bottom,
            },
        }
    }

    fn x(&self, value: f64) -> f64 {
        let plot = &self.plot;
        plot.left + (value - self.x_low) / (self.x_high - self.x_low) * (plot.right - plot.left)
    }

    fn y(&self, value: f64) -> f64 {
        let plot = &self.plot;
        plot.bottom - (value - self.y_low) / (self.y_high - self.y_low) * (plot.bottom - plot.top)
    }

    /// Shades the plot past `edge`: above it, or below it.
    fn shade_past(&self, out: &mut Html, edge: f64, above: bool) {
        let at = self.y(edge).clamp(self.plot.top, self.plot.bottom);
        let (from, to) = if above {
            (self.plot.top, at)
        } else {
            (at, self.plot.bottom)
        };
        html!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" opacity=\"0.6\"/>",
            self.plot.left,
            from,
            self.plot.right - self.plot.left,
            (to - from).max(0.0),
            FORBIDDEN
        );
    }

    /// Draws the grid lines and the value labels left of the plot.
    fn value_grid(&self, out: &mut Html, layout: &mut Layout) {
        for tick in value_ticks(self.y_low, self.y_high, 5.0) {
            let y = self.y(tick);
            html!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>",
                self.plot.left,
                y,
                self.plot.right,
                y,
                GRID
            );
            let spot = [(self.plot.left - 6.0, y + 4.0, Anchor::End)];
            layout.label(out, &compact(tick), "tick", None, &spot);
        }
    }

    /// Draws the two axes.
    fn axes(&self, out: &mut Html) {
        let TextBox {
            left,
            top,
            right,
            bottom,
        } = self.plot;
        html!(
            out,
            "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>\
<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>",
            left,
            bottom,
            right,
            bottom,
            INK,
            left,
            top,
            left,
            bottom,
            INK
        );
    }

    /// Returns the picture's opening tag, its frame marked for whoever measures it.
    fn open(&self, height: f64, label: &str) -> Html {
        html!(
            "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
            CHART_W,
            height,
            label
        )
    }
}

/// Returns the lowest and the highest of `values`.
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// Draws the metric's line through `points` (picture coordinates), noting its segments.
fn polyline(out: &mut Html, layout: &mut Layout, points: &[(f64, f64)]) {
    if points.len() < 2 {
        return;
    }
    html!(
        out,
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.4\" stroke-linejoin=\"round\" points=\"",
        LINE
    );
    for (index, &(x, y)) in points.iter().enumerate() {
        if index > 0 {
            out.push_literal(" ");
        }
        html!(out, "{},{}", x, y);
    }
    out.push_literal("\"/>");
    layout
        .lines
        .extend(points.windows(2).map(|pair| (pair[0], pair[1])));
}

/// Draws a ring around a point, in `colour`.
fn ring(out: &mut Html, layout: &mut Layout, (x, y): (f64, f64), colour: &'static str) {
    html!(
        out,
        "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"#ffffff\" stroke=\"{}\" stroke-width=\"2\"/>",
        x,
        y,
        colour
    );
    layout.taken.push(TextBox::around(x, y, 6.0));
}

/// Draws a chart: the metric's line and the limit across it. For a limit judged over all
/// lines every point is judged: the region past the limit is shaded, the points past
/// it dotted (red when the check failed) and the first of them marked by a vertical
/// line. For a limit on the last line only the judged value is: the line is context.
/// The value the check judged is ringed and labelled.
pub fn line_chart(chart: &Chart, marks: &Marks<'_>) -> Html {
    let Marks {
        metric,
        bound,
        limit,
        over,
        failed,
    } = *marks;
    let every_line = over == Over::All;
    let label = format!("{metric} over the run");
    if chart.points.is_empty() {
        let frame = Frame::new((0.0, 1.0), (0.0, 1.0), CHART_H, BOTTOM);
        let mut out = frame.open(CHART_H, &label);
        html!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">no line of the log holds {}</text></svg>",
            CHART_W / 2.0,
            CHART_H / 2.0,
            MUTED,
            metric
        );
        return out;
    }
    let xs: Vec<f64> = chart.points.iter().map(|point| chart.x(point)).collect();
    let values = chart.points.iter().map(|point| point.value);
    let (mut y_low, mut y_high) = extent(values.chain(limit.map(|limit| limit as f64)));
    let pad = ((y_high - y_low) * 0.08).max(1.0);
    y_low -= pad;
    y_high += pad;
    // Offsets span the whole log, so the picture shows where in it the lines lie.
    let x_range = match chart.axis {
        Axis::Offset => (0.0, chart.log_len as f64),
        Axis::Time => extent(xs.iter().copied()),
    };
    let frame = Frame::new(x_range, (y_low, y_high), CHART_H, BOTTOM);
    let plot = frame.plot;
    let mut out = frame.open(CHART_H, &label);
    let mut layout = Layout::new(CHART_W, CHART_H, plot);
    // The region past the limit, under everything else.
    if let (Some(limit), true) = (limit, every_line) {
        frame.shade_past(&mut out, limit as f64, bound == Bound::Max);
    }
    frame.value_grid(&mut out, &mut layout);
    // x labels; one that would touch the one before is left out.
    for (tick, text) in x_ticks(chart.axis, frame.x_low, frame.x_high) {
        let x = frame.x(tick);
        html!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>",
            x,
            plot.bottom,
            x,
            plot.bottom + 4.0,
            INK
        );
        let y = plot.bottom + 17.0;
        // A label at the plot's right end ends there rather than running off the picture.
        let spots = [
            (x, y, Anchor::Middle),
            (x.min(CHART_W - 2.0), y, Anchor::End),
        ];
        layout.label(&mut out, &text, "tick", None, &spots);
    }
    frame.axes(&mut out);
    let points: Vec<(f64, f64)> = chart
        .points
        .iter()
        .zip(&xs)
        .map(|(point, x)| (frame.x(*x), frame.y(point.value)))
        .collect();
    // The first point past the limit: when the metric crossed it.
    let crossing = chart
        .first_crossed
        .as_ref()
        .filter(|_| failed && every_line);
    if let Some(first) = crossing {
        let x = frame.x(chart.x(first));
        html!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-dasharray=\"2 3\"/>",
            x,
            plot.top,
            x,
            plot.bottom,
            FAIL
        );
        layout.lines.push(((x, plot.top), (x, plot.bottom)));
    }
    // The limit, its line drawn before any label is placed.
    let limit_y = limit.map(|limit| frame.y(limit as f64));
    if let Some(y) = limit_y {
        layout.edge_line(&mut out, y);
    }
    polyline(&mut out, &mut layout, &points);
    // Points past a limit judged on every line, as round dots of a zero-length path each.
    let mut dots = Html::new();
    if every_line {
        for (point, &(x, y)) in chart.points.iter().zip(&points) {
            if past(bound, limit, point.value) {
                html!(dots, "M{} {}h0", x, y);
            }
        }
    }
    if !dots.is_empty() {
        let colour = if failed { FAIL } else { MUTED };
        html!(
            out,
            "<path d=\"{}\" stroke=\"{}\" stroke-width=\"5\" stroke-linecap=\"round\"/>",
            dots,
            colour
        );
    }
    let judged = chart
        .judged
        .as_ref()
        .map(|judged| (judged, (frame.x(chart.x(judged)), frame.y(judged.value))));
    let colour = if failed { FAIL } else { INK };
    if let Some((_, at)) = judged {
        ring(&mut out, &mut layout, at, colour);
    }
    // Labels, the most telling first: the limit, the judged value, the first crossing.
    if let (Some(limit), Some(y)) = (limit, limit_y) {
        let text = format!("{} {}", bound.as_str(), number(limit as f64));
        let spots = layout.along(y, bound == Bound::Max);
        layout.label(&mut out, &text, "limit", None, &spots);
    }
    if let Some((judged, (x, y))) = judged {
        let text = format!("judged {}", number(judged.value));
        let spots = layout.around(x, y);
        layout.label(&mut out, &text, "judged", Some(colour), &spots);
    }
    if let Some(first) = crossing {
        let x = frame.x(chart.x(first));
        let text = format!("first past the limit {}", time_of_day(chart, first));
        let y = plot.top - 5.0;
        let spots = [
            (x + 4.0, y, Anchor::Start),
            (x - 4.0, y, Anchor::End),
            (plot.right, y, Anchor::End),
            (plot.left, y, Anchor::Start),
        ];
        layout.label(&mut out, &text, "crossed", None, &spots);
    }
    out.push_literal("</svg>");
    out
}

/// Returns true if and only if `value` is past `limit` on the `bound` side.
fn past(bound: Bound, limit: Option<i64>, value: f64) -> bool {
    limit.is_some_and(|limit| bound.beyond(&value, &(limit as f64)))
}

/// Returns the rows the names under a trend's slots take: as many as needed for each
/// name to fit whole beside its neighbours on its row (up to four, then names are cut).
fn name_rows(names: &[&str], slot: f64) -> usize {
    let widest = names
        .iter()
        .map(|name| name.chars().count() as f64 * FONT * CHAR_WIDTH + 6.0)
        .fold(0.0, f64::max);
    ((widest / slot).ceil() as usize).clamp(1, 4)
}

/// Returns `name` cut in the middle to `fits` characters (`nigh…0301`), whole if it fits.
fn cut_middle(name: &str, fits: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= fits || fits < 3 {
        return name.to_string();
    }
    let tail = (fits - 1) / 2;
    let head = fits - 1 - tail;
    chars[..head]
        .iter()
        .chain(std::iter::once(&'…'))
        .chain(&chars[chars.len() - tail..])
        .collect()
}

/// Draws a metric across runs: the earlier runs' values joined by a line, this run's
/// value ringed at the right end, the median of the window dotted across, and the
/// regression boundary dashed across with the region past it shaded. `failed` is the
/// regression test's verdict: it colours this run's value. Run names stand whole under
/// their slots, on as many rows as they need, each with its full name on hover.
pub fn trend_chart(trend: &Trend, failed: bool) -> Html {
    let metric = &trend.metric;
    let mut points: Vec<(&str, f64)> = trend
        .window
        .iter()
        .map(|earlier| (earlier.run.as_str(), earlier.value.to_f64()))
        .collect();
    points.push((trend.run.as_str(), trend.value.to_f64()));
    let names: Vec<&str> = points.iter().map(|(run, _)| *run).collect();
    let slot = (CHART_W - RIGHT - LEFT) / points.len() as f64;
    let rows = name_rows(&names, slot);
    let bottom = BOTTOM + (rows - 1) as f64 * ROW;
    let height = CHART_H + (rows - 1) as f64 * ROW;
    let boundary = trend.boundary.as_ref();
    let lines = boundary
        .into_iter()
        .flat_map(|boundary| [boundary.upper, boundary.lower, Some(boundary.median)])
        .flatten();
    let (mut y_low, mut y_high) = extent(points.iter().map(|(_, value)| *value).chain(lines));
    let pad = ((y_high - y_low) * 0.1).max(1.0);
    y_low -= pad;
    y_high += pad;
    // One slot per run, the first and last half a slot in from the plot's ends.
    let frame = Frame::new(
        (-0.5, points.len() as f64 - 0.5),
        (y_low, y_high),
        height,
        bottom,
    );
    let plot = frame.plot;
    let mut out = frame.open(height, &format!("{metric} across runs"));
    let mut layout = Layout::new(CHART_W, height, plot);
    let edges: Vec<(f64, bool)> = boundary
        .iter()
        .flat_map(|boundary| [(boundary.upper, true), (boundary.lower, false)])
        .filter_map(|(edge, above)| Some((edge?, above)))
        .collect();
    for &(edge, above) in &edges {
        frame.shade_past(&mut out, edge, above);
    }
    frame.value_grid(&mut out, &mut layout);
    // Run names under their slots, row by row so that neighbours on a row stand `rows`
    // slots apart; a name still too long is cut in the middle, whole in its title.
    let fits = ((slot * rows as f64 - 6.0) / (FONT * CHAR_WIDTH)) as usize;
    for (index, run) in names.iter().enumerate() {
        let x = frame.x(index as f64);
        let y = plot.bottom + 17.0 + (index % rows) as f64 * ROW;
        let text = cut_middle(run, fits);
        let area = TextBox::of_text(x, y, Anchor::Middle, &text);
        let (x, anchor) = if area.right > CHART_W {
            (CHART_W - 1.0, Anchor::End)
        } else if area.left < 0.0 {
            (1.0, Anchor::Start)
        } else {
            (x, Anchor::Middle)
        };
        let area = TextBox::of_text(x, y, anchor, &text);
        layout.taken.push(area);
        html!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"tick\"><title>{}</title>{}</text>",
            x,
            y,
            anchor.as_str(),
            *run,
            text
        );
    }
    frame.axes(&mut out);
    let median_y = boundary.map(|boundary| frame.y(boundary.median));
    if let Some(y) = median_y {
        html!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-dasharray=\"1 3\"/>",
            plot.left,
            y,
            plot.right,
            y,
            MUTED
        );
        layout.lines.push(((plot.left, y), (plot.right, y)));
    }
    let edge_ys: Vec<(f64, f64, bool)> = edges
        .iter()
        .map(|&(edge, above)| (edge, frame.y(edge), above))
        .collect();
    for &(_, y, _) in &edge_ys {
        layout.edge_line(&mut out, y);
    }
    let at: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(index, (_, value))| (frame.x(index as f64), frame.y(*value)))
        .collect();
    polyline(&mut out, &mut layout, &at);
    let mut dots = Html::new();
    for &(x, y) in &at[..at.len() - 1] {
        html!(dots, "M{} {}h0", x, y);
        layout.taken.push(TextBox::around(x, y, 3.0));
    }
    if !dots.is_empty() {
        html!(
            out,
            "<path d=\"{}\" stroke=\"{}\" stroke-width=\"5\" stroke-linecap=\"round\"/>",
            dots,
            LINE
        );
    }
    let last = at[at.len() - 1];
    let colour = if failed { FAIL } else { INK };
    ring(&mut out, &mut layout, last, colour);
    for &(edge, y, above) in &edge_ys {
        let text = format!("boundary {}", number(edge.round()));
        let spots = layout.along(y, above);
        layout.label(&mut out, &text, "limit", None, &spots);
    }
    let text = format!("this run {}", number(points[points.len() - 1].1));
    let spots = layout.around(last.0, last.1);
    layout.label(&mut out, &text, "judged", Some(colour), &spots);
    match (boundary, median_y) {
        (Some(boundary), Some(y)) => {
            let text = format!("median {}", number(boundary.median.round()));
            let mut spots = layout.along(y, true);
            // The median reads best at the left, where the window's runs are.
            spots.rotate_left(1);
            layout.label(&mut out, &text, "tick", None, &spots);
        }
        _ => {
            let text = "too few runs before to judge";
            let spots = layout.along(plot.top + 2.0 + 0.8 * FONT + 4.0, true);
            layout.label(&mut out, text, "tick", None, &spots);
        }
    }
    out.push_literal("</svg>");
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
    fn a_bar_shades_the_failing_side_and_dots_the_value_for_both_bounds() {
        // A max of 100 and a value of 50 on a scale to 115 over 208 units from 6: the
        // zone runs right from the limit's tick (6 + 100/115 * 208 = 186.9), the dot at 96.4.
        let bar = budget_bar("p", 50.0, 100, Bound::Max, false);
        assert!(
            bar.as_str().contains(PASS) && !bar.as_str().contains(FAIL),
            "{bar}"
        );
        assert!(
            bar.as_str()
                .contains("<rect class=\"zone\" x=\"186.9\" y=\"5\" width=\"27.1\""),
            "{bar}"
        );
        assert!(bar.as_str().contains("cx=\"96.4\""), "{bar}");
        // A min of 5 and a value of 3 (scale to 5.75): the zone runs from the left end to
        // the tick at 6 + 5/5.75 * 208 = 186.9, the dot left of it, at 114.5, in red.
        let min = budget_bar("n", 3.0, 5, Bound::Min, true);
        assert!(min.as_str().contains(FAIL), "{min}");
        assert!(
            min.as_str()
                .contains("<rect class=\"zone\" x=\"6.0\" y=\"5\" width=\"180.9\""),
            "{min}"
        );
        assert!(min.as_str().contains("cx=\"114.5\""), "{min}");
        assert!(min.as_str().contains("below it fails"), "{min}");
    }

    #[test]
    fn boxes_meet_lines_and_each_other_as_geometry_says() {
        let text = TextBox::of_text(100.0, 50.0, Anchor::End, "max 2,000");
        // Nine characters of 7.7 units end at x = 100.
        assert!((text.left - (100.0 - 9.0 * 7.7)).abs() < 1e-9, "{text:?}");
        assert!(text.crosses((0.0, 45.0), (200.0, 45.0)));
        assert!(!text.crosses((0.0, 60.0), (200.0, 60.0)));
        assert!(
            text.crosses((50.0, 0.0), (60.0, 100.0)),
            "a slanted line through it"
        );
        assert!(!text.crosses((150.0, 0.0), (160.0, 100.0)));
        let beside = TextBox::of_text(101.0, 50.0, Anchor::Start, "x");
        assert!(!text.overlaps(&beside) && text.overlaps(&text));
        assert_eq!(cut_middle("nightly-0301", 20), "nightly-0301");
        assert_eq!(cut_middle("nightly-0301", 7), "nig…301");
    }
}
