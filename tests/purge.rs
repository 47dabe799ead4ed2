//! Erasure: `connections unlink --purge` erases one connection's data; `tally purge` erases
//! everything tally holds (database, side files, tokens, the database key). Both ask first.

use crate::common::TestEnv;

/// A text the sandbox puts in synced rows, to look for in the database file's bytes.
fn db_bytes(env: &TestEnv) -> String {
    let mut all = String::from_utf8_lossy(&std::fs::read(env.db()).unwrap()).to_string();
    if let Ok(wal) = std::fs::read(format!("{}-wal", env.db().display())) {
        all.push_str(&String::from_utf8_lossy(&wal));
    }
    all
}

#[test]
fn unlink_purge_erases_the_connections_rows_and_keeps_the_rest() {
    let env = TestEnv::new();
    env.linked_and_synced();
    env.run(&["accounts", "add", "Cash", "--currency", "EUR"]).ok();
    let payee: String = env.query("SELECT description FROM \"transaction\" ORDER BY id LIMIT 1");
    let accounts: i64 = env.query("SELECT count(*) FROM account WHERE connection_id IS NOT NULL");
    assert!(accounts > 0);

    let refused = env.run(&["connections", "unlink", "sandbox", "--purge"]).fails_with(2);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM connection"), 1, "nothing erased without a yes");

    let run = env.run(&["connections", "unlink", "sandbox", "--purge", "--yes"]).ok();
    assert!(run.stderr.contains(&format!("Erased sandbox: {accounts} accounts")), "{}", run.stderr);
    for table in ["connection", "raw_record", "sync_run", "call_ledger", "\"transaction\""] {
        assert_eq!(env.query::<i64>(&format!("SELECT count(*) FROM {table}")), 0, "{table}");
    }
    assert_eq!(env.rows("SELECT name FROM account", []), ["Cash"], "a manual account stays");
    let secrets = std::fs::read_to_string(env.home().join("secrets.toml")).unwrap();
    assert!(!secrets.contains("access_token"), "the tokens are gone");
    if !crate::common::encrypted() {
        assert!(!db_bytes(&env).contains(&payee), "erased rows are not left in the file's free pages");
    }
}

/// Text a row held before an update (a rule's payee rename, taken back) sits in the page's
/// free space, where `secure_delete` at purge time does not reach; the search index keeps a
/// deleted row's trigrams until its segments merge. Both must be gone after the purge.
#[test]
fn unlink_purge_leaves_no_earlier_version_of_a_row_in_the_file() {
    if crate::common::encrypted() {
        return; // ciphertext says nothing either way: the plain run of the suite checks this
    }
    let env = TestEnv::new();
    env.linked_and_synced();
    let description: String = env.query("SELECT description FROM \"transaction\" ORDER BY id LIMIT 1");
    let marker = "QUOKKA-RENAMED-PAYEE";
    env.run(&["rules", "add", "--description-exact", &description, "--rename-payee", marker]).ok();
    env.run(&["rules", "apply"]).ok();
    assert!(db_bytes(&env).contains(marker), "the rename was written");
    let rules = env.run(&["rules", "list", "--format", "json"]).ok().json();
    let id = rules[0]["id"].to_string();
    env.run(&["rules", "remove", &id]).ok();
    env.run(&["categorize"]).ok();
    env.run(&["connections", "unlink", "sandbox", "--purge", "--yes"]).ok();
    let bytes = db_bytes(&env);
    assert!(!bytes.contains(marker), "an earlier version of a purged row is left in the file");
    assert!(!bytes.contains(&description), "a purged row's text is left in the file");
}

#[test]
fn purge_erases_the_database_and_the_tokens_after_a_yes() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let refused = env.run(&["purge"]).fails_with(2);
    assert!(refused.stderr.contains("pass --yes"), "{}", refused.stderr);
    assert!(env.db().exists());

    let run = env.run(&["purge", "--yes"]).ok();
    assert!(run.stderr.contains("1 connections unlinked"), "{}", run.stderr);
    let left: Vec<String> =
        std::fs::read_dir(env.home()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    assert!(left.iter().all(|f| !f.starts_with("tally.db") && !f.starts_with("secrets")), "{left:?}");
    // Nothing left to open.
    env.run(&["accounts"]).fails_with(1);
}

/// A database key without its database protects nothing: `purge` takes it too, so the secret
/// store holds nothing of tally's afterwards (the file store makes that checkable).
#[test]
fn purge_takes_the_database_key_with_an_encrypted_database() {
    let env = TestEnv::new();
    if !crate::common::encrypted() {
        env.run(&["init", "--encrypt"]).ok();
    }
    env.linked_and_synced();
    assert!(crate::common::database_key(&env.db()).is_some(), "an encrypted database has its key in the store");
    env.run(&["purge", "--yes"]).ok();
    assert!(!env.home().join("secrets.toml").exists(), "the secret store still holds something of tally's");
}

/// Also when the database is already gone (deleted by hand): the key it leaves behind goes.
#[test]
fn purge_without_a_database_still_takes_its_key() {
    let env = TestEnv::new();
    if !crate::common::encrypted() {
        env.run(&["init", "--encrypt"]).ok();
    }
    std::fs::remove_file(env.db()).unwrap();
    assert!(std::fs::read_to_string(env.home().join("secrets.toml")).unwrap().contains("tally-db-key"));
    let run = env.run(&["purge", "--yes"]).ok();
    assert!(!env.home().join("secrets.toml").exists(), "the key outlived its database: {}", run.stderr);
}
