//! CSV, JSON and JSON lines: one record per transaction, with the same stable snake_case keys
//! as `tx list` (amounts as exact decimal strings). CSV cells go through the one formula rule
//! of `output` (`neutralize`), so numbers stay numbers.

use anyhow::Result;
use serde::Serialize;

use crate::model::TxStatus;
use crate::store::export::ExportRow;

#[derive(Debug, Serialize)]
struct Record<'a> {
    id: i64,
    date: String,
    account: &'a str,
    payee: Option<&'a str>,
    description: &'a str,
    amount: String,
    currency: &'a str,
    category: Option<&'a str>,
    status: TxStatus,
}

const HEADER: &[&str] = &["id", "date", "account", "payee", "description", "amount", "currency", "category", "status"];

fn record(row: &ExportRow) -> Result<Record<'_>> {
    Ok(Record {
        id: row.id,
        date: row.booked_date.to_string(),
        account: &row.account_name,
        payee: row.payee.as_deref(),
        description: &row.description,
        amount: super::amount(row)?,
        currency: &row.currency,
        category: row.category.as_deref(),
        status: row.status,
    })
}

pub fn csv(rows: &[ExportRow]) -> Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for row in rows {
        let r = record(row)?;
        let cells = [
            r.id.to_string(),
            r.date,
            r.account.to_string(),
            r.payee.unwrap_or_default().to_string(),
            r.description.to_string(),
            r.amount,
            r.currency.to_string(),
            r.category.unwrap_or_default().to_string(),
            r.status.to_string(),
        ];
        w.write_record(cells.iter().map(|c| crate::output::neutralize(c).into_owned()))?;
    }
    Ok(String::from_utf8(w.into_inner().map_err(|e| e.into_error())?)?)
}

pub fn json(rows: &[ExportRow]) -> Result<String> {
    let records = rows.iter().map(record).collect::<Result<Vec<_>>>()?;
    Ok(serde_json::to_string_pretty(&records)? + "\n")
}

pub fn jsonl(rows: &[ExportRow]) -> Result<String> {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(&record(row)?)?);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_header_defused_formulas_and_plain_numbers() {
        let text = csv(&crate::export::sample::rows()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("id,date,account,payee,description,amount,currency,category,status"));
        assert!(text.contains(",-45.12,USD,Food:Groceries,posted"), "{text}");
        assert!(text.contains(",'=cmd|' /C calc'!A0,"), "a formula is defused: {text}");
        assert!(text.contains(",-0.05,USD,,pending"), "{text}");
        assert_eq!(csv(&[]).unwrap().lines().count(), 1, "no rows: the header alone");
    }

    #[test]
    fn json_and_json_lines_carry_the_same_records() {
        let rows = crate::export::sample::rows();
        let array: Vec<serde_json::Value> = serde_json::from_str(&json(&rows).unwrap()).unwrap();
        let lines: Vec<serde_json::Value> =
            jsonl(&rows).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(array, lines);
        assert_eq!(array[1]["amount"], "-45.12");
        assert_eq!(array[1]["payee"], serde_json::Value::Null);
        assert_eq!(array[0]["status"], "posted");
        assert_eq!(json(&[]).unwrap(), "[]\n");
    }
}
