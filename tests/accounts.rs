//! `tally accounts`: list, show, rename; names resolve or fail clearly.

use crate::common::TestEnv;

#[test]
fn lists_accounts_with_balances_in_every_format() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let json = env.run(&["accounts", "--format", "json"]).ok().json();
    let accounts = json.as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    let eur = accounts.iter().find(|a| a["currency"] == "EUR").unwrap();
    assert!(eur["balance"].as_str().unwrap().contains('.'), "decimal strings: {eur}");
    assert_eq!(eur["kind"], "checking");

    let csv = env.run(&["accounts", "--format", "csv"]).ok().stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(reader.records().count(), 4);

    let table = env.run(&["accounts"]).ok().stdout;
    assert!(table.contains("Everyday Checking") && table.contains("│"), "{table}");
}

#[test]
fn rename_then_resolve_by_the_new_name() {
    let env = TestEnv::new();
    env.link();
    env.run(&["accounts", "rename", "everyday checking", "Joint"]).ok();
    let shown = env.run(&["accounts", "show", "Joint", "--format", "json"]).ok().json();
    assert_eq!(shown["name"], "Joint");
    let by_id = env.run(&["accounts", "show", &shown["id"].to_string(), "--format", "json"]).ok().json();
    assert_eq!(by_id["name"], "Joint");
}

#[test]
fn an_unknown_account_is_a_usage_error_with_a_hint() {
    let env = TestEnv::new();
    env.link();
    let run = env.run(&["accounts", "show", "Nope"]).fails_with(2);
    assert!(run.stderr.contains("no account named \"Nope\""), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"));
    env.run(&["tx", "list", "--account", "Nope"]).fails_with(2);
}
