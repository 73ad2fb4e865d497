//! The one scratch-folder type of the tests: a fresh folder per test, removed
//! when the test is done.
//!
//! Each scratch folder stands alone in a folder of its own, so that nothing a test
//! judges depends on what else is in the system's temporary folder: a run written
//! straight into a scratch folder has no siblings to take for its history.
//!
//! Shared by the integration tests and the crate's unit tests
//! (`src/scan/testing.rs` includes this file), so it uses `std` and camino only.

use camino::{Utf8Path, Utf8PathBuf};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch folder of this process, alone in a folder of its own; both are removed when dropped.
pub struct Scratch(Utf8PathBuf);

impl Scratch {
    /// Creates an empty scratch folder named after `label`, unique in this process.
    pub fn new(label: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let temp = Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .expect("the temporary folder's path is UTF-8");
        let alone = temp.join(format!("fault-harness-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&alone);
        let dir = alone.join(label);
        std::fs::create_dir_all(&dir).expect("create scratch folder");
        Scratch(dir)
    }

    /// Returns the folder's path.
    pub fn path(&self) -> &Path {
        self.0.as_std_path()
    }

    /// Returns the folder's path as the UTF-8 path it is.
    #[allow(dead_code)] // Not every includer of this file needs it.
    pub fn utf8(&self) -> &Utf8Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let alone = self.0.parent().unwrap_or(&self.0);
        let _ = std::fs::remove_dir_all(alone);
    }
}
