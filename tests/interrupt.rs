//! Ctrl-C or SIGTERM during a sync (issue 8, item 2): it stops at the next page boundary,
//! keeps what it committed, records the run as interrupted in `sync --history` (and `doctor`
//! sees it), says on stderr what was kept, exits 130, and the next sync finishes the work into
//! exactly what an uninterrupted sync produces.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::TestEnv;

const SCALE: u32 = 2;

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

#[allow(unsafe_code)] // kill(2) on our own child: no memory is touched
fn send(pid: u32, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: kill takes plain integers and has no preconditions.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill failed");
}

/// Start a sync, and once its first page is committed send `signal`; what it printed.
fn interrupt_sync(env: &TestEnv, signal: libc::c_int) -> crate::common::Run {
    let child = env.command(&["sync"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while rows(env) == 0 {
        assert!(Instant::now() < deadline, "the sync never committed a page");
        std::thread::yield_now();
    }
    send(child.id(), signal);
    let out = child.wait_with_output().unwrap();
    crate::common::Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[test]
fn ctrl_c_stops_at_a_page_keeps_it_says_so_and_the_next_sync_finishes() {
    let clean = TestEnv::with_scale(SCALE);
    clean.link();
    clean.run(&["sync", "-q"]).ok();
    let expected = contents(&clean);

    let env = TestEnv::with_scale(SCALE);
    env.link();
    // Slow pages make the signal land mid-sync rather than after it.
    env.sandbox.fault("kind=slow&count=100000&ms=50").unwrap();
    let run = interrupt_sync(&env, libc::SIGINT);
    assert_eq!(run.code, 130, "{run:#?}");
    assert!(run.stderr.contains("warning: sync of sandbox interrupted (Ctrl-C) after"), "{}", run.stderr);
    assert!(run.stderr.contains("kept, and the next sync resumes from there"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: kept for sandbox: "), "{}", run.stderr);
    assert!(run.stderr.contains("error: sync interrupted (Ctrl-C)"), "{}", run.stderr);
    assert!(run.stdout.contains("interrupted"), "the summary table says so: {}", run.stdout);
    let kept = rows(&env);
    assert!(kept > 0 && kept < expected.len() as i64, "stopped mid-sync with pages kept: {kept}");
    let integrity: String = env.query("PRAGMA integrity_check");
    assert_eq!(integrity, "ok");

    // The run is in the history, per account, with what it kept.
    let history = env.run(&["sync", "--history", "--format", "json"]).ok().json();
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 4 * SCALE as usize, "{history:?}");
    for row in history {
        assert_eq!(row["status"], "failed", "{row}");
        assert!(row["error"].as_str().unwrap().starts_with("interrupted (Ctrl-C) after"), "{row}");
    }
    let added: u64 = history.iter().map(|r| r["added"].as_u64().unwrap()).sum();
    assert!(added > 0 && added as i64 <= kept, "the history counts what was kept: {added} of {kept}");
    // doctor does not call it "never synced".
    let doctor = env.run(&["doctor", "--format", "json"]).ok().json();
    let last: Vec<&serde_json::Value> =
        doctor.as_array().unwrap().iter().filter(|f| f["check"] == "last sync").collect();
    assert!(!last.is_empty());
    for f in last {
        assert!(f["detail"].as_str().unwrap().contains("interrupted (Ctrl-C)"), "{f}");
    }

    env.sandbox.fault("kind=clear").unwrap();
    env.run(&["sync", "-q"]).ok();
    assert_eq!(contents(&env), expected);
}

#[test]
fn sigterm_is_handled_like_ctrl_c() {
    let env = TestEnv::new();
    env.link();
    env.sandbox.fault("kind=slow&count=100000&ms=50").unwrap();
    let run = interrupt_sync(&env, libc::SIGTERM);
    assert_eq!(run.code, 130, "{run:#?}");
    assert!(run.stderr.contains("interrupted (SIGTERM) after"), "{}", run.stderr);
    let status: String = env.query("SELECT status || ': ' || error FROM sync_run ORDER BY id DESC LIMIT 1");
    assert!(status.starts_with("failed: interrupted (SIGTERM)"), "{status}");
}
