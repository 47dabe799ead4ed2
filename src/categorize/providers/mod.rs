//! Which category map reads a provider's own category codes: each provider names its codes its
//! own way, so each gets its map (or none). Importers (`import:csv`, `import:qif`…) have none:
//! a statement's categories are the user's own words, not a provider's codes.

mod mcc;
mod plaid;
mod teller;

use crate::providers::ProviderKind;

/// A provider's category code onto the full name of one of our categories, if it knows one.
pub type CategoryMap = fn(&str) -> Option<&'static str>;

/// The map for rows from `provider` (a connection's provider kind, or an importer's name).
pub fn map_for(provider: &str) -> Option<CategoryMap> {
    // Exhaustive on purpose: a new provider has to say how its categories read.
    match ProviderKind::parse(provider)? {
        ProviderKind::Sandbox | ProviderKind::SandboxWindow => Some(plaid::map),
        // Plaid's personal_finance_category `detailed` label (v2 taxonomy).
        ProviderKind::Plaid => Some(plaid::map),
        // SimpleFIN has no categories of its own; its `mcc` is the merchant category code.
        ProviderKind::SimpleFin => Some(mcc::map),
        // Enable Banking sends no category codes (only an MCC on some card rows).
        ProviderKind::EnableBanking => None,
        // Core Exchange's `category` is "preferably MCC or SIC": read it as an MCC.
        ProviderKind::Fdx => Some(mcc::map),
        // GoCardless has no categories; the bank's `proprietaryBankTransactionCode` is kept as
        // the row's provider category (for rules), but no map reads it.
        ProviderKind::GoCardless => None,
        // Teller's `details.category`: `dining`, `groceries`, … (its fixed list).
        ProviderKind::Teller => Some(teller::map),
    }
}

/// Whether rows from `provider` carry our own categories by their full names rather than a
/// provider's codes: tally's own export read back (`import:tally`), whose categories are the
/// user's tally categories and land as the rows' imported labels.
pub fn names_our_categories(provider: &str) -> bool {
    provider == "import:tally"
}

/// The map every row went through before maps were per provider.
pub(super) fn plaid_style() -> CategoryMap {
    plaid::map
}

#[cfg(test)]
mod tests {
    use super::map_for;

    #[test]
    fn each_provider_gets_its_own_map_and_imports_get_none() {
        for sandbox in ["sandbox", "sandbox-window"] {
            let map = map_for(sandbox).expect("the sandbox sends Plaid-style codes");
            assert_eq!(map("FOOD_AND_DRINK_COFFEE"), Some("Food:Coffee"));
        }
        assert_eq!(
            map_for("plaid").expect("Plaid sends its PFC labels")("FOOD_AND_DRINK_GROCERIES"),
            Some("Food:Groceries")
        );
        assert_eq!(map_for("simplefin").expect("SimpleFIN sends merchant codes")("5812"), Some("Food:Restaurants"));
        for other in ["enablebanking", "gocardless", "import:csv", "import:qif", "import:ofx", "no-such-provider"] {
            assert!(map_for(other).is_none(), "{other}");
        }
    }
}
