//! Sync: for one connection, follow the provider's position page by page ([`run::SyncRun`]).
//! Each page's raw records, reconciled rows and the new position commit in one SQLite
//! transaction, so a crash leaves the database as it was before that page and the next sync
//! carries on from there. Balances are refreshed at the end; every account gets a `sync_run`
//! audit row. This module holds the entry point, the outcome and the daily allowance.

pub mod counter;
pub mod interrupt;
pub mod lock;
pub mod pending;
pub mod reconcile;
pub mod replay;
pub mod run;
pub mod window;

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::error::Exit;
use crate::providers::{Allowance, Provider, ProviderError, ProviderKind};
use crate::secrets::Secrets;
use crate::store::sync_runs::Counts;
use crate::store::{Store, accounts, connections, ledger};
use run::SyncRun;

/// What one connection's sync did, per account.
#[derive(Debug)]
pub struct Outcome {
    pub connection: connections::Connection,
    pub accounts: Vec<(accounts::Account, Counts)>,
    /// What stopped the connection's sync (every account's), if something did.
    pub error: Option<anyhow::Error>,
    /// Accounts that failed alone, by tally's account id; the others went on.
    pub account_errors: HashMap<i64, anyhow::Error>,
}

impl Outcome {
    /// The exit code this outcome asks for (0 when it worked): the worst of the connection's
    /// error and its accounts' errors.
    pub fn exit(&self) -> Exit {
        self.error
            .iter()
            .chain(self.account_errors.values())
            .map(exit_of)
            .max_by_key(|e| exit_rank(*e))
            .unwrap_or(Exit::Ok)
    }

    /// Whether anything failed, the whole connection or one account.
    pub fn failed(&self) -> bool {
        self.error.is_some() || !self.account_errors.is_empty()
    }
}

/// The exit code one sync error asks for.
pub fn exit_of(e: &anyhow::Error) -> Exit {
    if interrupt::is_interrupted(e) {
        return Exit::Interrupted;
    }
    if needs_relink(e) {
        return Exit::Reconsent;
    }
    match e.chain().find_map(|c| c.downcast_ref::<ProviderError>()) {
        Some(ProviderError::RateLimited { .. })
        | Some(ProviderError::QuotaExhausted { .. })
        | Some(ProviderError::Upstream { status: 500.., .. }) => Exit::TempFail,
        _ => crate::error::user_error(e).map_or(Exit::Failure, |u| u.exit),
    }
}

/// Which exit code wins when several things fail: re-consent needs a person most.
pub fn exit_rank(e: Exit) -> u8 {
    match e {
        Exit::Interrupted => 4,
        Exit::Reconsent => 3,
        Exit::Failure | Exit::Usage => 2,
        Exit::TempFail => 1,
        Exit::Ok => 0,
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
    transfers: &crate::transfers::Settings,
    progress: &dyn Fn(u64),
) -> Result<Outcome> {
    let after = run::AfterPage::with_transfers(*transfers, now);
    let mut run = SyncRun::start(store, provider, connection, now)?.with_after_page(after);
    let error = run.pull(secrets, progress).err();
    run.finish(error)
}

/// When the daily quotas start afresh: the next midnight UTC (the ledger counts UTC days).
pub fn quota_resets_at(now: DateTime<Utc>) -> DateTime<Utc> {
    (now.date_naive() + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Today's allowance for a connection: the provider's limit and the ledger's count.
pub fn allowance_for(store: &Store, kind: ProviderKind, connection_id: i64, now: DateTime<Utc>) -> Result<Allowance> {
    Ok(Allowance {
        limit: kind.quota().per_day,
        used: ledger::today(store.db(), connection_id, now.date_naive())?,
        ..Allowance::default()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotas_reset_at_the_next_utc_midnight() {
        for now in ["2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z", "2026-11-23T23:59:59Z"] {
            let reset = super::quota_resets_at(crate::config::parse_now(now).unwrap());
            assert_eq!(crate::store::ts(reset), "2026-11-24T00:00:00Z", "{now}");
        }
    }
}
