//! CSV statements, streamed row by row under a [`Profile`]. Errors name `file:line`. Lines
//! after the data that do not fit its shape (a closing balance, an empty line) are a trailer
//! and are skipped; a data row after a trailer is an error.
//!
//! Rows without a bank id get a stable one: a hash of date, amount and description plus the
//! occurrence of that triple in the file, so re-importing adds nothing and two identical
//! purchases on one day stay two rows.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read};

use anyhow::{Context as _, Result, anyhow, bail};
use sha2::{Digest as _, Sha256};

use super::number::Column;
use super::profile::Profile;
use super::replay::Reader;
use super::text::Encoding;
use super::{AccountHint, Balance, Importer, Row, RowStream};
use crate::model::NewTransaction;
use crate::money::Currency;

struct Columns {
    date: usize,
    amount: Option<usize>,
    debit: Option<usize>,
    credit: Option<usize>,
    description: usize,
    payee: Option<usize>,
    id: Option<usize>,
    currency: Option<usize>,
    kind: Option<usize>,
    category: Option<usize>,
    account: Option<usize>,
    count: usize,
}

/// A CSV statement file under its profile: one account (CSV files carry no account details
/// tally can trust), read when its target account is known.
pub struct Csv {
    label: String,
    /// The file from its first byte, until its rows are read.
    input: Option<Box<dyn Read>>,
    profile: Profile,
    /// The profile's currency, else the one the user named: the account hint's.
    currency: Option<Currency>,
    /// A header and no rows: a statement of nothing.
    empty: bool,
    /// What detection found worth a warning.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Csv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csv").field("label", &self.label).field("profile", &self.profile).finish_non_exhaustive()
    }
}

impl Csv {
    /// The file called `label`, read from `input`; `whole` is all of it when that is known
    /// already (a small file), which tells whether it has any rows at all.
    pub fn new(
        label: &str,
        input: Box<dyn Read>,
        whole: Option<&[u8]>,
        profile: Profile,
        fallback_currency: Option<Currency>,
    ) -> Result<Csv> {
        let currency = match &profile.currency {
            Some(c) => Some(Currency::parse(c)?),
            None => fallback_currency,
        };
        // Read as the import would; a header that does not fit is an error the import reports.
        let empty = whole.is_some_and(|bytes| {
            prepared(bytes, &profile)
                .ok()
                .and_then(|r| Rows::new(r, &profile, String::new(), currency, Resume::new(&profile)).ok())
                .is_some_and(|mut rows| rows.next().is_none())
        });
        Ok(Csv { label: label.to_string(), input: Some(input), profile, currency, empty, warnings: Vec::new() })
    }
}

/// `input` past its byte-order mark and the profile's preamble: the header comes next.
fn prepared<R: Read>(input: R, profile: &Profile) -> Result<BufReader<R>> {
    let mut input = BufReader::new(input);
    if input.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let mut skipped = Vec::new();
    for _ in 0..profile.skip_lines {
        skipped.clear();
        input.read_until(b'\n', &mut skipped)?;
    }
    Ok(input)
}

impl Importer for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn routed_by(&self) -> Option<String> {
        self.profile.account_column.clone()
    }

    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)> {
        if self.empty {
            return Vec::new();
        }
        vec![(AccountHint { currency: self.currency, ..Default::default() }, None)]
    }

    fn rows(&mut self, _index: usize, currency: Currency) -> Result<Box<dyn RowStream + '_>> {
        let input = self.input.take().with_context(|| format!("{}: its rows were read already", self.label))?;
        let input = prepared(input, &self.profile).with_context(|| format!("cannot read {}", self.label))?;
        let resume = Resume::new(&self.profile);
        Ok(Box::new(Rows::new(input, &self.profile, self.label.clone(), Some(currency), resume)?))
    }

    fn own_rows(&mut self, _index: usize, currency: Option<Currency>) -> Result<Box<dyn RowStream + '_>> {
        let input = self.input.take().with_context(|| format!("{}: its rows were read already", self.label))?;
        let input = prepared(input, &self.profile).with_context(|| format!("cannot read {}", self.label))?;
        let resume = Resume::new(&self.profile);
        Ok(Box::new(Rows::new(input, &self.profile, self.label.clone(), currency.or(self.currency), resume)?))
    }
}

