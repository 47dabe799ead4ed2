//! Realistic generated statements for the learned model's eval (`benches/learned.rs`) and its
//! test (`tests/learned.rs`): merchants with a Zipf-like frequency, each in one category with
//! that category's amounts, bank-style descriptions (`STARBUCKS #1234 SEATTLE WA`,
//! `SQ *BLUE BOTTLE`, `AMZN Mktp US*2K3L`, `CHECKCARD 0412 ... XXXX5521`), a few big-box
//! merchants whose rows the user files under different categories, a little inconsistency of
//! the user's, and merchants that only appear in the held-back part.

use tally::categorize::learned::Model;
use tally::model::NewTransaction;
use tally::money::Currency;
use tally::store::learned::Example;

/// xorshift64*: deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }
}

/// A category: the words its merchants' names end with, and its amounts in cents.
struct Profile {
    kinds: &'static [&'static str],
    cents: (i64, i64),
}

const PROFILES: &[Profile] = &[
    Profile { kinds: &["COFFEE", "ROASTERS", "CAFE"], cents: (300, 900) },
    Profile { kinds: &["GRILL", "TAQUERIA", "PIZZA", "SUSHI", "KITCHEN", "BISTRO"], cents: (1200, 9000) },
    Profile { kinds: &["MARKET", "GROCERY", "FOODS"], cents: (2000, 20000) },
    Profile { kinds: &["GAS", "FUEL"], cents: (2500, 8000) },
    Profile { kinds: &["TRANSIT", "TAXI", "PARKING"], cents: (200, 4000) },
    Profile { kinds: &["STORE", "OUTLET", "SUPPLY"], cents: (1000, 30000) },
    Profile { kinds: &["PHARMACY", "DRUG"], cents: (500, 6000) },
    Profile { kinds: &["TV", "MUSIC", "STREAM"], cents: (800, 2000) },
    Profile { kinds: &["ENERGY", "WATER", "TELECOM"], cents: (4000, 20000) },
    Profile { kinds: &["PROPERTIES", "APTS"], cents: (120000, 250000) },
    Profile { kinds: &["CINEMA", "THEATER", "GAMES"], cents: (1000, 6000) },
    Profile { kinds: &["SALON", "SPA", "BARBER"], cents: (2000, 9000) },
    Profile { kinds: &["AIRLINES", "HOTEL", "INN"], cents: (10000, 90000) },
    Profile { kinds: &["INSURANCE", "MUTUAL"], cents: (8000, 30000) },
    Profile { kinds: &["BOOKS", "LEARNING"], cents: (1000, 8000) },
    Profile { kinds: &["HARDWARE", "GARDEN"], cents: (1500, 25000) },
    Profile { kinds: &["PET", "VET"], cents: (1500, 15000) },
    Profile { kinds: &["FOUNDATION", "CHARITY"], cents: (1000, 10000) },
];
/// Money in: salaries (category id PROFILES.len() + 1).
const SALARY: i64 = PROFILES.len() as i64 + 1;

const SYLLABLES: &[&str] = &[
    "KOR", "VA", "NO", "BEL", "TRI", "MAR", "LU", "STAR", "BUCK", "WHOLE", "FEN", "SAF", "EWAY", "TAR", "GET", "DAL",
    "STCO", "PEN", "NY", "ZA", "RIO", "DEL", "MON", "TE", "QUI", "LA", "BRI", "GHT", "ORN", "ARC", "ADIA", "VEL",
];
const CITIES: &[&str] = &["SEATTLE WA", "PORTLAND OR", "OAKLAND CA", "AUSTIN TX", "BROOKLYN NY", "DENVER CO"];

/// Big-box merchants: the user files their rows under several categories.
const BIG_BOX: &[(&str, &[i64])] = &[("AMZN Mktp US", &[6, 15, 16]), ("TARGET", &[6, 3]), ("COSTCO WHSE", &[3, 6, 4])];

#[derive(Debug, Clone)]
struct Merchant {
    name: String,
    category: i64,
    style: usize,
    city: &'static str,
    account: i64,
}

fn merchants(n: usize, rng: &mut Rng) -> Vec<Merchant> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let parts = 2 + rng.below(2);
        let base: String = (0..parts).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
        let (category, kind) = if rng.below(25) == 0 {
            (SALARY, "PAYROLL")
        } else {
            let c = rng.below(PROFILES.len());
            let kinds = PROFILES[c].kinds;
            // A third of the names say nothing of what they sell.
            (c as i64 + 1, if rng.below(3) == 0 { "" } else { kinds[rng.below(kinds.len())] })
        };
        let name = if kind.is_empty() { base } else { format!("{base} {kind}") };
        if seen.insert(name.clone()) {
            out.push(Merchant {
                name,
                category,
                style: rng.below(6),
                city: CITIES[rng.below(CITIES.len())],
                account: 1 + rng.below(3) as i64,
            });
        }
    }
    out
}

