//! Judging a run: the checks a suite gives each scenario, evidence, limits
//! judged over the whole run, the charts of checked metrics, and the one
//! evaluated model every face renders.

pub mod case;
pub mod chart;
pub mod evaluation;
pub mod evidence;
pub mod judgement;
pub(crate) mod lookup;
pub mod model;
pub mod regression;
pub(crate) mod schedule;
pub mod series;
pub mod sweep;
pub mod thresholds;
