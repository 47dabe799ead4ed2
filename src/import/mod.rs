//! File import: each format is an [`Importer`] that turns a statement file into its accounts
//! and their rows; from there the rows take the same reconcile path as synced ones
//! (`run` here, `sync::reconcile`), so an imported statement and a synced account never
//! double-count. An importer never knows what happens to its rows.
//!
//! The format is detected from the content, not the name. Each input is read once
//! ([`Input`]), so stdin, pipes and FIFOs import like files. Rows stream (a CSV of a million
//! lines is never held in memory); OFX, CAMT and QIF files, which are small, are parsed whole.
//! Rows are kept as raw records with what it takes to read them again (`replay`).

pub mod archive;
pub mod camt;
pub mod columns;
pub mod csv;
pub mod input;
pub mod number;
pub mod ofx;
pub mod profile;
pub mod qif;
pub mod replay;
pub mod run;
pub mod tally;
pub mod text;

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::error::UserError;
use crate::model::NewTransaction;
use crate::money::Currency;
pub use input::Input;
use profile::{DateOrder, Profile};

/// A statement file format. Opening reads as much as it takes to name the file's accounts;
/// each account's rows are read once its target account, and so its currency, is known.
pub trait Importer {
    /// `csv`: the raw records of its rows say `import:csv`.
    fn name(&self) -> &'static str;
    /// Each statement's account and balance, in file order.
    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)>;
    /// What is worth a warning but imports anyway (CAMT balances that do not add up).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// The column whose value names each row's account, when rows name their own (a CSV
    /// exported by a money app for all its accounts): they are routed by it.
    fn routed_by(&self) -> Option<String> {
        None
    }
    /// Statement `index`'s rows in `currency` (its target account's), in file order.
    fn rows(&mut self, index: usize, currency: Currency) -> Result<Box<dyn RowStream + '_>>;
    /// Statement `index`'s rows read in their own currency (rows routed by name, to accounts
    /// of their own), `currency` where a row names none.
    fn own_rows(&mut self, index: usize, currency: Option<Currency>) -> Result<Box<dyn RowStream + '_>> {
        let currency = currency.ok_or_else(|| {
            UserError::usage("the rows' currency is not known").hint("say which with --currency CODE")
        })?;
        self.rows(index, currency)
    }
}

/// One statement's rows as they are read, and how a replay reads their raw text again.
pub trait RowStream: Iterator<Item = Result<Row>> {
    /// What reading the rows so far again needs besides their raw text: the format, and what
    /// the file decided (a CSV profile with its number style, a QIF file's date order).
    fn reader(&self) -> replay::Reader;
}

/// Rows read up front, for the formats parsed whole.
struct Listed {
    rows: std::vec::IntoIter<Result<Row>>,
    reader: replay::Reader,
}

impl Iterator for Listed {
    type Item = Result<Row>;
    fn next(&mut self) -> Option<Result<Row>> {
        self.rows.next()
    }
}

impl RowStream for Listed {
    fn reader(&self) -> replay::Reader {
        self.reader.clone()
    }
}

/// A parsed statement's rows, handed out once.
fn listed(statement: &mut Statement<'static>, reader: replay::Reader) -> Box<dyn RowStream> {
    let rows = std::mem::replace(&mut statement.rows, Box::new(std::iter::empty()));
    Box::new(Listed { rows: rows.collect::<Vec<_>>().into_iter(), reader })
}

/// Errors a caller branches on.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Dates like 03/04/2026, and nothing in the file says which comes first: the caller may
    /// ask, then open the file again with the answer.
    #[error("e.g. {example}")]
    AmbiguousDates { example: String, candidates: [DateOrder; 2] },
}

impl ImportError {
    /// The `ImportError` anywhere in `e`'s chain.
    pub fn of(e: &anyhow::Error) -> Option<&ImportError> {
        e.chain().find_map(|c| c.downcast_ref::<ImportError>())
    }

    /// `what` (`the dates in "Date"`) could be either order; the hint says how to choose.
    pub fn ambiguous_dates(what: &str, example: &str) -> anyhow::Error {
        let candidates = [DateOrder::Dmy, DateOrder::Mdy];
        anyhow::Error::new(ImportError::AmbiguousDates { example: example.to_string(), candidates }).context(
            UserError::usage(format!("{what} could be day-first or month-first"))
                .hint("say which with --date-order dmy or --date-order mdy"),
        )
    }
}

