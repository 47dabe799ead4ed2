//! The rows the learned model trains on: the newest confirmed decisions (the user's choices
//! and their rules' results). Training and scoring are `categorize::learned`.

use anyhow::Result;

use super::Db;

/// One confirmed row, as the model reads it.
#[derive(Debug, Clone)]
pub struct Example {
    pub account_id: i64,
    pub amount: i64,
    pub currency: String,
    pub payee: Option<String>,
    pub description: String,
    pub category_id: i64,
}

/// The newest `limit` live rows whose category the user chose or a rule of theirs set, newest
/// first (by row id, the primary key: no scan of older history once `limit` are found).
pub fn confirmed(db: &Db, limit: usize) -> Result<Vec<Example>> {
    let mut stmt = db.prepare_cached(
        "SELECT account_id, amount, currency, payee, description, category_id FROM \"transaction\"
         WHERE category_source IN ('user', 'rule') AND category_id IS NOT NULL AND status != 'removed'
         ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(Example {
            account_id: r.get(0)?,
            amount: r.get(1)?,
            currency: r.get(2)?,
            payee: r.get(3)?,
            description: r.get(4)?,
            category_id: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Rows `tally review` may offer, newest first: live rows with no category, or with one the
/// model gave (which the walk keeps only below its review level). `account_id` narrows them.
pub fn open_to_review(db: &Db, account_id: Option<i64>) -> Result<Vec<i64>> {
    let mut stmt = db.prepare(
        "SELECT id FROM \"transaction\"
         WHERE status != 'removed' AND (category_id IS NULL OR category_source = 'learned')
           AND (?1 IS NULL OR account_id = ?1)
         ORDER BY booked_date DESC, id DESC",
    )?;
    let rows = stmt.query_map([account_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
