//! Which journal account a transaction posts to: its tally account (by kind:
//! `Assets:Bank:Everyday Checking`, `Liabilities:Card:Rewards Visa`) and its category (by kind:
//! `Expenses:Food:Groceries`, `Income:Salary`, `Equity:Transfer:Internal`;
//! `Expenses:Uncategorized` or `Income:Uncategorized` without one), unless `[export.accounts]`
//! or `[export.categories]` in the config says otherwise. Each format makes the names valid for
//! its tool (`ledger_name`, `beancount_name`).

use std::collections::BTreeMap;

use anyhow::Result;

use crate::model::AccountKind;
use crate::store::export::ExportRow;

/// The top-level accounts every plain-text-accounting tool knows (beancount allows no others).
const ROOTS: &[&str] = &["Assets", "Liabilities", "Equity", "Income", "Expenses"];

/// The mapping in effect: the defaults above, overridden by the config.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Tally account (name, case-insensitive, or id) -> journal account.
    accounts: BTreeMap<String, String>,
    /// Category (full name, case-insensitive; a parent covers its children) -> journal account.
    categories: BTreeMap<String, String>,
}

impl Names {
    /// The mapping with the config's overrides; a name outside the five roots is refused here,
    /// once, rather than by a tool later.
    pub fn new(accounts: &BTreeMap<String, String>, categories: &BTreeMap<String, String>) -> Result<Names> {
        for (key, name) in accounts.iter().chain(categories) {
            let root = name.split(':').next().unwrap_or_default();
            if !ROOTS.contains(&root) || name.split(':').any(|c| c.trim().is_empty()) {
                return crate::error::usage(
                    format!("[export] maps {key:?} to {name:?}, which is not a journal account name"),
                    format!("start it with one of {} and separate its parts with ':'", ROOTS.join(", ")),
                );
            }
        }
        let lower = |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
        Ok(Names { accounts: lower(accounts), categories: lower(categories) })
    }

    /// The journal account of the tally account a row belongs to.
    pub fn account(&self, row: &ExportRow) -> String {
        if let Some(name) = self.configured_account(row) {
            return name.clone();
        }
        let parent = match row.account_kind {
            AccountKind::Checking | AccountKind::Savings | AccountKind::Other => "Assets:Bank",
            AccountKind::Investment => "Assets:Investment",
            AccountKind::Credit => "Liabilities:Card",
            AccountKind::Loan => "Liabilities:Loan",
        };
        // A `:` in a tally name would make it two journal accounts.
        format!("{parent}:{}", row.account_name.replace(':', "-"))
    }

    /// Whether the config names the journal account of this row's tally account.
    pub fn is_configured(&self, row: &ExportRow) -> bool {
        self.configured_account(row).is_some()
    }

    fn configured_account(&self, row: &ExportRow) -> Option<&String> {
        let by_name = self.accounts.get(&row.account_name.to_lowercase());
        by_name.or_else(|| self.accounts.get(&row.account_id.to_string()))
    }

    /// The journal account on the other side: the row's category, or where uncategorized money
    /// goes (money in is never spending, categorized or not).
    pub fn counter(&self, row: &ExportRow) -> String {
        let Some(category) = &row.category else {
            return if row.amount > 0 { "Income:Uncategorized" } else { "Expenses:Uncategorized" }.to_string();
        };
        if let Some(name) = self.configured_category(category) {
            return name;
        }
        let root = match row.category_kind.as_deref() {
            Some("income") => "Income",
            Some("transfer") => "Equity",
            _ => "Expenses",
        };
        // The default tree already starts income with `Income`: no `Income:Income:Salary`.
        if category.split(':').next() == Some(root) { category.clone() } else { format!("{root}:{category}") }
    }

    /// The longest configured category that is this one or a parent of it, with the rest of
    /// the path appended (`Food` = `Expenses:Eating` makes `Food:Coffee` `Expenses:Eating:Coffee`).
    fn configured_category(&self, category: &str) -> Option<String> {
        let lower = category.to_lowercase();
        self.categories
            .iter()
            .filter(|(key, _)| lower == **key || lower.strip_prefix(key.as_str()).is_some_and(|r| r.starts_with(':')))
            .max_by_key(|(key, _)| key.len())
            .map(|(key, name)| format!("{name}{}", &category[key.len()..]))
    }
}

/// An account name ledger and hledger read as one account: no runs of blanks (two spaces end
/// the name), no brackets or parentheses (virtual postings), no `;` (a comment).
pub fn ledger_name(name: &str) -> String {
    components(name, |part| {
        let cleaned: String =
            part.chars().map(|c| if c.is_control() || ";()[]{}\"".contains(c) { ' ' } else { c }).collect();
        cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
    })
}

