//! `tally sandbox serve` as a user runs it, and the sandbox's admin endpoints over HTTP.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use crate::common::TestEnv;

#[test]
fn serve_listens_and_answers_discovery() {
    let env = TestEnv::new();
    let mut child = env.command(&["sandbox", "serve", "--port", "0"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let http = tally::context::http_client().unwrap();
    let doc: serde_json::Value =
        http.get(format!("{url}/.well-known/openid-configuration")).send().unwrap().json().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(doc["issuer"], url.as_str());
    assert_eq!(doc["code_challenge_methods_supported"][0], "S256");
}

#[test]
fn the_admin_clock_moves_the_bank_forward() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let http = tally::context::http_client().unwrap();
    let moved: serde_json::Value =
        http.post(format!("{}/admin/clock?advance_days=2", env.sandbox.url())).send().unwrap().json().unwrap();
    assert!(moved["now"].as_str().unwrap().starts_with("2026-11-25"), "{moved}");
    let newest_before: String = env.query("SELECT max(booked_date) FROM \"transaction\"");
    env.run(&["sync"]).ok();
    let newest_after: String = env.query("SELECT max(booked_date) FROM \"transaction\"");
    assert!(newest_after > newest_before, "{newest_before} -> {newest_after}");
    let bad = http.post(format!("{}/admin/fault?kind=volcano", env.sandbox.url())).send().unwrap();
    assert_eq!(bad.status(), 400);
}
