//! ISO 18245 merchant category codes (SimpleFIN's `mcc`) onto the default category tree of
//! migration 0002. Only codes whose meaning is unambiguous are mapped; the rest stay for rules.

/// Our category for a four-digit merchant category code, if we know one.
pub fn map(code: &str) -> Option<&'static str> {
    let n: u16 = code.trim().parse().ok()?;
    Some(match n {
        5411 | 5422 | 5441 | 5451 | 5499 => "Food:Groceries",
        5812..=5814 => "Food:Restaurants",
        4111 | 4112 | 4131 => "Transport:Public",
        5541 | 5542 | 5983 => "Transport:Fuel",
        4121 | 7523 => "Transport",
        3000..=3299 | 4511 | 3501..=3999 | 7011 | 4722 => "Travel",
        4900 => "Housing:Utilities",
        4899 => "Subscriptions:Streaming",
        5734 | 5817 | 5818 => "Subscriptions:Software",
        7832 | 7922 | 7991 | 7996 => "Entertainment",
        5912 | 8011 | 8021 | 8031 | 8042 | 8043 | 8062 | 8099 => "Health",
        5200..=5399 | 5600..=5699 | 5900..=5999 => "Shopping",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn known_codes_map_and_others_are_left_alone() {
        assert_eq!(map("5411"), Some("Food:Groceries"));
        assert_eq!(map("5814"), Some("Food:Restaurants"));
        assert_eq!(map("3058"), Some("Travel"), "airlines have their own codes");
        assert_eq!(map("5912"), Some("Health"), "pharmacies before the shopping range");
        assert_eq!(map("6011"), None, "cash is not a category");
        assert_eq!(map("FOOD"), None);
    }
}
