//! `tally alerts`: what deserves a look (unusual and duplicate charges, new recurring charges
//! and price increases, budgets about to overflow, consents ending), with the rows behind
//! each, and an exit code cron can mail on. Also the one-line summary after `sync` and
//! `import` ([`mark`] before the run, [`after_run`] after it). Finding them is `alerts`' part.

use anyhow::Result;
use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::alerts::{self, Alert, amount_text};
use crate::context::Ctx;
use crate::error::{ALERTS_FOUND, Signal, UserError};
use crate::money::{Currency, format_amount};
use crate::output::Format;

/// Charges and consents that deserve a look, with the transactions behind each
///
/// Kinds: `unusual` (a charge far above that payee's usual amount), `duplicate` (equal charges
/// of one payee in one account a few days apart), `new_recurring` and `price_change` (from
/// `tally recurring`), `budget` (this month's spent, pending and expected charges go over the
/// budget), `consent` (a bank consent ending soon or needing a relink). Thresholds are in the
/// config file's [alerts] section (`tally config default`). Exit status 3 when there are
/// alerts, 0 when there are none; `tally alerts -q` prints nothing when there are none, so
/// cron mails only alerts.
/// `tally alerts dismiss ID` hides one until what it is about changes.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Only charges on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", conflicts_with = "days")]
    pub since: Option<NaiveDate>,
    /// Only charges of the last N days (default: [alerts] days, 30)
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Hide alerts by their id (the first column); one comes back when what it is about
    /// changes (another equal charge, a later month, a new consent date)
    Dismiss {
        /// Alert ids, as `tally alerts` shows them
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
}

/// JSON: the rows behind an alert as an array of transaction ids.
#[derive(Debug, Serialize, Default)]
struct JsonRow {
    /// For `tally alerts dismiss`.
    id: String,
    kind: &'static str,
    date: String,
    message: String,
    /// A positive decimal string, or null (a consent).
    amount: Option<String>,
    currency: Option<String>,
    transaction_ids: Vec<i64>,
}

/// Tables and CSV: the ids space-separated, and (tables) a short list of the rows.
#[derive(Debug, Serialize, Default)]
struct FlatRow {
    id: String,
    kind: &'static str,
    date: String,
    message: String,
    amount: Option<String>,
    currency: Option<String>,
    transaction_ids: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<String>,
}

/// How many rows a table names before "and N more".
const SHOWN_ROWS: usize = 3;

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let now = ctx.now();
    let settings = ctx.config.alerts;
    let since = match (args.since, args.days) {
        (Some(date), _) => date,
        (None, days) => now.date_naive() - Days::new(days.unwrap_or(settings.days).into()),
    };
    let found = alerts::find(ctx.store()?.db(), &settings, since, now)?;
    if let Some(Command::Dismiss { ids }) = args.command {
        return dismiss(ctx, &found, &ids);
    }
    match ctx.out.format() {
        Format::Json => ctx.out.rows(&found.iter().map(json_row).collect::<Result<Vec<_>>>()?)?,
        format => {
            let table = format == Format::Table;
            ctx.out.rows(&found.iter().map(|a| flat_row(a, table)).collect::<Result<Vec<_>>>()?)?;
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(Signal(ALERTS_FOUND).into())
}

fn dismiss(ctx: &mut Ctx, found: &[Alert], ids: &[String]) -> Result<()> {
    let chosen: Vec<&Alert> = ids
        .iter()
        .map(|id| {
            found.iter().find(|a| a.id().eq_ignore_ascii_case(id.trim())).ok_or_else(|| {
                UserError::usage(format!("no current alert has the id {id:?}"))
                    .hint("`tally alerts` lists the alerts with their ids; for older ones, `tally alerts --days 90 dismiss ID`")
                    .into()
            })
        })
        .collect::<Result<_>>()?;
    let now = ctx.now();
    for a in chosen {
        alerts::dismiss(ctx.store()?.db(), a, now)?;
        ctx.out.status(&format!("Dismissed {}: {}", a.id(), a.message));
    }
    Ok(())
}

fn amount_of(a: &Alert) -> Result<Option<String>> {
    match (a.amount, &a.currency) {
        (Some(v), Some(c)) => Ok(Some(format_amount(v, Currency::parse(c)?))),
        _ => Ok(None),
    }
}

fn json_row(a: &Alert) -> Result<JsonRow> {
    Ok(JsonRow {
        id: a.id(),
        kind: a.kind.as_str(),
        date: a.date.to_string(),
        message: a.message.clone(),
        amount: amount_of(a)?,
        currency: a.currency.clone(),
        transaction_ids: a.rows.iter().map(|r| r.id).collect(),
    })
}

fn flat_row(a: &Alert, table: bool) -> Result<FlatRow> {
    let ids: Vec<String> = a.rows.iter().map(|r| r.id.to_string()).collect();
    let rows = table.then(|| {
        let mut shown: Vec<String> = a
            .rows
            .iter()
            .rev()
            .take(SHOWN_ROWS)
            .rev()
            .map(|r| {
                let amount = amount_text(-r.amount, &r.currency);
                let amount = amount.strip_suffix(&format!(" {}", r.currency)).unwrap_or(&amount);
                format!("{} {} {amount}", r.date, r.payee)
            })
            .collect();
        if a.rows.len() > SHOWN_ROWS {
            shown.push(format!("and {} earlier", a.rows.len() - SHOWN_ROWS));
        }
        shown.join("; ")
    });
    Ok(FlatRow {
        id: a.id(),
        kind: a.kind.as_str(),
        date: a.date.to_string(),
        message: a.message.clone(),
        amount: amount_of(a)?,
        currency: a.currency.clone(),
        transaction_ids: ids.join(" "),
        rows,
    })
}

/// Where a sync or import starts: the newest row id before it (none without a database yet).
pub fn mark(ctx: &mut Ctx) -> Option<i64> {
    if !ctx.config.db_path.exists() {
        return Some(0);
    }
    ctx.store().ok().and_then(|s| alerts::mark(s.db()).ok())
}

/// After a sync or import: one line on stderr counting the alerts that involve rows the run
/// added ("2 alerts: 1 unusual charge, ... (tally alerts)"). Consents are left out: sync warns
/// about them itself. Nothing with `-q`, in JSON, or when the run added nothing; a failure
/// here never fails the run, it only says so.
pub fn after_run(ctx: &mut Ctx, mark: Option<i64>) {
    if ctx.out.quiet() || ctx.out.format() == Format::Json {
        return;
    }
    let Some(mark) = mark else { return };
    match new_alerts(ctx, mark) {
        Ok(Some(line)) => ctx.out.status(&format!("{line} (tally alerts)")),
        Ok(None) => {}
        Err(e) => ctx.out.warn(&format!("could not look for alerts: {e:#}")),
    }
}

fn new_alerts(ctx: &mut Ctx, mark: i64) -> Result<Option<String>> {
    let (now, settings) = (ctx.now(), ctx.config.alerts);
    let Ok(store) = ctx.store() else { return Ok(None) };
    let since = now.date_naive() - Days::new(settings.days.into());
    // Budgets are this month's, so within the window too: a run that added nothing recent
    // (or nothing at all) skips the work.
    let recent = since.min(crate::budget::month_of(now.date_naive()));
    if !alerts::added_since(store.db(), mark, recent)? {
        return Ok(None);
    }
    let found = alerts::find(store.db(), &settings, since, now)?;
    let new: Vec<&Alert> = found.iter().filter(|a| a.rows.iter().any(|r| r.id > mark)).collect();
    Ok(alerts::summary(&new))
}
