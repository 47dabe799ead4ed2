//! `rules apply` (the rules over the history) and `rules test` (what one rule would change,
//! nothing written). Both plan the same way: every live row without a user choice, through the
//! whole ordered rule set; a user's choice is never read as open (`CategorySource::may_replace`).

use anyhow::Result;
use serde::Serialize;

use super::args::RuleArgs;
use crate::categorize::recategorize;
use crate::categorize::rules::{Rule, RuleSet, Subject};
use crate::context::Ctx;
use crate::error::usage;
use crate::model::CategorySource;
use crate::money::{Currency, format_amount};
use crate::store::rules::{self as store, RowState};
use crate::store::transactions::{self, Categorized};
use crate::store::{Db, categories};

/// Preview the rows a rule would change, changing nothing
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// A stored rule's id (`tally rules list`); or describe a new rule with the flags below
    pub rule: Option<i64>,
    #[command(flatten)]
    pub new: RuleArgs,
}

/// One row a rule changes: before and after.
#[derive(Debug, Serialize, Default)]
pub struct ChangeRow {
    id: i64,
    date: String,
    payee: Option<String>,
    description: String,
    amount: String,
    category: Option<String>,
    new_category: Option<String>,
    new_payee: Option<String>,
    new_tags: Option<String>,
    /// The rule that decides it; none when no rule does any more (a stale rule decision).
    rule: Option<i64>,
}

/// What the rules would do to one row.
struct Planned {
    row: RowState,
    rule: Rule,
    category: Option<Categorized>,
    payee: Option<String>,
    tags: Option<String>,
}

