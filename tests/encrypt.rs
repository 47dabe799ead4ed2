//! The encrypted database: `tally init --encrypt`, `tally encrypt` / `tally decrypt` (safe under
//! SIGKILL), what the file shows, and the one clear error for a missing or wrong key.

use std::time::{Duration, Instant};

use tally::store::cipher::{self, FileKind};

use crate::common::{self, TestEnv};

/// An environment whose database is encrypted, linked and synced.
fn encrypted_env() -> TestEnv {
    let env = TestEnv::new();
    if !common::encrypted() {
        env.run(&["init", "--encrypt"]).ok();
    }
    env.linked_and_synced();
    env
}

/// An environment whose database is plain, linked and synced.
fn plain_env(scale: u32) -> TestEnv {
    let env = TestEnv::with_scale(scale);
    env.linked_and_synced();
    if common::encrypted() {
        env.run(&["decrypt"]).ok();
    }
    assert_eq!(cipher::file_kind(&env.db()), FileKind::Plain);
    env
}

fn fingerprint(env: &TestEnv) -> cipher::Fingerprint {
    cipher::fingerprint(&env.store()).unwrap()
}

fn set_secret(env: &TestEnv, value: Option<&str>) {
    let path = env.home().join("secrets.toml");
    let mut all: std::collections::BTreeMap<String, String> =
        toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    match value {
        Some(v) => all.insert(cipher::KEY_ENTRY.into(), v.into()),
        None => all.remove(cipher::KEY_ENTRY),
    };
    std::fs::write(&path, toml::to_string(&all).unwrap()).unwrap();
}

#[test]
fn an_encrypted_database_shows_no_plaintext_and_every_command_reads_it() {
    let env = encrypted_env();
    let payee: String = env.query("SELECT payee FROM \"transaction\" WHERE length(payee) > 8 LIMIT 1");
    let bytes = std::fs::read(env.db()).unwrap();
    assert_eq!(cipher::file_kind(&env.db()), FileKind::Encrypted);
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"), "the header is not plaintext");
    assert!(!bytes.windows(payee.len()).any(|w| w == payee.as_bytes()), "no {payee:?} in the file");
    let mut wal = env.db().into_os_string();
    wal.push("-wal");
    assert!(!std::path::Path::new(&wal).exists(), "no WAL left behind after a command");

    let tx = env.run(&["tx", "list", "--format", "json"]).ok().json();
    assert!(!tx.as_array().unwrap().is_empty());
    env.run(&["report", "spending"]).ok();
    let doctor = env.run(&["doctor", "--format", "json"]).ok().json();
    let row = doctor.as_array().unwrap().iter().find(|r| r["check"] == "encryption").unwrap();
    assert!(row["detail"].as_str().unwrap().starts_with("encrypted"), "{row}");
    let key = common::database_key(&env.db()).unwrap();
    let secret = &key.expose()[2..66];
    for run in [env.run(&["doctor"]), env.run(&["-vvv", "accounts"])] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "the key never shows");
    }
    env.run(&["init", "--encrypt"]).fails_with(2);
}

#[test]
fn a_missing_or_wrong_key_is_one_clear_error() {
    let env = encrypted_env();
    set_secret(&env, None);
    let run = env.run(&["accounts"]).fails_with(1);
    assert!(run.stderr.contains("is encrypted, and the secret store has no key for it"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:") && run.stderr.contains("tally-db-key"), "{}", run.stderr);
    assert!(!run.stderr.contains("file is not a database"), "{}", run.stderr);
    // doctor still runs: the database row fails with the same words, the secret store is checked.
    let rows = env.run(&["doctor", "--format", "json"]).fails_with(1).json();
    let row = |check: &str| rows.as_array().unwrap().iter().find(|r| r["check"] == check).unwrap().clone();
    assert_eq!(row("database")["status"], "fail");
    assert!(row("database")["detail"].as_str().unwrap().contains("has no key"), "{rows:#}");
    assert_eq!(row("secrets")["status"], "warn", "the plaintext file store is named: {rows:#}");
    assert!(row("encryption")["detail"].as_str().unwrap().starts_with("encrypted"), "{rows:#}");

    set_secret(&env, Some(&format!("x'{}'", "ab".repeat(32))));
    let run = env.run(&["tx", "list"]).fails_with(1);
    assert!(run.stderr.contains("the database key in the secret store does not open"), "{}", run.stderr);
    assert!(!run.stderr.contains("file is not a database"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("error:").count(), 1, "{}", run.stderr);

    set_secret(&env, Some("hunter2"));
    let run = env.run(&["sync"]).fails_with(1);
    assert!(run.stderr.contains("is damaged") && !run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn encrypt_then_decrypt_round_trips_row_for_row() {
    let env = plain_env(1);
    let before = fingerprint(&env);
    env.run(&["encrypt"]).ok();
    assert_eq!(cipher::file_kind(&env.db()), FileKind::Encrypted);
    assert_eq!(fingerprint(&env), before);
    env.run(&["tx", "list"]).ok();
    env.run(&["decrypt"]).ok();
    assert_eq!(cipher::file_kind(&env.db()), FileKind::Plain);
    assert_eq!(fingerprint(&env), before);
    let run = env.run(&["decrypt"]).ok();
    assert!(run.stderr.contains("is not encrypted"), "{}", run.stderr);
    let doctor = env.run(&["doctor", "--format", "json"]).ok().json();
    let row = doctor.as_array().unwrap().iter().find(|r| r["check"] == "encryption").unwrap();
    assert_eq!(row["detail"], "plain SQLite, not encrypted");
    assert!(row["hint"].as_str().unwrap().contains("tally encrypt"), "{row}");
}

#[test]
fn a_killed_encrypt_leaves_the_old_database_or_the_new_one() {
    let env = plain_env(3);
    let expected = fingerprint(&env);
    let tmp = cipher::temp_path(&env.db());
    let (mut mid_conversion, mut finished) = (0, 0);
    for attempt in 0..40u32 {
        let _ = std::fs::remove_file(&tmp); // each attempt starts clean; the last check covers leftovers
        let mut child = env.command(&["encrypt", "-q"]).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        // Wait until the copy is being written, then let it run a little longer each attempt.
        let mut spins = 0;
        let done = loop {
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            if tmp.exists() {
                spins += 1;
                if spins > attempt * 20 {
                    break false;
                }
            }
            assert!(Instant::now() < deadline, "tally encrypt hung");
            std::thread::yield_now();
        };
        if !done {
            child.kill().unwrap(); // SIGKILL: none of our cleanup runs
            child.wait().unwrap();
        }
        match cipher::file_kind(&env.db()) {
            FileKind::Plain => mid_conversion += 1,
            FileKind::Encrypted => {
                finished += 1;
                assert_eq!(fingerprint(&env), expected, "attempt {attempt}: the encrypted database is whole");
                env.run(&["decrypt", "-q"]).ok();
            }
            kind => panic!("attempt {attempt}: the database became {kind:?}"),
        }
        assert_eq!(fingerprint(&env), expected, "attempt {attempt}: the database is whole");
        if mid_conversion > 0 && finished > 0 {
            break;
        }
    }
    assert!(mid_conversion > 0, "no kill landed while the copy was written");
    std::fs::write(&tmp, b"a copy cut short by a kill").unwrap();
    env.run(&["encrypt"]).ok();
    assert_eq!(fingerprint(&env), expected);
    assert!(!tmp.exists(), "a leftover copy is cleaned up");
}
