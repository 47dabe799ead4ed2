//! [`SyncRun`]: one connection's sync as one value that owns the connection's tracked
//! accounts, its call allowance and the counts, and reads top-down: [`SyncRun::start`],
//! [`SyncRun::pull`] (every page, then balances), [`SyncRun::finish`] (audit rows, outcome).
//!
//! A Ctrl-C or SIGTERM ([`super::interrupt`]) stops the run before its next page; the run
//! is recorded as failed with an [`super::interrupt::Interrupted`] error.
//!
//! One account the provider cannot read (it reports it through
//! [`Session::account_failed`]) fails alone: none of its rows is applied from then on in this
//! run, its audit row carries its own error, and the other accounts go on.
//!
//! Crash safety: each page's calls, raw records, reconciled rows, [`AfterPage`] work and the
//! position it ends at commit in one SQLite transaction, so a kill leaves the database as it
//! was before that page and the next sync carries on from the last committed position.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};

use super::counter::Counter;
use super::reconcile::{self, Effect};
use super::{Outcome, interrupt, needs_relink, pending, window};
use crate::categorize::Categorizer;
use crate::model::{Change, ConnectionStatus};
use crate::providers::{AccountScope, Allowance, FetchRequest, Page, Provider, ProviderError, Session};
use crate::secrets::Secrets;
use crate::store::sync_runs::{self, Counts};
use crate::store::{Db, Store, accounts, connections, ledger, raw, transactions as txs};

/// One sync of one connection.
pub struct SyncRun<'a> {
    store: &'a mut Store,
    provider: &'a dyn Provider,
    connection: &'a connections::Connection,
    now: DateTime<Utc>,
    started: Instant,
    pages: PageApplier,
    after_page: AfterPage,
    /// Changes received so far, for the progress line.
    seen: u64,
    /// Pages committed so far.
    pages_done: u64,
}

