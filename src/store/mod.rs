//! The SQLite store: opening (pragmas, file modes, the SQLCipher key), forward-only
//! migrations, and the SQL for each table in its own file (report aggregates in `reports.rs`).
//! No SQL lives outside this module. A file that is broken or read-only is explained in `broken.rs`;
//! encryption (telling plain from encrypted, converting between them) lives in `cipher.rs`.

pub mod accounts;
pub mod alerts;
mod broken;
pub mod budgets;
pub mod categories;
pub mod cipher;
pub mod connections;
pub mod export;
pub mod learned;
pub mod ledger;
pub mod purge;
pub mod rates;
pub mod raw;
pub mod recurring;
pub mod reports;
pub mod rules;
pub mod search;
pub mod sync_runs;
pub mod transactions;
pub mod transfers;
mod values;

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use rusqlite::Connection as Db;

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};

pub use crate::error::UserError;
use crate::secrets::SecretString;
pub use broken::explain;

/// Migrations in order; the database's `PRAGMA user_version` is how many have run.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("migrations/0001_init.sql")),
    ("0002_default_categories", include_str!("migrations/0002_default_categories.sql")),
    ("0003_statement_balance_and_posted", include_str!("migrations/0003_statement_balance_and_posted.sql")),
    ("0004_more_categories", include_str!("migrations/0004_more_categories.sql")),
    ("0005_rules", include_str!("migrations/0005_rules.sql")),
    ("0006_transfers", include_str!("migrations/0006_transfers.sql")),
    ("0007_report_rollups", include_str!("migrations/0007_report_rollups.sql")),
    ("0008_budget_rollover", include_str!("migrations/0008_budget_rollover.sql")),
    ("0009_alerts", include_str!("migrations/0009_alerts.sql")),
    ("0010_learned_counts", include_str!("migrations/0010_learned_counts.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path} has schema version {found}, newer than this tally understands ({SCHEMA_VERSION})")]
    SchemaTooNew { path: PathBuf, found: i64 },
}

pub struct Store {
    db: Db,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Whether opening may create the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Commands that write (link, sync, demo): create the file and its directory.
    Create,
    /// Commands that only read: a missing database is an error with a hint.
    Existing,
}

/// How to open the database: [`Store::open_with`].
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions<'a> {
    pub mode: OpenMode,
    /// The key of an encrypted database (SQLCipher's raw-key form, `cipher::new_key`); `None`
    /// is plain SQLite. A new file opened with a key is created encrypted.
    pub key: Option<&'a SecretString>,
}

impl Store {
    /// A plain (unencrypted) database: `open_with` without a key.
    pub fn open(path: &Path, mode: OpenMode) -> Result<Store> {
        Store::open_with(path, OpenOptions { mode, key: None })
    }

