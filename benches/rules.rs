#![allow(clippy::disallowed_methods, clippy::print_stdout)] // a bench reads its arguments and prints its figures
//! Rule matching at scale: 10,000 rules over 1,000,000 rows (issue 11's target: at most 2 s),
//! against the naive loop (each rule tried in order per row, one regex at a time), measured
//! in the same run on a subset and scaled up. Merchants follow a Zipf-like frequency, half of
//! them have no rule, descriptions look like a bank's (`STARBUCKS #1234 SEATTLE WA`).
//!
//! `cargo bench --bench rules` (RULES=N, ROWS=N, NAIVE_ROWS=N to change the sizes).

use std::time::{Duration, Instant};

use tally::categorize::rules::{Conditions, Rule, RuleSet, Sign, Subject};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|r| r.parse().ok()).unwrap_or(default)
}

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

const SYLLABLES: &[&str] = &[
    "KOR", "VA", "NO", "BEL", "TRI", "MAR", "LU", "STAR", "BUCK", "WHOLE", "FDS", "SAF", "EWAY", "TAR", "GET", "CO",
    "STCO", "PEN", "NY", "ZA", "RIO", "DEL", "MON", "TE", "QUI", "LA", "BRI", "GHT", "ON", "ARC", "ADIA",
];
const KINDS: &[&str] = &["MARKET", "COFFEE", "PHARMACY", "GAS", "DELI", "BOOKS", "HARDWARE", "BAKERY", "TAQUERIA", ""];
const CITIES: &[&str] = &["SEATTLE WA", "PORTLAND OR", "OAKLAND CA", "AUSTIN TX", "BROOKLYN NY", "DENVER CO"];

/// Distinct merchant names such as `BELMARLU BAKERY`.
fn merchants(n: usize, rng: &mut Rng) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let parts = 2 + rng.below(2);
        let name: String = (0..parts).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
        let kind = KINDS[rng.below(KINDS.len())];
        let full = if kind.is_empty() { name } else { format!("{name} {kind}") };
        if seen.insert(full.clone()) {
            out.push(full);
        }
    }
    out
}

struct Row {
    description: String,
    amount: i64,
}

/// Rows whose merchants follow a Zipf-like law (weight 1/rank).
fn rows(merchants: &[String], n: usize, rng: &mut Rng) -> Vec<Row> {
    let mut cumulative = Vec::with_capacity(merchants.len());
    let mut total = 0.0f64; // frequencies, not money
    for rank in 1..=merchants.len() {
        total += 1.0 / rank as f64;
        cumulative.push(total);
    }
    (0..n)
        .map(|_| {
            let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
            let m = cumulative.partition_point(|&c| c < x).min(merchants.len() - 1);
            let prefix = if rng.below(5) == 0 { "SQ *" } else { "" };
            let description =
                format!("{prefix}{} #{} {}", merchants[m], rng.below(9000) + 1000, CITIES[rng.below(CITIES.len())]);
            let amount = -((rng.below(20_000) + 100) as i64);
            Row { description, amount: if rng.below(50) == 0 { -amount } else { amount } }
        })
        .collect()
}

/// Rules for the even-ranked merchants: mostly `contains`, some regexes, exact texts and
/// amount-only rules, in an order where a specific rule sometimes precedes a general one.
fn rules(merchants: &[String], n: usize) -> Vec<Rule> {
    (0..n)
        .map(|i| {
            let m = &merchants[(i * 2) % merchants.len()];
            let when = match i % 100 {
                0 => Conditions {
                    description_regex: Some(format!("^(SQ \\*)?{} #\\d+", regex::escape(m))),
                    ..Default::default()
                },
                1 => Conditions { description_exact: Some(format!("{m} #1234 SEATTLE WA")), ..Default::default() },
                2 => Conditions {
                    min_amount: Some(format!("{}", 150 + i % 50)),
                    sign: Some(Sign::Out),
                    ..Default::default()
                },
                3 => Conditions {
                    description_contains: Some(m.to_lowercase()),
                    max_amount: Some("20.00".into()),
                    ..Default::default()
                },
                _ => Conditions { description_contains: Some(m.clone()), ..Default::default() },
            };
            Rule {
                id: i as i64 + 1,
                position: i as i64 + 1,
                when,
                category_id: Some(1 + (i % 40) as i64),
                ..Default::default()
            }
        })
        .collect()
}

