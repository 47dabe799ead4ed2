//! Ledger and hledger journals (one syntax serves both): a transaction per row, `*` when posted
//! and `!` when pending, the tally account and the category account each with an explicit
//! amount, and `; tally-id: N` (metadata to ledger, a tag to hledger) so that tools and people
//! can tell which tally row an entry is.

use std::fmt::Write as _;

use anyhow::Result;

use super::names::{Names, ledger_name};
use crate::model::TxStatus;
use crate::store::export::ExportRow;

pub fn journal(rows: &[ExportRow], names: &Names) -> Result<String> {
    let mut out = String::from("; Exported by tally: one entry per transaction, tagged with its tally id.\n");
    for row in rows {
        let flag = if row.status == TxStatus::Pending { '!' } else { '*' };
        let amount = super::amount(row)?;
        let negated = super::amount(&ExportRow { amount: -row.amount, ..row.clone() })?;
        let (account, counter) = (ledger_name(&names.account(row)), ledger_name(&names.counter(row)));
        writeln!(out, "\n{} {flag} {}", row.booked_date, header(row))?;
        writeln!(out, "    ; tally-id: {}", row.id)?;
        writeln!(out, "    {account}  {amount} {}", row.currency)?;
        writeln!(out, "    {counter}  {negated} {}", row.currency)?;
    }
    Ok(out)
}

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
        let text = journal(&crate::export::sample::rows(), &Names::default()).unwrap();
        let expected = "\n2026-10-02 * CARD 1234, \"WHOLE\" FOODS\n    ; tally-id: 2\n    \
                        Liabilities:Card:Rewards Visa  -45.12 USD\n    Expenses:Food:Groceries  45.12 USD\n";
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("2026-10-01 * ACME Payroll\n"), "{text}");
        assert!(text.contains("    Income:Salary  -2500.00 USD\n"), "{text}");
        assert!(text.contains("2026-10-03 ! =cmd|' /C calc'!A0\n"), "pending is flagged: {text}");
        assert!(text.contains("    Expenses:Uncategorized  0.05 USD\n"), "{text}");
    }
}