/// What reading carries from row to row: the occurrences of each (date, amount, description)
/// so far, and the amounts' number style. A replay picks up where the previous block left off.
#[derive(Debug, Clone)]
pub struct Resume {
    /// By a 64-bit digest: a million rows cost megabytes, not the hundreds a `String` key would.
    seen: HashMap<u64, u32>,
    style: Column,
}

impl Resume {
    pub fn new(profile: &Profile) -> Resume {
        Resume { seen: HashMap::new(), style: Column::new(profile.decimal) }
    }
}

/// Rows stored by an import (their raw lines, in order) read again under the profile and
/// header they were read with, continuing `resume`.
pub fn reread(
    profile: &Profile,
    columns: &[String],
    currency: Currency,
    raws: &[&str],
    resume: &mut Resume,
) -> Result<Vec<NewTransaction>> {
    let mut text = csv_line(columns, profile.delimiter);
    for raw in raws {
        text.push('\n');
        text.push_str(raw);
    }
    let mut rows = Rows::new(text.as_bytes(), profile, "stored line".into(), Some(currency), resume.clone())?;
    let txs = (&mut rows).map(|r| r.map(|r| r.tx)).collect::<Result<Vec<_>>>()?;
    if txs.len() != raws.len() {
        bail!("{} stored lines read as {} rows", raws.len(), txs.len());
    }
    *resume = rows.resume;
    Ok(txs)
}

/// Fields as one CSV line, quoted where they need it (RFC 4180), so they read back the same.
fn csv_line(fields: &[String], delimiter: char) -> String {
    let quoted: Vec<std::borrow::Cow<'_, str>> = fields
        .iter()
        .map(|f| {
            if f.contains([delimiter, '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\"")).into()
            } else {
                f.as_str().into()
            }
        })
        .collect();
    quoted.join(&delimiter.to_string())
}

struct Rows<'a, R: Read> {
    reader: csv::Reader<R>,
    profile: &'a Profile,
    columns: Columns,
    label: String,
    currency: Option<Currency>,
    headers: Vec<String>,
    resume: Resume,
    in_trailer: bool,
    record: csv::ByteRecord,
}

