//! Crash safety: a sync killed with SIGKILL at any point leaves a database that the next sync
//! completes into exactly what an uninterrupted sync produces.

use std::time::{Duration, Instant};

use crate::common::TestEnv;

const SCALE: u32 = 10;

/// Everything that must match, in a stable order (row ids included: no row was doubled).
fn contents(env: &TestEnv) -> Vec<String> {
    env.rows(
        "SELECT t.id, a.identity, t.external_id, t.booked_date, t.amount, t.status, coalesce(t.payee, ''),
                coalesce(t.pending_external_id, ''), coalesce(t.category_id, 0)
         FROM \"transaction\" t JOIN account a ON a.id = t.account_id ORDER BY t.id",
        [],
    )
}

fn rows(env: &TestEnv) -> i64 {
    // The database may be mid-write; WAL lets us read the last committed page.
    crate::common::try_query(&env.db(), "SELECT count(*) FROM \"transaction\"").unwrap_or(0)
}

/// Start a sync and SIGKILL it once at least `at` rows are committed. True if it was killed
/// (false: it finished first).
fn kill_sync_after(env: &TestEnv, at: i64) -> bool {
    let mut child = env.command(&["sync", "-q"]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if rows(env) >= at {
            child.kill().unwrap(); // SIGKILL: no destructors, no rollback code of ours runs
            child.wait().unwrap();
            return true;
        }
        assert!(Instant::now() < deadline, "the sync never reached {at} rows");
        std::thread::yield_now();
    }
}

#[test]
fn a_killed_sync_resumes_into_the_same_database_as_a_clean_one() {
    let clean = TestEnv::with_scale(SCALE);
    clean.link();
    clean.run(&["sync", "-q"]).ok();
    let expected = contents(&clean);
    let total = expected.len() as i64;
    assert!(total > 10_000, "a large sync: {total} rows");

    let env = TestEnv::with_scale(SCALE);
    env.link();
    // Slow pages make the kill land mid-sync rather than after it.
    env.sandbox.fault("kind=slow&count=100000&ms=5").unwrap();
    let mut kills = 0;
    for at in [1, total / 4, total / 2, total * 3 / 4] {
        if kill_sync_after(&env, at) {
            kills += 1;
            let integrity: String = env.query("PRAGMA integrity_check");
            assert_eq!(integrity, "ok");
        }
    }
    assert!(kills >= 3, "the kills must land mid-sync to prove anything ({kills} did)");
    env.sandbox.fault("kind=clear").unwrap();
    env.run(&["sync", "-q"]).ok();

    assert_eq!(contents(&env), expected);
    let integrity: String = env.query("PRAGMA integrity_check");
    assert_eq!(integrity, "ok");
    let cursor = |e: &TestEnv| e.query::<String>("SELECT cursor FROM connection");
    assert_eq!(cursor(&env), cursor(&clean));
    let raw = |e: &TestEnv| e.query::<i64>("SELECT count(*) FROM raw_record");
    assert_eq!(raw(&env), raw(&clean));
}
