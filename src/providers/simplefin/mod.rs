//! The SimpleFIN provider (protocol v2). Link: the user pastes a setup token (base64 of a
//! claim URL), tally claims it with one POST and keeps the access URL it gets back, which
//! embeds Basic credentials, as the connection's secret. Sync: `GET /accounts` for every
//! account at once, in date windows of at most 90 days (`position.rs`), one page per account.
//! An `errlist` entry about some accounts fails those accounts alone (`Session::account_failed`:
//! none of their rows is applied, they are read again next time); one about the whole service
//! (`gen.*`) is reported after every row is saved (`access.rs` has the HTTP side, `wire.rs`
//! the payloads).

mod access;
mod position;
pub(super) mod wire;

use std::collections::BTreeSet;
use std::sync::Mutex;

use anyhow::Result;
use chrono::NaiveDate;

use self::access::{Access, Trouble};
use self::position::{Pass, Position, window_end};
use self::wire::AccountSet;
use super::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};
use super::{FetchRequest, LinkOptions, Linked, Page, Provider, ProviderEnv, ProviderKind, Quota, Session, Window};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::error::UserError;
use crate::model::{Change, RemoteAccount};

/// The SimpleFIN Bridge, where users create setup tokens (`/create`).
const DEFAULT_URL: &str = "https://bridge.simplefin.org/simplefin";
/// Every call is charged here: the Bridge counts requests per access token.
const SCOPE: &str = "connection";

/// The Bridge asks for "24 requests or fewer per day" and disables tokens that go on past
/// about 48-96; its data refreshes about once a day.
pub fn quota() -> Quota {
    Quota { per_day: Some(24), interval: chrono::Duration::hours(6) }
}

/// `[providers.simplefin] url` / `TALLY_SIMPLEFIN_URL`: the SimpleFIN server whose `/create`
/// page issues setup tokens. The claim and access URLs come from the token itself.
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["url"])?;
        let url = config.string("url")?.unwrap_or_else(|| DEFAULT_URL.to_string());
        let parsed = url::Url::parse(&url).map_err(|e| {
            UserError::usage(format!("the SimpleFIN url {url:?} is not a URL ({e})"))
                .hint(format!("set [providers.simplefin] url (or TALLY_SIMPLEFIN_URL) to {DEFAULT_URL}"))
        })?;
        access::check_transport(&parsed, "the SimpleFIN url")?;
        Ok(Settings { url: url.trim_end_matches('/').to_string() })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![("url", self.url.clone())]
    }
}

pub struct SimpleFin {
    env: ProviderEnv,
    settings: Settings,
    http: reqwest::blocking::Client,
    state: Mutex<State>,
}

/// What one command has learnt from the server so far.
#[derive(Default)]
struct State {
    /// The accounts and balances of the last answer: `accounts()` after a sync costs no call.
    listed: Option<Vec<RemoteAccount>>,
    /// The window being handed out, one account per page.
    window: Option<(NaiveDate, AccountSet)>,
    /// Problems the server reported about the whole service during this pass.
    troubles: Vec<Trouble>,
    /// Every page is saved: the next `fetch` reports the troubles.
    report: bool,
    /// Calls `link` made to list the accounts, not charged yet: `link` has no session, so the
    /// first `accounts()` charges them (the link command writes them to the ledger).
    uncharged: u32,
}

