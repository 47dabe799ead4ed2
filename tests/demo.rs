//! `tally demo`: the main job, offline, on a temporary database.

use crate::common::TestEnv;

#[test]
fn demo_links_syncs_and_reports_on_its_own() {
    let env = TestEnv::without_database();
    let run = env.run(&["demo"]).ok();
    for expected in ["plays you on the bank's consent page", "Linked sandbox", "== Accounts ==", "== Spending"] {
        assert!(run.stderr.contains(expected), "missing {expected:?}:\n{}", run.stderr);
    }
    assert!(run.stdout.contains("Everyday Checking") && run.stdout.contains("Food:Groceries"), "{}", run.stdout);
    assert!(!env.db().exists(), "the demo leaves the user's database alone");
}

#[test]
fn demo_keeps_its_data_when_given_a_database() {
    let env = TestEnv::new();
    let db = env.home().join("kept.db");
    env.run(&["demo", "--db", db.to_str().unwrap()]).ok();
    let rows: i64 = crate::common::query(&db, "SELECT count(*) FROM \"transaction\"");
    assert!(rows > 1000);
    let listed = env.run(&["tx", "list", "--db", db.to_str().unwrap(), "--limit", "5", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 5);
    // Its tokens went to the configured secret store (the demo's bank is gone with it).
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(secrets.contains("refresh_token"), "{secrets}");
}
