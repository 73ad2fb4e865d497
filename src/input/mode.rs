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
            ModeError::RunJson(RunError::UnknownMode { .. }) => {
                f.write_str(&self.worded(&[Mode::Baseline, Mode::Degraded]))
            }
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

impl std::error::Error for ModeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ModeError::RunJson(err) => Some(err),
            ModeError::NoDir { .. } | ModeError::Unset { .. } => None,
        }
    }
}

impl ModeError {
    /// Words the error for a run judged by a suite that defines the modes `defined`: a
    /// mode `run.json` names but no suite has is shown with the suite's modes and the
    /// closest of them, since the mode is there, only misspelled.
    pub fn worded(&self, defined: &[Mode]) -> String {
        let ModeError::RunJson(RunError::UnknownMode { path, value }) = self else {
            // Display words an unknown mode through here; every other error as it is.
            return self.to_string();
        };
        let names: Vec<&str> = defined.iter().map(|mode| mode.as_str()).collect();
        let listed = match names.as_slice() {
            [] => "none".to_string(),
            [one] => format!("only {one}"),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        let guess = closest(value, &names)
            .map_or(String::new(), |name| format!("; did you mean \"{name}\"?"));
        format!(
            "{path}: mode {value:?} is not a mode of the suite (it has {listed}){guess} Fix it there, or pass --mode (fault-summary) or set {MODE_VAR} to override it"
        )
    }
}

/// Returns the one of `names` closest to `value` in edits (a letter added, dropped,
/// changed or two swapped), when it is close enough to be a misspelling of it.
pub fn closest<'a>(value: &str, names: &[&'a str]) -> Option<&'a str> {
    let value = value.trim().to_lowercase();
    names
        .iter()
        .map(|name| (edits(&value, name), *name))
        .filter(|(distance, name)| *distance <= (name.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Returns the optimal string alignment distance between `a` and `b`: the fewest
/// insertions, deletions, substitutions and swaps of neighbours that turn one into the other.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

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
    use camino::Utf8PathBuf;

    #[test]
    fn explicit_then_run_json_then_summary() {
        let dir = Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .unwrap()
            .join(format!("fault-harness-mode-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
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
        assert!(
            err.contains("\"fast\"") && err.contains("Fix it there"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_misspelled_mode_is_named_with_the_suites_modes_and_the_closest() {
        let err = ModeError::RunJson(RunError::UnknownMode {
            path: "runs/n1/run.json".into(),
            value: "degradd".to_string(),
        });
        let both = [Mode::Baseline, Mode::Degraded];
        assert_eq!(
            err.worded(&both),
            "runs/n1/run.json: mode \"degradd\" is not a mode of the suite (it has baseline and degraded); did you mean \"degraded\"? Fix it there, or pass --mode (fault-summary) or set FAULT_MODE to override it"
        );
        let message = err.worded(&[Mode::Baseline]);
        assert!(
            message.contains("(it has only baseline) Fix it there"),
            "{message}"
        );
        // Edits: a dropped letter, two swapped, a changed one; nothing near "fast".
        assert_eq!(
            closest("degradd", &["baseline", "degraded"]),
            Some("degraded")
        );
        assert_eq!(
            closest("baesline", &["baseline", "degraded"]),
            Some("baseline")
        );
        assert_eq!(
            closest("Baselime", &["baseline", "degraded"]),
            Some("baseline")
        );
        assert_eq!(closest("fast", &["baseline", "degraded"]), None);
        let unset = ModeError::Unset { dir: "d".into() };
        assert_eq!(unset.worded(&both), unset.to_string());
    }
}
