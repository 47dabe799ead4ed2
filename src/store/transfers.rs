//! The `transfer` table (pairs of rows that are, may be, or are not a transfer between one's
//! own accounts) and `transaction.transfer_id`, the mark reports read. Which rows pair up and
//! how sure that is are `transfers`' decisions; this file only stores and finds them.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, parse_date, ts};
use crate::model::{AccountKind, TransferStatus, TxStatus};

/// A row as transfer detection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub id: i64,
    pub account_id: i64,
    pub account_kind: AccountKind,
    pub external_id: String,
    pub date: NaiveDate,
    pub amount: i64,
    pub currency: String,
    /// Payee and description, for the words that say "transfer" or "refund".
    pub text: String,
    pub status: TxStatus,
    pub transfer_id: Option<i64>,
}

const LEG: &str = "SELECT t.id, t.account_id, a.kind, t.external_id, t.booked_date, t.amount, t.currency,
        coalesce(t.payee, '') || ' ' || t.description, t.status, t.transfer_id
    FROM \"transaction\" t JOIN account a ON a.id = t.account_id";

fn leg(r: &Row<'_>) -> rusqlite::Result<Leg> {
    Ok(Leg {
        id: r.get(0)?,
        account_id: r.get(1)?,
        account_kind: r.get(2)?,
        external_id: r.get(3)?,
        date: parse_date(&r.get::<_, String>(4)?)?,
        amount: r.get(5)?,
        currency: r.get(6)?,
        text: r.get(7)?,
        status: r.get(8)?,
        transfer_id: r.get(9)?,
    })
}

/// Whether a row is a leg of a pair that is not rejected (detected, suggested or confirmed).
const IN_A_PAIR: &str = "(EXISTS (SELECT 1 FROM transfer p WHERE p.status != 'rejected'
        AND p.out_account = t.account_id AND p.out_external = t.external_id)
     OR EXISTS (SELECT 1 FROM transfer p WHERE p.status != 'rejected'
        AND p.in_account = t.account_id AND p.in_external = t.external_id))";

