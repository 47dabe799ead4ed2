//! `tally report`: reports over the synced data. Each subcommand reads the shared filters into
//! a `reports::Scope`, asks `report::` for rows and hands them to `Output`.

mod draw;

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use clap::Subcommand;

use crate::cli::DateRange;
use crate::context::Ctx;
use crate::money::Currency;
use crate::report::{self, Converter, Period, chart, merchants::Rank};
use crate::store::reports::Scope;

/// Reports over your transactions (transfers and removed rows never count)
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Spending per category (rows) and period (columns), with total, average and share
    ///
    /// A refund reduces its category's spending; income is never spending, categorized or not
    /// (money in without a category is income). Amounts in different currencies are never
    /// added: each currency has its own rows unless --convert-to is given.
    Spending(SpendingArgs),
    /// Income, expenses, net and savings rate per period
    Cashflow(PeriodArgs),
    /// Each account's balance at the end of every period, and the total
    ///
    /// Balances start from the newest balance each account reported (the bank's, or an
    /// imported statement's) and add or take away the transactions between.
    Networth(PeriodArgs),
    /// Top payees by spending (or by number of purchases)
    Merchants(MerchantsArgs),
    /// This period's spending per category against the average of the periods before
    Trends(TrendsArgs),
}

/// Filters every report takes.
#[derive(Debug, clap::Args, Default)]
pub struct Filters {
    #[command(flatten)]
    pub dates: DateRange,
    /// Only this account (name or id)
    #[arg(long)]
    pub account: Option<String>,
    /// Only this category and the ones under it (`Food` includes `Food:Groceries`)
    #[arg(long)]
    pub category: Option<String>,
    /// Only amounts in this currency (ISO code, e.g. EUR)
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Convert every amount into this currency with the rates of `tally rates`
    #[arg(long, value_name = "CODE")]
    pub convert_to: Option<String>,
    #[command(flatten)]
    pub draw: Draw,
}

/// Pictures instead of the table.
#[derive(Debug, clap::Args, Default)]
pub struct Draw {
    /// Draw the report in the terminal: bars and sparklines (colour only on a terminal
    /// without NO_COLOR)
    #[arg(long)]
    pub chart: bool,
    /// Write one self-contained HTML page (created 0600, nothing fetched from the network)
    /// with SVG charts of spending by category over time, cash flow and net worth for these
    /// filters, whichever report is asked for; each chart comes with a table of its figures
    #[arg(long, value_name = "FILE", conflicts_with = "chart")]
    pub html: Option<PathBuf>,
    /// Replace the --html file if it exists
    #[arg(long, requires = "html")]
    pub force: bool,
}

#[derive(Debug, clap::Args, Default)]
pub struct PeriodArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// The columns' period
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub period: Period,
}

#[derive(Debug, clap::Args, Default)]
pub struct SpendingArgs {
    #[command(flatten)]
    pub common: PeriodArgs,
    /// Fold subcategories into their parents below this depth (1: `Food`, 2: `Food:Groceries`)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub depth: Option<u16>,
}

#[derive(Debug, clap::Args)]
pub struct MerchantsArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Rank payees by spending or by number of purchases
    #[arg(long, value_enum, default_value_t = Rank::Spend)]
    pub by: Rank,
    /// How many payees per currency (0 for all)
    #[arg(long, default_value_t = 20, value_parser = crate::cli::parse_limit)]
    pub limit: u64,
}

#[derive(Debug, clap::Args)]
pub struct TrendsArgs {
    #[command(flatten)]
    pub common: PeriodArgs,
    /// How many periods before this one make the average
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub last: u32,
    /// Fold subcategories into their parents below this depth
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub depth: Option<u16>,
}

