//! Every byte the user sees goes through here: data to stdout (table, CSV or JSON from one
//! `Serialize` row type), status, warnings and hints to stderr, and the final error report.

mod csv;
mod table;

pub use csv::neutralize;
pub use table::escape;

use std::io::{IsTerminal as _, Write};

use anyhow::Result;
use serde::Serialize;

/// How listings are printed: tables for people, CSV and JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug)]
pub struct Output {
    format: Format,
    quiet: bool,
    /// How wide tables may be: `COLUMNS`, else the terminal's (comfy-table asks it).
    width: Option<u16>,
}

/// A record flattened to (key, cell text) pairs, in field order.
type Cells = Vec<(String, String)>;

impl Output {
    pub fn new(format: Format, color: ColorWhen, quiet: bool) -> Output {
        // A flag beats NO_COLOR/CLICOLOR, which anstream reads for `auto`.
        let choice = match color {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
        Output { format, quiet, width: None }
    }

    /// Tables at most this wide (`COLUMNS`); without it, the terminal's width.
    pub fn with_width(mut self, width: Option<u16>) -> Output {
        self.width = width;
        self
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// A listing: one row type drives all three formats. With no rows, a table says so on
    /// stderr, JSON is `[]` and CSV is the header alone, which `T::default()` provides: a
    /// script reading the columns by name works on an empty result too.
    pub fn rows<T: Serialize + Default>(&self, rows: &[T]) -> Result<()> {
        if self.format == Format::Table && rows.is_empty() {
            self.status("(nothing to show)");
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        write_rows(&mut out, self.format, self.width, rows)?;
        out.flush()?;
        Ok(())
    }

    /// One record (`show` commands): a two-column table, one CSV row, or a JSON object.
    pub fn record<T: Serialize>(&self, record: &T) -> Result<()> {
        let mut out = std::io::stdout().lock();
        write_record(&mut out, self.format, self.width, record)?;
        out.flush()?;
        Ok(())
    }

    /// A plain line of data on stdout (a path, a URL a script wants).
    pub fn line(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")?;
        Ok(())
    }

    /// A document on stdout exactly as given (an export), without a newline added.
    pub fn data(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// Progress and status for people, on stderr; silenced by `-q`.
    pub fn status(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(anstream::stderr(), "{message}");
        }
    }

    /// A warning: on stderr even with `-q`, because it needs a person's attention.
    pub fn warn(&self, message: &str) {
        let style = anstyle::AnsiColor::Yellow.on_default().bold();
        let _ = writeln!(anstream::stderr(), "{style}warning:{style:#} {message}");
    }

    /// What to do about the warning just printed; shown even with `-q`, like the warning.
    pub fn hint(&self, message: &str) {
        let style = anstyle::AnsiColor::Cyan.on_default();
        let _ = writeln!(anstream::stderr(), "{style}hint:{style:#} {message}");
    }

    /// A progress bar on stderr, drawn only when stderr is a terminal and not `-q`.
    pub fn progress(&self, message: &str) -> indicatif::ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }
}

/// `error:`, then `caused by:` for each cause, then `hint:`.
pub fn print_error(err: &anyhow::Error, hint: Option<&str>) {
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let cyan = anstyle::AnsiColor::Cyan.on_default();
    let mut e = anstream::stderr();
    let _ = writeln!(e, "{red}error:{red:#} {err}");
    for cause in err.chain().skip(1) {
        let _ = writeln!(e, "caused by: {cause}");
    }
    if let Some(hint) = hint {
        let _ = writeln!(e, "{cyan}hint:{cyan:#} {hint}");
    }
}

fn write_rows<T: Serialize + Default>(
    out: &mut impl Write,
    format: Format,
    width: Option<u16>,
    rows: &[T],
) -> Result<()> {
    match format {
        Format::Json => json(out, rows),
        Format::Csv => {
            let cells = cells_of(rows)?;
            let header = match cells.first() {
                Some(first) => keys(first),
                None => keys(&cells_of(&[T::default()])?.remove(0)),
            };
            csv::write(out, &header, &cells)
        }
        Format::Table => Ok(writeln!(out, "{}", table::render(&cells_of(rows)?, width))?),
    }
}

fn write_record<T: Serialize>(out: &mut impl Write, format: Format, width: Option<u16>, record: &T) -> Result<()> {
    match format {
        Format::Json => json(out, record),
        Format::Csv => {
            let cells = cells_of(std::slice::from_ref(record))?;
            csv::write(out, &keys(&cells[0]), &cells)
        }
        Format::Table => {
            let cells = cells_of(std::slice::from_ref(record))?.remove(0);
            Ok(writeln!(out, "{}", table::render_pairs(&cells, width))?)
        }
    }
}

/// Pretty JSON and a final newline. serde_json keeps a failed write's `io::Error` out of its
/// `source()` chain, so it is turned back into that `io::Error` here: a reader that went away
/// (`| head`) then looks like the broken pipe it is, and `error::exit` ends quietly.
fn json<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// Serialize rows through JSON so that table and CSV show exactly what JSON shows.
fn cells_of<T: Serialize>(rows: &[T]) -> Result<Vec<Cells>> {
    rows.iter()
        .map(|row| match serde_json::to_value(row)? {
            serde_json::Value::Object(map) => Ok(map.into_iter().map(|(k, v)| (k, cell_text(v))).collect()),
            other => anyhow::bail!("internal: row serialized as {other}, not an object"),
        })
        .collect()
}

fn keys(cells: &Cells) -> Vec<String> {
    cells.iter().map(|(k, _)| k.clone()).collect()
}

fn cell_text(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that went away: every write fails as a closed pipe does.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[derive(Serialize, Default)]
    struct Row {
        name: &'static str,
        amount: &'static str,
    }

    fn written(format: Format, rows: &[Row]) -> String {
        let mut out = Vec::new();
        write_rows(&mut out, format, None, rows).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_empty_listing_is_a_header_in_csv_and_an_empty_array_in_json() {
        assert_eq!(written(Format::Csv, &[]), "name,amount\n");
        assert_eq!(written(Format::Json, &[]), "[]\n");
        let one = [Row { name: "Coffee", amount: "-3.50" }];
        assert_eq!(written(Format::Csv, &one), "name,amount\nCoffee,-3.50\n");
    }

    /// What `error::exit` looks for to end quietly on `tally … | head`.
    fn is_broken_pipe(err: &anyhow::Error) -> bool {
        err.chain()
            .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
    }

    #[test]
    fn a_closed_pipe_is_reported_as_one_in_every_format() {
        // More than the CSV writer buffers, so the failure comes from a row, not the last flush.
        let rows: Vec<Row> = (0..1000).map(|_| Row { name: "Coffee", amount: "-3.50" }).collect();
        for format in [Format::Table, Format::Csv, Format::Json] {
            let err = write_rows(&mut ClosedPipe, format, None, &rows).unwrap_err();
            assert!(is_broken_pipe(&err), "{format:?}: {err:#}");
            let err = write_record(&mut ClosedPipe, format, None, &rows[0]).unwrap_err();
            assert!(is_broken_pipe(&err), "{format:?}: {err:#}");
        }
    }
}
