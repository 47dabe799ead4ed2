//! `tally report ... --html FILE`: one private, self-contained page, rendered in headless
//! Chromium to check that its charts are there and that it asks the network for nothing.
//! `.ci/run` installs Chromium; elsewhere the Chromium test says it was skipped, and fails in CI.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

use crate::common::TestEnv;

fn have(program: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {program}")).output().is_ok_and(|o| o.status.success())
}

const EVIL: &str = "<script>alert(1)</script>";

/// An account whose name tries to run a script (net worth shows account names).
fn hostile(env: &TestEnv) {
    env.run(&["accounts", "add", EVIL, "--currency", "EUR"]).ok();
    let csv = env.home().join("evil.csv");
    std::fs::write(&csv, "Date,Amount,Description\n2026-11-03,-12.34,<b>payee</b>\n").unwrap();
    env.run(&["import", csv.to_str().unwrap(), "--account", EVIL]).ok();
}

/// The DOM Chromium built from the page, and what it logged.
fn render(env: &TestEnv, page: &std::path::Path) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = env
        .command_for("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_page_renders_its_charts_offline_in_chromium() {
    if !have("chromium") {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium (see .ci/run)");
        // Straight to stderr: libtest keeps `eprintln!` to itself unless the test fails.
        let why = "skipped: install chromium to render the --html page";
        writeln!(std::io::stderr(), "\n{}: {why}", module_path!()).unwrap();
        return;
    }
    let env = TestEnv::new();
    env.linked_and_synced();
    hostile(&env);
    let page = env.home().join("report.html");
    let run = env.run(&["report", "spending", "--from", "2026-01-01", "--html", page.to_str().unwrap()]).ok();
    assert_eq!(run.stdout, "", "the page goes to the file only");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "no URL to fetch");
    assert!(!html.contains("<script"), "bank text is escaped");
    let (dom, log) = render(&env, &page);
    // Spending, cash flow and net worth, each once per currency (EUR and USD).
    for chart in ["spending", "cashflow", "networth"] {
        for i in 0..2 {
            let id = format!("id=\"{chart}-{i}\"");
            let start = dom.find(&id).unwrap_or_else(|| panic!("no {chart} chart {i} in the DOM"));
            let svg = &dom[start..start + dom[start..].find("</svg>").unwrap()];
            assert!(svg.contains(&format!("id=\"{chart}-{i}-title\"")), "{chart}: a title");
            let marks = svg.matches("<rect").count() + svg.matches("<circle").count();
            assert!(marks >= 10, "{chart} {i}: only {marks} bars and points\n{svg}");
        }
    }
    assert!(dom.matches("<table>").count() >= 6, "a table of figures under every chart");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile account shows as text");
    assert!(!dom.contains("<script"), "and never became a script");
    assert!(!log.contains("Content Security Policy") && !log.contains("Refused to"), "{log}");
}

#[test]
fn the_page_is_private_and_never_replaced_without_force() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let page = env.home().join("report.html");
    let path = page.to_str().unwrap();
    env.run(&["report", "cashflow", "--html", path]).ok();
    assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o600);
    let first = std::fs::read_to_string(&page).unwrap();
    assert!(first.contains("default-src 'none'"), "a CSP that allows no fetch");
    std::fs::write(&page, "mine").unwrap();
    let refused = env.run(&["report", "networth", "--html", path]).fails_with(2);
    assert!(refused.stderr.contains("already exists") && refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "mine");
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["report", "networth", "--html", path, "--force"]).ok();
    assert_eq!(std::fs::read_to_string(&page).unwrap(), first, "every report writes the same dashboard");
    assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o600);
    let both = env.run(&["report", "cashflow", "--html", path, "--chart"]).fails_with(2);
    assert!(both.stderr.contains("--chart"), "{}", both.stderr);
}
