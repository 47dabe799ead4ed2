//! Configuration: defaults < config file < environment < flags. The only module that reads
//! environment variables (clippy's `disallowed-methods` keeps it that way).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::error::UserError;

/// The sandbox bank's documented default address (`tally sandbox serve` listens here).
pub const DEFAULT_SANDBOX_PORT: u16 = 8765;

/// How many days ahead `sync` and `doctor` warn about an expiring consent.
pub const DEFAULT_CONSENT_WARN_DAYS: i64 = 14;

/// The commented default config, printed by `tally config default`.
pub const DEFAULT_CONFIG: &str = include_str!("config.default.toml");

/// Where secrets go when they cannot go to the OS keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretsBackend {
    /// The OS keyring (Secret Service on Linux); an error with a hint where there is none.
    Keyring,
    /// A plaintext 0600 file next to the database: only where no keyring exists, by choice.
    File,
}

/// The file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    sandbox: SandboxSection,
    #[serde(default)]
    secrets: SecretsSection,
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    sync: SyncSection,
    #[serde(default)]
    http: HttpSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SandboxSection {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsSection {
    backend: Option<SecretsBackend>,
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
    pub sandbox_url: String,
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

        let db_path = db_flag
            .map(Path::to_path_buf)
            .or_else(|| env_path("TALLY_DB"))
            .or(file.database.path)
            .unwrap_or_else(|| data_dir.join("tally.db"));
        let secrets_backend = match env("TALLY_SECRETS").as_deref() {
            None | Some("") => file.secrets.backend.unwrap_or(SecretsBackend::Keyring),
            Some("keyring") => SecretsBackend::Keyring,
            Some("file") => SecretsBackend::File,
            Some(other) => {
                return Err(UserError::usage(format!("TALLY_SECRETS={other:?} is not a secrets backend"))
                    .hint("use TALLY_SECRETS=keyring (the default) or TALLY_SECRETS=file")
                    .into());
            }
        };
        let sandbox_url = env("TALLY_SANDBOX_URL")
            .or(file.sandbox.url)
            .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_SANDBOX_PORT}"));
        let now = env("TALLY_NOW").map(|s| parse_now(&s)).transpose()?;

        Ok(Config {
            config_path,
            secrets_path: data_dir.join("secrets.toml"),
            db_from_flag: db_flag.is_some(),
            db_path,
            secrets_backend,
            sandbox_url: sandbox_url.trim_end_matches('/').to_string(),
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
        })
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
