//! Enable Banking's transactions as a window feed: one account per page (`WindowPosition`),
//! its dates read in requests of at most 90 days, each followed through `continuation_key` to
//! the end. A page holds the whole read or nothing, so a half-read window is never applied;
//! an account that cannot be read is reported to sync as failed alone
//! (`Session::account_failed`) and the pass goes on with the next one.

use std::collections::HashSet;

use anyhow::Result;
use chrono::{Days, NaiveDate};
use serde_json::json;

use super::{EnableBanking, Stored, wire};
use crate::model::{AccountChange, Change};
use crate::providers::window::{self, WindowPosition};
use crate::providers::{FetchRequest, Page, ProviderError, Session};

/// Enable Banking refuses longer ranges (`WRONG_TRANSACTIONS_PERIOD`).
const WINDOW_DAYS: u64 = 90;
/// Later syncs re-read this many days before the last one, for late and changed rows.
const OVERLAP_DAYS: u64 = 14;
/// A first sync reaches this far back (two windows): PSD2 banks often give no more without
/// a fresh strong authentication anyway.
const HISTORY_DAYS: u64 = 179;
/// More pages than this for one window means a server that never stops paging.
const MAX_PAGES: usize = 200;

/// `from`..=`to` in windows of at most [`WINDOW_DAYS`] days.
fn windows(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = (start + Days::new(WINDOW_DAYS - 1)).min(to);
        out.push((start, end));
        start = end + Days::new(1);
    }
    out
}

impl EnableBanking {
    /// Every row of one account from `from` to `to`, all windows and pages, or an error and
    /// nothing: a page is only useful with the rest of its window.
    fn read_account(
        &self,
        session: &mut Session<'_>,
        uid: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<serde_json::Value>> {
        let scope = session.account_scope(uid);
        let path = format!(
            "/accounts/{}/transactions",
            url::form_urlencoded::byte_serialize(uid.as_bytes()).collect::<String>()
        );
        let mut rows = Vec::new();
        for (start, end) in windows(from, to) {
            let (start, end) = (start.to_string(), end.to_string());
            let mut keys = HashSet::new();
            let mut key: Option<String> = None;
            for page in 1.. {
                if page > MAX_PAGES {
                    return Err(paging_error(&scope, format!("it sent more than {MAX_PAGES} pages for one window")));
                }
                let mut query = vec![("date_from", start.as_str()), ("date_to", end.as_str())];
                if let Some(k) = &key {
                    query.push(("continuation_key", k.as_str()));
                }
                let answer = self.get(session, &path, &query, &scope)?;
                let transactions = answer
                    .get("transactions")
                    .and_then(|t| t.as_array())
                    .ok_or_else(|| ProviderError::Malformed(format!("{path}: no transactions list")))?;
                rows.extend(transactions.iter().cloned());
                match answer.get("continuation_key").and_then(|k| k.as_str()).filter(|k| !k.is_empty()) {
                    None => break,
                    Some(k) if !keys.insert(k.to_string()) => {
                        return Err(paging_error(&scope, format!("it sent the continuation_key {k:?} twice")));
                    }
                    Some(k) => key = Some(k.to_string()),
                }
            }
        }
        Ok(rows)
    }
}

/// `scope` names the account as tally does (`account 17`), never by its bank number.
fn paging_error(scope: &str, why: String) -> anyhow::Error {
    ProviderError::Malformed(format!(
        "Enable Banking kept paging {scope}: {why}; tally stopped reading it and kept nothing of this read"
    ))
    .into()
}

/// A stored raw record: the transaction as received, with the id tally gave it.
fn to_change(account: &str, id: String, raw: serde_json::Value) -> Result<Option<AccountChange>> {
    let t: wire::Transaction =
        serde_json::from_value(raw.clone()).map_err(|e| ProviderError::Malformed(format!("transaction: {e}")))?;
    let Some(t) = wire::to_transaction(&t, id.clone())? else { return Ok(None) };
    Ok(Some(AccountChange {
        account_external_id: account.to_string(),
        raw: json!({ "id": id, "transaction": raw }).to_string(),
        change: Change::Upsert(t),
    }))
}

impl EnableBanking {
    /// One account's window per page (`Provider::fetch`). An account that cannot be read
    /// (endless paging, its own quota used up, an error the bank gives for it alone) does not
    /// stop the others: sync is told it failed, and its window start is kept so the next pass
    /// reads the gap.
    pub(super) fn fetch_window(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        let order = Stored::read(session.secret())?.uids();
        let today = self.env.now.date_naive();
        let start = |p: &WindowPosition, a: &str| p.window_start(a, today, OVERLAP_DAYS, HISTORY_DAYS);
        window::next_page(session, request, &order, today, start, |session, account, from| {
            let rows = self.read_account(session, account, from, today)?;
            let ids = wire::assign_ids(&rows);
            let mut changes = Vec::with_capacity(rows.len());
            for (id, raw) in ids.into_iter().zip(rows) {
                changes.extend(to_change(account, id, raw)?);
            }
            Ok(changes)
        })
    }
}

/// A stored raw record back into its change (`Provider::normalize`).
pub(super) fn normalize(raw: &str) -> Result<Change> {
    let value: serde_json::Value =
        serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
    let (Some(id), Some(t)) = (value.get("id").and_then(|i| i.as_str()), value.get("transaction")) else {
        return Err(ProviderError::Malformed("stored record: not an Enable Banking transaction".into()).into());
    };
    let t: wire::Transaction =
        serde_json::from_value(t.clone()).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
    match wire::to_transaction(&t, id.to_string())? {
        Some(t) => Ok(Change::Upsert(t)),
        None => Ok(Change::Remove { external_id: id.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_at_most_ninety_days_and_cover_every_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let w = windows(d("2026-05-28"), d("2026-11-23"));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0], (d("2026-05-28"), d("2026-08-25")));
        assert_eq!(w[1], (d("2026-08-26"), d("2026-11-23")));
        assert!(w.iter().all(|(a, b)| (*b - *a).num_days() < 90));
        assert_eq!(windows(d("2026-11-23"), d("2026-11-23")).len(), 1);
    }
}
