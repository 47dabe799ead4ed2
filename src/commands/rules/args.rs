//! A rule as people write it: the flags of `rules add` and `rules test`, which are also the
//! keys of a `rules export` file, and their checks (one path for flags and files alike).

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::categorize::rules::{Conditions, Rule, Sign, check_regex, parse_bound};
use crate::error::{UserError, usage};
use crate::money::Currency;
use crate::store::{Db, categories};

/// Conditions (all must hold; text ignores case) and actions of one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleArgs {
    /// Rows whose payee contains TEXT (rows without a payee: their description)
    #[arg(long, value_name = "TEXT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_contains: Option<String>,
    /// Rows whose payee is exactly TEXT
    #[arg(long, value_name = "TEXT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_exact: Option<String>,
    /// Rows whose payee matches REGEX (Rust regex syntax)
    #[arg(long, value_name = "REGEX", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_regex: Option<String>,
    /// Rows whose bank description contains TEXT
    #[arg(long, value_name = "TEXT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_contains: Option<String>,
    /// Rows whose bank description is exactly TEXT
    #[arg(long, value_name = "TEXT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_exact: Option<String>,
    /// Rows whose bank description matches REGEX (Rust regex syntax)
    #[arg(long, value_name = "REGEX", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_regex: Option<String>,
    /// Rows of at least this size, in or out (e.g. 10.00)
    #[arg(long, value_name = "AMOUNT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<String>,
    /// Rows of at most this size, in or out
    #[arg(long, value_name = "AMOUNT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<String>,
    /// Only money in or only money out
    #[arg(long, value_enum, help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<Sign>,
    /// Only rows of this account (name or id)
    #[arg(long, value_name = "ACCOUNT", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Only rows in this currency (e.g. EUR)
    #[arg(long, value_name = "CODE", help_heading = "Conditions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Give matching rows this category (e.g. Food:Coffee)
    #[arg(long, value_name = "CATEGORY", help_heading = "Actions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Give matching rows this payee (`rules apply`)
    #[arg(long, value_name = "NAME", help_heading = "Actions")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename_payee: Option<String>,
    /// Add this tag to matching rows (`rules apply`; repeat for more)
    #[arg(long = "tag", value_name = "TAG", help_heading = "Actions")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

const HINT: &str = "e.g. `tally rules add --payee-contains STARBUCKS --category Food:Coffee`";

impl RuleArgs {
    /// Check every value and resolve names: a rule ready to store (id and position unset).
    pub fn to_rule(&self, db: &Db) -> Result<Rule> {
        let when = self.conditions()?;
        let account = self.account.as_deref().map(|a| crate::commands::accounts::resolve(db, a)).transpose()?;
        if when == Conditions::default() && account.is_none() {
            return usage("a rule needs at least one condition", HINT);
        }
        let category = match &self.category {
            Some(name) => match categories::id_by_name(db, name)? {
                Some(id) => Some(id),
                None => {
                    return usage(
                        format!("no category named {name:?}"),
                        "categories are named like Food:Coffee; `tally categories list` lists them",
                    );
                }
            },
            None => None,
        };
        let rename = self.rename_payee.as_deref().map(|p| crate::model::check_name("a payee", p)).transpose()?;
        if category.is_none() && rename.is_none() && self.tags.is_empty() {
            return usage("a rule needs an action: --category, --rename-payee or --tag", HINT);
        }
        Ok(Rule {
            when,
            account_id: account.as_ref().map(|a| a.id),
            account: account.map(|a| a.name),
            category_id: category,
            category: self.category.clone(),
            payee: rename,
            tags: self.tags.clone(),
            ..Rule::default()
        })
    }

    /// The checks that need no database (text, regexes, amounts, currency, tags), done before a
    /// database is opened or created, so a mistyped rule leaves nothing behind.
    pub fn conditions(&self) -> Result<Conditions> {
        for tag in &self.tags {
            if tag.is_empty() || tag.chars().any(char::is_whitespace) {
                return usage(format!("tag {tag:?} is empty or has spaces"), "write a tag as one word, e.g. coffee");
            }
        }
        let text = [
            ("--payee-contains", &self.payee_contains),
            ("--payee-exact", &self.payee_exact),
            ("--payee-regex", &self.payee_regex),
            ("--description-contains", &self.description_contains),
            ("--description-exact", &self.description_exact),
            ("--description-regex", &self.description_regex),
        ];
        for (flag, value) in text {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return usage(format!("{flag} cannot be empty"), "give the text to look for");
            }
        }
        for regex in [&self.payee_regex, &self.description_regex].into_iter().flatten() {
            check_regex(regex)?;
        }
        let min = self.min_amount.as_deref().map(parse_bound).transpose()?;
        let max = self.max_amount.as_deref().map(parse_bound).transpose()?;
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return usage("--min-amount is more than --max-amount", "swap them");
        }
        let currency = match &self.currency {
            Some(c) => Some(
                Currency::parse(c)
                    .map_err(|e| UserError::usage(e.to_string()).hint("use a three-letter ISO 4217 code such as EUR"))?
                    .code()
                    .to_string(),
            ),
            None => None,
        };
        Ok(Conditions {
            payee_contains: self.payee_contains.clone(),
            payee_exact: self.payee_exact.clone(),
            payee_regex: self.payee_regex.clone(),
            description_contains: self.description_contains.clone(),
            description_exact: self.description_exact.clone(),
            description_regex: self.description_regex.clone(),
            min_amount: self.min_amount.as_ref().map(|s| s.trim().to_string()),
            max_amount: self.max_amount.as_ref().map(|s| s.trim().to_string()),
            sign: self.sign,
            currency,
        })
    }

    /// A stored rule as it is written in a file (account and category by name).
    pub fn of(rule: &Rule) -> RuleArgs {
        let w = rule.when.clone();
        RuleArgs {
            payee_contains: w.payee_contains,
            payee_exact: w.payee_exact,
            payee_regex: w.payee_regex,
            description_contains: w.description_contains,
            description_exact: w.description_exact,
            description_regex: w.description_regex,
            min_amount: w.min_amount,
            max_amount: w.max_amount,
            sign: w.sign,
            account: rule.account.clone(),
            currency: w.currency,
            category: rule.category.clone(),
            rename_payee: rule.payee.clone(),
            tags: rule.tags.clone(),
        }
    }
}
