//! Alerts (issue 12 item 7): what in the stored data deserves a person's look. A charge far
//! above its payee's usual amount and a charge booked twice ([`charges`]); a new recurring
//! charge or a price increase (read from [`crate::recurring::flags`]); a budget that spent,
//! pending and expected charges take over its limit this month ([`crate::budget::status`]);
//! a consent that ends soon or already needs relinking ([`watch`]). Each alert carries the
//! rows behind it. Thresholds are `[alerts]` ([`Settings`]); reading rows is
//! `store::alerts`', printing and the summary after sync and import `commands::alerts`'.

mod charges;
mod settings;
mod watch;

use anyhow::Result;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::money::{Currency, format_amount};
use crate::store::Db;
use crate::store::alerts::{self as store, Charge};
pub use settings::{Section, Settings};

/// How far before the window charges are read, for each payee's usual amount.
pub const HISTORY_DAYS: u64 = 400;

/// What an alert is about. The names are stable: scripts read them in JSON and CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Unusual,
    Duplicate,
    NewRecurring,
    PriceChange,
    Budget,
    Consent,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Unusual => "unusual",
            Kind::Duplicate => "duplicate",
            Kind::NewRecurring => "new_recurring",
            Kind::PriceChange => "price_change",
            Kind::Budget => "budget",
            Kind::Consent => "consent",
        }
    }

    /// How a count of them reads in a sentence ("2 unusual charges").
    pub fn counted(self, n: usize) -> String {
        let (one, many) = match self {
            Kind::Unusual => ("unusual charge", "unusual charges"),
            Kind::Duplicate => ("possible duplicate charge", "possible duplicate charges"),
            Kind::NewRecurring => ("new recurring charge", "new recurring charges"),
            Kind::PriceChange => ("price increase", "price increases"),
            Kind::Budget => ("budget over or about to overflow", "budgets over or about to overflow"),
            Kind::Consent => ("consent ending", "consents ending"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// One alert: what, when, how much, and the rows behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: Kind,
    /// What it is about, for its key: its rows' ids, a series, a budget's month, a consent's
    /// end. A dismissed alert stays dismissed while this stays the same.
    pub subject: String,
    pub date: NaiveDate,
    /// One line a person understands.
    pub message: String,
    /// The money it is about, a positive amount in minor units (a charge, an overflow); none
    /// for a consent.
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// The transactions behind it, oldest first (none for a consent).
    pub rows: Vec<Charge>,
}

impl Alert {
    /// What `alert_dismissed` keeps: the kind and the subject.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.subject)
    }

    /// The short id people type (`tally alerts dismiss ID`): the key's SHA-256, 8 hex digits.
    pub fn id(&self) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(self.key().as_bytes());
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The ids of `rows`, as a subject.
fn ids(rows: &[Charge]) -> String {
    rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(",")
}

/// Every alert as of `now` but those dismissed: those about charges dated on or after
/// `since`, this month's budgets, and the consents; by date, then kind.
pub fn find(db: &Db, s: &Settings, since: NaiveDate, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    let today = now.date_naive();
    let charges = store::charges(db, since - Days::new(HISTORY_DAYS))?;
    let mut out = charges::unusual(&charges, s, since);
    out.extend(charges::duplicates(&charges, s, since));
    out.extend(watch::recurring(db, &charges, since, today)?);
    out.extend(watch::budgets(db, &charges, today)?);
    out.extend(watch::consents(db, s, now)?);
    let dismissed = store::dismissed(db)?;
    out.retain(|a| !dismissed.contains(&a.key()));
    out.sort_by_key(|a| (a.date, a.kind));
    Ok(out)
}

/// The newest transaction id: alerts about rows above it are new since.
pub fn mark(db: &Db) -> Result<i64> {
    store::last_id(db)
}

/// Dismiss `alert` for good (until what it is about changes).
pub fn dismiss(db: &Db, alert: &Alert, now: DateTime<Utc>) -> Result<()> {
    store::dismiss(db, &alert.key(), now)
}

/// Whether rows above `mark` include one booked on or after `since` (else no alert is new).
pub fn added_since(db: &Db, mark: i64, since: NaiveDate) -> Result<bool> {
    store::added_since(db, mark, since)
}

/// "2 alerts: 1 unusual charge, 1 budget over or about to overflow", or none when empty.
pub fn summary(alerts: &[&Alert]) -> Option<String> {
    if alerts.is_empty() {
        return None;
    }
    let mut kinds: Vec<Kind> = alerts.iter().map(|a| a.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let parts: Vec<String> = kinds.iter().map(|k| k.counted(alerts.iter().filter(|a| a.kind == *k).count())).collect();
    let n = alerts.len();
    Some(format!("{n} alert{}: {}", if n == 1 { "" } else { "s" }, parts.join(", ")))
}

/// `17.99 USD`; a currency tally does not know keeps its minor units readable.
pub fn amount_text(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => format!("{} {currency}", format_amount(minor, c)),
        Err(_) => format!("{minor} (minor units) {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: Kind) -> Alert {
        Alert {
            kind,
            subject: String::new(),
            date: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
            message: String::new(),
            amount: None,
            currency: None,
            rows: Vec::new(),
        }
    }

    #[test]
    fn the_summary_counts_each_kind_in_a_fixed_order() {
        let (a, b, c) = (alert(Kind::Budget), alert(Kind::Unusual), alert(Kind::Unusual));
        assert_eq!(summary(&[&a, &b, &c]).unwrap(), "3 alerts: 2 unusual charges, 1 budget over or about to overflow");
        assert_eq!(summary(&[&a]).unwrap(), "1 alert: 1 budget over or about to overflow");
        assert_eq!(summary(&[]), None);
    }
}
