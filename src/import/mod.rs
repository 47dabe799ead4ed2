//! File import: each format turns a statement file into [`Statement`]s of domain rows; from
//! there the rows take the same reconcile path as synced ones (`sync::reconcile`), so an
//! imported statement and a synced account never double-count.
//!
//! The format is detected from the content, not the name. Rows stream (a CSV of a million
//! lines is never held in memory); OFX files, which are small, are parsed whole.

pub mod camt;
pub mod csv;
pub mod number;
pub mod ofx;
pub mod profile;
pub mod qif;
pub mod text;

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::model::NewTransaction;

/// The formats `tally import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Decide from the file's content
    Auto,
    /// OFX 1.x (SGML) or 2.x (XML), QFX
    Ofx,
    /// Delimited text, with a profile or detected columns
    Csv,
    /// ISO 20022 CAMT.053 statements and CAMT.052 reports
    Camt,
    /// Quicken Interchange Format
    Qif,
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
    let text = text::Encoding::detect(head).decode(text::strip_bom(head)).to_ascii_uppercase();
    let start = text.trim_start();
    if start.starts_with("OFXHEADER") || text.contains("<OFX>") || text.contains("<?OFX") {
        return Some(Format::Ofx);
    }
    if text.contains("BKTOCSTMRSTMT") || text.contains("BKTOCSTMRACCTRPT") || text.contains("CAMT.05") {
        return Some(Format::Camt);
    }
    if start.starts_with("!TYPE:") || start.starts_with("!ACCOUNT") || start.starts_with("!OPTION") {
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
        assert_eq!(detect(b"\x00\x01\x02 binary"), None);
        assert_eq!(detect(b""), None);
    }
}