fn subject(r: &Row) -> Subject<'_> {
    Subject { account_id: 1, amount: r.amount, currency: "USD", exponent: 2, payee: None, description: &r.description }
}

/// The loop the automaton replaces: every rule in order, one regex each, until one matches.
struct Naive {
    rules: Vec<(Rule, Option<regex::Regex>)>,
}

impl Naive {
    fn new(rules: &[Rule]) -> Naive {
        let compiled = rules
            .iter()
            .map(|r| {
                let re = r
                    .when
                    .description_regex
                    .as_ref()
                    .map(|p| regex::RegexBuilder::new(p).case_insensitive(true).build().unwrap());
                (r.clone(), re)
            })
            .collect();
        Naive { rules: compiled }
    }

    fn first(&self, row: &Row) -> Option<i64> {
        let lower = row.description.to_lowercase();
        let size = row.amount.unsigned_abs() as i128 * 10_000;
        for (rule, re) in &self.rules {
            let w = &rule.when;
            let ok = w.description_contains.as_ref().is_none_or(|c| lower.contains(&c.to_lowercase()))
                && w.description_exact.as_ref().is_none_or(|e| lower.trim() == e.trim().to_lowercase())
                && re.as_ref().is_none_or(|re| re.is_match(&row.description))
                && w.sign.is_none_or(|s| (s == Sign::Out) == (row.amount < 0))
                && w.min_amount.as_deref().is_none_or(|m| size >= tally::categorize::rules::parse_bound(m).unwrap())
                && w.max_amount.as_deref().is_none_or(|m| size <= tally::categorize::rules::parse_bound(m).unwrap());
            if ok {
                return Some(rule.id);
            }
        }
        None
    }
}

fn main() {
    let (n_rules, n_rows, n_naive) = (env("RULES", 10_000), env("ROWS", 1_000_000), env("NAIVE_ROWS", 2_000));
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let merchants = merchants(n_rules * 2, &mut rng);
    let rows = rows(&merchants, n_rows, &mut rng);
    let rules = rules(&merchants, n_rules);

    let start = Instant::now();
    let set = RuleSet::new(rules.clone()).unwrap();
    let build = start.elapsed();

    let start = Instant::now();
    let mut matched = 0usize;
    for r in &rows {
        matched += usize::from(set.first_match(&subject(r)).is_some());
    }
    let matching = start.elapsed();

    let naive = Naive::new(&rules);
    let subset = &rows[..n_naive.min(rows.len())];
    let start = Instant::now();
    let expected: Vec<Option<i64>> = subset.iter().map(|r| naive.first(r)).collect();
    let naive_time = start.elapsed();
    for (r, expected) in subset.iter().zip(expected) {
        assert_eq!(set.first_match(&subject(r)).map(|r| r.id), expected, "{}", r.description);
    }
    let naive_scaled = Duration::from_secs_f64(naive_time.as_secs_f64() * rows.len() as f64 / subset.len() as f64);

    println!(
        "rules: {n_rules}, rows: {n_rows} ({matched} matched a rule, {:.1}%)",
        100.0 * matched as f64 / n_rows as f64
    );
    println!("compile the rule set: {:.3} s", build.as_secs_f64());
    println!(
        "match every row:      {:.3} s ({:.0} ns a row; target: at most 2 s)",
        matching.as_secs_f64(),
        matching.as_nanos() as f64 / n_rows as f64
    );
    println!(
        "naive loop:           {:.3} s for {} rows, {:.1} s scaled to {n_rows} (same answers on every one)",
        naive_time.as_secs_f64(),
        subset.len(),
        naive_scaled.as_secs_f64()
    );
    println!("ratio naive / rule set: {:.0}x", naive_scaled.as_secs_f64() / (build + matching).as_secs_f64());
}
