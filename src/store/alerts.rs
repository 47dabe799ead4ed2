//! The rows alerts read: live charges (money out, not transfers) with the payee people see and
//! the category they are filed under, the newest row id (what a sync or import added), and
//! the `alert_dismissed` table. Deciding what is worth an alert is `alerts`' part.

use std::collections::HashSet;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, parse_date, ts};

/// One charge as alerts see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Charge {
    pub id: i64,
    pub account_id: i64,
    pub account: String,
    pub date: NaiveDate,
    /// Minor units, negative (money out).
    pub amount: i64,
    pub currency: String,
    /// A rule's payee, else the bank's, else the description.
    pub payee: String,
    pub pending: bool,
    /// The category's full name, if filed.
    pub category: Option<String>,
}

/// Charges booked on or after `from` that are not removed and not transfers (refunds and
/// income are money in, so not charges), oldest first.
pub fn charges(db: &Db, from: NaiveDate) -> Result<Vec<Charge>> {
    let mut stmt = db.prepare(
        "SELECT t.id, t.account_id, a.name, t.booked_date, t.amount, t.currency,
                coalesce(nullif(t.rule_payee, ''), nullif(t.payee, ''), t.description),
                t.status = 'pending', c.full_name
         FROM \"transaction\" t JOIN account a ON a.id = t.account_id
              LEFT JOIN category c ON c.id = t.category_id
         WHERE t.booked_date >= ?1 AND t.status != 'removed' AND t.transfer_id IS NULL AND t.amount < 0
         ORDER BY t.booked_date, t.id",
    )?;
    let rows = stmt.query_map([from.to_string()], |r| {
        Ok(Charge {
            id: r.get(0)?,
            account_id: r.get(1)?,
            account: r.get(2)?,
            date: parse_date(&r.get::<_, String>(3)?)?,
            amount: r.get(4)?,
            currency: r.get(5)?,
            payee: r.get(6)?,
            pending: r.get(7)?,
            category: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest transaction id (0 when there is none): rows above it were added later.
pub fn last_id(db: &Db) -> Result<i64> {
    Ok(db.query_row("SELECT coalesce(max(id), 0) FROM \"transaction\"", [], |r| r.get(0))?)
}

/// Whether a row above `id` is booked on or after `from`: a run that added only older rows (a
/// statement from last year) can be in no alert about charges of the window.
pub fn added_since(db: &Db, id: i64, from: NaiveDate) -> Result<bool> {
    Ok(db.query_row(
        "SELECT EXISTS (SELECT 1 FROM \"transaction\" WHERE id > ?1 AND booked_date >= ?2)",
        rusqlite::params![id, from.to_string()],
        |r| r.get(0),
    )?)
}

/// The keys of the alerts the user dismissed.
pub fn dismissed(db: &Db) -> Result<HashSet<String>> {
    let mut stmt = db.prepare("SELECT key FROM alert_dismissed")?;
    let keys = stmt.query_map([], |r| r.get(0))?;
    Ok(keys.collect::<rusqlite::Result<_>>()?)
}

/// Dismiss the alert with `key` (again is fine).
pub fn dismiss(db: &Db, key: &str, now: DateTime<Utc>) -> Result<()> {
    db.execute(
        "INSERT OR IGNORE INTO alert_dismissed (key, dismissed_at) VALUES (?1, ?2)",
        rusqlite::params![key, ts(now)],
    )?;
    Ok(())
}
