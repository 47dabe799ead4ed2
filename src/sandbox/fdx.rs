//! The sandbox bank's FDX surface, shaped as Plaid Core Exchange (FDX 6.4) shapes it, for
//! `tally link fdx`: the issuer's signing keys (`GET /jwks`), `GET /fdx/accounts` (account
//! descriptors: deposit, credit card as a line of credit, and an auto loan), and
//! `GET /fdx/accounts/{accountId}/transactions?startTime&endTime&offset&limit`: amounts are
//! absolute JSON numbers (`400.00`) with `debitCreditMemo`, `status` PENDING or POSTED,
//! pages of at most [`PAGE_LIMIT`] that end when `page.nextOffset` is absent. Errors are FDX
//! bodies (`code`, `message`). Account ids are the bank's own, stable across consents.
//! The OAuth side (ID tokens signed with [`KEY_ID`] when `openid` is asked) is `super::oauth`.

use chrono::{Datelike as _, NaiveDate};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::api;
use super::http::{Reply, Req, get};
use super::{Grant, State};

/// The key the sandbox signs ID tokens with (a test key, published in the clear on purpose).
const KEY_PEM: &str = include_str!("fdx_key.pem");
pub const KEY_ID: &str = "sandbox-fdx-1";
/// Its modulus, base64url (the exponent is 65537, `AQAB`).
const KEY_N: &str = "0b0J8BG2vk8S6n3DcRHqO463utFY0TEskd6U77yvAqRPjZGGzsb4ZzcwGNHQUCrX0E8zpIDeKJ6q1ezNJkep0afjudrYmqrQHZF3G630D6DldKPCtfa_-vYs9IYMYMuX5eA5PauGOR1vGmjDZlCJOMSqnlPjhRI-nf7F8mPvmVlEMxrG8c93l0HCh910QGEvj1hPilPso_lR4-TEqjptnGQFvAfrONeGPVDxZ9wztisIfOyGVX2JoBVqV4vQ8ywGLDzdmqKOC0To_5YhC9QwfdixrYNFyK9-npd7DW6kZXygczol32Vw8EXwoFFjpl1NXOUdoD4B_H_abrggl18h2Q";
/// The most transactions one page holds, whatever `limit` asks.
pub const PAGE_LIMIT: usize = 25;
/// The auto loan every FDX consent also sees (the synthetic bank has no loan of its own).
const LOAN_ID: &str = "loan-auto-1";

/// The issuer's public keys (RFC 7517).
pub fn jwks() -> Value {
    json!({ "keys": [{ "kty": "RSA", "kid": KEY_ID, "use": "sig", "alg": "RS256", "n": KEY_N, "e": "AQAB" }] })
}

/// An ID token signed with the sandbox key.
pub fn sign(claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(KEY_ID.into());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).expect("the sandbox key is valid PEM");
    jsonwebtoken::encode(&header, claims, &key).expect("claims serialize")
}

pub(super) fn route(state: &mut State, req: &Req) -> Reply {
    let handler: fn(&State, &Grant, &Req) -> Reply = if req.path == "/fdx/accounts" {
        accounts
    } else if req.path.starts_with("/fdx/accounts/") && req.path.ends_with("/transactions") {
        transactions
    } else if req.path.starts_with("/fdx/accounts/") && req.path.matches('/').count() == 3 {
        details
    } else {
        return error(404, 404, "no such FDX endpoint");
    };
    api::with_faults(state, req, handler)
}

/// An FDX error body.
fn error(status: u16, code: u32, message: &str) -> Reply {
    Reply::json(status, &json!({ "code": code, "message": message, "debugMessage": message }))
}

