//! Encryption at rest (SQLCipher): whether a file is plain or encrypted, the key's form, and
//! converting a database between the two safely (a new file, verified row for row, then an
//! atomic rename). Where the key is kept (the secret store) is `context.rs`'s business.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use sha2::{Digest as _, Sha256};

use super::{OpenMode, OpenOptions, Store};
use crate::error::UserError;
use crate::secrets::SecretString;

/// The secret store entry that holds the database key (one key for every database of a user).
pub const KEY_ENTRY: &str = "tally-db-key";

/// The first 16 bytes of every plain SQLite file; SQLCipher's first page starts with a salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a database file is, judged by its first bytes (nothing is decrypted to tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one: created plain unless a command asks for encryption.
    Missing,
    Plain,
    /// Not plain SQLite and shaped like database pages: encrypted (or damaged beyond telling).
    Encrypted,
    /// Not SQLite at all (a text file, a cut-off header): the store explains it.
    Other,
}

pub fn file_kind(path: &Path) -> FileKind {
    let Ok(mut file) = fs::File::open(path) else { return FileKind::Missing };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = [0u8; 16];
    if len == 0 {
        return FileKind::Missing;
    }
    if file.read_exact(&mut head).is_ok() && &head == PLAIN_HEADER {
        return FileKind::Plain;
    }
    // SQLCipher writes whole pages (512 to 65536 bytes), so its files are a multiple of 512.
    if len >= 512 && len % 512 == 0 { FileKind::Encrypted } else { FileKind::Other }
}

/// A new random 256-bit key, as SQLCipher's raw-key literal `x'…'` (no passphrase derivation:
/// the key is already random, and opening stays fast).
pub fn new_key() -> Result<SecretString> {
    let mut bytes = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read randomness from /dev/urandom")?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(SecretString::new(format!("x'{hex}'")))
}

/// Whether `key` has the form `new_key` makes: a damaged secret store entry is refused before
/// it could reach SQL.
pub fn check_key(key: &SecretString) -> Result<()> {
    let k = key.expose();
    let ok =
        k.len() == 67 && k.starts_with("x'") && k.ends_with('\'') && k[2..66].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        return Ok(());
    }
    Err(UserError::failure(format!("the database key in the secret store (`{KEY_ENTRY}`) is damaged"))
        .hint("restore the secret store from a backup; without the key an encrypted database cannot be read")
        .into())
}

/// SQLCipher writes its own failures (a wrong key's "hmac check failed") to stderr; ours say
/// it once, with a hint, so its log is off.
pub(super) fn quiet(db: &super::Db) -> Result<()> {
    db.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    Ok(())
}

/// Give the connection its key: the first statement on an encrypted database.
pub(super) fn apply_key(db: &super::Db, key: &SecretString) -> Result<()> {
    check_key(key)?;
    // `PRAGMA key` takes no bound parameter; `check_key` allowed only `x'` + hex + `'`.
    db.execute_batch(&format!("PRAGMA key = \"{}\";", key.expose()))?;
    Ok(())
}

/// Where a conversion writes the new file; a leftover from a killed run is removed next time
/// and never opened as the database.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".converting");
    path.with_file_name(name)
}

fn remove_with_sidecars(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove {}", Path::new(&p).display()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Rewrite the database at `path` from `from` (None: plain) to `to` (None: plain): export into
/// a new file beside it, check every table's row count and checksum, then rename it over the
/// original. Killed at any point, `path` is either the old file or the new one, whole.
pub fn convert(path: &Path, from: Option<&SecretString>, to: Option<&SecretString>) -> Result<()> {
    let tmp = temp_path(path);
    remove_with_sidecars(&tmp)?;
    let original = Store::open_with(path, OpenOptions { mode: OpenMode::Existing, key: from })?;
    let before = fingerprint(&original)?;
    let version = original.schema_version()?;
    let target_key = match to {
        Some(k) => {
            check_key(k)?;
            k.expose().to_string()
        }
        None => String::new(),
    };
    let db = original.db();
    db.execute("ATTACH DATABASE ?1 AS converted KEY ?2", rusqlite::params![tmp.to_string_lossy(), target_key])
        .context("cannot create the converted copy")?;
    let exported = db
        .query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))
        .and_then(|()| db.pragma_update(Some("converted"), "user_version", version))
        .context("cannot copy the database");
    db.execute_batch("DETACH DATABASE converted")?;
    exported?;

    let copy = Store::open_with(&tmp, OpenOptions { mode: OpenMode::Existing, key: to })?;
    let after = fingerprint(&copy)?;
    drop(copy); // the last connection: its WAL is checkpointed into the file and removed
    if before != after {
        remove_with_sidecars(&tmp)?;
        anyhow::bail!("the converted copy differs from the database; nothing was changed");
    }
    fs::File::open(&tmp).and_then(|f| f.sync_all()).context("cannot flush the converted copy")?;
    drop(original);
    if wal_of(path).exists() {
        remove_with_sidecars(&tmp)?;
        return Err(UserError::failure(format!("{} is in use by another tally", path.display()))
            .hint("wait for the running sync or import to end, then run this again")
            .into());
    }
    fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::File::open(dir).and_then(|d| d.sync_all()).context("cannot flush the database directory")?;
    }
    Ok(())
}

