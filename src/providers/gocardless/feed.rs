//! GoCardless' transactions as a window feed: one account per page (`WindowPosition`), one
//! `GET /accounts/{id}/transactions/?date_from&date_to` per account (GoCardless does not page
//! it), `booked` and `pending` both kept. An account that cannot be read alone is reported to
//! sync as failed (`Session::account_failed`) and the pass goes on with the next one; a consent
//! that ended stops them all.

use anyhow::Result;
use chrono::Days;
use serde_json::json;

use super::{GoCardless, Stored, url_part, wire};
use crate::model::{AccountChange, Change};
use crate::providers::window::{self, WindowPosition};
use crate::providers::{FetchRequest, Page, ProviderError, Session};

/// Later syncs re-read this many days before the last one, for late and changed rows (and
/// pending rows that posted).
const OVERLAP_DAYS: u64 = 14;

/// A stored raw record: the row as received, with the id tally gave it and its list.
fn to_change(account: &str, id: String, pending: bool, raw: serde_json::Value) -> Result<AccountChange> {
    let t: wire::Transaction = serde_json::from_value(raw.clone())
        .map_err(|e| ProviderError::Malformed(format!("GoCardless transaction: {e}")))?;
    let t = wire::to_transaction(&t, id.clone(), pending)?;
    Ok(AccountChange {
        account_external_id: account.to_string(),
        raw: json!({ "id": id, "pending": pending, "transaction": raw }).to_string(),
        change: Change::Upsert(t),
    })
}

impl GoCardless {
    /// The account's booked and pending rows from `from` to today, as changes.
    fn read_account(
        &self,
        session: &mut Session<'_>,
        id: &str,
        from: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> Result<Vec<AccountChange>> {
        let scope = format!("{} transactions", session.account_scope(id));
        let path = format!("/api/v2/accounts/{}/transactions/", url_part(id));
        let (from, to) = (from.to_string(), today.to_string());
        let answer = self.get(session, &path, &[("date_from", &from), ("date_to", &to)], Some(&scope))?;
        let lists = answer
            .get("transactions")
            .ok_or_else(|| ProviderError::Malformed("GoCardless transactions: no `transactions`".into()))?;
        let list = |name: &str| lists.get(name).and_then(|l| l.as_array()).cloned().unwrap_or_default();
        if lists.get("booked").and_then(|l| l.as_array()).is_none() {
            return Err(ProviderError::Malformed("GoCardless transactions: no `booked` list".into()).into());
        }
        let rows: Vec<(bool, serde_json::Value)> = list("booked")
            .into_iter()
            .map(|r| (false, r))
            .chain(list("pending").into_iter().map(|r| (true, r)))
            .collect();
        let ids = wire::assign_ids(&rows);
        ids.into_iter().zip(rows).map(|(tx_id, (pending, raw))| to_change(id, tx_id, pending, raw)).collect()
    }

    /// One account's window per page (`Provider::fetch`). An account that cannot be read alone
    /// (its own quota used up, a 4xx about it, an unreadable answer) does not stop the others:
    /// sync is told it failed, and its window start is kept so the next pass reads the gap.
    pub(super) fn fetch_window(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let stored = Stored::read(session.secret())?;
        let (order, history) = (stored.accounts, u64::from(stored.max_historical_days.max(1)));
        let today = self.env.now.date_naive();
        // GoCardless refuses a window older than the agreement's history.
        let earliest = today - Days::new(history - 1);
        let start = |p: &WindowPosition, a: &str| p.window_start(a, today, OVERLAP_DAYS, history - 1).max(earliest);
        window::next_page(session, request, &order, today, start, |session, account, from| {
            self.read_account(session, account, from, today)
        })
    }
}

/// A stored raw record back into its change (`Provider::normalize`).
pub(super) fn normalize(raw: &str) -> Result<Change> {
    let value: serde_json::Value =
        serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
    let (Some(id), Some(t)) = (value.get("id").and_then(|i| i.as_str()), value.get("transaction")) else {
        return Err(ProviderError::Malformed("stored record: not a GoCardless transaction".into()).into());
    };
    let pending = value.get("pending").and_then(|p| p.as_bool()).unwrap_or(false);
    let t: wire::Transaction =
        serde_json::from_value(t.clone()).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
    Ok(Change::Upsert(wire::to_transaction(&t, id.to_string(), pending)?))
}