fn accounts(state: &State, grant: &Grant, _req: &Req) -> Reply {
    let mut list: Vec<Value> = grant
        .accounts
        .iter()
        .map(|&i| {
            let a = &state.bank.accounts[i];
            let (category, kind) = match (a.kind, a.subtype) {
                ("credit", _) => ("LOC_ACCOUNT", "CREDITCARD"),
                (_, "savings") => ("DEPOSIT_ACCOUNT", "SAVINGS"),
                _ => ("DEPOSIT_ACCOUNT", "CHECKING"),
            };
            json!({
                "accountCategory": category, "accountId": a.id, "accountType": kind,
                "accountNumberDisplay": a.mask, "productName": a.official_name, "nickname": a.name,
                "status": "OPEN", "currency": { "currencyCode": a.currency },
            })
        })
        .collect();
    list.push(json!({
        "accountCategory": "LOAN_ACCOUNT", "accountId": LOAN_ID, "accountType": "AUTOLOAN",
        "accountNumberDisplay": "4704", "productName": "Auto Loan", "nickname": "Car loan",
        "status": "OPEN", "currency": { "currencyCode": "USD" },
    }));
    Reply::json(200, &json!({ "page": {}, "accounts": list }))
}

/// `GET /fdx/accounts/{id}`: the descriptor's category and balances as of the bank's now
/// (owed amounts absolute, as FDX writes them).
fn details(state: &State, grant: &Grant, req: &Req) -> Reply {
    let id = &req.path["/fdx/accounts/".len()..];
    let as_of = state.clock.now().to_rfc3339();
    let body = if id == LOAN_ID {
        let paid: i64 =
            loan(state.clock.today()).iter().map(|t| if t.debit_credit_memo == "CREDIT" { 35_000 } else { -80 }).sum();
        format!(
            r#"{{"accountCategory":"LOAN_ACCOUNT","accountId":"{LOAN_ID}","principalBalance":{},"balanceAsOf":"{as_of}"}}"#,
            number(1_500_000 - paid).get()
        )
    } else if let Some(i) = grant.accounts.iter().copied().find(|&i| state.bank.accounts[i].id == id) {
        let a = &state.bank.accounts[i];
        let rows = api::live(state, i);
        let current = a.opening_balance + rows.iter().filter(|t| !t.pending).map(|t| t.amount).sum::<i64>();
        let available = current + rows.iter().filter(|t| t.pending).map(|t| t.amount).sum::<i64>();
        let signed = |m: i64| format!("{}{}", if m < 0 { "-" } else { "" }, number(m).get());
        if a.kind == "credit" {
            format!(
                r#"{{"accountCategory":"LOC_ACCOUNT","accountId":"{id}","currentBalance":{},"balanceAsOf":"{as_of}"}}"#,
                number(current).get()
            )
        } else {
            format!(
                r#"{{"accountCategory":"DEPOSIT_ACCOUNT","accountId":"{id}","currentBalance":{},"availableBalance":{},"balanceAsOf":"{as_of}"}}"#,
                signed(current),
                signed(available)
            )
        }
    } else {
        return error(404, 701, "account not found under this consent");
    };
    Reply { content_type: "application/json", ..Reply::html(200, body) }
}

/// One transaction as Core Exchange sends it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FdxTx {
    account_category: &'static str,
    account_id: String,
    transaction_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    posted_timestamp: Option<String>,
    transaction_timestamp: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payee: Option<String>,
    debit_credit_memo: &'static str,
    status: &'static str,
    /// A JSON number written as the bank writes it (`101.80`), not through a float.
    amount: Box<RawValue>,
}

fn stamp(d: NaiveDate) -> String {
    format!("{d}T00:00:00.000Z")
}

fn number(minor: i64) -> Box<RawValue> {
    RawValue::from_string(format!("{}.{:02}", minor.abs() / 100, minor.abs() % 100)).expect("a JSON number")
}

