//! Judging a run: the threshold tables, evidence, and the one evaluated model
//! every face renders.

pub mod evaluate;
pub mod model;
pub mod thresholds;
