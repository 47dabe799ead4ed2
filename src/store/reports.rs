//! Aggregate queries behind `tally report`. They read the per-month rollups that migration
//! 0006's triggers keep (`tx_month`, `tx_month_payee`), and the base table only for the days of
//! a month that a date range cuts into, so a report costs the number of months, not of rows.
//! Removed rows are never in a rollup. They return sums in minor units, split into money in
//! and money out; what counts as spending or income is `report/`'s call.

use anyhow::Result;
use chrono::{Datelike as _, Months, NaiveDate};
use rusqlite::{params, params_from_iter, types::Value};

use super::Db;

/// What a report looks at. `None` means "any".
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub account_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A category and everything under it (`Food` matches `Food:Groceries`).
    pub category: Option<String>,
    pub currency: Option<String>,
}

/// Sums of one (month, currency, category, transfer or not[, payee]) group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    pub month: String,
    pub currency: String,
    pub category: Option<String>,
    /// The category's kind (`expense`, `income`, `transfer`); `None` when uncategorized.
    pub kind: Option<String>,
    pub transfer: bool,
    /// The payee (only from [`by_payee`]).
    pub payee: Option<String>,
    /// Minor units of rows with a positive amount.
    pub sum_in: i64,
    /// Minor units of rows with an amount of zero or less (a negative number).
    pub sum_out: i64,
    pub n_in: i64,
    pub n_out: i64,
}

/// Per month, currency, category and transfer flag.
pub fn monthly(db: &Db, scope: &Scope) -> Result<Vec<Sums>> {
    grouped(db, scope, false)
}

/// Per month, currency, category, transfer flag and payee (the merchants report).
pub fn by_payee(db: &Db, scope: &Scope) -> Result<Vec<Sums>> {
    grouped(db, scope, true)
}

