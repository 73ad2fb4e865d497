//! Evidence files: where a path the manifest names leads, whether it leaves the run
//! directory, and reading the streamer log's metric lines once.
//!
//! Relative paths are tried against the manifest's folder first, then the
//! current directory (the reference uses the current directory only). A path
//! that leads out of the run directory (the folder holding the manifest) is
//! noted in [`Evidence::outside`], and refused, never opened, when evaluation is
//! confined. Only regular files are read (the crate-private `fs::open`). Judging what was
//! read is left to `evaluation` and the model.

use crate::eval::model::{Evidence, LogStatus, MetricLine, Metrics};
use crate::fs::open::{self, OpenError};
use crate::scan::tail::{self, Hit};
use camino::{Utf8Component, Utf8Path, Utf8PathBuf};
use std::fs::File;

/// Returns the folder relative evidence paths are tried against first: the manifest's.
pub fn manifest_dir(manifest: &Utf8Path) -> Utf8PathBuf {
    match manifest.parent() {
        Some(parent) if !parent.as_str().is_empty() => parent.to_path_buf(),
        _ => Utf8PathBuf::from("."),
    }
}

/// Resolves a path the manifest names, against `base` (the manifest's folder) first.
pub fn resolve(base: &Utf8Path, named: &str) -> Evidence {
    let mut evidence = Evidence {
        named: named.to_string(),
        path: None,
        found: false,
        outside: None,
    };
    if named.is_empty() {
        return evidence;
    }
    let path = Utf8Path::new(named);
    let beside = base.join(path);
    let (path, found) = if path.is_absolute() {
        (path.to_path_buf(), path.symlink_metadata().is_ok())
    } else if beside.symlink_metadata().is_ok() {
        (beside, true)
    } else {
        (path.to_path_buf(), path.symlink_metadata().is_ok())
    };
    // A missing file leads nowhere; messages say where it was looked for instead.
    evidence.outside = found.then(|| leads_outside(base, &path)).flatten();
    evidence.path = Some(path);
    evidence.found = found;
    evidence
}

/// Returns `path` made absolute against the current directory, `.` and `..` folded lexically.
fn lexical_absolute(path: &Utf8Path) -> Option<Utf8PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        let cwd = Utf8PathBuf::from_path_buf(std::env::current_dir().ok()?).ok()?;
        cwd.join(path)
    };
    let mut folded = Utf8PathBuf::new();
    for component in absolute.components() {
        match component {
            Utf8Component::CurDir => {}
            Utf8Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    Some(folded)
}

/// Returns `path` with symlinks resolved, if it exists and the result is UTF-8.
fn canonical(path: &Utf8Path) -> Option<Utf8PathBuf> {
    Utf8PathBuf::from_path_buf(std::fs::canonicalize(path).ok()?).ok()
}

/// Returns where `path` leads when that is outside the folder `root`, else `None`.
///
/// Both are resolved through symlinks where they exist; a path that cannot be
/// resolved (missing, a symlink loop) is judged by its lexical form.
pub fn leads_outside(root: &Utf8Path, path: &Utf8Path) -> Option<Utf8PathBuf> {
    let target = canonical(path).or_else(|| lexical_absolute(path))?;
    // The lexical root needs no system call; the resolved one only where a symlink
    // makes the two differ.
    let inside = |root: Option<Utf8PathBuf>| root.is_some_and(|root| target.starts_with(root));
    if inside(lexical_absolute(root)) || inside(canonical(root)) {
        return None;
    }
    Some(target)
}

/// Turns a scan hit into the model's metric line.
fn metric_line(hit: Hit) -> MetricLine {
    let Hit {
        start,
        end,
        pairs,
        preview,
        cut,
    } = hit;
    MetricLine {
        pairs,
        offset: start,
        len: end - start,
        line: None,
        text: preview,
        cut,
    }
}

/// Reads the last lines of `tokens` in the streamer log unless confinement refuses its
/// path; any problem leaves the metrics empty, as the reference does. The file is
/// returned open, with its length, for reading more of it later.
pub fn read_log(
    log: &Evidence,
    tokens: &[String],
    confine: bool,
) -> (LogStatus, Metrics, Option<(File, u64)>) {
    let Some(path) = &log.path else {
        return (LogStatus::Unnamed, Metrics::default(), None);
    };
    if confine && log.outside.is_some() {
        return (LogStatus::Refused, Metrics::default(), None);
    }
    let (mut file, len) = match open::regular_file(path.as_std_path()) {
        Ok(opened) => opened,
        Err(err) => {
            let status = match err {
                OpenError::Missing => LogStatus::Missing,
                OpenError::NotAFile { kind } => LogStatus::NotAFile { kind },
                other => LogStatus::Unreadable {
                    reason: other.to_string(),
                },
            };
            return (status, Metrics::default(), None);
        }
    };
    match tail::scan(&mut file, len, tokens) {
        Ok(hits) => {
            let lines = tokens
                .iter()
                .cloned()
                .zip(hits.into_iter().map(|hit| hit.map(metric_line)))
                .collect();
            let metrics = Metrics { lines };
            (LogStatus::Read { len }, metrics, Some((file, len)))
        }
        Err(err) => {
            let status = LogStatus::Unreadable {
                reason: err.to_string(),
            };
            (status, Metrics::default(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_tried_beside_the_manifest_first() {
        let dir = Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .unwrap()
            .join(format!("fault-harness-evidence-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("s")).unwrap();
        std::fs::write(dir.join("s/streamer.log"), "x").unwrap();
        std::fs::write(dir.join("elsewhere.log"), "x").unwrap();
        let found = resolve(&dir, "s/streamer.log");
        assert_eq!(found.path, Some(dir.join("s/streamer.log")));
        assert!(found.found);
        assert_eq!(found.outside, None);
        let missing = resolve(&dir, "s/absent.log");
        assert_eq!(missing.path, Some(Utf8PathBuf::from("s/absent.log")));
        assert!(!missing.found);
        let out = resolve(&dir.join("s"), "../elsewhere.log");
        assert_eq!(
            out.outside,
            Some(canonical(&dir.join("elsewhere.log")).unwrap())
        );
        assert_eq!(resolve(&dir.join("s"), "../absent.log").outside, None);
        assert_eq!(resolve(&dir, "").path, None);
        assert_eq!(
            manifest_dir(Utf8Path::new("manifest.tsv")),
            Utf8PathBuf::from(".")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
