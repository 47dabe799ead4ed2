//! The command line: the root `Cli` with its global flags, the `Command` enum, and flag
//! structs shared by several commands. Each subcommand's own flags live in its file.

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::commands::{
    accounts, alerts, budget, categories, categorize, config, connections, demo, doctor, encrypt, export, generate,
    import, init, link, purge, rates, recurring, report, restore, review, rules, sandbox, sync, transfers, tx,
};
use crate::error::EXIT_CODES_HELP;
use crate::output::{ColorWhen, Format};

/// Link your bank accounts, sync transactions into a local SQLite file, and report on them.
///
/// tally keeps your data on your machine: the database is a file you own, tokens live in the
/// OS keyring, and every command works offline once synced. Start with `tally demo` to see it
/// run against the built-in sandbox bank.
#[derive(Debug, Parser)]
#[command(name = "tally", version, after_long_help = EXIT_CODES_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The database file (default: tally.db in the XDG data directory; also TALLY_DB)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// How to print listings: a table for people, CSV or JSON for scripts
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// When to color the output
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Say more on stderr (repeat for more detail)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print nothing but data and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never prompt; fail with a hint where a choice is needed (implied without a terminal)
    #[arg(long, global = true)]
    pub no_input: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Demo(demo::Args),
    Link(link::Args),
    #[command(visible_alias = "conn")]
    Connections(connections::Args),
    Accounts(accounts::Args),
    Sync(sync::Args),
    Import(import::Args),
    Export(export::Args),
    Restore(restore::Args),
    Purge(purge::Args),
    Doctor(doctor::Args),
    Init(init::Args),
    Encrypt(encrypt::EncryptArgs),
    Decrypt(encrypt::DecryptArgs),
    #[command(subcommand)]
    Tx(tx::Command),
    Categories(categories::Args),
    Categorize(categorize::Args),
    Review(review::Args),
    #[command(subcommand)]
    Report(report::Command),
    #[command(subcommand)]
    Budget(budget::Command),
    #[command(subcommand)]
    Rates(rates::Command),
    #[command(subcommand)]
    Rules(rules::Command),
    #[command(subcommand)]
    Transfers(transfers::Command),
    Recurring(recurring::Args),
    Alerts(alerts::Args),
    #[command(subcommand)]
    Sandbox(sandbox::Command),
    #[command(subcommand)]
    Config(config::Command),
    #[command(subcommand, hide = true)]
    Generate(generate::Command),
}

/// A date range (inclusive), shared by listings and reports.
#[derive(Debug, Args, Clone, Default)]
pub struct DateRange {
    /// Only on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Only on or before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// A range that ends before it starts can match nothing: say so instead of printing nothing.
    pub fn check(&self) -> Result<()> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return crate::error::usage(
                format!("--from {from} is after --to {to}: no date can match"),
                "swap them, or leave one out",
            );
        }
        Ok(())
    }
}

/// `--limit N`: a count of rows, 0 for all. A negative number gets its own message (clap
/// would otherwise take `-1` for an unknown flag).
pub fn parse_limit(s: &str) -> std::result::Result<u64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n as u64),
        Ok(_) => Err("a limit cannot be negative (0 shows all rows)".into()),
        Err(_) => Err("a limit is a whole number of rows (0 shows all)".into()),
    }
}

/// Parse the process's arguments; help, version and usage errors come back as `clap::Error`.
pub fn parse() -> Result<Cli> {
    Ok(Cli::try_parse()?)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    /// clap checks the whole definition (clashing names, bad defaults) that it would otherwise
    /// only discover, with a panic, when a user runs the command.
    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
