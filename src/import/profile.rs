//! CSV profiles: how a bank's export maps onto transactions, as a small TOML file. A profile
//! comes from `--profile NAME` (built in, or `profiles/NAME.toml` next to the config), or is
//! detected from the file; `tally import --inspect` prints the detected one to save and edit.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use super::ImportError;
use super::columns::{
    ACCOUNT_NAMES, AMOUNT_NAMES, CATEGORY_NAMES, CREDIT_NAMES, DATE_NAMES, DEBIT_NAMES, DESCRIPTION_NAMES,
    OTHER_DATE_NAMES, PAYEE_NAMES, TYPE_NAMES, by_content, debit, exact, find, is_amount, is_date, roles,
};
use super::text::Encoding;
use crate::error::UserError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Field separator: `,`, `;`, a tab or `|`.
    pub delimiter: char,
    pub encoding: Encoding,
    /// Lines before the header (account details many banks print first).
    #[serde(default)]
    pub skip_lines: usize,
    pub date_column: String,
    /// chrono format, e.g. `%d.%m.%Y`.
    pub date_format: String,
    /// One signed amount column, or `debit_column` and/or `credit_column`.
    pub amount_column: Option<String>,
    pub debit_column: Option<String>,
    pub credit_column: Option<String>,
    /// The decimal separator of every amount column, `.` or `,`; without it the first amount
    /// that shows one decides, and one that could be read either way (`1,234` in a currency
    /// with three decimals) stops the import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal: Option<char>,
    pub description_column: String,
    pub payee_column: Option<String>,
    /// A column with the bank's own transaction id, if the export has one.
    pub id_column: Option<String>,
    /// The currency of every row (else `currency_column`, else the account's).
    pub currency: Option<String>,
    pub currency_column: Option<String>,
    /// A column saying `Debit`/`Credit` (`DR`/`CR`, `Af`/`Bij`, `S`/`H`) beside an amount
    /// written without a sign: a debit is money out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_column: Option<String>,
    /// A column with the app's or bank's own category: kept as each row's imported label
    /// (`tx show` prints it) for the categorizer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_column: Option<String>,
    /// A column naming each row's account (a money app's export of all its accounts): rows
    /// go to the tally account of that name, unless `--account` puts them all in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_column: Option<String>,
    /// `false` for a file whose first row is data: its columns are then named `1`, `2`, ….
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub header: bool,
}

fn yes() -> bool {
    true
}

/// Profiles for common exports, by name (samples of each live in tests/fixtures/import).
const BUILT_IN: &[(&str, &str)] = &[
    (
        "us-checking",
        r#"delimiter = ","
encoding = "utf-8"
date_column = "Posting Date"
date_format = "%m/%d/%Y"
amount_column = "Amount"
decimal = "."
description_column = "Description"
id_column = "Reference"
currency = "USD"
"#,
    ),
    (
        "de-giro",
        r#"delimiter = ";"
encoding = "cp1252"
skip_lines = 4
date_column = "Buchungstag"
date_format = "%d.%m.%Y"
amount_column = "Betrag"
decimal = ","
description_column = "Verwendungszweck"
payee_column = "Beguenstigter/Zahlungspflichtiger"
currency = "EUR"
"#,
    ),
];

pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

/// A profile by name: built in, or `<profiles dir>/NAME.toml`.
pub fn load(name: &str, profiles_dir: &Path) -> Result<Profile> {
    if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name) {
        return Ok(toml::from_str(text).expect("built-in profiles parse"));
    }
    let path = profiles_dir.join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).map_err(|_| {
        UserError::usage(format!("no CSV profile named {name:?}")).hint(format!(
            "built in: {}; or save one as {} (`tally import --inspect FILE` prints one to start from)",
            built_in_names().join(", "),
            path.display()
        ))
    })?;
    toml::from_str(&text)
        .map_err(|e| UserError::usage(format!("profile {} is not valid: {}", path.display(), e.message())).into())
        .and_then(validate)
}

