//! `tally import --account NAME --create-account` (issue 14 item 7): a name tally does not
//! know is created; an existing name or id is used as before.

use crate::common::TestEnv;
use crate::import::fixture;

fn accounts(env: &TestEnv) -> Vec<(String, String)> {
    let json = env.run(&["accounts", "--format", "json"]).ok().json();
    let mut names: Vec<(String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap().to_string(), a["currency"].as_str().unwrap().to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn a_named_account_is_created_once_and_then_used() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("us-symbols.csv"), "--account", "Everyday"]).fails_with(1);
    assert!(run.stderr.contains("no account named \"Everyday\""), "{}", run.stderr);
    let csv = fixture("us-symbols.csv");
    let args = ["import", &csv, "--account", "Everyday", "--create-account", "--currency", "USD", "--format", "json"];
    let run = env.run(&args).ok();
    assert_eq!((run.json()[0]["account"].as_str(), run.json()[0]["new"].as_u64()), (Some("Everyday"), Some(4)));
    let again = env.run(&args).ok();
    assert_eq!((again.json()[0]["new"].as_u64(), again.json()[0]["unchanged"].as_u64()), (Some(0), Some(4)));
    // By id, as before; an id that is not there is a mistake, not a name to create.
    env.run(&["import", &csv, "--account", "1", "--create-account", "--format", "json"]).ok();
    let run = env.run(&["import", &csv, "--account", "99", "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("no account named \"99\""), "{}", run.stderr);
    assert_eq!(accounts(&env), [("Everyday".to_string(), "USD".to_string())]);
}

#[test]
fn every_statement_of_a_file_goes_into_the_one_new_account() {
    let env = TestEnv::new();
    let ofx = fixture("bank-sgml.ofx");
    let run = env.run(&["import", &ofx, "--account", "Joint", "--create-account", "--format", "json"]).ok();
    let news: Vec<_> = run.json().as_array().unwrap().iter().map(|r| r["new"].as_u64().unwrap()).collect();
    assert_eq!(news, [3, 2]);
    assert_eq!(accounts(&env), [("Joint".to_string(), "USD".to_string())]);
    let listed = env.run(&["tx", "list", "--account", "Joint", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 5);
}
