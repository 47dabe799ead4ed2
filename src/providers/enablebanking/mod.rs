//! Enable Banking (EU/EEA banks through PSD2): the app-JWT client, its consent step (pick a
//! bank, `POST /auth`, the user pastes the HTTPS address the bank sent them to, `state` is
//! checked, `POST /sessions`), and a date-window feed per account (at most 90 days a request,
//! `continuation_key` followed to the end). Here: settings, the stored session, balances and
//! the `Provider` impl; the consent step is in `consent`, the feed in `feed`, wire structs in
//! `wire`, HTTP and errors in `api`. What happens to the rows afterwards is sync's business.
//!
//! The connection's secret holds the application id and key (read from `key_file` once, at
//! link time, so the file may go afterwards), the session id, and the accounts `POST
//! /sessions` listed (Enable Banking lists them only there).
//!
//! PSU-present headers (`Psu-Ip-Address`, `Psu-User-Agent`) go with every read when a person
//! runs the command (a terminal; `psu_headers = "always"` also without one), never from
//! `sync --if-due`. Only unattended reads count against the PSD2 budget of about 4 a day: a
//! read with the user present is outside that limit (RTS Art. 36(5)), so it is neither counted
//! nor refused; the bank's own rate limit still answers 429 (retry later).

mod api;
mod consent;
mod feed;
pub(super) mod wire;

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use self::api::{Api, App, Method};
use super::{
    FetchRequest, LinkOptions, Linked, Page, Presence, Provider, ProviderEnv, ProviderError, ProviderKind, Quota,
    Session,
};
use crate::config::ProviderConfig;
use crate::consent::Conversation;
use crate::error::UserError;
use crate::model::{Change, RemoteAccount};
use crate::secrets::SecretString;

const DEFAULT_URL: &str = "https://api.enablebanking.com";
const REGISTER_HINT: &str = "register an application at https://enablebanking.com/cp/applications (free for \
     personal use in restricted mode), then set [providers.enablebanking] app_id and key_file";

/// PSD2 lets an unattended app read an account about 4 times a day; a sync spends one call
/// on balances and one (or a page more) on transactions per account.
pub fn quota() -> Quota {
    Quota { per_day: Some(4), interval: chrono::Duration::hours(12) }
}

/// `[providers.enablebanking]`: `url`, `app_id`, `key_file`, `redirect_url`, `psu_headers`
/// (each also `TALLY_ENABLEBANKING_<KEY>`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub app_id: Option<String>,
    pub key_file: Option<PathBuf>,
    /// Where the bank sends the user; default: the first one registered with the application.
    pub redirect_url: Option<String>,
    /// When reads say the user is present: `auto` (at a terminal), `always` (also without
    /// one: tally run by hand from a tool), `never`. A scheduled run never does.
    pub psu_headers: PsuHeaders,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PsuHeaders {
    Auto,
    Always,
    Never,
}

impl PsuHeaders {
    fn parse(value: Option<String>) -> Result<PsuHeaders> {
        match value.as_deref().map(str::trim) {
            None | Some("auto") => Ok(PsuHeaders::Auto),
            Some("always") => Ok(PsuHeaders::Always),
            Some("never") => Ok(PsuHeaders::Never),
            Some(other) => Err(UserError::usage(format!("psu_headers {other:?} is not auto, always or never"))
                .hint("set [providers.enablebanking] psu_headers to auto (the default), always or never")
                .into()),
        }
    }

    /// Whether a run with `presence` sends the headers.
    pub fn send(self, presence: Presence) -> bool {
        match presence {
            Presence::Unattended => false,
            Presence::NoTerminal => self == PsuHeaders::Always,
            Presence::Terminal => self != PsuHeaders::Never,
        }
    }
}

impl Settings {
    pub fn load(config: &ProviderConfig) -> Result<Settings> {
        config.only_keys(&["url", "app_id", "key_file", "redirect_url", "psu_headers"])?;
        let url = config.string("url")?.unwrap_or_else(|| DEFAULT_URL.to_string());
        let parsed = url::Url::parse(&url).map_err(|e| {
            UserError::usage(format!("the Enable Banking url {url:?} is not a URL ({e})"))
                .hint("for example https://api.enablebanking.com")
        })?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        if parsed.scheme() != "https" && !loopback {
            return Err(UserError::usage(format!("the Enable Banking url {url:?} is not HTTPS"))
                .hint("bank data only travels over HTTPS (plain HTTP is for 127.0.0.1 test servers)")
                .into());
        }
        Ok(Settings {
            url: url.trim_end_matches('/').to_string(),
            app_id: config.string("app_id")?,
            key_file: config.string("key_file")?.map(PathBuf::from),
            redirect_url: config.string("redirect_url")?,
            psu_headers: PsuHeaders::parse(config.string("psu_headers")?)?,
        })
    }

    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let or_unset = |v: Option<String>| v.unwrap_or_else(|| "(not set)".into());
        vec![
            ("url", self.url.clone()),
            ("app_id", or_unset(self.app_id.clone())),
            ("key_file", or_unset(self.key_file.as_ref().map(|p| p.display().to_string()))),
            ("redirect_url", or_unset(self.redirect_url.clone())),
            ("psu_headers", format!("{:?}", self.psu_headers).to_lowercase()),
        ]
    }

    /// The application's credentials, for a new consent.
    fn app(&self) -> Result<App> {
        let (Some(id), Some(path)) = (&self.app_id, &self.key_file) else {
            return Err(UserError::usage("linking Enable Banking needs your application's id and key")
                .hint(REGISTER_HINT)
                .into());
        };
        let key = std::fs::read_to_string(path).map_err(|e| {
            UserError::usage(format!("cannot read the application key {} ({e})", path.display())).hint(REGISTER_HINT)
        })?;
        Ok(App { id: id.clone(), key: SecretString::new(key) })
    }
}

