//! A database file that is broken or out of reach (not SQLite, damaged, read-only, full disk,
//! encrypted with a key that is missing or wrong):
//! SQLite's terse failure becomes one error that names the file, says what is wrong and what to
//! do. What the store's callers do with other SQLite errors (a constraint, a bug) is not ours.

use std::path::Path;

use crate::error::UserError;

/// A SQLite failure that means the database file itself is broken or out of reach, turned into
/// one error that names the file, says what is wrong and what to do, with SQLite's own words as
/// the single cause. Any other error is returned as it is. `Store::open` applies it, and so does
/// the command dispatch for what the first write or a damaged page shows later.
pub fn explain(err: anyhow::Error, path: &Path) -> anyhow::Error {
    if crate::error::user_error(&err).is_some() {
        return err;
    }
    let Some((code, sqlite)) = err.chain().find_map(|e| {
        let e = e.downcast_ref::<rusqlite::Error>()?;
        let words = match e {
            rusqlite::Error::SqliteFailure(f, None) => rusqlite::ffi::code_to_str(f.extended_code).to_string(),
            e => e.to_string(),
        };
        Some((e.sqlite_error_code()?, words))
    }) else {
        return err;
    };
    use rusqlite::ErrorCode::*;
    let file = path.display();
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let (message, hint) = match code {
        NotADatabase => (
            format!("{file} is not a tally database: the file is damaged or holds something else"),
            "restore it from a backup, or point --db (or TALLY_DB) at your database".to_string(),
        ),
        DatabaseCorrupt => (
            format!("the database {file} is damaged (cut short or partly overwritten)"),
            format!("restore it from a backup (`sqlite3 {file} .recover` may save what is left)"),
        ),
        ReadOnly => (
            format!("cannot write to the database {file}: it is read-only"),
            format!(
                "check the permissions of the file and of {} (`ls -l`), and that the disk is not mounted \
                 read-only; `tally doctor` checks the database",
                dir.display()
            ),
        ),
        CannotOpen | PermissionDenied => (
            format!("cannot open the database {file}"),
            format!(
                "check that it is a file you may read and write, in a directory ({}) you may write to",
                dir.display()
            ),
        ),
        DiskFull => (
            format!("the disk holding the database {file} is full"),
            "free some space and run the command again; what was written before is intact".to_string(),
        ),
        _ => return err,
    };
    anyhow::Error::msg(sqlite).context(UserError::failure(message).hint(hint))
}

/// An encrypted database whose key is not in the secret store.
pub(super) fn no_key(path: &Path) -> anyhow::Error {
    UserError::failure(format!("the database {} is encrypted, and the secret store has no key for it", path.display()))
        .hint(format!(
            "tally keeps the key in the secret store as `{}`: run tally with the secret store that holds it \
             (TALLY_SECRETS), or restore that entry from a backup",
            super::cipher::KEY_ENTRY
        ))
        .into()
}

/// An encrypted database that the key from the secret store does not open (SQLite would only
/// say "file is not a database").
pub(super) fn wrong_key(path: &Path) -> anyhow::Error {
    UserError::failure(format!("the database key in the secret store does not open {}", path.display()))
        .hint(format!(
            "the key (`{}`) belongs to another database or was replaced; restore the secret store from a \
             backup, or point --db at the database it encrypted",
            super::cipher::KEY_ENTRY
        ))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_is_explained_with_its_name_and_what_to_do() {
        let path = Path::new("/data/tally.db");
        let sqlite = |code| anyhow::Error::new(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None));
        for (code, says, hint) in [
            (
                rusqlite::ffi::SQLITE_READONLY,
                "cannot write to the database /data/tally.db: it is read-only",
                "permissions",
            ),
            (
                rusqlite::ffi::SQLITE_CORRUPT,
                "the database /data/tally.db is damaged (cut short or partly overwritten)",
                "backup",
            ),
            (rusqlite::ffi::SQLITE_NOTADB, "/data/tally.db is not a tally database", "backup"),
            (rusqlite::ffi::SQLITE_FULL, "the disk holding the database /data/tally.db is full", "free some space"),
        ] {
            // However deep the SQLite error sits, the result is one error, one cause and a hint.
            let err = explain(sqlite(code).context("while saving a page").context("sync failed"), path);
            assert!(err.to_string().starts_with(says), "{err}");
            assert!(!format!("{err:#}").contains("Error code"), "no SQLite code twice: {err:#}");
            assert_eq!(err.chain().count(), 2, "{err:?}");
            assert!(crate::error::user_error(&err).and_then(|u| u.hint.as_deref()).unwrap().contains(hint));
        }
        // Anything else is left as it was: a constraint is a bug to report, not a broken file.
        let err = explain(sqlite(rusqlite::ffi::SQLITE_CONSTRAINT).context("insert"), path);
        assert_eq!(err.to_string(), "insert");
        let err = explain(anyhow::anyhow!("no such account"), path);
        assert_eq!(format!("{err:#}"), "no such account");
    }
}
