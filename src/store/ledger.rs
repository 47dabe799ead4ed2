//! The `call_ledger` table: provider calls per connection, scope and UTC day.

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::params;

use super::Db;

/// Calls already made today, by scope.
pub fn today(db: &Db, connection_id: i64, day: NaiveDate) -> Result<HashMap<String, u32>> {
    let mut stmt = db.prepare("SELECT scope, calls FROM call_ledger WHERE connection_id = ?1 AND day = ?2")?;
    let rows = stmt
        .query_map(params![connection_id, day.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn add(db: &Db, connection_id: i64, scope: &str, day: NaiveDate, calls: u32) -> Result<()> {
    db.execute(
        "INSERT INTO call_ledger (connection_id, scope, day, calls) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id, scope, day) DO UPDATE SET calls = calls + excluded.calls",
        params![connection_id, scope, day.to_string(), calls],
    )?;
    Ok(())
}
