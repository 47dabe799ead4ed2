//! Providers without a cursor: the window reconciler must reach exactly the state the cursor
//! feed reaches, find vanished and changed rows itself, and link pending to posted by heuristic.

use chrono::NaiveDate;
use tally::sandbox::data::{self, Change};

use tally::store::connections;

use crate::common::{NOW, TestEnv, approve};
use crate::quota::{calls_on, scope_of};

/// The live rows of one connection: (account identity, external id, date, amount, status).
fn live(env: &TestEnv, connection: &str) -> Vec<String> {
    env.rows(
        "SELECT a.identity, t.external_id, t.booked_date, t.amount, t.status FROM \"transaction\" t
         JOIN account a ON a.id = t.account_id JOIN connection c ON c.id = a.connection_id
         WHERE c.name = ?1 AND t.status != 'removed' ORDER BY 1, 2",
        [connection],
    )
}

fn status_of(env: &TestEnv, connection: &str, external_id: &str) -> Option<(String, i64)> {
    let found = env.rows(
        "SELECT t.status, t.amount FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         JOIN connection c ON c.id = a.connection_id WHERE c.name = ?1 AND t.external_id = ?2",
        [connection, external_id],
    );
    let (status, amount) = found.first()?.split_once('|').unwrap();
    Some((status.to_string(), amount.parse().unwrap()))
}

fn link_both(env: &TestEnv) {
    env.link();
    env.run_consenting(&["link", "sandbox-window", "--all", "--no-browser", "--timeout", "20"], approve).ok();
    env.run(&["sync", "-q"]).ok();
}

/// Advance the bank to `day` one day at a time, syncing daily as cron would.
fn sync_until(env: &TestEnv, today: &mut NaiveDate, day: NaiveDate) {
    while *today < day {
        env.pass_days(1);
        *today = today.succ_opt().unwrap();
        env.run(&["sync", "-q"]).ok();
    }
}

#[test]
fn window_and_cursor_feeds_reach_the_same_rows() {
    let env = TestEnv::new();
    link_both(&env);
    assert!(live(&env, "sandbox").len() > 1000);
    assert_eq!(live(&env, "sandbox-window"), live(&env, "sandbox"));

    let mut today = NOW[..10].parse::<NaiveDate>().unwrap();
    let until = today + chrono::Days::new(8);
    sync_until(&env, &mut today, until);
    assert_eq!(live(&env, "sandbox-window"), live(&env, "sandbox"));
    let heuristic: i64 = env.query(
        "SELECT count(*) FROM \"transaction\" t JOIN account a ON a.id = t.account_id JOIN connection c
         ON c.id = a.connection_id WHERE c.name = 'sandbox-window' AND t.link_reason LIKE 'matched by heuristic%'",
    );
    assert!(heuristic > 0, "posted rows took over their pending rows without the provider's link");
}

#[test]
fn the_window_notices_a_vanished_charge_and_a_changed_amount() {
    let env = TestEnv::new();
    link_both(&env);
    let start = NOW[..10].parse::<NaiveDate>().unwrap();
    let bank = data::generate(42, 1, start);
    // The next duplicate charge the bank will quietly take back, and the next corrected amount.
    let added_at =
        |id: &str| bank.events.iter().find(|e| matches!(&e.change, Change::Added(t) if t.id == id)).unwrap().visible;
    let vanished = bank
        .events
        .iter()
        .find_map(|e| match &e.change {
            Change::Removed { id, .. } if e.visible > start && !id.is_empty() => {
                let t = bank.events.iter().find_map(|a| match &a.change {
                    Change::Added(t) if &t.id == id && !t.pending => Some(t),
                    _ => None,
                })?;
                (added_at(id) > start).then(|| (t.id.clone(), added_at(id), e.visible))
            }
            _ => None,
        })
        .expect("the data has a posted charge that is removed later");
    let changed = bank
        .events
        .iter()
        .find_map(|e| match &e.change {
            Change::Modified(t) if e.visible > start => {
                let before = bank.events.iter().find_map(|a| match &a.change {
                    Change::Added(o) if o.id == t.id => Some(o.amount),
                    _ => None,
                })?;
                (before != t.amount && added_at(&t.id) > start).then(|| (t.id.clone(), before, t.amount, e.visible))
            }
            _ => None,
        })
        .expect("the data has an amount corrected later");

    let mut today = start;
    let (id, appears, disappears) = vanished;
    sync_until(&env, &mut today, appears);
    assert_eq!(status_of(&env, "sandbox-window", &id).unwrap().0, "posted");
    sync_until(&env, &mut today, disappears);
    assert_eq!(status_of(&env, "sandbox-window", &id).unwrap().0, "removed");
    assert_eq!(status_of(&env, "sandbox", &id).unwrap().0, "removed");

    let (id, before, after, when) = changed;
    sync_until(&env, &mut today, when - chrono::Days::new(1));
    assert_eq!(status_of(&env, "sandbox-window", &id).unwrap().1, before);
    sync_until(&env, &mut today, when);
    assert_eq!(status_of(&env, "sandbox-window", &id).unwrap().1, after);
}

#[test]
fn a_sync_cut_short_resumes_on_the_right_account_after_the_bank_reorders_them() {
    let env = TestEnv::new();
    link_both(&env);
    env.pass_days(7);
    let today = NOW[..10].parse::<NaiveDate>().unwrap() + chrono::Days::new(7);
    // The accounts list and the first account's window go through; then the bank says
    // "come back in an hour", which ends this sync with that one account committed.
    env.sandbox.fault("kind=rate_limit&count=1&retry_after=3600&after=2").unwrap();
    env.run(&["sync", "sandbox-window"]).fails_with(75);
    env.sandbox.fault("kind=clear").unwrap();
    env.sandbox.accounts("order=reverse").unwrap();
    env.run(&["sync", "-q"]).ok();

    assert_eq!(live(&env, "sandbox-window"), live(&env, "sandbox"), "every account got its new days");
    let calls = calls_on(&env, "sandbox-window", today);
    let first = scope_of(&env, "sandbox-window", "Everyday Checking");
    assert_eq!(calls.get(&first), Some(&1), "the account done before the cut is not fetched again: {calls:?}");
    for name in ["High-Yield Savings", "Rewards Visa", "Euro Account"] {
        assert!(calls.contains_key(&scope_of(&env, "sandbox-window", name)), "{name} was fetched: {calls:?}");
    }
}

#[test]
fn a_position_stored_by_an_older_tally_restarts_every_account_from_its_date() {
    let env = TestEnv::new();
    link_both(&env);
    let synced = NOW[..10].to_string();
    env.pass_days(3);
    // Before positions named accounts, they held an index into the bank's list: here the
    // third account, mid-pass. The index cannot be trusted, the date can.
    let position = |set: Option<&str>| {
        let store = env.store();
        let c = connections::by_name(store.db(), "sandbox-window").unwrap().unwrap();
        if set.is_some() {
            connections::set_cursor(store.db(), c.id, set).unwrap();
        }
        c.cursor.unwrap()
    };
    position(Some(&format!("w1:{synced}:2")));
    env.run(&["sync", "-q"]).ok();
    assert_eq!(live(&env, "sandbox-window"), live(&env, "sandbox"), "no account missed its three days");
    assert!(position(None).starts_with("w2:"), "the position is rewritten in the new form");
}
