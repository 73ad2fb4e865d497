//! The few system calls std does not offer, each behind a safe function: naming an
//! anonymous file, the dispositions of `SIGPIPE` and `SIGXFSZ`, removing named
//! temporary files when `SIGINT` or `SIGTERM` ends the process, and asking whether a
//! process still exists.
//!
//! This is the crate's one module with `unsafe` code (the crate denies it
//! elsewhere): std can neither pass `AT_SYMLINK_FOLLOW` to `linkat` (its
//! `hard_link` passes no flag, and `/proc/self/fd/N` then names the link itself:
//! `EXDEV`), nor set a signal's disposition. What to write, and when, is
//! [`crate::fs::atomic`]'s.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::Once;

/// Returns `path` as a C string, or the error std gives for a path with a NUL byte.
fn c_path(path: &OsStr) -> io::Result<CString> {
    CString::new(path.as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL byte"))
}

/// Opens an anonymous file (Linux's `O_TMPFILE`) in `folder`, readable and writable:
/// it has no name, so nothing of it outlives the process, until [`name_anonymous`]
/// gives it one. Fails where the file system or the kernel has no such files.
#[cfg(target_os = "linux")]
pub(crate) fn open_anonymous(folder: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o666)
        .custom_flags(libc::O_TMPFILE)
        .open(folder)
}

/// Opens an anonymous file where the system has them; here it has none.
#[cfg(not(target_os = "linux"))]
pub(crate) fn open_anonymous(_folder: &Path) -> io::Result<File> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Gives the anonymous `file` the name `to` (which must not exist), through
/// `/proc/self/fd`: `linkat` with `AT_SYMLINK_FOLLOW`, which needs no privilege.
#[cfg(target_os = "linux")]
pub(crate) fn name_anonymous(file: &File, to: &Path) -> io::Result<()> {
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    let to = c_path(to.as_os_str())?;
    // SAFETY: both arguments are NUL-terminated strings that live across the call;
    // `linkat` reads them and keeps no pointer.
    let done = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Names an anonymous file where the system has them; here it has none.
#[cfg(not(target_os = "linux"))]
pub(crate) fn name_anonymous(_file: &File, _to: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Returns true if and only if `signal`'s disposition is the default one, reading it
/// without changing it.
fn is_default(signal: libc::c_int) -> bool {
    // SAFETY: a zeroed `sigaction` is a valid value of the plain C struct; with a null
    // new action, `sigaction` only writes the current one into `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_DFL
    }
}

/// Makes a write past the file size limit (`ulimit -f`) fail with `EFBIG` ("File too
/// large"), an error naming the path, instead of `SIGXFSZ` killing the process
/// silently; a handler the program set itself is left alone.
pub(crate) fn refuse_oversized_writes() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if is_default(libc::SIGXFSZ) {
            // SAFETY: ignoring a signal installs no code; `signal` has no other effect.
            unsafe {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            }
        }
    });
}

/// Lets `SIGPIPE` end the process, as it ends other Unix tools, where Rust ignores it
/// (a write to a closed pipe then fails, and printers that unwrap it panic).
pub(crate) fn end_quietly_on_broken_pipe() {
    // SAFETY: restoring the default disposition installs no code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Temporary files that a `SIGINT` or `SIGTERM` removes; a null slot is free.
const SLOTS: usize = 32;
static TEMPS: [AtomicPtr<libc::c_char>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

/// Set by the signal handler before it reads [`TEMPS`]: from then on no path is freed.
static DYING: AtomicBool = AtomicBool::new(false);

/// Removes the temporary files registered, then ends the process by `signal` as its
/// default disposition would.
extern "C" fn remove_temps_and_die(signal: libc::c_int) {
    DYING.store(true, Ordering::SeqCst);
    for slot in &TEMPS {
        let path = slot.load(Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: a registered path is a NUL-terminated string that is never freed
            // once DYING is set (see `Registered::drop`); `unlink` is async-signal-safe.
            unsafe {
                libc::unlink(path);
            }
        }
    }
    // SAFETY: `signal` and `raise` are async-signal-safe; the signal is blocked while
    // its handler runs, so the raised one ends the process once this returns.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Installs [`remove_temps_and_die`] for `SIGINT` and `SIGTERM`, once, where their
/// disposition is the default (an ignored signal stays ignored, a program's own handler
/// stays in place).
fn install_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            if is_default(signal) {
                // SAFETY: the handler only calls async-signal-safe functions and reads
                // atomics; a zeroed `sigaction` with its handler and mask set is valid.
                unsafe {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction =
                        remove_temps_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t;
                    libc::sigemptyset(&mut action.sa_mask);
                    libc::sigaction(signal, &action, std::ptr::null_mut());
                }
            }
        }
    });
}

