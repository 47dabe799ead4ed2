//! The learned layer (issue 11 item 5): a multinomial naive Bayes model trained on this
//! machine from the user's confirmed categories (their own choices and their rules' results),
//! over the features of `tokens` (merchant key, words, sign and size, account). It decides a
//! row only when its confidence reaches the threshold (`[categorize] learned_threshold`) and at
//! least [`MIN_SUPPORT`] confirmed rows of that category share the row's merchant or a word of
//! it; the reason names both: `learned 0.97 from 14 rows like "STARBUCKS"`.
//!
//! Why naive Bayes and not nearest neighbours: its state is a table of counts, so adding or
//! dropping a confirmed row is a count up or down, scoring costs one lookup per feature
//! whatever the history's size, and the counts explain a decision ("14 rows like"). That state
//! lives in the database and is retrained incrementally (migration 0009, `store::learned`):
//! triggers take back what a changed or deleted confirmed row contributed and queue the rows
//! to count; [`Model::load`] counts the queued rows (their features are ours to compute) and
//! reads the counts, once per sync, import, `categorize` or review. It learns from every
//! confirmed row, however old: a from-scratch model of the same rows ([`Model::train`]) is the
//! same model. Where the layer sits among the others is `super::Categorizer`.

pub mod tokens;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use anyhow::Result;

use super::Layer;
use crate::model::{CategorySource, NewTransaction};
use crate::money::Currency;
use crate::store::learned::{self as stored, Counts, Example};
use crate::store::{Db, transactions::Categorized};

/// The confidence a decision needs unless the config says otherwise (chosen from the eval in
/// `benches/learned.rs`: see the README's figures).
pub const DEFAULT_THRESHOLD: f64 = 0.9;
/// `tally review` also offers rows the model decided with less confidence than this.
pub const DEFAULT_REVIEW_BELOW: f64 = 0.97;
/// How many confirmed rows of the category must share the row's merchant or a word of it.
pub const MIN_SUPPORT: u32 = 3;
/// Additive smoothing of the counts.
const ALPHA: f64 = 0.1;

static THRESHOLD: OnceLock<f64> = OnceLock::new();

/// Set the threshold once for this process, from the config (`context` does this before any
/// command runs; the categorizer is built deep in sync and import, which do not carry the config).
pub fn configure(threshold: f64) {
    let _ = THRESHOLD.set(threshold);
}

/// The threshold in force: the config's, else [`DEFAULT_THRESHOLD`].
pub fn threshold() -> f64 {
    *THRESHOLD.get().unwrap_or(&DEFAULT_THRESHOLD)
}

/// What the model would say about a row, whatever the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub category_id: i64,
    /// The model's probability for that category, 0 to 1.
    pub confidence: f64,
    /// How many confirmed rows of that category share `like` with the row.
    pub support: u32,
    /// The merchant or word they share, upper case as a bank writes it.
    pub like: String,
}

impl Prediction {
    /// `learned 0.97 from 14 rows like "STARBUCKS"` (the confidence rounded down: never 1.00).
    pub fn reason(&self) -> String {
        let shown = (self.confidence * 100.0).floor() / 100.0;
        format!("learned {shown:.2} from {} rows like {:?}", self.support, self.like)
    }
}

/// Counts of features per category.
#[derive(Debug, Default)]
pub struct Model {
    classes: Vec<i64>,
    index: HashMap<i64, usize>,
    rows: Vec<u32>,
    totals: Vec<u64>,
    /// Per feature (by [`key`]), its count in each class that has it.
    counts: HashMap<i64, Vec<(usize, u32)>>,
    examples: u32,
}

impl Model {
    /// The model of every confirmed row of the database: the rows queued since the last run
    /// are counted first (inside the caller's transaction, if any), then the counts are read.
    pub fn load(db: &Db) -> Result<Model> {
        stored::drain(db, |e| keyed(features_of(e)).into_iter().map(|(_, k)| k).collect())?;
        Ok(Model::from_counts(&stored::counts(db)?))
    }

