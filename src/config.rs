//! Configuration: defaults < config file < environment < flags. The only module that reads
//! environment variables (clippy's `disallowed-methods` keeps it that way).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::error::UserError;

/// How many days ahead `sync` and `doctor` warn about an expiring consent.
pub const DEFAULT_CONSENT_WARN_DAYS: i64 = 14;

/// The commented default config, printed by `tally config default`.
pub const DEFAULT_CONFIG: &str = include_str!("config.default.toml");

/// Where secrets go: the user's explicit choice, never changed behind their back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretsBackend {
    /// The OS keyring (Secret Service on Linux); an error with a hint where there is none.
    Keyring,
    /// The Linux kernel keyring: in memory, forgotten at reboot.
    Keyutils,
    /// `secrets.sealed`, encrypted with a key derived from `TALLY_PASSPHRASE` (argon2id).
    FilePassphrase,
    /// `secrets.sealed`, encrypted with a key read from a key file (for cron).
    FileKeyfile,
    /// A plaintext 0600 file next to the database: only where no keyring exists, by choice.
    #[serde(alias = "plaintext")]
    File,
}

impl SecretsBackend {
    /// The names `TALLY_SECRETS` and `secrets.backend` accept.
    pub const NAMES: &str = "keyring, keyutils, file-passphrase, file-keyfile, file (plaintext)";

    fn parse(s: &str) -> Option<SecretsBackend> {
        Some(match s {
            "keyring" => SecretsBackend::Keyring,
            "keyutils" => SecretsBackend::Keyutils,
            "file-passphrase" => SecretsBackend::FilePassphrase,
            "file-keyfile" => SecretsBackend::FileKeyfile,
            "file" | "plaintext" => SecretsBackend::File,
            _ => return None,
        })
    }

    /// Whether it keeps the secrets in a file of its own (which `tally purge` deletes).
    pub fn keeps_a_file(self) -> bool {
        matches!(self, SecretsBackend::File | SecretsBackend::FilePassphrase | SecretsBackend::FileKeyfile)
    }

    /// The file it keeps in the data directory, if it keeps one.
    fn file_name(self) -> &'static str {
        match self {
            SecretsBackend::FilePassphrase | SecretsBackend::FileKeyfile => "secrets.sealed",
            _ => "secrets.toml",
        }
    }
}

/// Where a setting in effect came from, for `tally config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Default,
    File,
    Env,
    /// A command-line flag, or a value set for this run only (the demo's sandbox URL).
    Flag,
}

/// The file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    /// Each provider's own section, `[providers.<name>]`; only the provider reads its keys.
    #[serde(default)]
    providers: BTreeMap<String, toml::Table>,
    /// The sandbox's section from before providers had their own (`[sandbox] url`): still read,
    /// as `[providers.sandbox]`.
    sandbox: Option<toml::Table>,
    /// `[fdx.NAME]`: FDX banks by name (read by `providers::fdx::banks`).
    #[serde(default)]
    fdx: BTreeMap<String, toml::Table>,
    #[serde(default)]
    secrets: SecretsSection,
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    sync: SyncSection,
    #[serde(default)]
    http: HttpSection,
    #[serde(default)]
    export: ExportNames,
    /// `[transfers]`: pairing rows between one's own accounts (`transfers::Settings`).
    #[serde(default)]
    transfers: crate::transfers::Settings,
    /// `[alerts]`: the thresholds of `tally alerts` (`alerts::Settings`).
    #[serde(default)]
    alerts: crate::alerts::Section,
    #[serde(default)]
    categorize: CategorizeSection,
}

/// `[categorize]`: how sure the learned model must be (`categorize::learned`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategorizeSection {
    learned_threshold: Option<f64>,
    review_below: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsSection {
    #[serde(alias = "store")]
    backend: Option<SecretsBackend>,
    /// The key file of the `file-keyfile` store.
    key_file: Option<PathBuf>,
}

