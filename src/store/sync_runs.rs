//! The `sync_run` table: one audit row per account per sync, with what the sync did to the
//! user's rows (see [`Counts`]).

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Db, ts};

/// What one sync did to an account's rows, each row counted once by what became of it:
/// new to the user (`added`, whatever else happened to it in the same sync), changed in place
/// (`modified`), a pending row replaced by its posted row (`posted`), or gone (`removed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: u64,
    /// Of the added rows, those that got a category as they landed (not kept in `sync_run`).
    pub categorized: u64,
    pub modified: u64,
    pub posted: u64,
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
                               posted, removed, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            run.connection_id,
            run.account_id,
            ts(run.started_at),
            ts(run.finished_at),
            if run.error.is_some() { "failed" } else { "ok" },
            run.counts.added as i64,
            run.counts.modified as i64,
            run.counts.posted as i64,
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
        "SELECT r.started_at, c.name, a.name, r.status, r.added, r.modified, r.removed, r.duration_ms, r.error,
                r.posted
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
                    categorized: 0,
                    modified: r.get::<_, i64>(5)? as u64,
                    removed: r.get::<_, i64>(6)? as u64,
                    posted: r.get::<_, i64>(9)? as u64,
                },
                duration_ms: r.get(7)?,
                error: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The last syncs of one tracked account: the last that worked, and the last of all (which
/// may have failed or been interrupted since).
#[derive(Debug, Clone)]
pub struct LastRuns {
    pub account: String,
    /// When the last successful sync finished.
    pub ok: Option<String>,
    /// The newest run of any status: (finished at, status, error).
    pub latest: Option<(String, String, Option<String>)>,
}

/// The last syncs of each tracked account of a connection, by account name.
pub fn last_runs(db: &Db, connection_id: i64) -> Result<Vec<LastRuns>> {
    let mut stmt = db.prepare(
        "SELECT a.name,
                (SELECT max(r.finished_at) FROM sync_run r WHERE r.account_id = a.id AND r.status = 'ok'),
                l.finished_at, l.status, l.error
         FROM account a
         LEFT JOIN sync_run l ON l.id = (SELECT max(r.id) FROM sync_run r WHERE r.account_id = a.id)
         WHERE a.connection_id = ?1 AND a.tracked ORDER BY a.name",
    )?;
    let rows = stmt
        .query_map([connection_id], |r| {
            let finished: Option<String> = r.get(2)?;
            Ok(LastRuns {
                account: r.get(0)?,
                ok: r.get(1)?,
                latest: match finished {
                    Some(t) => Some((t, r.get(3)?, r.get(4)?)),
                    None => None,
                },
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
