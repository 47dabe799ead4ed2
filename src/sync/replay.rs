//! `sync --replay`: rebuild a connection's rows from its stored raw records, without the
//! network — after a fix to normalization, categorization or reconciliation. Each account is
//! rebuilt in one transaction by re-applying its raw records in the order they first arrived,
//! through the same reconciler a sync uses; what the user said about a row (a category of
//! their own, notes, tags) is kept by external id.
//!
//! Records a file import wrote (provider `import:FORMAT`) are read again by the importer's
//! replay reader and matched through the same path an import takes, in the same order.
//!
//! Known limit: raw records are stored once per payload, so a payload that came back after a
//! different one (A, then B, then A again) replays as A then B.

use std::collections::{HashMap, HashSet};

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};

use super::reconcile::{self, Effect};
use super::{pending, window};
use crate::categorize::Categorizer;
use crate::import::replay::Replayer;
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
            let mut imports = Replayer::default();
            let mut claims = reconcile::Claims::default();
            // An imported block is categorized as its import was: by its own source's map.
            let mut import_categorizers: HashMap<String, Categorizer> = HashMap::new();
            for record in raw::for_account(db, account.id)? {
                let (raw_id, body) = (record.id, &record.body);
                if record.is_import() {
                    // A statement file's rows, matched as the import matched them.
                    let (starts, rows) = imports.block(body).with_context(|| format!("raw record {raw_id}"))?;
                    if starts {
                        claims = reconcile::Claims::for_account(db, account.id)?;
                    }
                    if !import_categorizers.contains_key(&record.provider) {
                        let c = Categorizer::for_provider(db, &record.provider)?;
                        import_categorizers.insert(record.provider.clone(), c);
                    }
                    let block_categorizer = &import_categorizers[&record.provider];
                    for t in &rows {
                        let effect = reconcile::apply_imported(
                            db,
                            account.id,
                            t,
                            Some(raw_id),
                            block_categorizer,
                            &mut claims,
                            now,
                        )?;
                        if effect == Effect::Added {
                            counts.added += 1;
                        }
                    }
                    continue;
                }
                if let Some(marker) = window::parse_marker(body) {
                    let listed: HashSet<&str> = marker.listed.iter().map(String::as_str).collect();
                    counts.removed += window::remove_vanished(db, account.id, marker.from, &listed, now)?;
                    continue;
                }
                let change = provider.normalize(body).with_context(|| format!("raw record {raw_id}"))?;
                match reconcile::apply(db, account.id, &change, Some(raw_id), &categorizer, now)? {
                    Effect::Added | Effect::Revived => counts.added += 1,
                    Effect::Modified => counts.modified += 1,
                    Effect::Posted => counts.posted += 1,
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