/// `[export.accounts]` and `[export.categories]`: journal account names that replace the
/// defaults of `tally export` (`export::names` reads them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportNames {
    /// Tally account (name or id) -> journal account.
    #[serde(default)]
    pub accounts: BTreeMap<String, String>,
    /// Category (full name; a parent covers its children) -> journal account.
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpSection {
    timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncSection {
    consent_warn_days: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    path: Option<PathBuf>,
}

/// Everything a command may need to know about its surroundings, resolved once.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Config {
    pub config_path: PathBuf,
    pub db_path: PathBuf,
    /// Whether `--db` named the database (the demo uses a temporary one otherwise).
    #[serde(skip)]
    pub db_from_flag: bool,
    pub secrets_path: PathBuf,
    pub secrets_backend: SecretsBackend,
    /// `TALLY_PASSPHRASE`: unlocks the `file-passphrase` store.
    #[serde(skip)]
    pub secrets_passphrase: Option<crate::secrets::SecretString>,
    /// `TALLY_KEY_FILE` or `secrets.key_file`: unlocks the `file-keyfile` store.
    #[serde(skip)]
    pub secrets_key_file: Option<PathBuf>,
    /// The `[providers.<name>]` sections, for the providers to read (see [`ProviderConfig`]).
    #[serde(skip)]
    pub providers: ProviderSections,
    /// Warn this many days before a consent expires.
    pub consent_warn_days: i64,
    /// How long one request to a provider may take before it is retried.
    pub http_timeout_secs: u64,
    /// `TALLY_NOW`: a pinned clock for tests and reproducible runs.
    pub now: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub log_filter: Option<String>,
    /// Whether a graphical session exists to open a browser in.
    #[serde(skip)]
    pub has_display: bool,
    /// `COLUMNS`: how wide tables may be (else the terminal's width).
    #[serde(skip)]
    pub columns: Option<u16>,
    /// Where each layered setting above came from, by field name.
    #[serde(skip)]
    pub origins: BTreeMap<&'static str, Origin>,
    /// Journal account names for `tally export` (`[export.*]`).
    #[serde(skip)]
    pub export: ExportNames,
    /// `[transfers]`: whether and how sync and import pair transfers between own accounts.
    #[serde(skip)]
    pub transfers: crate::transfers::Settings,
    /// `[alerts]`: the thresholds of `tally alerts` and the summary after sync and import.
    #[serde(skip)]
    pub alerts: crate::alerts::Settings,
    /// `[alerts]` as written, for `config show` to say which keys the file set.
    #[serde(skip)]
    pub alerts_section: crate::alerts::Section,
    /// The confidence the learned model needs to categorize a row by itself.
    pub learned_threshold: f64,
    /// `tally review` also offers rows the model categorized with less confidence than this.
    pub review_below: f64,
}

