//! Choosing a row's category. For now the provider's own category, mapped onto the default
//! tree; user rules and learned categories slot in ahead of it (user > rules > learned > provider).

mod provider;

use std::collections::HashMap;

use anyhow::Result;

use crate::model::{CategorySource, NewTransaction};
use crate::store::{Db, categories, transactions::Categorized};

/// Category ids by full name, loaded once per sync or import.
#[derive(Debug)]
pub struct Categorizer {
    ids: HashMap<String, i64>,
}

impl Categorizer {
    pub fn load(db: &Db) -> Result<Categorizer> {
        Ok(Categorizer { ids: categories::all(db)?.into_iter().collect() })
    }

    pub fn categorize(&self, t: &NewTransaction) -> Option<Categorized> {
        let code = t.provider_category.as_deref()?;
        let name = provider::map(code)?;
        Some(Categorized {
            category_id: *self.ids.get(name)?,
            source: CategorySource::Provider,
            reason: format!("the bank's category {code}"),
        })
    }
}
