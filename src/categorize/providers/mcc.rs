//! ISO 18245 merchant category codes (SimpleFIN's `mcc`) onto the default category tree of
//! migrations 0002 and 0004. Only codes whose meaning is unambiguous are mapped; the rest stay for rules.

/// Our category for a four-digit merchant category code, if we know one.
pub fn map(code: &str) -> Option<&'static str> {
    let n: u16 = code.trim().parse().ok()?;
    Some(match n {
        5411 | 5422 | 5441 | 5451 | 5499 => "Food:Groceries",
        5812..=5814 => "Food:Restaurants",
        4111 | 4112 | 4131 => "Transport:Public",
        5541 | 5542 | 5983 => "Transport:Fuel",
        4121 => "Transport:Rideshare",
        7523 => "Transport:Parking",
        3501..=3999 | 7011 => "Travel:Lodging",
        3000..=3299 | 4511 | 4722 => "Travel",
        4900 => "Housing:Utilities",
        4899 => "Subscriptions:Streaming",
        5734 | 5817 | 5818 => "Subscriptions:Software",
        7832 | 7922 | 7991 | 7996 => "Entertainment",
        7997 => "Health:Fitness",
        5912 => "Health:Pharmacy",
        8011 | 8021 | 8031 | 8042 | 8043 | 8062 | 8099 => "Health",
        7230 | 7297 | 7298 => "Personal Care",
        8211 | 8220 | 8241 | 8244 | 8249 | 8299 => "Education",
        5960 | 6300 => "Insurance",
        9311 => "Taxes",
        8398 | 8661 => "Gifts & Donations",
        742 | 5995 => "Pets",
        5611 | 5621 | 5631 | 5641 | 5651 | 5655 | 5661 | 5691 | 5699 => "Shopping:Clothing",
        5200 | 5251 | 5712 | 5719 | 5722 => "Shopping:Household",
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
        assert_eq!(map("5912"), Some("Health:Pharmacy"), "pharmacies before the shopping range");
        assert_eq!(map("7011"), Some("Travel:Lodging"));
        assert_eq!(map("0742"), Some("Pets"), "a leading zero is still the code");
        assert_eq!(map("5651"), Some("Shopping:Clothing"));
        assert_eq!(map("5999"), Some("Shopping"));
        assert_eq!(map("6011"), None, "cash is not a category");
        assert_eq!(map("FOOD"), None);
    }
}
