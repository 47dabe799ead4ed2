//! Plaid's wire format (API version 2020-09-14): the request and response bodies tally uses,
//! and their conversion into domain types. Amounts are JSON numbers read from their text
//! (`RawValue`), never through `f64`; Plaid's sign (positive is money out) is inverted here,
//! once. A raw record is the transaction exactly as Plaid sent it.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{AccountKind, Change, NewTransaction, RemoteAccount, clip_name};
use crate::money::{Currency, parse_decimal};
use crate::providers::ProviderError;

/// Plaid's error object (`PlaidError`), sent with every non-200 answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlaidError {
    #[serde(default)]
    pub error_type: String,
    #[serde(default)]
    pub error_code: String,
    #[serde(default)]
    pub error_message: String,
    #[serde(default)]
    pub display_message: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LinkTokenCreated {
    pub link_token: String,
    #[serde(default)]
    pub hosted_link_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LinkTokenGot {
    #[serde(default)]
    pub link_sessions: Option<Vec<LinkSession>>,
}

#[derive(Debug, Deserialize)]
pub struct LinkSession {
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub results: Option<LinkResults>,
    /// Deprecated, but still sent by some accounts instead of `results`.
    #[serde(default)]
    pub on_success: Option<OnSuccess>,
    #[serde(default)]
    pub exit: Option<LinkExit>,
}

#[derive(Debug, Deserialize)]
pub struct LinkResults {
    #[serde(default)]
    pub item_add_results: Vec<ItemAdd>,
}

#[derive(Debug, Deserialize)]
pub struct ItemAdd {
    pub public_token: String,
    #[serde(default)]
    pub institution: Option<Institution>,
}

#[derive(Debug, Deserialize)]
pub struct OnSuccess {
    pub public_token: String,
    #[serde(default)]
    pub metadata: Option<OnSuccessMetadata>,
}

#[derive(Debug, Deserialize)]
pub struct OnSuccessMetadata {
    #[serde(default)]
    pub institution: Option<Institution>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Institution {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LinkExit {
    #[serde(default)]
    pub error: Option<PlaidError>,
}

#[derive(Debug, Deserialize)]
pub struct Exchanged {
    pub access_token: String,
    pub item_id: String,
}

#[derive(Debug, Deserialize)]
pub struct AccountsGot {
    pub accounts: Vec<WireAccount>,
    #[serde(default)]
    pub item: Option<WireItem>,
}

#[derive(Debug, Deserialize)]
pub struct WireItem {
    #[serde(default)]
    pub institution_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WireAccount {
    pub account_id: String,
    pub balances: Balances,
    #[serde(default)]
    pub mask: Option<String>,
    pub name: String,
    #[serde(default)]
    pub official_name: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub persistent_account_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Balances {
    #[serde(default)]
    pub available: Option<Box<RawValue>>,
    #[serde(default)]
    pub current: Option<Box<RawValue>>,
    #[serde(default)]
    pub iso_currency_code: Option<String>,
    #[serde(default)]
    pub unofficial_currency_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SyncPage {
    pub added: Vec<Box<RawValue>>,
    pub modified: Vec<Box<RawValue>>,
    pub removed: Vec<Box<RawValue>>,
    pub next_cursor: String,
    pub has_more: bool,
    #[serde(default)]
    pub transactions_update_status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Removed {
    pub transaction_id: String,
    pub account_id: String,
}

#[derive(Debug, Deserialize)]
struct WireTx {
    transaction_id: String,
    amount: Box<RawValue>,
    #[serde(default)]
    iso_currency_code: Option<String>,
    #[serde(default)]
    unofficial_currency_code: Option<String>,
    date: NaiveDate,
    #[serde(default)]
    authorized_date: Option<NaiveDate>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    merchant_name: Option<String>,
    #[serde(default)]
    original_description: Option<String>,
    #[serde(default)]
    pending: bool,
    #[serde(default)]
    pending_transaction_id: Option<String>,
    #[serde(default)]
    personal_finance_category: Option<Pfc>,
}

/// `personal_finance_category`: the whole object stays in the raw record; the `detailed`
/// label (e.g. `FOOD_AND_DRINK_COFFEE`) is the provider category the categorizer reads.
#[derive(Debug, Deserialize)]
struct Pfc {
    #[serde(default)]
    primary: Option<String>,
    #[serde(default)]
    detailed: Option<String>,
}

/// A raw record for a removal: `{"removed": {transaction_id, account_id}}`.
#[derive(Debug, Deserialize)]
struct RemovedRecord {
    removed: Removed,
}

fn malformed(what: impl std::fmt::Display) -> anyhow::Error {
    ProviderError::Malformed(format!("Plaid: {what}")).into()
}

/// A JSON number (or a numeric string) as minor units of `currency`, from its text.
pub fn minor_units(raw: &RawValue, currency: Currency) -> Result<i64> {
    let text = raw.get().trim();
    let text = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    if text.contains(['e', 'E']) {
        return Err(malformed(format!("the amount {text} is in exponent form")));
    }
    parse_decimal(text, currency).map_err(|e| malformed(format!("the amount {text}: {e}")))
}

fn currency_of(iso: Option<&str>, unofficial: Option<&str>) -> Result<Currency, String> {
    match (iso, unofficial) {
        (Some(code), _) => Currency::parse(code).map_err(|_| format!("its currency {code:?} is not ISO 4217")),
        (None, Some(u)) => Err(format!("its unit is {u:?}, not an ISO 4217 currency")),
        (None, None) => Err("Plaid gives no currency for it".to_string()),
    }
}

fn kind_of(kind: &str, subtype: Option<&str>) -> AccountKind {
    match (kind, subtype) {
        ("depository", Some("savings" | "money market" | "cd" | "hsa")) => AccountKind::Savings,
        ("depository", _) => AccountKind::Checking,
        ("credit", _) => AccountKind::Credit,
        ("loan", _) => AccountKind::Loan,
        ("investment" | "brokerage", _) => AccountKind::Investment,
        _ => AccountKind::Other,
    }
}

/// The account as tally keeps it; `Ok(Err(why))` when it cannot be kept. Plaid reports what
/// is owed on a card or loan as a positive balance: tally's balances are negative then.
pub fn to_remote(
    a: &WireAccount,
    item: Option<&WireItem>,
    now: DateTime<Utc>,
) -> Result<Result<RemoteAccount, String>> {
    let b = &a.balances;
    let currency = match currency_of(b.iso_currency_code.as_deref(), b.unofficial_currency_code.as_deref()) {
        Ok(c) => c,
        Err(why) => return Ok(Err(why)),
    };
    let kind = kind_of(&a.kind, a.subtype.as_deref());
    let sign = if matches!(kind, AccountKind::Credit | AccountKind::Loan) { -1 } else { 1 };
    let money = |v: &Option<Box<RawValue>>| -> Result<Option<i64>> {
        v.as_deref().map(|raw| minor_units(raw, currency).map(|m| sign * m)).transpose()
    };
    let institution = item.and_then(|i| i.institution_id.as_deref()).unwrap_or("");
    // Plaid's account ids change when an Item is re-created; `persistent_account_id` (where
    // sent) and otherwise the mask and name identify the account across a relink.
    let identity = match &a.persistent_account_id {
        Some(p) => format!("plaid:{p}"),
        None => format!("plaid:{institution}:{}:{}", a.mask.as_deref().unwrap_or(""), a.name),
    };
    Ok(Ok(RemoteAccount {
        external_id: a.account_id.clone(),
        identity,
        name: clip_name(&sanitize(&a.name)),
        official_name: a.official_name.as_deref().map(sanitize),
        kind,
        currency,
        mask: a.mask.clone(),
        balance_current: money(&b.current)?,
        balance_available: money(&b.available)?,
        balance_as_of: now,
    }))
}

/// The raw record of a removal.
pub fn removed_raw(r: &RawValue) -> Result<(String, String)> {
    let removed: Removed = serde_json::from_str(r.get()).map_err(|e| malformed(format!("a removed row: {e}")))?;
    let account = removed.account_id.clone();
    let raw = format!("{{\"removed\":{}}}", r.get());
    Ok((account, raw))
}

/// The account a transaction belongs to, from its raw record.
pub fn account_of(raw: &str) -> Result<String> {
    #[derive(Deserialize)]
    struct Of {
        account_id: String,
    }
    let of: Of = serde_json::from_str(raw).map_err(|e| malformed(format!("a transaction: {e}")))?;
    Ok(of.account_id)
}

/// Turn a raw record (a transaction as Plaid sent it, or a removal) into its change.
pub fn normalize(raw: &str) -> Result<Change> {
    if let Ok(r) = serde_json::from_str::<RemovedRecord>(raw) {
        return Ok(Change::Remove { external_id: r.removed.transaction_id });
    }
    let t: WireTx = serde_json::from_str(raw).map_err(|e| malformed(format!("a transaction: {e}")))?;
    let currency = currency_of(t.iso_currency_code.as_deref(), t.unofficial_currency_code.as_deref())
        .map_err(|why| malformed(format!("transaction {}: {why}", sanitize(&t.transaction_id))))?;
    // Plaid: positive is money out of the account. tally: negative is money out.
    let amount = minor_units(&t.amount, currency)?.checked_neg().ok_or_else(|| malformed("an amount too large"))?;
    let description = t.original_description.as_deref().or(t.name.as_deref()).map(sanitize).unwrap_or_default();
    let pfc = t.personal_finance_category.as_ref();
    let category = pfc.and_then(|p| p.detailed.clone().or_else(|| p.primary.clone()));
    Ok(Change::Upsert(NewTransaction {
        external_id: t.transaction_id,
        pending_external_id: if t.pending { None } else { t.pending_transaction_id },
        booked_date: t.date,
        value_date: t.authorized_date,
        amount,
        currency,
        payee: t.merchant_name.map(|m| sanitize(&m)).filter(|m| !m.is_empty()),
        description,
        pending: t.pending,
        provider_category: category.map(|c| sanitize(&c)).filter(|c| !c.is_empty()),
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
        ("PlaidError", decodes::<PlaidError>(text)),
        ("LinkTokenCreated", decodes::<LinkTokenCreated>(text)),
        ("LinkTokenGot", decodes::<LinkTokenGot>(text)),
        ("LinkSession", decodes::<LinkSession>(text)),
        ("LinkResults", decodes::<LinkResults>(text)),
        ("ItemAdd", decodes::<ItemAdd>(text)),
        ("OnSuccess", decodes::<OnSuccess>(text)),
        ("OnSuccessMetadata", decodes::<OnSuccessMetadata>(text)),
        ("Institution", decodes::<Institution>(text)),
        ("LinkExit", decodes::<LinkExit>(text)),
        ("Exchanged", decodes::<Exchanged>(text)),
        ("AccountsGot", decodes::<AccountsGot>(text)),
        ("WireItem", decodes::<WireItem>(text)),
        ("WireAccount", decodes::<WireAccount>(text)),
        ("Balances", decodes::<Balances>(text)),
        ("SyncPage", decodes::<SyncPage>(text)),
        ("Removed", decodes::<Removed>(text)),
        ("WireTx", decodes::<WireTx>(text)),
        ("Pfc", decodes::<Pfc>(text)),
        ("RemovedRecord", decodes::<RemovedRecord>(text)),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn upsert(tx: serde_json::Value) -> NewTransaction {
        match normalize(&tx.to_string()).unwrap() {
            Change::Upsert(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plaid_positive_is_money_out_and_amounts_are_exact() {
        for (amount, minor) in [("2307.21", -230_721), ("-500", 50_000), ("0.8", -80), ("101.80", -10_180)] {
            let raw = format!(
                r#"{{"transaction_id":"t","account_id":"a","amount":{amount},"iso_currency_code":"USD",
                    "date":"2026-11-20","pending":false,"name":"X"}}"#
            );
            match normalize(&raw).unwrap() {
                Change::Upsert(t) => assert_eq!(t.amount, minor, "{amount}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn merchant_is_the_payee_and_the_original_description_and_pfc_are_kept() {
        let t = upsert(json!({"transaction_id": "t2", "account_id": "a", "amount": 4.33, "iso_currency_code": "USD",
            "date": "2026-11-20", "authorized_date": "2026-11-19", "pending": false, "name": "Starbucks",
            "merchant_name": "Starbucks", "original_description": "STARBUCKS #123 SEATTLE",
            "pending_transaction_id": "p2",
            "personal_finance_category": {"primary": "FOOD_AND_DRINK", "detailed": "FOOD_AND_DRINK_COFFEE",
                                          "confidence_level": "VERY_HIGH", "version": "v2"}}));
        assert_eq!(t.payee.as_deref(), Some("Starbucks"));
        assert_eq!(t.description, "STARBUCKS #123 SEATTLE");
        assert_eq!(t.provider_category.as_deref(), Some("FOOD_AND_DRINK_COFFEE"));
        assert_eq!(t.pending_external_id.as_deref(), Some("p2"));
        assert_eq!(t.value_date, Some("2026-11-19".parse().unwrap()));
        let removed = normalize(r#"{"removed":{"transaction_id":"t9","account_id":"a"}}"#).unwrap();
        assert!(matches!(removed, Change::Remove { external_id } if external_id == "t9"));
    }

    #[test]
    fn a_card_balance_owed_is_negative_and_odd_currencies_are_refused() {
        let a: WireAccount = serde_json::from_str(
            r#"{"account_id":"c","name":"Card","mask":"3333","type":"credit","subtype":"credit card",
                "balances":{"available":null,"current":410.10,"iso_currency_code":"USD","unofficial_currency_code":null}}"#,
        )
        .unwrap();
        let r = to_remote(&a, None, Utc::now()).unwrap().unwrap();
        assert_eq!((r.kind, r.balance_current, r.balance_available), (AccountKind::Credit, Some(-41_010), None));
        let b: WireAccount = serde_json::from_str(
            r#"{"account_id":"x","name":"Coins","type":"investment","balances":{"current":1,"iso_currency_code":null,"unofficial_currency_code":"BTC"}}"#,
        )
        .unwrap();
        assert!(to_remote(&b, None, Utc::now()).unwrap().is_err());
    }
}
