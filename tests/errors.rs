//! Bad input anywhere: one `error:` line, a hint, a non-zero exit, nothing written.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, TestEnv};

#[test]
fn reading_before_anything_is_linked_says_what_to_do() {
    let env = TestEnv::without_database();
    let run = env.run(&["tx", "list"]).fails_with(1);
    assert!(run.stderr.contains("no tally database"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: run `tally link sandbox`"), "{}", run.stderr);
    assert!(!env.db().exists(), "reading creates nothing");
    let run = env.run(&["sync"]).fails_with(1);
    assert!(run.stderr.contains("hint: run `tally link sandbox`"), "{}", run.stderr);
    assert!(!env.db().exists(), "nor does a sync with nothing linked");
}

/// One `error:` line naming the file, at most one `caused by:`, and a hint with `hint_part`.
#[track_caller]
fn explains(run: &Run, error: &str, hint_part: &str) {
    assert!(run.stderr.starts_with(&format!("error: {error}")), "{}", run.stderr);
    assert!(run.stderr.matches("caused by:").count() <= 1, "{}", run.stderr);
    assert!(!run.stderr.contains("Error code"), "SQLite's words once, not twice: {}", run.stderr);
    let hint =
        run.stderr.lines().find(|l| l.starts_with("hint: ")).unwrap_or_else(|| panic!("no hint: {}", run.stderr));
    assert!(hint.contains(hint_part), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let env = TestEnv::new();
    let junk = env.home().join("junk.db");
    std::fs::create_dir_all(env.home()).unwrap();
    let bytes = b"SQLite format 2? no, a shopping list: eggs, milk, bread, and more text".repeat(20);
    std::fs::write(&junk, &bytes).unwrap();
    for args in [&["accounts"][..], &["sync"], &["doctor"]] {
        let mut args = args.to_vec();
        args.extend(["--db", junk.to_str().unwrap()]);
        let run = env.run(&args).fails_with(1);
        explains(&run, &format!("{} is not a tally database", junk.display()), "restore it from a backup");
    }
    assert_eq!(std::fs::read(&junk).unwrap(), bytes);
}

#[test]
fn a_truncated_database_is_called_damaged_with_the_way_out() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let cut = env.home().join("cut.db");
    let whole = std::fs::read(env.db()).unwrap();
    assert!(whole.len() > 64 * 1024, "a synced database is bigger than what is kept of it");
    std::fs::write(&cut, &whole[..4096]).unwrap();
    for args in [&["tx", "list"][..], &["doctor"]] {
        let mut args = args.to_vec();
        args.extend(["--db", cut.to_str().unwrap()]);
        let run = env.run(&args).fails_with(1);
        explains(&run, &format!("the database {} is damaged", cut.display()), "restore it from a backup");
    }
}

/// `path` made read-only while this lives: mode 0444, or for root (whom modes do not stop) the
/// immutable attribute. `None`, with the reason printed, where neither stops a write.
struct ReadOnly {
    path: PathBuf,
    immutable: bool,
}

impl ReadOnly {
    fn make(path: &Path) -> Option<ReadOnly> {
        let writable = || std::fs::OpenOptions::new().append(true).open(path).is_ok();
        // 0400, not 0444: a database others can read gets its own warning (tests/files.rs).
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400)).unwrap();
        if !writable() {
            return Some(ReadOnly { path: path.to_path_buf(), immutable: false });
        }
        let chattr = Command::new("chattr").arg("+i").arg(path).status().is_ok_and(|s| s.success());
        let guard = ReadOnly { path: path.to_path_buf(), immutable: chattr };
        if chattr && !writable() {
            return Some(guard);
        }
        // Straight to stderr: libtest keeps `eprintln!` to itself unless the test fails.
        let why = "skipped the read-only checks: running as root, and `chattr +i` does not work here";
        let mut stderr = std::io::stderr();
        writeln!(stderr, "\n{}: {why}", module_path!()).unwrap();
        None
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.immutable {
            let _ = Command::new("chattr").arg("-i").arg(&self.path).status();
        }
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600));
    }
}

#[test]
fn a_read_only_database_still_reads_and_says_why_it_cannot_write() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let Some(_read_only) = ReadOnly::make(&env.db()) else { return };
    env.run(&["accounts"]).ok();
    let doctor = env.run(&["doctor", "--format", "json"]).fails_with(1);
    let rows = doctor.json();
    let found = rows.as_array().unwrap().iter().find(|r| r["check"] == "database" && r["status"] == "fail");
    assert!(found.is_some_and(|r| r["detail"].as_str().unwrap().contains("read-only")), "{rows:#}");
    env.pass_days(1);
    let read_only = format!("cannot write to the database {}: it is read-only", env.db().display());
    // sync opens the database to read first and fails at its first write; `accounts add` opens
    // it to write and fails at once.
    for args in [&["sync"][..], &["accounts", "add", "Cash", "--currency", "EUR"]] {
        let run = env.run(args).fails_with(1);
        explains(&run, &read_only, "check the permissions");
    }
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
