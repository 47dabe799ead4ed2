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
    env.damage("UPDATE \"transaction\" SET amount = 0; DELETE FROM \"transaction\" WHERE id % 7 = 0;");
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
