//! Output files: written beside their target and renamed into place, never left half-written.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` atomically, creating missing parent folders as the reference does.
///
/// The bytes go to a temporary file in the same folder, which is flushed and
/// then renamed over `path`; on any error the temporary file is removed and
/// an existing `path` is left as it was.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_create_folders_and_keep_old_file_on_failure() {
        let dir = std::env::temp_dir().join(format!("fault-harness-output-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let target = dir.join("deep").join("summary.json");
        write_atomic(&target, b"one").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        // A target whose parent is a file cannot be written; nothing is left behind.
        let under_file = target.join("x.json");
        assert!(write_atomic(&under_file, b"three").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.join("deep")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("summary.json")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
