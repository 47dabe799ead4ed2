//! `tally rates`: the exchange rates `report --convert-to` uses: set one, list them, import a
//! CSV of them. Rates are exact decimals (`report::convert::Ratio`); storage is `store::rates`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::UserError;
use crate::money::Currency;
use crate::report::convert::Ratio;
use crate::store::rates::{self, Rate};

/// Exchange rates for converting reports into one currency (--convert-to)
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Say what one BASE is worth in QUOTE (`tally rates set EUR USD 1.08`)
    ///
    /// Without --date the rate holds for every day that has no dated rate on or before it.
    /// The reverse direction (USD to EUR) is derived from it exactly.
    Set {
        /// The currency converted from (ISO code)
        base: String,
        /// The currency converted to (ISO code)
        quote: String,
        /// How many QUOTE one BASE is, as a decimal (1.08)
        rate: String,
        /// The day the rate holds from (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: Option<NaiveDate>,
    },
    /// List the stored rates
    List,
    /// Import rates from a CSV file with the columns base, quote, rate and (optional) date
    Import {
        /// The CSV file
        file: PathBuf,
    },
}

#[derive(Debug, Serialize, Default)]
struct Row {
    base: String,
    quote: String,
    rate: String,
    /// The day it holds from; empty for every day.
    date: String,
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    match cmd {
        Command::Set { base, quote, rate, date } => {
            let rate = checked(&base, &quote, &rate, date)?;
            ctx.store_or_create()?.atomic(|tx| rates::set(tx, &rate))?;
            ctx.out.status(&format!("1 {} = {} {}{}", rate.base, rate.rate, rate.quote, from_day(rate.day)));
            Ok(())
        }
        Command::List => {
            let rows: Vec<Row> = rates::list(ctx.store()?.db())?
                .into_iter()
                .map(|r| Row {
                    base: r.base,
                    quote: r.quote,
                    rate: r.rate,
                    date: r.day.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect();
            ctx.out.rows(&rows)
        }
        Command::Import { file } => {
            let rates = read(&file)?;
            let n = rates.len();
            ctx.store_or_create()?.atomic(|tx| rates.iter().try_for_each(|r| rates::set(tx, r)))?;
            ctx.out.status(&format!("Imported {n} rates from {}", file.display()));
            Ok(())
        }
    }
}

fn from_day(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| " (every day)".to_string(), |d| format!(" from {d}"))
}

/// A rate with its currencies and number checked, as it will be stored.
fn checked(base: &str, quote: &str, rate: &str, day: Option<NaiveDate>) -> Result<Rate> {
    let (base, quote) = (Currency::parse(base)?, Currency::parse(quote)?);
    if base == quote {
        return Err(UserError::usage(format!("a rate from {base} to {base} is always 1"))
            .hint("give two different currencies, such as `EUR USD`")
            .into());
    }
    Ratio::parse(rate)?;
    Ok(Rate { base: base.code().into(), quote: quote.code().into(), day, rate: rate.trim().into() })
}

/// Every row of a rates CSV, or an error naming the first bad line.
fn read(path: &std::path::Path) -> Result<Vec<Rate>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_lowercase).collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(b), Some(q), Some(r)) = (column("base"), column("quote"), column("rate")) else {
        return Err(UserError::usage(format!("{} has no base, quote and rate columns", path.display()))
            .hint("the first line names the columns: base,quote,rate,date (date may be left out or empty)")
            .into());
    };
    let d = column("date");
    let mut rates = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        let line = i + 2;
        let field = |n: usize| record.get(n).unwrap_or("");
        let day = match d.map(field).filter(|s| !s.is_empty()) {
            Some(s) => Some(s.parse::<NaiveDate>().map_err(|_| {
                UserError::usage(format!("line {line}: {s:?} is not a date")).hint("write dates as YYYY-MM-DD")
            })?),
            None => None,
        };
        let rate =
            checked(field(b), field(q), field(r), day).with_context(|| format!("line {line} of {}", path.display()))?;
        rates.push(rate);
    }
    Ok(rates)
}
