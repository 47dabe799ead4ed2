//! `tally accounts`: list, show and rename accounts; `add` and `remove` live in their own files.

mod add;
mod remove;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::AccountKind;
use crate::money::{Currency, format_amount};
use crate::store::{Db, accounts};

/// List, show, rename, add or remove accounts
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List accounts with their balances (the default)
    List,
    /// Show one account
    Show {
        /// The account's name or id
        account: String,
    },
    /// Give an account a name of your own
    Rename {
        /// The account's name or id
        account: String,
        /// The new name
        new_name: String,
    },
    Add(add::Args),
    Remove(remove::Args),
}

#[derive(Debug, Serialize, Default)]
pub struct Row {
    id: i64,
    name: String,
    connection: Option<String>,
    kind: AccountKind,
    currency: String,
    mask: Option<String>,
    balance: Option<String>,
    available: Option<String>,
    balance_as_of: Option<String>,
    /// The newest imported statement's closing balance and its date, beside the live one.
    statement_balance: Option<String>,
    statement_balance_as_of: Option<String>,
    tracked: bool,
}

impl Row {
    pub fn of(a: accounts::Account) -> Result<Row> {
        let currency = Currency::parse(&a.currency)?;
        let (balance, available, as_of) = shown_balance(&a);
        Ok(Row {
            id: a.id,
            balance: balance.map(|m| format_amount(m, currency)),
            available: available.map(|m| format_amount(m, currency)),
            balance_as_of: as_of.map(crate::store::ts),
            statement_balance: a.statement_balance.map(|m| format_amount(m, currency)),
            statement_balance_as_of: a.statement_balance_as_of.map(crate::store::ts),
            name: a.name,
            connection: a.connection_name,
            kind: a.kind,
            currency: a.currency,
            mask: a.mask,
            tracked: a.tracked,
        })
    }
}

/// The balance an account shows (current, available, as of). A synced account shows what its
/// bank last said, whatever a statement says (the statement's figure has its own columns).
/// An account only files feed has no live figure but its statements': the newest of those.
fn shown_balance(a: &accounts::Account) -> (Option<i64>, Option<i64>, Option<DateTime<Utc>>) {
    let live = (a.balance_current, a.balance_available, a.balance_as_of);
    let statement = (a.statement_balance, None, a.statement_balance_as_of);
    match (a.balance_current, a.statement_balance) {
        (Some(_), Some(_)) if a.connection_id.is_none() && a.statement_balance_as_of > a.balance_as_of => statement,
        (None, Some(_)) => statement,
        _ => live,
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    match args.command.unwrap_or(Command::List) {
        Command::List => list(ctx),
        Command::Show { account } => {
            let a = resolve(ctx.store()?.db(), &account)?;
            ctx.out.record(&Row::of(a)?)
        }
        Command::Rename { account, new_name } => {
            let db = ctx.store()?.db();
            let a = resolve(db, &account)?;
            let new_name = crate::model::check_name("an account", &new_name)?;
            accounts::rename(db, a.id, &new_name)?;
            ctx.out.status(&format!("Renamed account {} from {:?} to {new_name:?}.", a.id, a.name));
            Ok(())
        }
        Command::Add(args) => add::run(ctx, args),
        Command::Remove(args) => remove::run(ctx, args),
    }
}

pub fn list(ctx: &mut Ctx) -> Result<()> {
    let rows = accounts::list(ctx.store()?.db())?.into_iter().map(Row::of).collect::<Result<Vec<_>>>()?;
    ctx.out.rows(&rows)
}

/// An account by id or by name (case-insensitive); unknown or ambiguous is a usage error.
pub fn resolve(db: &Db, key: &str) -> Result<accounts::Account> {
    let all = accounts::list(db)?;
    if let Some(a) = key.parse::<i64>().ok().and_then(|id| all.iter().find(|a| a.id == id)) {
        return Ok(a.clone());
    }
    let matches: Vec<&accounts::Account> = all.iter().filter(|a| a.name.eq_ignore_ascii_case(key)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => usage(format!("no account named {key:?}"), "`tally accounts` lists names and ids"),
        many => usage(
            format!("{} accounts are named {key:?}", many.len()),
            format!(
                "use the id instead ({}), or `tally accounts rename` one of them",
                many.iter().map(|a| a.id.to_string()).collect::<Vec<_>>().join(", ")
            ),
        ),
    }
}
