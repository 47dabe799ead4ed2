//! Beancount files: a `commodity` per currency and an `open` per account (dated by its first
//! entry, a tally account limited to its currencies), then a transaction per row with
//! `tally-id: "N"` metadata; `*` when posted, `!` when pending. Account names are made valid
//! for beancount (`names::beancount_name`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::Result;
use chrono::NaiveDate;

use super::names::{Names, beancount_name};
use crate::model::TxStatus;
use crate::store::export::ExportRow;

/// An account's first date and, for a tally account, the currencies it holds.
type Opens = BTreeMap<String, (NaiveDate, BTreeSet<String>)>;

pub fn journal(rows: &[ExportRow], names: &Names) -> Result<String> {
    let mut commodities: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    let mut opens = Opens::new();
    let mut entries = String::new();
    for row in rows {
        let (account, counter) = (beancount_name(&names.account(row)), beancount_name(&names.counter(row)));
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

    let mut out = String::from("; Exported by tally: one entry per transaction, tagged with its tally id.\n\n");
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
    Ok(out)
}

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
        let text = journal(&crate::export::sample::rows(), &Names::default()).unwrap();
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
