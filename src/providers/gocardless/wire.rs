//! GoCardless Bank Account Data's wire format, as its OpenAPI spec (v2) names it: the token
//! pair, `Integration` (an institution), `EndUserAgreement`, `Requisition`, `Account`,
//! `DetailSchema`, `BalanceSchema` and the Berlin Group `TransactionSchema`, and their
//! translation into domain types. Amounts are signed decimal strings (`"-12.30"` is money
//! out; there is no debit/credit indicator), read exactly by `money::parse_decimal`.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::model::{AccountKind, NewTransaction, RemoteAccount};
use crate::money::{Currency, parse_decimal};
use crate::providers::ProviderError;

fn malformed(what: impl std::fmt::Display) -> anyhow::Error {
    ProviderError::Malformed(format!("GoCardless {what}")).into()
}

/// `SpectacularJWTObtain` / `SpectacularJWTRefresh` (a refresh answer has no new refresh token).
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    pub access: String,
    pub access_expires: Option<i64>,
    pub refresh: Option<String>,
    pub refresh_expires: Option<i64>,
}

/// `Integration`: one institution. The spec gives the day counts as strings (`"90"`); a number
/// is read too.
#[derive(Debug, Clone, Deserialize)]
pub struct Institution {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub transaction_total_days: Option<serde_json::Value>,
    #[serde(default)]
    pub max_access_valid_for_days: Option<serde_json::Value>,
}

impl Institution {
    /// Days of history the institution gives (default 90, the spec's), within the EUA's 1..=730.
    pub fn history_days(&self) -> u32 {
        days(self.transaction_total_days.as_ref()).unwrap_or(90).clamp(1, 730)
    }

    /// Days an access may last (default 90), within the EUA's 1..=180.
    pub fn access_days(&self) -> u32 {
        days(self.max_access_valid_for_days.as_ref()).unwrap_or(90).clamp(1, 180)
    }
}

fn days(v: Option<&serde_json::Value>) -> Option<u32> {
    match v? {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

/// `EndUserAgreement` as created.
#[derive(Debug, Deserialize)]
pub struct Agreement {
    pub id: String,
    pub max_historical_days: Option<u32>,
    pub access_valid_for_days: Option<u32>,
}

/// `Requisition` (and `SpectacularRequisition`, what creating one answers).
#[derive(Debug, Deserialize)]
pub struct Requisition {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// `Account`: the account's metadata (not charged to a daily scope).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountMeta {
    pub iban: Option<String>,
    pub bban: Option<String>,
    pub status: Option<String>,
}

/// `DetailSchema` (inside `AccountDetail.account`). Kept with the connection's secret after
/// the first read, so a sync does not spend a `details` call on what does not change.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    pub iban: Option<String>,
    pub bban: Option<String>,
    pub scan: Option<String>,
    pub currency: Option<String>,
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub product: Option<String>,
    pub cash_account_type: Option<String>,
    pub masked_pan: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Amount {
    pub amount: String,
    pub currency: String,
}

/// `BalanceSchema`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub balance_amount: Amount,
    pub balance_type: String,
    pub reference_date: Option<String>,
    pub last_change_date_time: Option<String>,
}

/// `TransactionSchema` (Berlin Group), the fields tally reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub transaction_amount: Amount,
    pub booking_date: Option<String>,
    pub value_date: Option<String>,
    pub booking_date_time: Option<String>,
    pub value_date_time: Option<String>,
    pub creditor_name: Option<String>,
    pub debtor_name: Option<String>,
    pub remittance_information_unstructured: Option<String>,
    #[serde(default)]
    pub remittance_information_unstructured_array: Vec<String>,
    pub remittance_information_structured: Option<String>,
    pub additional_information: Option<String>,
    pub proprietary_bank_transaction_code: Option<String>,
}

