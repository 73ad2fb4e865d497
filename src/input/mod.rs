//! Reading what a run left behind: the run directory (discovery, `run.json`,
//! the mode) and its manifest.

pub mod manifest;
pub mod run_dir;
