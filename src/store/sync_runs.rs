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
pub struct AuditRow<'a> {
    pub connection_id: i64,
    pub account_id: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub counts: &'a Counts,
    pub error: Option<&'a str>,
    pub duration_ms: u64,
}

pub fn insert(db: &Db, run: &AuditRow<'_>) -> Result<()> {
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

/// A `sync_run` row joined with its connection's and account's names, newest first.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub started_at: String,
    pub connection: String,
    pub account: Option<String>,
    pub status: String,
    pub counts: Counts,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// The newest `limit` runs (0: all of them; SQLite reads LIMIT -1 as no limit).
pub fn history(db: &Db, limit: u64) -> Result<Vec<HistoryRow>> {
    let mut stmt = db.prepare(
        "SELECT r.started_at, c.name, a.name, r.status, r.added, r.modified, r.removed, r.duration_ms, r.error
         FROM sync_run r JOIN connection c ON c.id = r.connection_id LEFT JOIN account a ON a.id = r.account_id
         ORDER BY r.id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([if limit == 0 { -1 } else { limit as i64 }], |r| {
            Ok(HistoryRow {
                started_at: r.get(0)?,
                connection: r.get(1)?,
                account: r.get(2)?,
                status: r.get(3)?,
                counts: Counts {
                    added: r.get::<_, i64>(4)? as u64,
                    modified: r.get::<_, i64>(5)? as u64,
                    removed: r.get::<_, i64>(6)? as u64,
                },
                duration_ms: r.get(7)?,
                error: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The last successful sync of each tracked account of a connection: (account name, when).
pub fn last_ok(db: &Db, connection_id: i64) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = db.prepare(
        "SELECT a.name, (SELECT max(r.finished_at) FROM sync_run r WHERE r.account_id = a.id AND r.status = 'ok')
         FROM account a WHERE a.connection_id = ?1 AND a.tracked ORDER BY a.name",
    )?;
    let rows = stmt.query_map([connection_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
