//! Who may write a database: one process, whatever name it opens the database by.
//!
//! A writer holds an OS lock (`flock`) on the journal, which lives as long as the database and
//! is never replaced, and on the data file it last wrote. A symbolic link is resolved before
//! anything is named after the path, so a link opens the same journal; a hard link under
//! another name meets the data file's lock. A lock file that anyone may delete is no lock.
//!
//! **Invariant:** a lock is taken on a handle and then checked against what the path names
//! now, so a file replaced between opening and locking is never mistaken for the one locked.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Whether two handles or paths are the same file on disk.
#[cfg(unix)]
pub fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
pub fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// What tells one file on disk from another, kept so that a check costs one `stat`.
#[derive(Debug)]
pub struct Identity(fs::Metadata);

impl Identity {
    pub fn of(file: &File) -> io::Result<Identity> {
        file.metadata().map(Identity)
    }

    /// Whether `path` still names this file.
    pub fn still_at(&self, path: &Path) -> io::Result<bool> {
        match fs::metadata(path) {
            Ok(now) => Ok(same_file(&self.0, &now)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Whether the file at `path` is still the one `file` has open.
pub fn still_at(file: &File, path: &Path) -> io::Result<bool> {
    Identity::of(file)?.still_at(path)
}

/// The path a database is known by: symbolic links resolved, so that every name for one data
/// file leads to one journal.
///
/// # Errors
/// When the folder it would live in does not exist.
pub fn canonical(path: &Path) -> io::Result<PathBuf> {
    if fs::symlink_metadata(path).is_ok() {
        return fs::canonicalize(path);
    }
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Ok(fs::canonicalize(dir)?.join(name))
}

/// What taking a lock found.
pub enum Taken {
    Locked(File),
    /// Another process holds it.
    Held,
}

/// Opens `path` (creating it when `create`) and takes its lock without waiting, checking that
/// the file locked is the one the path names.
///
/// # Errors
/// When the file cannot be opened, or keeps being replaced while it is locked.
pub fn take(path: &Path, create: bool) -> io::Result<Taken> {
    // A lock may be held for a moment by a process that is not a writer: a child forked by
    // another thread holds copies of its parent's files until it starts its program. A
    // writer holds it for good, so waiting a little tells the two apart.
    let patience = std::time::Instant::now();
    let mut replaced = 0;
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                if patience.elapsed() > std::time::Duration::from_millis(200) {
                    return Ok(Taken::Held);
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
                continue;
            }
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
        if still_at(&file, path)? {
            return Ok(Taken::Locked(file));
        }
        // Replaced between opening and locking: lock what is there now.
        replaced += 1;
        if replaced == 8 {
            return Err(io::Error::other(format!(
                "{} keeps being replaced by another process",
                path.display()
            )));
        }
    }
}

/// Takes the lock on the data file `path` wrote last, waiting for a process that holds it only
/// while it checks whether it may open the database (it lets go at once when it may not).
///
/// # Errors
/// When the file cannot be opened or locked.
pub fn relock(path: &Path) -> io::Result<File> {
    for _ in 0..8 {
        let file = File::open(path)?;
        file.lock()?;
        if still_at(&file, path)? {
            return Ok(file);
        }
    }
    Err(io::Error::other(format!(
        "{} keeps being replaced by another process",
        path.display()
    )))
}

/// Whether some process holds the lock on `path` (a database's data file or journal).
pub fn is_held(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
}
