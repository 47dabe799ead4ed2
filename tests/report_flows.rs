//! What counts in reports: an imported salary is income (never "Uncategorized" spending), a
//! refund reduces its category, transfers and removed rows count nowhere.

use tally::money::{Currency, parse_amount};

use crate::common::TestEnv;

fn usd(v: &serde_json::Value) -> i64 {
    parse_amount(v.as_str().unwrap(), Currency::parse("USD").unwrap()).unwrap()
}

fn spent(env: &TestEnv, category: &str) -> i64 {
    let rows =
        env.run(&["report", "spending", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"]).ok().json();
    let rows = rows.as_array().unwrap();
    rows.iter().find(|r| r["category"] == category && r["currency"] == "USD").map_or(0, |r| usd(&r["total"]))
}

#[test]
fn an_imported_salary_is_income_not_spending() {
    let env = TestEnv::new();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/us-checking.csv");
    env.run(&["import", file, "--profile", "us-checking", "--create-account"]).ok();
    let spending = env.run(&["report", "spending", "--format", "json"]).ok().json();
    let total = spending.as_array().unwrap().iter().find(|r| r["category"] == "Total").unwrap();
    assert_eq!(total["total"], "70.70", "three purchases; the 2900.00 payroll is not spending: {spending}");
    let cashflow = env.run(&["report", "cashflow", "--format", "json"]).ok().json();
    let november = &cashflow.as_array().unwrap()[0];
    assert_eq!(
        (&november["period"], &november["income"], &november["expenses"], &november["net"]),
        (&"2026-11".into(), &"2900.00".into(), &"70.70".into(), &"2829.30".into())
    );
    assert_eq!(november["savings_rate"], "97.6%");
}

#[test]
fn refunds_reduce_spending_and_transfers_and_removed_rows_do_not_count() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let before = spent(&env, "Food:Restaurants");
    let ids: Vec<(i64, i64)> = {
        let store = env.store();
        let mut stmt = store
            .db()
            .prepare(
                "SELECT t.id, t.amount FROM \"transaction\" t JOIN category c ON c.id = t.category_id
                 WHERE c.full_name = 'Food:Restaurants' AND t.currency = 'USD' AND t.status != 'removed'
                   AND t.booked_date BETWEEN '2026-10-01' AND '2026-10-31' ORDER BY t.id LIMIT 3",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(ids.len(), 3);
    let store = env.store();
    let db = store.db();
    // A refund: the first row's money comes back (positive), so it subtracts twice its charge.
    db.execute("UPDATE \"transaction\" SET amount = -amount WHERE id = ?1", [ids[0].0]).unwrap();
    // A transfer pair (transfer_id set on both rows), and a removed row.
    db.execute("UPDATE \"transaction\" SET transfer_id = ?2 WHERE id = ?1", [ids[1].0, ids[2].0]).unwrap();
    db.execute("UPDATE \"transaction\" SET transfer_id = ?1 WHERE id = ?2", [ids[1].0, ids[2].0]).unwrap();
    drop(store);
    let (refund, transfers) = (-2 * ids[0].1, ids[1].1 + ids[2].1);
    assert_eq!(spent(&env, "Food:Restaurants"), before - refund + transfers);
    {
        let store = env.store();
        tally::store::transactions::mark_removed(store.db(), ids[0].0, chrono::Utc::now()).unwrap();
    }
    assert_eq!(spent(&env, "Food:Restaurants"), before + ids[0].1 + transfers, "a removed row counts nowhere");
}
