//! The README's tour runs as written: every `tally …` line of its first two command blocks,
//! on a linked and synced sandbox, with the statement files it names made from our fixtures.

use crate::common::TestEnv;

/// The `tally` lines of the tour's `sh` blocks (up to "From cron:"), comments cut off.
fn tour_commands() -> Vec<String> {
    let readme = include_str!("../README.md");
    let start = readme.find("## A short tour").expect("README has a tour");
    let end = readme[start..].find("From cron:").map_or(readme.len(), |e| start + e);
    let mut in_block = false;
    let mut commands = Vec::new();
    for line in readme[start..end].lines() {
        match line.trim() {
            "```sh" => in_block = true,
            "```" => in_block = false,
            l if in_block && l.starts_with("tally ") => {
                commands.push(l.split("  #").next().unwrap().trim().to_string());
            }
            _ => {}
        }
    }
    commands
}

/// Split a command line the way a shell would for these simple lines: words, "quoted" or
/// 'quoted' words.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quote, mut any) = (None, false);
    for c in line.chars() {
        match c {
            '"' | '\'' if quote.is_none() => (quote, any) = (Some(c), true),
            c if quote == Some(c) => quote = None,
            ' ' if quote.is_none() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

#[test]
fn every_tour_command_runs_as_written() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let dir = env.home();
    for (name, fixture) in [
        ("statement.ofx", "bank-sgml.ofx"),
        ("nov.camt053.xml", "statement.camt053.xml"),
        ("export.csv", "us-checking.csv"),
        ("giro.csv", "de-giro.csv"),
        ("money.qif", "two-accounts.qif"),
    ] {
        std::fs::copy(crate::import::fixture(fixture), dir.join(name)).unwrap();
    }
    let hledger_rules = "fields date, description, amount\nif NETFLIX\n  account2 expenses:subscriptions\n";
    std::fs::write(dir.join("checking.csv.rules"), hledger_rules).unwrap();
    let commands = tour_commands();
    assert!(commands.len() >= 15, "the tour lost its commands: {commands:#?}");
    let mut ran = 0;
    for line in &commands {
        let all = words(line);
        // `tally … > FILE`: stdout goes to FILE, as the shell would do it.
        let (all, into) = match all.iter().position(|w| w == ">") {
            Some(i) => (all[..i].to_vec(), all.get(i + 1).cloned()),
            None => (all, None),
        };
        let args: Vec<&str> = all[1..].iter().map(String::as_str).collect();
        // These need a person at a browser (or run forever); tests/link.rs and tests/relink.rs
        // cover them with a robot.
        if args[0] == "link" || args.starts_with(&["sandbox", "serve"]) {
            continue;
        }
        let run = env.command(&args).current_dir(&dir).output().unwrap();
        assert!(
            run.status.success(),
            "`{line}` failed ({:?}):\n{}",
            run.status.code(),
            String::from_utf8_lossy(&run.stderr)
        );
        if let Some(file) = into {
            std::fs::write(dir.join(file), &run.stdout).unwrap();
        }
        ran += 1;
    }
    assert!(ran >= 12, "only {ran} tour commands ran");
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(words(r#"tally accounts rename 3 "Joint""#), ["tally", "accounts", "rename", "3", "Joint"]);
    assert_eq!(words(r#"a --account "Euro Account" x"#), ["a", "--account", "Euro Account", "x"]);
    assert_eq!(words("a --regex '^AMZN \"x\"'"), ["a", "--regex", "^AMZN \"x\""]);
}
