//! `tally categories remove`: a category goes; what was filed under it goes where the user says.
//!
//! A category with children is refused (move or remove them first): removing a whole branch
//! at once would decide for every child where its rows go.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::store::categories::{self, Category};

/// Remove a category; the transactions, rules and budgets filed under it move to another
///
/// An unused category goes at once. One in use asks where its transactions go at a terminal;
/// scripts say so with --into. A category with categories under it is refused: move or remove
/// those first.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The category to remove
    pub category: String,
    /// Where its transactions, rules and budgets go
    #[arg(long, value_name = "CATEGORY")]
    pub into: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let db = ctx.store()?.db();
    let category = super::resolve(db, &args.category)?;
    let usage_of = categories::usage(db)?.into_iter().find(|u| u.category.id == category.id);
    let Some(used) = usage_of else { return usage(format!("no category named {:?}", args.category), "") };
    if used.children > 0 {
        let under: Vec<String> = categories::list(db)?
            .into_iter()
            .filter(|c| c.parent_id == Some(category.id))
            .map(|c| c.full_name)
            .collect();
        return usage(
            format!("{} has {} categories under it ({})", category.full_name, used.children, under.join(", ")),
            "remove or `tally categories move` those first",
        );
    }
    let in_use = used.rows + used.rules + used.budgets > 0;
    let into = match (&args.into, in_use) {
        (Some(name), _) => Some(super::resolve(db, name)?),
        (None, false) => None,
        (None, true) => Some(ask_where(ctx, &category, used.rows)?),
    };
    if let Some(into) = into.as_ref().filter(|i| i.id == category.id) {
        return usage(format!("{} cannot take its own transactions", into.full_name), "pick another category");
    }
    let moved = ctx.store()?.atomic(|db| categories::remove(db, category.id, into.as_ref()))?;
    let mut said = format!("Removed category {}", category.full_name);
    if let Some(into) = &into {
        said.push_str(&format!(
            "; {} transactions, {} rules and {} budgets moved to {}",
            moved.rows, moved.rules, moved.budgets, into.full_name
        ));
    }
    ctx.out.status(&format!("{said}."));
    Ok(())
}

/// Where the rows of `category` go: asked at a terminal, else a usage error naming --into.
fn ask_where(ctx: &mut Ctx, category: &Category, rows: i64) -> Result<Category> {
    let what = format!("{} holds {rows} transactions (or rules or budgets)", category.full_name);
    if !ctx.interactive() {
        return usage(
            format!("{what}; say where they go"),
            format!("pass --into CATEGORY, e.g. `tally categories remove {:?} --into Shopping`", category.full_name),
        );
    }
    let others: Vec<Category> =
        categories::list(ctx.store()?.db())?.into_iter().filter(|c| c.id != category.id).collect();
    let names: Vec<&str> = others.iter().map(|c| c.full_name.as_str()).collect();
    let picked = dialoguer::FuzzySelect::new().with_prompt(format!("{what}. Move them to")).items(&names).interact()?;
    Ok(others[picked].clone())
}
