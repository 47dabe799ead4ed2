//! Shared by the import targets: open bytes as one format and read every row; errors are fine,
//! panics, aborts and runaway memory are what the fuzzer looks for.

use std::io::Cursor;

use tally::import::{self, Format, Options, input::Input};
use tally::money::Currency;

pub fn import_all(data: &[u8], format: Format) {
    let run = || -> anyhow::Result<()> {
        let mut input = Input::from_reader("fuzz".into(), None, Box::new(Cursor::new(data.to_vec())))?;
        let eur = Currency::parse("EUR")?;
        let options = Options { currency: Some(eur), ..Options::default() };
        let mut importer = import::open(&mut input, format, &options)?;
        for index in 0..importer.statements().len() {
            for row in importer.rows(index, eur)? {
                row?;
            }
        }
        Ok(())
    };
    let _ = run();
}
