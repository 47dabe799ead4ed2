//! Core Exchange (FDX 6.4) wire shapes, and turning them into domain types: account
//! descriptors into [`RemoteAccount`]s, transactions into [`Change`]s. Amounts are absolute JSON
//! numbers read from their text (`serde_json`'s `RawValue`), never through `f64`; the sign comes
//! from `debitCreditMemo`, applied here and only here.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::model::{AccountChange, AccountKind, Change, NewTransaction, RemoteAccount};
use crate::money::{Currency, parse_decimal};
use crate::providers::ProviderError;

/// `GET /accounts`.
#[derive(Debug, Deserialize)]
pub struct Accounts {
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub page: Option<PageMeta>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub account_category: String,
    pub account_id: String,
    pub account_type: Option<String>,
    pub account_number_display: Option<String>,
    pub product_name: Option<String>,
    pub nickname: Option<String>,
    pub status: Option<String>,
    pub currency: Option<CurrencyCode>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyCode {
    pub currency_code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    pub next_offset: Option<String>,
}

/// `GET /accounts/{accountId}`: the balances of each account category (absolute for a line
/// of credit or a loan: what is owed).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    current_balance: Option<Box<RawValue>>,
    available_balance: Option<Box<RawValue>>,
    principal_balance: Option<Box<RawValue>>,
    balance_as_of: Option<DateTime<Utc>>,
}

/// A JSON number (or a string holding one) as exact minor units.
fn minor(raw: &RawValue, currency: Currency, what: &str) -> Result<i64> {
    let text = raw.get().trim_matches('"');
    parse_decimal(text, currency).map_err(|e| ProviderError::Malformed(format!("{what} {text}: {e}")).into())
}

/// Put an account's balances from its details, in tally's sign (what is owed is negative).
pub fn apply_details(account: &mut RemoteAccount, d: &Details) -> Result<()> {
    let c = account.currency;
    let read = |v: &Option<Box<RawValue>>, what: &str| v.as_deref().map(|v| minor(v, c, what)).transpose();
    let (current, available) = match account.kind {
        AccountKind::Checking | AccountKind::Savings => {
            (read(&d.current_balance, "currentBalance")?, read(&d.available_balance, "availableBalance")?)
        }
        AccountKind::Credit => (read(&d.current_balance, "currentBalance")?.map(|b| -b.abs()), None),
        AccountKind::Loan => (read(&d.principal_balance, "principalBalance")?.map(|b| -b.abs()), None),
        _ => (None, None),
    };
    account.balance_current = current;
    account.balance_available = available;
    if let Some(at) = d.balance_as_of {
        account.balance_as_of = at;
    }
    Ok(())
}

/// `GET /accounts/{accountId}/transactions`: each transaction kept as the bank wrote it.
#[derive(Debug, Deserialize)]
pub struct Transactions {
    #[serde(default)]
    pub page: Option<PageMeta>,
    pub transactions: Vec<Box<RawValue>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tx {
    transaction_id: String,
    posted_timestamp: Option<String>,
    transaction_timestamp: String,
    description: Option<String>,
    payee: Option<String>,
    debit_credit_memo: String,
    status: String,
    amount: Box<RawValue>,
    category: Option<String>,
}

/// What tally keeps as the raw record: the bank's transaction untouched, with the account and
/// currency it came under (Core Exchange transactions carry neither the currency nor always
/// the account), so `sync --replay` can normalize it again alone.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record<'a> {
    pub account_id: String,
    pub currency: String,
    #[serde(borrow)]
    pub transaction: &'a RawValue,
}

/// The FDX error body (`code`, `message`), or a short note when there is none.
pub fn error_detail(body: &str) -> String {
    #[derive(Deserialize)]
    struct E {
        code: serde_json::Value,
        message: Option<String>,
    }
    match serde_json::from_str::<E>(body) {
        Ok(e) => format!("FDX error {}: {}", e.code, e.message.unwrap_or_default()).trim_end_matches(": ").to_string(),
        Err(_) => crate::oauth::error_detail(body),
    }
}

