//! Output files, never left half-written nor littered about: written where they have
//! no name until complete, then renamed into place.
//!
//! Where the file system allows it (Linux's `O_TMPFILE`) the bytes go to an anonymous
//! file in the output's folder, which is named only once complete and synced, and at
//! once renamed over the output: a kill at any point leaves the old output and at
//! most, for the instant between the two, a named temporary file. Elsewhere the
//! temporary file is named from the start, and removed on an error, on `SIGINT` and on
//! `SIGTERM`. Either way a write clears the temporary files of earlier writes to the
//! same output whose process is gone (`SIGKILL`, a crash). A write past the file size
//! limit fails with "File too large" instead of a silent `SIGXFSZ`. An output that
//! replaces a file keeps that file's mode and, where the process may, its owner.

use crate::fs::sys;
use crate::fs::temp::{clear_stale, create_temp, temp_name};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Symlinks followed at most when finding where an output really goes (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Bytes buffered before a write to an output or spool file.
const BUFFER: usize = 1 << 16;

/// Writes `contents` to `path` atomically, creating missing parent folders as the reference does.
///
/// The bytes go to a temporary file in the same folder, which is synced and
/// then renamed over `path`; on any error nothing is left of it and an
/// existing `path` is left as it was. A symlink at `path` is written through,
/// as the reference's `write_text` does: its target is replaced (keeping its
/// mode) and the link kept. No folder is made for a link's target: a link whose
/// target's folder does not exist is an error naming both.
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
            let file = match sys::open_anonymous(self.folder) {
                Ok(file) => file,
                Err(_) => {
                    let (spool_path, file) = create_temp(self.folder, self.target)?;
                    std::fs::remove_file(&spool_path)?;
                    file
                }
            };
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
/// created if missing as the reference does; a link's target gets no folder made.
fn prepare(path: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    sys::refuse_oversized_writes();
    let target = follow_links(path)?;
    let parent = folder_of(&target);
    if target != path && !parent.is_dir() {
        let message = format!(
            "a symlink to {}, whose folder {} does not exist; no folder is made for a link's target",
            target.display(),
            parent.display()
        );
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, message));
    }
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
    Ok((target, parent))
}

/// Returns the folder `path` is in: `.` for a bare name.
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Returns where the output `path` would really be written when it lies in the run
/// directory `dir` but leads out of it through symlinks (of the file or of its
/// folders), which `--confine` refuses; `None` for an output that stays inside, or
/// that is named outside the run directory to begin with.
pub fn leads_outside(path: &Path, dir: &Path) -> Option<PathBuf> {
    let (named, root) = (
        super::lexical_absolute(path)?,
        super::lexical_absolute(dir)?,
    );
    if !named.starts_with(&root) {
        return None;
    }
    let real_root = dir.canonicalize().ok()?;
    // A loop of links fails when written anyway; where it leads is unknown.
    let target = follow_links(path).ok()?;
    // The deepest folder that exists, resolved, and the rest of the path as named.
    let mut rest = Vec::new();
    let mut existing = target.as_path();
    let resolved = loop {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                if let Ok(real) = parent.canonicalize() {
                    break real;
                }
                existing = parent;
            }
            _ => return None,
        }
    };
    let real = rest
        .iter()
        .rev()
        .fold(resolved, |path, name| path.join(name));
    (!real.starts_with(&real_root)).then_some(real)
}

/// Writes what `write` writes to a temporary file in `parent` beside `path` (as
/// [`prepare`] returns them), syncs it (a crash must never leave an empty output)
/// and renames it over `path`; on any error nothing is left of the temporary file
/// and `path` is left as it was.
fn write_file_atomic(
    path: &Path,
    parent: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    clear_stale(parent, path);
    let replaced = std::fs::metadata(path).ok();
    if let Ok(mut file) = sys::open_anonymous(parent) {
        keep_owner_and_mode(&file, replaced.as_ref());
        write(&mut file)?;
        file.sync_all()?;
        return publish_anonymous(file, parent, path);
    }
    write_named(parent, path, replaced.as_ref(), write)
}

