//! Judging a run: the threshold tables, evidence, and the one evaluated model
//! every face renders.

pub mod evaluation;
pub mod evidence;
pub mod model;
pub mod thresholds;
