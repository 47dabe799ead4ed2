//! The alerts other modules already know the facts of: new recurring charges and price
//! increases (`recurring`), budgets this month (`budget::status`), and consents (the
//! `connection` table). Here they become [`Alert`]s with the rows behind them.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Alert, Kind, Settings, amount_text};
use crate::budget;
use crate::model::ConnectionStatus;
use crate::recurring::{self, Direction, Flag, Series, normalize};
use crate::store::alerts::Charge;
use crate::store::categories::is_under;
use crate::store::{Db, connections};

/// New subscriptions and price increases of charges whose latest one is on or after `since`.
/// Income series (a raise) and price drops are good news, not alerts.
pub fn recurring(db: &Db, charges: &[Charge], since: NaiveDate, today: NaiveDate) -> Result<Vec<Alert>> {
    let mut out = Vec::new();
    for s in recurring::load(db, today)? {
        if s.direction != Direction::Expense || s.last < since {
            continue;
        }
        let rows = rows_of(&s, charges);
        let series = format!("{}:{}", s.account_id, normalize(&s.payee));
        for flag in recurring::flags(&s) {
            let (kind, subject, message, amount, rows) = match flag {
                Flag::NewSubscription { since } => (
                    Kind::NewRecurring,
                    series.clone(),
                    format!(
                        "new {} charge: {} {} since {since}",
                        s.cadence,
                        s.payee,
                        amount_text(-s.typical, &s.currency)
                    ),
                    -s.typical,
                    rows.clone(),
                ),
                Flag::PriceChange { from, to } if to < from => (
                    Kind::PriceChange,
                    format!("{series}:{to}"),
                    format!(
                        "{} went up from {} to {} ({})",
                        s.payee,
                        amount_text(-from, &s.currency),
                        amount_text(-to, &s.currency),
                        s.cadence
                    ),
                    -to,
                    rows[rows.len().saturating_sub(2)..].to_vec(),
                ),
                Flag::PriceChange { .. } => continue,
            };
            out.push(Alert {
                kind,
                subject,
                date: s.last,
                message,
                amount: Some(amount),
                currency: Some(s.currency.clone()),
                rows,
            });
        }
    }
    Ok(out)
}

/// The posted charges of a series, as recurring detection grouped them.
fn rows_of(s: &Series, charges: &[Charge]) -> Vec<Charge> {
    let key = normalize(&s.payee);
    charges
        .iter()
        .filter(|c| {
            !c.pending
                && c.account_id == s.account_id
                && c.currency == s.currency
                && (s.first..=s.last).contains(&c.date)
                && normalize(&c.payee) == key
        })
        .cloned()
        .collect()
}

/// This month's budgets that spent, pending and expected recurring charges take past what is
/// available (or already took past it). A parent's summed line repeats its children: left out.
pub fn budgets(db: &Db, charges: &[Charge], today: NaiveDate) -> Result<Vec<Alert>> {
    let month = budget::month_of(today);
    let mut out = Vec::new();
    for l in budget::status(db, month, today)? {
        let used = l.spent + l.pending;
        let overflow = used + l.committed - l.available();
        if l.summed || overflow <= 0 {
            continue;
        }
        let m = |v: i64| amount_text(v, &l.currency);
        let state = if l.over() {
            format!("over by {}", m(used - l.available()))
        } else {
            format!("would go over by {}", m(overflow))
        };
        let expected = if l.committed > 0 { format!(", {} expected", m(l.committed)) } else { String::new() };
        let rows = charges
            .iter()
            .filter(|c| {
                c.date >= month
                    && c.currency == l.currency
                    && c.category
                        .as_deref()
                        .is_some_and(|k| k.eq_ignore_ascii_case(&l.category) || is_under(k, &l.category))
            })
            .cloned()
            .collect();
        out.push(Alert {
            kind: Kind::Budget,
            subject: format!("{}:{}:{}", l.category, l.currency, month.format("%Y-%m")),
            date: today,
            message: format!("{}: {} of {} spent{expected}: {state}", l.category, m(used), m(l.available())),
            amount: Some(overflow),
            currency: Some(l.currency.clone()),
            rows,
        });
    }
    Ok(out)
}

/// Connections that need relinking, or whose consent ends within `consent_days` (or ended).
pub fn consents(db: &Db, s: &Settings, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    let mut out = Vec::new();
    for c in connections::list(db)? {
        let relink = format!("renew it with `tally link --relink {}`", c.name);
        let (date, message, until) = if c.is(ConnectionStatus::Revoked) {
            continue;
        } else if c.is(ConnectionStatus::NeedsRelink) {
            (now.date_naive(), format!("{}: the bank no longer accepts its consent; {relink}", c.name), "relink".into())
        } else if let Some(expires) = c.consent_expires_at {
            let days = (expires - now).num_days();
            if expires <= now {
                let message = format!("{}: its consent ended on {}; {relink}", c.name, expires.date_naive());
                (expires.date_naive(), message, expires.date_naive().to_string())
            } else if days <= s.consent_days {
                let message = format!("{}: its consent ends in {days} days; {relink}", c.name);
                (expires.date_naive(), message, expires.date_naive().to_string())
            } else {
                continue;
            }
        } else {
            continue;
        };
        let subject = format!("{}:{until}", c.name);
        out.push(Alert { kind: Kind::Consent, subject, date, message, amount: None, currency: None, rows: Vec::new() });
    }
    Ok(out)
}
