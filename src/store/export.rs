//! The rows `tally export` writes: live transactions (removed rows never) through the same
//! `TxFilter` as `tx list`, oldest first, with what a journal needs to name its accounts (the
//! account's kind, the category's kind). Turning them into a file format is `export/`'s.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{params_from_iter, types::Value};

use super::transactions::TxFilter;
use super::{Db, parse_date};
use crate::model::{AccountKind, TxStatus};

/// One transaction as an export sees it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub id: i64,
    pub booked_date: NaiveDate,
    pub account_id: i64,
    pub account_name: String,
    pub account_kind: AccountKind,
    pub payee: Option<String>,
    pub description: String,
    /// Minor units; negative is money out.
    pub amount: i64,
    pub currency: String,
    pub category: Option<String>,
    /// `expense`, `income` or `transfer`; `None` when uncategorized.
    pub category_kind: Option<String>,
    pub status: TxStatus,
}

/// Live rows matching `filter` (its `search` and `limit` included), oldest first and then by
/// id, so that the same data always exports in the same order. Pending rows only when asked.
pub fn rows(db: &Db, filter: &TxFilter, with_pending: bool) -> Result<Vec<ExportRow>> {
    let mut rows = Vec::new();
    each(db, filter, with_pending, |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// [`rows`] one at a time, in the same order, without holding them: for exports of any size.
pub fn each(db: &Db, filter: &TxFilter, with_pending: bool, mut f: impl FnMut(ExportRow) -> Result<()>) -> Result<()> {
    let (mut clause, args) = filter.clause();
    if !with_pending {
        clause.push_str(" AND t.status != 'pending'");
    }
    let mut sql = format!(
        "SELECT t.id, t.booked_date, t.account_id, a.name, a.kind, t.payee, t.description, t.amount,
                t.currency, c.full_name, c.kind, t.status
         FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         LEFT JOIN category c ON c.id = t.category_id
         {clause} ORDER BY t.booked_date, t.id"
    );
    if let Some(limit) = filter.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter::<Vec<Value>>(args), |r| {
        Ok(ExportRow {
            id: r.get(0)?,
            booked_date: parse_date(&r.get::<_, String>(1)?)?,
            account_id: r.get(2)?,
            account_name: r.get(3)?,
            account_kind: r.get(4)?,
            payee: r.get(5)?,
            description: r.get(6)?,
            amount: r.get(7)?,
            currency: r.get(8)?,
            category: r.get(9)?,
            category_kind: r.get(10)?,
            status: r.get(11)?,
        })
    })?;
    for row in rows {
        f(row?)?;
    }
    Ok(())
}

/// Net movement of an account's posted rows in `currency` booked after `after` and on or
/// before `upto`: what moves a bank's balance (pending rows are not in it yet).
pub fn posted_between(db: &Db, account_id: i64, currency: &str, after: NaiveDate, upto: NaiveDate) -> Result<i64> {
    Ok(db.query_row(
        "SELECT coalesce(sum(amount), 0) FROM \"transaction\"
         WHERE account_id = ?1 AND currency = ?2 AND booked_date > ?3 AND booked_date <= ?4 AND status = 'posted'",
        rusqlite::params![account_id, currency, after.to_string(), upto.to_string()],
        |r| r.get(0),
    )?)
}
