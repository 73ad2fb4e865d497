//! Regression: a run's metric judged against the same metric in the runs before it.
//!
//! The window is the last `window` earlier runs (in the history's order) whose
//! scenario of the same id holds the metric; a run missing it does not count.
//! `percent` compares with the window's median, `iqr` with Tukey's fences
//! (quartiles by linear interpolation between the closest ranks). Each earlier
//! run is an [`Evaluation`] of its own, so its log is read once however many
//! later runs look back at it. The configuration is `input::regression`'s.

use crate::eval::evaluation::Evaluation;
use crate::eval::model::{MetricLine, Scenario, Verdict};
use crate::eval::thresholds;
use crate::input::history;
use crate::input::regression::{Metric, Test};
use crate::input::run_dir;
use crate::py::int::PyInt;
use std::sync::Arc;

/// A run's value in the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Earlier {
    /// The run's name.
    pub run: String,
    pub value: PyInt,
    /// The folder the run was found in.
    pub folder: String,
}

/// A run's metric compared with the runs before it: the regression test's verdict and its grounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub verdict: Verdict,
    /// The window, oldest first.
    pub window: Vec<Earlier>,
    /// Where this run's value stands: the metric line, numbered when the test fails.
    pub line: Option<MetricLine>,
}

/// Returns the metric's value on its last line in `scenario` (the reference's token for
/// its eight metrics, else the first token whose last line holds it), with that line.
pub fn last_value<'a>(scenario: &'a Scenario, metric: &str) -> Option<(PyInt, &'a MetricLine)> {
    let holds = |line: &MetricLine| line.pairs.iter().any(|(key, _)| key == metric);
    let line = match thresholds::reference_token(metric) {
        Some(token) => scenario.metrics.line(token),
        None => scenario
            .metrics
            .lines
            .iter()
            .filter_map(|(_, line)| line.as_ref())
            .find(|line| holds(line)),
    }?;
    let (_, value) = line.pairs.iter().rev().find(|(key, _)| key == metric)?;
    Some((value.to_int().ok()?, line))
}

/// Judges the test of `metric` for scenario `index` of `evaluation` against its earlier
/// runs: an error when this run lacks the metric, a failure past the boundary.
pub fn judge(evaluation: &Evaluation, index: usize, metric: &Metric) -> Option<Comparison> {
    let regression = evaluation.suite.regression.as_ref()?;
    let scenario = evaluation.scenario(index)?;
    let id = evaluation.ids.get(index)?;
    let Some((this, line)) = last_value(scenario, &metric.metric) else {
        return Some(Comparison {
            verdict: Verdict::Error(format!(
                "metric {} never appeared in this run, so it cannot be compared with the runs before",
                metric.metric
            )),
            window: Vec::new(),
            line: None,
        });
    };
    let window = window(
        evaluation,
        id,
        &metric.metric,
        regression.window,
        Evaluation::scenario,
    );
    let verdict = verdict(metric, regression.test, &this, &window, regression.min_runs);
    let mut line = line.clone();
    if !verdict.passed() && line.line.is_none() {
        line.line = evaluation.line_number(index, line.offset);
    }
    Some(Comparison {
        verdict,
        window,
        line: Some(line),
    })
}

/// How the window reads an earlier run's scenario: evaluating it on first use
/// ([`Evaluation::scenario`]) or only as already evaluated ([`Evaluation::evaluated_at`]).
type Read = for<'a> fn(&'a Evaluation, usize) -> Option<&'a Scenario>;

/// Returns the values of `metric` in the last `size` earlier runs of `evaluation` whose
/// scenario `id` holds it, oldest first, each scenario read by `read`.
fn window(
    evaluation: &Evaluation,
    id: &str,
    metric: &str,
    size: usize,
    read: Read,
) -> Vec<Earlier> {
    let mut window: Vec<Earlier> = Vec::new();
    for earlier in evaluation.earlier().iter().rev() {
        if window.len() == size {
            break;
        }
        let Some(at) = earlier.ids.iter().position(|other| other == id) else {
            continue;
        };
        let value = read(earlier, at)
            .and_then(|scenario| last_value(scenario, metric))
            .map(|(value, _)| value);
        if let Some(value) = value {
            window.push(Earlier {
                run: earlier.name().to_string(),
                value,
                folder: run_dir::folder_of(&earlier.dir).to_string(),
            });
        }
    }
    window.reverse();
    window
}

