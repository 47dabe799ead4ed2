//! The `connection` table: one consent at one provider, its status, expiry and sync cursor.

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, parse_ts, ts};
use crate::model::ConnectionStatus;

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub institution: String,
    pub status: ConnectionStatus,
    pub consent_expires_at: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub secret_ref: String,
    pub created_at: DateTime<Utc>,
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl Connection {
    pub fn is(&self, status: ConnectionStatus) -> bool {
        self.status == status
    }
}

#[derive(Debug)]
pub struct NewConnection<'a> {
    pub name: &'a str,
    pub provider: &'a str,
    pub institution: &'a str,
    pub consent_expires_at: Option<DateTime<Utc>>,
    pub secret_ref: &'a str,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, provider, institution, status, consent_expires_at, cursor, \
                       secret_ref, created_at, last_synced_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Connection> {
    let opt_ts = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        r.get::<_, Option<String>>(i)?.as_deref().map(parse_ts).transpose()
    };
    Ok(Connection {
        id: r.get(0)?,
        name: r.get(1)?,
        provider: r.get(2)?,
        institution: r.get(3)?,
        status: r.get(4)?,
        consent_expires_at: opt_ts(5)?,
        cursor: r.get(6)?,
        secret_ref: r.get(7)?,
        created_at: parse_ts(&r.get::<_, String>(8)?)?,
        last_synced_at: opt_ts(9)?,
    })
}

pub fn insert(db: &Db, c: &NewConnection<'_>) -> Result<i64> {
    db.execute(
        "INSERT INTO connection (name, provider, institution, consent_expires_at, secret_ref, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.name, c.provider, c.institution, c.consent_expires_at.map(ts), c.secret_ref, ts(c.created_at)],
    )?;
    Ok(db.last_insert_rowid())
}

pub fn list(db: &Db) -> Result<Vec<Connection>> {
    let mut stmt = db.prepare(&format!("SELECT {COLUMNS} FROM connection ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn by_name(db: &Db, name: &str) -> Result<Option<Connection>> {
    let sql = format!("SELECT {COLUMNS} FROM connection WHERE name = ?1 COLLATE NOCASE");
    Ok(db.query_row(&sql, [name], from_row).optional()?)
}

pub fn by_id(db: &Db, id: i64) -> Result<Connection> {
    let sql = format!("SELECT {COLUMNS} FROM connection WHERE id = ?1");
    Ok(db.query_row(&sql, [id], from_row)?)
}

/// `base`, or `base-2`, `base-3`… whichever is free.
pub fn free_name(db: &Db, base: &str) -> Result<String> {
    let mut name = base.to_string();
    for n in 2.. {
        if by_name(db, &name)?.is_none() {
            break;
        }
        name = format!("{base}-{n}");
    }
    Ok(name)
}

pub fn set_status(db: &Db, id: i64, status: ConnectionStatus) -> Result<()> {
    db.execute("UPDATE connection SET status = ?2 WHERE id = ?1", params![id, status])?;
    Ok(())
}

/// Advance the cursor; called inside the same transaction as the page's data.
pub fn set_cursor(db: &Db, id: i64, cursor: Option<&str>) -> Result<()> {
    db.execute("UPDATE connection SET cursor = ?2 WHERE id = ?1", params![id, cursor])?;
    Ok(())
}

pub fn set_synced(db: &Db, id: i64, at: DateTime<Utc>) -> Result<()> {
    db.execute("UPDATE connection SET last_synced_at = ?2 WHERE id = ?1", params![id, ts(at)])?;
    Ok(())
}

/// A renewed consent: new secret, new expiry, active again, and the cursor reset so the next
/// sync backfills whatever happened while the old consent was dead (idempotently).
pub fn renew(db: &Db, id: i64, secret_ref: &str, consent_expires_at: Option<DateTime<Utc>>) -> Result<()> {
    db.execute(
        "UPDATE connection SET secret_ref = ?2, consent_expires_at = ?3, status = ?4, cursor = NULL WHERE id = ?1",
        params![id, secret_ref, consent_expires_at.map(ts), ConnectionStatus::Active],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn status_is_an_enum_on_the_way_in_and_out() {
        let store = Store::in_memory().unwrap();
        let db = store.db();
        let new = NewConnection {
            name: "c",
            provider: "sandbox",
            institution: "i",
            consent_expires_at: None,
            secret_ref: "r",
            created_at: Utc::now(),
        };
        let id = insert(db, &new).unwrap();
        assert!(by_id(db, id).unwrap().is(ConnectionStatus::Active));
        set_status(db, id, ConnectionStatus::NeedsRelink).unwrap();
        let c = by_id(db, id).unwrap();
        assert!(c.is(ConnectionStatus::NeedsRelink) && !c.is(ConnectionStatus::Active));
        // The type keeps other words out of `set_status`; the table's CHECK keeps them out of SQL.
        assert!(db.execute("UPDATE connection SET status = 'paused' WHERE id = ?1", [id]).is_err());
        renew(db, id, "r2", None).unwrap();
        assert!(by_id(db, id).unwrap().is(ConnectionStatus::Active));
    }
}
