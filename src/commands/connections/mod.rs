//! `tally connections`: list, show and unlink the consents tally holds.

mod list;
pub mod unlink;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;
use crate::error::usage;
use crate::store::{Db, connections};

/// List, show or unlink connections (a consent at one provider)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List connections with their status and consent expiry (the default)
    List,
    /// Show one connection
    Show {
        /// The connection's name
        name: String,
    },
    /// Revoke a connection's consent at the provider and delete its tokens; its accounts and
    /// transactions stay in the database unless --purge
    Unlink {
        /// The connection's name
        name: String,
        /// Also erase its accounts, transactions, raw records and sync history (asks first)
        #[arg(long)]
        purge: bool,
        /// Do not ask before erasing (with --purge)
        #[arg(long, requires = "purge")]
        yes: bool,
    },
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    match args.command.unwrap_or(Command::List) {
        Command::List => list::list(ctx),
        Command::Show { name } => list::show(ctx, &name),
        Command::Unlink { name, purge, yes } => unlink::run(ctx, &name, purge, yes),
    }
}

/// A connection by name, or a usage error (exit 2) that says how to find the right one.
pub fn resolve(db: &Db, name: &str) -> Result<connections::Connection> {
    match connections::by_name(db, name)? {
        Some(c) => Ok(c),
        None => usage(format!("no connection named {name:?}"), "`tally connections` lists them"),
    }
}
