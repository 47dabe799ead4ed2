//! `tally export --all` and `tally restore`: a synced, categorized, ruled database exported,
//! restored into a new tally and exported again gives the same document and the same sums;
//! restoring into a database with data, or a broken or foreign document, changes nothing;
//! no secret is ever in the document.

use std::path::Path;

use crate::common::TestEnv;

/// A database with a bit of everything a user makes: synced rows, a rule with a tag and a
/// renamed payee, a hand categorization, a note, a rate, a budget, transfers.
fn rich() -> TestEnv {
    let env = TestEnv::new();
    env.linked_and_synced();
    env.run(&[
        "rules",
        "add",
        "--payee-contains",
        "Coffee",
        "--category",
        "Food:Coffee",
        "--tag",
        "treat",
        "--rename-payee",
        "Café",
    ])
    .ok();
    env.run(&["rules", "apply"]).ok();
    env.run(&["tx", "categorize", "1", "Shopping"]).ok();
    env.run(&["rates", "set", "EUR", "USD", "1.08"]).ok();
    env.damage(
        "UPDATE \"transaction\" SET notes = 'split with \"Sam\"\nline two' WHERE id = 2;
         INSERT INTO budget (category_id, period, amount, currency, starts_on)
         SELECT id, 'monthly', 45000, 'USD', '2026-01-01' FROM category WHERE full_name = 'Food';",
    );
    env
}

fn export(env: &TestEnv, file: &Path) -> String {
    env.run(&["export", "--all", "-o", file.to_str().unwrap()]).ok();
    std::fs::read_to_string(file).unwrap()
}

/// The document without its first line (the header with the export time).
fn body(doc: &str) -> &str {
    doc.split_once('\n').unwrap().1
}

/// What the user would compare: counts and sums by status, the derived month rollups and a report.
fn figures(env: &TestEnv) -> Vec<String> {
    let mut out = env.rows(
        "SELECT status, count(*), sum(amount), count(category_id), count(transfer_id), count(notes) \
         FROM \"transaction\" GROUP BY status ORDER BY status",
        [],
    );
    out.extend(env.rows("SELECT count(*), sum(sum_in), sum(sum_out) FROM tx_month", []));
    out.extend(env.rows("SELECT count(*) FROM tx_search WHERE tx_search MATCH 'coffee'", []));
    out.push(env.run(&["report", "spending", "--format", "csv"]).ok().stdout);
    out
}

#[test]
fn export_restore_export_gives_the_same_document_and_the_same_sums() {
    let env = rich();
    let first = export(&env, &env.home().join("all.json"));
    let doc: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(doc["format"], "tally-export-all");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["schema"], tally::store::SCHEMA_VERSION);
    let tables = doc["tables"].as_object().unwrap();
    for table in [
        "connection",
        "account",
        "category",
        "rule",
        "raw_record",
        "transaction",
        "transfer",
        "budget",
        "rate",
        "sync_run",
    ] {
        assert!(tables.contains_key(table), "{table} missing from {:?}", tables.keys().collect::<Vec<_>>());
    }
    assert!(!tables.contains_key("tx_month"), "derived tables are rebuilt, not exported");
    for table in ["transaction", "rule", "budget", "rate", "transfer"] {
        assert!(!tables[table].as_array().unwrap().is_empty(), "no {table} rows to carry");
    }
    let txs = tables["transaction"].as_array().unwrap();
    assert!(txs.iter().any(|t| t["category_source"] == "user"));
    assert!(txs.iter().any(|t| t["tags"] == "treat" && t["rule_payee"] == "Café"));
    assert!(txs.iter().any(|t| t["transfer_id"].is_i64()));

    let fresh = TestEnv::new();
    let file = env.home().join("all.json");
    let run = fresh.run(&["restore", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("need their tokens again"), "{run:#?}");
    let second = export(&fresh, &fresh.home().join("again.json"));
    assert_eq!(body(&first), body(&second), "the restored database exports differently");
    assert_eq!(figures(&env), figures(&fresh));
}

#[test]
fn stdout_gets_the_same_document_as_the_file() {
    let env = rich();
    let file = export(&env, &env.home().join("all.json"));
    let stdout = env.run(&["export", "--all"]).ok().stdout;
    assert_eq!(stdout, file);
    env.run(&["export", "--all", "csv"]).fails_with(2);
    env.run(&["export", "--all", "--account", "1"]).fails_with(2);
}

#[test]
fn no_secret_is_ever_in_the_document() {
    let env = rich();
    let doc = export(&env, &env.home().join("all.json"));
    let secrets: std::collections::BTreeMap<String, String> =
        toml::from_str(&std::fs::read_to_string(env.home().join("secrets.toml")).unwrap()).unwrap();
    assert!(!secrets.is_empty(), "nothing to look for");
    for value in secrets.values() {
        // A token, or a JSON object of tokens (and their dates, which are no secret).
        let pieces: Vec<String> = match serde_json::from_str::<serde_json::Value>(value) {
            Ok(serde_json::Value::Object(fields)) => fields
                .values()
                .filter_map(|v| v.as_str())
                .filter(|v| chrono::DateTime::parse_from_rfc3339(v).is_err())
                .map(str::to_string)
                .collect(),
            _ => vec![value.clone()],
        };
        assert!(!pieces.is_empty(), "no token found in {} chars", value.len());
        for piece in pieces {
            assert!(!doc.contains(&piece), "a secret ({} chars) is in the export", piece.len());
        }
    }
}

#[test]
fn restoring_into_a_database_with_data_is_refused_and_changes_nothing() {
    let env = rich();
    let file = env.home().join("all.json");
    export(&env, &file);
    let before = figures(&env);
    let run = env.run(&["restore", file.to_str().unwrap()]).fails_with(2);
    assert!(run.stderr.contains("already holds data") && run.stderr.contains("hint:"), "{run:#?}");
    assert_eq!(figures(&env), before);
}

#[test]
fn a_broken_or_foreign_document_leaves_nothing_behind() {
    let env = rich();
    let file = env.home().join("all.json");
    let doc = export(&env, &file);
    let fresh = TestEnv::new();
    let bad = env.home().join("bad.json");
    let cases = [
        doc[..doc.len() * 2 / 3].to_string(),
        doc.replacen("\"version\":1", "\"version\":9", 1),
        doc.replacen(&format!("\"schema\":{}", tally::store::SCHEMA_VERSION), "\"schema\":1", 1),
        doc.replacen("\"format\":\"tally-export-all\"", "\"format\":\"other\"", 1),
        doc.replacen("\"tables\":{", "\"tables\":{\"sqlite_master\":[{\"name\":\"x\"}],", 1),
        doc.replacen("\"external_id\":", "\"external_id\\\"); DROP TABLE account; --\":", 1),
        // A transaction naming an account that is not there.
        doc.replacen("\"account\":[", "\"account\":[],\"unused\":[", 1),
        "[1, 2, 3]".to_string(),
        String::new(),
    ];
    for (i, case) in cases.iter().enumerate() {
        std::fs::write(&bad, case).unwrap();
        let run = fresh.run(&["restore", bad.to_str().unwrap()]).fails_with(2);
        assert!(run.stderr.contains("hint:"), "case {i}: {run:#?}");
        let left: i64 = fresh.query("SELECT (SELECT count(*) FROM account) + (SELECT count(*) FROM \"transaction\")");
        assert_eq!(left, 0, "case {i} left rows behind");
    }
    fresh.run(&["restore", file.to_str().unwrap()]).ok();
    assert_eq!(figures(&fresh), figures(&env));
}
