//! SimpleFIN's wire format (protocol v2 `/accounts`: `errlist`, `connections`, `accounts`) and
//! its conversion into domain types. Amounts are decimal strings read exactly into minor units;
//! `posted: 0` is a pending row, dated by `transacted_at` (never 1970).

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::model::{AccountChange, AccountKind, Change, NewTransaction, RemoteAccount, clip_name};
use crate::money::{Currency, parse_decimal};
use crate::providers::ProviderError;

/// An `/accounts` answer (an "Account Set").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountSet {
    #[serde(default)]
    pub errlist: Vec<WireError>,
    /// Protocol v1's plain messages, still sent by older servers.
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub connections: Vec<WireConnection>,
    #[serde(default)]
    pub accounts: Vec<WireAccount>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireError {
    pub code: String,
    /// The spec's table says `msg`, its examples `message`.
    #[serde(alias = "message", default)]
    pub msg: String,
    pub conn_id: Option<String>,
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireConnection {
    pub conn_id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireAccount {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub conn_id: Option<String>,
    pub currency: String,
    #[serde(deserialize_with = "decimal_text")]
    pub balance: String,
    #[serde(rename = "available-balance", default, deserialize_with = "opt_decimal_text")]
    pub available_balance: Option<String>,
    #[serde(rename = "balance-date", default)]
    pub balance_date: i64,
    #[serde(default)]
    pub transactions: Vec<serde_json::Value>,
}

impl WireAccount {
    /// tally's id for it: an account id is unique only within its connection.
    pub fn external_id(&self) -> String {
        match &self.conn_id {
            Some(c) => format!("{c}/{}", self.id),
            None => self.id.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct WireTx {
    id: String,
    #[serde(default)]
    posted: i64,
    #[serde(deserialize_with = "decimal_text")]
    amount: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    payee: Option<String>,
    #[serde(default)]
    transacted_at: Option<i64>,
    #[serde(default)]
    pending: Option<bool>,
    /// ISO 18245 merchant category code (added 2026-06), kept as the provider category.
    #[serde(default, deserialize_with = "opt_decimal_text")]
    mcc: Option<String>,
}

/// A number sent as a JSON string (`"-12.30"`, the spec) or a bare number (`-12.3`): its text,
/// never an `f64`'s rounding of it.
fn decimal_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a decimal, got {other}"))),
    }
}

fn opt_decimal_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!("expected a decimal, got {other}"))),
    }
}

/// An account's currency: an ISO 4217 code, or a custom currency's URL (points, miles), kept
/// as its own unit (`Currency::custom`) that never sums with money; `Err` says why tally
/// cannot keep the account. The URL is not fetched: its `name`/`abbr` would only label the
/// unit, and fetching it would tell a third party when tally syncs.
pub fn currency_of(code: &str) -> Result<Currency, String> {
    if code.contains("://") {
        return Ok(Currency::custom(code));
    }
    Currency::parse(code).map_err(|_| format!("its currency {:?} is not an ISO 4217 code", sanitize(code)))
}

/// A guess from the name, since SimpleFIN says nothing about the kind of account.
fn kind_from_name(name: &str) -> AccountKind {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&["credit", "card", "visa", "mastercard", "amex"]) {
        AccountKind::Credit
    } else if has(&["saving"]) {
        AccountKind::Savings
    } else if has(&["loan", "mortgage"]) {
        AccountKind::Loan
    } else if has(&["brokerage", "invest", "401k", "ira"]) {
        AccountKind::Investment
    } else if has(&["checking", "chequing", "current"]) {
        AccountKind::Checking
    } else {
        AccountKind::Other
    }
}

pub fn epoch_to_utc(secs: i64) -> Option<DateTime<Utc>> {
    (secs > 0).then(|| DateTime::from_timestamp(secs, 0)).flatten()
}

pub fn day_epoch(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp()
}

/// The account as tally keeps it; `Err` with the reason when it cannot be kept.
pub fn to_remote(a: &WireAccount, now: DateTime<Utc>) -> Result<Result<RemoteAccount, String>> {
    let currency = match currency_of(&a.currency) {
        Ok(c) => c,
        Err(why) => return Ok(Err(why)),
    };
    let money = |s: &str| {
        parse_decimal(s, currency).map_err(|e| ProviderError::Malformed(format!("account {}: {e}", sanitize(&a.name))))
    };
    Ok(Ok(RemoteAccount {
        external_id: a.external_id(),
        identity: format!("simplefin:{}:{}", a.conn_id.as_deref().unwrap_or(""), a.id),
        name: clip_name(&sanitize(&a.name)),
        official_name: None,
        kind: kind_from_name(&a.name),
        currency,
        mask: None,
        balance_current: Some(money(&a.balance)?),
        balance_available: a.available_balance.as_deref().map(money).transpose()?,
        balance_as_of: epoch_to_utc(a.balance_date).unwrap_or(now),
    }))
}

/// What a raw record keeps: the transaction as received, plus what reading it needs (the
/// account, its currency, and the day it was fetched, which dates an undated pending row).
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    simplefin_account: String,
    currency: String,
    fetched: NaiveDate,
    transaction: serde_json::Value,
}

/// One transaction of `account` (whose currency is `currency`), fetched on `today`.
pub fn to_change(account: &str, currency: Currency, tx: &serde_json::Value, today: NaiveDate) -> Result<AccountChange> {
    let envelope = Envelope {
        simplefin_account: account.to_string(),
        currency: currency.code().to_string(),
        fetched: today,
        transaction: tx.clone(),
    };
    let raw = serde_json::to_string(&envelope).expect("serializes");
    Ok(AccountChange { account_external_id: account.to_string(), change: read(&envelope)?, raw })
}