fn grouped(db: &Db, scope: &Scope, payee: bool) -> Result<Vec<Sums>> {
    let (source, mut args) = source(scope, payee);
    let mut sql = format!(
        "WITH src AS ({source})
         SELECT src.month, src.currency, c.full_name, c.kind, src.transfer, {},
                sum(src.sum_in), sum(src.sum_out), sum(src.n_in), sum(src.n_out)
         FROM src LEFT JOIN category c ON c.id = src.category_id",
        if payee { "src.payee" } else { "NULL" }
    );
    if let Some(category) = &scope.category {
        args.push(Value::Text(category.clone()));
        let n = args.len();
        sql.push_str(&format!(" WHERE (c.full_name = ?{n} COLLATE NOCASE OR c.full_name LIKE ?{n} || ':%')"));
    }
    sql.push_str(if payee { " GROUP BY 1, 2, src.category_id, 5, 6" } else { " GROUP BY 1, 2, src.category_id, 5" });
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| {
            Ok(Sums {
                month: r.get(0)?,
                currency: r.get(1)?,
                category: r.get(2)?,
                kind: r.get(3)?,
                transfer: r.get(4)?,
                payee: r.get(5)?,
                sum_in: r.get(6)?,
                sum_out: r.get(7)?,
                n_in: r.get(8)?,
                n_out: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Net movement (every live row, transfers included) per account and month.
pub fn account_months(db: &Db, account_id: Option<i64>) -> Result<Vec<(i64, String, i64)>> {
    let mut stmt = db.prepare(
        "SELECT account_id, month, sum(sum_in + sum_out) FROM tx_month
         WHERE ?1 IS NULL OR account_id = ?1 GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Net movement of an account's live rows booked from `from` to `to` (inclusive).
pub fn account_between(db: &Db, account_id: i64, from: NaiveDate, to: NaiveDate) -> Result<i64> {
    Ok(db.query_row(
        "SELECT coalesce(sum(amount), 0) FROM \"transaction\"
         WHERE account_id = ?1 AND booked_date BETWEEN ?2 AND ?3 AND status != 'removed'",
        params![account_id, from.to_string(), to.to_string()],
        |r| r.get(0),
    )?)
}

/// The first and last month with live rows, if any.
pub fn month_span(db: &Db) -> Result<Option<(String, String)>> {
    Ok(db.query_row("SELECT min(month), max(month) FROM tx_month", [], |r| {
        Ok(r.get::<_, Option<String>>(0)?.zip(r.get::<_, Option<String>>(1)?))
    })?)
}

/// The rollup rows of whole months in the scope's dates, plus a GROUP BY over the base table
/// for the days of a month the dates cut into (through the `booked_date` index).
fn source(scope: &Scope, payee: bool) -> (String, Vec<Value>) {
    let mut args: Vec<Value> = Vec::new();
    let mut push = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let (full, edges) = split(scope.from, scope.to);
    let mut common = String::new();
    if let Some(id) = scope.account_id {
        common.push_str(&format!(" AND account_id = {}", push(Value::Integer(id))));
    }
    if let Some(currency) = &scope.currency {
        common.push_str(&format!(" AND currency = {}", push(Value::Text(currency.clone()))));
    }
    let table = if payee { "tx_month_payee" } else { "tx_month" };
    let payee_col = if payee { ", payee" } else { "" };
    let mut sql = format!(
        "SELECT month, account_id, category_id, currency, transfer{payee_col}, sum_in, sum_out, n_in, n_out
         FROM {table} WHERE 1{common}"
    );
    if let Some(lo) = full.0 {
        sql.push_str(&format!(" AND month >= {}", push(Value::Text(lo))));
    }
    if let Some(hi) = full.1 {
        sql.push_str(&format!(" AND month <= {}", push(Value::Text(hi))));
    }
    if !edges.is_empty() {
        let ranges: Vec<String> = edges
            .iter()
            .map(|(a, b)| {
                let a = push(Value::Text(a.to_string()));
                let b = push(Value::Text(b.to_string()));
                format!("booked_date BETWEEN {a} AND {b}")
            })
            .collect();
        let payee_expr = if payee { ", coalesce(nullif(rule_payee, ''), nullif(payee, ''), description)" } else { "" };
        sql.push_str(&format!(
            " UNION ALL
             SELECT substr(booked_date, 1, 7), account_id, coalesce(category_id, 0), currency,
                    transfer_id IS NOT NULL{payee_expr}, sum(max(amount, 0)), sum(min(amount, 0)),
                    sum(amount > 0), sum(amount <= 0)
             FROM \"transaction\" WHERE status != 'removed' AND ({}){common}
             GROUP BY 1, 2, 3, 4, 5{}",
            ranges.join(" OR "),
            if payee { ", 6" } else { "" }
        ));
    }
    (sql, args)
}

/// The first and last whole month (`YYYY-MM`) a range covers; `None` is unbounded.
type WholeMonths = (Option<String>, Option<String>);

/// Whole months inside `from..=to` and the date ranges outside them.
fn split(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (WholeMonths, Vec<(NaiveDate, NaiveDate)>) {
    let first = |d: NaiveDate| d.with_day(1).expect("day 1 exists");
    let last = |d: NaiveDate| first(d) + Months::new(1) - chrono::Days::new(1);
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let mut edges = Vec::new();
    let lo = from.map(|f| if f.day() == 1 { month(f) } else { month(first(f) + Months::new(1)) });
    let hi = to.map(|t| if t == last(t) { month(t) } else { month(first(t) - chrono::Days::new(1)) });
    if let Some(f) = from.filter(|f| f.day() != 1) {
        edges.push((f, to.map_or(last(f), |t| t.min(last(f)))));
    }
    if let Some(t) = to.filter(|t| *t != last(*t)) {
        let start = from.map_or(first(t), |f| f.max(first(t)));
        if edges.first().is_none_or(|(f, _)| first(*f) != first(t)) {
            edges.push((start, t));
        }
    }
    ((lo, hi), edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_splits_into_whole_months_and_the_days_around_them() {
        let (full, edges) = split(Some(d("2026-01-15")), Some(d("2026-04-10")));
        assert_eq!(full, (Some("2026-02".into()), Some("2026-03".into())));
        assert_eq!(edges, [(d("2026-01-15"), d("2026-01-31")), (d("2026-04-01"), d("2026-04-10"))]);
        let (full, edges) = split(Some(d("2026-01-01")), Some(d("2026-02-28")));
        assert_eq!((full, edges), ((Some("2026-01".into()), Some("2026-02".into())), vec![]));
        // Inside one month: the days alone, once.
        let (_, edges) = split(Some(d("2026-03-05")), Some(d("2026-03-09")));
        assert_eq!(edges, [(d("2026-03-05"), d("2026-03-09"))]);
        let (full, edges) = split(None, Some(d("2026-03-09")));
        assert_eq!((full, edges), ((None, Some("2026-02".into())), vec![(d("2026-03-01"), d("2026-03-09"))]));
    }

    /// The rollups hold exactly what a GROUP BY over the live rows says, whatever wrote them.
    #[test]
    fn the_rollups_equal_a_group_by_after_every_kind_of_write() {
        use crate::model::{CategorySource, NewTransaction};
        use crate::store::{Store, accounts, categories, transactions as tx};
        let store = Store::in_memory().unwrap();
        let (db, now) = (store.db(), chrono::Utc::now());
        let account = |ext: &'static str| accounts::NewAccount {
            connection_id: None,
            external_id: ext,
            identity: None,
            name: ext,
            official_name: None,
            kind: "checking",
            currency: "USD",
            mask: None,
            tracked: true,
        };
        let (a, b) =
            (accounts::insert(db, &account("a"), now).unwrap(), accounts::insert(db, &account("b"), now).unwrap());
        let row = |ext: &str, day: &str, amount: i64, payee: Option<&str>| NewTransaction {
            external_id: ext.into(),
            pending_external_id: None,
            booked_date: d(day),
            value_date: None,
            amount,
            currency: crate::money::Currency::parse("USD").unwrap(),
            payee: payee.map(str::to_string),
            description: format!("ROW {ext}"),
            pending: false,
            provider_category: None,
        };
        let food = tx::Categorized {
            category_id: categories::id_by_name(db, "Food").unwrap().unwrap(),
            source: CategorySource::Provider,
            reason: "test".into(),
        };
        let ids: Vec<i64> = [
            ("1", "2026-01-05", -500, Some("Cafe")),
            ("2", "2026-01-20", -700, Some("Cafe")),
            ("3", "2026-02-01", 300_000, None),
            ("4", "2026-02-03", 250, Some("Cafe")),
            ("5", "2026-03-09", -1200, None),
        ]
        .iter()
        .map(|(ext, day, amount, payee)| {
            tx::insert(db, a, &row(ext, day, *amount, *payee), Some(&food), None, now).unwrap()
        })
        .collect();
        let other = tx::insert(db, b, &row("6", "2026-01-07", -99, None), None, None, now).unwrap();
        check(db);
        tx::update(db, ids[0], &row("1", "2026-02-28", -650, Some("Bakery")), None, None, now).unwrap();
        tx::clear_category(db, ids[1]).unwrap();
        tx::set_category(db, other, &food).unwrap();
        tx::mark_removed(db, ids[2], now).unwrap();
        db.execute("UPDATE \"transaction\" SET transfer_id = ?1 WHERE id = ?2", [other, ids[4]]).unwrap();
        db.execute("UPDATE \"transaction\" SET rule_payee = 'Corner Cafe' WHERE id = ?1", [ids[3]]).unwrap();
        check(db);
        tx::delete_for_account(db, b).unwrap();
        check(db);
        let left: i64 = db.query_row("SELECT count(*) FROM tx_month WHERE account_id = ?1", [b], |r| r.get(0)).unwrap();
        assert_eq!(left, 0, "a group with no rows left is gone");
    }

    fn check(db: &Db) {
        let dump = |sql: &str| -> Vec<String> {
            let mut stmt = db.prepare(sql).unwrap();
            let n = stmt.column_count();
            stmt.query_map([], |r| {
                Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        let live = "FROM \"transaction\" WHERE status != 'removed'";
        let sums = "sum(max(amount, 0)), sum(min(amount, 0)), sum(amount > 0), sum(amount <= 0)";
        let key = "substr(booked_date, 1, 7), account_id, coalesce(category_id, 0), currency, transfer_id IS NOT NULL";
        let payee = "coalesce(nullif(rule_payee, ''), nullif(payee, ''), description)";
        assert_eq!(
            dump("SELECT * FROM tx_month ORDER BY 1, 2, 3, 4, 5"),
            dump(&format!("SELECT {key}, {sums} {live} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"))
        );
        assert_eq!(
            dump("SELECT * FROM tx_month_payee ORDER BY 1, 2, 3, 4, 5, 6"),
            dump(&format!("SELECT {key}, {payee}, {sums} {live} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"))
        );
        let rows: i64 = db.query_row("SELECT count(*) FROM tx_month", [], |r| r.get(0)).unwrap();
        assert!(rows > 0, "the comparison saw rows");
    }
}
