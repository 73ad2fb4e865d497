//! The mode of a run (which threshold table applies) and the one policy that settles it.
//!
//! Both faces settle a run's mode the same way: a value given explicitly
//! (`--mode` or `FAULT_MODE`), else the run's `run.json`, else an existing
//! `summary.json`; with none, an error says how to set it. The tables
//! themselves belong to `eval::thresholds`.

use crate::input::run_dir::{self, RunError};
use camino::Utf8Path;
use std::fmt;

/// The variable that names the mode for every run (both faces read it).
pub const MODE_VAR: &str = "FAULT_MODE";

/// The threshold table in force for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Baseline,
    Degraded,
}

impl Mode {
    /// Parses a mode name exactly as the reference's `--mode` choices accept it.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "baseline" => Some(Mode::Baseline),
            "degraded" => Some(Mode::Degraded),
            _ => None,
        }
    }

    /// Returns the mode's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Baseline => "baseline",
            Mode::Degraded => "degraded",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run's mode and where it came from, for messages (`--mode`, `FAULT_MODE`, a file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeChoice {
    pub mode: Mode,
    pub origin: String,
}

/// Why no mode could be settled for a run.
#[derive(Debug)]
pub enum ModeError {
    /// The run directory does not exist.
    NoDir { dir: String },
    /// `run.json` could not be used.
    RunJson(RunError),
    /// Nothing names a mode.
    Unset { dir: String },
}

impl fmt::Display for ModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = format!(
            "pass --mode baseline|degraded (fault-summary), set {MODE_VAR}=baseline|degraded, or add \"mode\" to {}",
            run_dir::RUN_JSON
        );
        match self {
            ModeError::NoDir { dir } => write!(f, "{dir}: no such run directory"),
            ModeError::RunJson(err) => write!(f, "{err}; fix it, or {how}"),
            ModeError::Unset { dir } => write!(
                f,
                "{dir}: no mode for the thresholds: none was given and neither {} nor {} names one; {how}",
                run_dir::RUN_JSON,
                run_dir::SUMMARY
            ),
        }
    }
}

impl std::error::Error for ModeError {}

/// Settles a run's mode: `explicit` (from `--mode` or `FAULT_MODE`), else `dir/run.json`,
/// else an existing `dir/summary.json`.
pub fn settle(dir: &Utf8Path, explicit: Option<&ModeChoice>) -> Result<ModeChoice, ModeError> {
    if let Some(choice) = explicit {
        return Ok(choice.clone());
    }
    if !dir.is_dir() {
        return Err(ModeError::NoDir {
            dir: dir.to_string(),
        });
    }
    if let Some(mode) = run_dir::read_run_json(dir)
        .map_err(ModeError::RunJson)?
        .and_then(|described| described.mode)
    {
        return Ok(ModeChoice {
            mode,
            origin: dir.join(run_dir::RUN_JSON).to_string(),
        });
    }
    match run_dir::summary_mode(dir) {
        Some(mode) => Ok(ModeChoice {
            mode,
            origin: dir.join(run_dir::SUMMARY).to_string(),
        }),
        None => Err(ModeError::Unset {
            dir: dir.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn explicit_then_run_json_then_summary() {
        let scratch = Scratch::new("mode-settle");
        let dir = scratch.utf8().join("run");
        let err = settle(&dir, None).unwrap_err().to_string();
        assert!(err.ends_with("no such run directory"), "{err}");
        std::fs::create_dir_all(&dir).unwrap();
        let err = settle(&dir, None).unwrap_err().to_string();
        assert!(err.contains("no mode for the thresholds"), "{err}");
        assert!(err.contains("FAULT_MODE=baseline|degraded"), "{err}");
        std::fs::write(dir.join("summary.json"), r#"{"mode": "baseline"}"#).unwrap();
        let from_summary = settle(&dir, None).unwrap();
        assert_eq!(from_summary.mode, Mode::Baseline);
        assert!(from_summary.origin.ends_with("summary.json"));
        std::fs::write(dir.join("run.json"), r#"{"mode": "degraded"}"#).unwrap();
        let from_run_json = settle(&dir, None).unwrap();
        assert_eq!(from_run_json.mode, Mode::Degraded);
        assert!(from_run_json.origin.ends_with("run.json"));
        let flag = ModeChoice {
            mode: Mode::Baseline,
            origin: "--mode".to_string(),
        };
        assert_eq!(settle(&dir, Some(&flag)).unwrap(), flag);
        std::fs::write(dir.join("run.json"), r#"{"mode": "fast"}"#).unwrap();
        let err = settle(&dir, None).unwrap_err().to_string();
        assert!(err.contains("\"fast\"") && err.contains("fix it"), "{err}");
    }
}