/// Stable across consents (GoCardless' account ids belong to one requisition): the IBAN,
/// else the BBAN or UK sort code and number, else the account id itself.
pub fn identity(account_id: &str, meta: &AccountMeta, detail: &Detail) -> String {
    let clean = |s: &Option<String>| s.as_ref().map(|s| s.replace(' ', "").to_uppercase()).filter(|s| !s.is_empty());
    if let Some(iban) = clean(&detail.iban).or_else(|| clean(&meta.iban)) {
        return format!("iban:{iban}");
    }
    if let Some(n) = clean(&detail.bban).or_else(|| clean(&meta.bban)).or_else(|| clean(&detail.scan)) {
        return format!("bban:{n}");
    }
    format!("gocardless:{account_id}")
}

fn kind(cash_account_type: Option<&str>) -> AccountKind {
    match cash_account_type {
        Some("CACC" | "CASH" | "TRAN") => AccountKind::Checking,
        Some("SVGS") => AccountKind::Savings,
        Some("CARD") => AccountKind::Credit,
        Some("LOAN") => AccountKind::Loan,
        _ => AccountKind::Other,
    }
}

fn date(s: Option<&String>) -> Option<NaiveDate> {
    s.and_then(|s| s.get(..10)).and_then(|d| d.parse().ok())
}

/// The account as tally keeps it, with the balances the bank gave.
pub fn to_remote(
    account_id: &str,
    meta: &AccountMeta,
    detail: &Detail,
    balances: &[Balance],
    now: DateTime<Utc>,
) -> Result<RemoteAccount> {
    let identity = identity(account_id, meta, detail);
    let currency = detail
        .currency
        .as_deref()
        .or_else(|| balances.first().map(|b| b.balance_amount.currency.as_str()))
        .ok_or_else(|| malformed(format!("account {account_id} names no currency")))?;
    let currency = Currency::parse(currency).map_err(|e| malformed(format!("account {account_id}: {e}")))?;
    let number = detail.iban.clone().or(meta.iban.clone()).or(detail.bban.clone()).or(detail.masked_pan.clone());
    let mask = number.map(|n| {
        let n: Vec<char> = n.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        n[n.len().saturating_sub(4)..].iter().collect()
    });
    let name = [&detail.display_name, &detail.name, &detail.product]
        .into_iter()
        .find_map(|n| n.clone().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "Account".to_string());
    let pick = |types: &[&str]| types.iter().find_map(|t| balances.iter().find(|b| b.balance_type == *t));
    let current = pick(&["closingBooked", "interimBooked", "expected", "openingBooked"])
        .or_else(|| balances.iter().find(|b| !b.balance_type.contains("vailable")));
    let available = pick(&["interimAvailable", "closingAvailable", "forwardAvailable", "openingAvailable"]);
    let amount = |b: Option<&Balance>| -> Result<Option<i64>> {
        b.map(|b| parse_decimal(&b.balance_amount.amount, Currency::parse(&b.balance_amount.currency)?))
            .transpose()
            .map_err(|e| malformed(format!("balance of account {account_id}: {e}")))
    };
    let as_of = current
        .or(available)
        .and_then(|b| {
            b.last_change_date_time
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .or_else(|| date(b.reference_date.as_ref()).map(|d| d.and_time(NaiveTime::MIN).and_utc()))
        })
        .unwrap_or(now);
    Ok(RemoteAccount {
        external_id: account_id.to_string(),
        identity,
        name: crate::model::clip_name(&name),
        official_name: detail.product.clone(),
        kind: kind(detail.cash_account_type.as_deref()),
        currency,
        mask,
        balance_current: amount(current)?,
        balance_available: amount(available)?,
        balance_as_of: as_of,
    })
}