/// Turn a stored raw record back into its change (`sync --replay`).
pub fn normalize(raw: &str) -> Result<Change> {
    let envelope: Envelope =
        serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
    read(&envelope)
}

fn read(e: &Envelope) -> Result<Change> {
    let currency = Currency::parse(&e.currency)?;
    let t =
        WireTx::deserialize(&e.transaction).map_err(|err| ProviderError::Malformed(format!("transaction: {err}")))?;
    let amount = parse_decimal(&t.amount, currency)
        .map_err(|err| ProviderError::Malformed(format!("transaction {}: {err}", sanitize(&t.id))))?;
    let transacted = t.transacted_at.and_then(epoch_to_utc).map(|d| d.date_naive());
    let posted = epoch_to_utc(t.posted).map(|d| d.date_naive());
    // `posted: 0` (or `pending: true`) is a pending row; it is dated when it happened, or
    // when it was fetched, never on 1970-01-01.
    let pending = t.pending == Some(true) || posted.is_none();
    let booked_date = posted.filter(|_| !pending).or(transacted).unwrap_or(e.fetched);
    Ok(Change::Upsert(NewTransaction {
        external_id: t.id,
        pending_external_id: None,
        booked_date,
        value_date: transacted,
        amount,
        currency,
        payee: t.payee.map(|p| sanitize(&p)).filter(|p| !p.is_empty()),
        description: sanitize(&t.description),
        pending,
        provider_category: t.mcc.map(|m| m.trim().to_string()).filter(|m| !m.is_empty()),
    }))
}

/// Text from the server made safe to show: no control characters (a terminal escape would
/// reach the user's screen), at most 300 characters.
pub fn sanitize(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = clean.trim();
    if clean.chars().count() <= 300 {
        return clean.to_string();
    }
    let mut cut: String = clean.chars().take(299).collect();
    cut.push('…');
    cut
}

/// Decode `text` as each response body (or part of one) this provider reads: the names of
/// the structs it decoded as (`providers::decode_wire`, for tests/provider_json.rs).
pub(crate) fn decode_bodies(text: &str) -> Vec<&'static str> {
    use crate::providers::decodes;
    [
        ("AccountSet", decodes::<AccountSet>(text)),
        ("WireError", decodes::<WireError>(text)),
        ("WireConnection", decodes::<WireConnection>(text)),
        ("WireAccount", decodes::<WireAccount>(text)),
        ("WireTx", decodes::<WireTx>(text)),
        ("Envelope", decodes::<Envelope>(text)),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn upsert(tx: serde_json::Value) -> NewTransaction {
        let usd = Currency::parse("USD").unwrap();
        match to_change("CON-1/ACT-1", usd, &tx, day("2026-11-23")).unwrap().change {
            Change::Upsert(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn posted_zero_is_pending_dated_when_it_happened_never_1970() {
        let t = upsert(json!({"id": "t1", "posted": 0, "amount": "-4.50", "description": "Coffee",
                              "transacted_at": 1_795_305_600, "pending": true}));
        assert!(t.pending);
        assert_eq!(t.booked_date, day("2026-11-22"));
        assert_eq!(t.value_date, Some(day("2026-11-22")));
        assert_eq!(t.amount, -450);
        // Without `transacted_at`: the day it was fetched.
        let t = upsert(json!({"id": "t2", "posted": 0, "amount": "-1", "description": "x"}));
        assert_eq!((t.pending, t.booked_date, t.value_date), (true, day("2026-11-23"), None));
    }

    #[test]
    fn amounts_are_exact_from_strings_or_numbers_and_the_mcc_is_kept() {
        for (amount, minor) in
            [(json!("101.80"), 10180), (json!(0.8), 80), (json!(-12), -1200), (json!("-33293.43"), -3_329_343)]
        {
            let t =
                upsert(json!({"id": "t", "posted": 1_795_392_000, "amount": amount, "description": "d", "mcc": 5411}));
            assert_eq!(t.amount, minor, "{amount}");
            assert!(!t.pending);
            assert_eq!(t.provider_category.as_deref(), Some("5411"));
        }
        let err = to_change(
            "a",
            Currency::parse("USD").unwrap(),
            &json!({"id": "t", "posted": 1, "amount": "1.005", "description": ""}),
            day("2026-11-23"),
        );
        assert!(format!("{:#}", err.unwrap_err()).contains("more decimals"));
    }

    #[test]
    fn a_raw_record_replays_to_the_same_change() {
        let tx = json!({"id": "t3", "posted": 1_795_392_000, "amount": "-9.99", "description": "Film\u{1b}[31m", "transacted_at": 1_795_300_000});
        let usd = Currency::parse("USD").unwrap();
        let change = to_change("CON-1/ACT-1", usd, &tx, day("2026-11-23")).unwrap();
        let Change::Upsert(again) = normalize(&change.raw).unwrap() else { panic!() };
        let Change::Upsert(first) = change.change else { panic!() };
        assert_eq!(first, again);
        assert_eq!(first.description, "Film [31m", "no escape reaches a terminal");
    }

    #[test]
    fn custom_currencies_are_their_own_unit_and_unknown_codes_are_refused_with_the_reason() {
        let miles = currency_of("https://www.example.com/flight-miles").unwrap();
        assert!(miles.is_custom());
        assert_eq!(miles, Currency::custom("https://www.example.com/flight-miles"));
        assert!(currency_of("ZZZ").unwrap_err().contains("not an ISO 4217 code"));
        assert_eq!(currency_of("CAD").unwrap().code(), "CAD");
    }
}
