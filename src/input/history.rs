//! A history: a folder of run directories, in the order the runs happened.
//!
//! Runs are ordered by `run.json`'s `started_at`, else its `finished_at` (ISO
//! 8601 times sort as text), else the directory's name. A run's earlier runs
//! are those strictly before it: an earlier time, or, between runs that record
//! no time, an earlier name. Runs that started at the same time are not before
//! one another, and a time is never compared with a name. What a history is
//! judged for is `eval::regression`'s business.

use crate::input::run_dir;
use camino::{Utf8Path, Utf8PathBuf};

/// The variable that names a folder of earlier runs (`--history` on the command line).
pub const HISTORY_VAR: &str = "FAULT_HISTORY";

/// Where a run stands in its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub dir: Utf8PathBuf,
    /// The run's name (the directory's), for messages.
    pub name: String,
    /// When the run started (else finished), as `run.json` says; `None` when it says neither.
    pub time: Option<String>,
    /// The directory with symlinks resolved, to know a run met under two paths.
    pub resolved: Option<Utf8PathBuf>,
}

/// Returns where the run in `dir` stands: its start (or finish) time, else its name.
pub fn place(dir: &Utf8Path) -> Place {
    let name = run_dir::run_name(dir);
    // A run.json that cannot be read orders the run by its name; judging the run
    // itself says what is wrong with that file.
    let described = run_dir::read_run_json(dir).ok().flatten();
    let time = described.and_then(|run| run.started_at.or(run.finished_at));
    Place {
        dir: dir.to_path_buf(),
        resolved: dir.canonicalize_utf8().ok(),
        time,
        name,
    }
}

/// Compares places in the order the runs happened: by time, runs without one last, by name.
pub fn compare(a: &Place, b: &Place) -> std::cmp::Ordering {
    (a.time.is_none(), &a.time, &a.name).cmp(&(b.time.is_none(), &b.time, &b.name))
}

/// Puts places in the order the runs happened.
pub fn order(mut places: Vec<Place>) -> Vec<Place> {
    places.sort_by(compare);
    places
}

/// Returns the positions in `history` of the places that come before `run`, `run`
/// itself excluded, in `history`'s order.
pub fn earlier(history: &[Place], run: &Place) -> Vec<usize> {
    let same = |other: &Place| {
        other.dir.as_str() == run.dir.as_str()
            || match (&other.resolved, &run.resolved) {
                (Some(theirs), Some(ours)) => theirs.as_str() == ours.as_str(),
                _ => false,
            }
    };
    (0..history.len())
        .filter(|&i| {
            let other = &history[i];
            let before = match (&other.time, &run.time) {
                (Some(theirs), Some(ours)) => theirs < ours,
                (None, None) => other.name < run.name,
                _ => false,
            };
            before && !same(other)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn runs_are_ordered_by_start_then_finish_then_name() {
        let scratch = Scratch::new("history-order");
        let folder = scratch.utf8();
        let write = |name: &str, run_json: &str| {
            std::fs::create_dir_all(folder.join(name)).unwrap();
            std::fs::write(folder.join(name).join("manifest.tsv"), "").unwrap();
            if !run_json.is_empty() {
                std::fs::write(folder.join(name).join("run.json"), run_json).unwrap();
            }
        };
        // The names sort the other way round from the times.
        write("c", r#"{"started_at": "2026-03-01T00:00:00Z"}"#);
        write("b", r#"{"finished_at": "2026-03-02T00:00:00Z"}"#);
        write(
            "a",
            r#"{"started_at": "2026-03-03T00:00:00Z", "finished_at": "2026-01-01"}"#,
        );
        write("d", r#"{"started_at": "2026-03-03T00:00:00Z"}"#);
        write("y", "");
        write("x", "");
        let names = ["a", "b", "c", "d", "x", "y"];
        let places = order(names.map(|name| place(&folder.join(name))).to_vec());
        let ordered: Vec<&str> = places.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(ordered, ["c", "b", "a", "d", "x", "y"]);
        let before = |run: usize| -> Vec<&str> {
            earlier(&places, &places[run])
                .into_iter()
                .map(|i| places[i].name.as_str())
                .collect()
        };
        assert_eq!(before(2), ["c", "b"]);
        // The same start: neither is before the other.
        assert_eq!(before(3), ["c", "b"]);
        assert!(before(0).is_empty());
        // Runs without times order by name among themselves, never against times.
        assert_eq!(before(5), ["x"]);
        assert!(before(4).is_empty());
    }
}
