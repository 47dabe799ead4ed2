//! The `category` tree: lookups by full name (`Food:Groceries`).

use anyhow::Result;
use rusqlite::OptionalExtension;

use super::Db;

/// The id of a category by its full name, case-insensitively.
pub fn id_by_name(db: &Db, full_name: &str) -> Result<Option<i64>> {
    Ok(db
        .query_row("SELECT id FROM category WHERE full_name = ?1 COLLATE NOCASE", [full_name], |r| r.get(0))
        .optional()?)
}

/// Every category's full name and id.
pub fn all(db: &Db) -> Result<Vec<(String, i64)>> {
    let mut stmt = db.prepare("SELECT full_name, id FROM category ORDER BY full_name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
