//! Plaid's personal finance category codes (`PRIMARY_DETAILED`, which the sandbox sends too)
//! onto the default category tree of migration 0002. The most specific match wins.

/// Our category for a provider code, if we know one.
pub fn map(code: &str) -> Option<&'static str> {
    const DETAILED: &[(&str, &str)] = &[
        ("INCOME_WAGES", "Income:Salary"),
        ("INCOME_INTEREST_EARNED", "Income:Interest"),
        ("RENT_AND_UTILITIES_RENT", "Housing:Rent"),
        ("FOOD_AND_DRINK_GROCERIES", "Food:Groceries"),
        ("FOOD_AND_DRINK_RESTAURANT", "Food:Restaurants"),
        ("FOOD_AND_DRINK_COFFEE", "Food:Coffee"),
        ("TRANSPORTATION_PUBLIC_TRANSIT", "Transport:Public"),
        ("TRANSPORTATION_GAS", "Transport:Fuel"),
        ("TRAVEL_PUBLIC_TRANSIT", "Travel"),
        ("ENTERTAINMENT_TV_AND_MOVIES", "Subscriptions:Streaming"),
        ("ENTERTAINMENT_MUSIC_AND_AUDIO", "Subscriptions:Streaming"),
        ("GENERAL_SERVICES_SOFTWARE", "Subscriptions:Software"),
        ("LOAN_PAYMENTS_CREDIT_CARD_PAYMENT", "Transfer:Card Payment"),
        ("TRANSFER_IN_ACCOUNT_TRANSFER", "Transfer:Internal"),
        ("TRANSFER_OUT_ACCOUNT_TRANSFER", "Transfer:Internal"),
    ];
    const PRIMARY: &[(&str, &str)] = &[
        ("INCOME", "Income:Other"),
        ("RENT_AND_UTILITIES", "Housing:Utilities"),
        ("FOOD_AND_DRINK", "Food"),
        ("TRANSPORTATION", "Transport"),
        ("TRAVEL", "Travel"),
        ("ENTERTAINMENT", "Entertainment"),
        ("GENERAL_MERCHANDISE", "Shopping"),
        ("GENERAL_SERVICES", "Shopping"),
        ("MEDICAL", "Health"),
        ("BANK_FEES", "Fees"),
        ("TRANSFER_IN", "Transfer"),
        ("TRANSFER_OUT", "Transfer"),
        ("LOAN_PAYMENTS", "Transfer"),
    ];
    let code = code.to_ascii_uppercase();
    DETAILED
        .iter()
        .find(|(k, _)| *k == code)
        .or_else(|| PRIMARY.iter().filter(|(k, _)| code.starts_with(&format!("{k}_"))).max_by_key(|(k, _)| k.len()))
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn detailed_beats_primary_and_unknown_is_none() {
        assert_eq!(map("FOOD_AND_DRINK_GROCERIES"), Some("Food:Groceries"));
        assert_eq!(map("FOOD_AND_DRINK_BEER_WINE"), Some("Food"));
        assert_eq!(map("RENT_AND_UTILITIES_GAS_AND_ELECTRICITY"), Some("Housing:Utilities"));
        assert_eq!(map("TRANSFER_OUT_SAVINGS"), Some("Transfer"));
        assert_eq!(map("SOMETHING_NEW"), None);
    }
}
