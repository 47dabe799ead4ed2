//! `tally report`: reports over the synced data.

use anyhow::Result;
use clap::Subcommand;

use crate::cli::DateRange;
use crate::context::Ctx;
use crate::store::transactions::TxFilter;

/// Reports over your transactions
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Spending by month and category (income, transfers and removed rows left out)
    Spending(SpendingArgs),
}

#[derive(Debug, clap::Args)]
pub struct SpendingArgs {
    /// Only this account (name or id)
    #[arg(long)]
    pub account: Option<String>,
    #[command(flatten)]
    pub dates: DateRange,
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let Command::Spending(args) = cmd;
    args.dates.check()?;
    let db = ctx.store()?.db();
    let account_id =
        args.account.as_deref().map(|a| crate::commands::accounts::resolve(db, a)).transpose()?.map(|a| a.id);
    let filter = TxFilter { account_id, from: args.dates.from, to: args.dates.to, ..Default::default() };
    let rows = crate::report::spending::spending(db, &filter)?;
    ctx.out.rows(&rows)
}