fn kind(category: &str, kind: Option<&str>) -> AccountKind {
    match (category, kind) {
        ("DEPOSIT_ACCOUNT", Some("CHECKING")) => AccountKind::Checking,
        ("DEPOSIT_ACCOUNT", _) => AccountKind::Savings,
        ("LOC_ACCOUNT", _) => AccountKind::Credit,
        ("LOAN_ACCOUNT", _) => AccountKind::Loan,
        ("INVESTMENT_ACCOUNT", _) => AccountKind::Investment,
        _ => AccountKind::Other,
    }
}

/// An account descriptor. Its `accountId` is persistent at the bank (FDX: "long-term
/// persistent identity"), so it is the identity a relink matches on, under the issuer.
pub fn to_remote(a: Account, issuer: &str, now: DateTime<Utc>) -> Result<RemoteAccount> {
    let code = a.currency.as_ref().map_or("USD", |c| c.currency_code.as_str());
    let currency = Currency::parse(code)
        .map_err(|e| ProviderError::Malformed(format!("account {}: currency {code:?}: {e}", a.account_id)))?;
    let name = a.nickname.clone().or_else(|| a.product_name.clone()).unwrap_or_else(|| a.account_id.clone());
    Ok(RemoteAccount {
        kind: kind(&a.account_category, a.account_type.as_deref()),
        balance_current: None,
        balance_available: None,
        balance_as_of: now,
        identity: format!("fdx:{issuer}:{}", a.account_id),
        external_id: a.account_id,
        name,
        official_name: a.product_name,
        currency,
        mask: a.account_number_display.map(|m| m.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect()),
    })
}

/// The calendar date at the front of an ISO 8601 timestamp (the bank's own date).
fn date(s: &str, what: &str, id: &str) -> Result<NaiveDate> {
    s.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
        ProviderError::Malformed(format!("transaction {id}: {what} {s:?} is not an ISO 8601 time")).into()
    })
}

/// A stored [`Record`] back into its change.
pub fn to_change(record: &Record<'_>) -> Result<AccountChange> {
    let bad = |m: String| ProviderError::Malformed(m);
    let t: Tx = serde_json::from_str(record.transaction.get()).map_err(|e| bad(format!("transaction: {e}")))?;
    let currency = Currency::parse(&record.currency)?;
    let id = t.transaction_id.as_str();
    // A JSON number (`101.80`), or a string holding one, as some banks send.
    let text = t.amount.get().trim_matches('"');
    let magnitude = parse_decimal(text, currency)
        .map_err(|e| bad(format!("transaction {id}: amount {text}: {e}")))?
        .checked_abs()
        .ok_or_else(|| bad(format!("transaction {id}: amount {text} is out of range")))?;
    // The amount is absolute; DEBIT (and MEMO, read as DEBIT) is money out of the account.
    let amount = match t.debit_credit_memo.as_str() {
        "DEBIT" | "MEMO" => -magnitude,
        "CREDIT" => magnitude,
        other => return Err(bad(format!("transaction {id}: debitCreditMemo {other:?}")).into()),
    };
    let pending = match t.status.as_str() {
        "POSTED" => false,
        "PENDING" | "MEMO" | "AUTHORIZATION" => true,
        other => return Err(bad(format!("transaction {id}: status {other:?}")).into()),
    };
    let transacted = date(&t.transaction_timestamp, "transactionTimestamp", id)?;
    let booked = match (&t.posted_timestamp, pending) {
        (Some(p), false) => date(p, "postedTimestamp", id)?,
        _ => transacted,
    };
    Ok(AccountChange {
        account_external_id: record.account_id.clone(),
        raw: serde_json::to_string(record).expect("a record serializes"),
        change: Change::Upsert(NewTransaction {
            external_id: t.transaction_id,
            pending_external_id: None,
            booked_date: booked,
            value_date: (transacted != booked).then_some(transacted),
            amount,
            currency,
            payee: t.payee,
            description: t.description.unwrap_or_default(),
            pending,
            provider_category: t.category,
        }),
    })
}

