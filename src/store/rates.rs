//! The `rate` table: exchange rates the user gave (`tally rates`), as exact decimal text. Which
//! rate converts what, and the arithmetic, are `report::convert`'s.

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, params};

use super::Db;

/// One stored rate: one `base` is `rate` `quote`, from `day` on (`None`: any day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub base: String,
    pub quote: String,
    pub day: Option<NaiveDate>,
    pub rate: String,
}

/// Add or replace the rate of a pair for a day (or for any day).
pub fn set(db: &Db, rate: &Rate) -> Result<()> {
    db.prepare_cached("INSERT OR REPLACE INTO rate (base, quote, day, rate) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![rate.base, rate.quote, rate.day.map_or(String::new(), |d| d.to_string()), rate.rate])?;
    Ok(())
}

pub fn list(db: &Db) -> Result<Vec<Rate>> {
    let mut stmt = db.prepare("SELECT base, quote, day, rate FROM rate ORDER BY base, quote, day")?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The rate that holds for `base` to `quote` on `day`: the newest dated one on or before it,
/// else the undated one. The other direction is looked up too; its rows come back as stored
/// (the caller inverts them), newest first, so the caller can pick.
pub fn on(db: &Db, base: &str, quote: &str, day: NaiveDate) -> Result<Option<Rate>> {
    Ok(db
        .prepare_cached(
            "SELECT base, quote, day, rate FROM rate
             WHERE ((base = ?1 AND quote = ?2) OR (base = ?2 AND quote = ?1)) AND day <= ?3
             ORDER BY day DESC, base = ?1 DESC LIMIT 1",
        )?
        .query_row(params![base, quote, day.to_string()], from_row)
        .optional()?)
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Rate> {
    let day: String = r.get(2)?;
    let day = if day.is_empty() { None } else { Some(super::parse_date(&day)?) };
    Ok(Rate { base: r.get(0)?, quote: r.get(1)?, day, rate: r.get(3)? })
}
