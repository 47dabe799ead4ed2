//! `tally config`: where the files are, what is in effect, and a commented default.

use std::collections::BTreeMap;

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;

use crate::config::{Config, Origin};
use crate::context::Ctx;
use crate::output::Format;
use crate::providers::ProviderKind;

/// Show tally's configuration
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the path of the config file (it may not exist yet)
    Path,
    /// Print every setting in effect and where it came from: default < file < env < flag
    Show,
    /// Print a commented default config file to start from
    Default,
}

/// `config show --format json`: every setting in effect by name, and where each came from.
#[derive(Serialize)]
struct Shown<'a> {
    config_path: String,
    db_path: String,
    secrets_backend: &'a crate::config::SecretsBackend,
    secrets_path: String,
    consent_warn_days: i64,
    http_timeout_secs: u64,
    /// Each provider's settings in effect, as `<provider>_<key>` (`sandbox_url`).
    #[serde(flatten)]
    providers: BTreeMap<String, String>,
    /// The `[alerts]` thresholds, as `alerts_<key>`.
    #[serde(flatten)]
    alerts: BTreeMap<String, String>,
    now: Option<String>,
    /// Each setting above: `default`, `file`, `env` or `flag`.
    sources: BTreeMap<String, Origin>,
}

/// One line of `config show` for people (and CSV): a setting, its value, where it came from.
#[derive(Serialize, Default)]
struct Setting {
    setting: String,
    value: String,
    from: Origin,
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let c = &ctx.config;
    match cmd {
        Command::Path => ctx.out.line(&c.config_path.display().to_string()),
        Command::Default => ctx.out.line(crate::config::DEFAULT_CONFIG.trim_end()),
        Command::Show => {
            let shown = shown(c)?;
            if ctx.out.format() == Format::Json {
                return ctx.out.record(&shown);
            }
            let serde_json::Value::Object(values) = serde_json::to_value(&shown)? else {
                anyhow::bail!("internal: the settings did not serialize as an object");
            };
            let rows: Vec<Setting> = values
                .into_iter()
                .filter(|(key, _)| key != "sources")
                .map(|(key, value)| Setting {
                    from: shown.sources.get(&key).copied().unwrap_or(Origin::Default),
                    value: match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => "(not set)".into(),
                        other => other.to_string(),
                    },
                    setting: key,
                })
                .collect();
            ctx.out.rows(&rows)
        }
    }
}

fn shown(c: &Config) -> Result<Shown<'_>> {
    let mut sources: BTreeMap<String, Origin> = c.origins.iter().map(|(k, o)| (k.to_string(), *o)).collect();
    let mut providers = BTreeMap::new();
    for kind in ProviderKind::all() {
        let name = kind.settings_name();
        let settings = c.providers.get(name);
        for (key, value) in kind.settings_shown(&settings)? {
            providers.insert(format!("{name}_{key}"), value);
            sources.insert(format!("{name}_{key}"), settings.origin(key));
        }
    }
    let mut alerts = BTreeMap::new();
    for (key, value, in_file) in c.alerts_section.shown(&c.alerts) {
        alerts.insert(key.to_string(), value);
        sources.insert(key.to_string(), if in_file { Origin::File } else { Origin::Default });
    }
    Ok(Shown {
        config_path: c.config_path.display().to_string(),
        db_path: c.db_path.display().to_string(),
        secrets_backend: &c.secrets_backend,
        secrets_path: c.secrets_path.display().to_string(),
        consent_warn_days: c.consent_warn_days,
        http_timeout_secs: c.http_timeout_secs,
        providers,
        alerts,
        now: c.now.map(|t| t.to_rfc3339()),
        sources,
    })
}
