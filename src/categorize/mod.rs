//! Choosing a row's category. For now the provider's own category, read through that provider's
//! map (`providers`); user rules and learned categories slot in ahead of it. Which decision
//! wins over a stored one is `model::CategorySource::may_replace` (user > rule > learned > provider).

mod providers;
pub mod rules;

use std::collections::HashMap;

use anyhow::Result;

use crate::model::{CategorySource, NewTransaction};
use crate::store::{Db, categories, transactions::Categorized};

pub use providers::{CategoryMap, map_for};

/// Category ids by full name and the map for one provider's codes, loaded once per sync,
/// replay or import.
#[derive(Debug)]
pub struct Categorizer {
    ids: HashMap<String, i64>,
    map: Option<CategoryMap>,
    rules: rules::RuleSet,
}

impl Categorizer {
    /// For rows from `provider`: a connection's provider kind (`sandbox`), or an importer's name
    /// (`import:csv`), as stored with the raw records.
    pub fn for_provider(db: &Db, provider: &str) -> Result<Categorizer> {
        let rules = rules::RuleSet::new(crate::store::rules::list(db)?)?;
        Ok(Categorizer { ids: categories::all(db)?.into_iter().collect(), map: map_for(provider), rules })
    }

    /// Every row through the Plaid-style map, whatever its provider: the behaviour before maps
    /// were per provider, kept so that branches written against it still build.
    #[deprecated(note = "use Categorizer::for_provider(db, provider)")]
    pub fn load(db: &Db) -> Result<Categorizer> {
        Ok(Categorizer {
            ids: categories::all(db)?.into_iter().collect(),
            map: Some(providers::plaid_style()),
            rules: Default::default(),
        })
    }

    /// A row of account `account_id`: the user's rules first (the first that matches and sets a
    /// category), then the provider's category.
    pub fn categorize_in(&self, account_id: i64, t: &NewTransaction) -> Option<Categorized> {
        let subject = rules::Subject {
            account_id,
            amount: t.amount,
            currency: t.currency.code(),
            exponent: t.currency.exponent(),
            payee: t.payee.as_deref(),
            description: &t.description,
        };
        match self.rules.first_match(&subject) {
            Some(rule @ rules::Rule { category_id: Some(id), .. }) => {
                Some(Categorized { category_id: *id, source: CategorySource::Rule, reason: rule.reason() })
            }
            _ => self.categorize(t),
        }
    }

    /// A row just stored as `id`: the first matching rule's payee rename and tags, if it has any.
    pub fn land(&self, db: &Db, id: i64, account_id: i64, t: &NewTransaction) -> Result<()> {
        if !self.rules.renames_or_tags() {
            return Ok(());
        }
        let subject = rules::Subject {
            account_id,
            amount: t.amount,
            currency: t.currency.code(),
            exponent: t.currency.exponent(),
            payee: t.payee.as_deref(),
            description: &t.description,
        };
        match self.rules.first_match(&subject) {
            Some(rule) if rule.payee.is_some() || !rule.tags.is_empty() => {
                crate::store::rules::set_payee_and_tags(db, id, rule.payee.as_deref(), &rule.tags.join(" "))
            }
            _ => Ok(()),
        }
    }

    pub fn categorize(&self, t: &NewTransaction) -> Option<Categorized> {
        let code = t.provider_category.as_deref()?;
        let name = (self.map?)(code)?;
        Some(Categorized {
            category_id: *self.ids.get(name)?,
            source: CategorySource::Provider,
            reason: format!("the bank's category {code}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::store::Store;

    fn row(code: &str) -> NewTransaction {
        NewTransaction {
            external_id: "x".into(),
            pending_external_id: None,
            booked_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            value_date: None,
            amount: -450,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: "BLUE BOTTLE".into(),
            pending: false,
            provider_category: Some(code.into()),
        }
    }

    #[test]
    fn the_provider_decides_which_map_reads_its_codes() {
        let store = Store::in_memory().unwrap();
        let sandbox = Categorizer::for_provider(store.db(), "sandbox").unwrap();
        let c = sandbox.categorize(&row("FOOD_AND_DRINK_COFFEE")).unwrap();
        assert_eq!(Some(c.category_id), categories::id_by_name(store.db(), "Food:Coffee").unwrap());
        assert_eq!(c.source, CategorySource::Provider);
        assert!(c.reason.contains("FOOD_AND_DRINK_COFFEE"), "{}", c.reason);
        assert!(sandbox.categorize(&row("SOMETHING_NEW")).is_none());

        let csv = Categorizer::for_provider(store.db(), "import:csv").unwrap();
        assert!(csv.categorize(&row("FOOD_AND_DRINK_COFFEE")).is_none(), "a file's column is not a Plaid code");
    }
}