    /// The model the stored counts describe.
    pub fn from_counts(stored: &Counts) -> Model {
        let mut model = Model::default();
        for &(category_id, rows, features) in &stored.classes {
            model.index.insert(category_id, model.classes.len());
            model.classes.push(category_id);
            model.rows.push(rows);
            model.totals.push(features);
            model.examples += rows;
        }
        for (feature, category_id, n) in &stored.features {
            if let Some(&class) = model.index.get(category_id) {
                model.counts.entry(*feature).or_default().push((class, *n));
            }
        }
        model
    }

    /// Its state in the stored layout, in key order: two models that learned from the same rows
    /// give equal counts, whichever way they were built.
    pub fn counts(&self) -> Counts {
        let mut classes: Vec<_> =
            self.classes.iter().enumerate().map(|(c, id)| (*id, self.rows[c], self.totals[c])).collect();
        classes.sort_unstable();
        let mut features: Vec<_> = self
            .counts
            .iter()
            .flat_map(|(f, per_class)| per_class.iter().map(|(c, n)| (*f, self.classes[*c], *n)))
            .collect();
        features.sort_unstable();
        Counts { classes, features }
    }

    /// A model trained from scratch on `examples` (the eval; the check that counts stay exact).
    pub fn train(examples: &[Example]) -> Model {
        let mut model = Model::default();
        for e in examples {
            model.add(e);
        }
        model
    }

    /// Count one more confirmed row.
    pub fn add(&mut self, e: &Example) {
        let class = *self.index.entry(e.category_id).or_insert_with(|| {
            self.classes.push(e.category_id);
            self.rows.push(0);
            self.totals.push(0);
            self.classes.len() - 1
        });
        let features = keyed(features_of(e));
        self.rows[class] += 1;
        self.totals[class] += features.len() as u64;
        self.examples += 1;
        for (_, f) in features {
            let per_class = self.counts.entry(f).or_default();
            match per_class.iter_mut().find(|(c, _)| *c == class) {
                Some((_, n)) => *n += 1,
                None => per_class.push((class, 1)),
            }
        }
    }

    /// How many confirmed rows it learned from.
    pub fn examples(&self) -> u32 {
        self.examples
    }

    /// The most likely category of a row, with its confidence; `None` when the model has not
    /// seen the row's merchant or any of its words in [`MIN_SUPPORT`] rows of that category.
    pub fn predict(&self, account_id: i64, t: &NewTransaction) -> Option<Prediction> {
        if self.examples == 0 {
            return None;
        }
        let features =
            keyed(tokens::features(account_id, t.amount, t.currency.exponent(), t.payee.as_deref(), &t.description));
        let known: Vec<(&str, &Vec<(usize, u32)>)> =
            features.iter().filter_map(|(f, k)| self.counts.get(k).map(|v| (f.as_str(), v))).collect();
        if !known.iter().any(|(f, _)| is_text(f)) {
            return None;
        }
        let vocabulary = self.counts.len() as f64;
        let all = f64::from(self.examples);
        let scores: Vec<f64> = (0..self.classes.len())
            .map(|c| {
                let denominator = (self.totals[c] as f64 + ALPHA * vocabulary).ln();
                let likelihood: f64 = known
                    .iter()
                    .map(|(_, per_class)| {
                        let n = per_class.iter().find(|(k, _)| *k == c).map_or(0, |(_, n)| *n);
                        (f64::from(n) + ALPHA).ln() - denominator
                    })
                    .sum();
                (f64::from(self.rows[c]) / all).ln() + likelihood
            })
            .collect();
        // A tie goes to the lower category id, not to whichever class the model met first: a
        // model read from the counts and one trained on the same rows decide alike.
        let (best, top) = scores
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(self.classes[b.0].cmp(&self.classes[a.0])))?;
        let sum: f64 = scores.iter().map(|s| (s - top).exp()).sum();
        let (like, support) = known
            .iter()
            .filter(|(f, _)| is_text(f))
            .filter_map(|(f, per_class)| {
                let n = per_class.iter().find(|(k, _)| *k == best).map(|(_, n)| *n)?;
                // The merchant key says more than a word shared with it.
                Some((f[2..].to_uppercase(), n, f.starts_with("m:")))
            })
            .max_by_key(|(_, n, merchant)| (*n >= MIN_SUPPORT, *merchant, *n))
            .map(|(like, n, _)| (like, n))?;
        (support >= MIN_SUPPORT).then(|| Prediction {
            category_id: self.classes[best],
            confidence: 1.0 / sum,
            support,
            like,
        })
    }
}