impl<'a> SyncRun<'a> {
    /// Read the connection's tracked accounts; nothing is fetched yet.
    pub fn start(
        store: &'a mut Store,
        provider: &'a dyn Provider,
        connection: &'a connections::Connection,
        now: DateTime<Utc>,
    ) -> Result<SyncRun<'a>> {
        let tracked: Vec<accounts::Account> =
            accounts::for_connection(store.db(), connection.id)?.into_iter().filter(|a| a.tracked).collect();
        let pages = PageApplier::new(store.db(), connection, tracked, now)?;
        Ok(SyncRun {
            store,
            provider,
            connection,
            now,
            started: Instant::now(),
            pages,
            after_page: AfterPage::default(),
            seen: 0,
            pages_done: 0,
        })
    }

    /// What runs after each page (nothing, unless given here).
    pub fn with_after_page(mut self, after_page: AfterPage) -> SyncRun<'a> {
        self.after_page = after_page;
        self
    }

    /// Fetch and apply every page, then refresh balances. The calls made are written to the
    /// ledger whatever became of them.
    pub fn pull(&mut self, secrets: &Secrets, progress: &dyn Fn(u64)) -> Result<()> {
        let Some(secret) = secrets.get(&self.connection.secret_ref)? else {
            return Err(ProviderError::NeedsRelink("its tokens are missing from the secret store".into()).into());
        };
        let allowance = self.allowance()?;
        let mut session = Session::new(secrets, &self.connection.secret_ref, secret).with_allowance(allowance);
        let result = self.pull_pages(&mut session, progress).and_then(|()| self.refresh_accounts(&mut session));
        let spent = session.take_spent();
        let (id, today) = (self.connection.id, self.now.date_naive());
        self.store.atomic(|db| record_calls(db, id, today, &spent))?;
        result
    }

    /// Today's allowance, with each tracked account's quota scope.
    fn allowance(&self) -> Result<Allowance> {
        let allowance = super::allowance_for(self.store, self.provider.kind(), self.connection.id, self.now)?;
        Ok(with_account_scopes(allowance, &self.pages.tracked))
    }

    fn pull_pages(&mut self, session: &mut Session<'_>, progress: &dyn Fn(u64)) -> Result<()> {
        let wanted: Vec<String> = self.pages.tracked.iter().map(|a| a.external_id.clone()).collect();
        let mut position = self.connection.cursor.clone();
        loop {
            // Between pages, never inside one: what is committed stays, the rest waits.
            if let Some(by) = interrupt::requested() {
                return Err(interrupt::Interrupted { by, pages: self.pages_done }.into());
            }
            let request = FetchRequest { position: position.as_deref(), accounts: &wanted };
            let fetched = self.provider.fetch(session, &request);
            // Reported before an error too: what is known about an account is not lost.
            for (external_id, error) in session.take_failures() {
                self.pages.fail(&external_id, error);
            }
            let page = fetched?;
            let spent = session.take_spent();
            self.apply_page(&page, &spent)?;
            self.pages_done += 1;
            self.seen += page.changes.len() as u64;
            progress(self.seen);
            if !page.has_more {
                return Ok(());
            }
            position = Some(page.next_position);
        }
    }

    /// One page, all or nothing: its calls, its rows, the after-page step, its position.
    fn apply_page(&mut self, page: &Page, spent: &HashMap<String, u32>) -> Result<()> {
        let (id, today) = (self.connection.id, self.now.date_naive());
        self.store.atomic(|db| {
            record_calls(db, id, today, spent)?;
            let touched = self.pages.apply(db, page)?;
            self.after_page.after_page(db, &touched)?;
            connections::set_cursor(db, id, Some(&page.next_position))
        })
    }

    /// After the last page: expire stale pending rows, store balances, mark the sync done.
    fn refresh_accounts(&mut self, session: &mut Session<'_>) -> Result<()> {
        let remote = self.provider.accounts(session)?;
        let (connection, now) = (self.connection, self.now);
        let pages = &mut self.pages;
        self.store.atomic(|db| {
            // A failed account is left as it was: no expiry, no balance from this run.
            let tracked: Vec<i64> =
                pages.tracked.iter().map(|a| a.id).filter(|id| !pages.failed.contains_key(id)).collect();
            for id in tracked {
                for row in pending::expire_ids(db, id, now.date_naive(), now)? {
                    pages.record(id, Effect::Removed, Some(row));
                }
            }
            for r in &remote {
                if let Some(&id) = pages.by_external.get(&r.external_id)
                    && !pages.failed.contains_key(&id)
                {
                    accounts::set_balances(db, id, r.balance_current, r.balance_available, r.balance_as_of)?;
                }
            }
            connections::set_synced(db, connection.id, now)?;
            if connection.is(ConnectionStatus::NeedsRelink) {
                connections::set_status(db, connection.id, ConnectionStatus::Active)?;
            }
            Ok(())
        })
    }

    /// Write an audit row per tracked account and say what happened. `error` is what `pull`
    /// returned; it ends up in the outcome, not in `Err` (that is for the store failing). An
    /// account that failed alone gets its own error in its row.
    pub fn finish(self, error: Option<anyhow::Error>) -> Result<Outcome> {
        let PageApplier { tracked, mut counts, counter, failed, .. } = self.pages;
        if error.as_ref().is_some_and(needs_relink) || failed.values().any(needs_relink) {
            connections::set_status(self.store.db(), self.connection.id, ConnectionStatus::NeedsRelink)?;
        }
        let message = error.as_ref().map(|e| format!("{e:#}"));
        let own: HashMap<i64, String> = failed.iter().map(|(id, e)| (*id, format!("{e:#}"))).collect();
        let duration_ms = self.started.elapsed().as_millis() as u64;
        let added: Vec<i64> = counter.added().collect();
        for (account_id, n) in txs::categorized_by_account(self.store.db(), &added)? {
            counts.entry(account_id).or_default().categorized = n;
        }
        let (connection, now) = (self.connection, self.now);
        self.store.atomic(|db| {
            for a in &tracked {
                let row = sync_runs::AuditRow {
                    connection_id: connection.id,
                    account_id: Some(a.id),
                    started_at: now,
                    finished_at: now + chrono::Duration::milliseconds(duration_ms as i64),
                    counts: &counts[&a.id],
                    error: own.get(&a.id).or(message.as_ref()).map(String::as_str),
                    duration_ms,
                };
                sync_runs::insert(db, &row)?;
            }
            Ok(())
        })?;
        let accounts = tracked.into_iter().map(|a| {
            let c = counts.remove(&a.id).unwrap_or_default();
            (a, c)
        });
        let account_errors = failed.into_iter().collect();
        Ok(Outcome { connection: connection.clone(), accounts: accounts.collect(), error, account_errors })
    }
}

/// Give each tracked account its scope. Calls an older tally counted today under the
/// account's name (`account <name>`) still count, so the day of an upgrade cannot exceed the
/// provider's limit either.
fn with_account_scopes(mut allowance: Allowance, tracked: &[accounts::Account]) -> Allowance {
    for a in tracked {
        let scope = AccountScope::of(a.id, &a.name);
        let legacy = format!("account {}", a.name);
        if legacy != scope.key
            && let Some(n) = allowance.used.get(&legacy).copied()
        {
            *allowance.used.entry(scope.key.clone()).or_default() += n;
        }
        allowance.accounts.insert(a.external_id.clone(), scope);
    }
    allowance
}

fn record_calls(db: &Db, connection_id: i64, today: NaiveDate, spent: &HashMap<String, u32>) -> Result<()> {
    spent.iter().try_for_each(|(scope, n)| ledger::add(db, connection_id, scope, today, *n))
}

