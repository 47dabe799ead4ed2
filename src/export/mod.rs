//! `tally export`'s formats: the rows `store::export` selects, written as CSV, JSON or JSON
//! lines for scripts (`tabular.rs`), or as a ledger/hledger (`ledger.rs`) or beancount
//! (`beancount.rs`) journal whose account names come from `names.rs`. Every format is a pure
//! function of the rows, so exporting the same data twice gives the same bytes; where the
//! bytes go (stdout, a file) is the command's business.

mod beancount;
mod ledger;
pub mod names;
mod tabular;

use anyhow::Result;

use crate::money::{Currency, format_amount};
use crate::store::export::ExportRow;
pub use names::Names;

/// The file formats `tally export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A header and a row per transaction; cells a spreadsheet would run are defused
    Csv,
    /// One JSON array of transactions
    Json,
    /// One JSON object per line
    Jsonl,
    /// A ledger journal (ledger-cli.org)
    Ledger,
    /// An hledger journal (hledger.org)
    Hledger,
    /// A beancount file (beancount.github.io), checked by bean-check
    Beancount,
}

/// The whole export as text.
pub fn render(format: ExportFormat, rows: &[ExportRow], names: &Names) -> Result<String> {
    match format {
        ExportFormat::Csv => tabular::csv(rows),
        ExportFormat::Json => tabular::json(rows),
        ExportFormat::Jsonl => tabular::jsonl(rows),
        ExportFormat::Ledger | ExportFormat::Hledger => ledger::journal(rows, names),
        ExportFormat::Beancount => beancount::journal(rows, names),
    }
}

/// A row's amount as an exact decimal (`-1234.56`), from its minor units.
fn amount(row: &ExportRow) -> Result<String> {
    Ok(format_amount(row.amount, Currency::parse(&row.currency)?))
}

/// Text on one line: control characters (newlines, tabs) become spaces and runs of blanks
/// become one, so a bank's odd description cannot break a journal's layout.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
pub(crate) mod sample {
    use chrono::NaiveDate;

    use crate::model::{AccountKind, TxStatus};
    use crate::store::export::ExportRow;

    /// Two posted rows and a pending one over a checking account and a card.
    pub fn rows() -> Vec<ExportRow> {
        let row = |id, day, kind, amount, payee: Option<&str>, category: Option<(&str, &str)>| ExportRow {
            id,
            booked_date: NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
            account_id: if kind == AccountKind::Credit { 2 } else { 1 },
            account_name: if kind == AccountKind::Credit { "Rewards Visa" } else { "Everyday Checking" }.into(),
            account_kind: kind,
            payee: payee.map(str::to_string),
            description: "CARD 1234; \"WHOLE\"\nFOODS".into(),
            amount,
            currency: "USD".into(),
            category: category.map(|c| c.0.to_string()),
            category_kind: category.map(|c| c.1.to_string()),
            status: if id == 3 { TxStatus::Pending } else { TxStatus::Posted },
        };
        vec![
            row(1, 1, AccountKind::Checking, 250000, Some("ACME Payroll"), Some(("Income:Salary", "income"))),
            row(2, 2, AccountKind::Credit, -4512, None, Some(("Food:Groceries", "expense"))),
            row(3, 3, AccountKind::Checking, -5, Some("=cmd|' /C calc'!A0"), None),
        ]
    }
}
