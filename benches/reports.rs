#![allow(clippy::disallowed_methods, clippy::print_stdout)] // a bench reads its arguments and prints its figures
//! Reports over a long history (issue 12 item 8: 1,000,000 rows in 8 accounts over 10 years,
//! every report in at most 0.25 s, `tx list --search` in at most 50 ms), against baselines
//! measured in the same run on the same database: the plain GROUP BY over the base table that
//! reports used to run, and the LIKE scan that search used to run.
//!
//! `cargo bench --bench reports` (REPORT_ROWS=N for another size, e.g. 20000 for a quick run).
//! Figures are in-process (the store and `report::` calls a command makes), medians of 7 runs.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use tally::model::{CategorySource, NewTransaction};
use tally::money::Currency;
use tally::report::{self, Period};
use tally::store::reports::Scope;
use tally::store::transactions::{self, Categorized, TxFilter};
use tally::store::{OpenMode, Store, accounts, categories, search};

const RUNS: usize = 7;

/// A small deterministic generator (no dependency): xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Payees as banks write them, with the category a provider would give.
const PAYEES: &[(&str, &str)] = &[
    ("TRADER JOE'S #552 OAKLAND CA", "Food:Groceries"),
    ("WHOLEFDS MKT #10234", "Food:Groceries"),
    ("SAFEWAY #1711 SEATTLE WA", "Food:Groceries"),
    ("REWE SAGT DANKE 4471", "Food:Groceries"),
    ("BLUE BOTTLE COFFEE", "Food:Coffee"),
    ("STARBUCKS STORE 04471", "Food:Coffee"),
    ("SQ *TARTINE BAKERY", "Food:Restaurants"),
    ("ZUNI CAFE SAN FRANCISCO", "Food:Restaurants"),
    ("UBER *TRIP HELP.UBER.COM", "Transport:Public"),
    ("CLIPPER TRANSIT", "Transport:Public"),
    ("SHELL OIL 57442", "Transport:Fuel"),
    ("NETFLIX.COM", "Subscriptions:Streaming"),
    ("SPOTIFY USA", "Subscriptions:Streaming"),
    ("GITHUB, INC.", "Subscriptions:Software"),
    ("AMAZON MKTPLACE PMTS", "Shopping"),
    ("TARGET 00012345", "Shopping"),
    ("PG&E WEBRECURRING", "Housing:Utilities"),
    ("COMCAST CABLE COMM", "Housing:Utilities"),
    ("WALGREENS #4471", "Health"),
    ("DB VERTRIEB GMBH", "Travel"),
];

fn main() {
    let rows: usize = std::env::var("REPORT_ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db"), OpenMode::Create).unwrap();
    let started = Instant::now();
    fill(&mut store, rows);
    let fill_time = started.elapsed();
    let db = store.db();
    db.execute_batch("ANALYZE").unwrap();
    println!("{rows} rows in 8 accounts over 10 years written in {:.1} s (triggers included)", fill_time.as_secs_f64());

    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let all = Scope::default();
    let year = Scope { from: NaiveDate::from_ymd_opt(2025, 11, 10), to: Some(today), ..Scope::default() };
    let baseline = median(|| {
        let sql = "SELECT substr(t.booked_date, 1, 7), coalesce(c.full_name, ''), t.currency, sum(t.amount), count(*)
                   FROM \"transaction\" t LEFT JOIN category c ON c.id = t.category_id
                   WHERE t.status != 'removed' GROUP BY 1, 2, 3";
        db.prepare(sql).unwrap().query_map([], |r| r.get::<_, i64>(3)).unwrap().count()
    });
    println!("{:<44} {:>9.1} ms", "baseline: GROUP BY over the base table", ms(baseline));
    let mut figures = Vec::new();
    let mut time = |name: &str, f: &mut dyn FnMut() -> usize| {
        let t = median(f);
        println!("{name:<44} {:>9.1} ms  {:>5.2}x baseline", ms(t), t.as_secs_f64() / baseline.as_secs_f64());
        figures.push((name.to_string(), t));
    };
    time("report spending (all, months)", &mut || {
        let spans = report::columns(db, &all, Period::Month).unwrap();
        report::spending::spending(&report::spending::grid(db, &all, Period::Month, None, None).unwrap(), &spans)
            .unwrap()
            .len()
    });
    time("report spending (a year, mid-month edges)", &mut || {
        let spans = report::columns(db, &year, Period::Month).unwrap();
        report::spending::spending(&report::spending::grid(db, &year, Period::Month, None, None).unwrap(), &spans)
            .unwrap()
            .len()
    });
    time("report cashflow (all, quarters)", &mut || {
        let spans = report::columns(db, &all, Period::Quarter).unwrap();
        report::cashflow::cashflow(&report::cashflow::grid(db, &all, Period::Quarter, None).unwrap(), &spans)
            .unwrap()
            .len()
    });
    time("report networth (all, months)", &mut || {
        let spans = report::columns(db, &Scope { to: Some(today), ..all.clone() }, Period::Month).unwrap();
        report::networth::networth(db, &all, &spans, today, None).unwrap().0.len()
    });
    time("report merchants (all)", &mut || {
        let grid = report::merchants::grid(db, &all, None).unwrap();
        report::merchants::merchants(&grid, report::merchants::Rank::Spend, 20).unwrap().len()
    });
    time("report trends (month vs last 3)", &mut || {
        let (scope, spans) = report::trends::window(&all, Period::Month, today, 3);
        report::trends::trends(db, &scope, Period::Month, &spans, None, None).unwrap().len()
    });
    let mut usd = report::Converter::new(db, Currency::parse("USD").unwrap());
    tally::store::rates::set(
        db,
        &tally::store::rates::Rate { base: "EUR".into(), quote: "USD".into(), day: None, rate: "1.08".into() },
    )
    .unwrap();
    time("report spending --convert-to USD", &mut || {
        let spans = report::columns(db, &all, Period::Month).unwrap();
        let grid = report::spending::grid(db, &all, Period::Month, None, Some(&mut usd)).unwrap();
        report::spending::spending(&grid, &spans).unwrap().len()
    });
    let search = TxFilter { search: Some("tartine".into()), limit: Some(50), ..TxFilter::default() };
    let like = median(|| {
        let sql = "SELECT count(*) FROM \"transaction\" WHERE status != 'removed' AND (payee LIKE '%tartine%'
                   OR description LIKE '%tartine%' OR rule_payee LIKE '%tartine%')";
        db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
    });
    println!("{:<44} {:>9.1} ms", "baseline: LIKE scan for a search", ms(like));
    // What `tx list` runs: the newest 50, then the total (exact up to search::COMMON).
    let total = |f: &TxFilter| match search::total(db, f, search::COMMON).unwrap() {
        search::Total::Exact(n) | search::Total::MoreThan(n) => n as usize,
    };
    let fts = median(|| transactions::list(db, &search).unwrap().len() + total(&search));
    println!(
        "{:<44} {:>9.1} ms  {:>5.2}x baseline",
        "tx list --search tartine (50 + capped count)",
        ms(fts),
        fts.as_secs_f64() / like.as_secs_f64()
    );
    let rare = TxFilter { search: Some("tartine bakery 0427".into()), limit: Some(50), ..TxFilter::default() };
    let few = median(|| transactions::list(db, &rare).unwrap().len() + total(&rare));
    println!("{:<44} {:>9.1} ms", "tx list --search 'tartine bakery 0427'", ms(few));
    let slowest = figures.iter().max_by_key(|(_, t)| *t).unwrap();
    println!(
        "slowest report: {} at {:.1} ms (target 250 ms); search {:.1} ms (target 50 ms)",
        slowest.0,
        ms(slowest.1),
        ms(fts)
    );
}