/// Applies pages to the tracked accounts and counts what each page did to each account.
struct PageApplier {
    connection_id: i64,
    provider: String,
    now: DateTime<Utc>,
    tracked: Vec<accounts::Account>,
    /// Tracked accounts' ids by the provider's id for them.
    by_external: HashMap<String, i64>,
    counts: HashMap<i64, Counts>,
    counter: Counter,
    categorizer: Categorizer,
    /// Accounts the provider could not read in this run, with why: their rows are skipped.
    failed: HashMap<i64, anyhow::Error>,
}

impl PageApplier {
    fn new(
        db: &Db,
        connection: &connections::Connection,
        tracked: Vec<accounts::Account>,
        now: DateTime<Utc>,
    ) -> Result<PageApplier> {
        Ok(PageApplier {
            connection_id: connection.id,
            provider: connection.provider.clone(),
            now,
            by_external: tracked.iter().map(|a| (a.external_id.clone(), a.id)).collect(),
            counts: tracked.iter().map(|a| (a.id, Counts::default())).collect(),
            categorizer: Categorizer::for_provider(db, &connection.provider)?,
            counter: Counter::default(),
            failed: HashMap::new(),
            tracked,
        })
    }

    /// The provider could not read this account: it fails for the rest of this run (the first
    /// reason is kept). An account the user does not track is no concern of this sync.
    fn fail(&mut self, external_id: &str, error: anyhow::Error) {
        match self.by_external.get(external_id) {
            Some(&id) => {
                tracing::debug!(account = id, "failed alone: {error:#}");
                self.failed.entry(id).or_insert(error);
            }
            None => tracing::debug!("an untracked account failed: {error:#}"),
        }
    }

    /// Keep the page's raw records and reconcile its changes; returns the ids of the rows it
    /// added, changed or removed, each once.
    fn apply(&mut self, db: &Db, page: &Page) -> Result<Vec<i64>> {
        let mut touched = Vec::new();
        for change in &page.changes {
            // Accounts the user chose not to track are skipped, raw payload and all.
            // So are the rows of an account that failed in this run: nothing of it half-written.
            let Some(&account_id) = self.by_external.get(&change.account_external_id) else {
                continue;
            };
            if self.failed.contains_key(&account_id) {
                continue;
            }
            let raw_id = self.keep_raw(db, account_id, &change.raw)?;
            let effect = reconcile::apply(db, account_id, &change.change, Some(raw_id), &self.categorizer, self.now)?;
            if matches!(effect, Effect::Unchanged | Effect::Matched) {
                continue;
            }
            let external_id = match &change.change {
                Change::Upsert(t) => &t.external_id,
                Change::Remove { external_id } => external_id,
            };
            let row = txs::by_external_id(db, account_id, external_id)?.map(|row| row.id);
            self.record(account_id, effect, row);
            touched.extend(row);
        }
        // A window page is the account's whole state from a date on: what it lacks is gone.
        if let Some(w) = &page.window
            && let Some(&account_id) = self.by_external.get(&w.account_external_id)
            && !self.failed.contains_key(&account_id)
        {
            let listed: HashSet<&str> = page
                .changes
                .iter()
                .filter_map(|c| match &c.change {
                    Change::Upsert(t) => Some(t.external_id.as_str()),
                    Change::Remove { .. } => None,
                })
                .collect();
            self.keep_raw(db, account_id, &window::marker_body(w.from, &listed))?;
            let gone = window::remove_vanished_ids(db, account_id, w.from, &listed, self.now)?;
            for &id in &gone {
                self.record(account_id, Effect::Removed, Some(id));
            }
            touched.extend(gone);
        }
        touched.sort_unstable();
        touched.dedup();
        Ok(touched)
    }

    fn record(&mut self, account_id: i64, effect: Effect, row: Option<i64>) {
        let counts = self.counts.entry(account_id).or_default();
        self.counter.record(counts, effect, row);
    }

    fn keep_raw(&self, db: &Db, account_id: i64, body: &str) -> Result<i64> {
        raw::insert(
            db,
            &raw::RawRecord {
                connection_id: Some(self.connection_id),
                account_id,
                provider: &self.provider,
                external_id: None,
                body,
            },
            self.now,
        )
    }
}

/// The step after each page, inside the page's transaction, given the ids of the rows the
/// page added, changed or removed. What looks at rows across a page belongs here: transfer
/// pairing (two accounts' legs may arrive in one page; `transfers::detect_rows`), and
/// categorization once it learns from neighbouring rows. Categorization per row still runs in
/// the reconciler as each row is written; recurring series are read from the stored rows when
/// asked for (`recurring`). Work done here commits with the page or not at all, so it must be
/// idempotent: a killed sync re-applies the page.
#[derive(Debug, Default)]
pub struct AfterPage {
    transfers: Option<crate::transfers::Settings>,
    now: Option<DateTime<Utc>>,
}

