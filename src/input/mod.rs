//! Reading what a run left behind: the run directory (discovery, names,
//! `run.json`), the mode policy, and the manifest.

pub mod history;
pub mod logs;
pub mod manifest;
pub mod mode;
mod object;
pub mod regression;
pub mod run_dir;
pub mod suite;
