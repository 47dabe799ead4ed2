//! QIF files as money apps write them (issue 14 item 4): no header at all, account lists,
//! asset and liability accounts, and sections tally does not import, skipped with a note.

use crate::common::TestEnv;
use crate::import::fixture;

#[test]
fn a_qif_without_a_type_header_is_a_bank_account() {
    let env = TestEnv::new();
    let qif = fixture("headerless.qif");
    let run = env.run(&["import", &qif, "--create-account", "--currency", "USD", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 3);
    assert!(
        run.stderr.contains("headerless.qif has no !Type header: its records are read as a bank account"),
        "{}",
        run.stderr
    );
    let again = env.run(&["import", &qif, "--account", "headerless", "--format", "json"]).ok();
    assert_eq!(again.json()[0]["new"], 0);
}

#[test]
fn category_lists_memorized_items_and_investments_are_skipped_with_a_note() {
    let env = TestEnv::new();
    let qif = fixture("quicken-export.qif");
    let run = env.run(&["import", &qif, "--create-account", "--currency", "USD", "--format", "json"]).ok();
    let got: Vec<(String, u64)> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["account"].as_str().unwrap().to_string(), r["new"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, [("House Savings".to_string(), 1), ("Car Loan".to_string(), 1)]);
    for note in [
        "skipped 2 category list entries (!Type:Cat)",
        "skipped 1 investment transactions (!Type:Invst): tally imports cash accounts only",
        "skipped 1 memorized transactions (!Type:Memorized)",
    ] {
        assert!(run.stderr.contains(note), "{note}: {}", run.stderr);
    }
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    let kinds: Vec<(&str, &str)> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("Car Loan", "loan")), "{kinds:?}");
}
