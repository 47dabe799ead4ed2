//! `tally doctor`: every check with a status, a hint for each problem, and the exit code.

use crate::common::TestEnv;

fn finding<'a>(rows: &'a serde_json::Value, check: &str, subject_part: &str) -> &'a serde_json::Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check && r["subject"].as_str().unwrap().contains(subject_part))
        .unwrap_or_else(|| panic!("no {check} finding for {subject_part}: {rows:#}"))
}

#[test]
fn a_healthy_setup_passes_and_a_dead_consent_fails_with_the_fix() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows = env.run(&["doctor", "--format", "json"]).ok().json();
    assert_eq!(finding(&rows, "database", "tally.db")["status"], "ok");
    assert_eq!(finding(&rows, "consent", "sandbox")["status"], "ok");
    assert_eq!(finding(&rows, "tokens", "sandbox")["status"], "ok");
    assert_eq!(finding(&rows, "last sync", "Rewards Visa")["status"], "ok");
    assert_eq!(finding(&rows, "secrets", "secrets.toml")["status"], "warn");

    env.sandbox.fault("kind=revoke").unwrap();
    env.run(&["sync"]).fails_with(77);
    let run = env.run(&["doctor", "--format", "json"]).fails_with(1);
    let rows = run.json();
    let conn = finding(&rows, "connection", "sandbox");
    assert_eq!(conn["status"], "fail");
    assert_eq!(conn["hint"], "tally link --relink sandbox");
    assert!(run.stderr.contains("doctor found 1 problem"), "{}", run.stderr);
}

#[test]
fn expiring_consents_and_stale_syncs_are_warnings() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let out = env.command(&["doctor", "--format", "json"]).env("TALLY_NOW", "2027-05-15T12:00:00Z").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding(&rows, "consent", "sandbox")["status"], "warn");
    assert_eq!(finding(&rows, "last sync", "Everyday Checking")["status"], "warn");
    let out = env.command(&["doctor", "--format", "json"]).env("TALLY_NOW", "2027-06-15T12:00:00Z").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "an expired consent fails");
}