/// The rows with these ids, whatever their state.
pub fn legs(db: &Db, ids: &[i64]) -> Result<Vec<Leg>> {
    let mut stmt = db.prepare_cached(&format!("{LEG} WHERE t.id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(stmt.query_row([id], leg).optional()?);
    }
    Ok(out)
}

/// Posted rows of an account booked between two dates that are in no pair yet and have a
/// possible other side: a free posted row of the opposite amount in another account of the
/// row's currency, booked within `days`. A row without one can pair with nothing, so a long
/// import reads only the few that can (one query, not one per row).
pub fn unpaired_between(db: &Db, account_id: i64, from: NaiveDate, to: NaiveDate, days: u64) -> Result<Vec<Leg>> {
    let other = IN_A_PAIR.replace("t.", "o.");
    let sql = format!(
        "{LEG} WHERE t.account_id = ?1 AND t.booked_date BETWEEN ?2 AND ?3 AND t.status = 'posted'
         AND t.transfer_id IS NULL AND t.amount != 0 AND NOT {IN_A_PAIR}
         AND EXISTS (SELECT 1 FROM \"transaction\" o
             WHERE o.account_id IN (SELECT id FROM account WHERE currency = t.currency AND id != t.account_id)
             AND o.amount = -t.amount
             AND o.booked_date BETWEEN date(t.booked_date, ?4) AND date(t.booked_date, ?5)
             AND o.status = 'posted' AND o.transfer_id IS NULL AND NOT {other})
         ORDER BY t.booked_date, t.id"
    );
    let mut stmt = db.prepare(&sql)?;
    let (before, after) = (format!("-{days} days"), format!("+{days} days"));
    let rows = stmt.query_map(params![account_id, from.to_string(), to.to_string(), before, after], leg)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every account's id with its currency, for looking up the other side of a leg.
pub fn accounts(db: &Db) -> Result<Vec<(i64, String)>> {
    let mut stmt = db.prepare("SELECT id, currency FROM account ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Posted rows of `account_id` for exactly `amount` booked within `days` of `date` that are
/// in no pair yet, closest date first, then oldest id.
pub fn free_near(db: &Db, account_id: i64, amount: i64, date: NaiveDate, days: u64) -> Result<Vec<Leg>> {
    let sql = format!(
        "{LEG} WHERE t.account_id = ?1 AND t.amount = ?2 AND t.booked_date BETWEEN ?3 AND ?4
         AND t.status = 'posted' AND t.transfer_id IS NULL AND NOT {IN_A_PAIR}
         ORDER BY abs(julianday(t.booked_date) - julianday(?5)), t.id"
    );
    let (from, to) = (date - chrono::Days::new(days), date + chrono::Days::new(days));
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![account_id, amount, from.to_string(), to.to_string(), date.to_string()], leg)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One side of a stored pair: where it is, and the row it names if that row exists.
#[derive(Debug, Clone)]
pub struct Side {
    pub account_id: i64,
    pub account: String,
    pub external_id: String,
    pub row: Option<i64>,
    pub date: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
}

/// A stored pair.
#[derive(Debug, Clone)]
pub struct Pair {
    pub id: i64,
    /// The leg money left (negative amount).
    pub from: Side,
    /// The leg money arrived in.
    pub to: Side,
    pub status: TransferStatus,
    pub confidence: u8,
    pub reason: String,
    pub decided_at: String,
}

const PAIR: &str = "SELECT p.id, p.status, p.confidence, p.reason, p.decided_at,
        p.out_account, ao.name, p.out_external, o.id, o.booked_date, o.amount, o.currency,
        p.in_account, ai.name, p.in_external, i.id, i.booked_date, i.amount, i.currency
    FROM transfer p
    JOIN account ao ON ao.id = p.out_account
    JOIN account ai ON ai.id = p.in_account
    LEFT JOIN \"transaction\" o ON o.account_id = p.out_account AND o.external_id = p.out_external
    LEFT JOIN \"transaction\" i ON i.account_id = p.in_account AND i.external_id = p.in_external";

fn pair(r: &Row<'_>) -> rusqlite::Result<Pair> {
    let side = |at: usize| -> rusqlite::Result<Side> {
        Ok(Side {
            account_id: r.get(at)?,
            account: r.get(at + 1)?,
            external_id: r.get(at + 2)?,
            row: r.get(at + 3)?,
            date: r.get::<_, Option<String>>(at + 4)?.as_deref().map(parse_date).transpose()?,
            amount: r.get(at + 5)?,
            currency: r.get(at + 6)?,
        })
    };
    Ok(Pair {
        id: r.get(0)?,
        status: r.get(1)?,
        confidence: r.get(2)?,
        reason: r.get(3)?,
        decided_at: r.get(4)?,
        from: side(5)?,
        to: side(12)?,
    })
}

/// Every pair (or those of one status), by date of the leg money left, then id.
pub fn list(db: &Db, status: Option<TransferStatus>) -> Result<Vec<Pair>> {
    let sql = format!("{PAIR} WHERE ?1 IS NULL OR p.status = ?1 ORDER BY o.booked_date, p.id");
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt.query_map([status], pair)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_id(db: &Db, id: i64) -> Result<Option<Pair>> {
    Ok(db.query_row(&format!("{PAIR} WHERE p.id = ?1"), [id], pair).optional()?)
}

/// The pairs (rejected ones too) a row is a leg of.
pub fn of_row(db: &Db, account_id: i64, external_id: &str) -> Result<Vec<Pair>> {
    let sql = format!(
        "{PAIR} WHERE (p.out_account = ?1 AND p.out_external = ?2) OR (p.in_account = ?1 AND p.in_external = ?2)
         ORDER BY p.id"
    );
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![account_id, external_id], pair)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether the user said these two rows are not a transfer.
pub fn rejected(db: &Db, from: &Leg, to: &Leg) -> Result<bool> {
    let found: Option<i64> = db
        .prepare_cached(
            "SELECT 1 FROM transfer WHERE status = 'rejected'
             AND out_account = ?1 AND out_external = ?2 AND in_account = ?3 AND in_external = ?4",
        )?
        .query_row(params![from.account_id, from.external_id, to.account_id, to.external_id], |r| r.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// A pair detection found.
#[derive(Debug, Clone)]
pub struct NewPair<'a> {
    pub from: &'a Leg,
    pub to: &'a Leg,
    pub status: TransferStatus,
    pub confidence: u8,
    pub reason: &'a str,
}

/// Store a pair and, when it counts, mark both rows; returns its id.
pub fn insert(db: &Db, p: &NewPair<'_>, now: DateTime<Utc>) -> Result<i64> {
    db.prepare_cached(
        "INSERT INTO transfer (out_account, out_external, in_account, in_external, status, confidence, reason, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        p.from.account_id,
        p.from.external_id,
        p.to.account_id,
        p.to.external_id,
        p.status,
        p.confidence,
        p.reason,
        ts(now)
    ])?;
    let id = db.last_insert_rowid();
    if counts(p.status) {
        mark(db, p.from.id, p.to.id)?;
    }
    Ok(id)
}

/// Whether a pair of this status makes its rows a transfer.
pub fn counts(status: TransferStatus) -> bool {
    matches!(status, TransferStatus::Detected | TransferStatus::Confirmed)
}

/// Change a pair's status, and its rows' marks to match.
pub fn set_status(db: &Db, p: &Pair, status: TransferStatus, now: DateTime<Utc>) -> Result<()> {
    db.execute("UPDATE transfer SET status = ?2, decided_at = ?3 WHERE id = ?1", params![p.id, status, ts(now)])?;
    match (p.from.row, p.to.row) {
        (Some(a), Some(b)) if counts(status) => mark(db, a, b),
        _ => unmark(db, p),
    }
}

/// Forget a pair detection made (a leg went away or changed); its rows lose their marks.
pub fn delete(db: &Db, p: &Pair) -> Result<()> {
    unmark(db, p)?;
    db.execute("DELETE FROM transfer WHERE id = ?1", [p.id])?;
    Ok(())
}

/// Both rows point at each other.
fn mark(db: &Db, a: i64, b: i64) -> Result<()> {
    let mut stmt = db.prepare_cached("UPDATE \"transaction\" SET transfer_id = ?2 WHERE id = ?1")?;
    stmt.execute([a, b])?;
    stmt.execute([b, a])?;
    Ok(())
}

/// The pair's rows lose the marks that point at each other (and no other).
fn unmark(db: &Db, p: &Pair) -> Result<()> {
    if let (Some(a), Some(b)) = (p.from.row, p.to.row) {
        let mut stmt =
            db.prepare_cached("UPDATE \"transaction\" SET transfer_id = NULL WHERE id = ?1 AND transfer_id = ?2")?;
        stmt.execute([a, b])?;
        stmt.execute([b, a])?;
    }
    Ok(())
}

/// Pairs that count whose rows lost their marks (a replay rebuilds rows without them).
pub fn unmarked(db: &Db) -> Result<Vec<Pair>> {
    let sql = format!(
        "{PAIR} WHERE p.status IN ('detected', 'confirmed') AND o.id IS NOT NULL AND i.id IS NOT NULL
         AND (o.transfer_id IS NOT i.id OR i.transfer_id IS NOT o.id) ORDER BY p.id"
    );
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt.query_map([], pair)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Re-mark a pair's rows.
pub fn remark(db: &Db, p: &Pair) -> Result<()> {
    match (p.from.row, p.to.row) {
        (Some(a), Some(b)) => mark(db, a, b),
        _ => Ok(()),
    }
}

/// How many pairs have one of these statuses.
pub fn count(db: &Db, status: TransferStatus) -> Result<i64> {
    Ok(db.query_row("SELECT count(*) FROM transfer WHERE status = ?1", [status], |r| r.get(0))?)
}
