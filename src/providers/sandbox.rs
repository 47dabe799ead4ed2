//! The sandbox provider: the reference OAuth flow (loopback + PKCE) against the built-in
//! sandbox bank, and its cursor feed. Wire structs mirror the API documented in `crate::sandbox`.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Linked, Page, Provider, ProviderEnv, ProviderError, ProviderKind, Quota, Session, retry};
use crate::model::{AccountChange, AccountKind, Change, NewTransaction, RemoteAccount};
use crate::money::{Currency, parse_decimal};
use crate::oauth::{self, ConsentUi, Endpoints, Tokens, token};

const INSTITUTION: &str = "Tally Sandbox Bank";
const PAGE_SIZE: u32 = 500;
/// Window mode re-reads this many days before the last sync, to catch late and changed rows.
const OVERLAP_DAYS: u64 = 14;
/// Window mode's first sync reaches this far back.
const HISTORY_DAYS: u64 = 730;

/// The sandbox's documented limits, modelled on real providers'.
pub fn quota(mode: Mode) -> Quota {
    match mode {
        // Like Plaid's /transactions/sync: no documented daily cap; the bank refreshes hourly.
        Mode::Cursor => Quota { per_day: None, interval: chrono::Duration::hours(1) },
        // Like GoCardless since 2025-03: 4 requests a day per account and scope.
        Mode::Window => Quota { per_day: Some(4), interval: chrono::Duration::hours(6) },
    }
}

/// Which of the sandbox's two transaction APIs to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/api/transactions/sync`: added / modified / removed after a cursor.
    Cursor,
    /// `/api/transactions`: the current state of a date window, one account per page.
    Window,
}

pub struct Sandbox {
    env: ProviderEnv,
    mode: Mode,
    endpoints: OnceLock<Endpoints>,
    /// Window mode lists accounts once per command: its quota is per day, like the bank's.
    accounts: OnceLock<Vec<RemoteAccount>>,
}

impl Sandbox {
    pub fn new(env: ProviderEnv, mode: Mode) -> Sandbox {
        Sandbox { env, mode, endpoints: OnceLock::new(), accounts: OnceLock::new() }
    }

    fn endpoints(&self) -> Result<&Endpoints> {
        if let Some(e) = self.endpoints.get() {
            return Ok(e);
        }
        let e = oauth::discover(&self.env.http, &self.env.sandbox_url)?;
        Ok(self.endpoints.get_or_init(|| e))
    }

    fn refresh(&self, session: &mut Session<'_>, old: &Tokens) -> Result<Tokens> {
        let client = oauth::client(self.endpoints()?, crate::sandbox::CLIENT_ID)?;
        let fresh = token::refresh(&self.env.http, &client, old, self.env.now).map_err(|e| match e
            .downcast_ref::<token::TokenError>()
        {
            Some(token::TokenError::Revoked(why)) => ProviderError::NeedsRelink(why.clone()).into(),
            _ => e,
        })?;
        session.replace(fresh.to_secret())?;
        tracing::debug!("access token refreshed; the rotated refresh token is saved");
        Ok(fresh)
    }

    /// GET an API path with the bearer token: refresh when expired, once more on a 401. Each
    /// attempt is charged to `scope` of the quota first.
    fn get<T: DeserializeOwned>(
        &self,
        session: &mut Session<'_>,
        path: &str,
        scope: &str,
    ) -> Result<(T, serde_json::Value)> {
        let url = format!("{}{path}", self.env.sandbox_url);
        let mut tokens = Tokens::from_secret(session.secret())?;
        if tokens.expired(self.env.now) {
            tokens = self.refresh(session, &tokens)?;
        }
        let mut refreshed = false;
        loop {
            let bearer = tokens.access_token.clone();
            let response =
                retry::send(|| self.env.http.get(&url).bearer_auth(&bearer), &url, &mut || session.spend(scope))?;
            let status = response.status().as_u16();
            let body = response.text().with_context(|| format!("cannot read the answer from {url}"))?;
            match status {
                200 => {
                    let value: serde_json::Value =
                        serde_json::from_str(&body).map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))?;
                    let parsed =
                        T::deserialize(&value).map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))?;
                    return Ok((parsed, value));
                }
                401 if !refreshed => {
                    tokens = self.refresh(session, &tokens)?;
                    refreshed = true;
                }
                401 | 403 => return Err(ProviderError::NeedsRelink(api_error(&body)).into()),
                _ => {
                    return Err(ProviderError::Upstream { status, message: api_error(&body) }.into());
                }
            }
        }
    }
}

