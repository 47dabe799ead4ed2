//! Private files: 0700 directories, 0600 files written atomically, and the check that an
//! existing file is not readable by others. Callers decide what a finding means to them
//! (the secret stores refuse such a file; the database gets a warning and a doctor row).

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context as _, Result};

/// Create `dir` (and its parents) 0700 when missing; an existing directory is left as it is.
pub fn private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))
}

/// Replace `path` with `bytes` atomically: a 0600 temporary file in the same directory,
/// synced, then renamed over the old one. A crash leaves the old file or the new one.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("the file has no directory")?;
    private_dir(dir)?;
    let mut name = path.file_name().context("the file has no name")?.to_os_string();
    name.push(".tmp");
    let tmp = dir.join(name);
    let write = || -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        // `mode` applies only to a new file; a stale temporary file is made private too.
        f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// Write a file only its owner can read: a new one, or (with `replace`) over an old one
/// atomically. Without `replace` an existing file is never touched (`--output` without `--force`).
pub fn write_private_new(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    if replace {
        return write_private_atomic(path, bytes);
    }
    let write = || -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// The permission bits of `path` when group or others may read or write it; `None` when only
/// its owner can, or when it does not exist.
pub fn open_to_others(path: &Path) -> Option<u32> {
    let mode = fs::metadata(path).ok()?.mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_are_private_and_replace_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/dir/file");
        write_private_atomic(&path, b"one").unwrap();
        write_private_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777, 0o700);
        assert!(!path.with_file_name("file.tmp").exists());
        assert_eq!(open_to_others(&path), None);
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
        assert_eq!(open_to_others(&path), Some(0o640));
        assert_eq!(open_to_others(&dir.path().join("missing")), None);
    }
}
