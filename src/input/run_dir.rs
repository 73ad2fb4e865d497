//! The run directory: finding runs, naming them, and reading `run.json` and an
//! existing `summary.json`'s mode.
//!
//! This module owns the layout around the manifest (which folder is a run,
//! what `run.json` may say); the manifest's contents belong to `manifest`,
//! choosing among the places a mode may come from to `mode`.

use crate::fs::open::{self, OpenError};
use camino::{Utf8Path, Utf8PathBuf};
use std::fmt;
use std::path::Path;

/// The manifest's file name inside a run directory.
pub const MANIFEST: &str = "manifest.tsv";
/// The optional run description inside a run directory.
pub const RUN_JSON: &str = "run.json";
/// The summary's file name inside a run directory.
pub const SUMMARY: &str = "summary.json";

/// Largest `run.json` read; anything bigger is not a run description.
const RUN_JSON_LIMIT: u64 = 1 << 20;

/// What `run.json` says; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunJson {
    pub run_id: Option<String>,
    /// The mode as written; settling it (and saying a misspelled one) is `mode`'s.
    pub mode: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// Why a run directory cannot be used.
#[derive(Debug)]
pub enum RunError {
    /// A file could not be read.
    Io {
        path: Utf8PathBuf,
        source: std::io::Error,
    },
    /// A path that must be a regular file is not one.
    NotAFile {
        path: Utf8PathBuf,
        kind: &'static str,
    },
    /// `run.json` is not JSON, or not of the expected shape.
    BadRunJson { path: Utf8PathBuf, what: String },
    /// A folder holds no run directory.
    NoRuns { path: Utf8PathBuf },
    /// The path that should be a run directory or a folder of them is a regular file.
    IsAFile { path: Utf8PathBuf },
    /// Nothing exists where a run directory should be; `base` is the current folder a
    /// relative `path` was taken from.
    NoSuchDir {
        path: Utf8PathBuf,
        base: Option<Utf8PathBuf>,
    },
    /// A folder of runs holds a folder whose name is not UTF-8.
    NotUtf8 { path: String },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Io { path, source } => write!(f, "{}: {}", path, source),
            RunError::NotAFile { path, kind } => {
                write!(f, "{}: is {}, not a regular file", path, kind)
            }
            RunError::BadRunJson { path, what } => write!(f, "{}: {}", path, what),
            RunError::NoRuns { path } => write!(
                f,
                "{}: no run directory here (a run directory holds {})",
                path,
                MANIFEST
            ),
            RunError::IsAFile { path } => write!(
                f,
                "{path}: is a file; expected a run directory (holding {MANIFEST}) or a folder of them"
            ),
            RunError::NoSuchDir { path, base: None } => {
                write!(f, "{path}: no such run directory")
            }
            RunError::NoSuchDir {
                path,
                base: Some(base),
            } => write!(
                f,
                "{path}: no such run directory: looked for {} (a relative path is taken from the current folder, {base}, which cargo test sets to the crate's root)",
                base.join(path)
            ),
            RunError::NotUtf8 { path } => write!(
                f,
                "{path}: the folder's name is not UTF-8; rename it to judge it"
            ),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads a small regular file whole, refusing FIFOs, devices and anything over `limit` bytes.
fn read_small_file(path: &Utf8Path, limit: u64) -> Result<Vec<u8>, RunError> {
    open::read_regular(path.as_std_path(), limit).map_err(|err| match err {
        OpenError::Missing => RunError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        },
        OpenError::Io(source) => RunError::Io {
            path: path.to_path_buf(),
            source,
        },
        OpenError::NotAFile { kind } => RunError::NotAFile {
            path: path.to_path_buf(),
            kind,
        },
        OpenError::TooLarge { limit } => RunError::BadRunJson {
            path: path.to_path_buf(),
            what: format!("larger than {limit} bytes"),
        },
    })
}

/// Reads `dir/run.json`; `Ok(None)` when there is none.
pub fn read_run_json(dir: &Utf8Path) -> Result<Option<RunJson>, RunError> {
    let path = dir.join(RUN_JSON);
    // No folder (or a file named as one) holds no run.json.
    if !dir.is_dir() {
        return Ok(None);
    }
    match path.symlink_metadata() {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // Any other failure (a folder that cannot be searched) is reported by the read.
        _ => {}
    }
    let bytes = read_small_file(&path, RUN_JSON_LIMIT)?;
    let bad = |what: String| RunError::BadRunJson {
        path: path.clone(),
        what,
    };
    let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|err| {
        bad(format!(
            "line {} column {}: {}",
            err.line(),
            err.column(),
            err
        ))
    })?;
    let serde_json::Value::Object(map) = doc else {
        return Err(bad("expected a JSON object".to_string()));
    };
    let text = |key: &str| -> Result<Option<String>, RunError> {
        match map.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(format!("{key:?} must be a string, found {other}"))),
        }
    };
    let mode = text("mode")?;
    Ok(Some(RunJson {
        run_id: text("run_id")?,
        mode,
        started_at: text("started_at")?,
        finished_at: text("finished_at")?,
    }))
}