/// The `error` and `error_description` of an API error body, or a short note when there is none.
fn api_error(body: &str) -> String {
    #[derive(Deserialize)]
    struct E {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_str::<E>(body) {
        Ok(e) => format!("{}{}", e.error, e.error_description.map(|d| format!(": {d}")).unwrap_or_default()),
        Err(_) => "no error details".into(),
    }
}

#[derive(Debug, Deserialize)]
struct WireAccounts {
    accounts: Vec<WireAccount>,
}

#[derive(Debug, Deserialize)]
struct WireAccount {
    account_id: String,
    name: String,
    official_name: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    subtype: Option<String>,
    mask: Option<String>,
    iban: Option<String>,
    iso_currency_code: String,
    balances: WireBalances,
}

#[derive(Debug, Deserialize)]
struct WireBalances {
    current: Option<String>,
    available: Option<String>,
    as_of: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct WireSync {
    added: Vec<serde_json::Value>,
    modified: Vec<serde_json::Value>,
    removed: Vec<WireRemoved>,
    next_cursor: String,
    has_more: bool,
}

#[derive(Debug, Deserialize)]
struct WireWindow {
    transactions: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct WireRemoved {
    transaction_id: String,
    account_id: String,
}

#[derive(Debug, Deserialize)]
struct WireTx {
    transaction_id: String,
    account_id: String,
    date: NaiveDate,
    authorized_date: Option<NaiveDate>,
    amount: String,
    iso_currency_code: String,
    name: String,
    merchant_name: Option<String>,
    pending: bool,
    pending_transaction_id: Option<String>,
    category: Option<String>,
}

fn account_kind(kind: &str, subtype: Option<&str>) -> AccountKind {
    match (kind, subtype) {
        ("depository", Some("savings")) => AccountKind::Savings,
        ("depository", _) => AccountKind::Checking,
        ("credit", _) => AccountKind::Credit,
        ("loan", _) => AccountKind::Loan,
        ("investment", _) => AccountKind::Investment,
        _ => AccountKind::Other,
    }
}

fn to_remote(a: WireAccount) -> Result<RemoteAccount> {
    let currency = Currency::parse(&a.iso_currency_code)?;
    let amount = |s: Option<String>| s.map(|s| parse_decimal(&s, currency)).transpose();
    let identity = match (&a.iban, &a.mask) {
        (Some(iban), _) => format!("iban:{}", iban.replace(' ', "")),
        (None, mask) => format!(
            "mask:{INSTITUTION}:{}:{}",
            mask.as_deref().unwrap_or(""),
            a.official_name.as_deref().unwrap_or(&a.name)
        ),
    };
    Ok(RemoteAccount {
        kind: account_kind(&a.kind, a.subtype.as_deref()),
        balance_current: amount(a.balances.current)?,
        balance_available: amount(a.balances.available)?,
        balance_as_of: a.balances.as_of,
        external_id: a.account_id,
        identity,
        name: a.name,
        official_name: a.official_name,
        currency,
        mask: a.mask,
    })
}

fn to_change(raw: serde_json::Value) -> Result<AccountChange> {
    let t = WireTx::deserialize(&raw).map_err(|e| ProviderError::Malformed(format!("transaction: {e}")))?;
    let currency = Currency::parse(&t.iso_currency_code)?;
    let amount = parse_decimal(&t.amount, currency)
        .map_err(|e| ProviderError::Malformed(format!("transaction {}: {e}", t.transaction_id)))?;
    Ok(AccountChange {
        account_external_id: t.account_id,
        raw: raw.to_string(),
        change: Change::Upsert(NewTransaction {
            external_id: t.transaction_id,
            pending_external_id: t.pending_transaction_id,
            booked_date: t.date,
            value_date: t.authorized_date,
            amount,
            currency,
            payee: t.merchant_name,
            description: t.name,
            pending: t.pending,
            provider_category: t.category,
        }),
    })
}

impl Sandbox {
    fn fetch_cursor(&self, session: &mut Session<'_>, cursor: Option<&str>) -> Result<Page> {
        let mut path = format!("/api/transactions/sync?count={PAGE_SIZE}");
        if let Some(c) = cursor {
            path.push_str("&cursor=");
            path.push_str(&url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>());
        }
        let (wire, _): (WireSync, _) = self.get(session, &path, "connection")?;
        let mut changes = Vec::with_capacity(wire.added.len() + wire.modified.len() + wire.removed.len());
        for raw in wire.added.into_iter().chain(wire.modified) {
            changes.push(to_change(raw)?);
        }
        for r in wire.removed {
            let raw = serde_json::json!({ "removed": r.transaction_id, "account_id": r.account_id }).to_string();
            changes.push(AccountChange {
                account_external_id: r.account_id,
                raw,
                change: Change::Remove { external_id: r.transaction_id },
            });
        }
        Ok(Page { changes, next_cursor: wire.next_cursor, has_more: wire.has_more, window: None })
    }

    /// One account per page. The position `w1:<date of last full sync>:<account index>` lets
    /// an interrupted sync resume at the account it was on.
    fn fetch_window(&self, session: &mut Session<'_>, cursor: Option<&str>) -> Result<Page> {
        let (since, index) = match cursor.map(|c| c.split(':').collect::<Vec<_>>()).as_deref() {
            None => (None, 0),
            Some(["w1", date, index]) => {
                let since = if date.is_empty() { None } else { Some(date.parse::<NaiveDate>()?) };
                (since, index.parse::<usize>()?)
            }
            Some(_) => anyhow::bail!("the stored position {cursor:?} is not a window position; link again"),
        };
        let accounts = self.accounts(session)?;
        let Some(account) = accounts.get(index) else {
            anyhow::bail!("the stored position names account {index} of {}", accounts.len());
        };
        let today = self.env.now.date_naive();
        let from = since.map_or(today - chrono::Days::new(HISTORY_DAYS), |d| d - chrono::Days::new(OVERLAP_DAYS));
        let path = format!(
            "/api/transactions?account_id={}&start_date={from}",
            url::form_urlencoded::byte_serialize(account.external_id.as_bytes()).collect::<String>()
        );
        let (wire, _): (WireWindow, _) = self.get(session, &path, &format!("account {}", account.name))?;
        let changes = wire.transactions.into_iter().map(to_change).collect::<Result<Vec<_>>>()?;
        let has_more = index + 1 < accounts.len();
        let since_text = since.map(|d| d.to_string()).unwrap_or_default();
        let next_cursor = if has_more { format!("w1:{since_text}:{}", index + 1) } else { format!("w1:{today}:0") };
        let window = super::Window { account_external_id: account.external_id.clone(), from };
        Ok(Page { changes, next_cursor, has_more, window: Some(window) })
    }
}

impl Provider for Sandbox {
    fn kind(&self) -> ProviderKind {
        match self.mode {
            Mode::Cursor => ProviderKind::Sandbox,
            Mode::Window => ProviderKind::SandboxWindow,
        }
    }

    fn link(&self, ui: &ConsentUi<'_>, timeout: Duration, say: &dyn Fn(&str)) -> Result<Linked> {
        let endpoints = self.endpoints()?;
        let request = oauth::Request {
            client_id: crate::sandbox::CLIENT_ID,
            scopes: "accounts transactions",
            timeout,
            now: self.env.now,
        };
        let tokens = oauth::authorize(&self.env.http, endpoints, &request, ui, say)?;
        Ok(Linked {
            consent_expires_at: tokens.consent_expires_at,
            secret: tokens.to_secret(),
            institution: INSTITUTION.to_string(),
        })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        if let Some(cached) = self.accounts.get() {
            return Ok(cached.clone());
        }
        let scope = if self.mode == Mode::Cursor { "connection" } else { "accounts" };
        let (wire, _): (WireAccounts, _) = self.get(session, "/api/accounts", scope)?;
        let accounts: Vec<RemoteAccount> = wire.accounts.into_iter().map(to_remote).collect::<Result<_>>()?;
        if self.mode == Mode::Window {
            let _ = self.accounts.set(accounts.clone());
        }
        Ok(accounts)
    }

    fn fetch(&self, session: &mut Session<'_>, cursor: Option<&str>) -> Result<Page> {
        match self.mode {
            Mode::Cursor => self.fetch_cursor(session, cursor),
            Mode::Window => self.fetch_window(session, cursor),
        }
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| ProviderError::Malformed(format!("stored record: {e}")))?;
        if let Some(id) = value.get("removed").and_then(|v| v.as_str()) {
            return Ok(Change::Remove { external_id: id.to_string() });
        }
        Ok(to_change(value)?.change)
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        let client = oauth::client(self.endpoints()?, crate::sandbox::CLIENT_ID)?;
        token::revoke(&self.env.http, &client, &Tokens::from_secret(session.secret())?)
    }
}