/// Names the complete anonymous `file` beside `path` and renames it over `path`; where
/// it cannot be named (no `/proc`), copies it to a named temporary file instead.
fn publish_anonymous(mut file: File, parent: &Path, path: &Path) -> std::io::Result<()> {
    loop {
        let temp = temp_name(parent, path);
        match sys::name_anonymous(&file, &temp) {
            Ok(()) => {
                let registered = sys::remove_on_signal(&temp);
                let renamed = std::fs::rename(&temp, path);
                if renamed.is_err() {
                    let _ = std::fs::remove_file(&temp);
                }
                drop(registered);
                return renamed;
            }
            // A stale file of a killed process that had the same id: take the next name.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => break,
        }
    }
    let replaced = std::fs::metadata(path).ok();
    file.seek(SeekFrom::Start(0))?;
    write_named(parent, path, replaced.as_ref(), |out| {
        std::io::copy(&mut file, out).map(|_| ())
    })
}

/// Gives the new output the mode and, where the process may, the owner of the file it
/// replaces; a new output keeps the usual mode (0666 less the umask).
fn keep_owner_and_mode(file: &File, replaced: Option<&std::fs::Metadata>) {
    let Some(replaced) = replaced else { return };
    let Ok(now) = file.metadata() else { return };
    if (now.uid(), now.gid()) != (replaced.uid(), replaced.gid()) {
        // Only a privileged process may give a file away; the group may still be ours.
        if std::os::unix::fs::fchown(file, Some(replaced.uid()), Some(replaced.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(replaced.gid()));
        }
    }
    // After the owner: a change of owner clears the set-id bits.
    if now.mode() != replaced.mode() {
        let _ = file.set_permissions(replaced.permissions());
    }
}

/// Writes what `write` writes to a named temporary file in `parent`, removed on an
/// error and on `SIGINT` or `SIGTERM`, then renames it over `path`.
fn write_named(
    parent: &Path,
    path: &Path,
    replaced: Option<&std::fs::Metadata>,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (temp, mut file) = create_temp(parent, path)?;
    let registered = sys::remove_on_signal(&temp);
    let result = (|| {
        keep_owner_and_mode(&file, replaced);
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    drop(registered);
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

    #[test]
    fn an_output_has_no_name_until_complete_and_keeps_the_mode_it_replaces() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = Scratch::new("output-unnamed");
        let dir = scratch.path();
        let target = dir.join("summary.json");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let names = || {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        // While the bytes are written, the folder holds the old output only (where the
        // file system has anonymous files; elsewhere a named temporary file besides).
        let anonymous = sys::open_anonymous(dir).is_ok();
        let mut during = Vec::new();
        write_atomic_with(&target, |out| {
            out.write_all(b"new")?;
            during = names();
            Ok(())
        })
        .unwrap();
        if anonymous {
            assert_eq!(during, ["summary.json"]);
        } else {
            assert_eq!(during.len(), 2, "{during:?}");
        }
        assert_eq!(names(), ["summary.json"]);
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }

    #[test]
    fn outputs_leading_out_of_the_run_are_found() {
        let scratch = Scratch::new("output-confine");
        let dir = scratch.path();
        let run = dir.join("run");
        std::fs::create_dir_all(run.join("inner")).unwrap();
        std::fs::create_dir_all(dir.join("outside")).unwrap();
        let link =
            |target: &str, at: &str| std::os::unix::fs::symlink(target, run.join(at)).unwrap();
        link("../outside/x.json", "out.json");
        link("inner/x.json", "in.json");
        link("../outside", "away");
        let outside = dir.join("outside").canonicalize().unwrap();
        assert_eq!(
            leads_outside(&run.join("out.json"), &run),
            Some(outside.join("x.json"))
        );
        assert_eq!(
            leads_outside(&run.join("away/new/y.json"), &run),
            Some(outside.join("new/y.json"))
        );
        assert_eq!(leads_outside(&run.join("in.json"), &run), None);
        assert_eq!(leads_outside(&run.join("summary.json"), &run), None);
        assert_eq!(leads_outside(&run.join("new/deep/x.json"), &run), None);
        // Named outside the run to begin with: the user's choice, not a link's.
        assert_eq!(leads_outside(&dir.join("outside/x.json"), &run), None);
    }
}
