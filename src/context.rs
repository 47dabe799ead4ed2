//! `Ctx`: what every command gets — the resolved config, `Output`, the clock, and lazily the
//! store, the secret store and the HTTP client. An encrypted database (told by its first bytes,
//! `store::cipher::file_kind`) is opened with the key from the secret store, unattended.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::output::Output;
use crate::providers::{HttpOptions, Presence, Provider, ProviderEnv, ProviderKind};
use crate::secrets::{SecretString, Secrets};
use crate::store::{OpenMode, OpenOptions, Store, cipher};

#[derive(Debug)]
pub struct Ctx {
    pub config: Config,
    /// Shared, so a consent conversation can speak while a command holds `&mut Ctx`.
    pub out: Arc<Output>,
    no_input: bool,
    store: Option<Store>,
    secrets: Option<Secrets>,
}

impl Ctx {
    pub fn new(global: &GlobalArgs) -> Result<Ctx> {
        let config = Config::load(global.db.as_deref())?;
        crate::categorize::learned::configure(config.learned_threshold);
        Ok(Ctx {
            out: Arc::new(Output::new(global.format, global.color, global.quiet).with_width(config.columns)),
            no_input: global.no_input,
            config,
            store: None,
            secrets: None,
        })
    }

    /// The clock: `TALLY_NOW` when set, else the system's.
    pub fn now(&self) -> DateTime<Utc> {
        self.config.now.unwrap_or_else(Utc::now)
    }

    /// Whether we may ask the user something: a terminal on both ends, and no `--no-input`.
    pub fn interactive(&self) -> bool {
        !self.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// The store, which must exist already (commands that only read).
    pub fn store(&mut self) -> Result<&mut Store> {
        self.open_store(OpenMode::Existing)
    }

    /// The store, created if missing (commands that write: link, sync, demo).
    pub fn store_or_create(&mut self) -> Result<&mut Store> {
        self.open_store(OpenMode::Create)
    }

    fn open_store(&mut self, mode: OpenMode) -> Result<&mut Store> {
        if self.store.is_none() {
            // Plain databases never touch the secret store; encrypted ones take their key from it.
            let key = match cipher::file_kind(&self.config.db_path) {
                cipher::FileKind::Encrypted => self.secrets()?.get(cipher::KEY_ENTRY)?,
                _ => None,
            };
            let path = self.config.db_path.clone();
            self.store = Some(Store::open_with(&path, OpenOptions { mode, key: key.as_ref() })?);
            if let Some(mode) = crate::files::open_to_others(&path) {
                self.out.warn(&format!(
                    "the database {} is readable by other users (mode {mode:o}); run `chmod 600 {}`",
                    path.display(),
                    path.display()
                ));
            }
        }
        Ok(self.store.as_mut().expect("just opened"))
    }

    /// The database key from the secret store, made and kept there first when there is none yet
    /// (one key serves every database of the user, so it is never replaced).
    pub fn database_key_or_new(&mut self) -> Result<SecretString> {
        let secrets = self.secrets()?;
        if let Some(key) = secrets.get(cipher::KEY_ENTRY)? {
            return Ok(key);
        }
        let key = cipher::new_key()?;
        secrets.set(cipher::KEY_ENTRY, &key)?;
        Ok(key)
    }

    /// Forget the opened store (a command that replaces the database file).
    pub fn close_store(&mut self) {
        self.store = None;
    }

    /// The store (created if missing) and the secret store together, for commands that write both.
    pub fn store_and_secrets(&mut self) -> Result<(&mut Store, &Secrets)> {
        self.open_store(OpenMode::Create)?;
        self.secrets()?;
        Ok((self.store.as_mut().expect("opened"), self.secrets.as_ref().expect("made")))
    }

    /// A provider of `kind`, given its own settings, our HTTP options, the clock, and whether
    /// a person runs the command (a terminal).
    pub fn provider(&mut self, kind: ProviderKind) -> Result<Box<dyn Provider>> {
        let presence = if self.interactive() { Presence::Terminal } else { Presence::NoTerminal };
        self.provider_for(kind, presence)
    }

    /// A provider of `kind` for a run whose `presence` the command knows (`sync --if-due`).
    pub fn provider_for(&mut self, kind: ProviderKind, presence: Presence) -> Result<Box<dyn Provider>> {
        let env = ProviderEnv {
            http: self.http_options(),
            settings: self.config.providers.get(kind.settings_name()),
            now: self.now(),
            presence,
        };
        kind.build(env)
    }

    /// Say so, loudly, when tokens are about to go to the plaintext file.
    pub fn warn_if_plaintext_secrets(&mut self) -> Result<()> {
        self.secrets()?;
        if let Some(s) = &self.secrets {
            s.warn_if_plaintext(&self.out);
        }
        Ok(())
    }

    /// Use this secret store instead of the configured one (the demo's throwaway database).
    pub fn set_secrets(&mut self, secrets: Secrets) {
        self.secrets = Some(secrets);
    }

    pub fn secrets(&mut self) -> Result<&Secrets> {
        if self.secrets.is_none() {
            self.secrets = Some(Secrets::from_config(&self.config)?);
        }
        Ok(self.secrets.as_ref().expect("just made"))
    }

    /// What the config says about HTTP; each provider builds its client from it.
    pub fn http_options(&self) -> HttpOptions {
        HttpOptions::new(Duration::from_secs(self.config.http_timeout_secs))
    }
}

/// A client with the default timeout and nothing provider-specific (the demo's robot, tests).
pub fn http_client() -> Result<reqwest::blocking::Client> {
    HttpOptions::default().client()
}