/// What the connection keeps in the secret store.
#[derive(Serialize, Deserialize)]
struct Stored {
    app_id: String,
    key: String,
    session_id: String,
    accounts: Vec<wire::Account>,
    /// The bank and its country, so `link --relink` asks for neither (absent from links made
    /// by an older tally).
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    country: Option<String>,
}

impl Stored {
    fn read(secret: &SecretString) -> Result<Stored> {
        serde_json::from_str(secret.expose()).map_err(|_| {
            ProviderError::NeedsRelink("the stored Enable Banking session is not one this tally can read".into()).into()
        })
    }

    fn app(&self) -> App {
        App { id: self.app_id.clone(), key: SecretString::new(self.key.clone()) }
    }

    fn uids(&self) -> Vec<String> {
        self.accounts.iter().filter_map(|a| a.uid.clone()).collect()
    }
}

pub struct EnableBanking {
    env: ProviderEnv,
    settings: Settings,
    api: Api,
    /// Accounts with balances, once per command (balances are a call per account).
    accounts: OnceLock<Vec<RemoteAccount>>,
}

impl EnableBanking {
    /// Builds without app credentials: sync and unlink use the ones kept with the connection.
    pub fn new(env: ProviderEnv) -> Result<EnableBanking> {
        let settings = Settings::load(&env.settings)?;
        let api = Api::new(settings.url.clone(), env.http.client()?, env.now);
        let api = if settings.psu_headers.send(env.presence) { api.user_present() } else { api };
        Ok(EnableBanking { env, settings, api, accounts: OnceLock::new() })
    }

    /// A call on behalf of the connection, charged to `scope` unless the user is present.
    fn get(
        &self,
        session: &mut Session<'_>,
        path: &str,
        query: &[(&str, &str)],
        scope: &str,
    ) -> Result<serde_json::Value> {
        let stored = Stored::read(session.secret())?;
        let present = self.api.is_user_present();
        self.api.call(&stored.app(), Method::Get, path, query, None, &mut || {
            if present { Ok(()) } else { session.spend(scope) }
        })
    }
}

impl Provider for EnableBanking {
    fn kind(&self) -> ProviderKind {
        ProviderKind::EnableBanking
    }

    fn link(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        self.consent(conversation, options)
    }

    fn accounts(&self, session: &mut Session<'_>) -> Result<Vec<RemoteAccount>> {
        if let Some(cached) = self.accounts.get() {
            return Ok(cached.clone());
        }
        let stored = Stored::read(session.secret())?;
        let mut out = Vec::new();
        for account in &stored.accounts {
            let Some(uid) = &account.uid else { continue };
            let scope = format!("{} balances", session.account_scope(uid));
            let path = format!(
                "/accounts/{}/balances",
                url::form_urlencoded::byte_serialize(uid.as_bytes()).collect::<String>()
            );
            let answer = self.get(session, &path, &[], &scope)?;
            let balances: Vec<wire::Balance> =
                serde_json::from_value(answer.get("balances").cloned().unwrap_or_default())
                    .map_err(|e| ProviderError::Malformed(format!("{path}: {e}")))?;
            out.extend(account.to_remote(&balances, self.env.now)?);
        }
        let _ = self.accounts.set(out.clone());
        Ok(out)
    }

    fn fetch(&self, session: &mut Session<'_>, request: &FetchRequest<'_>) -> Result<Page> {
        self.fetch_window(session, request)
    }

    fn revoke(&self, session: &mut Session<'_>) -> Result<()> {
        let stored = Stored::read(session.secret())?;
        let path = format!(
            "/sessions/{}",
            url::form_urlencoded::byte_serialize(stored.session_id.as_bytes()).collect::<String>()
        );
        match self.api.call(&stored.app(), Method::Delete, &path, &[], None, &mut || Ok(())) {
            Ok(_) => Ok(()),
            // Ended at the bank already: nothing left to revoke.
            Err(e) if super::super::sync::needs_relink(&e) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn normalize(&self, raw: &str) -> Result<Change> {
        feed::normalize(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_url_must_be_https_except_on_loopback() {
        let with_url = |url: &str| {
            let mut sections = crate::config::ProviderSections::default();
            sections.set_override("enablebanking", "url", url);
            Settings::load(&sections.get("enablebanking"))
        };
        assert_eq!(with_url("https://api.enablebanking.com/").unwrap().url, "https://api.enablebanking.com");
        assert!(with_url("http://127.0.0.1:9/").is_ok());
        let err = with_url("http://api.enablebanking.com").unwrap_err();
        assert_eq!(crate::error::user_error(&err).unwrap().exit, crate::error::Exit::Usage);
        assert!(Settings::load(&crate::config::ProviderConfig::empty("enablebanking")).unwrap().app().is_err());
    }

    #[test]
    fn psu_headers_go_with_a_person_only_and_never_from_cron() {
        use Presence::*;
        let send = |setting, presence| PsuHeaders::send(setting, presence);
        assert!(send(PsuHeaders::Auto, Terminal) && !send(PsuHeaders::Auto, NoTerminal));
        assert!(send(PsuHeaders::Always, NoTerminal) && !send(PsuHeaders::Never, Terminal));
        for setting in [PsuHeaders::Auto, PsuHeaders::Always, PsuHeaders::Never] {
            assert!(!send(setting, Unattended), "{setting:?}");
        }
        assert!(PsuHeaders::parse(Some("sometimes".into())).is_err());
    }
}