/// Bytes of `summary.json` read to find its mode: summaries of large runs are large,
/// but `mode` is their second key.
const SUMMARY_PREFIX: u64 = 64 << 10;

/// Returns the mode recorded in an existing `dir/summary.json`, as written, if it has one.
///
/// A summary up to 64 KiB is parsed whole; of a larger one only the members
/// before `"mode"` within its first 64 KiB are, so memory stays bounded.
pub fn summary_mode(dir: &Utf8Path) -> Option<String> {
    use std::io::Read;
    let path = dir.join(SUMMARY);
    let (file, _) = open::regular_file(path.as_std_path()).ok()?;
    let mut bytes = Vec::new();
    file.take(SUMMARY_PREFIX.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    let mode = if bytes.len() as u64 > SUMMARY_PREFIX {
        leading_member(&bytes, "mode")?
    } else {
        let doc: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        doc.get("mode")?.clone()
    };
    mode.as_str().map(str::to_string)
}

/// Returns the value of member `key` of the JSON object that `bytes` begin, reading
/// only the members up to it (the object may be cut short after it).
fn leading_member(bytes: &[u8], key: &str) -> Option<serde_json::Value> {
    let skip_space = |rest: &[u8]| -> usize {
        rest.iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count()
    };
    // Parses one JSON value at the start of `rest` and returns it with the bytes it took.
    let value_at = |rest: &[u8]| -> Option<(serde_json::Value, usize)> {
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter();
        let value = stream.next()?.ok()?;
        Some((value, stream.byte_offset()))
    };
    let mut at = skip_space(bytes);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    loop {
        at += skip_space(&bytes[at..]);
        let (name, used) = value_at(&bytes[at..])?;
        at += used;
        at += skip_space(&bytes[at..]);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at += 1;
        at += skip_space(&bytes[at..]);
        let (value, used) = value_at(&bytes[at..])?;
        if name.as_str()? == key {
            return Some(value);
        }
        at += used;
        at += skip_space(&bytes[at..]);
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
    }
}

/// Returns true if and only if `dir` holds a manifest.
pub fn is_run_dir(dir: &Path) -> bool {
    dir.join(MANIFEST).symlink_metadata().is_ok()
}

/// Finds the run directories at `path`: itself if it is one, else its sub-folders that are.
pub fn discover(path: &Utf8Path) -> Result<Vec<Utf8PathBuf>, RunError> {
    discover_where(path, |_| true)
}

/// Finds the run directories at `path` like [`discover`], looking into only the
/// sub-folders whose name `named` accepts (and any whose name is not UTF-8): finding
/// one run of a folder of thousands costs a listing, not a look into each.
pub fn discover_where(
    path: &Utf8Path,
    named: impl Fn(&str) -> bool,
) -> Result<Vec<Utf8PathBuf>, RunError> {
    let io = |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => RunError::NoSuchDir {
            path: path.to_path_buf(),
            base: path
                .is_relative()
                .then(|| std::env::current_dir().ok())
                .flatten()
                .and_then(|dir| Utf8PathBuf::from_path_buf(dir).ok()),
        },
        _ => io(source),
    })?;
    if meta.is_file() {
        return Err(RunError::IsAFile {
            path: path.to_path_buf(),
        });
    }
    if !meta.is_dir() {
        return Err(RunError::NotAFile {
            path: path.to_path_buf(),
            kind: open::kind_name(&meta),
        });
    }
    if is_run_dir(path.as_std_path()) {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut runs = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_name().to_str().is_some_and(|name| !named(name)) {
            continue;
        }
        let sub = entry.path();
        if !(sub.is_dir() && is_run_dir(Path::new(&sub))) {
            continue;
        }
        match Utf8PathBuf::from_path_buf(sub) {
            Ok(sub) => runs.push(sub),
            Err(sub) => {
                return Err(RunError::NotUtf8 {
                    path: format!("{sub:?}"),
                })
            }
        }
    }
    runs.sort();
    if runs.is_empty() {
        return Err(RunError::NoRuns {
            path: path.to_path_buf(),
        });
    }
    Ok(runs)
}

