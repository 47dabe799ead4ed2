//! Sync: for one connection, follow the provider's cursor page by page. Each page's raw
//! records, reconciled rows and the new cursor commit in one SQLite transaction, so a crash
//! leaves the database as it was before that page and the next sync carries on from there.
//! Balances are refreshed at the end; every account gets a `sync_run` audit row.

pub mod lock;
pub mod pending;
pub mod reconcile;
pub mod replay;
pub mod window;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::categorize::Categorizer;
use crate::error::Exit;
use crate::model::Change;
use crate::providers::{AccountScope, Allowance, FetchRequest, Provider, ProviderError, ProviderKind, Session};
use crate::secrets::Secrets;
use crate::store::sync_runs::{self, Counts};
use crate::store::{Store, accounts, connections, ledger, raw};
use reconcile::Effect;

/// What one connection's sync did, per account.
#[derive(Debug)]
pub struct Outcome {
    pub connection: connections::Connection,
    pub accounts: Vec<(accounts::Account, Counts)>,
    pub error: Option<anyhow::Error>,
}

impl Outcome {
    /// The exit code this outcome asks for (0 when it worked).
    pub fn exit(&self) -> Exit {
        match &self.error {
            None => Exit::Ok,
            Some(e) if needs_relink(e) => Exit::Reconsent,
            Some(e) => match e.chain().find_map(|c| c.downcast_ref::<ProviderError>()) {
                Some(ProviderError::RateLimited { .. })
                | Some(ProviderError::QuotaExhausted { .. })
                | Some(ProviderError::Upstream { status: 500.., .. }) => Exit::TempFail,
                _ => crate::error::user_error(e).map_or(Exit::Failure, |u| u.exit),
            },
        }
    }
}

pub fn needs_relink(e: &anyhow::Error) -> bool {
    e.chain().any(|c| matches!(c.downcast_ref::<ProviderError>(), Some(ProviderError::NeedsRelink(_))))
}

