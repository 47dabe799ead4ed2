//! Every byte the user sees goes through here: data to stdout (table, CSV or JSON from one
//! `Serialize` row type), status, warnings and hints to stderr, and the final error report.

mod csv;
mod table;

use std::io::{IsTerminal as _, Write as _};

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

    /// A listing: one row type drives all three formats.
    pub fn rows<T: Serialize>(&self, rows: &[T]) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, rows)?;
                writeln!(out)?;
            }
            Format::Csv => csv::write(&mut out, &cells_of(rows)?)?,
            Format::Table => {
                if rows.is_empty() {
                    self.status("(nothing to show)");
                    return Ok(());
                }
                writeln!(out, "{}", table::render(&cells_of(rows)?, self.width))?;
            }
        }
        out.flush()?;
        Ok(())
    }

    /// One record (`show` commands): a two-column table, one CSV row, or a JSON object.
    pub fn record<T: Serialize>(&self, record: &T) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, record)?;
                writeln!(out)?;
            }
            Format::Csv => csv::write(&mut out, &cells_of(std::slice::from_ref(record))?)?,
            Format::Table => {
                let cells = cells_of(std::slice::from_ref(record))?.remove(0);
                writeln!(out, "{}", table::render_pairs(&cells, self.width))?;
            }
        }
        out.flush()?;
        Ok(())
    }

    /// A plain line of data on stdout (a path, a URL a script wants).
    pub fn line(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")?;
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

/// Serialize rows through JSON so that table and CSV show exactly what JSON shows.
fn cells_of<T: Serialize>(rows: &[T]) -> Result<Vec<Cells>> {
    rows.iter()
        .map(|row| match serde_json::to_value(row)? {
            serde_json::Value::Object(map) => Ok(map.into_iter().map(|(k, v)| (k, cell_text(v))).collect()),
            other => anyhow::bail!("internal: row serialized as {other}, not an object"),
        })
        .collect()
}

fn cell_text(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}
