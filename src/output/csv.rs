//! CSV for scripts: a header from the field names, and cells a spreadsheet cannot run.

use std::io::Write;

use anyhow::Result;

use super::Cells;

pub fn write(out: &mut impl Write, rows: &[Cells]) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let mut w = csv::Writer::from_writer(out);
    w.write_record(first.iter().map(|(k, _)| k))?;
    for row in rows {
        w.write_record(row.iter().map(|(_, v)| neutralize(v).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

/// Prefix `'` to a cell a spreadsheet would run as a formula (OWASP "CSV injection"). Plain
/// negative numbers stay as they are, so amounts remain numbers.
fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
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
