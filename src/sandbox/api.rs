//! The sandbox's bearer-token JSON API: accounts with balances, and a cursor-paged
//! transactions feed of added / modified / removed (shape in the module doc of `sandbox`).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::data::{Change, Tx};
use super::http::{Reply, Req, get};
use super::{Faults, Grant, State, oauth};

const MAX_COUNT: usize = 500;

/// Apply the fault switches, authenticate, then run the handler for the caller's grant.
pub fn with_faults(state: &mut State, req: &Req, handler: fn(&State, &Grant, &Req) -> Reply) -> Reply {
    let mut delay_ms = 0;
    let f = &mut state.faults;
    if f.after > 0 {
        f.after -= 1;
    } else if let Some(reply) = fault(f, &mut delay_ms) {
        return reply;
    }
    let grant = match oauth::authenticate(state, req.bearer.as_deref()) {
        Ok(g) => g,
        Err(reply) => return reply,
    };
    Reply { delay_ms, ..handler(state, &state.grants[&grant], req) }
}

/// The reply the armed fault switches call for, if any (`slow` only sets the delay).
fn fault(f: &mut Faults, delay_ms: &mut u64) -> Option<Reply> {
    if f.slow > 0 {
        f.slow -= 1;
        *delay_ms = f.slow_ms;
    }
    if f.rate_limit > 0 {
        f.rate_limit -= 1;
        return Some(
            Reply::error(429, "rate_limited", "too many requests")
                .with_header("Retry-After", f.retry_after.to_string()),
        );
    }
    if f.server_error > 0 {
        f.server_error -= 1;
        return Some(Reply::error(500, "internal_error", "the bank had a problem"));
    }
    if f.malformed > 0 {
        f.malformed -= 1;
        return Some(Reply {
            content_type: "application/json",
            ..Reply::html(200, "{\"added\": [{\"transaction_id\": ".into())
        });
    }
    None
}

fn money(minor: i64, currency: &str) -> String {
    let c = crate::money::Currency::parse(currency).expect("sandbox currencies are ISO codes");
    crate::money::format_amount(minor, c)
}

pub fn accounts(state: &State, grant: &Grant, _req: &Req) -> Reply {
    let today = state.clock.today();
    let visible = state.bank.events.partition_point(|e| e.visible <= today);
    // Balances: the opening balance plus every posted transaction visible today.
    let mut current: HashMap<usize, i64> = HashMap::new();
    let mut pending: HashMap<usize, i64> = HashMap::new();
    let mut live: HashMap<&str, &Tx> = HashMap::new();
    for e in &state.bank.events[..visible] {
        match &e.change {
            Change::Added(t) | Change::Modified(t) => {
                live.insert(&t.id, t);
            }
            Change::Removed { id, .. } => {
                live.remove(id.as_str());
            }
        }
    }
    for t in live.values() {
        let bucket = if t.pending { &mut pending } else { &mut current };
        *bucket.entry(t.account).or_default() += t.amount;
    }
    let accounts: Vec<Value> = grant
        .accounts
        .iter()
        .map(|&i| {
            let a = &state.bank.accounts[i];
            let cur = a.opening_balance + current.get(&i).copied().unwrap_or(0);
            let avail = cur + pending.get(&i).copied().unwrap_or(0);
            json!({
                "account_id": account_id(&a.id, grant),
                "name": a.name,
                "official_name": a.official_name,
                "type": a.kind,
                "subtype": a.subtype,
                "mask": a.mask,
                "iban": a.iban,
                "iso_currency_code": a.currency,
                "balances": {
                    "current": money(cur, a.currency),
                    "available": money(avail, a.currency),
                    "as_of": state.clock.now().to_rfc3339(),
                },
            })
        })
        .collect();
    Reply::json(200, &json!({ "accounts": accounts, "consent_expires_at": grant.expires.to_rfc3339() }))
}

/// Account ids are scoped to one consent, as some real providers' are (Enable Banking's
/// `uid`): a re-linked consent sees the same accounts under new ids.
fn account_id(id: &str, grant: &Grant) -> String {
    format!("{id}.g{}", grant.id)
}

fn tx_json(state: &State, grant: &Grant, t: &Tx) -> Value {
    let a = &state.bank.accounts[t.account];
    json!({
        "transaction_id": t.id,
        "account_id": account_id(&a.id, grant),
        "date": t.date.to_string(),
        "authorized_date": t.authorized_date.map(|d| d.to_string()),
        "amount": money(t.amount, a.currency),
        "iso_currency_code": a.currency,
        "name": t.name,
        "merchant_name": t.merchant,
        "pending": t.pending,
        "pending_transaction_id": t.pending_id,
        "category": t.category,
    })
}