/// Decode `text` as each response body (or part of one) this provider reads: the names of
/// the structs it decoded as (`providers::decode_wire`, for tests/provider_json.rs).
pub(crate) fn decode_bodies(text: &str) -> Vec<&'static str> {
    use crate::providers::decodes;
    [
        ("Accounts", decodes::<Accounts>(text)),
        ("Account", decodes::<Account>(text)),
        ("CurrencyCode", decodes::<CurrencyCode>(text)),
        ("PageMeta", decodes::<PageMeta>(text)),
        ("Details", decodes::<Details>(text)),
        ("Transactions", decodes::<Transactions>(text)),
        ("Tx", decodes::<Tx>(text)),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(tx: &str, currency: &str) -> Result<NewTransaction> {
        let raw = RawValue::from_string(tx.to_string()).unwrap();
        let record = Record { account_id: "a1".into(), currency: currency.into(), transaction: &raw };
        match to_change(&record)?.change {
            Change::Upsert(t) => Ok(t),
            other => panic!("{other:?}"),
        }
    }

    fn tx(amount: &str, dcm: &str, status: &str) -> String {
        format!(
            r#"{{"transactionId":"t1","postedTimestamp":"2022-04-07T00:00:00.000Z","transactionTimestamp":"2022-04-05T10:00:00.000Z","description":"d","debitCreditMemo":"{dcm}","status":"{status}","amount":{amount}}}"#
        )
    }

    #[test]
    fn the_documented_amounts_become_exact_minor_units_signed_once_by_debit_credit_memo() {
        // The Core Exchange examples: 400.00 DEBIT pending, 0.80 DEBIT, 101.80 CREDIT.
        assert_eq!(change(&tx("400.00", "DEBIT", "PENDING"), "USD").unwrap().amount, -40_000);
        assert_eq!(change(&tx("0.80", "DEBIT", "POSTED"), "USD").unwrap().amount, -80);
        assert_eq!(change(&tx("101.80", "CREDIT", "POSTED"), "USD").unwrap().amount, 10_180);
        assert_eq!(change(&tx("-12", "CREDIT", "POSTED"), "USD").unwrap().amount, 1_200, "the memo, not the sign");
        assert_eq!(change(&tx("\"7.5\"", "MEMO", "POSTED"), "USD").unwrap().amount, -750);
        // A float would give 0.30000000000000004 for 0.1 + 0.2; the text is read exactly.
        assert_eq!(change(&tx("9007199254740.99", "CREDIT", "POSTED"), "USD").unwrap().amount, 900_719_925_474_099);
        assert_eq!(change(&tx("1500", "DEBIT", "POSTED"), "JPY").unwrap().amount, -1_500);
        assert!(change(&tx("1.234", "DEBIT", "POSTED"), "USD").is_err(), "more decimals than USD has");
        assert!(change(&tx("1e2", "DEBIT", "POSTED"), "USD").is_err());
        assert!(change(&tx("1.00", "SIDEWAYS", "POSTED"), "USD").is_err());
    }

    #[test]
    fn pending_rows_book_on_their_transaction_date_and_posted_ones_on_the_posting_date() {
        let pending = change(&tx("1.00", "DEBIT", "PENDING"), "USD").unwrap();
        assert!(pending.pending);
        assert_eq!(pending.booked_date.to_string(), "2022-04-05");
        let posted = change(&tx("1.00", "DEBIT", "POSTED"), "USD").unwrap();
        assert!(!posted.pending);
        assert_eq!(posted.booked_date.to_string(), "2022-04-07");
        assert_eq!(posted.value_date.map(|d| d.to_string()).as_deref(), Some("2022-04-05"));
        assert!(change(&tx("1.00", "DEBIT", "SETTLED"), "USD").is_err());
    }

    #[test]
    fn fdx_error_bodies_read_as_code_and_message() {
        assert_eq!(error_detail(r#"{"code":701,"message":"Account not found"}"#), "FDX error 701: Account not found");
        assert_eq!(error_detail("<html>"), "no error details");
    }
}