impl SimpleFin {
    pub fn new(env: ProviderEnv) -> Result<SimpleFin> {
        let settings = Settings::load(&env.settings)?;
        let http = env.http.client()?;
        Ok(SimpleFin { env, settings, http, state: Mutex::new(State::default()) })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The accounts tally can keep; notes for the user: the others with the reason why not,
    /// and the unit a custom-currency account is kept in. One account the server describes
    /// badly (a balance that is not a number) costs only that account.
    fn remote(&self, set: &AccountSet) -> (Vec<RemoteAccount>, Vec<String>) {
        let (mut kept, mut refused) = (Vec::new(), Vec::new());
        for a in &set.accounts {
            let why = match wire::to_remote(a, self.env.now) {
                Ok(Ok(r)) => {
                    if r.currency.is_custom() {
                        refused.push(format!(
                            "{} is kept in its own unit {} (the custom currency {}), never mixed with money",
                            wire::sanitize(&a.name),
                            r.currency,
                            wire::sanitize(&a.currency)
                        ));
                    }
                    kept.push(r);
                    continue;
                }
                Ok(Err(why)) => why,
                Err(e) => format!("{e:#}"),
            };
            refused.push(format!("{} is not kept: {why}", wire::sanitize(&a.name)));
        }
        (kept, refused)
    }

    /// The page after `pos` for the `wanted` accounts.
    fn next_page(&self, session: &mut Session<'_>, pos: &mut Position, wanted: &[String]) -> Result<Page> {
        let today = self.env.now.date_naive();
        let mut pass = match pos.pass.take() {
            Some(pass) => pass,
            None => match pos.pass_start(wanted, today) {
                Some(from) => Pass { from, ..Pass::default() },
                // Nothing tracked: no call.
                None => {
                    return Ok(Page {
                        changes: Vec::new(),
                        next_position: pos.encode(),
                        has_more: false,
                        window: None,
                    });
                }
            },
        };
        // A clock set back (or a position from a later day) must not make a window end
        // before it starts: read today's window again instead.
        pass.from = pass.from.min(today);
        let (from, end) = (pass.from, window_end(pass.from, today));
        let last_window = end > today;
        let is_wanted = |a: &wire::WireAccount| wanted.contains(&a.external_id());

        let mut state = self.state();
        if state.window.as_ref().is_none_or(|(f, _)| *f != from) {
            let access = Access::parse(session.secret())?;
            let query = [
                ("version", "2".to_string()),
                ("pending", "1".to_string()),
                ("start-date", wire::day_epoch(from).to_string()),
                ("end-date", wire::day_epoch(end).to_string()),
            ];
            let set = access.accounts(&self.http, &query, &mut || session.spend(SCOPE))?;
            for t in access::troubles(&set)? {
                let hit: Vec<String> =
                    set.accounts.iter().filter(|a| is_wanted(a) && t.affects(a)).map(|a| a.external_id()).collect();
                if !t.general() {
                    // Those accounts fail alone, once a pass; the others go on.
                    for id in hit {
                        pass.troubled.insert(id.clone());
                        if pass.failed.insert(id.clone()) {
                            session.account_failed(&id, access::account_error(&t));
                        }
                    }
                    continue;
                }
                pass.troubled.extend(hit);
                if !state.troubles.iter().any(|known| known.text == t.text) {
                    state.troubles.push(t);
                }
            }
            state.listed = Some(self.remote(&set).0);
            state.window = Some((from, set));
        }
        let State { window, troubles, report, .. } = &mut *state;
        let set = &window.as_ref().expect("fetched above").1;
        let left: Vec<&wire::WireAccount> =
            set.accounts.iter().filter(|a| is_wanted(a) && !pass.done.contains(&a.external_id())).collect();

        let mut page = Page { changes: Vec::new(), next_position: String::new(), has_more: true, window: None };
        if let Some(account) = left.first() {
            let id = account.external_id();
            pass.done.insert(id.clone());
            // An account in an unknown currency is never offered for tracking; skip it if it is.
            if !pass.failed.contains(&id)
                && let Ok(currency) = wire::currency_of(&account.currency)
            {
                let changes: Result<Vec<_>> =
                    account.transactions.iter().map(|tx| wire::to_change(&id, currency, tx, today)).collect();
                match changes {
                    Ok(changes) => page.changes = changes,
                    Err(e) => {
                        // A row tally cannot read fails this account only; nothing of it is saved.
                        pass.troubled.insert(id.clone());
                        pass.failed.insert(id.clone());
                        session.account_failed(&id, e);
                    }
                }
            }
            if last_window && !pass.troubled.contains(&id) {
                page.window = Some(Window { account_external_id: id.clone(), from });
                pos.since.insert(id, today);
            }
        }
        if left.len() > 1 {
            pos.pass = Some(pass);
        } else if !last_window {
            pos.pass = Some(Pass { from: end, done: BTreeSet::new(), troubled: pass.troubled, failed: pass.failed });
        } else {
            // The pass is over. A tracked account the server no longer lists has nothing to
            // read; a troubled one is read again from its old date next time.
            for w in wanted.iter().filter(|w| !pass.troubled.contains(*w)) {
                pos.since.insert(w.clone(), today);
            }
            *window = None;
            page.has_more = !troubles.is_empty();
            *report = page.has_more;
        }
        page.next_position = pos.encode();
        Ok(page)
    }
}

impl Provider for SimpleFin {
    fn kind(&self) -> ProviderKind {
        ProviderKind::SimpleFin
    }

