//! `tally tx categorize`: the user files rows under a category, by id or by a search. Their
//! choice is stored with source `user` and is never replaced by a rule, a model or the bank.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::CategorySource;
use crate::store::transactions::{self as txs, Categorized, TxFilter};

/// How many rows a `--search` may change without asking (or `--yes`).
pub const ASK_ABOVE: usize = 20;

/// File transactions under a category: `tally tx categorize 12 13 Food:Coffee`
///
/// Your choice stays whatever later syncs, rules or the bank's own categories say. With
/// --search, every row whose payee or description contains the text; when that is more than
/// 20 rows, tally asks first at a terminal (scripts pass --yes).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Transaction ids (the first column of `tally tx list`), then the category
    #[arg(value_name = "ID... CATEGORY", required = true)]
    pub args: Vec<String>,
    /// Every row whose payee or description contains this text, instead of ids
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Add the category if there is none of that name (a child takes its parent's kind)
    #[arg(long)]
    pub create: bool,
    /// Do not ask, however many rows --search finds
    #[arg(long)]
    pub yes: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let Some((name, ids)) = args.args.split_last() else {
        return usage("no category given", "e.g. `tally tx categorize 12 Food:Coffee`");
    };
    let today = ctx.now().date_naive();
    let db = ctx.store()?.db();
    let (rows, why) = match (&args.search, ids) {
        (Some(_), [_, ..]) => {
            return usage("give ids or --search, not both", "`tally tx categorize --search TEXT CATEGORY`");
        }
        (None, []) => {
            return usage(
                "no transaction ids given",
                "`tally tx categorize ID... CATEGORY`, or --search TEXT for every row that mentions TEXT",
            );
        }
        (Some(text), []) => {
            let filter = TxFilter { search: Some(text.clone()), ..Default::default() };
            (txs::list(db, &filter)?, format!("your choice for rows matching {text:?}, on {today}"))
        }
        (None, ids) => (by_ids(db, ids)?, format!("your choice, on {today}")),
    };
    let existing = match args.create {
        true => None,
        false => Some(super::super::categories::resolve(db, name).map_err(mention_create)?),
    };
    let changing = rows
        .iter()
        .filter(|t| {
            existing.as_ref().is_none_or(|c| t.category_id != Some(c.id))
                || t.category_source != Some(CategorySource::User)
        })
        .count();
    if let Some(text) = &args.search {
        if rows.is_empty() {
            ctx.out.status(&format!("No transaction mentions {text:?}; nothing changed."));
            return Ok(());
        }
        ctx.out.status(&format!("{} transactions mention {text:?}.", rows.len()));
        if changing > ASK_ABOVE && !args.yes && !confirm(ctx, changing, name)? {
            ctx.out.status("Nothing changed.");
            return Ok(());
        }
    }
    let (category, created) = ctx.store()?.atomic(|db| {
        let (category, created) = match &existing {
            Some(c) => (c.clone(), Vec::new()),
            None => match super::super::categories::resolve(db, name) {
                Ok(c) => (c, Vec::new()),
                Err(_) => super::super::categories::create_path(db, name.trim(), None)?,
            },
        };
        let decision = Categorized { category_id: category.id, source: CategorySource::User, reason: why.clone() };
        for t in &rows {
            txs::set_category(db, t.id, &decision)?;
        }
        Ok((category, created))
    })?;
    for name in created {
        ctx.out.status(&format!("Added category {name}."));
    }
    let unchanged = if existing.is_some() { rows.len() - changing } else { 0 };
    let mut said = format!("Filed {} transactions under {}", rows.len() - unchanged, category.full_name);
    if unchanged > 0 {
        said.push_str(&format!(" ({unchanged} already were)"));
    }
    ctx.out.status(&format!("{said}; no sync, rule or bank category will change them."));
    Ok(())
}

/// An unknown category's hint also names `--create`.
fn mention_create(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<crate::error::UserError>() {
        Ok(u) => {
            let hint = format!("{}; --create adds it", u.hint.as_deref().unwrap_or_default());
            crate::error::UserError { hint: Some(hint), ..u }.into()
        }
        Err(e) => e,
    }
}

/// The rows with these ids; an id that is not a number or names no row is a usage error.
fn by_ids(db: &crate::store::Db, ids: &[String]) -> Result<Vec<txs::Transaction>> {
    let mut rows = Vec::new();
    for id in ids {
        let row = id.parse::<i64>().ok().map(|n| txs::by_id(db, n)).transpose()?.flatten();
        match row {
            Some(t) if !rows.iter().any(|r: &txs::Transaction| r.id == t.id) => rows.push(t),
            Some(_) => {}
            None => {
                return usage(
                    format!("no transaction with id {id:?}"),
                    "give ids from the first column of `tally tx list`, then the category last",
                );
            }
        }
    }
    Ok(rows)
}

/// Whether the user agrees to change `n` rows; without a terminal, a usage error naming --yes.
fn confirm(ctx: &Ctx, n: usize, category: &str) -> Result<bool> {
    if !ctx.interactive() {
        return usage(
            format!("--search would file {n} transactions under {category}, more than {ASK_ABOVE} at once"),
            "pass --yes to file them all, or narrow the search",
        );
    }
    Ok(dialoguer::Confirm::new().with_prompt(format!("File {n} transactions under {category}?")).interact()?)
}