/// The cursorless API: the current state of one account's transactions from `start_date` to
/// the bank's today. Like many PSD2 aggregators it does not say which pending transaction a
/// posted one replaces, and vanished transactions simply are not there any more.
pub fn transactions_window(state: &State, grant: &Grant, req: &Req) -> Reply {
    let Some(account) = get(&req.query, "account_id")
        .and_then(|id| grant.accounts.iter().copied().find(|&i| account_id(&state.bank.accounts[i].id, grant) == id))
    else {
        return Reply::error(404, "unknown_account", "no such account under this consent");
    };
    let Some(start) = get(&req.query, "start_date").and_then(|d| d.parse::<chrono::NaiveDate>().ok()) else {
        return Reply::error(400, "invalid_request", "start_date (YYYY-MM-DD) is required");
    };
    let rows: Vec<Value> = live(state, account)
        .into_iter()
        .filter(|t| t.date >= start)
        .map(|t| {
            let mut v = tx_json(state, grant, t);
            v["pending_transaction_id"] = Value::Null;
            v
        })
        .collect();
    Reply::json(200, &json!({ "transactions": rows }))
}

/// One account's transactions as the bank's today sees them, in first-seen order (removed
/// ones absent). The window API and the FDX surface (`super::fdx`) read it.
pub fn live(state: &State, account: usize) -> Vec<&Tx> {
    let today = state.clock.today();
    let visible = state.bank.events.partition_point(|e| e.visible <= today);
    // In first-seen order; `None` once removed.
    let mut live: Vec<Option<&Tx>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for e in &state.bank.events[..visible] {
        if e.change.account() != account {
            continue;
        }
        match &e.change {
            Change::Added(t) | Change::Modified(t) => match index.get(t.id.as_str()) {
                Some(&i) => live[i] = Some(t),
                None => {
                    index.insert(&t.id, live.len());
                    live.push(Some(t));
                }
            },
            Change::Removed { id, .. } => {
                if let Some(i) = index.remove(id.as_str()) {
                    live[i] = None;
                }
            }
        }
    }
    live.into_iter().flatten().collect()
}

pub fn transactions_sync(state: &State, grant: &Grant, req: &Req) -> Reply {
    let start = match get(&req.query, "cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => match c.strip_prefix("c1.").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n <= state.bank.events.len() => n,
            _ => {
                return Reply::error(400, "invalid_cursor", "the cursor is not one this bank issued");
            }
        },
    };
    let count = match get(&req.query, "count").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=MAX_COUNT).contains(&n) => n,
        _ => return Reply::error(400, "invalid_request", "count must be between 1 and 500"),
    };
    let today = state.clock.today();
    let visible = state.bank.events.partition_point(|e| e.visible <= today);
    let mut taken = 0;
    let mut end = start.min(visible);
    // Merge changes to one transaction within the page, as cursor APIs do.
    let mut order: Vec<String> = Vec::new();
    let mut added: HashMap<String, &Tx> = HashMap::new();
    let mut modified: HashMap<String, &Tx> = HashMap::new();
    let mut removed: Vec<(String, usize)> = Vec::new();
    while end < visible && taken < count {
        let e = &state.bank.events[end];
        end += 1;
        if !grant.accounts.contains(&e.change.account()) {
            continue;
        }
        taken += 1;
        match &e.change {
            Change::Added(t) => {
                order.push(t.id.clone());
                added.insert(t.id.clone(), t);
            }
            Change::Modified(t) => {
                if added.contains_key(&t.id) {
                    added.insert(t.id.clone(), t);
                } else {
                    order.push(t.id.clone());
                    modified.insert(t.id.clone(), t);
                }
            }
            Change::Removed { id, account } => {
                // Added and removed within one page: the client never needs to hear of it.
                if added.remove(id).is_none() {
                    modified.remove(id);
                    removed.push((id.clone(), *account));
                }
            }
        }
    }
    let pick = |map: &HashMap<String, &Tx>| -> Vec<Value> {
        order.iter().filter_map(|id| map.get(id)).map(|t| tx_json(state, grant, t)).collect()
    };
    let removed: Vec<Value> = removed
        .iter()
        .map(
            |(id, acc)| json!({ "transaction_id": id, "account_id": account_id(&state.bank.accounts[*acc].id, grant) }),
        )
        .collect();
    Reply::json(
        200,
        &json!({
            "added": pick(&added),
            "modified": pick(&modified),
            "removed": removed,
            "next_cursor": format!("c1.{end}"),
            "has_more": end < visible,
        }),
    )
}
