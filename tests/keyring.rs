//! The real Secret Service: link and sync with tokens in gnome-keyring, inside a private
//! D-Bus session (`dbus-run-session`). `.ci/run` installs both; elsewhere the test says why
//! it cannot run, and fails in CI.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};

use tally::sandbox::robot;

use crate::common::TestEnv;

fn have(program: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {program}")).output().is_ok_and(|o| o.status.success())
}

#[test]
fn tokens_round_trip_through_the_secret_service() {
    if !have("dbus-run-session") || !have("gnome-keyring-daemon") {
        assert!(std::env::var_os("CI").is_none(), "CI must install dbus and gnome-keyring (see .ci/run)");
        // Straight to stderr: libtest keeps `eprintln!` to itself unless the test fails, and
        // the README promises that this test says it was skipped.
        let why = "skipped: install dbus and gnome-keyring to run the Secret Service test";
        writeln!(std::io::stderr(), "\n{}: {why}", module_path!()).unwrap();
        return;
    }
    let env = TestEnv::new();
    let tally = env!("CARGO_BIN_EXE_tally");
    // On an encrypted run the database key lives in the keyring too, beside the tokens.
    let init = if crate::common::encrypted() {
        std::fs::remove_dir_all(env.home()).unwrap();
        format!("{tally} init --encrypt && ")
    } else {
        String::new()
    };
    // One session: unlock a fresh login keyring, link (the test plays the user), then sync.
    let script = format!(
        "echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && {init}\
         {tally} link sandbox --all --no-browser --timeout 20 && {tally} sync --format json"
    );
    std::fs::create_dir_all(env.home()).unwrap();
    let mut child = env
        .command_for("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env_remove("TALLY_SECRETS")
        .env("HOME", env.home())
        .env("XDG_RUNTIME_DIR", env.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no consent URL:\n{seen}");
        seen.push_str(&line);
        if let Some(url) = line.split_whitespace().find(|w| w.contains("/authorize?")) {
            let http = tally::context::http_client().unwrap();
            let back = robot::consent(&http, url, robot::Decision::Approve).unwrap();
            robot::follow(&http, &back).unwrap();
            break;
        }
    }
    let out = child.wait_with_output().unwrap();
    let rest = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{seen}{rest}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"added\""), "sync read the token back from the keyring: {stdout}");
    assert!(!env.home().join("secrets.toml").exists(), "no secrets file when the keyring works");
}
