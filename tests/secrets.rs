//! The secret stores a user can choose (`TALLY_SECRETS`): the sealed file unlocked by a
//! passphrase or a key file, the kernel keyring, and that a choice is never silently replaced.

use std::os::unix::fs::MetadataExt as _;

use crate::common::TestEnv;

const PASSPHRASE: &str = "correct horse battery staple";

/// The sandbox's tokens for the linked connection, as the sealed store holds them: read back
/// through tally's own store, so the test checks the file never shows them.
fn sealed_values(env: &TestEnv) -> Vec<String> {
    let sealed = tally::secrets::sealed::SealedFile::new(
        env.home().join("secrets.sealed"),
        tally::secrets::sealed::KeySource::Passphrase(tally::secrets::SecretString::new(PASSPHRASE)),
    );
    sealed.read().unwrap().into_values().collect()
}

#[test]
fn the_passphrase_sealed_file_links_syncs_and_hides_the_tokens() {
    let env = TestEnv::without_database();
    env.set_env("TALLY_SECRETS", "file-passphrase");
    env.set_env("TALLY_PASSPHRASE", PASSPHRASE);
    let link = env.link();
    assert!(!link.stderr.contains("plaintext"), "no plaintext warning for the sealed file: {}", link.stderr);
    env.run(&["sync"]).ok();

    let path = env.home().join("secrets.sealed");
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
    assert!(!env.home().join("secrets.toml").exists(), "never a plaintext file beside it");
    let values = sealed_values(&env);
    assert!(!values.is_empty(), "the connection's tokens are in the sealed file");
    let text = std::fs::read_to_string(&path).unwrap();
    for value in &values {
        assert!(!text.contains(value.as_str()), "a token is readable in the sealed file");
    }

    let doctor = env.run(&["doctor", "--format", "json"]).ok().json();
    let row = doctor.as_array().unwrap().iter().find(|r| r["check"] == "secrets").unwrap();
    assert_eq!(row["status"], "ok");
    assert!(row["detail"].as_str().unwrap().contains("encrypted file"), "{row}");
}

#[test]
fn a_wrong_or_missing_passphrase_is_one_clear_error() {
    let env = TestEnv::without_database();
    env.set_env("TALLY_SECRETS", "file-passphrase");
    env.set_env("TALLY_PASSPHRASE", PASSPHRASE);
    env.link();

    let wrong = env.command(&["sync"]).env("TALLY_PASSPHRASE", "not it").output().unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert!(stderr.contains("cannot unlock secrets file"), "{stderr}");
    assert!(stderr.contains("hint: check TALLY_PASSPHRASE"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains(PASSPHRASE), "{stderr}");

    let missing = env.command(&["sync"]).env_remove("TALLY_PASSPHRASE").output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(stderr.contains("TALLY_PASSPHRASE is not set") && stderr.contains("hint:"), "{stderr}");
}

#[test]
fn a_key_file_unlocks_the_sealed_file_for_cron() {
    let env = TestEnv::without_database();
    let key = env.home().join("key");
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(&key, [42u8; 32]).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    env.set_env("TALLY_SECRETS", "file-keyfile");
    env.set_env("TALLY_KEY_FILE", key.to_str().unwrap());
    env.link();
    env.run(&["sync"]).ok();
    assert!(env.home().join("secrets.sealed").exists());

    // The same file under the passphrase store: told what it was sealed with, not "wrong passphrase".
    let run = env
        .command(&["sync"])
        .env("TALLY_SECRETS", "file-passphrase")
        .env("TALLY_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("sealed with a key file") && stderr.contains("TALLY_SECRETS=file-keyfile"), "{stderr}");

    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let open = env.run(&["sync"]).fails_with(1);
    assert!(open.stderr.contains("readable by other users") && open.stderr.contains("chmod 600"), "{}", open.stderr);
}

#[test]
fn an_unknown_store_name_is_a_usage_error_naming_the_choices() {
    let env = TestEnv::without_database();
    env.set_env("TALLY_SECRETS", "vault");
    let run = env.run(&["doctor"]).fails_with(2);
    assert!(run.stderr.contains("file-passphrase") && run.stderr.contains("keyutils"), "{}", run.stderr);
}

/// The kernel keyring may be unusable here (no login session): then the error says so, and
/// nothing falls back to a file.
#[test]
fn the_kernel_keyring_works_or_fails_without_falling_back() {
    let env = TestEnv::without_database();
    env.set_env("TALLY_SECRETS", "keyutils");
    let run = env.link_with(&[], crate::common::approve);
    if run.code == 0 {
        assert!(run.stderr.contains("forgets them at reboot"), "{}", run.stderr);
        env.run(&["sync"]).ok();
        env.run(&["connections", "unlink", "sandbox"]).ok();
    } else {
        assert!(run.stderr.contains("keyring is not usable") && run.stderr.contains("hint:"), "{}", run.stderr);
    }
    assert!(!env.home().join("secrets.toml").exists() && !env.home().join("secrets.sealed").exists());
}
