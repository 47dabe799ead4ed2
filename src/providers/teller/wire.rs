//! Teller's wire format (API version 2020-10-12): accounts, balances and transactions, and
//! their conversion into domain types. Amounts are decimal strings read exactly into minor
//! units, never through `f64`. A transaction's amount is signed the way tally signs it
//! (negative is money out), so it is taken as it is; a card's ledger balance is what is owed,
//! a positive number, so it is negated once here. Teller's transactions carry no currency:
//! the raw record is `{"currency": <the account's>, "transaction": <as Teller sent it>}`.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::model::{AccountKind, Change, NewTransaction, RemoteAccount, clip_name};
use crate::money::{Currency, parse_decimal};
use crate::providers::ProviderError;

#[derive(Debug, Clone, Deserialize)]
pub struct WireAccount {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub subtype: Option<String>,
    pub currency: String,
    #[serde(default)]
    pub last_four: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    pub institution: Institution,
    #[serde(default)]
    pub links: Links,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Institution {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub balances: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WireBalances {
    #[serde(default)]
    pub ledger: Option<String>,
    #[serde(default)]
    pub available: Option<String>,
}

/// The fields paging needs of a transaction, read before the rest.
#[derive(Debug, Deserialize)]
pub struct Head {
    pub id: String,
    pub date: NaiveDate,
}

#[derive(Debug, Deserialize)]
struct WireTx {
    id: String,
    amount: String,
    date: NaiveDate,
    #[serde(default)]
    description: String,
    status: String,
    #[serde(default)]
    details: Option<Details>,
}

/// Teller's enrichment: `category` is one of its fixed list (`dining`, `groceries`…), kept
/// as the provider category; the counterparty's name is the payee.
#[derive(Debug, Deserialize)]
struct Details {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    counterparty: Option<Counterparty>,
}

#[derive(Debug, Deserialize)]
struct Counterparty {
    #[serde(default)]
    name: Option<String>,
}

/// A raw record: the transaction as Teller sent it, with the account's currency beside it.
#[derive(Serialize, Deserialize)]
struct Record<'a> {
    currency: String,
    #[serde(borrow)]
    transaction: &'a RawValue,
}

pub fn record(currency: Currency, transaction: &RawValue) -> String {
    serde_json::to_string(&Record { currency: currency.code().to_string(), transaction }).expect("serializes")
}

fn malformed(what: impl std::fmt::Display) -> anyhow::Error {
    ProviderError::Malformed(format!("Teller: {what}")).into()
}

/// A decimal string as minor units of `currency`, exactly.
pub fn minor_units(text: &str, currency: Currency) -> Result<i64> {
    parse_decimal(text, currency).map_err(|e| malformed(format!("the amount {}: {e}", sanitize(text))))
}

fn kind_of(kind: &str, subtype: Option<&str>) -> AccountKind {
    match (kind, subtype) {
        ("depository", Some("savings" | "money_market" | "certificate_of_deposit" | "treasury")) => {
            AccountKind::Savings
        }
        ("depository", _) => AccountKind::Checking,
        ("credit", _) => AccountKind::Credit,
        _ => AccountKind::Other,
    }
}

/// The account as tally keeps it, with its balances (`None`: not fetched).
pub fn to_remote(a: &WireAccount, balances: Option<&WireBalances>, now: DateTime<Utc>) -> Result<RemoteAccount> {
    let currency = Currency::parse(&a.currency)
        .map_err(|_| malformed(format!("account {}: currency {:?} is not ISO 4217", sanitize(&a.id), a.currency)))?;
    let kind = kind_of(&a.kind, a.subtype.as_deref());
    let sign = if kind == AccountKind::Credit { -1 } else { 1 };
    let money = |v: Option<&String>| v.map(|s| minor_units(s, currency).map(|m| sign * m)).transpose();
    Ok(RemoteAccount {
        external_id: a.id.clone(),
        // Teller's ids live as long as the enrollment; the bank, the last four digits and the
        // name find the account again after a new enrollment.
        identity: format!("teller:{}:{}:{}", a.institution.id, a.last_four.as_deref().unwrap_or(""), a.name),
        name: clip_name(&sanitize(&a.name)),
        official_name: None,
        kind,
        currency,
        mask: a.last_four.clone(),
        balance_current: money(balances.and_then(|b| b.ledger.as_ref()))?,
        balance_available: money(balances.and_then(|b| b.available.as_ref()))?,
        balance_as_of: now,
    })
}

/// Turn a raw record into its change.
pub fn normalize(raw: &str) -> Result<Change> {
    let record: Record<'_> = serde_json::from_str(raw).map_err(|e| malformed(format!("a stored record: {e}")))?;
    let currency = Currency::parse(&record.currency).map_err(malformed)?;
    let t: WireTx =
        serde_json::from_str(record.transaction.get()).map_err(|e| malformed(format!("a transaction: {e}")))?;
    let amount = minor_units(&t.amount, currency)?;
    let pending = match t.status.as_str() {
        "pending" => true,
        "posted" => false,
        other => return Err(malformed(format!("transaction {}: status {:?}", sanitize(&t.id), sanitize(other)))),
    };
    let details = t.details.as_ref();
    let clean = |s: Option<&String>| s.map(|s| sanitize(s)).filter(|s| !s.is_empty());
    Ok(Change::Upsert(NewTransaction {
        external_id: t.id,
        pending_external_id: None,
        booked_date: t.date,
        value_date: None,
        amount,
        currency,
        payee: clean(details.and_then(|d| d.counterparty.as_ref()).and_then(|c| c.name.as_ref())),
        description: sanitize(&t.description),
        pending,
        provider_category: clean(details.and_then(|d| d.category.as_ref())),
    }))
}

/// Text from the server made safe to show: no control characters, at most 300 characters.
pub fn sanitize(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    clean.trim().chars().take(300).collect()
}

/// Decode `text` as each response body (or part of one) this provider reads: the names of
/// the structs it decoded as (`providers::decode_wire`, for tests/provider_json.rs).
pub(crate) fn decode_bodies(text: &str) -> Vec<&'static str> {
    use crate::providers::decodes;
    [
        ("WireAccount", decodes::<WireAccount>(text)),
        ("Institution", decodes::<Institution>(text)),
        ("Links", decodes::<Links>(text)),
        ("WireBalances", decodes::<WireBalances>(text)),
        ("Head", decodes::<Head>(text)),
        ("WireTx", decodes::<WireTx>(text)),
        ("Details", decodes::<Details>(text)),
        ("Counterparty", decodes::<Counterparty>(text)),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn upsert(tx: &str) -> NewTransaction {
        let raw: Box<RawValue> = serde_json::from_str(tx).unwrap();
        match normalize(&record(usd(), &raw)).unwrap() {
            Change::Upsert(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn amounts_are_exact_and_keep_tellers_sign() {
        for (amount, minor) in
            [("-42.50", -4250), ("2500.00", 250_000), ("-0.8", -80), ("101.80", 10_180), ("-12", -1200)]
        {
            let t = upsert(&format!(
                r#"{{"id":"txn_1","account_id":"acc_1","amount":"{amount}","date":"2026-11-20","description":"X","status":"posted","type":"card_payment"}}"#
            ));
            assert_eq!(t.amount, minor, "{amount}");
        }
        let raw: Box<RawValue> =
            serde_json::from_str(r#"{"id":"t","amount":"1e3","date":"2026-11-20","status":"posted"}"#).unwrap();
        assert!(normalize(&record(usd(), &raw)).is_err(), "no exponents");
    }

    #[test]
    fn category_counterparty_and_status_are_kept() {
        let t = upsert(
            r#"{"id":"txn_2","account_id":"acc_1","amount":"-4.33","date":"2026-11-20","description":"BLUE BOTTLE #12",
                "status":"pending","details":{"processing_status":"complete","category":"dining",
                "counterparty":{"name":"Blue Bottle","type":"organization"}}}"#,
        );
        assert!(t.pending);
        assert_eq!((t.payee.as_deref(), t.provider_category.as_deref()), (Some("Blue Bottle"), Some("dining")));
        assert_eq!(t.description, "BLUE BOTTLE #12");
    }

    #[test]
    fn a_card_balance_owed_is_negative() {
        let a: WireAccount = serde_json::from_str(
            r#"{"id":"acc_c","enrollment_id":"enr_1","name":"Platinum Card","type":"credit","subtype":"credit_card",
                "currency":"USD","last_four":"7890","status":"open","institution":{"id":"chase","name":"Chase"},"links":{}}"#,
        )
        .unwrap();
        let b = WireBalances { ledger: Some("1937.62".into()), available: Some("8062.38".into()) };
        let r = to_remote(&a, Some(&b), Utc::now()).unwrap();
        assert_eq!(
            (r.kind, r.balance_current, r.balance_available),
            (AccountKind::Credit, Some(-193_762), Some(-806_238))
        );
        assert_eq!(r.identity, "teller:chase:7890:Platinum Card");
    }
}