    fn link(&self, conversation: &mut dyn Conversation, _options: &LinkOptions) -> Result<Linked> {
        conversation.say(&format!(
            "Create a SimpleFIN setup token at {}/create and paste it here (SimpleFIN Bridge costs $1.50 a month or $15 a year).",
            self.settings.url
        ));
        let token = conversation.secret("the SimpleFIN setup token")?;
        let claim = access::claim_url(&token)?;
        // The protocol has no scopes: an access URL can only read.
        Grants::new(
            "SimpleFIN Bridge",
            ACCOUNTS_BALANCES_TRANSACTIONS,
            &[],
            Validity::UntilRevoked { note: Some("the Bridge can revoke it too") },
        )
        .tell(conversation);
        conversation.say(&format!("Claiming the setup token at {}", access::shown_claim_url(&claim)));
        let secret = access::claim(&self.http, &claim)?;
        let access = Access::parse(&secret)?;
        let query = [("version", "2".to_string()), ("balances-only", "1".to_string())];
        // The token is spent now: if the listing fails, only a new token can try again.
        let mut calls = 0;
        let listing = access.accounts(&self.http, &query, &mut || {
            calls += 1;
            Ok(())
        });
        let set = listing.map_err(|e| {
            e.context(
                UserError::failure("the setup token was claimed, but listing its accounts failed")
                    .hint("the token works only once: create a new one and run `tally link simplefin` again"),
            )
        })?;
        for t in access::troubles(&set)? {
            conversation.say(&format!("SimpleFIN says: {}", t.text));
        }
        let (kept, refused) = self.remote(&set);
        for why in refused {
            conversation.say(&why);
        }
        let mut names: Vec<String> = Vec::new();
        for c in &set.connections {
            let name = wire::sanitize(&c.name);
            if !names.contains(&name) && set.accounts.iter().any(|a| a.conn_id.as_deref() == Some(&c.conn_id)) {
                names.push(name);
            }
        }
        let institution = if names.is_empty() { "SimpleFIN".to_string() } else { names.join(", ") };
        let mut state = self.state();
        state.listed = Some(kept);
        state.uncharged = calls;
        drop(state);
        Ok(Linked { secret, institution: crate::model::clip_name(&institution), consent_expires_at: None })
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        let (listed, uncharged) = {
            let mut state = self.state();
            (state.listed.clone(), std::mem::take(&mut state.uncharged))
        };
        session.charge_link_calls(SCOPE, uncharged);
        if let Some(listed) = listed {
            return Ok(listed);
        }
        let access = Access::parse(session.secret())?;
        let query = [("version", "2".to_string()), ("balances-only", "1".to_string())];
        let set = access.accounts(&self.http, &query, &mut || session.spend(SCOPE))?;
        access::troubles(&set)?;
        let kept = self.remote(&set).0;
        self.state().listed = Some(kept.clone());
        Ok(kept)
    }

    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        {
            let mut state = self.state();
            if std::mem::take(&mut state.report) {
                return Err(access::into_error(std::mem::take(&mut state.troubles)));
            }
        }
        let mut pos = Position::parse(request.position)?;
        self.next_page(session, &mut pos, request.accounts)
    }

    fn revoke(&self, _session: &mut Session<'_>) -> Result<()> {
        Err(UserError::failure(format!(
            "SimpleFIN lets only you end an app's access: disable tally's token at {} (My account, Apps)",
            self.settings.url.trim_end_matches("/simplefin")
        ))
        .into())
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        wire::normalize(raw)
    }
}
