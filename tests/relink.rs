//! `tally link --relink`: renew a dead consent in place, without duplicate accounts or rows,
//! and backfill the days it missed.

use crate::common::{TestEnv, approve};

#[test]
fn relinking_maps_accounts_by_identity_and_backfills_the_gap() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let accounts = || -> Vec<(String, String)> {
        let rows = env.rows("SELECT id, external_id FROM account ORDER BY id", []);
        rows.iter().map(|r| r.split_once('|').map(|(id, ext)| (id.to_string(), ext.to_string())).unwrap()).collect()
    };
    let accounts_before = accounts();
    let newest_before: String = env.query("SELECT max(booked_date) FROM \"transaction\"");

    // The consent dies; days pass; sync says what to run.
    env.sandbox.fault("kind=revoke").unwrap();
    env.sandbox.advance_days(5);
    let run = env.run(&["sync"]).fails_with(77);
    assert!(run.stderr.contains("tally link --relink sandbox"), "{}", run.stderr);

    let run = env.run_consenting(&["link", "--relink", "sandbox", "--no-browser", "--timeout", "20"], approve).ok();
    assert!(run.stderr.contains("4 accounts matched by identity, 0 new"), "{}", run.stderr);

    // Same accounts (same ids), under the new consent's provider ids.
    let accounts_after = accounts();
    assert_eq!(accounts_after.len(), 4);
    for (before, after) in accounts_before.iter().zip(&accounts_after) {
        assert_eq!(before.0, after.0);
        assert_ne!(before.1, after.1, "the sandbox scopes account ids to a consent");
    }
    let conn = env.run(&["connections", "show", "sandbox", "--format", "json"]).ok().json();
    assert_eq!(conn["status"], "active");

    env.run(&["sync"]).ok();
    let newest_after: String = env.query("SELECT max(booked_date) FROM \"transaction\"");
    assert!(newest_after > newest_before, "the gap was backfilled: {newest_before} -> {newest_after}");
    let duplicates: i64 = env.query(
        "SELECT count(*) FROM (SELECT account_id, external_id FROM \"transaction\" GROUP BY 1, 2 HAVING count(*) > 1)",
    );
    assert_eq!(duplicates, 0);
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert_eq!(secrets.matches("refresh_token").count(), 1, "the dead consent's tokens are gone");
}

#[test]
fn relinking_an_unknown_connection_is_a_usage_error() {
    let env = TestEnv::new();
    env.link();
    let run = env.run(&["link", "--relink", "nope", "--no-browser"]).fails_with(2);
    assert!(run.stderr.contains("no connection named \"nope\""), "{}", run.stderr);
    let run = env.run(&["link", "sandbox", "--relink", "sandbox"]);
    assert_eq!(run.code, 2, "a provider and --relink together make no sense: {run:#?}");
}
