//! `tally connections`: list, show, unlink (which revokes at the bank, and says so when it cannot).

use crate::common::TestEnv;

/// The refresh token tally holds for `connection`, read from the plaintext secrets file.
fn refresh_token(env: &TestEnv) -> String {
    let file = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    let table: toml::Table = toml::from_str(&file).unwrap();
    let tokens = table.values().find_map(|v| v.as_str().filter(|s| s.contains("refresh_token"))).unwrap();
    let tokens: serde_json::Value = serde_json::from_str(tokens).unwrap();
    tokens["refresh_token"].as_str().unwrap().to_string()
}

/// What the sandbox's token endpoint says to `refresh_token` now: (status, body).
fn try_refresh(env: &TestEnv, refresh_token: &str) -> (u16, String) {
    let http = tally::context::http_client().unwrap();
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", "tally-cli")];
    let response = http.post(format!("{}/token", env.sandbox.url())).form(&form).send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn unlink_revokes_at_the_bank_deletes_tokens_and_keeps_data() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let refresh = refresh_token(&env);
    let rows: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    let run = env.run(&["connections", "unlink", "sandbox"]).ok();
    assert!(run.stderr.contains("consent revoked at the bank"), "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // The bank (on 127.0.0.1, over plain HTTP) really ended the consent: the refresh token is dead.
    let (status, body) = try_refresh(&env, &refresh);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid_grant") && body.contains("revoked"), "{body}");
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

/// The bank's revocation endpoint fails: the tokens are deleted here all the same, and the
/// message says the consent may live on at the bank and where to end it. Exit 0 by design
/// (`commands/connections/unlink.rs`): the local unlink is complete and cannot be retried.
#[test]
fn a_failed_revocation_says_the_consent_may_still_be_alive() {
    let env = TestEnv::new();
    env.link();
    let refresh = refresh_token(&env);
    env.sandbox.fault("kind=revoke_error").unwrap();
    let run = env.run(&["connections", "unlink", "sandbox", "-q"]).ok();
    assert_eq!(env.sandbox.faults_left(), 0, "the revocation was tried");
    assert!(run.stderr.contains("warning: could not revoke the consent for sandbox at the bank"), "{}", run.stderr);
    assert!(run.stderr.contains("503"), "says what the bank answered: {}", run.stderr);
    assert!(
        run.stderr.contains("consent may still be alive at the bank (until 2027-05-22 at the latest)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: end tally's access in the bank's own settings"), "{}", run.stderr);
    assert!(!run.stderr.contains("consent revoked"), "{}", run.stderr);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(!secrets.contains("refresh_token"), "the tokens are deleted here: {secrets}");
    let (status, body) = try_refresh(&env, &refresh);
    assert_eq!(status, 200, "and the bank still honours the consent, as the message says: {body}");
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