    pub fn open_with(path: &Path, options: OpenOptions<'_>) -> Result<Store> {
        let OpenOptions { mode, key } = options;
        if let Some(key) = key {
            cipher::check_key(key)?;
        }
        let kind = cipher::file_kind(path);
        if key.is_none() && kind == cipher::FileKind::Encrypted {
            return Err(broken::no_key(path));
        }
        if !path.exists() {
            if mode == OpenMode::Existing {
                return Err(UserError::failure(format!("no tally database at {}", path.display()))
                    .hint("run `tally link sandbox` (or `tally demo`) first, or point --db at your database")
                    .into());
            }
            create_private_file(path)?;
        }
        Store::open_file(path, mode, key).map_err(|e| {
            let wrong_key = key.is_some()
                && kind != cipher::FileKind::Other
                && e.chain().any(|c| {
                    c.downcast_ref::<rusqlite::Error>()
                        .is_some_and(|e| e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase))
                });
            if wrong_key {
                return broken::wrong_key(path);
            }
            match explain(e, path) {
                e if crate::error::user_error(&e).is_some() => e,
                e => e.context(format!("cannot use database {}", path.display())),
            }
        })
    }

    fn open_file(path: &Path, mode: OpenMode, key: Option<&SecretString>) -> Result<Store> {
        let db = Db::open(path)?;
        cipher::quiet(&db)?;
        if let Some(key) = key {
            cipher::apply_key(&db, key)?;
        }
        let mut store = Store { db, path: path.to_path_buf() };
        store.configure()?;
        // Commands that write find out now, not halfway through (a read-only copy still reads).
        if mode == OpenMode::Create && store.db.is_readonly(rusqlite::MAIN_DB)? {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("the file opens only for reading".into()),
            )
            .into());
        }
        store.migrate()?;
        Ok(store)
    }

    /// A private in-memory store for unit tests.
    pub fn in_memory() -> Result<Store> {
        let mut store = Store { db: Db::open_in_memory()?, path: PathBuf::from(":memory:") };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection the per-table functions (`store::accounts::list(store.db())`) take.
    pub fn db(&self) -> &Db {
        &self.db
    }

    fn configure(&self) -> Result<()> {
        self.db.busy_timeout(Duration::from_secs(10))?;
        // Reading a page of a file that is not SQLite fails here, with a clear message.
        let mode: String = self.db.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if mode != "wal" && mode != "memory" {
            anyhow::bail!("journal_mode is {mode}, expected wal");
        }
        self.db.pragma_update(None, "synchronous", "NORMAL")?;
        self.db.pragma_update(None, "foreign_keys", "ON")?;
        // Stable query plans: without this, SQLite (built with STAT4) re-prepares a statement
        // whenever a bound value changes, and per-row statements cost a parse each time.
        self.db.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let found: i64 = self.db.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(anyhow::Error::new(StoreError::SchemaTooNew { path: self.path.clone(), found }).context(
                UserError::failure("refusing to touch a database written by a newer tally")
                    .hint("upgrade tally; this version would not understand the newer tables"),
            ));
        }
        for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.db.transaction()?;
            tx.execute_batch(sql).with_context(|| format!("migration {name} failed"))?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Run `f` in a transaction and roll it back: what would happen, with nothing written.
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.db.transaction()?;
        let value = f(&tx)?;
        tx.rollback()?;
        Ok(value)
    }

    /// A bigger page cache for one long bulk operation (an import of a long history).
    pub fn set_cache_mib(&self, mib: i64) -> Result<()> {
        self.db.pragma_update(None, "cache_size", -mib * 1024)?;
        Ok(())
    }

    /// `PRAGMA integrity_check`: "ok" or the problems found.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.db.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.db.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Run `f` in one SQLite transaction: all of it commits, or none of it.
    pub fn atomic<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// Create the database file 0600 inside a 0700 directory, so no one else can read it.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create directory {}", dir.display()))?;
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create database {}", path.display()))?;
    Ok(())
}

/// Instants are stored as RFC 3339 UTC text, dates as `YYYY-MM-DD`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn parse_ts(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

pub(crate) fn parse_date(s: &str) -> rusqlite::Result<NaiveDate> {
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_to_the_latest_version() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let n: i64 = store.db.query_row("SELECT count(*) FROM category", [], |r| r.get(0)).unwrap();
        assert!(n > 20);
    }

    #[test]
    fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path, OpenMode::Create).unwrap();
        store.db.pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        let err = Store::open(&path, OpenMode::Existing).unwrap_err();
        assert!(format!("{err:#}").contains("schema version 99"), "{err:#}");
        assert!(crate::error::user_error(&err).is_some());
    }

    #[test]
    fn a_key_creates_an_encrypted_database_and_a_damaged_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/t.db");
        let key = SecretString::new("hunter2");
        let err = Store::open_with(&path, OpenOptions { mode: OpenMode::Create, key: Some(&key) }).unwrap_err();
        assert!(!format!("{err:#}").contains("hunter2"));
        assert!(crate::error::user_error(&err).is_some(), "a clear error with a hint, not a crash");
        assert!(!path.exists() && !path.parent().unwrap().exists());
        let key = cipher::new_key().unwrap();
        let store = Store::open_with(&path, OpenOptions { mode: OpenMode::Create, key: Some(&key) }).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        drop(store);
        assert_eq!(cipher::file_kind(&path), cipher::FileKind::Encrypted);
        let err = Store::open(&path, OpenMode::Existing).unwrap_err();
        assert!(format!("{err}").contains("is encrypted, and the secret store has no key"), "{err:#}");
    }

    #[test]
    fn creates_private_files_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/t.db");
        drop(Store::open(&path, OpenMode::Create).unwrap());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);

        let junk = dir.path().join("junk.db");
        fs::write(&junk, b"this is not a database, just some text that is long enough").unwrap();
        let err = Store::open(&junk, OpenMode::Existing).unwrap_err();
        assert!(err.to_string().contains(&format!("{} is not a tally database", junk.display())), "{err:#}");
        assert_eq!(err.chain().count(), 2, "one cause, SQLite's own words: {err:?}");
        assert!(crate::error::user_error(&err).and_then(|u| u.hint.as_deref()).unwrap().contains("backup"));
    }
}
