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
fn category_lists_and_memorized_items_are_skipped_with_a_note() {
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
    assert_eq!(got, [("House Savings".to_string(), 1), ("Car Loan".to_string(), 1), ("Brokerage".to_string(), 1)]);
    for note in ["skipped 2 category list entries (!Type:Cat)", "skipped 1 memorized transactions (!Type:Memorized)"] {
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

#[test]
fn an_investment_section_imports_its_cash_movements() {
    let env = TestEnv::new();
    let qif = fixture("brokerage.qif");
    let run = env.run(&["import", &qif, "--create-account", "--currency", "USD", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 5, "{}", run.stdout);
    assert!(
        run.stderr.contains("skipped 2 investment records that move no cash in their account"),
        "the reinvestment and the BuyX: {}",
        run.stderr
    );
    assert_eq!(
        crate::import_shapes::dated_amounts(&env, "brokerage"),
        [
            ("2026-01-10", "-1005.00"),
            ("2026-01-15", "24.00"),
            ("2026-01-28", "519.00"),
            ("2026-01-31", "-200.00"),
            ("2026-01-31", "1.37")
        ]
        .map(|(d, a)| (d.to_string(), a.to_string()))
    );
    let listed = env.run(&["tx", "list", "--account", "brokerage", "--format", "json"]).ok().json();
    assert!(listed.to_string().contains("Buy 80 ACME CORP"), "{listed}");
    let kind = env.run(&["accounts", "show", "brokerage", "--format", "json"]).ok().json();
    assert_eq!(kind["kind"], "investment", "{kind}");
    // Stored records replay with the same signs.
    let before = env.run(&["tx", "list", "--account", "brokerage", "--format", "json"]).ok().json();
    env.run(&["sync", "--replay", "--format", "json"]).ok();
    assert_eq!(env.run(&["tx", "list", "--account", "brokerage", "--format", "json"]).ok().json(), before);
}
