//! One sync at a time per database: an advisory `flock` on `<db>.sync-lock`. A second sync
//! (cron while a person syncs) waits up to a bound, then gives up with exit code 75. The
//! kernel drops the lock when the process dies, so a killed sync never leaves it stuck.
//! Reads (`tx list`, reports) take no lock: SQLite's WAL lets them run during a sync.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::error::{Exit, UserError};

/// Held for as long as it lives.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".sync-lock");
    db.with_file_name(name)
}

impl SyncLock {
    /// Take the lock, waiting up to `wait` for another sync to finish.
    pub fn acquire(db: &Path, wait: Duration) -> Result<SyncLock> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open the sync lock {}", path.display()))?;
        let deadline = Instant::now() + wait;
        loop {
            if try_lock(&file)? {
                return Ok(SyncLock { _file: file });
            }
            if Instant::now() >= deadline {
                return Err(UserError::new(Exit::TempFail, "another sync is running on this database")
                    .hint("let it finish, or wait for it with `tally sync --wait SECS`")
                    .into());
            }
            std::thread::sleep(Duration::from_millis(100).min(deadline - Instant::now()));
        }
    }
}

fn try_lock(file: &File) -> Result<bool> {
    #[allow(unsafe_code)]
    // SAFETY: flock(2) on a descriptor we own; it touches no memory of ours.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    if err.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(err).context("cannot lock the sync lock file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let first = SyncLock::acquire(&db, Duration::ZERO).unwrap();
        let err = SyncLock::acquire(&db, Duration::from_millis(150)).unwrap_err();
        assert_eq!(crate::error::user_error(&err).unwrap().exit, Exit::TempFail);
        drop(first);
        SyncLock::acquire(&db, Duration::ZERO).unwrap();
    }
}
