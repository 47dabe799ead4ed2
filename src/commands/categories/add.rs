//! `tally categories add`: a new category, with any missing parents.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::CategoryKind;

/// Add a category (`Food:Snacks` goes under Food)
///
/// A child takes its parent's kind unless --kind says otherwise; a new top-level category is an
/// expense by default. Missing parents are created too.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The category's full name, its parents first: `Pets` or `Pets:Vet`
    pub name: String,
    /// What it counts as: expense, income or transfer (transfers are left out of spending and income)
    #[arg(long, value_parser = CategoryKind::parse, value_name = "KIND")]
    pub kind: Option<CategoryKind>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let (category, created) = ctx.store()?.atomic(|db| super::create_path(db, args.name.trim(), args.kind))?;
    let Some((_, parents)) = created.split_last() else {
        return usage(
            format!("a category named {:?} already exists", category.full_name),
            "`tally categories rename` renames one; `tally categories` lists them",
        );
    };
    for name in parents {
        ctx.out.status(&format!("Added category {name} (a parent of the new one)."));
    }
    ctx.out.status(&format!("Added category {} ({}), id {}.", category.full_name, category.kind, category.id));
    Ok(())
}