/// The values past which a run fails its regression test, on the sides judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Boundary {
    /// The middle the boundaries are measured from: the median (`percent`), or the
    /// median too for `iqr`, whose fences stand on the quartiles.
    pub median: f64,
    pub upper: Option<f64>,
    pub lower: Option<f64>,
}

/// Returns the boundary of `window` (oldest first; at least one value) for `metric`
/// under `test`: `percent` puts it `max_increase_pct` over and `max_decrease_pct`
/// under the median, by the median's size (`verdict`'s change of `(now - median) /
/// |median|`); `iqr` at Tukey's fences. The same numbers `verdict` judges by.
pub fn boundary(metric: &Metric, test: Test, window: &[Earlier]) -> Option<Boundary> {
    let Spread { q1, median, q3 } = spread(window)?;
    let (upper, lower) = match test {
        Test::Percent => (
            metric
                .max_increase_pct
                .map(|max| median + median.abs() * max / 100.0),
            metric
                .max_decrease_pct
                .map(|max| median - median.abs() * max / 100.0),
        ),
        Test::Iqr { k } => {
            let iqr = q3 - q1;
            (
                metric.max_increase_pct.map(|_| q3 + k * iqr),
                metric.max_decrease_pct.map(|_| q1 - k * iqr),
            )
        }
    };
    Some(Boundary {
        median,
        upper,
        lower,
    })
}

/// A metric across runs: the window of a regression test and this run's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    pub metric: String,
    /// The earlier runs' values, oldest first.
    pub window: Vec<Earlier>,
    /// This run's name and value.
    pub run: String,
    pub value: PyInt,
    /// The boundary, when the window is full enough to judge (`min_runs`).
    pub boundary: Option<Boundary>,
}

/// Returns the trend of `metric` for scenario `index` of `evaluation`: the window its
/// regression test judges and this run's value; `None` when this run lacks the metric.
/// Reads nothing: the window is what the test read (call it once the test was judged).
pub fn trend(evaluation: &Evaluation, index: usize, metric: &Metric) -> Option<Trend> {
    let regression = evaluation.suite.regression.as_ref()?;
    let scenario = evaluation.evaluated_at(index)?;
    let id = evaluation.ids.get(index)?;
    let (value, _) = last_value(scenario, &metric.metric)?;
    let window = window(
        evaluation,
        id,
        &metric.metric,
        regression.window,
        Evaluation::evaluated_at,
    );
    let boundary = if window.len() >= regression.min_runs {
        boundary(metric, regression.test, &window)
    } else {
        None
    };
    Some(Trend {
        metric: metric.metric.clone(),
        window,
        run: evaluation.name().to_string(),
        value,
        boundary,
    })
}

/// Gives each run of `runs` the runs of `history` that came before it, oldest first.
/// A run in both lists is one evaluation, so its log is read once whoever asks.
pub fn link(runs: &[Arc<Evaluation>], history: &[Arc<Evaluation>]) {
    // Each run's place is read once (its run.json), then kept with its evaluation.
    let mut known: Vec<(history::Place, &Arc<Evaluation>)> = history
        .iter()
        .map(|run| (history::place(&run.dir), run))
        .collect();
    known.sort_by(|(a, _), (b, _)| history::compare(a, b));
    let places: Vec<history::Place> = known.iter().map(|(place, _)| place.clone()).collect();
    for run in runs {
        let this = match known.iter().find(|(_, other)| Arc::ptr_eq(other, run)) {
            Some((place, _)) => place.clone(),
            None => history::place(&run.dir),
        };
        let earlier = history::earlier(&places, &this)
            .into_iter()
            .map(|i| Arc::clone(known[i].1))
            .collect();
        run.set_earlier(earlier);
    }
}

/// Returns a value as a float, for the statistics (exact enough for a boundary).
fn float(value: &PyInt) -> f64 {
    value.to_string().parse().unwrap_or(f64::NAN)
}

/// The quartiles of a window's values, by which both the boundary and the verdict judge.
struct Spread {
    q1: f64,
    median: f64,
    q3: f64,
}

