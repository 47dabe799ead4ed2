//! CSV for scripts: a header from the field names (even when there are no rows), and cells a
//! spreadsheet cannot run.

use std::io::Write;

use anyhow::Result;

use super::Cells;

/// The `header` line, then a line per row (each row's cells in the header's order).
pub fn write(out: &mut impl Write, header: &[String], rows: &[Cells]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header).map_err(plain_io)?;
    for row in rows {
        w.write_record(row.iter().map(|(_, v)| neutralize(v).into_owned())).map_err(plain_io)?;
    }
    w.flush()?;
    Ok(())
}

/// A `csv::Error` hides the `io::Error` of a failed write from `source()`; hand back an
/// `io::Error` of the same kind, so a reader that went away (`| head`) reads as a broken pipe.
fn plain_io(err: csv::Error) -> anyhow::Error {
    if let csv::ErrorKind::Io(io) = err.kind() {
        return std::io::Error::new(io.kind(), io.to_string()).into();
    }
    err.into()
}

/// Prefix `'` to a cell a spreadsheet would run as a formula (OWASP "CSV injection"). Plain
/// negative numbers stay as they are, so amounts remain numbers.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number =
        cell.strip_prefix('-').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if risky && !number { format!("'{cell}").into() } else { cell.into() }
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas_are_defused_numbers_are_not() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("-2+3"), "'-2+3");
        assert_eq!(neutralize("-12.50"), "-12.50");
        assert_eq!(neutralize("Coffee"), "Coffee");
    }
}
