//! Turns a fault-injection suite's run directory into test results.
//!
//! Data flows one way: run dir → manifest → evidence (log tail scan) →
//! metrics → checks → report, and the report is rendered as a
//! `summary.json` byte-compatible with the team's Python helper, as
//! libtest-mimic trials, or as JUnit XML.
#![forbid(unsafe_code)]

pub mod pyint;
mod unicode;
pub mod value;
pub(crate) mod json;
pub mod manifest;
pub mod kv;
pub mod scan;
pub mod thresholds;
pub mod model;
pub mod evaluate;
pub mod run;
pub mod summary;
pub mod output;
