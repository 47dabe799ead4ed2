//! CSV, JSON and JSON lines: one record per transaction, with the same stable snake_case keys
//! as `tx list` (amounts as exact decimal strings). CSV cells go through the one formula rule
//! of `output` (`neutralize`), so numbers stay numbers.

use std::io::Write;

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

/// Writes records one at a time, so an export of any size streams from the database to its
/// output with nothing held but the row at hand.
pub struct Sink<W: Write> {
    kind: Kind<W>,
    written: u64,
}

enum Kind<W: Write> {
    Csv(Box<::csv::Writer<W>>),
    Json(W),
    Jsonl(W),
}

impl<W: Write> Sink<W> {
    /// A sink for `format`, which must be one of the tabular ones (csv, json, jsonl).
    pub fn new(format: super::ExportFormat, out: W) -> Result<Sink<W>> {
        let kind = match format {
            super::ExportFormat::Csv => {
                let mut w = ::csv::Writer::from_writer(out);
                w.write_record(HEADER).map_err(io_first)?;
                Kind::Csv(Box::new(w))
            }
            super::ExportFormat::Json => Kind::Json(out),
            super::ExportFormat::Jsonl => Kind::Jsonl(out),
            other => anyhow::bail!("{other:?} is a journal, not a table"),
        };
        Ok(Sink { kind, written: 0 })
    }

    pub fn row(&mut self, row: &ExportRow) -> Result<()> {
        let r = record(row)?;
        match &mut self.kind {
            Kind::Csv(w) => {
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
                w.write_record(cells.iter().map(|c| crate::output::neutralize(c).into_owned())).map_err(io_first)?;
            }
            // The array as `serde_json::to_string_pretty` writes it, one element at a time.
            Kind::Json(w) => {
                w.write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
                let pretty = serde_json::to_string_pretty(&r)?;
                for (n, line) in pretty.lines().enumerate() {
                    if n > 0 {
                        w.write_all(b"\n")?;
                    }
                    w.write_all(b"  ")?;
                    w.write_all(line.as_bytes())?;
                }
            }
            Kind::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &r).map_err(json_io_first)?;
                w.write_all(b"\n")?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Close the document; the number of records written.
    pub fn finish(self) -> Result<(W, u64)> {
        let out = match self.kind {
            Kind::Csv(w) => w.into_inner().map_err(|e| e.into_error())?,
            Kind::Json(mut w) => {
                w.write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
                w
            }
            Kind::Jsonl(w) => w,
        };
        Ok((out, self.written))
    }
}

/// A CSV write that failed on its output is that `io::Error` (a closed pipe, `| head`, ends
/// the export quietly: `error::exit` looks for it in the chain).
fn io_first(e: ::csv::Error) -> anyhow::Error {
    match e.kind() {
        ::csv::ErrorKind::Io(io) => std::io::Error::new(io.kind(), io.to_string()).into(),
        _ => e.into(),
    }
}

/// The same for a JSON write.
fn json_io_first(e: serde_json::Error) -> anyhow::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind).into(),
        None => e.into(),
    }
}

fn to_text(format: super::ExportFormat, rows: &[ExportRow]) -> Result<String> {
    let mut sink = Sink::new(format, Vec::new())?;
    for row in rows {
        sink.row(row)?;
    }
    Ok(String::from_utf8(sink.finish()?.0)?)
}

pub fn csv(rows: &[ExportRow]) -> Result<String> {
    to_text(super::ExportFormat::Csv, rows)
}

pub fn json(rows: &[ExportRow]) -> Result<String> {
    to_text(super::ExportFormat::Json, rows)
}

pub fn jsonl(rows: &[ExportRow]) -> Result<String> {
    to_text(super::ExportFormat::Jsonl, rows)
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
        let records = rows.iter().map(record).collect::<Result<Vec<_>>>().unwrap();
        assert_eq!(json(&rows).unwrap(), serde_json::to_string_pretty(&records).unwrap() + "\n", "as serde writes it");
    }
}
