//! Output files: written beside their target and renamed into place, never left half-written.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Symlinks followed at most when finding where an output really goes (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Bytes buffered before a write to an output or spool file.
const BUFFER: usize = 1 << 16;

/// Bytes of the target's name kept in the temporary file's name, which must stay under `NAME_MAX`.
const NAME_KEPT: usize = 64;

/// Writes `contents` to `path` atomically, creating missing parent folders as the reference does.
///
/// The bytes go to a temporary file in the same folder, which is flushed and
/// then renamed over `path`; on any error the temporary file is removed and
/// an existing `path` is left as it was. A symlink at `path` is written
/// through, as the reference's `write_text` does: its target is replaced and the link kept.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |file| file.write_all(contents))
}

/// Writes to `path` atomically like [`write_atomic`], the bytes being what `write`
/// writes to the (buffered) temporary file: a long output is streamed, never held.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (path, parent) = prepare(path)?;
    write_file_atomic(&path, &parent, |file| {
        let mut buffered = BufWriter::with_capacity(BUFFER, file);
        write(&mut buffered)?;
        buffered.flush()
    })
}

/// Writes to `path` atomically what `body` writes, framed by the head and tail it
/// returns: for an output whose beginning depends on all that follows (a summary's
/// counts come before its scenarios), streamed without being held.
///
/// The body is held in memory up to 1 MiB; past that it goes to a
/// spool file beside `path`, unlinked at once so that nothing of it outlives the
/// process. The head, the body (copied by the kernel where it can) and the tail then
/// go to the temporary file that is renamed into place.
pub fn write_atomic_spooled(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<(Vec<u8>, Vec<u8>)>,
) -> std::io::Result<()> {
    let (path, parent) = prepare(path)?;
    let mut spool = Spool {
        held: Vec::new(),
        file: None,
        folder: &parent,
        target: &path,
    };
    let (head, tail) = body(&mut spool)?;
    let file = match spool.file.take() {
        None => None,
        Some(buffered) => {
            let mut file = buffered.into_inner().map_err(|err| err.into_error())?;
            file.seek(SeekFrom::Start(0))?;
            Some(file)
        }
    };
    write_file_atomic(&path, &parent, |out| {
        out.write_all(&head)?;
        match file {
            None => out.write_all(&spool.held)?,
            Some(mut file) => {
                std::io::copy(&mut file, out)?;
            }
        }
        out.write_all(&tail)
    })
}

/// Bytes of a spooled body held in memory before it goes to a file.
const SPOOL_IN_MEMORY: usize = 1 << 20;

/// Where [`write_atomic_spooled`] keeps the body: memory, then an unlinked file.
struct Spool<'a> {
    held: Vec<u8>,
    file: Option<BufWriter<File>>,
    folder: &'a Path,
    target: &'a Path,
}

