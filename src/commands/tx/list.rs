//! `tally tx list`: filtered transactions for people (a table) or scripts (CSV/JSON).

use anyhow::Result;
use serde::Serialize;

use crate::cli::DateRange;
use crate::context::Ctx;
use crate::model::{CategorySource, TxStatus};
use crate::money::{Currency, format_amount};
use crate::output::Format;
use crate::store::search::{self, Total};
use crate::store::transactions::{self, TxFilter};

/// How many rows a table shows unless `--limit` says otherwise.
const TABLE_LIMIT: u64 = 50;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this account (name or id)
    #[arg(long)]
    pub account: Option<String>,
    #[command(flatten)]
    pub dates: DateRange,
    /// Only rows whose payee or description contains this text
    #[arg(long)]
    pub search: Option<String>,
    /// Only this category and those under it (e.g. `Food` or `Food:Groceries`)
    #[arg(long)]
    pub category: Option<String>,
    /// At most this many rows, 0 for all (default: 50 in a table, all in CSV and JSON)
    #[arg(long, value_parser = crate::cli::parse_limit, allow_hyphen_values = true, value_name = "N")]
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, Default)]
pub struct Row {
    id: i64,
    date: String,
    account: String,
    payee: Option<String>,
    description: String,
    amount: String,
    currency: String,
    category: Option<String>,
    /// Who decided the category: user, rule, learned or provider (empty: uncategorized).
    category_source: Option<CategorySource>,
    status: TxStatus,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let table = ctx.out.format() == Format::Table;
    args.dates.check()?;
    let db = ctx.store()?.db();
    if let Some(category) = &args.category {
        check_category(db, category)?;
    }
    let account_id =
        args.account.as_deref().map(|a| crate::commands::accounts::resolve(db, a)).transpose()?.map(|a| a.id);
    let limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None if table => Some(TABLE_LIMIT),
        None => None,
    };
    let filter = TxFilter {
        account_id,
        from: args.dates.from,
        to: args.dates.to,
        search: args.search,
        category: args.category,
        limit,
    };
    let rows = transactions::list(db, &filter)?.into_iter().map(row).collect::<Result<Vec<_>>>()?;
    let total = if table && limit.is_some_and(|l| rows.len() as u64 == l) {
        Some(search::total(db, &TxFilter { limit: None, ..filter }, search::COMMON.max(rows.len() as u64))?)
    } else {
        None
    };
    ctx.out.rows(&rows)?;
    let shown = rows.len() as u64;
    match total {
        Some(Total::Exact(total)) if total > shown => {
            ctx.out.status(&format!("showing the newest {shown} of {total}; --limit 0 shows all"))
        }
        Some(Total::MoreThan(bound)) => {
            ctx.out.status(&format!("showing the newest {shown} of more than {bound}; --limit 0 shows all"))
        }
        _ => {}
    }
    Ok(())
}

/// A `--category` that names no category (nor a parent of one) is a typo, not an empty result.
pub(crate) fn check_category(db: &crate::store::Db, name: &str) -> Result<()> {
    let all = crate::store::categories::all(db)?;
    let wanted = name.to_lowercase();
    let known = all
        .iter()
        .map(|(full, _)| full.to_lowercase())
        .any(|full| full == wanted || full.strip_prefix(&wanted).is_some_and(|rest| rest.starts_with(':')));
    if known {
        return Ok(());
    }
    let parents: std::collections::BTreeSet<&str> =
        all.iter().map(|(full, _)| full.split(':').next().unwrap_or(full)).collect();
    crate::error::usage(
        format!("no category named {name:?}"),
        format!(
            "categories are named like Food or Food:Groceries; top level: {}",
            parents.into_iter().collect::<Vec<_>>().join(", ")
        ),
    )
}

fn row(t: transactions::Transaction) -> Result<Row> {
    let currency = Currency::parse(&t.currency)?;
    Ok(Row {
        id: t.id,
        date: t.booked_date.to_string(),
        account: t.account_name,
        payee: t.rule_payee.or(t.payee),
        description: t.description,
        amount: format_amount(t.amount, currency),
        currency: t.currency,
        category: t.category,
        category_source: t.category_source,
        status: t.status,
    })
}