impl AfterPage {
    /// Pair transfers among each page's rows with these settings (unless they switch it off).
    pub fn with_transfers(settings: crate::transfers::Settings, now: DateTime<Utc>) -> AfterPage {
        AfterPage { transfers: Some(settings), now: Some(now) }
    }

    fn after_page(&mut self, db: &Db, touched: &[i64]) -> Result<()> {
        tracing::trace!(rows = touched.len(), "page applied");
        if let (Some(settings), Some(now)) = (&self.transfers, self.now) {
            let found = crate::transfers::detect_rows(db, settings, touched, now)?;
            tracing::debug!(?found, "transfers");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountChange, NewTransaction};
    use crate::money::Currency;
    use crate::providers::Window;

    fn connection(db: &Db) -> i64 {
        let new = connections::NewConnection {
            name: "c",
            provider: "sandbox",
            institution: "i",
            consent_expires_at: None,
            secret_ref: "r",
            created_at: Utc::now(),
        };
        connections::insert(db, &new).unwrap()
    }

    fn account(db: &Db, connection_id: i64, external_id: &str, tracked: bool) -> i64 {
        let new = accounts::NewAccount {
            connection_id: Some(connection_id),
            external_id,
            identity: None,
            name: external_id,
            official_name: None,
            kind: "checking",
            currency: "USD",
            mask: None,
            tracked,
        };
        accounts::insert(db, &new, Utc::now()).unwrap()
    }

    fn upsert(account: &str, id: &str, amount: i64) -> AccountChange {
        let t = NewTransaction {
            external_id: id.into(),
            pending_external_id: None,
            booked_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            value_date: None,
            amount,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: format!("row {id}"),
            pending: false,
            provider_category: None,
        };
        AccountChange {
            account_external_id: account.into(),
            raw: format!("{{\"id\":\"{id}\",\"amount\":{amount}}}"),
            change: Change::Upsert(t),
        }
    }

    fn page(changes: Vec<AccountChange>, window: Option<&str>) -> Page {
        let from = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let window = window.map(|a| Window { account_external_id: a.into(), from });
        Page { changes, next_position: "p".into(), has_more: false, window }
    }

    fn row_id(db: &Db, account_id: i64, external_id: &str) -> i64 {
        txs::by_external_id(db, account_id, external_id).unwrap().unwrap().id
    }

    #[test]
    fn calls_an_older_tally_counted_under_the_name_still_count() {
        let store = Store::in_memory().unwrap();
        let db = store.db();
        let c = connection(db);
        let id = account(db, c, "acc.g1", true);
        let tracked = accounts::for_connection(db, c).unwrap();
        let used = HashMap::from([("account acc.g1".to_string(), 3), ("accounts".to_string(), 1)]);
        let allowance = with_account_scopes(Allowance { limit: Some(4), used, ..Allowance::default() }, &tracked);
        let key = AccountScope::of(id, "acc.g1").key;
        assert_eq!(allowance.account_scope("acc.g1"), key);
        assert_eq!(allowance.used[&key], 3);
    }

    #[test]
    fn each_page_reports_the_rows_it_touched_and_skips_untracked_accounts() {
        let store = Store::in_memory().unwrap();
        let db = store.db();
        let c = connection(db);
        let mine = account(db, c, "mine", true);
        account(db, c, "other", false);
        let connection = connections::by_name(db, "c").unwrap().unwrap();
        let tracked: Vec<_> = accounts::for_connection(db, c).unwrap().into_iter().filter(|a| a.tracked).collect();
        let mut pages = PageApplier::new(db, &connection, tracked, Utc::now()).unwrap();

        let first = page(vec![upsert("mine", "a", -100), upsert("mine", "b", -200), upsert("other", "x", -300)], None);
        let touched = pages.apply(db, &first).unwrap();
        let (a, b) = (row_id(db, mine, "a"), row_id(db, mine, "b"));
        assert_eq!(touched, [a.min(b), a.max(b)]);
        assert_eq!(raw::for_account(db, mine).unwrap().len(), 2, "the untracked account's payload is not kept");

        // b unchanged, a changed, and a window that no longer lists b: b is gone.
        let second = page(vec![upsert("mine", "a", -150)], Some("mine"));
        assert_eq!(pages.apply(db, &second).unwrap(), [a.min(b), a.max(b)]);
        let third = page(vec![upsert("mine", "a", -150)], None);
        assert!(pages.apply(db, &third).unwrap().is_empty(), "nothing changed");
        // Within one sync, a (added, then changed) is one row added; b (added, then gone) is
        // nothing the user ever had.
        let counts = &pages.counts[&mine];
        assert_eq!((counts.added, counts.modified, counts.posted, counts.removed), (1, 0, 0, 0));
        assert_eq!(pages.counts.len(), 1);
    }
}
