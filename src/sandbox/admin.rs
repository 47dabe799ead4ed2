//! The sandbox's admin switches: its clock, its faults and its account list (for tests and
//! demos).

use chrono::NaiveDate;

use super::State;
use super::http::{Params, Reply, get};

pub fn clock(state: &mut State, query: &Params) -> Reply {
    if let Some(days) = get(query, "advance_days") {
        let Ok(days) = days.parse::<i64>() else {
            return Reply::error(400, "invalid_request", "advance_days must be a whole number");
        };
        state.clock.offset += chrono::Duration::days(days);
    } else if let Some(date) = get(query, "set") {
        let Ok(date) = date.parse::<NaiveDate>() else {
            return Reply::error(400, "invalid_request", "set takes a date YYYY-MM-DD");
        };
        let now = state.clock.now();
        state.clock.offset += date.and_time(now.time()).and_utc() - now;
    }
    Reply::json(200, &serde_json::json!({ "now": state.clock.now().to_rfc3339() }))
}

pub fn set_fault(state: &mut State, query: &Params) -> Result<(), String> {
    let number = |name: &str, default: u64| -> Result<u64, String> {
        get(query, name).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{name} must be a number")))
    };
    let count = number("count", 1)? as u32;
    let f = &mut state.faults;
    f.after = number("after", 0)? as u32;
    match get(query, "kind").unwrap_or("") {
        "rate_limit" => {
            f.rate_limit = count;
            f.retry_after = number("retry_after", 1)? as u32;
        }
        "server_error" => f.server_error = count,
        "slow" => {
            f.slow = count;
            f.slow_ms = number("ms", 2000)?;
        }
        "malformed" => f.malformed = count,
        "malformed_token" => f.malformed_token = count,
        "revoke_error" => f.revoke_error = count,
        "token_ttl" => f.token_ttl = Some(number("secs", 0)? as i64),
        "revoke" => state.grants.values_mut().for_each(|g| g.revoked = true),
        "clear" => *f = Default::default(),
        other => return Err(format!("unknown fault kind {other:?}")),
    }
    Ok(())
}

/// Change the account list as banks do: `order=reverse` lists every consent's accounts the
/// other way round; `rename=<bank account id>&name=N` renames one (its id and identity stay).
pub fn set_accounts(state: &mut State, query: &Params) -> Result<(), String> {
    if get(query, "order") == Some("reverse") {
        state.grants.values_mut().for_each(|g| g.accounts.reverse());
    }
    if let Some(id) = get(query, "rename") {
        let name = get(query, "name").ok_or("rename needs a name")?;
        let account = state.bank.accounts.iter_mut().find(|a| a.id == id).ok_or(format!("no account {id:?}"))?;
        account.name = name.to_string();
    }
    Ok(())
}
