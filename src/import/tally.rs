//! tally's own `export csv|json|jsonl` read back: every row names its account (rows are routed
//! by it), its currency, status and category, and carries its tally id, which becomes its
//! stable bank id (`tally:ID`), so the same file imported twice adds nothing. Detected by its
//! exact CSV header, or by JSON records with the export's keys. A CSV cell that the export
//! defused (`'=…`, see `output::neutralize`) comes back as the text it was; the category comes
//! back as the row's imported label, which names a tally category by its full name.

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::replay::Reader;
use super::{AccountHint, Balance, Importer, Row, RowStream, Statement};
use crate::model::NewTransaction;
use crate::money::{Currency, parse_decimal};

/// The export's CSV header, which only tally's own export writes in this order.
const HEADER: &str = "id,date,account,payee,description,amount,currency,category,status";

/// One exported transaction, as `export::tabular` writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    id: i64,
    date: String,
    account: String,
    payee: Option<String>,
    description: String,
    amount: String,
    currency: String,
    category: Option<String>,
    status: String,
}

/// Whether `head` (a file's first bytes) is tally's own CSV or JSON export.
pub fn looks_like(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(super::text::strip_bom(head));
    let start = text.trim_start();
    if start.starts_with('[') || start.starts_with('{') {
        let keys = ["\"id\"", "\"date\"", "\"account\"", "\"amount\"", "\"currency\"", "\"status\""];
        return keys.iter().all(|k| start.contains(k));
    }
    start.lines().next().is_some_and(|l| l.trim_end() == HEADER)
}

/// A whole export, parsed.
pub struct Tally {
    label: String,
    records: Vec<(usize, Record)>,
}

impl Tally {
    pub fn read(label: &str, bytes: &[u8]) -> Result<Tally> {
        let text =
            std::str::from_utf8(super::text::strip_bom(bytes)).with_context(|| format!("{label} is not UTF-8"))?;
        let start = text.trim_start();
        let records: Vec<(usize, Record)> = if start.starts_with('[') {
            let all: Vec<Record> =
                serde_json::from_str(text).with_context(|| format!("{label}: not tally's JSON export"))?;
            all.into_iter().enumerate().map(|(i, r)| (i + 1, r)).collect()
        } else if start.starts_with('{') {
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let record =
                    serde_json::from_str(line).with_context(|| format!("{label}:{}: not an exported row", i + 1))?;
                out.push((i + 1, record));
            }
            out
        } else {
            let mut out = Vec::new();
            let mut csv = ::csv::Reader::from_reader(text.as_bytes());
            for (i, record) in csv.records().enumerate() {
                let record = record.with_context(|| format!("{label}:{}", i + 2))?;
                let cell = |n: usize| restore(record.get(n).unwrap_or_default()).to_string();
                let optional = |n: usize| Some(cell(n)).filter(|c| !c.is_empty());
                out.push((
                    i + 2,
                    Record {
                        id: cell(0).parse().with_context(|| format!("{label}:{}: the id {:?}", i + 2, cell(0)))?,
                        date: cell(1),
                        account: cell(2),
                        payee: optional(3),
                        description: cell(4),
                        amount: cell(5),
                        currency: cell(6),
                        category: optional(7),
                        status: cell(8),
                    },
                ));
            }
            out
        };
        Ok(Tally { label: label.to_string(), records })
    }

    fn rows_in(&mut self, currency: Option<Currency>) -> Box<dyn RowStream + '_> {
        let label = self.label.clone();
        let rows: Vec<Result<Row>> = std::mem::take(&mut self.records)
            .into_iter()
            .map(|(line, record)| {
                let at = format!("{label}:{line}");
                let tx = transaction(&record, currency).map_err(|e| super::at(e, &at))?;
                Ok(Row { tx, raw: serde_json::to_string(&record)?, location: at, account: Some(record.account) })
            })
            .collect();
        let mut statement =
            Statement { account: AccountHint::default(), balance: None, rows: Box::new(rows.into_iter()) };
        super::listed(&mut statement, Reader::Tally)
    }
}

impl Importer for Tally {
    fn name(&self) -> &'static str {
        "tally"
    }

    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)> {
        if self.records.is_empty() {
            return Vec::new();
        }
        vec![(AccountHint::default(), None)]
    }

    fn routed_by(&self) -> Option<String> {
        Some("account".into())
    }

    fn rows(&mut self, _index: usize, currency: Currency) -> Result<Box<dyn RowStream + '_>> {
        Ok(self.rows_in(Some(currency)))
    }

    fn own_rows(&mut self, _index: usize, _currency: Option<Currency>) -> Result<Box<dyn RowStream + '_>> {
        Ok(self.rows_in(None))
    }
}