/// How deep the tree parsers (OFX, CAMT) let elements nest: real statements stay under 20;
/// a hostile file nested 100,000 deep would overflow the stack when its tree is dropped.
pub const MAX_DEPTH: usize = 256;

/// What opening a file needs besides the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// For dates like 03/04/2026.
    pub date_order: Option<DateOrder>,
    /// A CSV profile the user chose (read for CSV files only); else one is detected.
    pub profile: Option<ProfileChoice>,
    /// The currency of files that name none (QIF, most CSV).
    pub currency: Option<Currency>,
}

/// A CSV profile by name, or one already loaded.
#[derive(Debug, Clone)]
pub enum ProfileChoice {
    /// Built in, or `NAME.toml` in the directory.
    Named {
        name: String,
        dir: std::path::PathBuf,
    },
    Loaded(Box<Profile>),
}

/// `wanted`, or the format the input's head shows.
pub fn format_of(input: &Input, wanted: Format) -> Result<Format> {
    match wanted {
        Format::Auto => detect(input.head()).ok_or_else(|| {
            UserError::failure(format!("cannot tell what kind of file {} is", input.name()))
                .hint("tally reads OFX/QFX, CSV, CAMT.052/053/054 (or a zip of them) and QIF; if it is one of those, say which with --file-format")
                .into()
        }),
        f => Ok(f),
    }
}

/// The CSV profile for `input`: the one chosen (with no notes and `rows: 0`, nothing having
/// been sampled), else the one detected from its head.
pub fn csv_profile(input: &Input, options: &Options) -> Result<profile::Detected> {
    let chosen = match &options.profile {
        Some(ProfileChoice::Named { name, dir }) => profile::load(name, dir)?,
        Some(ProfileChoice::Loaded(p)) => (**p).clone(),
        None => {
            let detected = profile::detect(input.head(), options.date_order)?;
            // No row in the head, and more to come: rows too long to sample (past HEAD_MAX), or
            // lines that are not rows. Either way nothing to detect the columns from.
            if detected.rows == 0 && !input.complete() {
                return Err(UserError::failure(format!(
                    "{}: no row with a date in its first {} KiB, so tally cannot tell its columns",
                    input.name(),
                    input.head().len() / 1024
                ))
                .hint("describe the file in a profile and use --profile NAME (`tally import --inspect` on a shorter sample prints one)")
                .into());
            }
            return Ok(detected);
        }
    };
    Ok(profile::Detected { profile: chosen, notes: Vec::new(), warnings: Vec::new(), rows: 0 })
}

/// Open a statement file as its format's importer. The input is read once: a CSV keeps its
/// stream for when its rows are read, the other formats read it whole now.
pub fn open(input: &mut Input, wanted: Format, options: &Options) -> Result<Box<dyn Importer>> {
    let name = input.name().to_string();
    if archive::is_zip(input.head()) && matches!(wanted, Format::Auto | Format::Camt) {
        return Ok(Box::new(archive::Archive::read(&name, input.bytes()?, options)?));
    }
    Ok(match format_of(input, wanted)? {
        Format::Ofx => Box::new(ofx::Ofx::read(&name, input.bytes()?)?),
        Format::Camt => Box::new(camt::Camt::read(&name, input.bytes()?)?),
        Format::Qif => Box::new(qif::Qif::read(&name, input.bytes()?, options.date_order)?),
        Format::Tally => Box::new(tally::Tally::read(&name, input.bytes()?)?),
        Format::Csv | Format::Auto => {
            let detected = csv_profile(input, options)?;
            let whole = input.complete().then(|| input.head().to_vec());
            let mut csv = csv::Csv::new(&name, input.stream()?, whole.as_deref(), detected.profile, options.currency)?;
            csv.warnings = detected.warnings.iter().map(|w| format!("{name}: {w}")).collect();
            Box::new(csv)
        }
    })
}

/// The formats `tally import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Decide from the file's content
    Auto,
    /// OFX 1.x (SGML) or 2.x (XML), QFX
    Ofx,
    /// Delimited text, with a profile or detected columns
    Csv,
    /// ISO 20022 CAMT.053 statements, CAMT.052 reports and CAMT.054 notifications
    Camt,
    /// Quicken Interchange Format
    Qif,
    /// tally's own `export csv|json|jsonl`
    Tally,
}

