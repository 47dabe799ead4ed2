//! `tally export FORMAT`: transactions as a file for another tool, on stdout or into a new
//! 0600 file. The format is a positional word, not `--format`, which is every command's global
//! listing flag (table|csv|json) and means how to print, not what file to write.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::cli::DateRange;
use crate::context::Ctx;
use crate::export::{ExportFormat, Names};
use crate::store::transactions::TxFilter;

/// Export transactions as CSV, JSON or a ledger, hledger or beancount journal
///
/// Removed rows are never exported; pending rows only with --pending (flagged `!` in a
/// journal). Rows come oldest first, each with its tally id (`; tally-id: 123` in a ledger or
/// hledger journal, `tally-id: "123"` in beancount), so exporting the same data again gives
/// the same bytes. A journal opens each account with tally's balance the day before its first
/// row (against Equity:Opening Balances) and asserts the balance the bank last reported, so
/// hledger, ledger and bean-check check it; pending rows are not in a bank's balance, so with
/// --pending the assertions count the pending entries before them. Journal account names follow the account's kind and the category's kind
/// (Assets:Bank:Everyday Checking, Expenses:Food:Groceries); `[export.accounts]` and
/// `[export.categories]` in the config rename them (`tally config default` shows how).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file format to write
    #[arg(value_enum, value_name = "FORMAT", required_unless_present = "all")]
    pub file_format: Option<ExportFormat>,
    /// Everything tally holds (connections without secrets, accounts, categories, rules,
    /// transactions, transfers, budgets, rates, sync history, raw records) as one JSON
    /// document for `tally restore` (docs/export-all.md)
    #[arg(long, conflicts_with_all = ["file_format", "account", "category", "pending", "from", "to"])]
    pub all: bool,
    /// Only this account (name or id)
    #[arg(long)]
    pub account: Option<String>,
    #[command(flatten)]
    pub dates: DateRange,
    /// Only this category and those under it (e.g. `Food` or `Food:Groceries`)
    #[arg(long)]
    pub category: Option<String>,
    /// Include pending rows (flagged `!` in a journal)
    #[arg(long)]
    pub pending: bool,
    /// Write to this file (created 0600) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the --output file if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    args.dates.check()?;
    refuse_existing(&args)?;
    let Some(file_format) = args.file_format else {
        return everything(ctx, args.output.as_deref(), args.force);
    };
    let names = Names::new(&ctx.config.export.accounts, &ctx.config.export.categories)?;
    let db = ctx.store()?.db();
    if let Some(category) = &args.category {
        crate::commands::tx::list::check_category(db, category)?;
    }
    let account_id =
        args.account.as_deref().map(|a| crate::commands::accounts::resolve(db, a)).transpose()?.map(|a| a.id);
    let filter = TxFilter {
        account_id,
        from: args.dates.from,
        to: args.dates.to,
        category: args.category.clone(),
        ..Default::default()
    };
    if matches!(file_format, ExportFormat::Csv | ExportFormat::Json | ExportFormat::Jsonl) {
        return table(ctx, &filter, file_format, &args);
    }
    let rows = crate::store::export::rows(db, &filter, args.pending)?;
    // A category filter leaves out rows that move the balances: none would hold.
    let balances = match &filter.category {
        None => Some(crate::export::balances::of(db, &rows)?),
        Some(_) => None,
    };
    let text = crate::export::render(file_format, &rows, &names, balances.as_ref())?;
    match &args.output {
        None => ctx.out.data(&text),
        Some(path) => {
            write_private(path, &text, args.force).with_context(|| format!("while writing {}", path.display()))?;
            ctx.out.status(&format!("exported {} transactions to {}", rows.len(), path.display()));
            Ok(())
        }
    }
}

/// CSV, JSON and JSON lines stream from the database to stdout or a private file, a row at a
/// time (a journal is built whole: its balances need every row first). A file the export
/// fails half way through is removed, so no truncated export is left behind.
fn table(ctx: &mut Ctx, filter: &TxFilter, format: ExportFormat, args: &Args) -> Result<()> {
    let db = ctx.store()?.db();
    let stream = |out: &mut dyn Write| -> Result<u64> {
        let mut sink = crate::export::tabular::Sink::new(format, out)?;
        crate::store::export::each(db, filter, args.pending, |row| sink.row(&row))?;
        let (out, n) = sink.finish()?;
        out.flush()?;
        Ok(n)
    };
    match &args.output {
        None => {
            stream(&mut std::io::BufWriter::new(std::io::stdout().lock()))?;
        }
        Some(path) => {
            let file = open_private(path, args.force).with_context(|| format!("while writing {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let written = stream(&mut out).and_then(|n| {
                out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                Ok(n)
            });
            match written {
                Ok(n) => ctx.out.status(&format!("exported {n} transactions to {}", path.display())),
                Err(e) => {
                    let _ = std::fs::remove_file(path);
                    return Err(e.context(format!("while writing {}", path.display())));
                }
            }
        }
    }
    Ok(())
}

fn refuse_existing(args: &Args) -> Result<()> {
    if let Some(path) = &args.output
        && !args.force
        && path.exists()
    {
        return crate::error::usage(
            format!("{} already exists", path.display()),
            "pass --force to replace it, or choose another --output",
        );
    }
    Ok(())
}

/// `--all`: the whole database as one document, streamed to stdout or a private file (removed
/// again if the export fails half way, so no truncated document is left to restore).
fn everything(ctx: &mut Ctx, output: Option<&Path>, force: bool) -> Result<()> {
    let exported_at = ctx.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let db = ctx.store()?.db();
    let counts = match output {
        None => crate::export::all::write(db, &exported_at, &mut std::io::BufWriter::new(std::io::stdout().lock()))?,
        Some(path) => {
            let file = open_private(path, force).with_context(|| format!("while writing {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let written = crate::export::all::write(db, &exported_at, &mut out).and_then(|counts| {
                out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                Ok(counts)
            });
            match written {
                Ok(counts) => counts,
                Err(e) => {
                    let _ = std::fs::remove_file(path);
                    return Err(e.context(format!("while writing {}", path.display())));
                }
            }
        }
    };
    if let Some(path) = output {
        let tx = counts.get("transaction").copied().unwrap_or_default();
        ctx.out.status(&format!("exported everything ({tx} transactions) to {}", path.display()));
    }
    Ok(())
}

/// Write `text` to a file only its owner can read; an existing file only when `replace`.
fn write_private(path: &Path, text: &str, replace: bool) -> Result<()> {
    let mut file = open_private(path, replace)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// A file only its owner can read, for writing; an existing one only when `replace`.
fn open_private(path: &Path, replace: bool) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if replace {
        options.create(true).truncate(true);
    } else {
        // Checked above too; this closes the gap between that check and the write.
        options.create_new(true);
    }
    let file = options.open(path)?;
    // `mode` applies only to a new file: a replaced one is made private too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}