impl Config {
    /// Resolve the configuration; `db_flag` is `--db`, which beats everything else.
    pub fn load(db_flag: Option<&Path>) -> Result<Config> {
        let home = env_path("TALLY_HOME");
        let dirs = directories::ProjectDirs::from("", "", "tally");
        let (config_dir, data_dir) = match (&home, &dirs) {
            (Some(home), _) => (home.clone(), home.clone()),
            (None, Some(d)) => (d.config_dir().to_path_buf(), d.data_dir().to_path_buf()),
            (None, None) => {
                return Err(UserError::failure("cannot find a home directory for tally's files")
                    .hint("set TALLY_HOME to a directory tally may use")
                    .into());
            }
        };
        let config_path = env_path("TALLY_CONFIG").unwrap_or_else(|| config_dir.join("config.toml"));
        let file = read_file(&config_path)?;
        let origins = origins(db_flag.is_some(), &file);

        let db_path = db_flag
            .map(Path::to_path_buf)
            .or_else(|| env_path("TALLY_DB"))
            .or(file.database.path)
            .unwrap_or_else(|| data_dir.join("tally.db"));
        let secrets_backend = match env("TALLY_SECRETS").as_deref() {
            None | Some("") => file.secrets.backend.unwrap_or(SecretsBackend::Keyring),
            Some(name) => SecretsBackend::parse(name).ok_or_else(|| {
                UserError::usage(format!("TALLY_SECRETS={name:?} is not a secret store"))
                    .hint(format!("use one of: {} (keyring is the default)", SecretsBackend::NAMES))
            })?,
        };
        let providers =
            ProviderSections::from_file(&config_path, file.providers, file.sandbox)?.with_named("fdx", file.fdx);
        let now = env("TALLY_NOW").map(|s| parse_now(&s)).transpose()?;
        file.transfers.check()?;
        let alerts = file.alerts.resolve()?;
        let share = |key: &str, value: Option<f64>, default: f64| match value {
            None => Ok(default),
            Some(v) if (0.0..=1.0).contains(&v) => Ok(v),
            Some(v) => Err(UserError::usage(format!("[categorize] {key} = {v} is not between 0 and 1"))
                .hint(format!("a confidence such as {default}, in {}", config_path.display()))),
        };
        let learned_threshold = share(
            "learned_threshold",
            file.categorize.learned_threshold,
            crate::categorize::learned::DEFAULT_THRESHOLD,
        )?;
        let review_below =
            share("review_below", file.categorize.review_below, crate::categorize::learned::DEFAULT_REVIEW_BELOW)?;

        Ok(Config {
            config_path,
            secrets_path: data_dir.join(secrets_backend.file_name()),
            secrets_passphrase: env("TALLY_PASSPHRASE")
                .filter(|p| !p.is_empty())
                .map(crate::secrets::SecretString::new),
            secrets_key_file: env_path("TALLY_KEY_FILE").or(file.secrets.key_file),
            db_from_flag: db_flag.is_some(),
            db_path,
            secrets_backend,
            providers,
            consent_warn_days: file.sync.consent_warn_days.unwrap_or(DEFAULT_CONSENT_WARN_DAYS),
            http_timeout_secs: match env("TALLY_HTTP_TIMEOUT") {
                Some(s) => s.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    UserError::usage(format!("TALLY_HTTP_TIMEOUT={s:?} is not a positive number of seconds"))
                        .hint("for example TALLY_HTTP_TIMEOUT=60")
                })?,
                None => file.http.timeout_secs.unwrap_or(30),
            },
            now,
            log_filter: env("TALLY_LOG"),
            has_display: env("DISPLAY").is_some() || env("WAYLAND_DISPLAY").is_some(),
            columns: env("COLUMNS").and_then(|c| c.trim().parse().ok()).filter(|c| *c >= 20),
            origins,
            export: file.export,
            transfers: file.transfers,
            alerts,
            alerts_section: file.alerts,
            learned_threshold,
            review_below,
        })
    }
}

/// Which layer each setting of [`Config::load`] comes from (it reads the same layers).
fn origins(db_flag: bool, file: &FileConfig) -> BTreeMap<&'static str, Origin> {
    let layered = |env_name: &str, in_file: bool, otherwise: Origin| match env(env_name) {
        Some(_) => Origin::Env,
        None if in_file => Origin::File,
        None => otherwise,
    };
    // Paths without a setting of their own live under TALLY_HOME when it is set.
    let home = if env("TALLY_HOME").is_some() { Origin::Env } else { Origin::Default };
    let db = if db_flag { Origin::Flag } else { layered("TALLY_DB", file.database.path.is_some(), home) };
    BTreeMap::from([
        ("config_path", layered("TALLY_CONFIG", false, home)),
        ("db_path", db),
        ("secrets_backend", layered("TALLY_SECRETS", file.secrets.backend.is_some(), Origin::Default)),
        ("secrets_path", home),
        ("consent_warn_days", if file.sync.consent_warn_days.is_some() { Origin::File } else { Origin::Default }),
        ("http_timeout_secs", layered("TALLY_HTTP_TIMEOUT", file.http.timeout_secs.is_some(), Origin::Default)),
        ("now", layered("TALLY_NOW", false, Origin::Default)),
        ("learned_threshold", if file.categorize.learned_threshold.is_some() { Origin::File } else { Origin::Default }),
        ("review_below", if file.categorize.review_below.is_some() { Origin::File } else { Origin::Default }),
    ])
}

/// The providers' config sections, plus values set for this run only (the demo points the
/// sandbox provider at its own bank), which beat the environment and the file.
#[derive(Debug, Clone, Default)]
pub struct ProviderSections {
    /// The config file, for error messages.
    path: PathBuf,
    file: BTreeMap<String, toml::Table>,
    /// Sections read from the file under their pre-`[providers]` name (`[sandbox]`).
    legacy: Vec<String>,
    overrides: BTreeMap<String, toml::Table>,
    /// A provider's top-level `[<provider>.NAME]` sections (only fdx has them).
    named: BTreeMap<String, BTreeMap<String, toml::Table>>,
}

