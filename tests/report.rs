//! `tally report spending`: expenses only, by month and category, per currency.

use crate::common::TestEnv;

#[test]
fn spending_leaves_out_income_and_transfers_and_keeps_currencies_apart() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let json =
        env.run(&["report", "spending", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"]).ok().json();
    let rows = json.as_array().unwrap();
    assert!(rows.iter().all(|r| r["month"] == "2026-10"));
    assert!(rows.iter().any(|r| r["category"] == "Housing:Rent" && r["spent"] == "1850.00"));
    assert!(rows.iter().any(|r| r["currency"] == "EUR"));
    for r in rows {
        let c = r["category"].as_str().unwrap();
        assert!(!c.starts_with("Income") && !c.starts_with("Transfer"), "{r}");
    }
    // CSV parses back to the same rows.
    let csv =
        env.run(&["report", "spending", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv"]).ok().stdout;
    assert_eq!(csv::Reader::from_reader(csv.as_bytes()).records().count(), rows.len());
}
