//! The learned model's state in the database (migration 0009): counts per category and per
//! (feature, category), what each counted row contributed, and the queue of confirmed rows not
//! counted yet. Triggers on `transaction` take back a changed or deleted row's contribution and
//! queue confirmed rows; [`drain`] adds the queued ones with the features the caller computes
//! (tokenizing is `categorize::learned`); [`counts`] reads the state back. Also the rows
//! `tally review` may offer.

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

const EXAMPLE: &str = "SELECT account_id, amount, currency, payee, description, category_id FROM \"transaction\"";
/// A row the model learns from: the user chose its category or a rule of theirs set it.
const CONFIRMED: &str = "category_source IN ('user', 'rule') AND category_id IS NOT NULL AND status != 'removed'";

fn example(r: &rusqlite::Row<'_>) -> rusqlite::Result<Example> {
    Ok(Example {
        account_id: r.get(0)?,
        amount: r.get(1)?,
        currency: r.get(2)?,
        payee: r.get(3)?,
        description: r.get(4)?,
        category_id: r.get(5)?,
    })
}

/// The newest `limit` confirmed rows, newest first (by row id, the primary key). The counts
/// never read them; a from-scratch model does (the eval, the check that counts stay exact).
pub fn confirmed(db: &Db, limit: usize) -> Result<Vec<Example>> {
    let mut stmt = db.prepare_cached(&format!("{EXAMPLE} WHERE {CONFIRMED} ORDER BY id DESC LIMIT ?1"))?;
    let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], example)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Count every queued confirmed row: its `features` (keys, `categorize::learned::key`) are added to its category's counts and
/// remembered in `learned_seen` (so a later change takes back exactly these), and the queue is
/// emptied (a queued row already counted is unchanged since: triggers take back a changed
/// row's count before they queue it). Inside the caller's transaction it is part of it (a
/// savepoint), outside it is its own; a failure leaves counts and queue as they were.
/// Returns how many rows it counted.
pub fn drain(db: &Db, features: impl Fn(&Example) -> Vec<i64>) -> Result<usize> {
    let queued: bool = db.query_row("SELECT EXISTS (SELECT 1 FROM learned_dirty)", [], |r| r.get(0))?;
    if !queued {
        return Ok(0);
    }
    // Outside a transaction, take the write lock first (a read lock upgraded later could fail
    // at once, whatever the busy timeout, if another process wrote meanwhile).
    let (begin, commit, undo) = if db.is_autocommit() {
        ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
    } else {
        ("SAVEPOINT learned_drain", "RELEASE learned_drain", "ROLLBACK TO learned_drain; RELEASE learned_drain")
    };
    db.execute_batch(begin)?;
    match add_queued(db, features) {
        Ok(n) => {
            db.execute_batch(commit)?;
            Ok(n)
        }
        Err(e) => {
            db.execute_batch(undo)?;
            Err(e)
        }
    }
}

fn add_queued(db: &Db, features: impl Fn(&Example) -> Vec<i64>) -> Result<usize> {
    // In row order: `learned_seen` grows at its end, without page splits that would leave
    // stale copies of its rows in the file.
    let mut read = db.prepare(&format!(
        "SELECT t.account_id, t.amount, t.currency, t.payee, t.description, t.category_id, t.id
         FROM learned_dirty d JOIN \"transaction\" t ON t.id = d.tx_id
         WHERE {CONFIRMED} AND NOT EXISTS (SELECT 1 FROM learned_seen s WHERE s.tx_id = d.tx_id)
         ORDER BY d.tx_id"
    ))?;
    let queued = read.query_map([], |r| Ok((r.get::<_, i64>(6)?, example(r)?)))?;
    let mut seen = db.prepare_cached("INSERT INTO learned_seen (tx_id, category_id, features) VALUES (?1, ?2, ?3)")?;
    let mut count = db.prepare_cached(
        "INSERT INTO learned_count (feature, category_id, n) VALUES (?1, ?2, 1)
         ON CONFLICT DO UPDATE SET n = n + 1",
    )?;
    let mut class = db.prepare_cached(
        "INSERT INTO learned_class (category_id, rows, features) VALUES (?1, 1, ?2)
         ON CONFLICT DO UPDATE SET rows = rows + 1, features = features + excluded.features",
    )?;
    let mut added = 0;
    for row in queued {
        let (id, e) = row?;
        let names = features(&e);
        seen.execute(rusqlite::params![id, e.category_id, serde_json::to_string(&names)?])?;
        for name in &names {
            count.execute(rusqlite::params![name, e.category_id])?;
        }
        class.execute(rusqlite::params![e.category_id, names.len() as i64])?;
        added += 1;
    }
    db.execute("DELETE FROM learned_dirty", [])?;
    Ok(added)
}

/// The model's state as stored: per category (rows, features), and per feature its counts by
/// category, in key order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counts {
    pub classes: Vec<(i64, u32, u64)>,
    pub features: Vec<(i64, i64, u32)>,
}

/// Read the whole state: one pass over a table as big as the vocabulary (features times the
/// categories they occur in), whatever the history's size. Call [`drain`] first.
pub fn counts(db: &Db) -> Result<Counts> {
    let mut stmt = db.prepare("SELECT category_id, rows, features FROM learned_class ORDER BY category_id")?;
    let classes = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?.max(0) as u64)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = db.prepare("SELECT feature, category_id, n FROM learned_count ORDER BY feature, category_id")?;
    let features = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(Counts { classes, features })
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