/// One booked or pending row as a transaction. The amount's own sign is tally's: Berlin Group
/// writes money out as a negative amount.
pub fn to_transaction(t: &Transaction, id: String, pending: bool) -> Result<NewTransaction> {
    let currency =
        Currency::parse(&t.transaction_amount.currency).map_err(|e| malformed(format!("transaction {id}: {e}")))?;
    let amount = parse_decimal(&t.transaction_amount.amount, currency)
        .map_err(|e| malformed(format!("transaction {id}: {e}")))?;
    let booked_date = date(t.booking_date.as_ref())
        .or_else(|| date(t.booking_date_time.as_ref()))
        .or_else(|| date(t.value_date.as_ref()))
        .or_else(|| date(t.value_date_time.as_ref()))
        .ok_or_else(|| malformed(format!("transaction {id} has no date")))?;
    let value_date = date(t.value_date.as_ref()).or_else(|| date(t.value_date_time.as_ref()));
    // Money out goes to the creditor; money in comes from the debtor.
    let counterparty = if amount < 0 { &t.creditor_name } else { &t.debtor_name };
    let payee = counterparty.clone().filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_string());
    let lines: Vec<&str> = t.remittance_information_unstructured_array.iter().map(|l| l.trim()).collect();
    let description = [
        t.remittance_information_unstructured.clone(),
        Some(lines.join(" ")),
        t.remittance_information_structured.clone(),
        t.additional_information.clone(),
        payee.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|d| d.trim().to_string())
    .find(|d| !d.is_empty())
    .unwrap_or_else(|| "(no description)".into());
    Ok(NewTransaction {
        external_id: id,
        pending_external_id: None,
        booked_date,
        value_date: value_date.filter(|d| *d != booked_date),
        amount,
        currency,
        payee,
        description,
        pending,
        // GoCardless has no categories; the bank's own code is kept for rules and review.
        provider_category: t.proprietary_bank_transaction_code.clone().filter(|c| !c.trim().is_empty()),
    })
}

/// Ids for one account's rows (booked first, then pending): the bank's `transactionId`, else
/// `internalTransactionId` (GoCardless' own), else a hash of what the row says, numbered when
/// two rows say the same (two coffees on one day). Pending rows rarely carry an id; theirs
/// start `p:` so a booked row never takes a pending row's id by accident.
pub fn assign_ids(rows: &[(bool, serde_json::Value)]) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.iter()
        .map(|(pending, raw)| {
            let text = |k: &str| raw.get(k).and_then(|v| v.as_str()).filter(|s| !s.trim().is_empty());
            let own = text("transactionId").or_else(|| text("internalTransactionId"));
            let base = match own {
                Some(id) if !pending => id.to_string(),
                Some(id) => format!("p:{id}"),
                None => {
                    let field = |k: &str| raw.get(k).map(|v| v.to_string()).unwrap_or_default();
                    let mut hash = Sha256::new();
                    for k in [
                        "bookingDate",
                        "valueDate",
                        "transactionAmount",
                        "remittanceInformationUnstructured",
                        "remittanceInformationUnstructuredArray",
                        "creditorName",
                        "debtorName",
                    ] {
                        hash.update(field(k).as_bytes());
                        hash.update([0]);
                    }
                    let digest: String = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
                    format!("{}:{digest}", if *pending { "p" } else { "h" })
                }
            };
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            if *n == 1 { base } else { format!("{base}#{n}") }
        })
        .collect()
}

