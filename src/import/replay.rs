//! Imported rows kept for `sync --replay`: a file's rows are stored in blocks (one raw record
//! per [`BLOCK`] rows), each block a header line saying how to read it again (the format, what
//! the file decided, the currency, its place in the file) and one line per row with where it
//! came from and its raw text. Reading a block back gives the rows an import would have made
//! of it; applying them is the caller's business.

use anyhow::{Context as _, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::profile::Profile;
use super::{Row, camt, csv, ofx, qif, tally};
use crate::model::NewTransaction;
use crate::money::Currency;

/// How many of a statement's rows share one raw record.
pub const BLOCK: usize = 1000;

/// How to read a block's raw rows again: per format, what the file decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum Reader {
    Csv { profile: Box<Profile>, columns: Vec<String> },
    Ofx,
    Camt,
    Qif { day_first: bool, decimal: Option<char> },
    Tally,
}

/// A block's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    #[serde(flatten)]
    pub reader: Reader,
    /// The currency the rows were read in (the account's).
    pub currency: String,
    /// The block's place in its statement: 0 starts a statement (and its per-file state).
    pub part: u32,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    tally_import: Header,
}

/// The raw record body for `rows`.
pub fn body(header: &Header, rows: &[Row]) -> String {
    let envelope = Envelope { tally_import: header.clone() };
    let mut out = serde_json::to_string(&envelope).expect("serializes");
    for r in rows {
        out.push('\n');
        out.push_str(&serde_json::to_string(&(&r.location, &r.raw)).expect("serializes"));
    }
    out
}

/// A block's header and its rows' (location, raw text).
pub fn parse(body: &str) -> Result<(Header, Vec<(String, String)>)> {
    let mut lines = body.lines();
    let first = lines.next().unwrap_or("");
    let envelope: Envelope = serde_json::from_str(first).map_err(|_| {
        crate::error::UserError::failure(
            "these imported rows were stored by an older tally, without what replay needs to read them again",
        )
        .hint("the account was left as it was; rows imported from this version on can be replayed")
    })?;
    let rows = lines
        .map(|l| serde_json::from_str::<(String, String)>(l).with_context(|| format!("stored row {l:?}")))
        .collect::<Result<_>>()?;
    Ok((envelope.tally_import, rows))
}

/// What a statement's reading carried from block to block.
enum State {
    Csv(csv::Resume),
    Qif(qif::Resume),
    Camt(camt::Resume),
    Ofx,
}

/// Reads one account's import blocks in the order they were stored.
#[derive(Default)]
pub struct Replayer {
    state: Option<State>,
}

impl Replayer {
    /// The rows of the block in `body`, and whether it starts a statement (a new file's
    /// rows, which claim stored rows afresh).
    pub fn block(&mut self, body: &str) -> Result<(bool, Vec<NewTransaction>)> {
        let (header, rows) = parse(body)?;
        let currency = Currency::parse(&header.currency)?;
        let starts = header.part == 0;
        if starts || self.state.is_none() {
            self.state = Some(match &header.reader {
                Reader::Csv { profile, .. } => State::Csv(csv::Resume::new(profile)),
                Reader::Qif { decimal, .. } => State::Qif(qif::Resume::new(*decimal)),
                Reader::Camt => State::Camt(camt::Resume::default()),
                Reader::Ofx | Reader::Tally => State::Ofx,
            });
        }
        let state = self.state.as_mut().expect("set above");
        let raws: Vec<&str> = rows.iter().map(|(_, raw)| raw.as_str()).collect();
        let txs = match (&header.reader, state) {
            (Reader::Csv { profile, columns }, State::Csv(resume)) => {
                csv::reread(profile, columns, currency, &raws, resume)?
            }
            (Reader::Ofx, State::Ofx) => raws.iter().map(|r| ofx::reread(r, currency)).collect::<Result<_>>()?,
            (Reader::Tally, State::Ofx) => raws.iter().map(|r| tally::reread(r, currency)).collect::<Result<_>>()?,
            (Reader::Qif { day_first, .. }, State::Qif(resume)) => {
                raws.iter().map(|r| qif::reread(r, *day_first, currency, resume)).collect::<Result<_>>()?
            }
            (Reader::Camt, State::Camt(resume)) => {
                raws.iter().map(|r| camt::reread(r, currency, resume)).collect::<Result<_>>()?
            }
            _ => bail!("a block continues a statement of another format"),
        };
        let at = rows.first().map_or("", |(location, _)| location.as_str());
        if txs.len() != rows.len() {
            return Err(anyhow!("{at}: {} stored rows read as {}", rows.len(), txs.len()));
        }
        Ok((starts, txs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Format, Options, open};

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
    }

    /// Every statement of a file stored in blocks of `size` rows, then read back.
    fn round_trip(name: &str, options: &Options, size: usize) {
        let mut input = crate::import::Input::open(&fixture(name)).unwrap();
        let mut importer = open(&mut input, Format::Auto, options).unwrap();
        for (i, (hint, _)) in importer.statements().into_iter().enumerate() {
            let currency = hint.currency.or(options.currency).unwrap();
            let mut rows = importer.rows(i, currency).unwrap();
            let (mut read, mut bodies) = (Vec::new(), Vec::new());
            loop {
                let block: Vec<Row> = (&mut rows).take(size).map(Result::unwrap).collect();
                if block.is_empty() {
                    break;
                }
                let header =
                    Header { reader: rows.reader(), currency: currency.code().into(), part: bodies.len() as u32 };
                bodies.push(body(&header, &block));
                read.extend(block.into_iter().map(|r| r.tx));
            }
            assert!(!read.is_empty(), "{name}");
            let mut replayer = Replayer::default();
            let mut again = Vec::new();
            for (part, b) in bodies.iter().enumerate() {
                let (starts, txs) = replayer.block(b).unwrap_or_else(|e| panic!("{name}: {e:#}"));
                assert_eq!(starts, part == 0);
                again.extend(txs);
            }
            assert_eq!(again, read, "{name}, blocks of {size}");
        }
    }

    #[test]
    fn every_format_reads_its_stored_rows_back_the_same() {
        let usd = Options { currency: Some(Currency::parse("USD").unwrap()), ..Default::default() };
        for size in [1, 1000] {
            for name in ["bank-sgml.ofx", "savings-xml.ofx", "statement.camt053.xml", "report.camt052.xml"] {
                round_trip(name, &Options::default(), size);
            }
            // Two identical purchases a block apart keep their ids: the count carries over.
            round_trip("two-accounts.qif", &usd, size);
            round_trip(
                "bom-debit-credit.csv",
                &Options { currency: Some(Currency::parse("EUR").unwrap()), ..usd.clone() },
                size,
            );
            round_trip("us-checking.csv", &usd, size);
            round_trip("tally-export.csv", &usd, size);
            let mdy = Options { date_order: Some(crate::import::profile::DateOrder::Mdy), ..usd.clone() };
            round_trip("ambiguous.qif", &mdy, size);
            let giro = crate::import::profile::load("de-giro", std::path::Path::new("/nonexistent")).unwrap();
            let profile = Some(crate::import::ProfileChoice::Loaded(Box::new(giro)));
            round_trip("de-giro.csv", &Options { profile, ..Default::default() }, size);
        }
    }

    #[test]
    fn a_block_from_before_headers_is_refused_with_a_hint() {
        let err = Replayer::default().block("statement.csv:2\t2026-11-02;x;1\n").unwrap_err();
        let hint = crate::error::user_error(&err).and_then(|u| u.hint.as_deref()).unwrap();
        assert!(hint.contains("the account was left as it was"), "{hint}");
    }
}