impl Write for Spool<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.file.is_none() && self.held.len() + bytes.len() > SPOOL_IN_MEMORY {
            let (spool_path, file) = create_temp(self.folder, self.target)?;
            std::fs::remove_file(&spool_path)?;
            let mut buffered = BufWriter::with_capacity(BUFFER, file);
            buffered.write_all(&std::mem::take(&mut self.held))?;
            self.file = Some(buffered);
        }
        match &mut self.file {
            Some(file) => file.write(bytes),
            None => {
                self.held.extend_from_slice(bytes);
                Ok(bytes.len())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// Returns where writing to `path` goes (its links followed) and the folder it is in,
/// created if missing as the reference does.
fn prepare(path: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let path = follow_links(path)?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Some(file) = parent
        .ancestors()
        .find(|a| a.exists())
        .filter(|a| !a.is_dir())
    {
        // create_dir_all would only say "File exists".
        let message = format!("{} is not a folder", file.display());
        return Err(std::io::Error::other(message));
    }
    std::fs::create_dir_all(&parent)?;
    Ok((path, parent))
}

/// Writes what `write` writes to a temporary file in `parent` beside `path` (as
/// [`prepare`] returns them), syncs it (a crash must never leave an empty output)
/// and renames it over `path`; on any error the temporary file is removed and
/// `path` is left as it was.
fn write_file_atomic(
    path: &Path,
    parent: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (temp, mut file) = create_temp(parent, path)?;
    let result = (|| {
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Returns where writing to `path` really goes: `path` itself unless it is a symlink,
/// else the end of its chain of links (which need not exist yet).
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let is_link = current
            .symlink_metadata()
            .is_ok_and(|meta| meta.file_type().is_symlink());
        if !is_link {
            return Ok(current);
        }
        let target = std::fs::read_link(&current)?;
        current = match current.parent() {
            Some(parent) if target.is_relative() => parent.join(target),
            _ => target,
        };
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Creates a fresh temporary file in `folder` for the target `path`.
fn create_temp(folder: &Path, path: &Path) -> std::io::Result<(PathBuf, File)> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let mut kept = name.len().min(NAME_KEPT);
    while !name.is_char_boundary(kept) {
        kept -= 1;
    }
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let temp = folder.join(format!(".{}.{}-{n}.tmp", &name[..kept], std::process::id()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;

    #[test]
    fn writes_create_folders_and_keep_old_file_on_failure() {
        let scratch = Scratch::new("output");
        let dir = scratch.path();
        let target = dir.join("deep").join("summary.json");
        write_atomic(&target, b"one").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"one");
        write_atomic(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        // A target whose parent is a file cannot be written; nothing is left behind.
        let under_file = target.join("x.json");
        assert!(write_atomic(&under_file, b"three").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.join("deep"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("summary.json")]);
    }

    #[test]
    fn long_names_and_symlinks_are_written() {
        let scratch = Scratch::new("output-links");
        let dir = scratch.path();
        std::fs::create_dir_all(dir.join("real")).unwrap();
        // A name of 255 bytes, the most a folder entry holds, fits no longer temporary name.
        let long = dir.join("x".repeat(255));
        write_atomic(&long, b"long").unwrap();
        assert_eq!(std::fs::read(&long).unwrap(), b"long");
        // A link is written through and kept, even a dangling one, as Python's write_text does.
        std::os::unix::fs::symlink("real/summary.json", dir.join("link.json")).unwrap();
        write_atomic(&dir.join("link.json"), b"through").unwrap();
        assert!(std::fs::symlink_metadata(dir.join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read(dir.join("real/summary.json")).unwrap(),
            b"through"
        );
        // A loop of links fails without leaving anything behind.
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
        assert!(write_atomic(&dir.join("a"), b"loop").is_err());
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a", "b", "link.json", "real", &"x".repeat(255)]);
    }

    #[test]
    fn a_spooled_output_gets_its_head_last_and_leaves_nothing_behind() {
        let scratch = Scratch::new("output-spooled");
        let dir = scratch.path();
        let target = dir.join("summary.json");
        // A small body stays in memory; one past SPOOL_IN_MEMORY goes to a spool file
        // and is read back from it.
        for size in [10, SPOOL_IN_MEMORY + 300_000] {
            let body: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
            write_atomic_spooled(&target, |out| {
                for piece in body.chunks(7_000) {
                    out.write_all(piece)?;
                }
                Ok((b"head:".to_vec(), b":tail".to_vec()))
            })
            .unwrap();
            let written = std::fs::read(&target).unwrap();
            assert_eq!(&written[..5], b"head:");
            assert_eq!(&written[5..written.len() - 5], &body[..]);
            assert_eq!(&written[written.len() - 5..], b":tail");
        }
        let written = std::fs::read(&target).unwrap();
        // A body that fails leaves the old output as it was, and no spool or temporary file.
        let failed = write_atomic_spooled(&target, |out| {
            out.write_all(&vec![b'x'; SPOOL_IN_MEMORY + 1])?;
            Err(std::io::Error::other("evaluation failed"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "evaluation failed");
        assert_eq!(std::fs::read(&target).unwrap(), written);
        let names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("summary.json")]);
    }
}