impl<'a, R: Read> Rows<'a, R> {
    fn new(input: R, profile: &'a Profile, label: String, currency: Option<Currency>, resume: Resume) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(profile.delimiter as u8)
            .flexible(true)
            .has_headers(profile.header)
            .from_reader(input);
        let first = reader.byte_headers().with_context(|| format!("{label}: cannot read the header line"))?;
        // Without a header the first line is a row (the reader hands it out again), and the
        // columns are called by their place.
        let headers: Vec<String> = if profile.header {
            first.iter().map(|h| profile.encoding.decode(h).trim().to_string()).collect()
        } else {
            (1..=first.len()).map(|i| i.to_string()).collect()
        };
        let find = |name: &str| headers.iter().position(|h| h == name);
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                let line = profile.skip_lines + 1;
                crate::error::UserError::failure(format!(
                    "{label}:{line}: no column {name:?} in the header ({})",
                    headers.join(", ")
                ))
                .hint("the profile does not fit this file: `tally import --inspect FILE` shows its columns")
            })
        };
        let optional = |name: &Option<String>| name.as_deref().map(need).transpose();
        let columns = Columns {
            date: need(&profile.date_column)?,
            amount: optional(&profile.amount_column)?,
            debit: optional(&profile.debit_column)?,
            credit: optional(&profile.credit_column)?,
            description: need(&profile.description_column)?,
            payee: optional(&profile.payee_column)?,
            id: optional(&profile.id_column)?,
            currency: optional(&profile.currency_column)?,
            kind: optional(&profile.type_column)?,
            category: optional(&profile.category_column)?,
            account: optional(&profile.account_column)?,
            count: headers.len(),
        };
        let currency = match &profile.currency {
            Some(c) => Some(Currency::parse(c)?),
            None => currency,
        };
        Ok(Rows {
            reader,
            profile,
            columns,
            label,
            currency,
            headers,
            resume,
            in_trailer: false,
            record: csv::ByteRecord::new(),
        })
    }

    fn field(&self, i: usize) -> String {
        self.record.get(i).map(|b| self.profile.encoding.decode(b).trim().to_string()).unwrap_or_default()
    }

    fn amount(&mut self, i: Option<usize>, currency: Currency) -> Result<Option<i64>> {
        let Some(i) = i else { return Ok(None) };
        let text = self.field(i);
        if text.is_empty() {
            return Ok(None);
        }
        self.resume.style.parse(&text, currency).map(Some)
    }

    fn row(&mut self, line: u64) -> Result<Row> {
        let c = &self.columns;
        let (date_i, desc_i, payee_i, id_i, cur_i) = (c.date, c.description, c.payee, c.id, c.currency);
        let (amount_i, debit_i, credit_i) = (c.amount, c.debit, c.credit);
        let date_text = self.field(date_i);
        let date = super::profile::read_date(&date_text, &self.profile.date_format)
            .ok_or_else(|| anyhow!("date {date_text:?} does not match {}", self.profile.date_format))?;
        let currency = match cur_i.map(|i| self.field(i)).filter(|s| !s.is_empty()) {
            Some(code) => Currency::parse(&code)?,
            None => self.currency.ok_or_else(|| {
                crate::error::UserError::usage("the rows name no currency")
                    .hint("say which with --currency CODE, or import into an account with --account NAME")
            })?,
        };
        let amount = match amount_i {
            Some(_) => {
                let amount = self.amount(amount_i, currency)?.context("the amount is empty")?;
                match self.columns.kind.map(|i| self.field(i)) {
                    None => amount,
                    Some(kind) => match super::columns::debit(&kind) {
                        Some(true) => -amount.abs(),
                        Some(false) => amount.abs(),
                        None => bail!("{kind:?} says neither debit nor credit"),
                    },
                }
            }
            None => {
                let debit = self.amount(debit_i, currency)?.map(|d| -d.abs()).unwrap_or(0);
                let credit = self.amount(credit_i, currency)?.map(i64::abs).unwrap_or(0);
                credit.checked_add(debit).context("the debit and credit are too large to add")?
            }
        };
        let description = self.field(desc_i);
        let payee = payee_i.map(|i| self.field(i)).filter(|p| !p.is_empty());
        let account = self.columns.account.map(|i| self.field(i));
        let external_id = match id_i.map(|i| self.field(i)).filter(|s| !s.is_empty()) {
            Some(id) => format!("csv:{id}"),
            None => {
                // Rows routed to their accounts are numbered per account, as a replay (which
                // reads one account's rows) numbers them.
                let key = match &account {
                    Some(a) => format!("{date}|{amount}|{currency}|{description}|{}", a.to_lowercase()),
                    None => format!("{date}|{amount}|{currency}|{description}"),
                };
                let digest = Sha256::digest(key.as_bytes());
                let short = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
                let n = self.resume.seen.entry(short).or_insert(0);
                *n += 1;
                // The date first: ids of a date-ordered file land next to each other in the
                // unique index instead of at random places.
                format!("csv:{date}:{short:016x}#{n}")
            }
        };
        let fields: Vec<String> = (0..self.record.len()).map(|i| self.field(i)).collect();
        let raw = csv_line(&fields, self.profile.delimiter);
        Ok(Row {
            tx: NewTransaction {
                external_id,
                pending_external_id: None,
                booked_date: date,
                value_date: None,
                amount,
                currency,
                payee,
                description,
                pending: false,
                provider_category: self.columns.category.map(|i| self.field(i)).filter(|c| !c.is_empty()),
            },
            raw,
            location: format!("{}:{line}", self.label),
            account,
        })
    }
}

