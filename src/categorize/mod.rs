//! Choosing a row's category, layer by layer, each decision with its source and reason. The
//! layers, in precedence order:
//!
//! 1. the user's own choice: stored on the row, never made here, never replaced by what follows;
//! 2. the user's rules (`rules`, issue 11 part B): the first matching rule, named in the reason;
//! 3. a model learned from the user's choices and rules (`learned`): above its threshold only;
//! 4. the provider's own category, read through that provider's map (`providers`);
//! 5. none: the row stays uncategorized.
//!
//! `categorize` asks the layers in that order and the first that decides wins. Whether a new
//! decision replaces a stored one is `model::CategorySource::may_replace` (used by sync and
//! import); `recategorize` re-derives every row that has no choice of the user's.

pub mod learned;
mod providers;
pub mod recategorize;
pub mod review;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;

use crate::model::{CategorySource, NewTransaction};
use crate::store::{Db, categories, transactions::Categorized};

pub use providers::{CategoryMap, map_for};

/// One layer of the categorizer: a decision for a row, or none. Its `Categorized` carries the
/// layer's source and a reason a person can read (which rule, which provider label).
pub trait Layer: std::fmt::Debug {
    /// The decision for row `t` of account `account_id` (0 when the account is not known).
    fn decide(&self, account_id: i64, t: &NewTransaction) -> Option<Categorized>;
}

/// The layers below the user's choice for rows from one source, loaded once per sync, replay,
/// import or `tally categorize`.
#[derive(Debug)]
pub struct Categorizer {
    ids: HashMap<String, i64>,
    /// The user's rules, ahead of everything but the user's own choice; they may name an
    /// account, so only [`Categorizer::categorize_in`] asks them.
    rules: rules::RuleSet,
    /// A model learned from confirmed categories, between the rules and the provider.
    learned: Option<Box<dyn Layer>>,
    /// The provider's codes onto our tree (none for file imports).
    map: Option<CategoryMap>,
    /// The rows' categories are our own full names (tally's export read back).
    own_names: bool,
}

impl Categorizer {
    /// For rows from `provider`: a connection's provider kind (`sandbox`), or an importer's name
    /// (`import:csv`), as stored with the raw records.
    /// The model is trained from the database's confirmed rows; [`Categorizer::with_model`]
    /// shares one model between several categorizers.
    pub fn for_provider(db: &Db, provider: &str) -> Result<Categorizer> {
        Ok(Categorizer::without_learned(db, provider)?.with_model(Arc::new(learned::Model::load(db)?)))
    }

    /// The rules and the provider's map, with an empty learned slot.
    pub fn without_learned(db: &Db, provider: &str) -> Result<Categorizer> {
        Ok(Categorizer {
            ids: categories::all(db)?.into_iter().collect(),
            rules: rules::RuleSet::new(crate::store::rules::list(db)?)?,
            learned: None,
            map: map_for(provider),
            own_names: providers::names_our_categories(provider),
        })
    }

    /// The same categorizer with `model` in the learned slot, at the configured threshold.
    pub fn with_model(self, model: Arc<learned::Model>) -> Categorizer {
        self.with_learned(Box::new(learned::Learned::new(model, learned::threshold())))
    }

    /// Every row through the Plaid-style map, whatever its provider: the behaviour before maps
    /// were per provider, kept so that branches written against it still build.
    #[deprecated(note = "use Categorizer::for_provider(db, provider)")]
    pub fn load(db: &Db) -> Result<Categorizer> {
        Ok(Categorizer { map: Some(providers::plaid_style()), ..Categorizer::without_learned(db, "")? })
    }

    /// A row of account `account_id`: the user's rules first (the first that matches and sets a
    /// category), then the learned model, then the provider's category.
    pub fn categorize_in(&self, account_id: i64, t: &NewTransaction) -> Option<Categorized> {
        match self.rules.first_match(&rules::Subject::of(account_id, t)) {
            Some(rule @ rules::Rule { category_id: Some(id), .. }) => {
                Some(Categorized { category_id: *id, source: CategorySource::Rule, reason: rule.reason() })
            }
            _ => self.below_rules(account_id, t),
        }
    }

    /// A row just stored as `id`: the first matching rule's payee rename and tags, if it has any.
    pub fn land(&self, db: &Db, id: i64, account_id: i64, t: &NewTransaction) -> Result<()> {
        if !self.rules.renames_or_tags() {
            return Ok(());
        }
        match self.rules.first_match(&rules::Subject::of(account_id, t)) {
            Some(rule) if rule.payee.is_some() || !rule.tags.is_empty() => {
                crate::store::rules::set_payee_and_tags(db, id, rule.payee.as_deref(), &rule.tags.join(" "))
            }
            _ => Ok(()),
        }
    }

    /// The same categorizer with a learned model in its slot.
    pub fn with_learned(self, learned: Box<dyn Layer>) -> Categorizer {
        Categorizer { learned: Some(learned), ..self }
    }

    /// The decision of the layers below the rules: learned, then the provider's category.
    /// Rows of an account go through [`Categorizer::categorize_in`], which asks the rules first.
    pub fn categorize(&self, t: &NewTransaction) -> Option<Categorized> {
        self.below_rules(0, t)
    }

    fn below_rules(&self, account_id: i64, t: &NewTransaction) -> Option<Categorized> {
        self.learned.as_deref().and_then(|layer| layer.decide(account_id, t)).or_else(|| self.provider(t))
    }

    fn provider(&self, t: &NewTransaction) -> Option<Categorized> {
        let code = t.provider_category.as_deref()?;
        let (name, reason) = match self.map {
            Some(map) => (map(code)?, format!("the bank's category {code}")),
            None if self.own_names => (code, format!("the exported category {code}")),
            None => return None,
        };
        Some(Categorized { category_id: *self.ids.get(name)?, source: CategorySource::Provider, reason })
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

    /// A layer that files every row under one category, as a rule or a model would.
    #[derive(Debug)]
    struct Always(i64, CategorySource);

    impl Layer for Always {
        fn decide(&self, _: i64, _: &NewTransaction) -> Option<Categorized> {
            Some(Categorized { category_id: self.0, source: self.1, reason: format!("always {}", self.1) })
        }
    }

    #[derive(Debug)]
    struct Never;

    impl Layer for Never {
        fn decide(&self, _: i64, _: &NewTransaction) -> Option<Categorized> {
            None
        }
    }

    /// (Rules come first in `categorize_in`; tests/rules.rs shows a rule beating the bank's category.)
    #[test]
    fn the_learned_layer_decides_before_the_provider_and_none_leaves_it_to_the_provider() {
        let store = Store::in_memory().unwrap();
        let id = |name| categories::id_by_name(store.db(), name).unwrap().unwrap();
        let base = || Categorizer::for_provider(store.db(), "sandbox").unwrap();
        let coffee = row("FOOD_AND_DRINK_COFFEE");

        let learned = base().with_learned(Box::new(Always(id("Shopping"), CategorySource::Learned)));
        let c = learned.categorize_in(1, &coffee).unwrap();
        assert_eq!((c.category_id, c.source), (id("Shopping"), CategorySource::Learned));

        let undecided = base().with_learned(Box::new(Never));
        let c = undecided.categorize_in(1, &coffee).unwrap();
        assert_eq!((c.category_id, c.source), (id("Food:Coffee"), CategorySource::Provider));
        assert!(undecided.categorize(&row("SOMETHING_NEW")).is_none(), "no layer decides: uncategorized");
    }
}
