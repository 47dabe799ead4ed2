//! The review queue's walk (issue 11 item 7): which rows to ask about (uncategorized ones, and
//! ones the model filed with little confidence), what to suggest for each, and what each answer
//! does: accept the suggestion or change it (the user's choice), skip, quit, or "always
//! categorize PAYEE as …" (a rule, stored through `store::rules`, that also files the rows
//! after it). Each answer is stored as it is given, so quitting keeps what was answered.
//! Asking is a [`Reviewer`]'s part: a terminal in `commands::review`, a script in tests.

use std::collections::VecDeque;

use anyhow::Result;
use chrono::NaiveDate;

use super::learned::{Model, tokens};
use super::rules::{Conditions, Rule, RuleSet, Subject};
use crate::model::CategorySource;
use crate::store::transactions::{self as txs, Categorized, Transaction};
use crate::store::{Db, Store, categories};

/// A row to ask about, with the model's guess if it has one.
#[derive(Debug, Clone)]
pub struct Item {
    pub row: Transaction,
    pub suggestion: Option<Suggestion>,
    /// The merchant an "always" rule would name (`BLUE BOTTLE`).
    pub merchant: String,
}

#[derive(Debug, Clone)]
pub struct Suggestion {
    pub category: String,
    pub category_id: i64,
    /// The model's reason, with its confidence (`learned 0.62 from 4 rows like "UBER"`).
    pub reason: String,
}

/// What the user said about one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// File it under the suggestion.
    Accept,
    /// File it under this category (a full name).
    Change(String),
    /// File it, and every row naming its merchant from now on, under this category.
    Always(String),
    Skip,
    /// Stop here; what was answered stays.
    Quit,
}

/// Who answers: a person at a terminal, or a script.
pub trait Reviewer {
    /// The answer for `item`, the `n`th of `of`; `categories` are the full names to choose from.
    fn ask(&mut self, item: &Item, n: usize, of: usize, categories: &[String]) -> Result<Answer>;
}

/// Answers from a list, then `Quit`; remembers which rows it was asked about.
#[derive(Debug, Default)]
pub struct Scripted {
    answers: VecDeque<Answer>,
    pub asked: Vec<i64>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Scripted {
        Scripted { answers: answers.into_iter().collect(), asked: Vec::new() }
    }
}

impl Reviewer for Scripted {
    fn ask(&mut self, item: &Item, _: usize, _: usize, _: &[String]) -> Result<Answer> {
        self.asked.push(item.row.id);
        Ok(self.answers.pop_front().unwrap_or(Answer::Quit))
    }
}

/// The rows to review, newest first, at most `limit`: uncategorized ones and ones the model
/// filed with a confidence below `review_below`.
pub fn queue(db: &Db, account_id: Option<i64>, limit: Option<usize>, review_below: f64) -> Result<Vec<Item>> {
    let model = Model::load(db)?;
    let names: std::collections::HashMap<i64, String> =
        categories::all(db)?.into_iter().map(|(name, id)| (id, name)).collect();
    let mut items = Vec::new();
    for id in crate::store::learned::open_to_review(db, account_id)? {
        if limit.is_some_and(|n| items.len() >= n) {
            break;
        }
        let Some(row) = txs::by_id(db, id)? else { continue };
        let prediction = model.predict(row.account_id, &row.as_stated()?);
        if row.category_source == Some(CategorySource::Learned)
            && prediction.as_ref().is_some_and(|p| p.confidence >= review_below)
        {
            continue;
        }
        let suggestion = prediction.and_then(|p| {
            Some(Suggestion {
                category: names.get(&p.category_id)?.clone(),
                category_id: p.category_id,
                reason: p.reason(),
            })
        });
        let merchant = tokens::merchant(tokens::name_of(row.payee.as_deref(), &row.description)).to_uppercase();
        items.push(Item { row, suggestion, merchant });
    }
    Ok(items)
}

/// What a walk did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows filed by the user's answers.
    pub filed: usize,
    /// Rows filed by a rule an answer added, without asking.
    pub by_rule: usize,
    /// The rules added, as their reasons.
    pub rules: Vec<String>,
    pub skipped: usize,
    /// Whether the user stopped before the end.
    pub quit: bool,
}

/// Ask `reviewer` about each item and store each answer as it comes. `today` dates the reasons.
pub fn walk(store: &mut Store, items: &[Item], reviewer: &mut dyn Reviewer, today: NaiveDate) -> Result<Outcome> {
    let names: Vec<String> = {
        let mut all: Vec<String> = categories::all(store.db())?.into_iter().map(|(name, _)| name).collect();
        all.sort();
        all
    };
    let mut outcome = Outcome::default();
    let mut added: Vec<Rule> = Vec::new();
    let mut set = RuleSet::new(Vec::new())?;
    for (i, item) in items.iter().enumerate() {
        let stated = item.row.as_stated()?;
        if let Some(rule) = set.first_match(&Subject::of(item.row.account_id, &stated)) {
            let decision = Categorized {
                category_id: rule.category_id.unwrap_or_default(),
                source: CategorySource::Rule,
                reason: rule.reason(),
            };
            store.atomic(|db| txs::set_category(db, item.row.id, &decision))?;
            outcome.by_rule += 1;
            continue;
        }
        let answer = reviewer.ask(item, i + 1, items.len(), &names)?;
        let yours = |category_id| Categorized {
            category_id,
            source: CategorySource::User,
            reason: format!("your choice in review, on {today}"),
        };
        match answer {
            Answer::Quit => {
                outcome.quit = true;
                break;
            }
            Answer::Skip => outcome.skipped += 1,
            Answer::Accept => match &item.suggestion {
                Some(s) => {
                    store.atomic(|db| txs::set_category(db, item.row.id, &yours(s.category_id)))?;
                    outcome.filed += 1;
                }
                None => outcome.skipped += 1,
            },
            Answer::Change(name) => {
                let id = category_id(store.db(), &name)?;
                store.atomic(|db| txs::set_category(db, item.row.id, &yours(id)))?;
                outcome.filed += 1;
            }
            Answer::Always(name) => {
                let id = category_id(store.db(), &name)?;
                let rule = store.atomic(|db| {
                    let mut rule = Rule {
                        when: always(item),
                        category_id: Some(id),
                        category: Some(name.clone()),
                        ..Default::default()
                    };
                    rule.id = crate::store::rules::insert(db, &rule, today.and_time(Default::default()).and_utc())?;
                    txs::set_category(db, item.row.id, &yours(id))?;
                    Ok(rule)
                })?;
                outcome.rules.push(rule.reason());
                added.push(rule);
                set = RuleSet::new(added.clone())?;
                outcome.filed += 1;
            }
        }
    }
    Ok(outcome)
}

/// The condition of "always categorize PAYEE as …": the payee (or description) contains the
/// merchant, or is exactly the row's when no merchant could be told apart.
fn always(item: &Item) -> Conditions {
    let name = tokens::name_of(item.row.payee.as_deref(), &item.row.description);
    if !item.merchant.is_empty() && name.to_uppercase().contains(&item.merchant) {
        Conditions { payee_contains: Some(item.merchant.clone()), ..Default::default() }
    } else {
        Conditions { payee_exact: Some(name.trim().to_string()), ..Default::default() }
    }
}

fn category_id(db: &Db, name: &str) -> Result<i64> {
    match categories::id_by_name(db, name)? {
        Some(id) => Ok(id),
        None => crate::error::usage(format!("no category {name:?}"), "`tally categories list` shows them"),
    }
}
