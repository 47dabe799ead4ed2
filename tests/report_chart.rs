//! `tally report ... --chart`: each report drawn on the sandbox's deterministic data (insta
//! snapshots at a fixed COLUMNS with NO_COLOR), no escape bytes unless colour is asked for,
//! the width followed, nothing to draw said, and `--chart` refused with CSV or JSON.

use unicode_width::UnicodeWidthStr as _;

use crate::common::TestEnv;

#[test]
fn every_report_as_a_chart() {
    let env = TestEnv::new();
    env.linked_and_synced();
    env.set_env("COLUMNS", "100");
    crate::common::snapshot_settings().bind(|| {
        for (name, args) in [
            ("chart_spending", &["report", "spending", "--chart", "--from", "2026-09-01"][..]),
            ("chart_cashflow", &["report", "cashflow", "--chart", "--from", "2026-07-01"]),
            ("chart_networth", &["report", "networth", "--chart", "--period", "quarter", "--from", "2026-01-01"]),
            ("chart_merchants", &["report", "merchants", "--chart", "--limit", "5", "--from", "2026-10-01"]),
            ("chart_trends", &["report", "trends", "--chart", "--last", "3"]),
        ] {
            let run = env.run(args).ok();
            assert!(!run.stdout.contains('\u{1b}'), "{name}: NO_COLOR means no escape bytes");
            for line in run.stdout.lines() {
                assert!(line.width() <= 100, "{name}: {line:?} is wider than COLUMNS");
            }
            insta::assert_snapshot!(name, env.shown(&run), &args.join(" "));
        }
    });
}

#[test]
fn colour_only_when_asked_for_on_a_pipe() {
    let env = TestEnv::new();
    env.linked_and_synced();
    // An empty NO_COLOR does not count (no-color.org); stdout is a pipe, so still no colour.
    env.set_env("NO_COLOR", "");
    let piped = env.run(&["report", "cashflow", "--chart", "--from", "2026-07-01"]).ok();
    assert!(piped.stdout.contains('█'), "{}", piped.stdout);
    assert!(!piped.stdout.contains('\u{1b}'), "not a terminal: plain characters\n{:?}", piped.stdout);
    let forced = env.run(&["report", "cashflow", "--chart", "--from", "2026-07-01", "--color", "always"]).ok();
    assert!(forced.stdout.contains("\u{1b}["), "--color always colours even a pipe\n{:?}", forced.stdout);
    assert_eq!(strip(&forced.stdout), piped.stdout, "colour adds escapes and nothing else");
}

fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().take_while(|c| *c != 'm').for_each(drop);
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn bars_follow_columns_and_negative_figures_go_left() {
    let env = TestEnv::new();
    env.linked_and_synced();
    // No COLUMNS and no terminal: 80 columns.
    for (columns, width) in [("40", 40), ("160", 160), ("", 80)] {
        env.set_env("COLUMNS", columns);
        let run = env.run(&["report", "cashflow", "--chart", "--from", "2026-07-01"]).ok();
        let widest = run.stdout.lines().map(|l| l.width()).max().unwrap();
        assert!(widest <= width && widest > width - 10, "COLUMNS={columns}: widest line {widest}\n{}", run.stdout);
        // EUR only spends in the sandbox: every net is below zero, drawn left of the axis.
        let eur: Vec<&str> = run.stdout.lines().skip_while(|l| !l.contains("(EUR)")).skip(1).take(5).collect();
        assert!(eur.iter().all(|l| l.contains("█│") && l.contains(" -")), "{}", run.stdout);
    }
}

#[test]
fn nothing_to_draw_and_the_wrong_format_are_said() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let empty = env.run(&["report", "spending", "--chart", "--from", "2030-01-01", "--to", "2030-02-28"]).ok();
    assert_eq!(empty.stdout, "");
    assert!(empty.stderr.contains("nothing to draw"), "{}", empty.stderr);
    for format in ["csv", "json"] {
        let run = env.run(&["report", "merchants", "--chart", "--format", format]).fails_with(2);
        assert!(run.stderr.contains("--chart") && run.stderr.contains("hint:"), "{}", run.stderr);
    }
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    // `script` (util-linux) runs the command on a pseudo-terminal.
    let have = std::process::Command::new("sh").args(["-c", "command -v script"]).output();
    if !have.is_ok_and(|o| o.status.success()) {
        return;
    }
    let env = TestEnv::new();
    env.linked_and_synced();
    env.set_env("TERM", "xterm-256color");
    let line = format!("{} report cashflow --chart --from 2026-07-01", env!("CARGO_BIN_EXE_tally"));
    let on_terminal = |no_color: &str| {
        env.set_env("NO_COLOR", no_color);
        let out = env.command_for("script").args(["-qec", &line, "/dev/null"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let colored = on_terminal("");
    assert!(colored.contains("\u{1b}[32m") && colored.contains('█'), "a terminal gets colour\n{colored:?}");
    let plain = on_terminal("1");
    assert!(plain.contains('█') && !plain.contains('\u{1b}'), "NO_COLOR=1 means none\n{plain:?}");
}