fn plan(db: &Db, set: &RuleSet) -> Result<Vec<Planned>> {
    let mut out = Vec::new();
    if set.is_empty() {
        return Ok(out);
    }
    for row in store::rows_open_to_rules(db)? {
        let exponent = Currency::parse(&row.currency).map(|c| c.exponent()).unwrap_or(2);
        let subject = Subject {
            account_id: row.account_id,
            amount: row.amount,
            currency: &row.currency,
            exponent,
            payee: row.payee.as_deref(),
            description: &row.description,
        };
        let Some(rule) = set.first_match(&subject) else { continue };
        let reason = rule.reason();
        let category = rule
            .category_id
            .filter(|_| CategorySource::Rule.may_replace(row.category_source))
            .filter(|&id| {
                row.category_id != Some(id)
                    || row.category_source != Some(CategorySource::Rule)
                    || row.category_reason.as_deref() != Some(reason.as_str())
            })
            .map(|id| Categorized { category_id: id, source: CategorySource::Rule, reason });
        let payee = rule.payee.clone().filter(|p| row.rule_payee.as_ref() != Some(p));
        let mut tags = store::split_tags(&row.tags);
        let before = tags.len();
        for tag in &rule.tags {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        let tags = (tags.len() != before).then(|| tags.join(" "));
        if category.is_some() || payee.is_some() || tags.is_some() {
            out.push(Planned { row, rule: rule.clone(), category, payee, tags });
        }
    }
    Ok(out)
}

fn rows(db: &Db, planned: &[Planned]) -> Result<Vec<ChangeRow>> {
    let names: std::collections::HashMap<i64, String> =
        categories::all(db)?.into_iter().map(|(n, id)| (id, n)).collect();
    Ok(planned
        .iter()
        .map(|p| ChangeRow {
            id: p.row.id,
            date: p.row.booked_date.clone(),
            payee: p.row.rule_payee.clone().or_else(|| p.row.payee.clone()),
            description: p.row.description.clone(),
            amount: Currency::parse(&p.row.currency)
                .map(|c| format_amount(p.row.amount, c))
                .unwrap_or_else(|_| p.row.amount.to_string()),
            category: p.row.category.clone(),
            new_category: p.category.as_ref().and_then(|c| names.get(&c.category_id).cloned()),
            new_payee: p.payee.clone(),
            new_tags: p.tags.clone(),
            rule: Some(p.rule.id),
        })
        .collect())
}

/// Rows a rule categorized that no rule categorizes any more (the rule was removed or changed,
/// or another rule matches first without a category): what the layers below the rules say now,
/// as `tally categorize` would store it.
fn stale(db: &Db, set: &RuleSet) -> Result<recategorize::Outcome> {
    recategorize::run_where(db, |row| {
        row.category_source == Some(CategorySource::Rule) && {
            let exponent = Currency::parse(&row.currency).map(|c| c.exponent()).unwrap_or(2);
            let subject = Subject {
                account_id: row.account_id,
                amount: row.amount,
                currency: &row.currency,
                exponent,
                payee: row.payee.as_deref(),
                description: &row.description,
            };
            set.first_match(&subject).is_none_or(|rule| rule.category_id.is_none())
        }
    })
}

fn stale_rows(changes: &[recategorize::Change]) -> Vec<ChangeRow> {
    changes
        .iter()
        .map(|c| ChangeRow {
            id: c.row.id,
            date: c.row.booked_date.to_string(),
            payee: c.row.rule_payee.clone().or_else(|| c.row.payee.clone()),
            description: c.row.description.clone(),
            amount: Currency::parse(&c.row.currency)
                .map(|cur| format_amount(c.row.amount, cur))
                .unwrap_or_else(|_| c.row.amount.to_string()),
            category: c.row.category.clone(),
            new_category: c.to.as_ref().map(|t| t.0.clone()),
            rule: None,
            ..Default::default()
        })
        .collect()
}

/// After a rule is removed: the rows it categorized go back to what the other layers say.
/// Returns how many changed.
pub fn forget(db: &Db) -> Result<usize> {
    let set = RuleSet::new(store::list(db)?)?;
    Ok(stale(db, &set)?.changes.len())
}

/// `rules apply`: write what the rules say onto the history; with `dry_run`, list it instead.
pub fn apply(ctx: &mut Ctx, dry_run: bool) -> Result<()> {
    let store = ctx.store()?;
    let set = RuleSet::new(store::list(store.db())?)?;
    let planned = plan(store.db(), &set)?;
    if dry_run {
        let mut rows = rows(store.db(), &planned)?;
        let stale = store.rehearse(|tx| stale(tx, &set))?;
        rows.extend(stale_rows(&stale.changes));
        ctx.out.rows(&rows)?;
        ctx.out.status(&format!("Rules would change {} rows (nothing written: --dry-run).", rows.len()));
        return Ok(());
    }
    let changed = store
        .atomic(|tx| {
            for p in &planned {
                if let Some(c) = &p.category {
                    transactions::set_category(tx, p.row.id, c)?;
                }
                if p.payee.is_some() || p.tags.is_some() {
                    let payee = p.payee.as_deref().or(p.row.rule_payee.as_deref());
                    store::set_payee_and_tags(tx, p.row.id, payee, p.tags.as_deref().unwrap_or(&p.row.tags))?;
                }
            }
            Ok(stale(tx, &set)?.changes.len())
        })
        .map(|stale| planned.len() + stale)?;
    ctx.out.status(&format!("Rules changed {changed} rows; rows you categorized yourself were left alone."));
    Ok(())
}

/// `rules test`: the rows a stored rule, or one described by flags (tried after the stored
/// ones, where `rules add` would put it), would change.
pub fn test(ctx: &mut Ctx, args: TestArgs) -> Result<()> {
    let db = ctx.store()?.db();
    let mut rules = store::list(db)?;
    let id = match (args.rule, args.new == RuleArgs::default()) {
        (Some(_), false) => {
            return usage("give a rule's id or flags, not both", "`tally rules test 3`, or the flags of `rules add`");
        }
        (None, true) => {
            return usage("no rule to test", "give a rule's id (`tally rules list`) or the flags of `rules add`");
        }
        (Some(id), true) => {
            if !rules.iter().any(|r| r.id == id) {
                return usage(format!("no rule {id}"), "`tally rules list` shows the rules and their ids");
            }
            id
        }
        (None, false) => {
            // Id 0 is never stored: it marks the rule being tried.
            rules.push(Rule { id: 0, ..args.new.to_rule(db)? });
            0
        }
    };
    let set = RuleSet::new(rules)?;
    let planned: Vec<Planned> = plan(db, &set)?.into_iter().filter(|p| p.rule.id == id).collect();
    let rows = rows(db, &planned)?;
    ctx.out.rows(&rows)?;
    ctx.out.status(&format!("The rule would change {} rows (nothing written).", planned.len()));
    Ok(())
}
