//! Erasing a connection's data for good: its accounts and their rows, raw records, sync runs
//! and call ledger, then the connection itself. `secure_delete` zeroes what the delete frees;
//! merging the search index drops the erased rows' entries, `VACUUM` rewrites the file without
//! the free space earlier versions of rows were left in, and a truncating checkpoint empties
//! the WAL: the erased rows are not left in the file's bytes.

use anyhow::Result;

use super::{Db, Store};

/// What one purge deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub accounts: u64,
    pub transactions: u64,
}

/// Delete connection `id` and everything that came through it, in one transaction.
pub fn connection(store: &mut Store, id: i64) -> Result<Purged> {
    store.db().execute_batch("PRAGMA secure_delete = ON;")?;
    let purged = store.atomic(|db| {
        let mut purged = Purged::default();
        for account in account_ids(db, id)? {
            purged.transactions += super::accounts::remove(db, account)?;
            purged.accounts += 1;
        }
        db.execute("DELETE FROM raw_record WHERE connection_id = ?1", [id])?;
        db.execute("DELETE FROM sync_run WHERE connection_id = ?1", [id])?;
        db.execute("DELETE FROM call_ledger WHERE connection_id = ?1", [id])?;
        db.execute("DELETE FROM connection WHERE id = ?1", [id])?;
        Ok(purged)
    })?;
    // An update leaves the row's earlier text in its page's free space, out of secure_delete's
    // reach, and the search index keeps a deleted row's trigrams until its segments merge: the
    // merge and the rewrite take both away. The WAL still holds the old pages until a
    // checkpoint copies and truncates it.
    store.db().execute_batch(
        "INSERT INTO tx_search (tx_search) VALUES ('optimize');
         VACUUM;
         PRAGMA wal_checkpoint(TRUNCATE);",
    )?;
    Ok(purged)
}

fn account_ids(db: &Db, connection: i64) -> Result<Vec<i64>> {
    let mut stmt = db.prepare("SELECT id FROM account WHERE connection_id = ?1 ORDER BY id")?;
    let ids = stmt.query_map([connection], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}
