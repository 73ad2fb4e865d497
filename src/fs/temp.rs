//! Temporary files beside an output: their names (`.<name>.<process id>-<n>.tmp`),
//! creating them, and clearing those a killed process left behind.
//!
//! What goes into them, and when they are renamed into place, is
//! [`crate::fs::atomic`]'s.

use crate::fs::sys;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

/// Bytes of the target's name kept in the temporary file's name, which must stay under `NAME_MAX`.
const NAME_KEPT: usize = 64;

/// Returns the start of the name of `path` that temporary files beside it keep (their
/// names must stay under `NAME_MAX`).
fn kept_name(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let mut kept = name.len().min(NAME_KEPT);
    while !name.is_char_boundary(kept) {
        kept -= 1;
    }
    name.truncate(kept);
    name
}

/// Returns a fresh name for a temporary file in `folder` for the target `path`:
/// `.<name>.<process id>-<n>.tmp`, the pattern [`clear_stale`] knows.
pub(crate) fn temp_name(folder: &Path, path: &Path) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    folder.join(format!(
        ".{}.{}-{n}.tmp",
        kept_name(path),
        std::process::id()
    ))
}

/// Creates a fresh temporary file in `folder` for the target `path`.
pub(crate) fn create_temp(folder: &Path, path: &Path) -> std::io::Result<(PathBuf, File)> {
    loop {
        let temp = temp_name(folder, path);
        // Readable too: a spool is read back once written.
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            // A stale file of a killed process that had the same id: take the next name.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
            Ok(file) => return Ok((temp, file)),
        }
    }
}

/// How long a temporary file of a process that is gone must have been left alone
/// before a write clears it: a writer in another PID namespace (a container sharing
/// the folder) looks gone from here, but keeps its file changing.
const STALE_AFTER: Duration = Duration::from_secs(10);

/// Removes the temporary files of earlier writes to `path` (named as [`temp_name`]
/// names them) whose process no longer exists and that were left alone for
/// [`STALE_AFTER`]: what a `SIGKILL` or a crash left behind.
pub(crate) fn clear_stale(parent: &Path, path: &Path) {
    let prefix = format!(".{}.", kept_name(path));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit_once('-'))
            .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || !sys::process_gone(pid) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let idle = meta
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok());
        if meta.is_file() && idle.is_some_and(|idle| idle >= STALE_AFTER) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::atomic::write_atomic;
    use crate::testing::Scratch;

    #[test]
    fn stale_temporary_files_of_gone_processes_are_cleared() {
        let scratch = Scratch::new("output-stale");
        let dir = scratch.path();
        let target = dir.join("summary.json");
        // A process that is gone: a child that has been waited for.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        let gone = child.id();
        let old = SystemTime::now() - STALE_AFTER * 2;
        let stale = |name: &str, modified: SystemTime| {
            let file = File::create(dir.join(name)).unwrap();
            file.set_modified(modified).unwrap();
        };
        stale(&format!(".summary.json.{gone}-3.tmp"), old);
        // Kept: a live writer's (this process's, and the first process's), one just
        // left (its writer may live in another PID namespace), another output's, and
        // one not of the pattern.
        stale(&format!(".summary.json.{}-9.tmp", std::process::id()), old);
        stale(".summary.json.1-0.tmp", old);
        stale(&format!(".summary.json.{gone}-4.tmp"), SystemTime::now());
        stale(&format!(".junit.xml.{gone}-0.tmp"), old);
        stale(&format!(".summary.json.{gone}.tmp"), old);
        write_atomic(&target, b"new").unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected = vec![
            format!(".junit.xml.{gone}-0.tmp"),
            ".summary.json.1-0.tmp".to_string(),
            format!(".summary.json.{gone}-4.tmp"),
            format!(".summary.json.{gone}.tmp"),
            format!(".summary.json.{}-9.tmp", std::process::id()),
            "summary.json".to_string(),
        ];
        expected.sort();
        assert_eq!(names, expected);
    }
}
