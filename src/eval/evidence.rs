//! Evidence files: where a path the manifest names leads, whether it leaves the run
//! directory, and reading the streamer log's metric lines once.
//!
//! Relative paths are tried against the manifest's folder first, then the
//! current directory (the reference uses the current directory only). A path
//! that leads out of the run directory (the folder holding the manifest) is
//! noted in [`Evidence::outside`], and refused, never opened, when evaluation is
//! confined. Only regular files are read (the crate-private `fs::open`). Judging what was
//! read is left to `evaluation` and the model.

use crate::eval::model::{Evidence, LogChange, LogStatus, MetricLine, Metrics};
use crate::fs::open::{self, OpenError};
use crate::scan::format::{self, Hint, Reading};
use crate::scan::logical;
use crate::scan::tail::{self, Hit, RawHit};
use camino::{Utf8Component, Utf8Path, Utf8PathBuf};
use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// Returns the folder relative evidence paths are tried against first: the manifest's.
pub fn manifest_dir(manifest: &Utf8Path) -> Utf8PathBuf {
    match manifest.parent() {
        Some(parent) if !parent.as_str().is_empty() => parent.to_path_buf(),
        _ => Utf8PathBuf::from("."),
    }
}

/// Folders whose resolution a [`Resolver`] keeps at most; past it, it starts afresh.
const FOLDERS_KEPT: usize = 4096;

/// Resolves the paths one manifest names, against its folder first.
///
/// Where a path leads through symlinks is worked out folder by folder, and each
/// folder's answer is kept: the evidence files of a run share their folders, so
/// a 100,000-row manifest costs about one `lstat` per file instead of a
/// `readlink` per path component and a `getcwd` per file. The answers are
/// those of `realpath`; they assume the folders do not change while one run is
/// evaluated.
#[derive(Debug)]
pub struct Resolver {
    /// The manifest's folder: relative paths are tried against it first, and it is
    /// the run directory that paths may lead out of.
    base: Utf8PathBuf,
    /// The base made absolute lexically, then through symlinks: each found once.
    lexical_root: OnceLock<Option<Utf8PathBuf>>,
    canonical_root: OnceLock<Option<Utf8PathBuf>>,
    /// Folders as named (joined to the base) → where they lead, `None` if nowhere.
    folders: Mutex<HashMap<Utf8PathBuf, Option<Utf8PathBuf>>>,
}

