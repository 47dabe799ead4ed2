//! `sync --replay`: rebuild a connection's rows from its stored raw records, without the
//! network — after a fix to normalization, categorization or reconciliation. Each account is
//! rebuilt in one transaction by re-applying its raw records in the order they first arrived,
//! through the same reconciler a sync uses; what the user said about a row (a category of
//! their own, notes, tags) is kept by external id.
//!
//! Known limit: raw records are stored once per payload, so a payload that came back after a
//! different one (A, then B, then A again) replays as A then B.

use std::collections::HashSet;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};

use super::reconcile::{self, Effect};
use super::{pending, window};
use crate::categorize::Categorizer;
use crate::providers::Provider;
use crate::store::sync_runs::Counts;
use crate::store::{Store, accounts, connections, raw, transactions as txs};

/// Rebuild every tracked account of `connection`; returns what each rebuild produced.
pub fn replay(
    store: &mut Store,
    provider: &dyn Provider,
    connection: &connections::Connection,
    now: DateTime<Utc>,
) -> Result<Vec<(accounts::Account, Counts)>> {
    let tracked: Vec<accounts::Account> =
        accounts::for_connection(store.db(), connection.id)?.into_iter().filter(|a| a.tracked).collect();
    let categorizer = Categorizer::for_provider(store.db(), &connection.provider)?;
    let mut out = Vec::new();
    for account in tracked {
        let counts = store.atomic(|db| {
            let kept = txs::user_fields(db, account.id)?;
            txs::delete_for_account(db, account.id)?;
            let mut counts = Counts::default();
            for (raw_id, body) in raw::for_account(db, account.id)? {
                if let Some(marker) = window::parse_marker(&body) {
                    let listed: HashSet<&str> = marker.listed.iter().map(String::as_str).collect();
                    counts.removed += window::remove_vanished(db, account.id, marker.from, &listed, now)?;
                    continue;
                }
                let change = provider.normalize(&body).with_context(|| format!("raw record {raw_id}"))?;
                match reconcile::apply(db, account.id, &change, Some(raw_id), &categorizer, now)? {
                    Effect::Added => counts.added += 1,
                    Effect::Modified => counts.modified += 1,
                    Effect::Removed => counts.removed += 1,
                    Effect::Unchanged | Effect::Matched => {}
                }
            }
            counts.removed += pending::expire(db, account.id, now.date_naive(), now)? as u64;
            for f in &kept {
                txs::restore_user_fields(db, account.id, f)?;
            }
            Ok(counts)
        })?;
        out.push((account, counts));
    }
    Ok(out)
}