/// How a bank writes a purchase at `m`.
fn description(m: &Merchant, rng: &mut Rng) -> String {
    let store = rng.below(9000) + 1000;
    let card = rng.below(9000) + 1000;
    match m.style {
        _ if m.category == SALARY => format!("{} DIRECT DEP PPD ID: {}", m.name, rng.below(900_000) + 100_000),
        0 => format!("{} #{store} {}", m.name, m.city),
        1 => format!("SQ *{}", m.name),
        2 => format!("{}*{}{}", m.name, rng.below(10), ["K3L", "Q7X", "ZZ2", "M4P"][rng.below(4)]),
        3 => format!("POS DEBIT {} {store}", m.name),
        4 => format!("CHECKCARD {:02}{:02} {} {} XXXX{card}", 1 + rng.below(12), 1 + rng.below(28), m.name, m.city),
        _ => format!("{} {}", m.name, m.city),
    }
}

/// One generated row: what the model sees, the category the user would give it, and whether
/// its merchant was seen in the training part.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub example: Example,
    pub merchant: usize,
}

impl Labelled {
    pub fn row(&self) -> NewTransaction {
        row(&self.example)
    }
}

/// An example as a new row from a bank (what the model is asked about).
pub fn row(e: &Example) -> NewTransaction {
    {
        NewTransaction {
            external_id: String::new(),
            pending_external_id: None,
            booked_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            value_date: None,
            amount: e.amount,
            currency: Currency::parse(&e.currency).unwrap(),
            payee: e.payee.clone(),
            description: e.description.clone(),
            pending: false,
            provider_category: None,
        }
    }
}

/// `n` rows in time order; the last `held_back` share draws a tenth of its rows from merchants
/// that never appear before it.
pub fn generate(seed: u64, n: usize, held_back: f64) -> Vec<Labelled> {
    let mut rng = Rng(seed | 1);
    let all = merchants(n / 8 + 40, &mut rng);
    let novel = all.len() / 5;
    let (known, new) = all.split_at(all.len() - novel);
    let weights: Vec<f64> = (1..=known.len()).map(|rank| 1.0 / rank as f64).collect();
    let total: f64 = weights.iter().sum();
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .map(|c| c / total)
        .collect();
    let split = ((1.0 - held_back) * n as f64) as usize;
    (0..n)
        .map(|i| {
            let late = i >= split;
            let (index, mut m) = if late && rng.below(10) == 0 {
                let j = rng.below(new.len());
                (known.len() + j, new[j].clone())
            } else if rng.below(12) == 0 {
                let (name, categories) = BIG_BOX[rng.below(BIG_BOX.len())];
                let m = Merchant {
                    name: name.into(),
                    category: categories[rng.below(categories.len())],
                    style: if name.starts_with("AMZN") { 2 } else { 0 },
                    city: CITIES[rng.below(CITIES.len())],
                    account: 1 + rng.below(3) as i64,
                };
                (usize::MAX, m)
            } else {
                let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
                let j = cumulative.partition_point(|&c| c < x).min(known.len() - 1);
                (j, known[j].clone())
            };
            // Now and then the user files a row somewhere else than usual.
            if rng.below(100) == 0 {
                m.category = 1 + rng.below(PROFILES.len()) as i64;
            }
            let amount = match m.category {
                SALARY => rng.between(200_000, 500_000),
                c => -rng.between(PROFILES[(c - 1) as usize].cents.0, PROFILES[(c - 1) as usize].cents.1),
            };
            let payee = (rng.below(4) == 0).then(|| m.name.clone());
            let example = Example {
                account_id: m.account,
                amount,
                currency: "USD".into(),
                payee,
                description: description(&m, &mut rng),
                category_id: m.category,
            };
            Labelled { example, merchant: index }
        })
        .collect()
}

/// Coverage and precision of a model on held-back rows, at one threshold.
#[derive(Debug, Default, Clone, Copy)]
pub struct Figures {
    pub rows: usize,
    pub labelled: usize,
    pub right: usize,
}

impl Figures {
    pub fn coverage(&self) -> f64 {
        self.labelled as f64 / self.rows.max(1) as f64
    }
    pub fn precision(&self) -> f64 {
        self.right as f64 / self.labelled.max(1) as f64
    }
}

/// Train on the first part of `rows`, label the rest at `threshold`: (all, seen merchants, unseen).
pub fn evaluate(rows: &[Labelled], held_back: f64, threshold: f64) -> (Figures, Figures, Figures) {
    let split = ((1.0 - held_back) * rows.len() as f64) as usize;
    let (train, test) = rows.split_at(split);
    let model = Model::train(&train.iter().map(|r| r.example.clone()).collect::<Vec<_>>());
    let seen: std::collections::HashSet<usize> = train.iter().map(|r| r.merchant).collect();
    let mut figures = [Figures::default(); 3];
    for r in test {
        let part = if seen.contains(&r.merchant) { 1 } else { 2 };
        let p = model.predict(r.example.account_id, &r.row()).filter(|p| p.confidence >= threshold);
        for f in [0, part] {
            figures[f].rows += 1;
            if let Some(p) = &p {
                figures[f].labelled += 1;
                figures[f].right += usize::from(p.category_id == r.example.category_id);
            }
        }
    }
    (figures[0], figures[1], figures[2])
}
