//! The `budget` table (monthly or yearly amounts per category and currency, each from a month
//! or a year on, with a rollover flag) and the few row reads a budget's status needs beyond the report rollups:
//! pending rows apart, and the category a recurring series' last row was filed under. What a
//! budget's status is, is `budget`'s call.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, params};

use super::reports::Sums;
use super::{Db, parse_date};

/// One stored budget: `amount` of `currency` a month (a calendar year when `yearly`) for a
/// category, from `starts_on` (the first of a month; of January when yearly) until a later
/// budget of the same category, currency and period replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub id: i64,
    pub category_id: i64,
    pub category: String,
    pub amount: i64,
    pub currency: String,
    pub starts_on: NaiveDate,
    pub rollover: bool,
    pub yearly: bool,
}

/// What `set` stores: the amount of `currency` a month (a year when `yearly`) from `starts_on`.
#[derive(Debug, Clone, Copy)]
pub struct NewBudget<'a> {
    pub category_id: i64,
    pub amount: i64,
    pub currency: &'a str,
    pub starts_on: NaiveDate,
    pub rollover: bool,
    pub yearly: bool,
}

/// Add or replace the budget of a category, currency and period from `starts_on` on.
pub fn set(db: &Db, b: &NewBudget<'_>) -> Result<()> {
    db.prepare_cached(
        "INSERT INTO budget (category_id, period, amount, currency, starts_on, rollover)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (category_id, period, currency, starts_on)
         DO UPDATE SET amount = excluded.amount, rollover = excluded.rollover",
    )?
    .execute(params![
        b.category_id,
        if b.yearly { "yearly" } else { "monthly" },
        b.amount,
        b.currency,
        b.starts_on.to_string(),
        b.rollover
    ])?;
    Ok(())
}

/// Every budget, by category, currency, period (monthly first) and start.
pub fn list(db: &Db) -> Result<Vec<Budget>> {
    let mut stmt = db.prepare(
        "SELECT b.id, b.category_id, c.full_name, b.amount, b.currency, b.starts_on, b.rollover, b.period = 'yearly'
         FROM budget b JOIN category c ON c.id = b.category_id
         ORDER BY c.full_name, b.currency, b.period, b.starts_on",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Budget {
            id: r.get(0)?,
            category_id: r.get(1)?,
            category: r.get(2)?,
            amount: r.get(3)?,
            currency: r.get(4)?,
            starts_on: parse_date(&r.get::<_, String>(5)?)?,
            rollover: r.get(6)?,
            yearly: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Remove a category's budgets (of one currency, or all); how many went.
pub fn remove(db: &Db, category_id: i64, currency: Option<&str>) -> Result<usize> {
    Ok(db.execute(
        "DELETE FROM budget WHERE category_id = ?1 AND (?2 IS NULL OR currency = ?2)",
        params![category_id, currency],
    )?)
}

/// The currencies the accounts hold, most accounts first.
pub fn account_currencies(db: &Db) -> Result<Vec<String>> {
    let mut stmt = db.prepare("SELECT currency FROM account GROUP BY currency ORDER BY count(*) DESC, currency")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sums of the pending rows booked from `from` to `to`, in the shape the report rollups give
/// (which count pending rows too), so the same `report::flow` reads both.
pub fn pending(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<Sums>> {
    let mut stmt = db.prepare(
        "SELECT substr(t.booked_date, 1, 7), t.currency, c.full_name, c.kind, t.transfer_id IS NOT NULL,
                sum(max(t.amount, 0)), sum(min(t.amount, 0)), sum(t.amount > 0), sum(t.amount <= 0)
         FROM \"transaction\" t LEFT JOIN category c ON c.id = t.category_id
         WHERE t.status = 'pending' AND t.booked_date BETWEEN ?1 AND ?2
         GROUP BY 1, 2, t.category_id, 5",
    )?;
    let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
        Ok(Sums {
            month: r.get(0)?,
            currency: r.get(1)?,
            category: r.get(2)?,
            kind: r.get(3)?,
            transfer: r.get(4)?,
            payee: None,
            sum_in: r.get(5)?,
            sum_out: r.get(6)?,
            n_in: r.get(7)?,
            n_out: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The category (full name) of an account's live row of `amount` booked on `day`: where a
/// recurring series' last charge was filed.
pub fn category_of(db: &Db, account_id: i64, day: NaiveDate, amount: i64) -> Result<Option<String>> {
    Ok(db
        .prepare_cached(
            "SELECT c.full_name FROM \"transaction\" t JOIN category c ON c.id = t.category_id
             WHERE t.account_id = ?1 AND t.booked_date = ?2 AND t.amount = ?3 AND t.status != 'removed'
             ORDER BY t.id DESC LIMIT 1",
        )?
        .query_row(params![account_id, day.to_string(), amount], |r| r.get(0))
        .optional()?)
}
