#![allow(clippy::disallowed_methods, clippy::print_stdout)] // a bench reads its arguments and prints its figures
//! The learned model's figures (issue 11 item 5): trained on the first 80% of a generated
//! history (`support/learned_data.rs`: Zipf-like merchants, bank-style descriptions, unseen
//! merchants in the held-back part), it labels the last 20%; printed per threshold: coverage
//! (share of held-back rows labelled) and precision (share right of those labelled), for all
//! rows and for rows of merchants seen or unseen in training; then training and scoring time.
//!
//! `cargo bench --bench learned` (ROWS=N, SEED=N to change the data).

#[path = "support/learned_data.rs"]
mod data;

use std::time::Instant;

use tally::categorize::learned::{DEFAULT_THRESHOLD, Model, TRAIN_ROWS};

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
        "training on {TRAIN_ROWS} rows (the most a sync reads): {:.0} ms; scoring: {:.1} µs a row ({labelled} of {} had a guess)",
        trained.as_secs_f64() * 1e3,
        scored.as_secs_f64() * 1e6 / probe.len() as f64,
        probe.len(),
    );
}
