//! `tally tx`: list and show transactions, and file them under a category.

mod categorize;
pub(crate) mod list;
mod show;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;

/// List, show and categorize transactions
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List transactions, newest first (removed ones are left out)
    List(list::Args),
    /// Show everything tally knows about one transaction, including why it was linked or
    /// categorized
    Show {
        /// The transaction's id (the first column of `tally tx list`)
        id: i64,
    },
    Categorize(categorize::Args),
}

/// `tx list --limit N` with no other filter (the demo's "recent transactions").
pub fn list_args_recent(limit: u64) -> list::Args {
    list::Args { account: None, dates: Default::default(), search: None, category: None, limit: Some(limit) }
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    match cmd {
        Command::List(args) => list::run(ctx, args),
        Command::Show { id } => show::run(ctx, id),
        Command::Categorize(args) => categorize::run(ctx, args),
    }
}
