//! `tally export`'s formats: the rows `store::export` selects, written as CSV, JSON or JSON
//! lines for scripts (`tabular.rs`), or as a ledger/hledger (`ledger.rs`) or beancount
//! (`beancount.rs`) journal whose account names come from `names.rs`. Every format is a pure
//! function of the rows, so exporting the same data twice gives the same bytes; where the
//! bytes go (stdout, a file) is the command's business.

pub mod all;
pub mod balances;
mod beancount;
mod ledger;
pub mod names;
pub mod tabular;

use anyhow::Result;

use crate::money::{Currency, format_amount};
use crate::store::export::ExportRow;
pub use balances::Balances;
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

/// The whole export as text. A journal opens and asserts each account with `balances`
/// (`None` when the rows are filtered so that no balance would hold: it says so instead).
pub fn render(format: ExportFormat, rows: &[ExportRow], names: &Names, balances: Option<&Balances>) -> Result<String> {
    match format {
        ExportFormat::Csv => tabular::csv(rows),
        ExportFormat::Json => tabular::json(rows),
        ExportFormat::Jsonl => tabular::jsonl(rows),
        ExportFormat::Ledger | ExportFormat::Hledger => {
            distinct(rows, names, names::ledger_name)?;
            let balances = balances.map(|b| unshared(rows, b, |r| names::ledger_name(&names.account(r))));
            ledger::journal(rows, names, balances.as_ref())
        }
        ExportFormat::Beancount => {
            distinct(rows, names, names::beancount_name)?;
            let balances = balances.map(|b| unshared(rows, b, |r| names::beancount_name(&names.account(r))));
            beancount::journal(rows, names, balances.as_ref())
        }
    }
}

/// Two tally accounts whose default names a tool would read as one account (`Visa 2` and
/// `Visa-2` in beancount) would add up in the journal and its balances would no longer be
/// tally's: refuse, and say how to tell them apart. Mapping both to one name in the config
/// is the user's choice, and allowed.
fn distinct(rows: &[ExportRow], names: &Names, clean: fn(&str) -> String) -> Result<()> {
    let mut seen: std::collections::BTreeMap<String, (i64, &str)> = std::collections::BTreeMap::new();
    for row in rows.iter().filter(|r| !names.is_configured(r)) {
        let journal = clean(&names.account(row));
        let (id, name) = *seen.entry(journal.clone()).or_insert((row.account_id, &row.account_name));
        if id != row.account_id {
            return crate::error::usage(
                format!("accounts {name:?} and {:?} would both be {journal:?} in the journal", row.account_name),
                format!("name one of them in the config: [export.accounts] \"{}\" = \"Assets:...\"", row.account_name),
            );
        }
    }
    Ok(())
}

/// `balances` without those of tally accounts the config maps onto one journal account: each
/// one's balance is not that account's, so neither opens nor asserts it.
fn unshared(rows: &[ExportRow], balances: &Balances, journal_name: impl Fn(&ExportRow) -> String) -> Balances {
    let mut ids: std::collections::BTreeMap<String, std::collections::BTreeSet<i64>> = Default::default();
    for row in rows {
        ids.entry(journal_name(row)).or_default().insert(row.account_id);
    }
    let mut balances = balances.clone();
    for shared in ids.values().filter(|ids| ids.len() > 1) {
        for id in shared {
            balances.insert(*id, balances::Balance::Shared);
        }
    }
    balances
}

/// Minor units of `currency` as an exact decimal (`-1234.56`).
fn money(minor: i64, currency: &str) -> Result<String> {
    Ok(format_amount(minor, Currency::parse(currency)?))
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
mod tests {
    use super::*;

    #[test]
    fn accounts_a_tool_would_merge_are_refused_unless_the_config_merges_them() {
        let mut rows = sample::rows();
        rows[1].account_name = "Everyday-Checking".into();
        rows[1].account_kind = crate::model::AccountKind::Checking;
        assert!(render(ExportFormat::Ledger, &rows, &Names::default(), None).is_ok(), "distinct for ledger");
        let err = render(ExportFormat::Beancount, &rows, &Names::default(), None).unwrap_err().to_string();
        assert!(err.contains("would both be \"Assets:Bank:Everyday-Checking\""), "{err}");
        let both = std::collections::BTreeMap::from([
            ("Everyday Checking".to_string(), "Assets:Bank:Checking".to_string()),
            ("Everyday-Checking".to_string(), "Assets:Bank:Checking".to_string()),
        ]);
        let names = Names::new(&both, &Default::default()).unwrap();
        assert!(render(ExportFormat::Beancount, &rows, &names, None).is_ok(), "the user's choice");
    }
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
