//! `tally categories rename` and `move`: a category changes its name or its parent. Rows, rules
//! and budgets point at the category's id, so they follow it; so do its children.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::store::categories;

/// Rename a category; its transactions and its children follow it
#[derive(Debug, clap::Args)]
pub struct RenameArgs {
    /// The category (`Food:Restaurants`, or `Restaurants` when the name is unique)
    pub category: String,
    /// Its new name, without its parents (`Dining`)
    pub new_name: String,
}

/// Move a category (with its children) under another parent, or to the top
///
/// Its transactions follow it. It keeps its kind.
#[derive(Debug, clap::Args)]
pub struct MoveArgs {
    /// The category to move
    pub category: String,
    /// The category it goes under (or --top)
    #[arg(required_unless_present = "top")]
    pub parent: Option<String>,
    /// Make it a top-level category
    #[arg(long, conflicts_with = "parent")]
    pub top: bool,
}

pub fn rename(ctx: &mut Ctx, args: RenameArgs) -> Result<()> {
    let db = ctx.store()?.db();
    let category = super::resolve(db, &args.category)?;
    let parent = category.parent_id.map(|id| categories::by_id(db, id)).transpose()?.flatten();
    // `Food:Dining` for `Food:Restaurants` is a rename too; another parent is a move.
    let new_name = match args.new_name.trim().rsplit_once(':') {
        Some((prefix, leaf)) if parent.as_ref().is_some_and(|p| p.full_name.eq_ignore_ascii_case(prefix)) => leaf,
        Some(_) => {
            return usage(
                format!("{:?} would put {} under another parent", args.new_name, category.full_name),
                "give just its new name here; `tally categories move` changes its parent",
            );
        }
        None => args.new_name.trim(),
    };
    let new_name = super::check_segment(new_name)?;
    check_free(db, &categories::full_name_under(parent.as_ref(), &new_name), category.id)?;
    let renamed = ctx.store()?.atomic(|db| categories::relocate(db, category.id, parent.as_ref(), &new_name))?;
    ctx.out.status(&format!("Renamed {} to {}; its transactions follow it.", category.full_name, renamed.full_name));
    Ok(())
}

pub fn move_under(ctx: &mut Ctx, args: MoveArgs) -> Result<()> {
    let db = ctx.store()?.db();
    let category = super::resolve(db, &args.category)?;
    let parent = args.parent.as_deref().map(|p| super::resolve(db, p)).transpose()?;
    if let Some(p) = &parent
        && (p.id == category.id || categories::is_under(&p.full_name, &category.full_name))
    {
        return usage(
            format!("{} cannot go under {}, which is itself or under it", category.full_name, p.full_name),
            "pick a parent outside it",
        );
    }
    check_free(db, &categories::full_name_under(parent.as_ref(), &category.name), category.id)?;
    let moved = ctx.store()?.atomic(|db| categories::relocate(db, category.id, parent.as_ref(), &category.name))?;
    ctx.out.status(&format!("Moved {} to {}; its transactions follow it.", category.full_name, moved.full_name));
    Ok(())
}

/// A name another category has is a usage error, not a constraint failure.
fn check_free(db: &crate::store::Db, full_name: &str, id: i64) -> Result<()> {
    match categories::by_name(db, full_name)?.filter(|c| c.id != id) {
        Some(taken) => usage(
            format!("a category named {:?} already exists", taken.full_name),
            "pick another name, or remove that one with `tally categories remove --into`",
        ),
        None => Ok(()),
    }
}