/// `report spending` over a date range (the demo's last section).
pub fn spending_between(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Command {
    let filters = Filters { dates: DateRange { from, to }, ..Filters::default() };
    Command::Spending(SpendingArgs { common: PeriodArgs { filters, period: Period::Month }, depth: None })
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let today = ctx.now().date_naive();
    let filters = match &cmd {
        Command::Spending(a) => &a.common.filters,
        Command::Cashflow(a) | Command::Networth(a) => &a.filters,
        Command::Merchants(a) => &a.filters,
        Command::Trends(a) => &a.common.filters,
    };
    filters.dates.check()?;
    let draw = Draw { chart: filters.draw.chart, html: filters.draw.html.clone(), force: filters.draw.force };
    if draw.chart && ctx.out.format() != crate::output::Format::Table {
        return crate::error::usage(
            "--chart draws for people: it does not go with --format csv or json",
            "leave out --chart for CSV or JSON, or leave out --format for the chart",
        );
    }
    if let Some(path) = &draw.html
        && !draw.force
        && path.exists()
    {
        return crate::error::usage(
            format!("{} already exists", path.display()),
            "pass --force to replace it, or choose another --html file",
        );
    }
    if matches!(cmd, Command::Networth(_)) && filters.category.is_some() {
        return crate::error::usage(
            "net worth counts every row of an account: --category does not apply",
            "leave out --category (`report spending --category` shows one category)",
        );
    }
    let target = filters.convert_to.as_deref().map(Currency::parse).transpose()?;
    let currency = filters.currency.as_deref().map(|c| Currency::parse(c).map(|c| c.code().to_string())).transpose()?;
    let (category, dates) = (filters.category.clone(), filters.dates.clone());
    let account = filters.account.clone();
    let db = ctx.store()?.db();
    let account_id = account.as_deref().map(|a| crate::commands::accounts::resolve(db, a)).transpose()?.map(|a| a.id);
    let scope = Scope { account_id, from: dates.from, to: dates.to, category, currency };
    let mut converter = target.map(|t| Converter::new(db, t));
    if let Some(path) = &draw.html {
        let (period, depth) = match &cmd {
            Command::Spending(a) => (a.common.period, a.depth.map(usize::from)),
            Command::Cashflow(a) | Command::Networth(a) => (a.period, None),
            Command::Merchants(_) => (Period::Month, None),
            Command::Trends(a) => (a.common.period, a.depth.map(usize::from)),
        };
        let (page, unanchored) = draw::dashboard(db, &scope, period, depth, today, converter.as_mut())?;
        for name in unanchored {
            ctx.out.warn(&format!(
                "account {name:?} never reported a balance: its net worth is the sum of its transactions"
            ));
        }
        crate::files::write_private_new(path, page.as_bytes(), draw.force)
            .with_context(|| format!("while writing {}", path.display()))?;
        note(ctx, target.is_some());
        ctx.out.status(&format!("wrote the charts to {}", path.display()));
        return Ok(());
    }
    let convert = converter.as_mut();
    match cmd {
        Command::Spending(args) => {
            let spans = report::columns(db, &scope, args.common.period)?;
            let depth = args.depth.map(usize::from);
            let grid = report::spending::grid(db, &scope, args.common.period, depth, convert)?;
            let rows = report::spending::spending(&grid, &spans)?;
            note(ctx, target.is_some());
            if draw.chart {
                return draw::picture(ctx, chart::spending(&rows)?);
            }
            emit(ctx, &rows, report::spending::template(&spans))
        }
        Command::Cashflow(args) => {
            let spans = report::columns(db, &scope, args.period)?;
            let grid = report::cashflow::grid(db, &scope, args.period, convert)?;
            let rows = report::cashflow::cashflow(&grid, &spans)?;
            note(ctx, target.is_some());
            if draw.chart {
                return draw::picture(ctx, chart::cashflow(&rows)?);
            }
            ctx.out.rows(&rows)
        }
        Command::Networth(args) => {
            let to = scope.to.unwrap_or(today);
            let columns_scope = Scope { to: Some(to), ..scope.clone() };
            let spans = report::columns(db, &columns_scope, args.period)?;
            let (rows, unanchored) = report::networth::networth(db, &scope, &spans, today, convert)?;
            for name in unanchored {
                ctx.out.warn(&format!(
                    "account {name:?} never reported a balance: its figures are the sum of its transactions"
                ));
            }
            note(ctx, target.is_some());
            if draw.chart {
                return draw::picture(ctx, chart::networth(&rows)?);
            }
            emit(ctx, &rows, report::networth::template(&spans))
        }
        Command::Merchants(args) => {
            let grid = report::merchants::grid(db, &scope, convert)?;
            let rows = report::merchants::merchants(&grid, args.by, args.limit as usize)?;
            note(ctx, target.is_some());
            if draw.chart {
                return draw::picture(ctx, chart::merchants(&rows)?);
            }
            ctx.out.rows(&rows)
        }
        Command::Trends(args) => {
            let day = scope.to.unwrap_or(today);
            let (window, spans) = report::trends::window(&scope, args.common.period, day, args.last);
            let depth = args.depth.map(usize::from);
            let rows = report::trends::trends(db, &window, args.common.period, &spans, depth, convert)?;
            note(ctx, target.is_some());
            if draw.chart {
                return draw::picture(ctx, chart::trends(&rows)?);
            }
            ctx.out.rows(&rows)
        }
    }
}

/// Rows whose columns are periods: an empty report's CSV header still names the periods.
fn emit<T: serde::Serialize + Default>(ctx: &Ctx, rows: &[T], template: T) -> Result<()> {
    if !rows.is_empty() || ctx.out.format() != crate::output::Format::Csv {
        return ctx.out.rows(rows);
    }
    let keys: Vec<String> = match serde_json::to_value(&template)? {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        other => anyhow::bail!("internal: a report row serialized as {other}"),
    };
    ctx.out.data(&format!("{}\n", keys.join(",")))
}

/// Converted figures say so (on stderr; JSON and CSV rows carry `converted_from`).
fn note(ctx: &Ctx, converted: bool) {
    if converted {
        ctx.out.status(&format!("note: {}", report::convert::NOTE));
    }
}