impl ProviderSections {
    /// Give provider `name` its `[<name>.NAME]` sections.
    fn with_named(mut self, name: &str, sections: BTreeMap<String, toml::Table>) -> Self {
        self.named.insert(name.to_string(), sections);
        self
    }

    fn from_file(
        path: &Path,
        mut file: BTreeMap<String, toml::Table>,
        legacy_sandbox: Option<toml::Table>,
    ) -> Result<Self> {
        let mut legacy = Vec::new();
        if let Some(old) = legacy_sandbox {
            if file.contains_key("sandbox") {
                return Err(UserError::usage("the config file has both [sandbox] and [providers.sandbox]")
                    .hint("move the keys of [sandbox] into [providers.sandbox] and delete [sandbox]")
                    .into());
            }
            file.insert("sandbox".into(), old);
            legacy.push("sandbox".into());
        }
        Ok(ProviderSections {
            path: path.to_path_buf(),
            file,
            legacy,
            overrides: BTreeMap::new(),
            named: BTreeMap::new(),
        })
    }

    /// What provider `name` sees of the configuration: its section and its environment.
    pub fn get(&self, name: &str) -> ProviderConfig {
        let section =
            if self.legacy.iter().any(|l| l == name) { name.to_string() } else { format!("providers.{name}") };
        ProviderConfig {
            name: name.to_string(),
            section,
            path: self.path.clone(),
            file: self.file.get(name).cloned().unwrap_or_default(),
            overrides: self.overrides.get(name).cloned().unwrap_or_default(),
            named: self.named.get(name).cloned().unwrap_or_default(),
        }
    }

    /// Set `[providers.<name>] key` for this run, above the environment and the file.
    pub fn set_override(&mut self, name: &str, key: &str, value: &str) {
        self.overrides.entry(name.to_string()).or_default().insert(key.to_string(), value.into());
    }
}

/// One provider's settings: its `[providers.<name>]` section and its `TALLY_<NAME>_<KEY>`
/// environment variables. The provider decides which keys exist and what they mean; this only
/// layers them (run overrides > environment > file) and says clearly what is wrong.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    name: String,
    /// The section as the file names it (`providers.sandbox`, or the older `sandbox`).
    section: String,
    path: PathBuf,
    file: toml::Table,
    overrides: toml::Table,
    named: BTreeMap<String, toml::Table>,
}

impl ProviderConfig {
    /// A config for tests and callers that build a provider by hand: no file, no overrides.
    pub fn empty(name: &str) -> ProviderConfig {
        ProviderConfig {
            name: name.to_string(),
            section: format!("providers.{name}"),
            path: PathBuf::new(),
            file: toml::Table::new(),
            overrides: toml::Table::new(),
            named: BTreeMap::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The provider's top-level `[<name>.NAME]` sections, raw, for it to read (fdx's banks).
    pub fn named_sections(&self) -> &BTreeMap<String, toml::Table> {
        &self.named
    }

    /// The environment variable that overrides `key`: `TALLY_<NAME>_<KEY>`, upper case, `-` as `_`.
    pub fn env_name(&self, key: &str) -> String {
        format!("TALLY_{}_{}", self.name, key).to_uppercase().replace('-', "_")
    }

    /// `key` as a string: a run override, else `TALLY_<NAME>_<KEY>`, else the file.
    pub fn string(&self, key: &str) -> Result<Option<String>> {
        if let Some(v) = self.overrides.get(key).and_then(toml::Value::as_str) {
            return Ok(Some(v.to_string()));
        }
        if let Some(v) = env(&self.env_name(key)) {
            return Ok(Some(v));
        }
        match self.file.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.invalid(
                format!("`{key}` in [{}] must be a string, not {}", self.section, other.type_str()),
                "put the value in quotes",
            )),
        }
    }

    /// Which layer `key`'s value comes from (the order [`ProviderConfig::string`] reads them).
    pub fn origin(&self, key: &str) -> Origin {
        if self.overrides.contains_key(key) {
            Origin::Flag
        } else if env(&self.env_name(key)).is_some() {
            Origin::Env
        } else if self.file.contains_key(key) {
            Origin::File
        } else {
            Origin::Default
        }
    }

    /// Refuse keys in the file section that the provider does not know (a typo would otherwise
    /// be ignored silently).
    pub fn only_keys(&self, known: &[&str]) -> Result<()> {
        if let Some(unknown) = self.file.keys().find(|k| !known.contains(&k.as_str())) {
            let knows = if known.is_empty() {
                format!("provider {} takes no settings", self.name)
            } else {
                format!("provider {} knows: {}", self.name, known.join(", "))
            };
            return Err(self.invalid(
                format!("unknown key `{unknown}` in [{}]", self.section),
                &format!("{knows}; `tally config default` prints a commented config to start from"),
            ));
        }
        Ok(())
    }

    /// A usage error about this section, naming the config file as `read_file` does.
    fn invalid(&self, what: String, hint: &str) -> anyhow::Error {
        UserError::usage(format!("config file {} is not valid: {what}", self.path.display())).hint(hint).into()
    }
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read config file {}", path.display()));
        }
    };
    toml::from_str(&text).map_err(|e| {
        UserError::usage(format!("config file {} is not valid: {}", path.display(), e.message()))
            .hint("`tally config default` prints a commented config to start from")
            .into()
    })
}

