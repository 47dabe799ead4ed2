//! `tally connections`: list, show, unlink.

use crate::common::TestEnv;

#[test]
fn unlink_revokes_at_the_bank_deletes_tokens_and_keeps_data() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    let run = env.run(&["connections", "unlink", "sandbox"]).ok();
    assert!(run.stderr.contains("consent revoked"), "{}", run.stderr);
    let shown = env.run(&["connections", "show", "sandbox", "--format", "json"]).ok().json();
    assert_eq!(shown["status"], "revoked");
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(!secrets.contains("access_token"), "{secrets}");
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), rows);
    // A second unlink is harmless; sync skips it and says there is nothing left to sync.
    env.run(&["connections", "unlink", "sandbox"]).ok();
    let run = env.run(&["sync"]).fails_with(2);
    assert!(run.stderr.contains("nothing to sync"), "{}", run.stderr);
}

#[test]
fn a_second_link_gets_its_own_name() {
    let env = TestEnv::new();
    env.link();
    env.link();
    let names: Vec<String> = env
        .run(&["connections", "--format", "json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["sandbox", "sandbox-2"]);
    let taken = env.run(&["link", "sandbox", "--all", "--name", "sandbox"]).fails_with(2);
    assert!(taken.stderr.contains("exists already"), "{}", taken.stderr);
}