/// What a confirmed row teaches the model: its features, as `tokens` names them.
fn features_of(e: &Example) -> Vec<String> {
    tokens::features(e.account_id, e.amount, exponent(&e.currency), e.payee.as_deref(), &e.description)
}

/// How a feature is stored and looked up: a 64-bit FNV-1a hash of its name, stable across
/// versions and machines. The database then holds no merchant names or words of its own (the
/// rows themselves do), so nothing of them outlives a purge in the counts' pages; the reason
/// a decision gives names the row's own text. Two features of one row never share a key
/// (`keyed`); two of the vocabulary would only blend their counts, at odds of 1 in 2^64.
pub fn key(feature: &str) -> i64 {
    let hash = feature.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Features with their keys, each key once.
fn keyed(features: Vec<String>) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::with_capacity(features.len());
    for f in features {
        let k = key(&f);
        if !out.iter().any(|(_, seen)| *seen == k) {
            out.push((f, k));
        }
    }
    out
}

fn is_text(feature: &str) -> bool {
    feature.starts_with("m:") || feature.starts_with("w:")
}

fn exponent(currency: &str) -> u8 {
    Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2)
}

/// The model as a layer of the categorizer: it decides at or above its threshold only.
#[derive(Debug)]
pub struct Learned {
    model: Arc<Model>,
    threshold: f64,
}

impl Learned {
    pub fn new(model: Arc<Model>, threshold: f64) -> Learned {
        Learned { model, threshold }
    }
}

impl Layer for Learned {
    fn decide(&self, account_id: i64, t: &NewTransaction) -> Option<Categorized> {
        let p = self.model.predict(account_id, t).filter(|p| p.confidence >= self.threshold)?;
        Some(Categorized { category_id: p.category_id, source: CategorySource::Learned, reason: p.reason() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filed(category_id: i64, description: &str) -> Example {
        Example {
            account_id: 1,
            amount: -450,
            currency: "USD".into(),
            payee: None,
            description: description.into(),
            category_id,
        }
    }

    fn row(description: &str) -> NewTransaction {
        NewTransaction {
            external_id: String::new(),
            pending_external_id: None,
            booked_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            value_date: None,
            amount: -500,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: description.into(),
            pending: false,
            provider_category: None,
        }
    }

    #[test]
    fn the_counts_make_the_same_model_whatever_order_the_rows_came_in() {
        let coffee = std::iter::repeat_n(filed(9, "SQ *BLUE BOTTLE"), 3);
        let food = std::iter::repeat_n(filed(4, "SQ *BLUE BOTTLE"), 3);
        let one: Vec<_> = coffee.clone().chain(food.clone()).collect();
        let other: Vec<_> = food.chain(coffee).collect();
        let (one, other) = (Model::train(&one), Model::train(&other));
        assert_eq!(one.counts(), other.counts());
        let stored = Model::from_counts(&one.counts());
        assert_eq!(stored.counts(), one.counts());
        // Six rows, three each way: a tie, which the lower category id wins in every model.
        let asked = row("SQ *BLUE BOTTLE");
        let decided: Vec<_> = [&one, &other, &stored].map(|m| m.predict(1, &asked).unwrap()).into();
        assert!(decided.iter().all(|p| p.category_id == 4 && p == &decided[0]), "{decided:?}");
    }
}