/// What a file says about the account it belongs to.
#[derive(Debug, Clone, Default)]
pub struct AccountHint {
    /// Stable identity to match a known account: `iban:…`, `ofx:BANKID:ACCTID`.
    pub identity: Option<String>,
    /// A name for a new account.
    pub name: Option<String>,
    pub kind: Option<crate::model::AccountKind>,
    pub currency: Option<crate::money::Currency>,
}

/// A balance the statement reports.
#[derive(Debug, Clone)]
pub struct Balance {
    pub amount: i64,
    pub as_of: DateTime<Utc>,
}

/// One row of a statement, with the raw text it came from and where.
#[derive(Debug, Clone)]
pub struct Row {
    pub tx: NewTransaction,
    pub raw: String,
    /// `file.csv:12`, or an element path in XML formats.
    pub location: String,
    /// The account the row names itself (a CSV's account column), for routing by name.
    pub account: Option<String>,
}

/// One account's part of a file.
pub struct Statement<'a> {
    pub account: AccountHint,
    pub balance: Option<Balance>,
    pub rows: Box<dyn Iterator<Item = Result<Row>> + 'a>,
}

impl std::fmt::Debug for Statement<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement").field("account", &self.account).finish_non_exhaustive()
    }
}

/// Guess the format from the first bytes of a file.
pub fn detect(head: &[u8]) -> Option<Format> {
    if tally::looks_like(head) {
        return Some(Format::Tally);
    }
    let text = text::Encoding::detect(head).decode(text::strip_bom(head)).to_ascii_uppercase();
    let start = text.trim_start();
    if start.starts_with("OFXHEADER") || text.contains("<OFX>") || text.contains("<?OFX") {
        return Some(Format::Ofx);
    }
    if ["BKTOCSTMRSTMT", "BKTOCSTMRACCTRPT", "BKTOCSTMRDBTCDTNTFCTN", "CAMT.05"].iter().any(|c| text.contains(c)) {
        return Some(Format::Camt);
    }
    if start.starts_with("!TYPE:") || start.starts_with("!ACCOUNT") || start.starts_with("!OPTION") {
        return Some(Format::Qif);
    }
    // QIF without a header (some apps write none): a date record first, records ending in `^`.
    if start.starts_with('D')
        && start[1..].trim_start().starts_with(|c: char| c.is_ascii_digit())
        && start.lines().any(|l| l.trim() == "^")
    {
        return Some(Format::Qif);
    }
    if start.starts_with('<') || text.bytes().any(|b| b == 0) {
        return None;
    }
    let first = start.lines().next().unwrap_or("");
    [',', ';', '\t', '|'].iter().any(|d| first.contains(*d)).then_some(Format::Csv)
}

/// `e` said at `place` (`file.csv:12: …`), keeping its hint and exit code.
pub(crate) fn at(e: anyhow::Error, place: &str) -> anyhow::Error {
    match e.downcast::<crate::error::UserError>() {
        Ok(u) => crate::error::UserError { message: format!("{place}: {}", u.message), ..u }.into(),
        Err(e) => anyhow::anyhow!("{place}: {e}"),
    }
}

/// The file's name for messages: `statement.csv`.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"OFXHEADER:100\nDATA:OFXSGML\n<OFX>"), Some(Format::Ofx));
        assert_eq!(detect(b"<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?><OFX>"), Some(Format::Ofx));
        assert_eq!(detect(b"\xEF\xBB\xBFDate,Amount,Description\n"), Some(Format::Csv));
        assert_eq!(detect(b"Buchungstag;Betrag\n"), Some(Format::Csv));
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"),
            Some(Format::Camt)
        );
        assert_eq!(detect(b"!Type:Bank\nD11/02/2026\n"), Some(Format::Qif));
        assert_eq!(detect(b"D01/05/2026\nT-4.25\nPCOFFEE\n^\n"), Some(Format::Qif), "QIF without a header");
        assert_eq!(detect(b"Date,Amount\n2026-01-05,1\n"), Some(Format::Csv));
        assert_eq!(detect(b"\x00\x01\x02 binary"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_head_with_no_rows_and_more_to_come_says_why_it_cannot_detect() {
        let text = format!("Date,Description,Amount\n{}2026-11-02,x,1\n", "Summe,total,1\n".repeat(6000));
        let input = Input::from_reader("big.csv".into(), None, Box::new(std::io::Cursor::new(text))).unwrap();
        let err = csv_profile(&input, &Options::default()).unwrap_err();
        assert!(err.to_string().starts_with("big.csv: no row with a date in its first 6"), "{err}");
    }
}
