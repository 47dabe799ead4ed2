//! No secret leaks, proven: for every provider kind, link and sync with logs at `trace`, make
//! a command fail, export, then look for every secret tally holds (read back from the secret
//! store: tokens, access URLs' passwords, keys) in the database (file bytes, WAL, every row),
//! every line printed, every argument passed, and every exported file.
//!
//! A new provider adds one line to `CASES`: a function that links it (its scripted server kept
//! alive in the box it returns).

use std::any::Any;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{Run, TestEnv};

type Link = fn(&TestEnv) -> (Box<dyn Any>, Run);

const CASES: &[(&str, Link)] = &[
    ("sandbox", |env| (Box::new(()), env.link_with(&[], crate::common::approve))),
    ("simplefin", crate::simplefin::linked_for_leak_test),
    ("enablebanking", crate::enablebanking::linked_for_leak_test),
    ("plaid", crate::plaid::linked_for_leak_test),
    ("fdx", crate::fdx::linked_for_leak_test),
    ("teller", crate::teller::linked_for_leak_test),
    ("gocardless", crate::gocardless::linked_for_leak_test),
];

/// Key names inside a JSON secret whose string values are themselves secret.
const SECRET_KEYS: [&str; 6] = ["token", "secret", "key", "password", "session", "code"];

/// Every secret value in the secret store, and its secret parts: JSON fields named like
/// tokens, the password of an access URL, a slice of a PEM key's body.
fn secrets_held(env: &TestEnv) -> Vec<String> {
    let text = std::fs::read_to_string(env.home().join("secrets.toml")).expect("the file store holds the secrets");
    let all: BTreeMap<String, String> = toml::from_str(&text).unwrap();
    let mut found = Vec::new();
    for value in all.values() {
        parts(value, true, &mut found);
    }
    found.retain(|s| s.len() >= 10);
    found.sort();
    found.dedup();
    found
}

fn parts(value: &str, whole_is_secret: bool, found: &mut Vec<String>) {
    if whole_is_secret {
        found.push(value.to_string());
    }
    if let Ok(url) = url::Url::parse(value)
        && let Some(password) = url.password()
    {
        found.push(password.to_string());
    }
    if let Some(body) = value.split("-----").nth(2) {
        let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        found.extend(body.get(40..80).map(str::to_string));
    }
    if let Ok(json) = serde_json::from_str::<Value>(value) {
        walk(&json, false, found);
    }
}

fn walk(json: &Value, secret_key: bool, found: &mut Vec<String>) {
    match json {
        Value::String(s) => parts(s, secret_key, found),
        Value::Array(items) => items.iter().for_each(|v| walk(v, secret_key, found)),
        Value::Object(map) => {
            for (k, v) in map {
                let k = k.to_ascii_lowercase();
                walk(v, SECRET_KEYS.iter().any(|s| k.contains(s)), found);
            }
        }
        _ => {}
    }
}

/// `tally ARGS`, remembering the arguments.
fn run(env: &TestEnv, args: &[&str], argv: &mut Vec<String>) -> Run {
    argv.extend(args.iter().map(|a| a.to_string()));
    env.run(args)
}

#[test]
fn no_secret_of_any_provider_reaches_the_database_logs_errors_arguments_or_exports() {
    for (provider, link) in CASES {
        let env = TestEnv::new();
        env.set_env("TALLY_LOG", "trace");
        let (server, linked) = link(&env);
        assert_eq!(linked.code, 0, "{provider}: {linked:#?}");
        let mut argv = Vec::new();
        let mut runs = vec![linked];
        runs.push(run(&env, &["sync"], &mut argv));
        runs.push(run(&env, &["-vvv", "sync"], &mut argv));
        runs.push(run(&env, &["connections", "--format", "json"], &mut argv));
        runs.push(run(&env, &["doctor", "--format", "json"], &mut argv));
        let export = env.home().join("export.json");
        runs.push(run(&env, &["export", "json", "--output", export.to_str().unwrap()], &mut argv));
        // Error messages: the sandbox refuses the tokens; a scripted bank is gone.
        env.sandbox.fault("kind=revoke").unwrap();
        drop(server);
        let failed = run(&env, &["sync"], &mut argv);
        assert_ne!(failed.code, 0, "{provider}: {failed:#?}");
        runs.push(failed);

        let secrets = secrets_held(&env);
        assert!(!secrets.is_empty(), "{provider}: the secret store holds its tokens");
        assert!(runs.iter().any(|r| r.stderr.contains("TRACE") || r.stderr.contains("DEBUG")), "{provider}: logs on");

        let mut places: Vec<(String, String)> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("output of command {i}"), format!("{}\n{}", r.stdout, r.stderr)))
            .collect();
        places.push(("arguments".into(), argv.join(" ")));
        places.push(("export json".into(), std::fs::read_to_string(&export).unwrap()));
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", env.db().display());
            if let Ok(bytes) = std::fs::read(&path) {
                places.push((path, String::from_utf8_lossy(&bytes).to_string()));
            }
        }
        // Row by row too: an encrypted database's bytes would hide a leak.
        let tables = env.rows("SELECT name FROM sqlite_master WHERE type = 'table'", []);
        for table in tables {
            places.push((format!("table {table}"), env.rows(&format!("SELECT * FROM \"{table}\""), []).join("\n")));
        }
        for secret in &secrets {
            for (place, text) in &places {
                assert!(!text.contains(secret.as_str()), "{provider}: a secret ({} chars) is in {place}", secret.len());
            }
        }
        for r in &runs {
            assert!(!r.stderr.contains("panicked"), "{provider}: {r:#?}");
        }
    }
}
