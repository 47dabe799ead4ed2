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

#[test]
fn calls_left_show_for_a_limited_provider_and_no_limit_for_the_others() {
    let env = TestEnv::new();
    env.link();
    env.run_consenting(&["link", "sandbox-window", "--all", "--no-browser", "--timeout", "20"], crate::common::approve)
        .ok();
    env.run(&["sync", "-q"]).ok();
    let table = env.run(&["connections"]).ok().stdout;
    let line = |name: &str| {
        table
            .lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("{name}:\n{table}"))
            .to_string()
    };
    assert!(line("sandbox").contains("no limit"), "{table}");
    // 4 calls a day per account scope; one sync spent one in each.
    assert!(line("sandbox-window").contains(" 3 ") && !line("sandbox-window").contains("no limit"), "{table}");
    // Scripts get a number, or null where there is no limit.
    let json = env.run(&["connections", "--format", "json"]).ok().json();
    let left =
        |name: &str| json.as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["calls_left_today"].clone();
    assert_eq!(left("sandbox"), serde_json::Value::Null);
    assert_eq!(left("sandbox-window"), 3);
}