/// A cell as it was before the export defused it: `'=1+2` back to `=1+2`, exactly when the
/// export would have written this cell for that text (text that itself began with `'` and a
/// formula mark cannot be told apart, and comes back without its `'`).
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(text) if crate::output::neutralize(text) == cell => text,
        _ => cell,
    }
}

/// The row a record describes; in `currency` (the target account's) when given, else its own.
fn transaction(r: &Record, currency: Option<Currency>) -> Result<NewTransaction> {
    let own = Currency::parse(&r.currency)?;
    if let Some(target) = currency
        && target != own
    {
        bail!("the row is in {own}, but the account it goes into is in {target}");
    }
    let booked_date = NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").with_context(|| {
        format!("the date {:?} is not a real YYYY-MM-DD day (tally exports write dates that way)", r.date)
    })?;
    let pending = match r.status.as_str() {
        "posted" => false,
        "pending" => true,
        other => bail!("the status {other:?} is neither posted nor pending"),
    };
    Ok(NewTransaction {
        external_id: format!("tally:{}", r.id),
        pending_external_id: None,
        booked_date,
        value_date: None,
        amount: parse_decimal(&r.amount, own).with_context(|| format!("the amount {:?}", r.amount))?,
        currency: own,
        payee: r.payee.clone().filter(|p| !p.is_empty()),
        description: r.description.clone(),
        pending,
        provider_category: r.category.clone().filter(|c| !c.is_empty()),
    })
}

/// A stored row read again (`replay`).
pub fn reread(raw: &str, currency: Currency) -> Result<NewTransaction> {
    let record: Record = serde_json::from_str(raw).context("a stored row of tally's export")?;
    transaction(&record, Some(currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defused_cells_come_back_as_they_were_and_only_those() {
        for text in ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "Coffee", "-12.50", "'quoted'", ""] {
            assert_eq!(restore(&crate::output::neutralize(text)), text);
        }
    }

    #[test]
    fn the_export_is_told_by_its_header_or_its_keys() {
        assert!(looks_like(format!("\u{feff}{HEADER}\n1,2026-10-01,A,,x,1.00,USD,,posted\n").as_bytes()));
        assert!(looks_like(b"[\n  {\n    \"id\": 1,\n    \"date\": \"2026-10-01\",\n    \"account\": \"A\",\n    \"payee\": null, \"amount\": \"1.00\", \"currency\": \"USD\", \"status\": \"posted\""));
        assert!(looks_like(b"{\"id\":1,\"date\":\"2026-10-01\",\"account\":\"A\",\"amount\":\"1\",\"currency\":\"USD\",\"status\":\"posted\"}\n"));
        assert!(!looks_like(b"Date,Amount,Description\n2026-10-01,1,x\n"));
        assert!(!looks_like(b"id,date,amount\n"));
    }

    #[test]
    fn a_record_reads_as_its_row_and_a_bad_one_says_what_is_wrong() {
        let text = format!("{HEADER}\n7,2026-10-03,Checking,'=evil,\"two\nlines\",-0.05,USD,Food:Coffee,pending\n");
        let mut tally = Tally::read("t.csv", text.as_bytes()).unwrap();
        let rows: Vec<Row> = tally.own_rows(0, None).unwrap().collect::<Result<_>>().unwrap();
        let t = &rows[0].tx;
        assert_eq!((t.external_id.as_str(), t.amount, t.pending), ("tally:7", -5, true));
        assert_eq!((t.payee.as_deref(), t.description.as_str()), (Some("=evil"), "two\nlines"));
        assert_eq!(t.provider_category.as_deref(), Some("Food:Coffee"));
        assert_eq!(rows[0].account.as_deref(), Some("Checking"));
        assert_eq!(reread(&rows[0].raw, Currency::parse("USD").unwrap()).unwrap().description, "two\nlines");

        let bad = format!("{HEADER}\n7,2026-10-03,Checking,,x,-0.05,USD,,removed\n");
        let err = Tally::read("t.csv", bad.as_bytes()).unwrap().own_rows(0, None).unwrap().next().unwrap().unwrap_err();
        assert!(err.to_string().contains("t.csv:2: the status \"removed\""), "{err}");
    }
}