/// Returns the folder that holds the run directory `dir` (`dir/..` where the path
/// names none, as `.` does).
pub fn folder_of(dir: &Utf8Path) -> Utf8PathBuf {
    match dir.parent() {
        Some(parent) if !parent.as_str().is_empty() && dir.file_name().is_some() => {
            parent.to_path_buf()
        }
        _ => dir.join(".."),
    }
}

/// Returns the run's name: the directory's last component (of its resolved path when
/// the path ends in `..` or is `/`), or `run` when it has none.
pub fn run_name(dir: &Utf8Path) -> String {
    let resolved = match dir.file_name() {
        Some(name) => return name.to_string(),
        None => std::fs::canonicalize(dir)
            .ok()
            .and_then(|path| Utf8PathBuf::from_path_buf(path).ok()),
    };
    resolved
        .as_deref()
        .and_then(Utf8Path::file_name)
        .unwrap_or("run")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn run_json_fields_are_read_and_checked() {
        let scratch = Scratch::new("run-fields");
        let dir = scratch.utf8();
        std::fs::write(
            dir.join(RUN_JSON),
            r#"{"run_id": "n1", "mode": "degraded", "started_at": "a"}"#,
        )
        .unwrap();
        let info = read_run_json(dir).unwrap().unwrap();
        assert_eq!(info.run_id.as_deref(), Some("n1"));
        assert_eq!(info.mode.as_deref(), Some("degraded"));
        assert_eq!(info.finished_at, None);

        // A mode that does not exist is read as written: settling it says so (`mode`).
        std::fs::write(dir.join(RUN_JSON), r#"{"mode": "fast"}"#).unwrap();
        let info = read_run_json(dir).unwrap().unwrap();
        assert_eq!(info.mode.as_deref(), Some("fast"));

        std::fs::write(dir.join(RUN_JSON), r#"{"run_id": 5}"#).unwrap();
        let err = read_run_json(dir).unwrap_err().to_string();
        assert!(err.contains("\"run_id\" must be a string"), "{err}");

        std::fs::write(dir.join(RUN_JSON), "{\n\"mode\": }").unwrap();
        let err = read_run_json(dir).unwrap_err().to_string();
        assert!(err.contains("run.json: line 2"), "{err}");
    }

    #[test]
    fn summary_mode_reads_small_and_large_summaries() {
        let scratch = Scratch::new("run-summary-mode");
        let dir = scratch.utf8();
        assert_eq!(summary_mode(dir), None);
        std::fs::write(
            dir.join(SUMMARY),
            "{\n  \"task\": 15,\n  \"mode\": \"baseline\"\n}\n",
        )
        .unwrap();
        assert_eq!(summary_mode(dir).as_deref(), Some("baseline"));
        // A large summary is read only up to its mode, even when cut short after it.
        let mut large =
            String::from("{ \"task\" : [1, {\"a\": \"}\"}], \"mode\":\"degraded\", \"x\": \"");
        large.push_str(&"y".repeat(2 * SUMMARY_PREFIX as usize));
        std::fs::write(dir.join(SUMMARY), &large).unwrap();
        assert_eq!(summary_mode(dir).as_deref(), Some("degraded"));
        let late = format!(
            "{{\"x\": \"{}\", \"mode\": \"baseline\"}}",
            "y".repeat(2 * SUMMARY_PREFIX as usize)
        );
        std::fs::write(dir.join(SUMMARY), late).unwrap();
        assert_eq!(summary_mode(dir), None);
        std::fs::write(dir.join(SUMMARY), "[\"mode\"]").unwrap();
        assert_eq!(summary_mode(dir), None);
    }

    #[test]
    fn discovery_finds_runs_or_fails_loudly() {
        let scratch = Scratch::new("run-discover");
        let dir = scratch.utf8();
        assert!(matches!(discover(dir), Err(RunError::NoRuns { .. })));
        std::fs::create_dir_all(dir.join("b")).unwrap();
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("b").join(MANIFEST), "").unwrap();
        std::fs::write(dir.join("a").join(MANIFEST), "").unwrap();
        let runs = discover(dir).unwrap();
        assert_eq!(runs, vec![dir.join("a"), dir.join("b")]);
        assert_eq!(discover(&dir.join("a")).unwrap(), vec![dir.join("a")]);
        assert!(discover(&dir.join("missing")).is_err());
        assert_eq!(run_name(&dir.join("a")), "a");
    }
}
