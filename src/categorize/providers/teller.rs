//! Teller's transaction categories (`details.category`, a fixed list of lower-case words) onto
//! the default category tree of migrations 0002 and 0004. The original word stays on the row
//! as its provider category; words too vague to place (`general`, `service`…) stay for rules.

/// Our category for one of Teller's, if we know one.
pub fn map(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_lowercase().as_str() {
        "accommodation" => "Travel:Lodging",
        "bar" => "Food",
        "charity" => "Gifts & Donations",
        "clothing" => "Shopping:Clothing",
        "dining" => "Food:Restaurants",
        "education" => "Education",
        "electronics" | "office" | "shopping" => "Shopping",
        "entertainment" => "Entertainment",
        "fuel" => "Transport:Fuel",
        "groceries" => "Food:Groceries",
        "health" => "Health",
        "home" => "Housing",
        "income" => "Income:Other",
        "insurance" => "Insurance",
        "loan" => "Transfer",
        "phone" | "utilities" => "Housing:Utilities",
        "software" => "Subscriptions:Software",
        "sport" => "Health:Fitness",
        "tax" => "Taxes",
        "transport" | "transportation" => "Transport",
        // advertising, general, investment, service: no one place in a personal budget.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn each_documented_category_is_placed_or_left_for_rules() {
        const DOCUMENTED: &[&str] = &[
            "accommodation",
            "advertising",
            "bar",
            "charity",
            "clothing",
            "dining",
            "education",
            "electronics",
            "entertainment",
            "fuel",
            "general",
            "groceries",
            "health",
            "home",
            "income",
            "insurance",
            "investment",
            "loan",
            "office",
            "phone",
            "service",
            "shopping",
            "software",
            "sport",
            "tax",
            "transport",
            "transportation",
            "utilities",
        ];
        let unplaced: Vec<&str> = DOCUMENTED.iter().copied().filter(|c| map(c).is_none()).collect();
        assert_eq!(unplaced, ["advertising", "general", "investment", "service"]);
        assert_eq!(map("Dining"), Some("Food:Restaurants"));
        assert_eq!(map("groceries"), Some("Food:Groceries"));
    }
}
