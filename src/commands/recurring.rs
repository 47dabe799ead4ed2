//! `tally recurring`: the series found in your rows (subscriptions, bills, salary) with their
//! cadence, typical amount and next expected date, and the flags worth a look. Finding them
//! is `recurring`'s part.

use anyhow::Result;
use serde::Serialize;

use crate::context::Ctx;
use crate::money::{Currency, format_amount};
use crate::recurring::{self, Flag, Series};

/// Subscriptions, bills and salary that come on a schedule, found in your transactions
///
/// A payee whose rows in one account come weekly, every two weeks, twice a month, monthly,
/// quarterly or yearly is a series; transfers between your accounts are not. Flags: `new`
/// (a charge that started in the last 90 days) and `price change` (the last amount differs
/// from the steady one before it by more than 5%).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list series that stopped (their next one is overdue)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Serialize, Default)]
struct Row {
    payee: String,
    account: String,
    /// `expense` or `income`.
    kind: String,
    cadence: String,
    typical_amount: String,
    currency: String,
    occurrences: usize,
    first: String,
    last: String,
    last_amount: String,
    next_expected: String,
    /// `active`, or `lapsed` when the next one is overdue.
    status: String,
    flags: String,
}

fn row(s: &Series) -> Result<Row> {
    let c = Currency::parse(&s.currency)?;
    let flags: Vec<String> = recurring::flags(s)
        .iter()
        .map(|f| match f {
            Flag::NewSubscription { since } => format!("new since {since}"),
            Flag::PriceChange { from, to } => {
                format!("price change {} -> {}", format_amount(*from, c), format_amount(*to, c))
            }
        })
        .collect();
    Ok(Row {
        payee: s.payee.clone(),
        account: s.account.clone(),
        kind: if s.typical < 0 { "expense" } else { "income" }.into(),
        cadence: s.cadence.to_string(),
        typical_amount: format_amount(s.typical, c),
        currency: s.currency.clone(),
        occurrences: s.occurrences,
        first: s.first.to_string(),
        last: s.last.to_string(),
        last_amount: format_amount(s.last_amount, c),
        next_expected: s.next_expected.to_string(),
        status: if s.active { "active" } else { "lapsed" }.into(),
        flags: flags.join("; "),
    })
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let today = ctx.now().date_naive();
    let series = recurring::load(ctx.store()?.db(), today)?;
    let rows = series.iter().filter(|s| args.all || s.active).map(row).collect::<Result<Vec<_>>>()?;
    ctx.out.rows(&rows)
}
