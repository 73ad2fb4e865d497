//! Opening run files for reading without ever blocking or reading the wrong thing.
//!
//! Every reader of run files (manifest, `run.json`, `summary.json`, logs)
//! opens through [`regular_file`]: only regular files are opened at all. The
//! type is checked before opening (opening a FIFO for reading blocks until a
//! writer appears) and again on what was opened, which is opened
//! non-blocking in case a FIFO took the file's place in between. What to do
//! with the bytes is left to the readers.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a run file was not opened.
#[derive(Debug)]
pub enum OpenError {
    /// Nothing exists at the path.
    Missing,
    /// The path is not a regular file; the kind is named (`a FIFO`, `a directory`, ...).
    NotAFile { kind: &'static str },
    /// The file system refused.
    Io(io::Error),
    /// The file holds more than the reader's limit of bytes.
    TooLarge { limit: u64 },
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Missing => f.write_str("no such file"),
            OpenError::NotAFile { kind } => write!(f, "is {kind}, not a regular file"),
            OpenError::Io(err) => write!(f, "{err}"),
            OpenError::TooLarge { limit } => write!(f, "larger than {limit} bytes"),
        }
    }
}

impl std::error::Error for OpenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OpenError::Io(err) => Some(err),
            OpenError::Missing | OpenError::NotAFile { .. } | OpenError::TooLarge { .. } => None,
        }
    }
}

/// Linux's `O_NONBLOCK` on the architectures that share the generic value; no flag
/// elsewhere, where the type check before opening still applies.
const O_NONBLOCK: i32 = if cfg!(all(
    target_os = "linux",
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "powerpc64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
)) {
    0o4000
} else {
    0
};

/// Returns a name for the kind of a file that is not a regular one.
pub(crate) fn kind_name(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is a regular file, and returns it with its length.
pub(crate) fn regular_file(path: &Path) -> Result<(File, u64), OpenError> {
    let (file, meta) = regular_file_seen(path, false)?;
    Ok((file, meta.len()))
}

/// Opens `path` like [`regular_file`]; `seen_regular` says that an `lstat` has just
/// found a regular file there (no symlink), so that the look before opening is left
/// out where opening is non-blocking: what was opened is still checked. Returns what
/// was opened with its metadata (its length, and its modification time for a reader
/// that looks whether it changed while read).
pub(crate) fn regular_file_seen(
    path: &Path,
    seen_regular: bool,
) -> Result<(File, Metadata), OpenError> {
    let io = |err: io::Error| match err.kind() {
        io::ErrorKind::NotFound => OpenError::Missing,
        _ => OpenError::Io(err),
    };
    let regular = |meta: Metadata| {
        if meta.is_file() {
            Ok(meta)
        } else {
            Err(OpenError::NotAFile {
                kind: kind_name(&meta),
            })
        }
    };
    // Look before opening: only regular files are opened at all.
    if !seen_regular || O_NONBLOCK == 0 {
        regular(std::fs::metadata(path).map_err(io)?)?;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    // Look again at what was opened, in case the path was replaced in between.
    let meta = regular(file.metadata().map_err(OpenError::Io)?)?;
    Ok((file, meta))
}

/// Reads the regular file at `path` whole, refusing one of more than `limit` bytes.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, OpenError> {
    let (file, len) = regular_file(path)?;
    if len > limit {
        return Err(OpenError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // One byte past the limit tells a file at the limit from one that grew past it.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(OpenError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(OpenError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn only_regular_files_open() {
        let scratch = Scratch::new("open");
        let dir = scratch.path();
        let file = dir.join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_regular(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&file, 4),
            Err(OpenError::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            regular_file(dir),
            Err(OpenError::NotAFile {
                kind: "a directory"
            })
        ));
        assert!(matches!(
            regular_file(&dir.join("absent")),
            Err(OpenError::Missing)
        ));
        assert!(matches!(
            regular_file(Path::new("/dev/null")),
            Err(OpenError::NotAFile {
                kind: "a character device"
            })
        ));
    }
}
