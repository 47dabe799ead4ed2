//! `tally rules`: the user's categorization rules: add, list, remove, move, test, apply,
//! export and import. Matching is `categorize::rules`; storage is `store::rules`. New rows meet
//! the rules as sync and import land them (`categorize::Categorizer`).

mod apply;
mod args;
mod files;
mod hledger;

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;

use crate::categorize::rules::Rule;
use crate::context::Ctx;
use crate::error::usage;
use crate::store::rules as store;

/// Rules that categorize, rename and tag rows: the first that matches a row wins
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a rule, tried after the existing ones unless --position says otherwise
    Add {
        #[command(flatten)]
        rule: args::RuleArgs,
        /// Where the rule goes in the order (1 is tried first)
        #[arg(long, value_name = "N")]
        position: Option<usize>,
    },
    /// List the rules in the order they are tried
    List,
    /// Remove a rule
    Remove {
        /// The rule's id (`tally rules list`)
        id: i64,
    },
    /// Move a rule to another place in the order
    Move {
        /// The rule's id (`tally rules list`)
        id: i64,
        /// Its new place (1 is tried first)
        #[arg(long, value_name = "N")]
        to: usize,
    },
    Test(apply::TestArgs),
    /// Re-apply the rules to every row you have not categorized yourself; prints how many changed
    Apply {
        /// List what would change, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the rules as TOML (to stdout, or to FILE)
    Export {
        /// Where to write them
        file: Option<std::path::PathBuf>,
    },
    Import(files::ImportArgs),
}

#[derive(Debug, Serialize, Default)]
pub struct Row {
    id: i64,
    position: i64,
    conditions: String,
    category: Option<String>,
    rename_payee: Option<String>,
    tags: String,
}

impl Row {
    fn of(r: Rule) -> Row {
        Row {
            id: r.id,
            position: r.position,
            conditions: r.when.describe(r.account.as_deref()),
            category: r.category,
            rename_payee: r.payee,
            tags: r.tags.join(" "),
        }
    }
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    match cmd {
        Command::Add { rule, position } => add(ctx, rule, position),
        Command::List => {
            let rows: Vec<Row> = store::list(ctx.store()?.db())?.into_iter().map(Row::of).collect();
            ctx.out.rows(&rows)
        }
        Command::Remove { id } => {
            let store = ctx.store()?;
            exists(store.db(), id)?;
            let changed = store.atomic(|tx| {
                store::remove(tx, id)?;
                apply::forget(tx)
            })?;
            ctx.out.status(&format!(
                "Removed rule {id}; {changed} rows it categorized went back to what the other rules, the model or the bank say."
            ));
            Ok(())
        }
        Command::Move { id, to } => {
            if to == 0 {
                return usage("--to counts from 1", "`--to 1` tries the rule first");
            }
            let store = ctx.store()?;
            exists(store.db(), id)?;
            store.atomic(|tx| store::move_to(tx, id, to))?;
            ctx.out.status(&format!("Moved rule {id} to place {to}."));
            Ok(())
        }
        Command::Test(args) => apply::test(ctx, args),
        Command::Apply { dry_run } => apply::apply(ctx, dry_run),
        Command::Export { file } => files::export(ctx, file),
        Command::Import(args) => files::import(ctx, args),
    }
}

fn add(ctx: &mut Ctx, args: args::RuleArgs, position: Option<usize>) -> Result<()> {
    if position == Some(0) {
        return usage("--position counts from 1", "`--position 1` tries the rule first");
    }
    args.conditions()?;
    let now = ctx.now();
    let store = ctx.store_or_create()?;
    let rule = args.to_rule(store.db())?;
    let id = store.atomic(|tx| {
        let id = store::insert(tx, &rule, now)?;
        if let Some(position) = position {
            store::move_to(tx, id, position)?;
        }
        Ok(id)
    })?;
    let stored = store::by_id(store.db(), id)?.expect("just stored");
    ctx.out.status(&format!("Added {}.", stored.reason()));
    ctx.out.hint("`tally rules test` previews the rows it changes; `tally rules apply` applies it to your history");
    Ok(())
}

fn exists(db: &crate::store::Db, id: i64) -> Result<()> {
    match store::by_id(db, id)? {
        Some(_) => Ok(()),
        None => usage(format!("no rule {id}"), "`tally rules list` shows the rules and their ids"),
    }
}