fn transactions(state: &State, grant: &Grant, req: &Req) -> Reply {
    let id = &req.path["/fdx/accounts/".len()..req.path.len() - "/transactions".len()];
    let date = |k: &str| get(&req.query, k).map(|d| d.get(..10).unwrap_or(d).parse::<NaiveDate>());
    let (start, end) = match (date("startTime"), date("endTime")) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => return error(400, 703, "startTime and endTime are ISO 8601 dates"),
        (s, e) => (s.and_then(Result::ok).unwrap_or(NaiveDate::MIN), e.and_then(Result::ok).unwrap_or(NaiveDate::MAX)),
    };
    let offset = match get(&req.query, "offset").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return error(400, 703, "offset is not one this bank issued"),
    };
    let limit = match get(&req.query, "limit").map(str::parse::<usize>) {
        None => PAGE_LIMIT,
        Some(Ok(n)) if n >= 1 => n.min(PAGE_LIMIT),
        _ => return error(400, 703, "limit must be a positive integer"),
    };
    let all: Vec<FdxTx> = if id == LOAN_ID {
        loan(state.clock.today())
    } else if let Some(i) = grant.accounts.iter().copied().find(|&i| state.bank.accounts[i].id == id) {
        let a = &state.bank.accounts[i];
        let category = if a.kind == "credit" { "LOC_ACCOUNT" } else { "DEPOSIT_ACCOUNT" };
        api::live(state, i)
            .into_iter()
            .map(|t| FdxTx {
                account_category: category,
                account_id: a.id.clone(),
                transaction_id: t.id.clone(),
                posted_timestamp: (!t.pending).then(|| stamp(t.date)),
                transaction_timestamp: stamp(t.authorized_date.unwrap_or(t.date)),
                description: t.name.clone(),
                payee: t.merchant.clone(),
                debit_credit_memo: if t.amount < 0 { "DEBIT" } else { "CREDIT" },
                status: if t.pending { "PENDING" } else { "POSTED" },
                amount: number(t.amount),
            })
            .collect()
    } else {
        return error(404, 701, "account not found under this consent");
    };
    let in_window: Vec<FdxTx> = all
        .into_iter()
        .filter(|t| {
            let d: NaiveDate = t.posted_timestamp.as_deref().unwrap_or(&t.transaction_timestamp)[..10]
                .parse()
                .unwrap_or(NaiveDate::MIN);
            (start..=end).contains(&d)
        })
        .collect();
    let total = in_window.len();
    let page: Vec<&FdxTx> = in_window.iter().skip(offset).take(limit).collect();
    let next = (offset + page.len() < total).then(|| (offset + page.len()).to_string());
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Page<'a> {
        page: Meta,
        transactions: Vec<&'a FdxTx>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Meta {
        #[serde(skip_serializing_if = "Option::is_none")]
        next_offset: Option<String>,
        total_elements: usize,
    }
    let body =
        serde_json::to_string(&Page { page: Meta { next_offset: next, total_elements: total }, transactions: page })
            .expect("serializes");
    Reply { content_type: "application/json", ..Reply::html(200, body) }
}

/// The auto loan: a payment of 350.00 on the first of each of the last three months, and a
/// late fee of 0.80 (a debit) in the last one.
fn loan(today: NaiveDate) -> Vec<FdxTx> {
    let first = today.with_day(1).expect("day 1 exists");
    let mut out = Vec::new();
    for back in (0..3).rev() {
        let d = first - chrono::Months::new(back);
        out.push(FdxTx {
            account_category: "LOAN_ACCOUNT",
            account_id: LOAN_ID.into(),
            transaction_id: format!("loan-pay-{d}"),
            posted_timestamp: Some(stamp(d)),
            transaction_timestamp: stamp(d),
            description: "Loan payment, thank you".into(),
            payee: None,
            debit_credit_memo: "CREDIT",
            status: "POSTED",
            amount: number(35_000),
        });
    }
    out.push(FdxTx {
        account_category: "LOAN_ACCOUNT",
        account_id: LOAN_ID.into(),
        transaction_id: format!("loan-fee-{first}"),
        posted_timestamp: Some(stamp(first)),
        transaction_timestamp: stamp(first),
        description: "Late fee".into(),
        payee: None,
        debit_credit_memo: "DEBIT",
        status: "POSTED",
        amount: number(80),
    });
    out
}
