//! Enable Banking's wire format (`AccountResource`, `BalanceResource`, `Transaction`, as its
//! API reference documents them) and its translation into domain types. Amounts are decimal
//! strings read by `money::parse_decimal`; `credit_debit_indicator` gives the sign, once.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::{AccountKind, NewTransaction, RemoteAccount};
use crate::money::{Currency, parse_decimal};
use crate::providers::ProviderError;

#[derive(Debug, Clone, Deserialize)]
pub struct Amount {
    pub currency: String,
    pub amount: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AccountId {
    pub iban: Option<String>,
    pub other: Option<GenericId>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GenericId {
    pub identification: String,
    pub scheme_name: Option<String>,
}

/// `AccountResource` (from `POST /sessions`; kept with the connection's secret).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Account {
    pub uid: Option<String>,
    #[serde(default)]
    pub account_id: Option<AccountId>,
    pub name: Option<String>,
    pub details: Option<String>,
    pub product: Option<String>,
    pub cash_account_type: Option<String>,
    pub currency: String,
    pub identification_hash: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Balance {
    pub balance_amount: Amount,
    pub balance_type: String,
    pub last_change_date_time: Option<DateTime<Utc>>,
    pub reference_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct Party {
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Transaction {
    pub transaction_amount: Amount,
    pub creditor: Option<Party>,
    pub debtor: Option<Party>,
    pub credit_debit_indicator: String,
    pub status: String,
    pub booking_date: Option<NaiveDate>,
    pub value_date: Option<NaiveDate>,
    pub transaction_date: Option<NaiveDate>,
    #[serde(default)]
    pub remittance_information: Vec<String>,
    pub note: Option<String>,
}

fn malformed(what: impl std::fmt::Display) -> anyhow::Error {
    ProviderError::Malformed(what.to_string()).into()
}

fn kind(cash_account_type: Option<&str>) -> AccountKind {
    match cash_account_type {
        Some("CACC" | "CASH") => AccountKind::Checking,
        Some("SVGS") => AccountKind::Savings,
        Some("CARD") => AccountKind::Credit,
        Some("LOAN") => AccountKind::Loan,
        _ => AccountKind::Other,
    }
}

impl Account {
    /// Stable across consents (`uid` is not): the IBAN, else the bank's own account number,
    /// else Enable Banking's identification hash, which it documents for matching accounts
    /// between sessions.
    pub fn identity(&self) -> Option<String> {
        let id = self.account_id.clone().unwrap_or_default();
        if let Some(iban) = id.iban.filter(|i| !i.trim().is_empty()) {
            return Some(format!("iban:{}", iban.replace(' ', "").to_uppercase()));
        }
        if let Some(other) = id.other {
            return Some(format!("eb:{}:{}", other.scheme_name.as_deref().unwrap_or("OTHR"), other.identification));
        }
        self.identification_hash.as_ref().map(|h| format!("eb-hash:{h}"))
    }

    fn number(&self) -> Option<String> {
        let id = self.account_id.as_ref()?;
        let n = id.iban.clone().or_else(|| id.other.as_ref().map(|o| o.identification.clone()))?;
        Some(n.replace(' ', ""))
    }

    /// The account as tally keeps it, with balances when the bank gave them. `None` for an
    /// account without a `uid` (closed or blocked at the bank: nothing can be read from it).
    pub fn to_remote(&self, balances: &[Balance], now: DateTime<Utc>) -> Result<Option<RemoteAccount>> {
        let Some(uid) = self.uid.clone() else { return Ok(None) };
        let identity = self.identity().ok_or_else(|| malformed(format!("account {uid} has no identification")))?;
        let currency = Currency::parse(&self.currency).map_err(|e| malformed(format!("account {uid}: {e}")))?;
        let mask = self.number().map(|n| n.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect());
        // `name` is the holder's name; the account's own label is `details` or `product`.
        let name = self
            .details
            .clone()
            .or_else(|| self.product.clone())
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| "Account".to_string());
        let pick = |types: &[&str]| types.iter().find_map(|t| balances.iter().find(|b| b.balance_type == *t));
        let current = pick(&["CLBD", "ITBD", "XPCD", "OPBD", "VALU", "INFO", "PRCD", "OTHR"]);
        let available = pick(&["ITAV", "CLAV", "OPAV", "FWAV"]);
        let amount = |b: Option<&Balance>| -> Result<Option<i64>> {
            b.map(|b| {
                let c = Currency::parse(&b.balance_amount.currency)?;
                parse_decimal(&b.balance_amount.amount, c)
            })
            .transpose()
            .map_err(|e| malformed(format!("balance of account {uid}: {e}")))
        };
        let as_of = current
            .or(available)
            .and_then(|b| {
                b.last_change_date_time.or_else(|| b.reference_date.map(|d| d.and_time(NaiveTime::MIN).and_utc()))
            })
            .unwrap_or(now);
        let (balance_current, balance_available) = (amount(current)?, amount(available)?);
        Ok(Some(RemoteAccount {
            external_id: uid,
            identity,
            name,
            official_name: self.product.clone(),
            kind: kind(self.cash_account_type.as_deref()),
            currency,
            mask,
            balance_current,
            balance_available,
            balance_as_of: as_of,
        }))
    }
}

/// A transaction tally keeps, or `None` for one that never moved money (cancelled, rejected,
/// only scheduled).
pub fn to_transaction(t: &Transaction, id: String) -> Result<Option<NewTransaction>> {
    let pending = match t.status.as_str() {
        "BOOK" | "OTHR" => false,
        "PDNG" | "HOLD" => true,
        "CNCL" | "RJCT" | "SCHD" => return Ok(None),
        other => return Err(malformed(format!("transaction {id}: unknown status {other:?}"))),
    };
    let currency =
        Currency::parse(&t.transaction_amount.currency).map_err(|e| malformed(format!("transaction {id}: {e}")))?;
    let magnitude = parse_decimal(&t.transaction_amount.amount, currency)
        .map_err(|e| malformed(format!("transaction {id}: {e}")))?
        .abs();
    // The indicator decides the sign, whatever sign the bank wrote on the amount.
    let (amount, counterparty) = match t.credit_debit_indicator.as_str() {
        "DBIT" => (-magnitude, &t.creditor),
        "CRDT" => (magnitude, &t.debtor),
        other => return Err(malformed(format!("transaction {id}: unknown credit_debit_indicator {other:?}"))),
    };
    let booked_date = t
        .booking_date
        .or(t.transaction_date)
        .or(t.value_date)
        .ok_or_else(|| malformed(format!("transaction {id} has no date")))?;
    let payee = counterparty.as_ref().and_then(|p| p.name.clone()).filter(|n| !n.trim().is_empty());
    let text = t.remittance_information.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>();
    let description = if text.is_empty() {
        payee.clone().or_else(|| t.note.clone()).unwrap_or_else(|| "(no description)".into())
    } else {
        text.join(" ")
    };
    Ok(Some(NewTransaction {
        external_id: id,
        pending_external_id: None,
        booked_date,
        value_date: t.value_date.or(t.transaction_date).filter(|d| *d != booked_date),
        amount,
        currency,
        payee,
        description,
        pending,
        provider_category: None,
    }))
}

/// Ids for one account's rows: the bank's `entry_reference` (unique and immutable, Enable
/// Banking says), else a hash of what the row says, numbered when two rows say the same (two
/// coffees on one day). `transaction_id` may change between reads, so it is not used.
pub fn assign_ids(rows: &[serde_json::Value]) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.iter()
        .map(|raw| {
            if let Some(r) = raw.get("entry_reference").and_then(|v| v.as_str()).filter(|r| !r.is_empty()) {
                return r.to_string();
            }
            let field = |k: &str| raw.get(k).map(|v| v.to_string()).unwrap_or_default();
            let date = ["booking_date", "transaction_date", "value_date"]
                .iter()
                .map(|k| field(k))
                .find(|d| !d.is_empty() && d != "null")
                .unwrap_or_default();
            let mut hash = Sha256::new();
            for part in [
                date,
                field("transaction_amount"),
                field("credit_debit_indicator"),
                field("remittance_information"),
                field("creditor"),
                field("debtor"),
            ] {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            let digest: String = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
            let n = seen.entry(digest.clone()).or_default();
            *n += 1;
            if *n == 1 { format!("h:{digest}") } else { format!("h:{digest}#{n}") }
        })
        .collect()
}

/// Decode `text` as each response body (or part of one) this provider reads: the names of
/// the structs it decoded as (`providers::decode_wire`, for tests/provider_json.rs).
pub(crate) fn decode_bodies(text: &str) -> Vec<&'static str> {
    use crate::providers::decodes;
    [
        ("Amount", decodes::<Amount>(text)),
        ("AccountId", decodes::<AccountId>(text)),
        ("GenericId", decodes::<GenericId>(text)),
        ("Account", decodes::<Account>(text)),
        ("Balance", decodes::<Balance>(text)),
        ("Party", decodes::<Party>(text)),
        ("Transaction", decodes::<Transaction>(text)),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tx(v: serde_json::Value) -> Transaction {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_indicator_signs_the_amount_once_whatever_the_bank_wrote() {
        let row = |amount: &str, cdi: &str| {
            tx(json!({"transaction_amount": {"currency": "EUR", "amount": amount},
                "credit_debit_indicator": cdi, "status": "BOOK", "booking_date": "2026-11-20",
                "creditor": {"name": "Shop"}, "debtor": {"name": "Employer"}}))
        };
        let t = to_transaction(&row("12.30", "DBIT"), "a".into()).unwrap().unwrap();
        assert_eq!((t.amount, t.payee.as_deref()), (-1230, Some("Shop")));
        // A bank that also puts a minus on a debit does not turn it into income.
        assert_eq!(to_transaction(&row("-12.30", "DBIT"), "a".into()).unwrap().unwrap().amount, -1230);
        let t = to_transaction(&row("0.8", "CRDT"), "a".into()).unwrap().unwrap();
        assert_eq!((t.amount, t.payee.as_deref()), (80, Some("Employer")));
        assert!(to_transaction(&row("1.234", "DBIT"), "a".into()).is_err(), "EUR has two decimals");
        assert!(to_transaction(&row("1", "XXXX"), "a".into()).is_err());
    }

    #[test]
    fn statuses_map_to_pending_posted_or_nothing() {
        let row = |status: &str| {
            tx(json!({"transaction_amount": {"currency": "EUR", "amount": "1"}, "credit_debit_indicator": "DBIT",
                "status": status, "transaction_date": "2026-11-21", "remittance_information": ["Card", " coffee "]}))
        };
        let pending = to_transaction(&row("PDNG"), "p".into()).unwrap().unwrap();
        assert!(pending.pending);
        assert_eq!(pending.booked_date.to_string(), "2026-11-21");
        assert_eq!(pending.description, "Card coffee");
        assert!(!to_transaction(&row("BOOK"), "b".into()).unwrap().unwrap().pending);
        assert!(to_transaction(&row("RJCT"), "r".into()).unwrap().is_none());
    }

    #[test]
    fn ids_prefer_the_entry_reference_and_number_identical_rows() {
        let coffee = json!({"transaction_amount": {"currency": "EUR", "amount": "3"}, "credit_debit_indicator": "DBIT",
            "status": "BOOK", "booking_date": "2026-11-20"});
        let rows = vec![json!({"entry_reference": "E1"}), coffee.clone(), coffee];
        let ids = assign_ids(&rows);
        assert_eq!(ids[0], "E1");
        assert!(ids[1].starts_with("h:") && ids[2] == format!("{}#2", ids[1]), "{ids:?}");
        assert_eq!(assign_ids(&rows), ids, "the same rows get the same ids");
    }

    #[test]
    fn identity_is_the_iban_else_the_bank_s_number_else_the_hash() {
        let account = |v: serde_json::Value| serde_json::from_value::<Account>(v).unwrap();
        let a = account(json!({"uid": "u1", "account_id": {"iban": "fi21 1234 5600 0007 85"}, "currency": "EUR"}));
        assert_eq!(a.identity().unwrap(), "iban:FI2112345600000785");
        let b =
            account(json!({"uid": "u2", "account_id": {"other": {"identification": "0139562", "scheme_name": "BBAN"}},
            "currency": "SEK", "identification_hash": "h"}));
        assert_eq!(b.identity().unwrap(), "eb:BBAN:0139562");
        let c = account(json!({"uid": "u3", "currency": "EUR", "identification_hash": "WwpbC"}));
        assert_eq!(c.identity().unwrap(), "eb-hash:WwpbC");
        let r = a.to_remote(&[], Utc::now()).unwrap().unwrap();
        assert_eq!((r.external_id.as_str(), r.mask.as_deref()), ("u1", Some("0785")));
        assert!(account(json!({"currency": "EUR"})).to_remote(&[], Utc::now()).unwrap().is_none());
    }
}
