//! Positions for providers without a cursor, which fetch one account's date window per page
//! (GoCardless-style APIs, the sandbox's window mode). The position names each account by the
//! provider's id for it, never by its place in the bank's list, so a bank that lists its
//! accounts in another order, or an account the user stops tracking, cannot make a resumed
//! sync land on the wrong account. What a window contains, and how its rows are diffed, is
//! left to the provider and to `sync::window`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "w2:";

/// Where a window sync stands, stored as the connection's position (`w2:` + JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPosition {
    /// Per account: the provider's today when its last window was fetched. An account not
    /// here has never been fetched and gets the provider's whole history.
    #[serde(default)]
    pub since: BTreeMap<String, NaiveDate>,
    /// The accounts the pass under way has fetched (empty between passes).
    #[serde(default)]
    pub done: BTreeSet<String>,
}

impl WindowPosition {
    /// Read a stored position. `None` is a first sync. The first format,
    /// `w1:<date of the last full pass>:<index into the bank's account list>`, named accounts
    /// by index; the index cannot be trusted, so the pass restarts from that date for every
    /// account in `accounts` (a few calls more, never a gap).
    pub fn parse(position: Option<&str>, accounts: &[String]) -> Result<WindowPosition> {
        let Some(position) = position else { return Ok(WindowPosition::default()) };
        if let Some(json) = position.strip_prefix(PREFIX) {
            return serde_json::from_str(json).context("the stored window position is damaged; link again");
        }
        match position.split(':').collect::<Vec<_>>().as_slice() {
            ["w1", date, _index] => {
                let since = if date.is_empty() {
                    BTreeMap::new()
                } else {
                    let day = date.parse::<NaiveDate>().context("the stored window position has a bad date")?;
                    accounts.iter().map(|a| (a.clone(), day)).collect()
                };
                Ok(WindowPosition { since, done: BTreeSet::new() })
            }
            _ => anyhow::bail!("the stored position {position:?} is not a window position; link again"),
        }
    }

    /// The next account to fetch in this pass: the first of `order` (the bank's list) that
    /// the caller wants and the pass has not done yet.
    pub fn next<'a>(&self, order: &'a [String], wanted: &[String]) -> Option<&'a String> {
        order.iter().find(|a| wanted.contains(a) && !self.done.contains(*a))
    }

    /// The first day of `account`'s next window: `overlap` days before its last window, or
    /// `history` days ago on a first fetch.
    pub fn window_start(&self, account: &str, today: NaiveDate, overlap: u64, history: u64) -> NaiveDate {
        match self.since.get(account) {
            Some(d) => *d - chrono::Days::new(overlap),
            None => today - chrono::Days::new(history),
        }
    }

    /// The position after `account`'s window was fetched on `today`, and whether the pass has
    /// more accounts to fetch (when it has not, the next sync starts a new pass).
    pub fn after(
        &self,
        account: &str,
        today: NaiveDate,
        order: &[String],
        wanted: &[String],
    ) -> (WindowPosition, bool) {
        let mut next = self.clone();
        next.since.insert(account.to_string(), today);
        next.done.insert(account.to_string());
        let more = next.next(order, wanted).is_some();
        if !more {
            next.done.clear();
        }
        (next, more)
    }

    pub fn encode(&self) -> String {
        format!("{PREFIX}{}", serde_json::to_string(self).expect("serializes"))
    }
}

/// The next page of a window provider: the first account of this pass still to read, over the
/// window `start` gives it, read by `read`. An account that cannot be read alone
/// ([`super::one_account_only`]) does not stop the others: sync is told it failed and its
/// window start is kept, so the next pass reads the gap. When no account is left (all read,
/// or every one left failed), the page is empty and the next pass starts afresh.
pub fn next_page(
    session: &mut super::Session<'_>,
    request: &super::FetchRequest<'_>,
    order: &[String],
    today: NaiveDate,
    start: impl Fn(&WindowPosition, &str) -> NaiveDate,
    mut read: impl FnMut(&mut super::Session<'_>, &str, NaiveDate) -> Result<Vec<super::AccountChange>>,
) -> Result<super::Page> {
    let mut position = WindowPosition::parse(request.position, request.accounts)?;
    loop {
        let Some(account) = position.next(order, request.accounts).cloned() else {
            let next = WindowPosition { done: Default::default(), ..position };
            return Ok(super::Page {
                changes: Vec::new(),
                next_position: next.encode(),
                has_more: false,
                window: None,
            });
        };
        let from = start(&position, &account);
        let changes = match read(session, &account, from) {
            Ok(changes) => changes,
            Err(e) if super::one_account_only(&e) => {
                session.account_failed(&account, e);
                position.done.insert(account);
                continue;
            }
            Err(e) => return Err(e),
        };
        let (next, has_more) = position.after(&account, today, order, request.accounts);
        let window = super::Window { account_external_id: account, from };
        return Ok(super::Page { changes, next_position: next.encode(), has_more, window: Some(window) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_pass_visits_each_wanted_account_once_whatever_the_order() {
        let wanted = ids(&["a", "b", "c"]);
        let today = day("2026-11-23");
        let p = WindowPosition::parse(None, &wanted).unwrap();
        let first = p.next(&ids(&["a", "x", "b", "c"]), &wanted).unwrap().clone();
        assert_eq!(first, "a", "x is not wanted");
        let (p, more) = p.after(&first, today, &ids(&["a", "x", "b", "c"]), &wanted);
        assert!(more);
        // The bank now lists its accounts the other way round: the pass goes on with c, then b.
        let reversed = ids(&["c", "b", "x", "a"]);
        let p = WindowPosition::parse(Some(&p.encode()), &wanted).unwrap();
        assert_eq!(p.next(&reversed, &wanted).unwrap(), "c");
        let (p, more) = p.after("c", today, &reversed, &wanted);
        assert!(more);
        assert_eq!(p.next(&reversed, &wanted).unwrap(), "b");
        let (p, more) = p.after("b", today, &reversed, &wanted);
        assert!(!more, "a was done before the reorder");
        assert!(p.done.is_empty(), "the next sync starts a new pass");
        assert_eq!(p.since.len(), 3);
        assert_eq!(p.window_start("a", day("2026-11-25"), 14, 730), day("2026-11-09"));
        assert_eq!(p.window_start("x", today, 14, 730), day("2024-11-23"));
    }

    #[test]
    fn an_old_index_position_restarts_the_pass_from_its_date_for_every_account() {
        let wanted = ids(&["a", "b"]);
        let p = WindowPosition::parse(Some("w1:2026-11-20:1"), &wanted).unwrap();
        assert!(p.done.is_empty());
        assert_eq!(p.since.get("a"), Some(&day("2026-11-20")));
        assert_eq!(p.since.get("b"), Some(&day("2026-11-20")));
        assert_eq!(p.next(&wanted, &wanted).unwrap(), "a");
        // An interrupted first pass had no date yet: full history.
        let p = WindowPosition::parse(Some("w1::2"), &wanted).unwrap();
        assert_eq!(p, WindowPosition::default());
        for bad in ["c1.17", "w1:yesterday:0", "w2:{not json"] {
            assert!(WindowPosition::parse(Some(bad), &wanted).is_err(), "{bad}");
        }
    }
}
