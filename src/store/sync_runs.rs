//! The `sync_run` table: one audit row per account per sync.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Db, ts};

#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
}

#[derive(Debug)]
pub struct SyncRun<'a> {
    pub connection_id: i64,
    pub account_id: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub counts: &'a Counts,
    pub error: Option<&'a str>,
    pub duration_ms: u64,
}

pub fn insert(db: &Db, run: &SyncRun<'_>) -> Result<()> {
    db.execute(
        "INSERT INTO sync_run (connection_id, account_id, started_at, finished_at, status, added, modified,
                               removed, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            run.connection_id,
            run.account_id,
            ts(run.started_at),
            ts(run.finished_at),
            if run.error.is_some() { "failed" } else { "ok" },
            run.counts.added as i64,
            run.counts.modified as i64,
            run.counts.removed as i64,
            run.error,
            run.duration_ms as i64,
        ],
    )?;
    Ok(())
}
