//! Beancount files: a `commodity` per currency and an `open` per account (dated by its first
//! entry, a tally account limited to its currencies), then a transaction per row with
//! `tally-id: "N"` metadata; `*` when posted, `!` when pending. Account names are made valid
//! for beancount (`names::beancount_name`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::Result;
use chrono::NaiveDate;

use super::balances::{self, Balances};
use super::names::{Names, beancount_name};
use crate::model::TxStatus;
use crate::store::export::ExportRow;

/// An account's first date and, for a tally account, the currencies it holds.
type Opens = BTreeMap<String, (NaiveDate, BTreeSet<String>)>;

/// The file; `balances` opens and asserts each account (`None`: the export is filtered so
/// that no balance would hold).
pub fn journal(rows: &[ExportRow], names: &Names, balances: Option<&Balances>) -> Result<String> {
    let mut commodities: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    let mut opens = Opens::new();
    let mut entries = String::new();
    let mut assertions = String::new();
    let none = Balances::new();
    for entry in balances::entries(rows, balances.unwrap_or(&none)) {
        let row = entry.row;
        let account = beancount_name(&names.account(row));
        if let Some(k) = entry.asserts {
            // Checked at the start of its day: the day after the one it is the balance of.
            let day = k.asserted_date.succ_opt().unwrap_or(k.asserted_date);
            let amount = super::money(k.asserted, &k.currency)?;
            writeln!(assertions, "{day} balance {account}  {amount} {}", k.currency)?;
        }
        if let Some(k) = entry.opening {
            let first = commodities.entry(&k.currency).or_insert(k.opening_date);
            *first = (*first).min(k.opening_date);
            open(&mut opens, &account, k.opening_date, Some(&k.currency));
            open(&mut opens, OPENING, k.opening_date, None);
            let (amount, negated) = (super::money(k.opening, &k.currency)?, super::money(-k.opening, &k.currency)?);
            writeln!(entries, "\n{} * \"Opening balance\"", k.opening_date)?;
            writeln!(entries, "  {account}  {amount} {}", k.currency)?;
            writeln!(entries, "  {OPENING}  {negated} {}", k.currency)?;
            continue;
        }
        let counter = beancount_name(&names.counter(row));
        let first = commodities.entry(&row.currency).or_insert(row.booked_date);
        *first = (*first).min(row.booked_date);
        open(&mut opens, &account, row.booked_date, Some(&row.currency));
        open(&mut opens, &counter, row.booked_date, None);

        let flag = if row.status == TxStatus::Pending { '!' } else { '*' };
        let amount = super::amount(row)?;
        let negated = super::amount(&ExportRow { amount: -row.amount, ..row.clone() })?;
        let payee = row.payee.as_deref().filter(|p| !p.trim().is_empty());
        let strings = match payee {
            Some(p) => format!("{} {}", quoted(p), quoted(&row.description)),
            None => quoted(&row.description),
        };
        writeln!(entries, "\n{} {flag} {strings}", row.booked_date)?;
        writeln!(entries, "  tally-id: \"{}\"", row.id)?;
        writeln!(entries, "  {account}  {amount} {}", row.currency)?;
        writeln!(entries, "  {counter}  {negated} {}", row.currency)?;
    }

    let mut out = String::from("; Exported by tally: one entry per transaction, tagged with its tally id.\n");
    out.push_str(&balances::notes(rows, balances, ";", |r| beancount_name(&names.account(r)))?);
    out.push('\n');
    for (currency, date) in &commodities {
        writeln!(out, "{date} commodity {currency}")?;
    }
    // By date, then name: the order beancount would sort them in anyway.
    let mut by_date: Vec<_> = opens.iter().collect();
    by_date.sort_by(|a, b| (a.1.0, a.0).cmp(&(b.1.0, b.0)));
    for (account, (date, currencies)) in by_date {
        let list = currencies.iter().cloned().collect::<Vec<_>>().join(",");
        writeln!(out, "{date} open {account}{}{list}", if list.is_empty() { "" } else { " " })?;
    }
    out.push_str(&entries);
    if !assertions.is_empty() {
        out.push('\n');
        out.push_str(&assertions);
    }
    Ok(out)
}

/// The account opening balances come from.
const OPENING: &str = "Equity:Opening-Balances";

fn open(opens: &mut Opens, account: &str, date: NaiveDate, currency: Option<&str>) {
    let entry = opens.entry(account.to_string()).or_insert((date, BTreeSet::new()));
    entry.0 = entry.0.min(date);
    entry.1.extend(currency.map(str::to_string));
}

/// A beancount string: one line, `\` and `"` escaped.
fn quoted(text: &str) -> String {
    format!("\"{}\"", super::one_line(text).replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_opened_before_use_and_entries_carry_their_id() {
        let text = journal(&crate::export::sample::rows(), &Names::default(), None).unwrap();
        let expected = "\n2026-10-02 * \"CARD 1234; \\\"WHOLE\\\" FOODS\"\n  tally-id: \"2\"\n  \
                        Liabilities:Card:Rewards-Visa  -45.12 USD\n  Expenses:Food:Groceries  45.12 USD\n";
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("2026-10-01 commodity USD\n"), "{text}");
        assert!(text.contains("2026-10-01 open Assets:Bank:Everyday-Checking USD\n"), "{text}");
        assert!(text.contains("2026-10-02 open Liabilities:Card:Rewards-Visa USD\n"), "{text}");
        assert!(text.contains("2026-10-03 open Expenses:Uncategorized\n"), "{text}");
        assert!(text.contains("2026-10-03 ! \"=cmd|' /C calc'!A0\" \"CARD"), "pending is flagged: {text}");
    }
}