/// `TALLY_NOW` takes a date (`2026-11-23`, read as noon UTC) or an RFC 3339 instant.
pub fn parse_now(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(12, 0, 0).expect("noon exists").and_utc());
    }
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        UserError::usage(format!("TALLY_NOW={s:?} is neither a date nor an RFC 3339 time"))
            .hint("for example TALLY_NOW=2026-11-23 or TALLY_NOW=2026-11-23T08:00:00Z")
            .into()
    })
}

#[allow(clippy::disallowed_methods)] // this is the one place that reads the environment
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn env_path(name: &str) -> Option<PathBuf> {
    env(name).map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(text: &str) -> Result<ProviderSections> {
        let file: FileConfig = toml::from_str(text).unwrap();
        ProviderSections::from_file(Path::new("config.toml"), file.providers, file.sandbox)
    }

    #[test]
    fn a_provider_reads_its_own_section_and_a_run_override_beats_it() {
        let mut s = sections("[providers.sandbox]\nurl = \"http://127.0.0.1:1\"\n").unwrap();
        assert_eq!(s.get("sandbox").string("url").unwrap().as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(s.get("other").string("url").unwrap(), None, "sections are per provider");
        s.set_override("sandbox", "url", "http://127.0.0.1:2");
        assert_eq!(s.get("sandbox").string("url").unwrap().as_deref(), Some("http://127.0.0.1:2"));
    }

    #[test]
    fn the_old_sandbox_section_still_counts_but_not_beside_the_new_one() {
        let s = sections("[sandbox]\nurl = \"http://127.0.0.1:3\"\nurll = 1\n").unwrap();
        assert_eq!(s.get("sandbox").string("url").unwrap().as_deref(), Some("http://127.0.0.1:3"));
        let typo = s.get("sandbox").only_keys(&["url"]).unwrap_err();
        assert!(typo.to_string().contains("`urll` in [sandbox]"), "errors name the section as written: {typo}");
        let both = sections("[sandbox]\nurl = \"a\"\n[providers.sandbox]\nurl = \"b\"\n").unwrap_err();
        assert_eq!(crate::error::user_error(&both).unwrap().exit, crate::error::Exit::Usage);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_usage_errors_that_name_the_section() {
        let s = sections("[providers.sandbox]\nulr = \"x\"\nurl = 5\n").unwrap();
        let typo = s.get("sandbox").only_keys(&["url"]).unwrap_err();
        assert!(
            typo.to_string().contains("config.toml is not valid: unknown key `ulr` in [providers.sandbox]"),
            "{typo}"
        );
        let number = s.get("sandbox").string("url").unwrap_err();
        assert!(number.to_string().contains("must be a string"), "{number}");
    }

    #[test]
    fn the_environment_variable_is_named_after_the_provider_and_key() {
        assert_eq!(ProviderConfig::empty("sandbox").env_name("url"), "TALLY_SANDBOX_URL");
        assert_eq!(ProviderConfig::empty("enable-banking").env_name("app-id"), "TALLY_ENABLE_BANKING_APP_ID");
    }
}
