//! The sandbox bank's synthetic history: accounts and a time-ordered log of upstream events
//! (added / modified / removed), generated deterministically from a seed.
//!
//! The log spans two years before the sandbox's start date and 180 days after it; the sandbox
//! clock decides how much of it is visible, so advancing the clock makes new days appear.
//! Each `--scale` step adds another set of four accounts with its own history.

// Amounts are written dollars_cents (`1_850_00` is $1,850.00), which this lint cannot know.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::{Datelike, Days, NaiveDate};

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub official_name: String,
    /// `depository` or `credit`, with `subtype` `checking`, `savings` or `credit card`.
    pub kind: &'static str,
    pub subtype: &'static str,
    pub mask: String,
    pub iban: Option<String>,
    pub currency: &'static str,
    /// Minor units before the first transaction.
    pub opening_balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tx {
    pub id: String,
    pub account: usize,
    pub date: NaiveDate,
    pub authorized_date: Option<NaiveDate>,
    /// Minor units, negative = money out.
    pub amount: i64,
    pub name: String,
    pub merchant: Option<String>,
    pub category: &'static str,
    pub pending: bool,
    pub pending_id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Change {
    Added(Tx),
    Modified(Tx),
    Removed { id: String, account: usize },
}

impl Change {
    pub fn account(&self) -> usize {
        match self {
            Change::Added(t) | Change::Modified(t) => t.account,
            Change::Removed { account, .. } => *account,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    /// The sandbox day from which this change is visible.
    pub visible: NaiveDate,
    pub change: Change,
}

#[derive(Debug)]
pub struct Bank {
    pub accounts: Vec<Account>,
    /// Sorted by `visible`; a cursor is an index into it.
    pub events: Vec<Event>,
}

/// How many days of history exist before the start date, and are generated after it.
pub const HISTORY_DAYS: u64 = 730;
pub const FUTURE_DAYS: u64 = 180;

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const GROCERS: &[(&str, &str)] =
    &[("WHOLEFDS MKT #10234", "Whole Foods"), ("TRADER JOE'S #552", "Trader Joe's"), ("SAFEWAY 1290", "Safeway")];
const RESTAURANTS: &[(&str, &str)] =
    &[("SQ *NOPA", "Nopa"), ("TST* TARTINE MANUFACTORY", "Tartine"), ("DOORDASH*ZUNI CAFE", "Zuni Cafe")];
const COFFEE: &[(&str, &str)] =
    &[("SQ *BLUE BOTTLE COFFEE", "Blue Bottle Coffee"), ("STARBUCKS STORE 0831", "Starbucks")];

/// Build the bank for `seed` and `scale`, with `start` as the sandbox's first "today".
pub fn generate(seed: u64, scale: u32, start: NaiveDate) -> Bank {
    let mut bank = Bank { accounts: Vec::new(), events: Vec::new() };
    for set in 0..scale.max(1) {
        let mut g = Gen {
            rng: Rng(seed ^ (u64::from(set) << 32) ^ 0x7A11_7A11),
            set,
            next_id: 0,
            events: Vec::new(),
            base: bank.accounts.len(),
        };
        bank.accounts.extend(accounts_for(set));
        g.history(start);
        bank.events.append(&mut g.events);
    }
    // Stable: events of one day keep their generation order (a pending before its posting).
    bank.events.sort_by_key(|e| e.visible);
    bank
}

fn accounts_for(set: u32) -> Vec<Account> {
    let suffix = if set == 0 { String::new() } else { format!(" #{}", set + 1) };
    let mask = |n: u32| format!("{:04}", (set * 10 + n) % 10_000);
    vec![
        Account {
            id: format!("acc-{set}-chk"),
            name: format!("Everyday Checking{suffix}"),
            official_name: "Sandbox Everyday Checking".into(),
            kind: "depository",
            subtype: "checking",
            mask: mask(1),
            iban: None,
            currency: "USD",
            opening_balance: 4_200_00,
        },
        Account {
            id: format!("acc-{set}-sav"),
            name: format!("High-Yield Savings{suffix}"),
            official_name: "Sandbox High-Yield Savings".into(),
            kind: "depository",
            subtype: "savings",
            mask: mask(2),
            iban: None,
            currency: "USD",
            opening_balance: 12_000_00,
        },
        Account {
            id: format!("acc-{set}-card"),
            name: format!("Rewards Visa{suffix}"),
            official_name: "Sandbox Rewards Visa Signature".into(),
            kind: "credit",
            subtype: "credit card",
            mask: mask(3),
            iban: None,
            currency: "USD",
            opening_balance: 0,
        },
        Account {
            id: format!("acc-{set}-eur"),
            name: format!("Euro Account{suffix}"),
            official_name: "Sandbox Girokonto".into(),
            kind: "depository",
            subtype: "checking",
            mask: mask(4),
            iban: Some(iban("DE", &format!("37040044{:010}", 532_013_000 + u64::from(set)))),
            currency: "EUR",
            opening_balance: 1_500_00,
        },
    ]
}

/// A valid IBAN (ISO 13616 check digits) for a country and BBAN.
fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let remainder = rearranged.chars().fold(0u64, |acc, c| {
        let v = c.to_digit(36).expect("alphanumeric") as u64;
        if v >= 10 { (acc * 100 + v) % 97 } else { (acc * 10 + v) % 97 }
    });
    format!("{country}{:02}{bban}", 98 - remainder)
}

struct Gen {
    rng: Rng,
    set: u32,
    next_id: u64,
    events: Vec<Event>,
    /// Index of this set's first account in the bank.
    base: usize,
}

const CHK: usize = 0;
const SAV: usize = 1;
const CARD: usize = 2;
const EUR: usize = 3;

impl Gen {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("tx-{}-{:07}", self.set, self.next_id)
    }

    fn tx(&mut self, account: usize, date: NaiveDate, amount: i64, name: &str, category: &'static str) -> Tx {
        Tx {
            id: self.id(),
            account: self.base + account,
            date,
            authorized_date: None,
            amount,
            name: name.to_string(),
            merchant: None,
            category,
            pending: false,
            pending_id: None,
        }
    }

    fn at(&mut self, visible: NaiveDate, change: Change) {
        self.events.push(Event { visible, change });
    }

    /// A posted transaction that appears on its own date.
    fn posted(&mut self, account: usize, date: NaiveDate, amount: i64, name: &str, category: &'static str) {
        let t = self.tx(account, date, amount, name, category);
        self.at(date, Change::Added(t));
    }

    /// A card purchase: pending on `date`, posted two days later under a new id that carries
    /// the pending id, for `final_amount` (a tip may have been added).
    fn card_purchase(&mut self, date: NaiveDate, amount: i64, final_amount: i64, m: (&str, &str), cat: &'static str) {
        let mut pending = self.tx(CARD, date, amount, m.0, cat);
        pending.pending = true;
        pending.merchant = Some(m.1.to_string());
        let pending_id = pending.id.clone();
        self.at(date, Change::Added(pending));
        let post_day = date + Days::new(2);
        let mut posted = self.tx(CARD, date + Days::new(1), final_amount, m.0, cat);
        posted.authorized_date = Some(date);
        posted.merchant = Some(m.1.to_string());
        posted.pending_id = Some(pending_id.clone());
        self.at(post_day, Change::Added(posted));
        self.at(post_day, Change::Removed { id: pending_id, account: self.base + CARD });
    }

    fn history(&mut self, start: NaiveDate) {
        let first = start - Days::new(HISTORY_DAYS);
        let last = start + Days::new(FUTURE_DAYS);
        let mut day = first;
        let mut card_spend: i64 = 0;
        while day <= last {
            self.day(day, &mut card_spend);
            day = day + Days::new(1);
        }
    }

    fn day(&mut self, d: NaiveDate, card_spend: &mut i64) {
        let dom = d.day();
        // Income, housing and transfers between own accounts.
        if dom == 1 || dom == 15 {
            self.posted(CHK, d, 2_900_00, "ACME CORP PAYROLL PPD", "INCOME_WAGES");
        }
        if dom == 1 {
            self.posted(CHK, d, -1_850_00, "OAKWOOD PROPERTY MGMT RENT", "RENT_AND_UTILITIES_RENT");
        }
        if dom == 5 {
            let amount = -self.rng.range(80_00, 140_00);
            self.posted(CHK, d, amount, "CITY POWER & LIGHT", "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY");
        }
        if dom == 2 {
            self.posted(CHK, d, -500_00, "ONLINE TRANSFER TO SAVINGS XXXX0002", "TRANSFER_OUT_ACCOUNT_TRANSFER");
            self.posted(SAV, d, 500_00, "ONLINE TRANSFER FROM CHECKING XXXX0001", "TRANSFER_IN_ACCOUNT_TRANSFER");
        }
        if d.succ_opt().is_some_and(|n| n.day() == 1) {
            let interest = self.rng.range(20_00, 45_00);
            self.posted(SAV, d, interest, "INTEREST PAYMENT", "INCOME_INTEREST_EARNED");
        }
        if dom == 20 && *card_spend > 0 {
            let pay = *card_spend;
            *card_spend = 0;
            self.posted(CHK, d, -pay, "REWARDS VISA AUTOPAY", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT");
            self.posted(CARD, d, pay, "PAYMENT - THANK YOU", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT");
        }
        // Subscriptions on the card.
        for (when, amount, name, cat) in [
            (7, -15_49, "NETFLIX.COM", "ENTERTAINMENT_TV_AND_MOVIES"),
            (12, -11_99, "SPOTIFY USA", "ENTERTAINMENT_MUSIC_AND_AUDIO"),
            (22, -4_00, "GITHUB, INC.", "GENERAL_SERVICES_SOFTWARE"),
        ] {
            if dom == when {
                self.posted(CARD, d, amount, name, cat);
                *card_spend -= amount;
            }
        }
        // Everyday spending.
        if self.rng.chance(35) {
            let (raw, clean) = *self.rng.pick(GROCERS);
            let amount = -self.rng.range(18_00, 160_00);
            let account = if self.rng.chance(50) { CHK } else { CARD };
            let mut t = self.tx(account, d, amount, raw, "FOOD_AND_DRINK_GROCERIES");
            self.at(d, Change::Added(t.clone()));
            // Now and then the bank enriches the merchant name a day later, and sometimes
            // corrects the amount too: modified upstream.
            if self.rng.chance(25) {
                t.merchant = Some(clean.to_string());
                if self.rng.chance(30) {
                    t.amount -= self.rng.range(1_00, 9_00);
                }
                self.at(d + Days::new(1), Change::Modified(t));
            }
            if account == CARD {
                *card_spend -= amount;
            }
        }
        if self.rng.chance(28) {
            let m = *self.rng.pick(RESTAURANTS);
            let base = self.rng.range(24_00, 95_00);
            let tip = base * self.rng.range(15, 22) / 100;
            self.card_purchase(d, -base, -(base + tip), m, "FOOD_AND_DRINK_RESTAURANT");
            *card_spend += base + tip;
        }
        if self.rng.chance(40) {
            let m = *self.rng.pick(COFFEE);
            let amount = -self.rng.range(4_25, 7_50);
            self.card_purchase(d, amount, amount, m, "FOOD_AND_DRINK_COFFEE");
            *card_spend -= amount;
        }
        if self.rng.chance(12) {
            let amount = -self.rng.range(2_50, 8_00);
            self.posted(CHK, d, amount, "CLIPPER TRANSIT", "TRANSPORTATION_PUBLIC_TRANSIT");
        }
        // A hotel's authorization hold that is reversed three days later and never posts.
        if self.rng.chance(3) {
            let mut hold = self.tx(CARD, d, -200_00, "MARRIOTT HOTEL AUTH HOLD", "TRAVEL_LODGING");
            hold.pending = true;
            let id = hold.id.clone();
            self.at(d, Change::Added(hold));
            self.at(d + Days::new(3), Change::Removed { id, account: self.base + CARD });
        }
        // A duplicate charge the bank quietly takes back two days later: a posted row removed.
        if self.rng.chance(3) {
            let amount = -self.rng.range(10_00, 80_00);
            let t = self.tx(CARD, d, amount, "AMZN MKTP US*2K4", "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES");
            let id = t.id.clone();
            self.at(d, Change::Added(t));
            self.at(d + Days::new(2), Change::Removed { id, account: self.base + CARD });
        }
        // A check that clears late: dated six days back, visible today.
        if self.rng.chance(3) {
            let amount = -self.rng.range(40_00, 300_00);
            let t =
                self.tx(CHK, d - Days::new(6), amount, "CHECK 1042", "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE");
            self.at(d, Change::Added(t));
        }
        // The euro account: groceries, trains, a monthly top-up.
        if dom == 3 {
            self.posted(EUR, d, 400_00, "UEBERWEISUNG EIGENES KONTO", "TRANSFER_IN_ACCOUNT_TRANSFER");
        }
        if self.rng.chance(15) {
            let amount = -self.rng.range(8_00, 70_00);
            self.posted(EUR, d, amount, "REWE SAGT DANKE 4471", "FOOD_AND_DRINK_GROCERIES");
        }
        if self.rng.chance(6) {
            let amount = -self.rng.range(20_00, 120_00);
            self.posted(EUR, d, amount, "DB VERTRIEB GMBH", "TRAVEL_PUBLIC_TRANSIT");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn same_seed_same_bank_other_seed_other_bank() {
        let a = generate(7, 1, start());
        let b = generate(7, 1, start());
        let c = generate(8, 1, start());
        assert_eq!(a.events.len(), b.events.len());
        let amounts = |bank: &Bank| -> Vec<i64> {
            bank.events
                .iter()
                .filter_map(|e| match &e.change {
                    Change::Added(t) => Some(t.amount),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(amounts(&a), amounts(&b));
        assert_ne!(amounts(&a), amounts(&c));
    }

    #[test]
    fn has_the_scenarios_the_sync_must_handle() {
        let bank = generate(42, 1, start());
        let added: Vec<&Tx> = bank
            .events
            .iter()
            .filter_map(|e| match &e.change {
                Change::Added(t) => Some(t),
                _ => None,
            })
            .collect();
        assert!(added.iter().any(|t| t.pending_id.is_some()), "pending then posted");
        let tipped = added.iter().filter(|t| t.pending_id.is_some()).any(|posted| {
            let pid = posted.pending_id.as_deref();
            added.iter().any(|p| Some(p.id.as_str()) == pid && p.amount != posted.amount)
        });
        assert!(tipped, "a posted amount that differs from its pending amount");
        assert!(bank.events.iter().any(|e| matches!(e.change, Change::Modified(_))));
        assert!(added.iter().any(|t| t.name.contains("AUTH HOLD")), "reversed authorization");
        assert!(bank.events.iter().any(|e| matches!(&e.change, Change::Added(t) if t.date < e.visible)));
        assert!(bank.accounts.iter().any(|a| a.currency == "EUR"));
        assert!(bank.events.windows(2).all(|w| w[0].visible <= w[1].visible));
        let first = bank.events.first().unwrap().visible;
        assert!(first <= start() - Days::new(HISTORY_DAYS - 1), "two years of history");
    }

    #[test]
    fn scale_multiplies_accounts_and_history() {
        let one = generate(1, 1, start());
        let three = generate(1, 3, start());
        assert_eq!(three.accounts.len(), 3 * one.accounts.len());
        assert!(three.events.len() > 2 * one.events.len());
    }

    #[test]
    fn ibans_have_valid_check_digits() {
        assert_eq!(iban("DE", "370400440532013000"), "DE89370400440532013000");
    }
}
