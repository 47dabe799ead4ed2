//! Ledger and hledger journals (one syntax serves both): a transaction per row, `*` when posted
//! and `!` when pending, the tally account and the category account each with an explicit
//! amount, and `; tally-id: N` (metadata to ledger, a tag to hledger) so that tools and people
//! can tell which tally row an entry is.

use std::fmt::Write as _;

use anyhow::Result;

use super::balances::{self, Balances};
use super::names::{Names, ledger_name};
use crate::model::TxStatus;
use crate::store::export::ExportRow;

/// The journal; `balances` opens and asserts each account (`None`: the export is filtered so
/// that no balance would hold).
pub fn journal(rows: &[ExportRow], names: &Names, balances: Option<&Balances>) -> Result<String> {
    let mut out = String::from("; Exported by tally: one entry per transaction, tagged with its tally id.\n");
    out.push_str(&balances::notes(rows, balances, ";", |r| ledger_name(&names.account(r)))?);
    let none = Balances::new();
    for entry in balances::entries(rows, balances.unwrap_or(&none)) {
        let row = entry.row;
        let account = ledger_name(&names.account(row));
        let assertion = match entry.asserts {
            Some(k) => format!(" = {} {}", super::money(k.asserted, &k.currency)?, k.currency),
            None => String::new(),
        };
        if let Some(k) = entry.opening {
            let (amount, negated) = (super::money(k.opening, &k.currency)?, super::money(-k.opening, &k.currency)?);
            writeln!(out, "\n{} * Opening balance", k.opening_date)?;
            writeln!(out, "    {account}  {amount} {}{assertion}", k.currency)?;
            writeln!(out, "    {OPENING}  {negated} {}", k.currency)?;
            continue;
        }
        let flag = if row.status == TxStatus::Pending { '!' } else { '*' };
        let amount = super::amount(row)?;
        let negated = super::amount(&ExportRow { amount: -row.amount, ..row.clone() })?;
        let counter = ledger_name(&names.counter(row));
        writeln!(out, "\n{} {flag} {}", row.booked_date, header(row))?;
        writeln!(out, "    ; tally-id: {}", row.id)?;
        writeln!(out, "    {account}  {amount} {}{assertion}", row.currency)?;
        writeln!(out, "    {counter}  {negated} {}", row.currency)?;
    }
    Ok(out)
}

/// The account opening balances come from.
const OPENING: &str = "Equity:Opening Balances";

/// The entry's description: the payee, else the bank's text. A `;` would start a comment and
/// a leading `(` a transaction code, so neither survives.
fn header(row: &ExportRow) -> String {
    let text = super::one_line(row.payee.as_deref().filter(|p| !p.trim().is_empty()).unwrap_or(&row.description));
    let text = text.replace(';', ",");
    let text = text.trim_start_matches(['(', '*', '!', ' ']);
    if text.is_empty() { "no description".to_string() } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_is_an_entry_with_its_id_and_both_sides() {
        let text = journal(&crate::export::sample::rows(), &Names::default(), None).unwrap();
        let expected = "\n2026-10-02 * CARD 1234, \"WHOLE\" FOODS\n    ; tally-id: 2\n    \
                        Liabilities:Card:Rewards Visa  -45.12 USD\n    Expenses:Food:Groceries  45.12 USD\n";
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("2026-10-01 * ACME Payroll\n"), "{text}");
        assert!(text.contains("    Income:Salary  -2500.00 USD\n"), "{text}");
        assert!(text.contains("2026-10-03 ! =cmd|' /C calc'!A0\n"), "pending is flagged: {text}");
        assert!(text.contains("    Expenses:Uncategorized  0.05 USD\n"), "{text}");
    }

    #[test]
    fn an_account_opens_before_its_first_row_and_asserts_on_its_last_posting_of_the_day() {
        use crate::export::balances::{Balance, Known};
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let (opening_date, asserted_date) = (chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(), day(2));
        let known = Known { currency: "USD".into(), opening_date, opening: 1000, asserted_date, asserted: 251000 };
        let balances = Balances::from([(1, Balance::Known(known)), (2, Balance::Unknown)]);
        let text = journal(&crate::export::sample::rows(), &Names::default(), Some(&balances)).unwrap();
        let opening = "\n2026-09-30 * Opening balance\n    Assets:Bank:Everyday Checking  10.00 USD\n    \
                       Equity:Opening Balances  -10.00 USD\n\n2026-10-01 * ACME Payroll\n";
        assert!(text.contains(opening), "{text}");
        assert!(text.contains("    Assets:Bank:Everyday Checking  2500.00 USD = 2510.00 USD\n"), "{text}");
        assert_eq!(text.matches(" = ").count(), 1, "the pending row of the 3rd is after the day: {text}");
        assert!(text.contains("; Liabilities:Card:Rewards Visa: tally knows no balance for it,"), "{text}");
    }
}