pub fn validate(p: Profile) -> Result<Profile> {
    if p.amount_column.is_none() && p.debit_column.is_none() && p.credit_column.is_none() {
        anyhow::bail!("the profile names no amount_column, debit_column or credit_column");
    }
    if p.decimal.is_some_and(|d| !matches!(d, '.' | ',')) {
        anyhow::bail!("decimal must be \".\" or \",\"");
    }
    Ok(p)
}

/// Day-first or month-first, for dates like 03/04/2026 that could be either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrder {
    /// 03/04/2026 is the 3rd of April
    Dmy,
    /// 03/04/2026 is March 4th
    Mdy,
}

/// What detection found, with notes for `--inspect`.
#[derive(Debug)]
pub struct Detected {
    pub profile: Profile,
    pub notes: Vec<String>,
    /// What the import should warn about too.
    pub warnings: Vec<String>,
    /// How many rows with a date the sample held: none means a header alone (or a file whose
    /// head holds no whole row), whose date format is a guess.
    pub rows: usize,
}

pub(super) const DATE_FORMATS: &[(&str, Option<DateOrder>)] = &[
    ("%Y-%m-%d", None),
    ("%d-%b-%y", None),
    ("%d-%b-%Y", None),
    ("%d %b %Y", None),
    ("%b %d, %Y", None),
    ("%d.%b.%Y", None),
    ("%Y/%m/%d", None),
    ("%Y%m%d", None),
    ("%d.%m.%Y", None),
    ("%d.%m.%y", None),
    ("%d/%m/%Y", Some(DateOrder::Dmy)),
    ("%m/%d/%Y", Some(DateOrder::Mdy)),
    ("%d/%m/%y", Some(DateOrder::Dmy)),
    ("%m/%d/%y", Some(DateOrder::Mdy)),
    ("%d-%m-%Y", Some(DateOrder::Dmy)),
    ("%m-%d-%Y", Some(DateOrder::Mdy)),
];

/// `text` as a date in `format`, which is a date's: a time of day after it (`2015-01-23
/// 10:12:00`, `2015-01-23T10:12:00+01:00`, `01/23/2015 10:12 PM`) is allowed and ignored, the
/// date being the day the bank booked it where it is.
pub fn read_date(text: &str, format: &str) -> Option<chrono::NaiveDate> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, format) {
        return Some(d);
    }
    let (date, rest) = chrono::NaiveDate::parse_and_remainder(text, format).ok()?;
    is_time(rest).then_some(date)
}

/// ` 10:12`, `T10:12:00Z`, ` 10:12:00.123 +0100`, ` 9:05 PM CET`: a time (and zone) after a date.
fn is_time(rest: &str) -> bool {
    let Some(t) = rest.strip_prefix(['T', ' ']).map(|t| t.trim_start_matches(' ')) else { return false };
    let hour = t.bytes().take_while(u8::is_ascii_digit).count();
    let minutes =
        t.get(hour..).and_then(|r| r.strip_prefix(':')).map(|r| r.bytes().take_while(u8::is_ascii_digit).count());
    (1..=2).contains(&hour)
        && minutes == Some(2)
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-' | ' '))
}

