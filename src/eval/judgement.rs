//! Judging a case: the one path from a named case to its verdict, which every face
//! takes.
//!
//! A case is judged on its run's [`Evaluation`], which evaluates the scenario the
//! first time one of its cases is judged (reading its log); a regression case also
//! reads the scenario in its window's runs, and numbers its line when it fails.
//! The verdict is decided here, together with what it was decided on; wording it
//! with its evidence is `report::cases`'s job, naming cases `case`'s.

use crate::eval::case::{self, Case, CaseKind};
use crate::eval::evaluation::Evaluation;
use crate::eval::model::{Check, MetricLine, Scenario, Strictness, Verdict};
use crate::eval::regression::{self, Comparison, Earlier};
use crate::input::mode::ModeChoice;

/// A case's verdict and what it was decided on.
#[derive(Debug)]
pub struct Judgement<'a> {
    /// The verdict, with the text of the violation or of why there is none.
    pub verdict: Verdict,
    pub grounds: Grounds<'a>,
}

/// What a verdict was decided on.
#[derive(Debug)]
pub enum Grounds<'a> {
    /// Nothing beyond the verdict's own text: an unusable run or folder, the suite
    /// file, a run without a mode, or a case that points at nothing (a bug).
    Nothing,
    /// A scenario's three exit codes.
    Exit { scenario: &'a Scenario },
    /// A threshold check, judged strictly (a metric that never appeared is an error),
    /// against the limit of `mode`.
    Check {
        scenario: &'a Scenario,
        check: &'a Check,
        mode: &'a ModeChoice,
    },
    /// A metric against the runs before: the window (oldest first) and this run's
    /// metric line, numbered when the test fails.
    Regression {
        scenario: &'a Scenario,
        window: Vec<Earlier>,
        line: Option<MetricLine>,
    },
    /// The run's scenario ids against the suite's.
    ScenarioSet,
}

impl Judgement<'_> {
    /// Returns a judgement on nothing but `verdict`.
    fn bare(verdict: Verdict) -> Judgement<'static> {
        Judgement {
            verdict,
            grounds: Grounds::Nothing,
        }
    }

    /// Returns the error of a case that points at nothing (a bug, never a verdict).
    fn internal(what: String) -> Judgement<'static> {
        Judgement::bare(Verdict::Error(format!("internal error: {what}")))
    }
}

/// Says why a check of a run without a mode cannot be judged: in full (how to set a
/// mode) on the run's first check, the first in evaluation order, and shortly, naming
/// that check, on every other, so that a run of 16 checks says it once.
fn no_mode(case: &Case, evaluation: &Evaluation, why: &str) -> Verdict {
    let first = (0..evaluation.len()).find(|&index| !evaluation.checks(index).is_empty());
    let (Some(first), CaseKind::Check { scenario, check }) = (first, &case.kind) else {
        return Verdict::Error(why.to_string());
    };
    if (*scenario, *check) == (first, 0) {
        return Verdict::Error(why.to_string());
    }
    // The first check's name, as the run's cases are named.
    let run = case.suite.rsplit_once("::").map_or("", |(run, _)| run);
    let first_check = CaseKind::Check {
        scenario: first,
        check: 0,
    };
    let Some(named) = case::name_evaluation(run, evaluation)
        .into_iter()
        .find(|named| named.kind == first_check)
    else {
        return Verdict::Error(why.to_string());
    };
    Verdict::Error(format!(
        "no mode for the thresholds, so no limit ({} says why and how to set one)",
        named.name
    ))
}

/// Judges `case` on `evaluation`, its run (`None` for a case that stands for an
/// unusable run or folder).
pub fn judge<'a>(case: &Case, evaluation: Option<&'a Evaluation>) -> Judgement<'a> {
    let evaluation = match (&case.kind, evaluation) {
        (CaseKind::Unusable { message }, _) => {
            return Judgement::bare(Verdict::Error(message.clone()))
        }
        (_, Some(evaluation)) => evaluation,
        (_, None) => return Judgement::internal("a case without a run".to_string()),
    };
    match case.kind {
        CaseKind::ExpectedScenarios => Judgement {
            verdict: evaluation.scenario_set().verdict(),
            grounds: Grounds::ScenarioSet,
        },
        CaseKind::SuiteFile => Judgement::bare(match evaluation.tables() {
            Ok(_) => Verdict::Pass,
            Err(why) => Verdict::Error(why),
        }),
        CaseKind::ProcessExit { scenario } => match evaluation.scenario(scenario) {
            Some(found) => Judgement {
                verdict: found.exit.verdict(),
                grounds: Grounds::Exit { scenario: found },
            },
            None => Judgement::internal(format!("no scenario #{scenario}")),
        },
        CaseKind::Check { scenario, check } => {
            let mode = match evaluation.mode() {
                Ok(mode) => mode,
                Err(why) => return Judgement::bare(no_mode(case, evaluation, why)),
            };
            let found = evaluation.scenario(scenario);
            match found.and_then(|found| Some((found, found.checks.get(check)?))) {
                Some((found, check)) => Judgement {
                    verdict: check.verdict(Strictness::Strict),
                    grounds: Grounds::Check {
                        scenario: found,
                        check,
                        mode,
                    },
                },
                None => Judgement::internal(format!("no check #{check} of scenario #{scenario}")),
            }
        }
        CaseKind::Regression { scenario, metric } => {
            let found = evaluation.regression_metrics().get(metric);
            let compared = found
                .and_then(|metric| regression::judge(evaluation, scenario, metric))
                .zip(evaluation.scenario(scenario));
            match compared {
                Some((comparison, found)) => {
                    let Comparison {
                        verdict,
                        window,
                        line,
                    } = comparison;
                    Judgement {
                        verdict,
                        grounds: Grounds::Regression {
                            scenario: found,
                            window,
                            line,
                        },
                    }
                }
                None => Judgement::internal(format!(
                    "no regression metric #{metric} of scenario #{scenario}"
                )),
            }
        }
        CaseKind::Unusable { .. } => Judgement::internal("unreachable".to_string()),
    }
}
