//! The `raw_record` table: every payload as received, kept for replay and audit.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;
use sha2::{Digest, Sha256};

use super::{Db, ts};

#[derive(Debug)]
pub struct RawRecord<'a> {
    pub connection_id: Option<i64>,
    pub account_id: i64,
    pub provider: &'a str,
    pub external_id: Option<&'a str>,
    pub body: &'a str,
}

/// Store a payload once (by its hash per account) and return its row id.
pub fn insert(db: &Db, r: &RawRecord<'_>, fetched_at: DateTime<Utc>) -> Result<i64> {
    // 128 bits identify a payload; a short key keeps this index small on a long import.
    let hash = &Sha256::digest(r.body.as_bytes())[..16];
    // Called once per row of a sync or import: cached statements, and no second lookup when
    // the insert went through.
    let inserted = db
        .prepare_cached(
            "INSERT INTO raw_record (connection_id, account_id, provider, external_id, hash, body, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (account_id, hash) DO NOTHING",
        )?
        .execute(params![r.connection_id, r.account_id, r.provider, r.external_id, hash, r.body, ts(fetched_at)])?;
    if inserted == 1 {
        return Ok(db.last_insert_rowid());
    }
    Ok(db
        .prepare_cached("SELECT id FROM raw_record WHERE account_id = ?1 AND hash = ?2")?
        .query_row(params![r.account_id, hash], |row| row.get(0))?)
}

/// A stored raw record: which source wrote it (`sandbox`, `import:csv`, …) and its body.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub provider: String,
    pub body: String,
}

impl Stored {
    /// Whether a file import wrote it (its provider is `import:FORMAT`), not a sync.
    pub fn is_import(&self) -> bool {
        self.provider.starts_with("import:")
    }
}

/// An account's raw records in the order they were first received.
pub fn for_account(db: &Db, account_id: i64) -> Result<Vec<Stored>> {
    let mut stmt = db.prepare("SELECT id, provider, body FROM raw_record WHERE account_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([account_id], |r| Ok(Stored { id: r.get(0)?, provider: r.get(1)?, body: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
