//! The `account` table: accounts seen through a connection (or created by an import).

use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, parse_ts, ts};
use crate::model::AccountKind;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub connection_id: Option<i64>,
    pub connection_name: Option<String>,
    pub external_id: String,
    pub identity: Option<String>,
    pub name: String,
    pub official_name: Option<String>,
    pub kind: AccountKind,
    pub currency: String,
    pub mask: Option<String>,
    pub balance_current: Option<i64>,
    pub balance_available: Option<i64>,
    pub balance_as_of: Option<DateTime<Utc>>,
    /// The closing balance of the newest statement imported, dated by the statement: kept
    /// apart from the live balance a connection syncs, which a statement never replaces.
    pub statement_balance: Option<i64>,
    pub statement_balance_as_of: Option<DateTime<Utc>>,
    pub tracked: bool,
}

#[derive(Debug)]
pub struct NewAccount<'a> {
    /// `None` for an account that only imported files feed.
    pub connection_id: Option<i64>,
    pub external_id: &'a str,
    pub identity: Option<&'a str>,
    pub name: &'a str,
    pub official_name: Option<&'a str>,
    pub kind: &'a str,
    pub currency: &'a str,
    pub mask: Option<&'a str>,
    pub tracked: bool,
}

impl<'a> NewAccount<'a> {
    /// An account a provider described, under a connection.
    pub fn from_remote(r: &'a crate::model::RemoteAccount, connection_id: i64, tracked: bool) -> Self {
        NewAccount {
            connection_id: Some(connection_id),
            external_id: &r.external_id,
            identity: Some(&r.identity),
            name: &r.name,
            official_name: r.official_name.as_deref(),
            kind: r.kind.as_str(),
            currency: r.currency.code(),
            mask: r.mask.as_deref(),
            tracked,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.connection_id, c.name, a.external_id, a.identity, a.name, a.official_name,
        a.kind, a.currency, a.mask, a.balance_current, a.balance_available, a.balance_as_of, a.tracked,
        a.statement_balance, a.statement_balance_as_of
    FROM account a LEFT JOIN connection c ON c.id = a.connection_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        connection_id: r.get(1)?,
        connection_name: r.get(2)?,
        external_id: r.get(3)?,
        identity: r.get(4)?,
        name: r.get(5)?,
        official_name: r.get(6)?,
        kind: r.get(7)?,
        currency: r.get(8)?,
        mask: r.get(9)?,
        balance_current: r.get(10)?,
        balance_available: r.get(11)?,
        balance_as_of: r.get::<_, Option<String>>(12)?.as_deref().map(parse_ts).transpose()?,
        tracked: r.get(13)?,
        statement_balance: r.get(14)?,
        statement_balance_as_of: r.get::<_, Option<String>>(15)?.as_deref().map(parse_ts).transpose()?,
    })
}

pub fn insert(db: &Db, a: &NewAccount<'_>, now: DateTime<Utc>) -> Result<i64> {
    db.execute(
        "INSERT INTO account (connection_id, external_id, identity, name, official_name, kind, currency, mask,
                              tracked, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            a.connection_id,
            a.external_id,
            a.identity,
            crate::model::clip_name(a.name),
            a.official_name,
            a.kind,
            a.currency,
            a.mask,
            a.tracked,
            ts(now)
        ],
    )?;
    Ok(db.last_insert_rowid())
}

/// All accounts, tracked or not, ordered for display.
pub fn list(db: &Db) -> Result<Vec<Account>> {
    let mut stmt = db.prepare(&format!("{SELECT} ORDER BY c.name, a.name, a.id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// An account by its stable identity (`iban:…`, `ofx:BANKID:ACCTID`).
pub fn by_identity(db: &Db, identity: &str) -> Result<Option<Account>> {
    let sql = format!("{SELECT} WHERE a.identity = ?1 ORDER BY a.id LIMIT 1");
    Ok(db.query_row(&sql, [identity], from_row).optional()?)
}

pub fn for_connection(db: &Db, connection_id: i64) -> Result<Vec<Account>> {
    let mut stmt = db.prepare(&format!("{SELECT} WHERE a.connection_id = ?1 ORDER BY a.name, a.id"))?;
    let rows = stmt.query_map([connection_id], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn by_external_id(db: &Db, connection_id: i64, external_id: &str) -> Result<Option<Account>> {
    let sql = format!("{SELECT} WHERE a.connection_id = ?1 AND a.external_id = ?2");
    Ok(db.query_row(&sql, params![connection_id, external_id], from_row).optional()?)
}

pub fn rename(db: &Db, id: i64, name: &str) -> Result<()> {
    db.execute("UPDATE account SET name = ?2 WHERE id = ?1", params![id, name])?;
    Ok(())
}

pub fn set_balances(
    db: &Db,
    id: i64,
    current: Option<i64>,
    available: Option<i64>,
    as_of: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "UPDATE account SET balance_current = ?2, balance_available = ?3, balance_as_of = ?4 WHERE id = ?1",
        params![id, current, available, ts(as_of)],
    )?;
    Ok(())
}

/// A provider's new id for an account we already know (ids may be session-scoped).
pub fn set_external_id(db: &Db, id: i64, external_id: &str) -> Result<()> {
    db.execute("UPDATE account SET external_id = ?2 WHERE id = ?1", params![id, external_id])?;
    Ok(())
}

/// A statement's closing balance, dated by the statement, kept only if it is at least as
/// recent as the statement balance stored (an older statement imported later changes
/// nothing; of two with the same date the later import wins). The live balance columns,
/// which a sync owns, are never touched.
pub fn set_statement_balance_if_newer(db: &Db, id: i64, amount: i64, as_of: DateTime<Utc>) -> Result<bool> {
    let changed = db.execute(
        "UPDATE account SET statement_balance = ?2, statement_balance_as_of = ?3
         WHERE id = ?1 AND (statement_balance_as_of IS NULL OR statement_balance_as_of <= ?3)",
        params![id, amount, ts(as_of)],
    )?;
    Ok(changed > 0)
}

/// Delete an account with everything that hangs off it (its rows, raw records, sync audit
/// rows); returns how many transactions went. The caller runs it in one transaction.
pub fn remove(db: &Db, id: i64) -> Result<u64> {
    // Rows of other accounts that were paired with this account's rows as transfers lose the pair.
    db.execute(
        "UPDATE \"transaction\" SET transfer_id = NULL
         WHERE transfer_id IN (SELECT id FROM \"transaction\" WHERE account_id = ?1)",
        [id],
    )?;
    let rows = db.execute("DELETE FROM \"transaction\" WHERE account_id = ?1", [id])?;
    db.execute("DELETE FROM raw_record WHERE account_id = ?1", [id])?;
    db.execute("DELETE FROM sync_run WHERE account_id = ?1", [id])?;
    db.execute("DELETE FROM account WHERE id = ?1", [id])?;
    Ok(rows as u64)
}
