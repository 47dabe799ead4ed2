//! The `rule` table (its order, conditions as JSON, actions) and the rows `rules apply` and
//! `rules test` read and write. Matching is `categorize::rules`; which decision may replace a
//! stored one is `CategorySource::may_replace`.

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, ts};
use crate::categorize::rules::{Conditions, Rule};
use crate::model::CategorySource;

const SELECT: &str = "SELECT r.id, r.position, r.conditions, r.account_id, a.name, r.category_id, c.full_name,
        r.payee, r.tags
    FROM rule r
    LEFT JOIN account a ON a.id = r.account_id
    LEFT JOIN category c ON c.id = r.category_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Rule> {
    let json: String = r.get(2)?;
    let when: Conditions = serde_json::from_str(&json)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?;
    let tags: String = r.get(8)?;
    Ok(Rule {
        id: r.get(0)?,
        position: r.get(1)?,
        when,
        account_id: r.get(3)?,
        account: r.get(4)?,
        category_id: r.get(5)?,
        category: r.get(6)?,
        payee: r.get(7)?,
        tags: split_tags(&tags),
    })
}

/// Tags are stored as one space-separated text (the `transaction.tags` column too).
pub fn split_tags(tags: &str) -> Vec<String> {
    tags.split_whitespace().map(str::to_string).collect()
}

/// Every rule in the order they are tried.
pub fn list(db: &Db) -> Result<Vec<Rule>> {
    let mut stmt = db.prepare(&format!("{SELECT} ORDER BY r.position, r.id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>().context("while reading the rules")?;
    Ok(rows)
}

pub fn by_id(db: &Db, id: i64) -> Result<Option<Rule>> {
    Ok(db.query_row(&format!("{SELECT} WHERE r.id = ?1"), [id], from_row).optional()?)
}

/// Store a rule after the others and return its id (`position` and `id` of `rule` are ignored).
pub fn insert(db: &Db, rule: &Rule, now: DateTime<Utc>) -> Result<i64> {
    db.execute(
        "INSERT INTO rule (position, conditions, account_id, category_id, payee, tags, created_at)
         VALUES ((SELECT coalesce(max(position), 0) + 1 FROM rule), ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            serde_json::to_string(&rule.when)?,
            rule.account_id,
            rule.category_id,
            rule.payee,
            rule.tags.join(" "),
            ts(now)
        ],
    )?;
    Ok(db.last_insert_rowid())
}

pub fn remove(db: &Db, id: i64) -> Result<bool> {
    Ok(db.execute("DELETE FROM rule WHERE id = ?1", [id])? > 0)
}

/// Put rule `id` at `position` (1 is tried first; past the end is last) and number the rest
/// 1, 2, 3… around it.
pub fn move_to(db: &Db, id: i64, position: usize) -> Result<()> {
    let mut ids: Vec<i64> = list(db)?.into_iter().map(|r| r.id).filter(|&r| r != id).collect();
    ids.insert(position.saturating_sub(1).min(ids.len()), id);
    let mut stmt = db.prepare_cached("UPDATE rule SET position = ?2 WHERE id = ?1")?;
    for (i, rule) in ids.iter().enumerate() {
        stmt.execute(params![rule, i as i64 + 1])?;
    }
    Ok(())
}

/// A live row as the rules see it, with what it carries now.
#[derive(Debug, Clone)]
pub struct RowState {
    pub id: i64,
    pub account_id: i64,
    pub booked_date: String,
    pub amount: i64,
    pub currency: String,
    pub payee: Option<String>,
    /// A rule's earlier rename (`transaction.rule_payee`).
    pub rule_payee: Option<String>,
    pub description: String,
    pub category_id: Option<i64>,
    pub category: Option<String>,
    pub category_source: Option<CategorySource>,
    pub category_reason: Option<String>,
    pub tags: String,
}

/// Every live row whose category is not the user's (rules never touch the user's rows), oldest first.
pub fn rows_open_to_rules(db: &Db) -> Result<Vec<RowState>> {
    let mut stmt = db.prepare(
        "SELECT t.id, t.account_id, t.booked_date, t.amount, t.currency, t.payee, t.description,
                t.category_id, c.full_name, t.category_source, t.category_reason, t.tags, t.rule_payee
         FROM \"transaction\" t LEFT JOIN category c ON c.id = t.category_id
         WHERE t.status != 'removed' AND (t.category_source IS NULL OR t.category_source != 'user')
         ORDER BY t.booked_date, t.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RowState {
            id: r.get(0)?,
            account_id: r.get(1)?,
            booked_date: r.get(2)?,
            amount: r.get(3)?,
            currency: r.get(4)?,
            payee: r.get(5)?,
            description: r.get(6)?,
            category_id: r.get(7)?,
            category: r.get(8)?,
            category_source: r.get(9)?,
            category_reason: r.get(10)?,
            tags: r.get(11)?,
            rule_payee: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A rule's payee and tags on a row (its category goes through `transactions::set_category`).
/// The payee goes beside the bank's, which stays what a sync compares.
pub fn set_payee_and_tags(db: &Db, id: i64, payee: Option<&str>, tags: &str) -> Result<()> {
    db.prepare_cached("UPDATE \"transaction\" SET rule_payee = ?2, tags = ?3 WHERE id = ?1")?
        .execute(params![id, payee, tags])?;
    Ok(())
}

/// A category by full name, made (with its parents) when missing; `kind` is used for new ones.
/// For importing other tools' rules, which name categories tally has not got. Returns the
/// full name as stored (`food:coffee` finds `Food:Coffee`).
pub fn ensure_category(db: &Db, full_name: &str, kind: &str) -> Result<String> {
    let mut parent: Option<(i64, String)> = None;
    for part in full_name.split(':').map(str::trim) {
        let path = match &parent {
            Some((_, p)) => format!("{p}:{part}"),
            None => part.to_string(),
        };
        let found: Option<(i64, String)> = db
            .query_row("SELECT id, full_name FROM category WHERE full_name = ?1 COLLATE NOCASE", [&path], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        parent = Some(match found {
            Some(found) => found,
            None => {
                db.execute(
                    "INSERT INTO category (parent_id, name, full_name, kind) VALUES (?1, ?2, ?3, ?4)",
                    params![parent.as_ref().map(|p| p.0), part, path, kind],
                )?;
                (db.last_insert_rowid(), path)
            }
        });
    }
    parent.map(|p| p.1).context("an empty category name")
}
