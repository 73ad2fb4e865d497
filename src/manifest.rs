//! The manifest: `manifest.tsv` read as Python's `csv.DictReader` with the tab dialect reads it.
//!
//! PLACEHOLDER: interface only; to be implemented.

use std::fmt;
use std::path::{Path, PathBuf};

/// One manifest record: the thirteen columns the reference reads, `""` where absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based physical line of the manifest where this record starts.
    pub line: u64,
    pub order: String,
    pub scenario_id: String,
    pub name: String,
    pub status: String,
    pub reason: String,
    pub duration_ms: String,
    pub sim_rc: String,
    pub streamer_rc: String,
    pub tester_rc: String,
    pub sim_log: String,
    pub streamer_log: String,
    pub tester_log: String,
    pub sdp_path: String,
}

/// A parsed manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub path: PathBuf,
    /// Records in file order (blank lines skipped, as DictReader does).
    pub rows: Vec<Row>,
}

/// Why a manifest could not be read.
#[derive(Debug)]
pub enum ManifestError {
    /// The file could not be opened or read.
    Io { path: PathBuf, source: std::io::Error },
    /// The path exists but is not a regular file (directory, FIFO, device).
    NotAFile { path: PathBuf },
    /// The file is not valid UTF-8: 1-based line and the offending byte offset.
    NotUtf8 { path: PathBuf, line: u64, offset: u64 },
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { todo!() }
}

impl std::error::Error for ManifestError {}

/// Reads and parses the manifest at `path`.
pub fn read(path: &Path) -> Result<Manifest, ManifestError> { todo!() }

/// Parses manifest text as `csv.DictReader(handle, delimiter="\t")` over a file opened with `newline=""`.
pub fn parse_str(text: &str) -> Vec<Row> { todo!() }