/// Returns the quartiles of the values of `window`, or `None` for an empty window.
fn spread(window: &[Earlier]) -> Option<Spread> {
    if window.is_empty() {
        return None;
    }
    let mut values: Vec<f64> = window.iter().map(|earlier| float(&earlier.value)).collect();
    values.sort_by(f64::total_cmp);
    Some(Spread {
        q1: quantile(&values, 0.25),
        median: quantile(&values, 0.5),
        q3: quantile(&values, 0.75),
    })
}

/// Returns the value at quantile `q` of sorted `values`, by linear interpolation.
fn quantile(values: &[f64], q: f64) -> f64 {
    let at = q * (values.len() - 1) as f64;
    let (low, high) = (at.floor() as usize, at.ceil() as usize);
    values[low] + (values[high] - values[low]) * (at - low as f64)
}

/// Writes a float boundary as a person would read it: whole where it is whole.
fn shown(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Judges `this` against the window of earlier values (oldest first).
pub fn verdict(
    metric: &Metric,
    test: Test,
    this: &PyInt,
    window: &[Earlier],
    min_runs: usize,
) -> Verdict {
    let Some(Spread { q1, median, q3 }) = spread(window).filter(|_| window.len() >= min_runs)
    else {
        return Verdict::Pass;
    };
    let now = float(this);
    let listed: Vec<String> = window
        .iter()
        .map(|earlier| format!("{} {}", earlier.run, earlier.value))
        .collect();
    let runs = format!(
        "the {} run{} before",
        window.len(),
        if window.len() == 1 { "" } else { "s" }
    );
    let name = &metric.metric;
    let problem = match test {
        Test::Percent => {
            let change = if median == 0.0 {
                if now == 0.0 {
                    0.0
                } else {
                    f64::INFINITY.copysign(now)
                }
            } else {
                (now - median) / median.abs() * 100.0
            };
            let pct = |change: f64| {
                if change.is_infinite() {
                    "infinitely".to_string()
                } else {
                    format!("{:.0}%", change.abs())
                }
            };
            match (metric.max_increase_pct, metric.max_decrease_pct) {
                (Some(max), _) if change > max => Some(format!(
                    "{name}={this} is {} above the median {} of {runs} (max +{}%)",
                    pct(change),
                    shown(median),
                    shown(max)
                )),
                (_, Some(max)) if -change > max => Some(format!(
                    "{name}={this} is {} below the median {} of {runs} (max -{}%)",
                    pct(change),
                    shown(median),
                    shown(max)
                )),
                _ => None,
            }
        }
        Test::Iqr { k } => {
            let iqr = q3 - q1;
            let (upper, lower) = (q3 + k * iqr, q1 - k * iqr);
            if metric.max_increase_pct.is_some() && now > upper {
                Some(format!(
                    "{name}={this} is above the upper fence {} (Q3 {} + {k} x IQR {}) of {runs}",
                    shown(upper),
                    shown(q3),
                    shown(iqr)
                ))
            } else if metric.max_decrease_pct.is_some() && now < lower {
                Some(format!(
                    "{name}={this} is below the lower fence {} (Q1 {} - {k} x IQR {}) of {runs}",
                    shown(lower),
                    shown(q1),
                    shown(iqr)
                ))
            } else {
                None
            }
        }
    };
    match problem {
        None => Verdict::Pass,
        Some(problem) => Verdict::Failure(format!("{problem}: {}", listed.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(values: &[i64]) -> Vec<Earlier> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Earlier {
                run: format!("n{i}"),
                value: PyInt::from_i64(*v),
                folder: "runs".to_string(),
            })
            .collect()
    }

    fn up(pct: f64) -> Metric {
        Metric {
            metric: "p99_us".to_string(),
            max_increase_pct: Some(pct),
            max_decrease_pct: None,
        }
    }

    #[test]
    fn percent_compares_with_the_median_of_the_window() {
        let steady = window(&[940, 960, 950, 980, 960, 970, 955]);
        // Median 960: a 47% jump fails, a 10% drift passes.
        let jump = verdict(&up(25.0), Test::Percent, &PyInt::from_i64(1410), &steady, 3);
        assert_eq!(
            jump,
            Verdict::Failure(
                "p99_us=1410 is 47% above the median 960 of the 7 runs before (max +25%): n0 940, n1 960, n2 950, n3 980, n4 960, n5 970, n6 955".to_string()
            )
        );
        let drift = verdict(&up(25.0), Test::Percent, &PyInt::from_i64(1056), &steady, 3);
        assert_eq!(drift, Verdict::Pass);
        // Too few earlier values: not judged.
        let short = verdict(
            &up(25.0),
            Test::Percent,
            &PyInt::from_i64(9999),
            &steady[..2],
            3,
        );
        assert_eq!(short, Verdict::Pass);
        let down = Metric {
            metric: "reset_events".to_string(),
            max_increase_pct: None,
            max_decrease_pct: Some(20.0),
        };
        let fewer = verdict(
            &down,
            Test::Percent,
            &PyInt::from_i64(10),
            &window(&[20, 22, 18]),
            3,
        );
        assert!(
            matches!(&fewer, Verdict::Failure(text) if text.starts_with("reset_events=10 is 50% below the median 20 of the 3 runs before (max -20%)")),
            "{fewer:?}"
        );
    }

    #[test]
    fn the_boundary_is_where_the_verdict_turns() {
        // For each test and side: the boundary's value passes, one past it fails.
        let steady = window(&[940, 960, 950, 980, 960, 970, 955]);
        let noisy = window(&[1000, 900, 1300, 950, 1100, 920, 1050]);
        let down = Metric {
            metric: "p99_us".to_string(),
            max_increase_pct: None,
            max_decrease_pct: Some(20.0),
        };
        let iqr = Test::Iqr { k: 1.5 };
        for (metric, test, values) in [
            (up(25.0), Test::Percent, &steady),
            (down.clone(), Test::Percent, &steady),
            (up(1.0), iqr, &noisy),
            (down, iqr, &noisy),
        ] {
            let found = boundary(&metric, test, values).unwrap();
            let judge = |now: f64| verdict(&metric, test, &PyInt::from_i64(now as i64), values, 3);
            if let Some(upper) = found.upper {
                assert_eq!(
                    judge(upper.floor()),
                    Verdict::Pass,
                    "{metric:?} {test:?} {found:?}"
                );
                assert!(
                    !judge(upper.floor() + 1.0).passed(),
                    "{metric:?} {test:?} {found:?}"
                );
            }
            if let Some(lower) = found.lower {
                assert_eq!(
                    judge(lower.ceil()),
                    Verdict::Pass,
                    "{metric:?} {test:?} {found:?}"
                );
                assert!(
                    !judge(lower.ceil() - 1.0).passed(),
                    "{metric:?} {test:?} {found:?}"
                );
            }
            assert!(found.upper.is_some() != found.lower.is_some());
        }
        // Median 960: +25% is 1200; sorted noisy fences: upper 1285, lower 725.
        let steady_up = boundary(&up(25.0), Test::Percent, &steady).unwrap();
        assert_eq!((steady_up.median, steady_up.upper), (960.0, Some(1200.0)));
        assert_eq!(boundary(&up(1.0), iqr, &noisy).unwrap().upper, Some(1285.0));
        assert_eq!(boundary(&up(25.0), Test::Percent, &[]), None);
    }

    #[test]
    fn iqr_uses_tukeys_fences_on_a_noisy_history() {
        // Sorted 900 920 950 1000 1050 1100 1300: Q1 935, Q3 1075, IQR 140, upper 1285.
        let noisy = window(&[1000, 900, 1300, 950, 1100, 920, 1050]);
        let iqr = Test::Iqr { k: 1.5 };
        assert_eq!(
            verdict(&up(25.0), iqr, &PyInt::from_i64(1280), &noisy, 3),
            Verdict::Pass
        );
        let high = verdict(&up(25.0), iqr, &PyInt::from_i64(1300), &noisy, 3);
        assert!(
            matches!(&high, Verdict::Failure(text) if text.starts_with("p99_us=1300 is above the upper fence 1285 (Q3 1075 + 1.5 x IQR 140) of the 7 runs before")),
            "{high:?}"
        );
    }
}