/// `rows` rows over 10 years to 2026-11-23 in 8 accounts (one in EUR): purchases with a
/// provider's category, a monthly salary, card payments as transfer-category pairs, refunds.
fn fill(store: &mut Store, rows: usize) {
    let now = Utc::now();
    store
        .atomic(|db| {
            let mut ids = Vec::new();
            for (i, currency) in ["USD", "USD", "USD", "USD", "USD", "USD", "USD", "EUR"].iter().enumerate() {
                let name: &'static str = Box::leak(format!("Account {i}").into_boxed_str());
                let account = accounts::NewAccount {
                    connection_id: None,
                    external_id: name,
                    identity: None,
                    name,
                    official_name: None,
                    kind: "checking",
                    currency,
                    mask: None,
                    tracked: true,
                };
                ids.push((accounts::insert(db, &account, now)?, Currency::parse(currency)?));
            }
            let category = |name: &str| -> anyhow::Result<Categorized> {
                let id = categories::id_by_name(db, name)?
                    .unwrap_or_else(|| categories::id_by_name(db, "Shopping").unwrap().unwrap());
                Ok(Categorized { category_id: id, source: CategorySource::Provider, reason: "bench".into() })
            };
            let payees: Vec<(&str, Categorized)> =
                PAYEES.iter().map(|(p, c)| Ok((*p, category(c)?))).collect::<anyhow::Result<_>>()?;
            let salary = category("Income")?;
            let transfer = category("Transfer")?;
            let first = NaiveDate::from_ymd_opt(2016, 11, 24).unwrap();
            let days = 3652usize;
            let mut rng = Rng(0x5eed);
            for n in 0..rows {
                let (account, currency) = ids[rng.below(ids.len())];
                let day = first + Days::new((n * days / rows) as u64);
                let roll = rng.below(1000);
                // A provider names the merchant; the description is the bank's raw line.
                let (payee, description, amount, decision) = match roll {
                    0..=4 => (None, "ACME CORP PAYROLL PPD".to_string(), 420_000, Some(&salary)),
                    5..=14 => (None, "REWARDS VISA AUTOPAY".to_string(), -(rng.below(200_000) as i64), Some(&transfer)),
                    15..=24 => {
                        let (payee, cat) = &payees[rng.below(payees.len())];
                        (Some(*payee), format!("REFUND {payee}"), rng.below(5_000) as i64, Some(cat))
                    }
                    _ => {
                        let (payee, cat) = &payees[rng.below(payees.len())];
                        let description = format!("{payee} {:04}", rng.below(10_000));
                        (Some(*payee), description, -(rng.below(15_000) as i64 + 100), Some(cat))
                    }
                };
                let row = NewTransaction {
                    external_id: format!("b{n}"),
                    pending_external_id: None,
                    booked_date: day,
                    value_date: None,
                    amount,
                    currency,
                    payee: payee.map(str::to_string),
                    description,
                    pending: false,
                    provider_category: None,
                };
                transactions::insert(db, account, &row, decision, None, now)?;
            }
            Ok(())
        })
        .unwrap();
}

fn median(mut f: impl FnMut() -> usize) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