/// A named temporary file that a `SIGINT` or `SIGTERM` removes until this is dropped.
pub(crate) struct Registered {
    slot: Option<usize>,
}

/// Registers the temporary file at `path` for removal should `SIGINT` or `SIGTERM`
/// end the process before the returned guard is dropped; with all slots taken, the
/// file is left to the next run's clearing of stale files.
pub(crate) fn remove_on_signal(path: &Path) -> Registered {
    install_handlers();
    let Ok(path) = c_path(path.as_os_str()) else {
        return Registered { slot: None };
    };
    let raw = path.into_raw();
    for (index, slot) in TEMPS.iter().enumerate() {
        let free = slot.compare_exchange(
            std::ptr::null_mut(),
            raw,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        if free.is_ok() {
            return Registered { slot: Some(index) };
        }
    }
    // SAFETY: `raw` came from `into_raw` above and was stored nowhere.
    drop(unsafe { CString::from_raw(raw) });
    Registered { slot: None }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let Some(index) = self.slot else { return };
        let raw = TEMPS[index].swap(std::ptr::null_mut(), Ordering::SeqCst);
        // A handler that has begun may still read the path: it is then left to the
        // process's end. Before DYING is set, the handler sees the slot empty.
        if !raw.is_null() && !DYING.load(Ordering::SeqCst) {
            // SAFETY: `raw` came from `into_raw` in `remove_on_signal`, and the swap
            // took it out of the table, so nothing else frees or reads it.
            drop(unsafe { CString::from_raw(raw) });
        }
    }
}

/// Returns true if and only if no process `pid` exists (`kill` with no signal says
/// `ESRCH`); a process of another user counts as existing.
pub(crate) fn process_gone(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 sends nothing; `kill` only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent != 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scratch;
    use std::os::unix::process::ExitStatusExt;

    /// Names the file that [`a_registered_file_is_removed_by_sigterm`]'s child creates.
    const CHILD_VAR: &str = "FAULT_HARNESS_SIGNAL_CHILD";

    /// In the child: creates the file named by [`CHILD_VAR`], registers it, and ends
    /// by `SIGTERM` sent to itself; without the variable, does nothing.
    #[test]
    #[ignore = "the child of a_registered_file_is_removed_by_sigterm"]
    fn signal_child() {
        let Some(path) = std::env::var_os(CHILD_VAR) else {
            return;
        };
        let path = std::path::PathBuf::from(path);
        std::fs::write(&path, "partial").unwrap();
        let _registered = remove_on_signal(&path);
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        std::thread::sleep(std::time::Duration::from_secs(30));
        panic!("SIGTERM did not end the process");
    }

    #[test]
    fn a_registered_file_is_removed_by_sigterm() {
        let scratch = Scratch::new("sys-signal");
        let path = scratch.path().join(".summary.json.1-0.tmp");
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "fs::sys::tests::signal_child",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD_VAR, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
        assert!(!path.exists(), "the registered file was left");
        // Dropped, a registration frees its slot: twice as many in turn never run out.
        for _ in 0..SLOTS * 2 {
            assert!(remove_on_signal(&path).slot.is_some());
        }
    }
}
