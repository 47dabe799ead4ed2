//! The balances a journal opens each tally account with and asserts. tally's balance of an
//! account is the newest one it reported (`report::networth::anchor`: the bank's or a
//! statement's, with its day) moved by the posted rows between that day and the day asked
//! for; pending rows are not in a bank's balance, so an export with `--pending` asserts the
//! balance plus the pending entries it shows. An account opens (against
//! `Equity:Opening Balances`) the day before its first exported row with its balance that
//! day, and asserts its balance at the end of the reported balance's day (or of the nearest
//! exported day, when that day lies outside the export).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use chrono::NaiveDate;

use crate::model::TxStatus;
use crate::store::export::{ExportRow, posted_between};
use crate::store::{Db, accounts};

/// The opening balance and the assertion of one tally account, in its own currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub currency: String,
    pub opening_date: NaiveDate,
    pub opening: i64,
    /// The balance at the end of this day (beancount's `balance` is dated the day after).
    pub asserted_date: NaiveDate,
    pub asserted: i64,
}

/// What a journal knows of one tally account's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Balance {
    Known(Known),
    /// The account never reported a balance: no opening entry, no assertion.
    Unknown,
    /// The config maps it and another tally account onto one journal account, whose balance
    /// is neither's: no opening entry, no assertion.
    Shared,
}

/// Per tally account id, for the accounts the rows touch.
pub type Balances = BTreeMap<i64, Balance>;

/// The balances of the accounts in `rows`, which must be each account's whole run of live
/// rows between its first and last exported day (no category or search filter).
pub fn of(db: &Db, rows: &[ExportRow]) -> Result<Balances> {
    let mut spans: BTreeMap<i64, (NaiveDate, NaiveDate)> = BTreeMap::new();
    for row in rows {
        let span = spans.entry(row.account_id).or_insert((row.booked_date, row.booked_date));
        span.0 = span.0.min(row.booked_date);
        span.1 = span.1.max(row.booked_date);
    }
    let accounts: BTreeMap<i64, accounts::Account> = accounts::list(db)?.into_iter().map(|a| (a.id, a)).collect();
    let mut balances = Balances::new();
    for (id, (first, last)) in spans {
        let Some(account) = accounts.get(&id) else { continue };
        let Some((base, as_of)) = crate::report::networth::anchor(account) else {
            balances.insert(id, Balance::Unknown);
            continue;
        };
        let currency = &account.currency;
        let at = |day: NaiveDate| -> Result<i64> {
            Ok(if day <= as_of {
                base - posted_between(db, id, currency, day, as_of)?
            } else {
                base + posted_between(db, id, currency, as_of, day)?
            })
        };
        let opening_date = first.pred_opt().unwrap_or(first);
        let asserted_date = as_of.clamp(opening_date, last);
        let pending: i64 = rows
            .iter()
            .filter(|r| r.account_id == id && r.status == TxStatus::Pending)
            .filter(|r| r.currency == *currency && r.booked_date <= asserted_date)
            .map(|r| r.amount)
            .sum();
        balances.insert(
            id,
            Balance::Known(Known {
                currency: currency.clone(),
                opening_date,
                opening: at(opening_date)?,
                asserted_date,
                asserted: at(asserted_date)? + pending,
            }),
        );
    }
    Ok(balances)
}

/// One entry of a journal: a row, or (`opening`) the opening entry of the row's account.
pub struct Entry<'a> {
    pub row: &'a ExportRow,
    pub opening: Option<&'a Known>,
    /// The account's assertion goes on this entry's posting of the account.
    pub asserts: Option<&'a Known>,
}

/// The journal's entries in date order: each account's opening just before the first row
/// dated after it; an account's assertion on its last posting in its currency on or before
/// the asserted day (its opening when it has none).
pub fn entries<'a>(rows: &'a [ExportRow], balances: &'a Balances) -> Vec<Entry<'a>> {
    let known = |id: i64| match balances.get(&id) {
        Some(Balance::Known(k)) => Some(k),
        _ => None,
    };
    let mut asserting: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(k) = known(row.account_id)
            && row.currency == k.currency
            && row.booked_date <= k.asserted_date
        {
            asserting.insert(row.account_id, i);
        }
    }
    let mut openings: Vec<(NaiveDate, usize)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(k) = known(row.account_id)
            && seen.insert(row.account_id)
        {
            openings.push((k.opening_date, i));
        }
    }
    openings.sort();
    let mut openings = openings.into_iter().peekable();
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        while let Some((_, first)) = openings.next_if(|(date, _)| *date < row.booked_date) {
            let k = known(rows[first].account_id);
            let asserts = k.filter(|_| !asserting.contains_key(&rows[first].account_id));
            out.push(Entry { row: &rows[first], opening: k, asserts });
        }
        let asserts = known(row.account_id).filter(|_| asserting.get(&row.account_id) == Some(&i));
        out.push(Entry { row, opening: None, asserts });
    }
    out
}

/// Comment lines (after `comment`, the tool's comment mark) naming the accounts without a
/// known balance, or saying why the export has no balances at all.
pub fn notes(
    rows: &[ExportRow],
    balances: Option<&Balances>,
    comment: &str,
    name: impl Fn(&ExportRow) -> String,
) -> Result<String> {
    let mut out = String::new();
    let Some(balances) = balances else {
        writeln!(
            out,
            "{comment} No opening balances or assertions: a --category export is not each account's whole run of rows."
        )?;
        return Ok(out);
    };
    let mut named = std::collections::BTreeSet::new();
    for row in rows {
        let why = match balances.get(&row.account_id) {
            Some(Balance::Unknown) => "tally knows no balance for it",
            Some(Balance::Shared) => "it holds more than one tally account",
            _ => continue,
        };
        if named.insert((name(row), why)) {
            writeln!(out, "{comment} {}: {why}, so no opening balance or assertion.", name(row))?;
        }
    }
    Ok(out)
}
