#![allow(clippy::disallowed_methods, clippy::print_stdout)] // a bench reads its arguments and prints its figures
//! The learned model's figures (issue 11 item 5): trained on the first 80% of a generated
//! history (`support/learned_data.rs`: Zipf-like merchants, bank-style descriptions, unseen
//! merchants in the held-back part), it labels the last 20%; printed per threshold: coverage
//! (share of held-back rows labelled) and precision (share right of those labelled), for all
//! rows and for rows of merchants seen or unseen in training; then training and scoring time,
//! and what the stored counts cost a run (migration 0009): counting the rows queued since the
//! last run, per row, and reading the counts back, which a sync, import or `categorize` does
//! once whatever the history's size.
//!
//! `cargo bench --bench learned` (ROWS=N, SEED=N to change the data; STORED=N rows for the
//! stored part, 20,000 by default).

#[path = "support/learned_data.rs"]
mod data;

use std::time::Instant;

use tally::categorize::learned::{DEFAULT_THRESHOLD, Model};
use tally::model::CategorySource;
use tally::store::{OpenMode, Store, accounts, transactions};

/// The rows of the from-scratch timing (what a sync read before the counts were stored).
const TRAIN_ROWS: usize = 20_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|r| r.parse().ok()).unwrap_or(default)
}

fn main() {
    let rows = env("ROWS", 20_000);
    let seed = env("SEED", 11) as u64;
    let data = data::generate(seed, rows, 0.2);
    println!("{rows} rows (seed {seed}); trained on the first 80%, labelling the last 20%");
    println!("threshold  coverage  precision | seen: coverage precision | unseen: coverage precision");
    for threshold in [0.5, 0.7, 0.8, 0.9, 0.95, 0.99] {
        let (all, seen, unseen) = data::evaluate(&data, 0.2, threshold);
        let mark = if threshold == DEFAULT_THRESHOLD { " (default)" } else { "" };
        println!(
            "{threshold:9.2}  {:7.1}%  {:8.1}% |       {:7.1}% {:8.1}% |         {:7.1}% {:8.1}%{mark}",
            100.0 * all.coverage(),
            100.0 * all.precision(),
            100.0 * seen.coverage(),
            100.0 * seen.precision(),
            100.0 * unseen.coverage(),
            100.0 * unseen.precision(),
        );
    }
    let examples: Vec<_> = data::generate(seed, TRAIN_ROWS, 0.0).into_iter().map(|r| r.example).collect();
    let start = Instant::now();
    let model = Model::train(&examples);
    let trained = start.elapsed();
    let probe = &examples[..1000];
    let start = Instant::now();
    let labelled = probe.iter().filter(|r| model.predict(r.account_id, &data::row(r)).is_some()).count();
    let scored = start.elapsed();
    println!(
        "training from scratch on {TRAIN_ROWS} rows: {:.0} ms; scoring: {:.1} µs a row ({labelled} of {} had a guess)",
        trained.as_secs_f64() * 1e3,
        scored.as_secs_f64() * 1e6 / probe.len() as f64,
        probe.len(),
    );
    stored(seed, env("STORED", TRAIN_ROWS));
}

/// A database with `n` confirmed rows: the first run counts them all (as after the upgrade to
/// migration 0009), a second run only reads the counts, a third counts 100 new rows.
fn stored(seed: u64, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tally.db"), OpenMode::Create).unwrap();
    let now = tally::config::parse_now("2026-11-30T00:00:00Z").unwrap();
    let rows: Vec<_> = data::generate(seed, n + 100, 0.0).into_iter().map(|r| r.example).collect();
    let fill = |store: &mut Store, rows: &[tally::store::learned::Example], from: usize| {
        store
            .atomic(|db| {
                let account = accounts::insert(db, &account(), now)?;
                // The data's categories are 1, 2, ...: the database's own ids stand in for them.
                let mut ids: Vec<i64> = tally::store::categories::all(db)?.into_iter().map(|(_, id)| id).collect();
                ids.sort_unstable();
                for (i, e) in rows.iter().enumerate() {
                    let mut t = data::row(e);
                    t.external_id = format!("b{}", from + i);
                    let filed = transactions::Categorized {
                        category_id: ids[e.category_id as usize % ids.len()],
                        source: CategorySource::User,
                        reason: "bench".into(),
                    };
                    transactions::insert(db, account, &t, Some(&filed), None, now)?;
                }
                Ok(())
            })
            .unwrap()
    };
    fill(&mut store, &rows[..n], 0);
    let timed = |store: &mut Store| {
        let start = Instant::now();
        let model = store.atomic(|db| Model::load(db)).unwrap();
        (start.elapsed().as_secs_f64() * 1e3, model.examples())
    };
    let (first, counted) = timed(&mut store);
    let (again, _) = timed(&mut store);
    fill(&mut store, &rows[n..], n);
    let (more, total) = timed(&mut store);
    println!(
        "stored counts of {counted} rows: counting them all {first:.0} ms ({:.0} µs a row); a run's load {again:.0} ms; \
         after 100 new rows {more:.0} ms ({total} rows)",
        first * 1e3 / counted.max(1) as f64,
    );
}

fn account() -> accounts::NewAccount<'static> {
    accounts::NewAccount {
        connection_id: None,
        external_id: "bench",
        identity: None,
        name: "bench",
        official_name: None,
        kind: "checking",
        currency: "USD",
        mask: None,
        tracked: true,
    }
}
