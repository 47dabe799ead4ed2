//! The window reconciler, for providers with no cursor: after a window page's rows are
//! upserted, every stored live row of that account inside the window that the provider no
//! longer lists is marked removed. Together they yield added / modified / removed exactly
//! like a cursor provider's feed.

use std::collections::HashSet;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};

use crate::store::{Db, transactions as txs};

/// Mark what vanished upstream; returns how many rows that was.
pub fn remove_vanished(
    db: &Db,
    account_id: i64,
    from: NaiveDate,
    listed: &HashSet<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(remove_vanished_ids(db, account_id, from, listed, now)?.len() as u64)
}

/// Mark what vanished upstream; returns the ids of the rows marked removed.
pub fn remove_vanished_ids(
    db: &Db,
    account_id: i64,
    from: NaiveDate,
    listed: &HashSet<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut removed = Vec::new();
    for (id, external_id) in txs::live_since(db, account_id, from)? {
        if !listed.contains(external_id.as_str()) {
            txs::mark_removed(db, id, now)?;
            removed.push(id);
        }
    }
    Ok(removed)
}

/// What a window page said, kept as a raw record so a replay can derive the same removals.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Marker {
    pub from: NaiveDate,
    pub listed: Vec<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MarkerBody {
    tally_window: Marker,
}

pub fn marker_body(from: NaiveDate, listed: &HashSet<&str>) -> String {
    let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    listed.sort();
    serde_json::to_string(&MarkerBody { tally_window: Marker { from, listed } }).expect("serializes")
}

/// The marker in a raw record's body, if it is one.
pub fn parse_marker(body: &str) -> Option<Marker> {
    if !body.starts_with("{\"tally_window\"") {
        return None;
    }
    serde_json::from_str::<MarkerBody>(body).ok().map(|m| m.tally_window)
}
