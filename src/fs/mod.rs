//! Files on disk: opening run files safely, writing outputs atomically, and the few
//! system calls both need beyond std.

pub mod atomic;
pub(crate) mod open;
#[allow(unsafe_code)]
pub(crate) mod sys;
pub(crate) mod temp;

use std::path::{Component, Path, PathBuf};

/// Returns `path` made absolute against the current directory (looked up only for a
/// relative path), `.` and `..` folded lexically.
pub(crate) fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut folded = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    Some(folded)
}