fn wal_of(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_os_string();
    p.push("-wal");
    PathBuf::from(p)
}

/// Per table: its name, row count and a SHA-256 over every row (rowid and values, typed).
pub type Fingerprint = Vec<(String, i64, String)>;

pub fn fingerprint(store: &Store) -> Result<Fingerprint> {
    let db = store.db();
    let mut tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let names: Vec<String> = tables.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|name| {
            let quoted = name.replace('"', "\"\"");
            let by_rowid = format!("SELECT rowid, * FROM \"{quoted}\" ORDER BY rowid");
            // A WITHOUT ROWID table (report rollups, FTS5's own tables) is ordered by all its columns.
            let sql = match db.prepare(&by_rowid) {
                Ok(_) => by_rowid,
                Err(_) => {
                    let n = db.prepare(&format!("SELECT * FROM \"{quoted}\""))?.column_count();
                    let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
                    format!("SELECT * FROM \"{quoted}\" ORDER BY {}", order.join(", "))
                }
            };
            let mut stmt = db.prepare(&sql)?;
            let columns = stmt.column_count();
            let mut rows = stmt.query([])?;
            let (mut count, mut hash) = (0i64, Sha256::new());
            while let Some(row) = rows.next()? {
                count += 1;
                for i in 0..columns {
                    use rusqlite::types::ValueRef::*;
                    match row.get_ref(i)? {
                        Null => hash.update([0]),
                        Integer(n) => hash.update([[1u8].as_slice(), &n.to_le_bytes()].concat()),
                        Real(f) => hash.update([[2u8].as_slice(), &f.to_le_bytes()].concat()),
                        Text(t) => hash.update([[3u8].as_slice(), &(t.len() as u64).to_le_bytes(), t].concat()),
                        Blob(b) => hash.update([[4u8].as_slice(), &(b.len() as u64).to_le_bytes(), b].concat()),
                    }
                }
            }
            let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
            Ok((name, count, digest))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_then_decrypt_round_trips_and_hides_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path, OpenMode::Create).unwrap();
        store
            .db()
            .execute("UPDATE category SET name = 'PlaintextMarkerXYZ' WHERE id = (SELECT min(id) FROM category)", [])
            .unwrap();
        let before = fingerprint(&store).unwrap();
        drop(store);
        assert_eq!(file_kind(&path), FileKind::Plain);

        let key = new_key().unwrap();
        convert(&path, None, Some(&key)).unwrap();
        assert_eq!(file_kind(&path), FileKind::Encrypted);
        let bytes = fs::read(&path).unwrap();
        assert!(!bytes.windows(15).any(|w| w == &PLAIN_HEADER[..15]));
        assert!(!bytes.windows(18).any(|w| w == b"PlaintextMarkerXYZ"));
        assert!(!temp_path(&path).exists());

        let err = Store::open(&path, OpenMode::Existing).unwrap_err();
        assert!(crate::error::user_error(&err).is_some(), "{err:#}");
        let wrong = new_key().unwrap();
        let err = Store::open_with(&path, OpenOptions { mode: OpenMode::Existing, key: Some(&wrong) }).unwrap_err();
        assert!(format!("{err:#}").contains("does not open"), "{err:#}");
        assert!(!format!("{err:#}").contains(&wrong.expose()[2..66]), "the key never shows: {err:#}");

        let store = Store::open_with(&path, OpenOptions { mode: OpenMode::Existing, key: Some(&key) }).unwrap();
        assert_eq!(fingerprint(&store).unwrap(), before);
        drop(store);

        convert(&path, Some(&key), None).unwrap();
        assert_eq!(file_kind(&path), FileKind::Plain);
        assert_eq!(fingerprint(&Store::open(&path, OpenMode::Existing).unwrap()).unwrap(), before);
    }

    #[test]
    fn a_damaged_key_is_refused_before_sql() {
        for bad in ["", "x''", "hunter2", &format!("x'{}'; DROP TABLE t; --", "0".repeat(64))] {
            assert!(check_key(&SecretString::new(bad)).is_err(), "{bad}");
        }
        check_key(&new_key().unwrap()).unwrap();
    }

    #[test]
    fn kinds_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        assert_eq!(file_kind(&p), FileKind::Missing);
        fs::write(&p, b"").unwrap();
        assert_eq!(file_kind(&p), FileKind::Missing);
        fs::write(&p, b"a shopping list").unwrap();
        assert_eq!(file_kind(&p), FileKind::Other);
        fs::write(&p, [7u8; 4096]).unwrap();
        assert_eq!(file_kind(&p), FileKind::Encrypted);
    }
}
