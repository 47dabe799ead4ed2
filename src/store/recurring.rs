//! The rows recurring-series detection reads: live posted rows that are not transfers, with
//! the payee people see. Finding the series is `recurring`'s part.

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;

use super::{Db, parse_date};

/// One row as a possible occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub account_id: i64,
    pub account: String,
    pub date: NaiveDate,
    pub amount: i64,
    pub currency: String,
    /// A rule's payee, else the bank's, else the description.
    pub payee: String,
}

/// Posted rows booked on or after `from`, transfers left out, oldest first.
pub fn since(db: &Db, from: NaiveDate) -> Result<Vec<Occurrence>> {
    let mut stmt = db.prepare(
        "SELECT t.account_id, a.name, t.booked_date, t.amount, t.currency,
                coalesce(nullif(t.rule_payee, ''), nullif(t.payee, ''), t.description)
         FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         WHERE t.booked_date >= ?1 AND t.status = 'posted' AND t.transfer_id IS NULL AND t.amount != 0
         ORDER BY t.booked_date, t.id",
    )?;
    let rows = stmt.query_map([from.to_string()], |r| {
        Ok(Occurrence {
            account_id: r.get(0)?,
            account: r.get(1)?,
            date: parse_date(&r.get::<_, String>(2)?)?,
            amount: r.get(3)?,
            currency: r.get(4)?,
            payee: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each account's earliest booked date: how far back its history reaches.
pub fn first_dates(db: &Db) -> Result<HashMap<i64, NaiveDate>> {
    let mut stmt = db.prepare(
        "SELECT account_id, min(booked_date) FROM \"transaction\" WHERE status != 'removed' GROUP BY account_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, parse_date(&r.get::<_, String>(1)?)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
