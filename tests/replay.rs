//! `sync --replay`: the stored raw records alone rebuild the same rows, offline.

use crate::common::{TestEnv, approve};

/// Every row of every connection, by identity (ids included: one connection, same order).
fn rows(env: &TestEnv) -> Vec<String> {
    env.rows(
        "SELECT c.name, t.external_id, t.booked_date, t.amount, t.status, t.payee, t.pending_external_id,
                t.link_reason, t.category_id
         FROM \"transaction\" t JOIN account a ON a.id = t.account_id JOIN connection c ON c.id = a.connection_id
         ORDER BY 1, 2",
        [],
    )
}

#[test]
fn replay_rebuilds_the_same_rows_without_the_network() {
    let env = TestEnv::new();
    env.link();
    env.run_consenting(&["link", "sandbox-window", "--all", "--no-browser", "--timeout", "20"], approve).ok();
    env.run(&["sync", "-q"]).ok();
    // Sync daily until the history holds links and removals for the replay to reproduce.
    let count = |sql: &str| env.query::<i64>(sql);
    for day in 0.. {
        assert!(day < 60, "sixty days without a removal: the sandbox data changed");
        env.pass_days(1);
        env.run(&["sync", "-q"]).ok();
        let links = count("SELECT count(*) FROM \"transaction\" WHERE link_reason LIKE 'matched by heuristic%'");
        let removed = count("SELECT count(*) FROM \"transaction\" WHERE status = 'removed'");
        if links > 0 && removed > 0 {
            break;
        }
    }
    let synced = rows(&env);
    // Damage the rows, as a bad version of tally might have: only a real rebuild undoes it.
    // (Transfer marks go first: a row another points at cannot be deleted.)
    env.damage(
        "UPDATE \"transaction\" SET amount = 0, transfer_id = NULL; DELETE FROM \"transaction\" WHERE id % 7 = 0;",
    );
    assert_ne!(rows(&env), synced);

    // The bank is unreachable: replay must not need it.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = env
        .command(&["sync", "--replay", "--format", "json"])
        .env("TALLY_SANDBOX_URL", format!("http://{dead}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary.as_array().unwrap().len(), 8, "every account of both connections");
    assert_eq!(rows(&env), synced);
}

/// Every listed row of `account` as JSON, without the row ids a rebuild renumbers.
fn listed(env: &TestEnv, account: &str) -> Vec<serde_json::Value> {
    let list = env.run(&["tx", "list", "--account", account, "--from", "2000-01-01", "--format", "json"]).ok().json();
    let mut rows: Vec<serde_json::Value> = list.as_array().unwrap().clone();
    for r in &mut rows {
        r.as_object_mut().unwrap().remove("id");
    }
    rows.sort_by_key(|r| r.to_string());
    rows
}

#[test]
fn replay_rebuilds_what_statement_imports_added_and_matched() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let fixture = |name: &str| format!("{}/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
    // The bank's own CSV of the synced rows (a day later, other words) plus one cash withdrawal,
    // with a quoted field holding the delimiter; and the CAMT statement, found by IBAN.
    let synced = listed(&env, "Euro Account");
    let mut csv = String::from("Buchungstag;Verwendungszweck;Betrag\n");
    for t in &synced {
        let date = chrono::NaiveDate::parse_from_str(t["date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let amount = t["amount"].as_str().unwrap().replace('.', ",");
        csv.push_str(&format!("{};Kartenzahlung;{amount}\n", (date + chrono::Days::new(1)).format("%d.%m.%Y")));
    }
    csv.push_str("20.11.2026;\"Bargeld; Automat\";-50,00\n20.11.2026;\"Bargeld; Automat\";-50,00\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("euro.csv");
    std::fs::write(&path, csv).unwrap();
    let new = |run: crate::common::Run| run.json()[0]["new"].as_u64().unwrap() as usize;
    let csv_new =
        new(env.run(&["import", path.to_str().unwrap(), "--account", "Euro Account", "--format", "json"]).ok());
    assert_eq!(csv_new, 2, "the two withdrawals; every other line matched a synced row");
    let camt_new = new(env.run(&["import", &fixture("statement.camt053.xml"), "--format", "json"]).ok());
    let imported = listed(&env, "Euro Account");
    assert_eq!(imported.len(), synced.len() + csv_new + camt_new);

    let out = env.run(&["sync", "--replay", "--format", "json"]).ok();
    assert!(out.stdout.contains("Euro Account"), "{}", out.stdout);
    assert_eq!(listed(&env, "Euro Account"), imported, "the same rows, imported ones included");
    // The raw records say which source wrote them.
    let sources: i64 = env.query("SELECT count(DISTINCT provider) FROM raw_record WHERE provider LIKE 'import:%'");
    assert_eq!(sources, 2, "import:csv and import:camt");
}
