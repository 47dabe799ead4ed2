//! `tally categorize`: every row without a choice of the user's through the categorizer's
//! layers again (after new rules, a fixed provider map), and what changed: counts per category,
//! or each row with `--list`. The work is `categorize::recategorize`'s.

use anyhow::Result;
use serde::Serialize;

use crate::categorize::recategorize;
use crate::context::Ctx;
use crate::model::CategorySource;
use crate::money::{Currency, format_amount};

/// Categorize every transaction you have not categorized yourself, again
///
/// Runs your rules and the bank's categories over every row without a choice of yours and
/// prints what changed: how many rows each category gained, or each row with --list. Your
/// own choices (`tally tx categorize`) are never touched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// List each changed row instead of counts per category
    #[arg(long)]
    pub list: bool,
}

/// Rows that changed, per new category and source.
#[derive(Debug, Serialize, Default)]
struct CountRow {
    category: Option<String>,
    source: Option<CategorySource>,
    rows: u64,
}

/// One changed row.
#[derive(Debug, Serialize, Default)]
struct ChangeRow {
    id: i64,
    date: String,
    description: String,
    amount: String,
    currency: String,
    from: Option<String>,
    to: Option<String>,
    source: Option<CategorySource>,
    reason: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let outcome = if args.dry_run {
        store.rehearse(|db| recategorize::run(db))?
    } else {
        store.atomic(|db| recategorize::run(db))?
    };
    if args.list {
        let rows = outcome.changes.iter().map(change_row).collect::<Result<Vec<_>>>()?;
        ctx.out.rows(&rows)?;
    } else {
        let mut rows: Vec<CountRow> = Vec::new();
        for c in &outcome.changes {
            let (category, source) =
                c.to.as_ref().map_or((None, None), |(name, source, _)| (Some(name), Some(*source)));
            match rows.iter_mut().find(|r| r.category.as_ref() == category && r.source == source) {
                Some(row) => row.rows += 1,
                None => rows.push(CountRow { category: category.cloned(), source, rows: 1 }),
            }
        }
        // Most rows first; ties by name, so the listing is stable.
        rows.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.category.cmp(&b.category)));
        ctx.out.rows(&rows)?;
    }
    let verb = if args.dry_run { "would change" } else { "changed" };
    ctx.out.status(&format!(
        "{} of {} transactions without a choice of yours {verb} category{}.",
        outcome.changes.len(),
        outcome.considered,
        if args.dry_run { " (dry run: nothing was saved)" } else { "" }
    ));
    Ok(())
}

fn change_row(c: &recategorize::Change) -> Result<ChangeRow> {
    let t = &c.row;
    Ok(ChangeRow {
        id: t.id,
        date: t.booked_date.to_string(),
        description: t.payee.clone().unwrap_or_else(|| t.description.clone()),
        amount: format_amount(t.amount, Currency::parse(&t.currency)?),
        currency: t.currency.clone(),
        from: t.category.clone(),
        to: c.to.as_ref().map(|(name, _, _)| name.clone()),
        source: c.to.as_ref().map(|(_, source, _)| *source),
        reason: c.to.as_ref().map(|(_, _, reason)| reason.clone()),
    })
}