impl Resolver {
    /// Returns a resolver for the paths the manifest at `manifest` names.
    pub fn for_manifest(manifest: &Utf8Path) -> Resolver {
        Resolver {
            base: manifest_dir(manifest),
            lexical_root: OnceLock::new(),
            canonical_root: OnceLock::new(),
            folders: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves a path the manifest names, against the manifest's folder first.
    pub fn resolve(&self, named: &str) -> Evidence {
        self.resolve_seen(named).0
    }

    /// Resolves like [`Resolver::resolve`], and says whether a regular file (not a
    /// symlink) was found there: opening it then needs no second look.
    pub fn resolve_seen(&self, named: &str) -> (Evidence, bool) {
        let mut evidence = Evidence {
            named: named.to_string(),
            path: None,
            found: false,
            outside: None,
        };
        if named.is_empty() {
            return (evidence, false);
        }
        let path = Utf8Path::new(named);
        let (path, meta) = if path.is_absolute() {
            (path.to_path_buf(), path.symlink_metadata().ok())
        } else {
            let beside = self.base.join(path);
            match beside.symlink_metadata() {
                Ok(meta) => (beside, Some(meta)),
                Err(_) => (path.to_path_buf(), path.symlink_metadata().ok()),
            }
        };
        // A missing file leads nowhere; messages say where it was looked for instead.
        if let Some(meta) = &meta {
            evidence.outside = self.leads_outside(&path, meta.file_type().is_symlink());
        }
        evidence.found = meta.is_some();
        evidence.path = Some(path);
        (
            evidence,
            meta.is_some_and(|meta| meta.file_type().is_file()),
        )
    }

    /// Returns where the existing `path` leads when that is outside the run directory.
    ///
    /// Both are resolved through symlinks where they exist; a path that cannot be
    /// resolved (a symlink loop) is judged by its lexical form.
    fn leads_outside(&self, path: &Utf8Path, is_link: bool) -> Option<Utf8PathBuf> {
        let target = self
            .canonical(path, is_link)
            .or_else(|| lexical_absolute(path))?;
        let lexical = self
            .lexical_root
            .get_or_init(|| lexical_absolute(&self.base));
        // The resolved root is only needed where a symlink makes the two differ.
        let inside =
            |root: &Option<Utf8PathBuf>| root.as_ref().is_some_and(|root| target.starts_with(root));
        if inside(lexical) || inside(self.canonical_root.get_or_init(|| canonical(&self.base))) {
            return None;
        }
        Some(target)
    }

    /// Returns the existing `path` with symlinks resolved, as `realpath` does: its
    /// folder's resolution (kept) and its name, unless it is itself a symlink.
    fn canonical(&self, path: &Utf8Path, is_link: bool) -> Option<Utf8PathBuf> {
        match (is_link, path.parent(), path.components().next_back()) {
            (false, Some(parent), Some(Utf8Component::Normal(name))) => {
                Some(self.folder(parent)?.join(name))
            }
            _ => canonical(path),
        }
    }

    /// Returns where the folder `dir` leads, symlinks resolved, working up its parents.
    fn folder(&self, dir: &Utf8Path) -> Option<Utf8PathBuf> {
        let known = |folders: &HashMap<_, Option<Utf8PathBuf>>| folders.get(dir).cloned();
        if let Some(found) = self.folders.lock().ok().and_then(|folders| known(&folders)) {
            return found;
        }
        let found = match (dir.parent(), dir.components().next_back()) {
            (Some(parent), Some(Utf8Component::Normal(name))) => match dir.symlink_metadata() {
                Ok(meta) if meta.file_type().is_symlink() => canonical(dir),
                Ok(_) => self.folder(parent).map(|parent| parent.join(name)),
                Err(_) => None,
            },
            // `.`, `..`, the root, or the empty parent of a bare name.
            _ if dir.as_str().is_empty() => canonical(Utf8Path::new(".")),
            _ => canonical(dir),
        };
        if let Ok(mut folders) = self.folders.lock() {
            if folders.len() >= FOLDERS_KEPT {
                folders.clear();
            }
            folders.insert(dir.to_path_buf(), found.clone());
        }
        found
    }
}

/// Returns `path` made absolute against the current directory, `.` and `..` folded
/// lexically, if the result is UTF-8.
fn lexical_absolute(path: &Utf8Path) -> Option<Utf8PathBuf> {
    Utf8PathBuf::from_path_buf(crate::fs::lexical_absolute(path.as_std_path())?).ok()
}

/// Returns `path` with symlinks resolved, if it exists and the result is UTF-8.
fn canonical(path: &Utf8Path) -> Option<Utf8PathBuf> {
    Utf8PathBuf::from_path_buf(std::fs::canonicalize(path).ok()?).ok()
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
/// `seen_regular` is what [`Resolver::resolve_seen`] said of the path.
pub fn read_log(
    log: &Evidence,
    seen_regular: bool,
    tokens: &[String],
    reading: &Reading,
    confine: bool,
) -> (LogStatus, Metrics, Option<(File, u64)>) {
    let Some(path) = &log.path else {
        return (LogStatus::Unnamed, Metrics::default(), None);
    };
    if confine && log.outside.is_some() {
        return (LogStatus::Refused, Metrics::default(), None);
    }
    let (file, opened) = match open::regular_file_seen(path.as_std_path(), seen_regular) {
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
    scan_opened(path.as_std_path(), file, &opened, tokens, reading)
}

/// Scans the log `file`, opened at `path` with the metadata `opened`, and looks whether
/// it changed meanwhile: [`read_log`]'s work once the file is open.
fn scan_opened(
    path: &Path,
    mut file: File,
    opened: &Metadata,
    tokens: &[String],
    reading: &Reading,
) -> (LogStatus, Metrics, Option<(File, u64)>) {
    let len = opened.len();
    let scanned = if reading.is_off() {
        tail::scan(&mut file, len, tokens)
    } else {
        logical::scan_tail(&file, len, tokens, reading)
            .map(|hits| hits.into_iter().map(|hit| hit.map(RawHit::typed)).collect())
    };
    // One more look at the open file tells a log still being written.
    let changed = change(opened, file.metadata().ok().as_ref()).or_else(|| {
        // The path may name another file by now (a log rotated by renaming).
        let now = std::fs::metadata(path).ok()?;
        let same = (now.dev(), now.ino()) == (opened.dev(), opened.ino());
        (!same).then_some(LogChange::Replaced)
    });
    match scanned {
        Ok(hits) => {
            let lines = tokens
                .iter()
                .cloned()
                .zip(hits.into_iter().map(|hit| hit.map(metric_line)))
                .collect();
            let metrics = Metrics {
                lines,
                changed,
                look: None,
            };
            (LogStatus::Read { len }, metrics, Some((file, len)))
        }
        Err(err) => {
            let reason = match changed {
                // A short read of a log that shrank: say that, not "failed to fill whole buffer".
                Some(change @ LogChange::Shrank { .. }) => format!("the log {change}"),
                _ => err.to_string(),
            };
            let status = LogStatus::Unreadable { reason };
            (status, Metrics::default(), None)
        }
    }
}

/// Returns how a log changed between `opened` (its metadata when opened) and `now`.
fn change(opened: &Metadata, now: Option<&Metadata>) -> Option<LogChange> {
    let now = now?;
    let (from, to) = (opened.len(), now.len());
    if to > from {
        Some(LogChange::Grew { from, to })
    } else if to < from {
        Some(LogChange::Shrank { from, to })
    } else if opened.modified().ok() != now.modified().ok() {
        Some(LogChange::Rewritten)
    } else {
        None
    }
}

/// Returns how the log `file` (of `len` bytes) looks from its first lines, if a logging
/// stack wrote it ([`crate::scan::format::sniff`]); a log that cannot be read has no look.
pub fn look_of(file: &File, len: u64) -> Option<Hint> {
    let mut start = vec![0u8; (len as usize).min(format::SNIFFED)];
    std::os::unix::fs::FileExt::read_exact_at(file, &mut start, 0).ok()?;
    format::sniff(&start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn relative_paths_are_tried_beside_the_manifest_first() {
        let scratch = Scratch::new("evidence-relative");
        let dir = scratch.utf8().to_path_buf();
        std::fs::create_dir_all(dir.join("s")).unwrap();
        std::fs::write(dir.join("s/streamer.log"), "x").unwrap();
        std::fs::write(dir.join("elsewhere.log"), "x").unwrap();
        let resolve = |base: &Utf8Path, named: &str| {
            Resolver::for_manifest(&base.join("manifest.tsv")).resolve(named)
        };
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
    }

    #[test]
    fn paths_lead_where_realpath_says_through_linked_folders_and_files() {
        let scratch = Scratch::new("evidence-links");
        let dir = scratch.utf8();
        let run = dir.join("run");
        for folder in ["run/a/b", "run/inner", "elsewhere/deep"] {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
        }
        for file in [
            "run/a/b/log",
            "run/inner/log",
            "elsewhere/deep/log",
            "elsewhere/log",
        ] {
            std::fs::write(dir.join(file), "x").unwrap();
        }
        let link =
            |target: &str, at: &str| std::os::unix::fs::symlink(target, run.join(at)).unwrap();
        link("../elsewhere", "out");
        link("inner", "in");
        link("../../../elsewhere/log", "a/b/out.log");
        link("../inner/log", "a/in.log");
        let resolver = Resolver::for_manifest(&run.join("manifest.tsv"));
        let elsewhere = canonical(&dir.join("elsewhere")).unwrap();
        // Each twice: the second answer comes from the folders kept.
        for _ in 0..2 {
            for (named, outside) in [
                ("a/b/log", None),
                ("in/log", None),
                ("a/in.log", None),
                ("a/b/../b/log", None),
                ("out/deep/log", Some(elsewhere.join("deep/log"))),
                ("out/log", Some(elsewhere.join("log"))),
                ("a/b/out.log", Some(elsewhere.join("log"))),
                ("in/../out/deep/log", Some(elsewhere.join("deep/log"))),
            ] {
                let evidence = resolver.resolve(named);
                assert!(evidence.found, "{named}");
                assert_eq!(evidence.outside, outside, "{named}");
                let path = evidence.path.unwrap();
                let is_link = path.as_std_path().is_symlink();
                assert_eq!(
                    resolver.canonical(&path, is_link),
                    canonical(&path),
                    "{named}"
                );
            }
        }
    }

    #[test]
    fn a_log_that_grows_shrinks_or_is_replaced_while_read_says_so() {
        let scratch = Scratch::new("evidence-changed");
        let path = scratch.path().join("streamer.log");
        let tokens = ["FAULT_COUNTERS".to_string()];
        let line = "FAULT_COUNTERS torn_read_events=998\n";
        std::fs::write(&path, line.repeat(1000)).unwrap();
        let opened = |path: &std::path::Path| open::regular_file_seen(path, false).unwrap();
        // Untouched: read, nothing changed.
        let (file, meta) = opened(&path);
        let (status, metrics, _) = scan_opened(&path, file, &meta, &tokens, &Reading::off());
        assert_eq!(status, LogStatus::Read { len: meta.len() });
        assert_eq!(metrics.changed, None);
        // Grown after opening: the lines of the length opened are judged, and the growth kept.
        let (file, meta) = opened(&path);
        let mut writer = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut writer, b"FAULT_COUNTERS torn_read_events=9").unwrap();
        let (status, metrics, _) = scan_opened(&path, file, &meta, &tokens, &Reading::off());
        let (from, to) = (meta.len(), meta.len() + 33);
        assert_eq!(status, LogStatus::Read { len: from });
        assert_eq!(metrics.changed, Some(LogChange::Grew { from, to }));
        // Replaced by another file (a rotation by renaming): the file opened is read whole.
        let (file, meta) = opened(&path);
        let other = scratch.path().join("other.log");
        std::fs::write(&other, line).unwrap();
        std::fs::rename(&other, &path).unwrap();
        let (status, metrics, _) = scan_opened(&path, file, &meta, &tokens, &Reading::off());
        assert_eq!(status, LogStatus::Read { len: meta.len() });
        assert_eq!(metrics.changed, Some(LogChange::Replaced));
        let mut writer = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut writer, line.repeat(999).as_bytes()).unwrap();
        // Truncated after opening: the short read says the log shrank, not "failed to
        // fill whole buffer".
        let (file, meta) = opened(&path);
        writer.set_len(10).unwrap();
        let (status, _, _) = scan_opened(&path, file, &meta, &tokens, &Reading::off());
        assert_eq!(
            status,
            LogStatus::Unreadable {
                reason: format!(
                    "the log shrank from {} to 10 bytes while it was read (truncated or replaced)",
                    meta.len()
                )
            }
        );
    }
}
