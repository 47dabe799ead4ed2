//! `tx list --search` through the full-text (trigram) index that triggers keep: a new row and
//! an edited row are found at once, a removed row is not, and short terms still work.

use chrono::{NaiveDate, Utc};
use tally::model::NewTransaction;
use tally::store::transactions;

use crate::common::TestEnv;

fn found(env: &TestEnv, text: &str) -> Vec<String> {
    let rows = env.run(&["tx", "list", "--search", text, "--format", "json"]).ok().json();
    rows.as_array().unwrap().iter().map(|r| r["description"].as_str().unwrap().to_string()).collect()
}

#[test]
fn search_finds_new_and_edited_rows_and_not_removed_ones() {
    let env = TestEnv::new();
    env.linked_and_synced();
    assert!(found(&env, "zebra crossing").is_empty());
    let mut row = NewTransaction {
        external_id: "search-test".into(),
        pending_external_id: None,
        booked_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        value_date: None,
        amount: -1234,
        currency: tally::money::Currency::parse("USD").unwrap(),
        payee: None,
        description: "ZEBRA CROSSING CAFE".into(),
        pending: false,
        provider_category: None,
    };
    let id = {
        let store = env.store();
        transactions::insert(store.db(), 1, &row, None, None, Utc::now()).unwrap()
    };
    assert_eq!(found(&env, "zebra crossing"), ["ZEBRA CROSSING CAFE"], "a new row, case aside");
    assert_eq!(found(&env, "ing ca"), ["ZEBRA CROSSING CAFE"], "any substring");
    row.description = "OKAPI BAKERY".into();
    transactions::update(env.store().db(), id, &row, None, None, Utc::now()).unwrap();
    assert!(found(&env, "zebra").is_empty(), "the old text is gone from the index");
    assert_eq!(found(&env, "okapi"), ["OKAPI BAKERY"]);
    assert!(found(&env, "KA").contains(&"OKAPI BAKERY".to_string()), "two letters: no trigram, still a match");
    transactions::mark_removed(env.store().db(), id, Utc::now()).unwrap();
    assert!(found(&env, "okapi").is_empty(), "a removed row is not listed");
}