/// An account name beancount accepts: each part starts with a capital letter or a digit and
/// holds only letters, digits and `-` (`Everyday Checking` becomes `Everyday-Checking`).
pub fn beancount_name(name: &str) -> String {
    components(name, |part| {
        let words: Vec<&str> = part.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let joined = words.join("-");
        let mut chars = joined.chars();
        match chars.next() {
            Some(first) if first.is_uppercase() || first.is_ascii_digit() => joined,
            Some(first) if first.to_uppercase().all(char::is_uppercase) => first.to_uppercase().chain(chars).collect(),
            // A letter without case (e.g. CJK) cannot start a part.
            Some(_) => format!("X-{joined}"),
            None => String::new(),
        }
    })
}

/// Apply `clean` to each `:`-separated part; a part that cleans to nothing is `Unnamed`.
fn components(name: &str, clean: impl Fn(&str) -> String) -> String {
    name.split(':')
        .map(|part| {
            let c = clean(part);
            if c.is_empty() { "Unnamed".to_string() } else { c }
        })
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TxStatus;

    fn row(kind: AccountKind, amount: i64, category: Option<(&str, &str)>) -> ExportRow {
        ExportRow {
            id: 7,
            booked_date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            account_id: 3,
            account_name: "Everyday Checking".into(),
            account_kind: kind,
            payee: None,
            description: "x".into(),
            amount,
            currency: "USD".into(),
            category: category.map(|c| c.0.to_string()),
            category_kind: category.map(|c| c.1.to_string()),
            status: TxStatus::Posted,
        }
    }

    #[test]
    fn defaults_follow_the_kinds() {
        let n = Names::default();
        assert_eq!(n.account(&row(AccountKind::Checking, -1, None)), "Assets:Bank:Everyday Checking");
        assert_eq!(n.account(&row(AccountKind::Credit, -1, None)), "Liabilities:Card:Everyday Checking");
        assert_eq!(n.counter(&row(AccountKind::Checking, -1, None)), "Expenses:Uncategorized");
        assert_eq!(n.counter(&row(AccountKind::Checking, 1, None)), "Income:Uncategorized");
        let groceries = Some(("Food:Groceries", "expense"));
        assert_eq!(n.counter(&row(AccountKind::Checking, 5, groceries)), "Expenses:Food:Groceries");
        assert_eq!(n.counter(&row(AccountKind::Checking, 5, Some(("Income:Salary", "income")))), "Income:Salary");
        assert_eq!(n.counter(&row(AccountKind::Checking, 5, Some(("Bonus", "income")))), "Income:Bonus");
        let internal = Some(("Transfer:Internal", "transfer"));
        assert_eq!(n.counter(&row(AccountKind::Checking, 5, internal)), "Equity:Transfer:Internal");
    }

    #[test]
    fn the_config_overrides_accounts_and_category_subtrees() {
        let accounts = BTreeMap::from([("everyday checking".to_string(), "Assets:Chase".to_string())]);
        let categories = BTreeMap::from([
            ("Food".to_string(), "Expenses:Eating".to_string()),
            ("Food:Groceries".to_string(), "Expenses:Groceries".to_string()),
        ]);
        let n = Names::new(&accounts, &categories).unwrap();
        assert_eq!(n.account(&row(AccountKind::Checking, -1, None)), "Assets:Chase");
        let coffee = Some(("Food:Coffee", "expense"));
        assert_eq!(n.counter(&row(AccountKind::Checking, -1, coffee)), "Expenses:Eating:Coffee");
        let groceries = Some(("Food:Groceries", "expense"));
        assert_eq!(n.counter(&row(AccountKind::Checking, -1, groceries)), "Expenses:Groceries");
        let foodie = Some(("Foodie", "expense"));
        assert_eq!(n.counter(&row(AccountKind::Checking, -1, foodie)), "Expenses:Foodie", "a prefix is not a parent");
        let bad = BTreeMap::from([("Food".to_string(), "Spending:Food".to_string())]);
        assert!(Names::new(&BTreeMap::new(), &bad).unwrap_err().to_string().contains("not a journal account"));
    }

    #[test]
    fn names_are_made_valid_for_each_tool() {
        assert_eq!(ledger_name("Assets:Bank:My  Card (old);x"), "Assets:Bank:My Card old x");
        assert_eq!(ledger_name("Assets:Bank:"), "Assets:Bank:Unnamed");
        assert_eq!(beancount_name("Assets:Bank:Everyday Checking"), "Assets:Bank:Everyday-Checking");
        assert_eq!(beancount_name("Liabilities:Card:rewards visa #2"), "Liabilities:Card:Rewards-visa-2");
        assert_eq!(beancount_name("Expenses:Card Payment"), "Expenses:Card-Payment");
        assert_eq!(beancount_name("Assets:Bank:über konto"), "Assets:Bank:Über-konto");
        assert_eq!(beancount_name("Assets:Bank:銀行"), "Assets:Bank:X-銀行");
        assert_eq!(beancount_name("Assets:Bank:--"), "Assets:Bank:Unnamed");
    }
}