impl<R: Read> Iterator for Rows<'_, R> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => return Some(Err(anyhow!("{}: {e}", self.label))),
                Ok(true) => {}
            }
            let line = self.record.position().map_or(0, |p| p.line()) + self.profile.skip_lines as u64;
            let blank = self.record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace));
            // A closing line such as `Kontostand;;;;;2.345,67` has no date, just a label.
            let labelled = self.record.get(self.columns.date).is_some_and(|d| !d.iter().any(u8::is_ascii_digit));
            // A blank line inside the table is nothing; one before a closing block is that block's.
            if blank {
                continue;
            }
            if labelled || self.record.len() != self.columns.count {
                self.in_trailer = true;
                continue;
            }
            if self.in_trailer {
                return Some(Err(anyhow!("{}:{line}: a data row after the end of the table", self.label)));
            }
            return Some(self.row(line).map_err(|e| super::at(e, &format!("{}:{line}", self.label))));
        }
    }
}

impl<R: Read> RowStream for Rows<'_, R> {
    fn reader(&self) -> Reader {
        // The stored lines are decoded text, without the preamble; the style is as decided.
        let profile = Profile {
            encoding: Encoding::Utf8,
            skip_lines: 0,
            decimal: self.resume.style.decimal(),
            // The stored header line is written before the stored rows.
            header: true,
            ..self.profile.clone()
        };
        Reader::Csv { profile: Box::new(profile), columns: self.headers.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        toml::from_str(
            "delimiter = \";\"\nencoding = \"cp1252\"\ndate_column = \"D\"\ndate_format = \"%d.%m.%Y\"\n\
             amount_column = \"A\"\ndecimal = \",\"\ndescription_column = \"T\"\ncurrency = \"EUR\"\n",
        )
        .unwrap()
    }

    fn rows(input: &[u8]) -> Result<Vec<Row>> {
        let p = profile();
        Rows::new(input, &p, "t.csv".into(), None, Resume::new(&p))?.collect()
    }

    #[test]
    fn reads_rows_and_names_the_line_of_a_bad_one() {
        let ok = rows(b"D;T;A\n02.11.2026;Brot;-3,80\n03.11.2026;Lohn;1.234,56\n").unwrap();
        assert_eq!(ok.iter().map(|r| r.tx.amount).collect::<Vec<_>>(), [-380, 123456]);
        let err = rows(b"D;T;A\n02.11.2026;Brot;-3,80\n2026-11-03;Lohn;1,00\n").unwrap_err();
        assert!(err.to_string().starts_with("t.csv:3: date"), "{err}");
        // A closing line that does not fit the table ends it; data after it is an error.
        let err = rows(b"D;T;A\n02.11.2026;a;1\nSaldo;9\n03.11.2026;b;2\n").unwrap_err();
        assert!(err.to_string().contains("after the end of the table"), "{err}");
    }

    #[test]
    fn a_file_without_a_header_reads_its_first_line_and_replays() {
        let file = b"2026-01-23,TESCO,-12.50\n2026-01-24,AMZN,-30.00\n";
        let p = crate::import::profile::detect(file, None).unwrap().profile;
        assert!(!p.header);
        let usd = Currency::parse("USD").unwrap();
        let mut rows = Rows::new(&file[..], &p, "t.csv".into(), Some(usd), Resume::new(&p)).unwrap();
        let read: Vec<Row> = (&mut rows).collect::<Result<_>>().unwrap();
        assert_eq!(read.iter().map(|r| r.tx.amount).collect::<Vec<_>>(), [-1250, -3000]);
        let Reader::Csv { profile, columns } = rows.reader() else { panic!("a CSV reader") };
        let raws: Vec<&str> = read.iter().map(|r| r.raw.as_str()).collect();
        let again = reread(&profile, &columns, usd, &raws, &mut Resume::new(&profile)).unwrap();
        assert_eq!(again.iter().map(|t| t.amount).collect::<Vec<_>>(), [-1250, -3000]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = rows(&bytes);
            let mut with_header = b"D;T;A\n".to_vec();
            with_header.extend(&bytes);
            let _ = rows(&with_header);
            let _ = crate::import::profile::detect(&bytes, None);
            let _ = crate::import::detect(&bytes);
        }

        #[test]
        fn detection_never_panics_on_csv_like_text(s in "([0-9./,;-]{0,12}[;,\t\n]){0,40}") {
            let _ = crate::import::profile::detect(s.as_bytes(), None);
        }
    }
}
