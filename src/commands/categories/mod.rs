//! `tally categories`: the category tree. `list` is here with the lookups other commands share
//! (a category by name with near names as the hint, creating a path); each edit has its file.

mod add;
mod edit;
mod remove;

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::CategoryKind;
use crate::store::Db;
use crate::store::categories::{self, Category};

/// List, add, rename, move or remove categories
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the category tree with how many transactions each holds (the default)
    List,
    Add(add::Args),
    Rename(edit::RenameArgs),
    Move(edit::MoveArgs),
    Remove(remove::Args),
}

#[derive(Debug, Serialize, Default)]
struct Row {
    id: i64,
    category: String,
    parent: Option<String>,
    kind: String,
    /// Live transactions filed under this category itself.
    rows: i64,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    match args.command.unwrap_or(Command::List) {
        Command::List => list(ctx),
        Command::Add(args) => add::run(ctx, args),
        Command::Rename(args) => edit::rename(ctx, args),
        Command::Move(args) => edit::move_under(ctx, args),
        Command::Remove(args) => remove::run(ctx, args),
    }
}

fn list(ctx: &mut Ctx) -> Result<()> {
    let rows: Vec<Row> = categories::usage(ctx.store()?.db())?
        .into_iter()
        .map(|u| Row {
            id: u.category.id,
            parent: u.category.full_name.rsplit_once(':').map(|(p, _)| p.to_string()),
            category: u.category.full_name,
            kind: u.category.kind.to_string(),
            rows: u.rows,
        })
        .collect();
    ctx.out.rows(&rows)
}

/// A category by its full name (any case), or by its own name when just one category has it
/// (`Groceries` for `Food:Groceries`). Unknown: a usage error whose hint names near names.
pub fn resolve(db: &Db, name: &str) -> Result<Category> {
    if let Some(c) = categories::by_name(db, name.trim())? {
        return Ok(c);
    }
    let all = categories::list(db)?;
    let wanted = name.trim().to_lowercase();
    let leaf: Vec<&Category> = all.iter().filter(|c| c.name.to_lowercase() == wanted).collect();
    if let [one] = leaf.as_slice() {
        return Ok((*one).clone());
    }
    let near =
        if leaf.len() > 1 { leaf.iter().map(|c| c.full_name.as_str()).collect() } else { near_names(&all, &wanted) };
    let hint = match near.as_slice() {
        [] => "`tally categories` lists them; `tally categories add NAME` adds one".to_string(),
        some => format!("did you mean {}? (`tally categories` lists them all)", some.join(", ")),
    };
    usage(format!("no category named {name:?}"), hint)
}

/// Up to five categories whose name is close to `wanted` (lowercase): containing it or
/// contained in it, starting alike, or a few typos away from it.
fn near_names<'a>(all: &'a [Category], wanted: &str) -> Vec<&'a str> {
    let wanted_leaf = wanted.rsplit(':').next().unwrap_or(wanted);
    let mut scored: Vec<(usize, &str)> = all
        .iter()
        .filter_map(|c| {
            let (full, leaf) = (c.full_name.to_lowercase(), c.name.to_lowercase());
            let distance = edit_distance(&full, wanted).min(edit_distance(&leaf, wanted_leaf));
            let shared = leaf.chars().zip(wanted_leaf.chars()).take_while(|(a, b)| a == b).count();
            let contains = wanted_leaf.chars().count() >= 3
                && (leaf.contains(wanted_leaf) || wanted_leaf.contains(&leaf) || shared >= 5);
            let close = distance <= (wanted_leaf.chars().count() / 3).max(2);
            (contains || close).then_some((if contains { 0 } else { distance }, c.full_name.as_str()))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, name)| name).collect()
}

/// Levenshtein distance by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// A category name a person typed, one segment of a path: no `:` in it.
pub fn check_segment(name: &str) -> Result<String> {
    let name = crate::model::check_name("a category", name)?;
    if name.contains(':') {
        return usage(
            format!("a category's own name cannot contain ':' ({name:?})"),
            "`:` separates a parent from its child, as in Food:Groceries",
        );
    }
    Ok(name)
}

/// Make `path` (`Hobbies:Climbing`) exist, creating what is missing of it. A new category takes
/// `kind`, else its parent's kind, else expense. Returns the category and the names created.
pub fn create_path(db: &Db, path: &str, kind: Option<CategoryKind>) -> Result<(Category, Vec<String>)> {
    let segments = path.split(':').map(check_segment).collect::<Result<Vec<_>>>()?;
    let mut parent: Option<Category> = None;
    let mut created = Vec::new();
    for segment in segments {
        let full = categories::full_name_under(parent.as_ref(), &segment);
        let next = match categories::by_name(db, &full)? {
            Some(c) => c,
            None => {
                let kind = kind.or(parent.as_ref().map(|p| p.kind)).unwrap_or(CategoryKind::Expense);
                let c = categories::insert(db, parent.as_ref(), &segment, kind)?;
                created.push(c.full_name.clone());
                c
            }
        };
        parent = Some(next);
    }
    match parent {
        Some(c) => Ok((c, created)),
        None => usage("a category name cannot be empty", "name it like Food or Food:Groceries"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_catch_typos_and_parts() {
        let store = crate::store::Store::in_memory().unwrap();
        let all = categories::list(store.db()).unwrap();
        assert_eq!(near_names(&all, "food:grocery"), ["Food:Groceries"]);
        assert!(near_names(&all, "coffe").contains(&"Food:Coffee"));
        assert!(near_names(&all, "zzzzzzzzzz").is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