/// Work out a profile from the first part of a file.
pub fn detect(head: &[u8], order: Option<DateOrder>) -> Result<Detected> {
    let encoding = Encoding::detect(head);
    let text = encoding.decode(super::text::strip_bom(head)).into_owned();
    let mut lines: Vec<&str> = text.lines().collect();
    if !head.ends_with(b"\n") && lines.len() > 1 {
        lines.pop(); // the sample may cut the last line short
    }
    // The delimiter that splits the most lines into the same number (≥ 2) of fields. One
    // reader per candidate delimiter over the whole sample (building a csv reader is costly:
    // not one per line). Each record keeps its line index (from its byte offset: the reader
    // skips blank lines, and `skip_lines` counts them).
    let sample = lines.join("\n");
    let read_all = |d: char| -> Vec<(usize, Vec<String>)> {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(d as u8)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        // Line indices from byte offsets, counted as we go (records come in order).
        let (mut counted_to, mut line) = (0usize, 0usize);
        r.records()
            .filter_map(|r| r.ok())
            .map(|r| {
                let mut at = r.position().map_or(0, |p| p.byte() as usize).min(sample.len());
                // The position may sit before the blank lines the reader skipped.
                while sample.as_bytes().get(at).is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    at += 1;
                }
                line += sample.as_bytes()[counted_to.min(at)..at].iter().filter(|b| **b == b'\n').count();
                counted_to = counted_to.max(at);
                (line, r.iter().map(str::to_string).collect())
            })
            .collect()
    };
    let (delimiter, records, fields) = [',', ';', '\t', '|']
        .into_iter()
        .filter_map(|d| {
            let records = read_all(d);
            let counts: Vec<usize> = records.iter().map(|(_, f)| f.len()).collect();
            let modal = (2..=64).max_by_key(|n| counts.iter().filter(|c| **c == *n).count())?;
            let hits = counts.iter().filter(|c| **c == modal).count();
            (hits >= 1 && modal >= 2).then_some((d, records, modal, hits))
        })
        .max_by_key(|(_, _, _, hits)| *hits)
        .map(|(d, records, modal, _)| (d, records, modal))
        .context("no delimiter splits this file into columns")?;
    let header = records.iter().position(|(_, f)| f.len() == fields).unwrap_or(0);
    let header_at = records[header].0;
    // A first row with a date and an amount in it is data: the file has no header.
    let has_header = !(records[header].1.iter().any(|f| is_date(f)) && records[header].1.iter().any(|f| is_amount(f)));
    let first_row = if has_header { header + 1 } else { header };
    let headers: Vec<String> =
        if has_header { records[header].1.clone() } else { (1..=fields).map(|i| i.to_string()).collect() };
    let data: Vec<Vec<String>> =
        records[first_row..].iter().map(|(_, f)| f).filter(|f| f.len() == fields).take(200).cloned().collect();
    let content = by_content(&data, fields);
    let named = |i: Option<usize>| i.map(|i| headers[i].trim().to_string());
    let column = |names: &[&str]| if has_header { find(&headers, names) } else { None };
    let other_date = |h: &str| OTHER_DATE_NAMES.iter().any(|n| h.to_lowercase().contains(n));
    let booking: Vec<String> = headers.iter().filter(|h| !other_date(h)).cloned().collect();
    let by_name = if has_header { find(&booking, DATE_NAMES) } else { None };
    let date_column = by_name.or_else(|| named(content.date)).ok_or_else(|| {
        UserError::failure(format!("no column looks like a date ({})", headers.join(", ")))
            .hint("describe the file in a CSV profile (date_column, amount_column, …) and use --profile NAME")
    })?;
    let others: Vec<&String> = headers.iter().filter(|h| other_date(h) && h.trim() != date_column).collect();
    let mut notes = Vec::new();
    if let Some(first) = others.first() {
        notes.push(format!("{date_column:?} is taken as the booking date, not {first:?}"));
    }
    if !has_header {
        notes.push("the first line is a row, not a header: columns are named by their place (1, 2, …)".into());
    }
    let type_column = column(TYPE_NAMES);
    let mut amount_column = column(AMOUNT_NAMES);
    let (debit_column, credit_column) =
        if amount_column.is_none() { (column(DEBIT_NAMES), column(CREDIT_NAMES)) } else { (None, None) };
    if amount_column.is_none() && debit_column.is_none() && credit_column.is_none() {
        amount_column = named(content.amount);
    }
    let description_column =
        column(DESCRIPTION_NAMES).or_else(|| named(content.description)).unwrap_or_else(|| date_column.clone());
    let payee_column = column(PAYEE_NAMES).filter(|p| *p != description_column);
    let id_column = column(&["transaction id", "reference", "referenz", "id"]);
    let category_column = column(CATEGORY_NAMES);
    // Only a header that is exactly an account's (not `Kontonummer/IBAN`, the other party's).
    let account_column = if has_header { exact(&headers, ACCOUNT_NAMES) } else { None };
    let currency_column = column(&["currency", "währung", "waehrung", "devise", "moneda", "waluta", "valiuta", "munt"]);

    let values = |name: &Option<String>| -> Vec<String> {
        let Some(i) = name.as_ref().and_then(|n| headers.iter().position(|h| h.trim() == n)) else { return vec![] };
        data.iter().map(|r| r[i].trim().to_string()).filter(|v| !v.is_empty()).collect()
    };
    // A date field without a digit is a trailer's label (`Kontostand`, `Summe`), not a date.
    let dates: Vec<String> =
        values(&Some(date_column.clone())).into_iter().filter(|d| d.chars().any(|c| c.is_ascii_digit())).collect();
    // A type column is one whose every value says debit or credit.
    let type_column = type_column.filter(|_| amount_column.is_some()).filter(|t| {
        let v = values(&Some(t.clone()));
        !v.is_empty() && v.iter().all(|x| debit(x).is_some())
    });
    let fits: Vec<&(&str, Option<DateOrder>)> = DATE_FORMATS
        .iter()
        .filter(|(f, _)| !dates.is_empty() && dates.iter().all(|d| read_date(d, f).is_some()))
        .collect();
    let date_format = match fits.as_slice() {
        // A header and no rows: nothing to learn the format from, and nothing it would read.
        [] if dates.is_empty() => {
            notes.push("no rows to learn the date format from: %Y-%m-%d assumed".into());
            "%Y-%m-%d".to_string()
        }
        [] => anyhow::bail!("the {date_column:?} column has no date format tally knows (e.g. {:?})", dates[0]),
        [(f, _)] => f.to_string(),
        several => {
            let orders: Vec<Option<DateOrder>> = several.iter().map(|(_, o)| *o).collect();
            match order {
                Some(o) => several
                    .iter()
                    .find(|(_, fo)| *fo == Some(o))
                    .map(|(f, _)| f.to_string())
                    .unwrap_or_else(|| several[0].0.to_string()),
                None if orders.contains(&Some(DateOrder::Dmy)) && orders.contains(&Some(DateOrder::Mdy)) => {
                    let what = format!("the dates in {date_column:?}");
                    return Err(ImportError::ambiguous_dates(&what, dates.first().map(String::as_str).unwrap_or("")));
                }
                None => several[0].0.to_string(),
            }
        }
    };
    let amounts: Vec<String> = [&amount_column, &debit_column, &credit_column].into_iter().flat_map(values).collect();
    let decided = super::number::detect(amounts.iter().map(String::as_str));
    let decimal = decided.map(|(d, _)| d);
    let style = super::number::describe(decided);
    let shapes = super::number::shapes(amounts.iter().map(String::as_str));
    let timed = dates.iter().any(|d| chrono::NaiveDate::parse_from_str(d, &date_format).is_err());
    if header_at > 0 {
        notes.push(format!("{header_at} line(s) before the header are skipped"));
    }
    let times = if timed { " (the time of day after them is ignored)" } else { "" };
    let example = dates.first().map_or(String::new(), |d| format!(" (as {d:?})"));
    notes.push(format!("{} sample rows; dates look like {date_format}{example}{times}; {style}{shapes}", data.len()));
    let profile = Profile {
        delimiter,
        encoding,
        skip_lines: header_at,
        date_column,
        date_format,
        amount_column,
        debit_column,
        credit_column,
        decimal,
        description_column,
        payee_column,
        id_column,
        currency: None,
        currency_column,
        type_column,
        category_column,
        account_column: account_column.clone(),
        header: has_header,
    };
    notes.push(roles(&headers, &profile));
    if let Some(account) = &account_column {
        let mut names = values(&Some(account.clone()));
        names.sort();
        names.dedup();
        let some: Vec<String> = names.iter().take(3).map(|n| format!("{n:?}")).collect();
        let more = if names.len() > 3 { ", …" } else { "" };
        notes.push(format!(
            "column {account:?} names {} account(s) in the sample ({}{more}): each row goes to the tally account of \
             its name (--create-account creates the missing ones; --account NAME puts every row in one)",
            names.len(),
            some.join(", ")
        ));
    }
    Ok(Detected { profile: validate(profile)?, notes, warnings: Vec::new(), rows: dates.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_a_german_export_with_preamble_and_decimal_comma() {
        let file = "Konto;DE89370400440532013000\nZeitraum;01.11.2026 - 30.11.2026\n\n\
                    Buchungstag;Valutadatum;Beguenstigter/Zahlungspflichtiger;Verwendungszweck;Betrag\n\
                    02.11.2026;02.11.2026;REWE;REWE SAGT DANKE;-23,45\n\
                    15.11.2026;15.11.2026;ACME GmbH;Gehalt;2.500,00\n";
        let d = detect(file.as_bytes(), None).unwrap();
        assert_eq!(d.profile.delimiter, ';');
        assert_eq!(d.profile.skip_lines, 3);
        assert_eq!(d.profile.date_format, "%d.%m.%Y");
        assert_eq!(d.profile.decimal, Some(','));
        assert_eq!(d.profile.amount_column.as_deref(), Some("Betrag"));
        assert_eq!(d.profile.payee_column.as_deref(), Some("Beguenstigter/Zahlungspflichtiger"));
    }

    #[test]
    fn ambiguous_dates_are_asked_for_not_guessed() {
        let file = "Date,Description,Amount\n03/04/2026,Coffee,-4.50\n05/06/2026,Rent,-1850.00\n";
        let err = detect(file.as_bytes(), None).unwrap_err();
        assert!(matches!(ImportError::of(&err), Some(ImportError::AmbiguousDates { .. })), "{err}");
        assert!(format!("{err:#}").contains("could be day-first or month-first: e.g. 03/04/2026"), "{err:#}");
        let d = detect(file.as_bytes(), Some(DateOrder::Dmy)).unwrap();
        assert_eq!(d.profile.date_format, "%d/%m/%Y");
        // One date past the 12th settles it.
        let file = "Date,Description,Amount\n03/04/2026,Coffee,-4.50\n05/16/2026,Rent,-1850.00\n";
        assert_eq!(detect(file.as_bytes(), None).unwrap().profile.date_format, "%m/%d/%Y");
    }

    #[test]
    fn debit_and_credit_columns() {
        let file = "Date;Text;Debit;Credit\n2026-11-02;Coffee;4,50;\n2026-11-03;Refund;;12,00\n";
        let d = detect(file.as_bytes(), None).unwrap();
        assert_eq!(
            (d.profile.debit_column.as_deref(), d.profile.credit_column.as_deref()),
            (Some("Debit"), Some("Credit"))
        );
        assert_eq!(d.profile.decimal, Some(','));
    }

    #[test]
    fn a_header_alone_is_a_profile_with_no_rows() {
        let d = detect(b"Date,Description,Amount\n", None).unwrap();
        assert_eq!((d.rows, d.profile.amount_column.as_deref()), (0, Some("Amount")));
        assert!(d.notes.iter().any(|n| n.contains("no rows")), "{:?}", d.notes);
        let err = detect(b"Date,Description,Amount\nyesterday 1,x,1\n", None).unwrap_err();
        assert!(err.to_string().contains("no date format tally knows (e.g. \"yesterday 1\")"), "{err}");
    }

    #[test]
    fn dates_with_a_time_of_day_read_as_their_date() {
        let d = |s: &str, f: &str| read_date(s, f).map(|d| d.to_string());
        assert_eq!(d("2015-01-23T10:12:00+01:00", "%Y-%m-%d").as_deref(), Some("2015-01-23"));
        assert_eq!(d("01/23/2015 9:05 PM", "%m/%d/%Y").as_deref(), Some("2015-01-23"));
        assert_eq!(d("Jan 23, 2015", "%b %d, %Y").as_deref(), Some("2015-01-23"));
        assert_eq!(d("23-Jan-15", "%d-%b-%y").as_deref(), Some("2015-01-23"));
        for (s, f) in [("02.11.2026", "%d.%m.%y"), ("2015-01-23 x", "%Y-%m-%d"), ("2015-01-2310:12", "%Y-%m-%d")] {
            assert_eq!(d(s, f), None, "{s} in {f}");
        }
    }

    #[test]
    fn built_in_profiles_parse() {
        for name in built_in_names() {
            validate(load(name, Path::new("/nonexistent")).unwrap()).unwrap();
        }
    }
}
