//! Hints that are true (issue 14 item 8): every flag an import message names exists, and
//! `--inspect` shows what each column was taken for and a profile that imports the file.

use std::path::PathBuf;

use crate::common::TestEnv;
use crate::import::fixture;

/// `--flag` words in the non-comment lines of the import code: what its messages tell users to type.
fn flags_in_messages() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    // Every file under src/import (its modules may be directories), and the command.
    let mut files = vec![root.join("commands/import.rs")];
    let mut dirs = vec![root.join("import")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { files.push(path) }
        }
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            let mut rest = line;
            while let Some(at) = rest.find("--") {
                let word: String = rest[at + 2..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
                if word.len() > 1 && !rest[..at].ends_with(|c: char| c.is_alphanumeric()) {
                    found.push((format!("--{word}"), format!("{}: {}", file.display(), line.trim())));
                }
                rest = &rest[at + 2..];
            }
        }
    }
    found
}

#[test]
fn every_flag_a_message_names_exists() {
    let env = TestEnv::new();
    let help = env.run(&["import", "--help"]).ok().stdout;
    let flags = flags_in_messages();
    assert!(flags.iter().any(|(f, _)| f == "--file-format"), "the scan finds the hints: {flags:?}");
    for (flag, line) in flags {
        assert!(help.contains(&flag), "{flag} is not a flag of `tally import` ({line})");
    }
}

#[test]
fn inspect_shows_each_columns_role_and_a_profile_that_imports_as_is() {
    let env = TestEnv::new();
    let run = env.run(&["import", "--inspect", &fixture("de-giro.csv"), "--currency", "EUR"]).ok();
    assert!(
        run.stderr.contains(
            "columns: \"Buchungstag\" date, \"Valutadatum\" not read, \"Buchungstext\" not read, \
             \"Beguenstigter/Zahlungspflichtiger\" payee, \"Verwendungszweck\" description, \"Betrag\" amount"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("currency = \"EUR\""), "{}", run.stdout);
    std::fs::create_dir_all(env.home().join("profiles")).unwrap();
    std::fs::write(env.home().join("profiles/asis.toml"), &run.stdout).unwrap();
    let csv = fixture("de-giro.csv");
    let run = env.run(&["import", &csv, "--profile", "asis", "--create-account", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 3);
    // Without --currency the profile says what is missing, in a comment that keeps it valid.
    let run = env.run(&["import", "--inspect", &csv]).ok();
    assert!(run.stdout.contains("# currency = \"EUR\"  (the file names none"), "{}", run.stdout);
}

#[test]
fn a_profile_that_does_not_fit_and_rows_without_a_currency_say_what_to_do() {
    let env = TestEnv::new();
    let run =
        env.run(&["import", &fixture("us-symbols.csv"), "--profile", "de-giro", "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("no column \"Buchungstag\" in the header"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint: the profile does not fit this file: `tally import --inspect FILE`"),
        "{}",
        run.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nodate.csv");
    std::fs::write(&path, "When,What,How much\nyesterday,x,1\n").unwrap();
    let run = env.run(&["import", path.to_str().unwrap(), "--create-account", "--currency", "USD"]).fails_with(1);
    assert!(run.stderr.contains("--profile NAME"), "{}", run.stderr);
}
