//! Hostile files through the whole import path (detection, then the format's parser, then every
//! row of every statement): arbitrary bytes, deeply nested and oversized documents end in an
//! error or in rows, never in a panic. Each parser also has its own proptest beside it.

use std::io::Cursor;

use proptest::prelude::*;
use tally::import::{self, Format, Options, input::Input};
use tally::money::Currency;

/// Open `bytes` as `format` and read every row; the error, if any, as text.
fn import_all(bytes: Vec<u8>, format: Format) -> Result<usize, String> {
    let run = || -> anyhow::Result<usize> {
        let mut input = Input::from_reader("hostile".into(), None, Box::new(Cursor::new(bytes)))?;
        let options = Options { currency: Some(Currency::parse("EUR")?), ..Options::default() };
        let mut importer = import::open(&mut input, format, &options)?;
        let mut rows = 0;
        for index in 0..importer.statements().len() {
            for row in importer.rows(index, Currency::parse("EUR")?)? {
                row?;
                rows += 1;
            }
        }
        Ok(rows)
    };
    run().map_err(|e| format!("{e:#}"))
}

const FORMATS: [Format; 5] = [Format::Auto, Format::Csv, Format::Ofx, Format::Qif, Format::Camt];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000), f in 0..5usize) {
        let _ = import_all(bytes, FORMATS[f]);
    }

    /// Bytes that start like each format get past detection into the parsers.
    #[test]
    fn plausible_prefixes_with_garbage_never_panic(
        prefix in prop::sample::select(vec![
            "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST><STMTTRN>",
            "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt>",
            "!Type:Bank\nD01/02/2026\nT-",
            "Date,Amount,Description\n2026-01-02,",
        ]),
        tail in "\\PC{0,300}",
    ) {
        let _ = import_all(format!("{prefix}{tail}").into_bytes(), Format::Auto);
    }
}

#[test]
fn deeply_nested_documents_are_an_error_or_rows_not_a_stack_overflow() {
    let depth = 100_000;
    let camt = format!(
        "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">{}{}</Document>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let ofx = format!("OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>{}</OFX>", "<STMTTRN>".repeat(depth));
    for (name, doc) in [("camt", camt), ("ofx", ofx)] {
        let result = import_all(doc.into_bytes(), Format::Auto);
        assert!(matches!(result, Err(_) | Ok(0)), "{name}: {result:?}");
    }
}

#[test]
fn an_oversized_field_is_read_or_refused_whole() {
    let huge = "9".repeat(5_000_000);
    let csv = format!("Date,Amount,Description\n2026-01-02,{huge},x\n");
    assert!(import_all(csv.into_bytes(), Format::Csv).is_err(), "an amount of 5 million digits is no amount");
    let qif = format!("!Type:Bank\nD01/02/2026\nT-1.00\nP{}\n^\n", "A".repeat(5_000_000));
    let _ = import_all(qif.into_bytes(), Format::Qif);
}