/// Decode `text` as each response body (or part of one) this provider reads: the names of
/// the structs it decoded as (`providers::decode_wire`, for tests/provider_json.rs).
pub(crate) fn decode_bodies(text: &str) -> Vec<&'static str> {
    use crate::providers::decodes;
    [
        ("TokenAnswer", decodes::<TokenAnswer>(text)),
        ("Institution", decodes::<Institution>(text)),
        ("Agreement", decodes::<Agreement>(text)),
        ("Requisition", decodes::<Requisition>(text)),
        ("AccountMeta", decodes::<AccountMeta>(text)),
        ("Detail", decodes::<Detail>(text)),
        ("Amount", decodes::<Amount>(text)),
        ("Balance", decodes::<Balance>(text)),
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
    fn amounts_keep_their_own_sign_exactly_and_name_the_other_party() {
        let row = |amount: &str| {
            tx(json!({"transactionAmount": {"currency": "EUR", "amount": amount}, "bookingDate": "2026-11-20",
                "creditorName": "Shop", "debtorName": "Employer", "proprietaryBankTransactionCode": "PMNT"}))
        };
        let t = to_transaction(&row("-12.30"), "a".into(), false).unwrap();
        assert_eq!((t.amount, t.payee.as_deref(), t.description.as_str()), (-1230, Some("Shop"), "Shop"));
        assert_eq!(t.provider_category.as_deref(), Some("PMNT"));
        let t = to_transaction(&row("0.8"), "b".into(), false).unwrap();
        assert_eq!((t.amount, t.payee.as_deref()), (80, Some("Employer")));
        assert_eq!(to_transaction(&row("101.80"), "c".into(), false).unwrap().amount, 10180);
        assert_eq!(to_transaction(&row("-12"), "d".into(), false).unwrap().amount, -1200);
        assert!(to_transaction(&row("1.234"), "e".into(), false).is_err(), "EUR has two decimals");
        assert!(to_transaction(&row("1e3"), "f".into(), false).is_err());
    }

    #[test]
    fn a_pending_row_with_only_a_value_date_is_dated_by_it() {
        let t = tx(json!({"transactionAmount": {"currency": "EUR", "amount": "-99.20"}, "valueDate": "2026-11-22",
            "remittanceInformationUnstructuredArray": ["Card ", " coffee"]}));
        let t = to_transaction(&t, "p".into(), true).unwrap();
        assert!(t.pending);
        assert_eq!((t.booked_date.to_string(), t.value_date), ("2026-11-22".to_string(), None));
        assert_eq!(t.description, "Card coffee");
    }

    #[test]
    fn ids_prefer_the_banks_and_number_identical_rows() {
        let coffee = json!({"transactionAmount": {"currency": "EUR", "amount": "-3"}, "bookingDate": "2026-11-20"});
        let rows = vec![
            (false, json!({"transactionId": "T1"})),
            (false, json!({"internalTransactionId": "i-2"})),
            (false, coffee.clone()),
            (false, coffee.clone()),
            (true, coffee),
            (true, json!({"transactionId": "T1"})),
        ];
        let ids = assign_ids(&rows);
        assert_eq!(&ids[..2], ["T1", "i-2"]);
        assert!(ids[2].starts_with("h:") && ids[3] == format!("{}#2", ids[2]), "{ids:?}");
        assert!(ids[4].starts_with("p:"), "{ids:?}");
        assert_eq!(ids[5], "p:T1");
        assert_eq!(assign_ids(&rows), ids, "the same rows get the same ids");
    }

    #[test]
    fn identity_is_the_iban_else_the_bban_else_the_id_and_balances_are_picked_by_type() {
        let detail = Detail { iban: Some("de89 3704 0044 0532 0130 00".into()), ..Detail::default() };
        assert_eq!(identity("a1", &AccountMeta::default(), &detail), "iban:DE89370400440532013000");
        let detail = Detail { bban: Some("12345678".into()), ..Detail::default() };
        assert_eq!(identity("a1", &AccountMeta::default(), &detail), "bban:12345678");
        assert_eq!(identity("a1", &AccountMeta::default(), &Detail::default()), "gocardless:a1");
        let balances: Vec<Balance> = serde_json::from_value(json!([
            {"balanceAmount": {"amount": "185.67", "currency": "EUR"}, "balanceType": "interimAvailable"},
            {"balanceAmount": {"amount": "657.49", "currency": "EUR"}, "balanceType": "closingBooked",
             "referenceDate": "2026-11-22"}
        ]))
        .unwrap();
        let detail = Detail {
            iban: Some("DE89370400440532013000".into()),
            currency: Some("EUR".into()),
            cash_account_type: Some("CACC".into()),
            ..Detail::default()
        };
        let r = to_remote("a1", &AccountMeta::default(), &detail, &balances, Utc::now()).unwrap();
        assert_eq!((r.balance_current, r.balance_available), (Some(65749), Some(18567)));
        assert_eq!((r.mask.as_deref(), r.kind), (Some("3000"), AccountKind::Checking));
        assert_eq!(r.balance_as_of.date_naive().to_string(), "2026-11-22");
    }

    #[test]
    fn institution_day_counts_are_read_from_strings_or_numbers_and_bounded() {
        let i: Institution = serde_json::from_value(json!({"id": "X", "name": "X", "transaction_total_days": "540",
            "max_access_valid_for_days": 365}))
        .unwrap();
        assert_eq!((i.history_days(), i.access_days()), (540, 180));
        let i: Institution = serde_json::from_value(json!({"id": "X", "name": "X"})).unwrap();
        assert_eq!((i.history_days(), i.access_days()), (90, 90));
    }
}
