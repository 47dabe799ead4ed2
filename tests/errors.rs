//! Bad input anywhere: one `error:` line, a hint, a non-zero exit, nothing written.

use crate::common::TestEnv;

#[test]
fn reading_before_anything_is_linked_says_what_to_do() {
    let env = TestEnv::new();
    let run = env.run(&["tx", "list"]).fails_with(1);
    assert!(run.stderr.contains("no tally database"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: run `tally link sandbox`"), "{}", run.stderr);
    assert!(!env.db().exists(), "reading creates nothing");
    let run = env.run(&["sync"]).fails_with(1);
    assert!(run.stderr.contains("hint: run `tally link sandbox`"), "{}", run.stderr);
    assert!(!env.db().exists(), "nor does a sync with nothing linked");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let env = TestEnv::new();
    let junk = env.home().join("junk.db");
    std::fs::create_dir_all(env.home()).unwrap();
    let bytes = b"SQLite format 2? no, a shopping list: eggs, milk, bread, and more text".repeat(20);
    std::fs::write(&junk, &bytes).unwrap();
    let run = env.run(&["accounts", "--db", junk.to_str().unwrap()]).fails_with(1);
    assert!(run.stderr.contains("cannot use database"), "{}", run.stderr);
    assert_eq!(std::fs::read(&junk).unwrap(), bytes);
}

#[test]
fn a_database_from_a_newer_tally_is_refused() {
    let env = TestEnv::new();
    env.link();
    crate::common::set_schema_version(&env.db(), 999);
    let run = env.run(&["accounts"]).fails_with(1);
    assert!(run.stderr.contains("newer tally"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: upgrade tally"), "{}", run.stderr);
}

#[test]
fn wrong_flags_and_bad_config_are_usage_errors() {
    let env = TestEnv::new();
    let run = env.run(&["tx", "list", "--from", "yesterday"]);
    assert_eq!(run.code, 2, "{run:#?}");
    let run = env.run(&["accounts", "--format", "xml"]);
    assert_eq!(run.code, 2, "{run:#?}");

    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(env.home().join("config.toml"), "[sandbox]\nurll = 'x'\n").unwrap();
    let run = env.run(&["config", "show"]).fails_with(2);
    assert!(run.stderr.contains("config.toml is not valid"), "{}", run.stderr);
    assert!(run.stderr.contains("tally config default"), "{}", run.stderr);
}

#[test]
fn without_a_keyring_the_error_names_both_ways_out() {
    let env = TestEnv::new();
    let out = env.command(&["link", "sandbox", "--all", "--no-browser"]).env_remove("TALLY_SECRETS").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the OS keyring is not usable"), "{stderr}");
    assert!(stderr.contains("TALLY_SECRETS=file"), "{stderr}");
    assert!(!stderr.contains("/authorize?"), "fails before asking for consent: {stderr}");
}

#[test]
fn the_config_commands_tell_where_things_are() {
    let env = TestEnv::new();
    let path = env.run(&["config", "path"]).ok().stdout;
    assert_eq!(path.trim(), env.home().join("config.toml").to_str().unwrap());
    let shown = env.run(&["config", "show", "--format", "json"]).ok().json();
    assert_eq!(shown["secrets_backend"], "file");
    assert_eq!(shown["sandbox_url"], env.sandbox.url());
    let default = env.run(&["config", "default"]).ok().stdout;
    assert!(toml::from_str::<toml::Value>(&default).is_ok(), "the default config parses: {default}");
}

#[test]
fn help_documents_the_exit_codes() {
    let env = TestEnv::new();
    let help = env.run(&["--help"]).ok().stdout;
    assert!(help.contains("77  consent expired or revoked"), "{help}");
}