/// Sync one connection. Errors end up in the outcome (and the audit rows), not in `Err`,
/// except when the store itself fails.
pub fn sync_connection(
    store: &mut Store,
    secrets: &Secrets,
    provider: &dyn Provider,
    connection: &connections::Connection,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Outcome> {
    let started = Instant::now();
    let tracked: Vec<accounts::Account> =
        accounts::for_connection(store.db(), connection.id)?.into_iter().filter(|a| a.tracked).collect();
    let mut counts: HashMap<i64, Counts> = tracked.iter().map(|a| (a.id, Counts::default())).collect();
    let error = pull(store, secrets, provider, connection, &tracked, &mut counts, now, progress).err();
    if error.as_ref().is_some_and(needs_relink) {
        connections::set_status(store.db(), connection.id, "needs_relink")?;
    }
    let message = error.as_ref().map(|e| format!("{e:#}"));
    let duration_ms = started.elapsed().as_millis() as u64;
    store.atomic(|db| {
        for a in &tracked {
            sync_runs::insert(
                db,
                &sync_runs::SyncRun {
                    connection_id: connection.id,
                    account_id: Some(a.id),
                    started_at: now,
                    finished_at: now + chrono::Duration::milliseconds(duration_ms as i64),
                    counts: &counts[&a.id],
                    error: message.as_deref(),
                    duration_ms,
                },
            )?;
        }
        Ok(())
    })?;
    let accounts = tracked.into_iter().map(|a| {
        let c = counts.remove(&a.id).unwrap_or_default();
        (a, c)
    });
    Ok(Outcome { connection: connection.clone(), accounts: accounts.collect(), error })
}

#[allow(clippy::too_many_arguments)]
fn pull(
    store: &mut Store,
    secrets: &Secrets,
    provider: &dyn Provider,
    connection: &connections::Connection,
    tracked: &[accounts::Account],
    counts: &mut HashMap<i64, Counts>,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<()> {
    let Some(secret) = secrets.get(&connection.secret_ref)? else {
        return Err(ProviderError::NeedsRelink("its tokens are missing from the secret store".into()).into());
    };
    let today = now.date_naive();
    let mut allowance = allowance_for(store, provider.kind(), connection.id, now)?;
    // Each account is charged under tally's id for it, which no rename or relink changes.
    allowance.accounts = tracked.iter().map(|a| (a.external_id.clone(), AccountScope::of(a.id, &a.name))).collect();
    let mut session = Session::new(secrets, &connection.secret_ref, secret).with_allowance(allowance);
    let result = pull_pages(store, provider, connection, &mut session, tracked, counts, now, progress);
    // Calls made count, whatever became of them.
    let spent = session.take_spent();
    store.atomic(|db| spent.iter().try_for_each(|(scope, n)| ledger::add(db, connection.id, scope, today, *n)))?;
    result
}

/// Today's allowance for a connection: the provider's limit and the ledger's count.
pub fn allowance_for(store: &Store, kind: ProviderKind, connection_id: i64, now: DateTime<Utc>) -> Result<Allowance> {
    Ok(Allowance {
        limit: kind.quota().per_day,
        used: ledger::today(store.db(), connection_id, now.date_naive())?,
        ..Allowance::default()
    })
}

#[allow(clippy::too_many_arguments)]
fn pull_pages(
    store: &mut Store,
    provider: &dyn Provider,
    connection: &connections::Connection,
    session: &mut Session<'_>,
    tracked: &[accounts::Account],
    counts: &mut HashMap<i64, Counts>,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<()> {
    let today = now.date_naive();
    let by_external: HashMap<&str, i64> = tracked.iter().map(|a| (a.external_id.as_str(), a.id)).collect();
    let categorizer = Categorizer::load(store.db())?;
    let wanted: Vec<String> = tracked.iter().map(|a| a.external_id.clone()).collect();
    let mut cursor = connection.cursor.clone();
    let mut seen = 0u64;
    loop {
        let page = provider.fetch(session, &FetchRequest { position: cursor.as_deref(), accounts: &wanted })?;
        let spent = session.take_spent();
        store.atomic(|db| {
            for (scope, n) in &spent {
                ledger::add(db, connection.id, scope, today, *n)?;
            }
            for change in &page.changes {
                // Accounts the user chose not to track are skipped, raw payload and all.
                let Some(&account_id) = by_external.get(change.account_external_id.as_str()) else {
                    continue;
                };
                let raw_id = raw::insert(
                    db,
                    &raw::RawRecord {
                        connection_id: Some(connection.id),
                        account_id,
                        provider: &connection.provider,
                        external_id: None,
                        body: &change.raw,
                    },
                    now,
                )?;
                let c = counts.get_mut(&account_id).expect("tracked");
                match reconcile::apply(db, account_id, &change.change, Some(raw_id), &categorizer, now)? {
                    Effect::Added => c.added += 1,
                    Effect::Modified => c.modified += 1,
                    Effect::Removed => c.removed += 1,
                    Effect::Unchanged | Effect::Matched => {}
                }
            }
            // A window page is the account's whole state from a date on: what it lacks is gone.
            if let Some(w) = &page.window
                && let Some(&account_id) = by_external.get(w.account_external_id.as_str())
            {
                let listed: HashSet<&str> = page
                    .changes
                    .iter()
                    .filter_map(|c| match &c.change {
                        Change::Upsert(t) => Some(t.external_id.as_str()),
                        Change::Remove { .. } => None,
                    })
                    .collect();
                let marker = window::marker_body(w.from, &listed);
                let raw = raw::RawRecord {
                    connection_id: Some(connection.id),
                    account_id,
                    provider: &connection.provider,
                    external_id: None,
                    body: &marker,
                };
                raw::insert(db, &raw, now)?;
                let gone = window::remove_vanished(db, account_id, w.from, &listed, now)?;
                counts.get_mut(&account_id).expect("tracked").removed += gone;
            }
            connections::set_cursor(db, connection.id, Some(&page.next_position))
        })?;
        seen += page.changes.len() as u64;
        progress(seen);
        if !page.has_more {
            break;
        }
        cursor = Some(page.next_position);
    }
    let remote = provider.accounts(session)?;
    store.atomic(|db| {
        for a in tracked {
            let expired = pending::expire(db, a.id, now.date_naive(), now)?;
            counts.get_mut(&a.id).expect("tracked").removed += expired as u64;
        }
        for r in &remote {
            if let Some(&id) = by_external.get(r.external_id.as_str()) {
                accounts::set_balances(db, id, r.balance_current, r.balance_available, r.balance_as_of)?;
            }
        }
        connections::set_synced(db, connection.id, now)?;
        if connection.status == "needs_relink" {
            connections::set_status(db, connection.id, "active")?;
        }
        Ok(())
    })?;
    Ok(())
}
