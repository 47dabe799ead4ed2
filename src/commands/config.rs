//! `tally config`: where the files are, what is in effect, and a commented default.

use std::collections::BTreeMap;

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;

use crate::context::Ctx;
use crate::providers::ProviderKind;

/// Show tally's configuration
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the path of the config file (it may not exist yet)
    Path,
    /// Print the configuration in effect: defaults < config file < environment < flags
    Show,
    /// Print a commented default config file to start from
    Default,
}

#[derive(Serialize)]
struct Shown<'a> {
    config_path: String,
    db_path: String,
    secrets_backend: &'a crate::config::SecretsBackend,
    secrets_path: String,
    /// Each provider's settings in effect, as `<provider>_<key>` (`sandbox_url`).
    #[serde(flatten)]
    providers: BTreeMap<String, String>,
    now: Option<String>,
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let c = &ctx.config;
    match cmd {
        Command::Path => ctx.out.line(&c.config_path.display().to_string()),
        Command::Default => ctx.out.line(crate::config::DEFAULT_CONFIG.trim_end()),
        Command::Show => ctx.out.record(&Shown {
            config_path: c.config_path.display().to_string(),
            db_path: c.db_path.display().to_string(),
            secrets_backend: &c.secrets_backend,
            secrets_path: c.secrets_path.display().to_string(),
            providers: provider_settings(c)?,
            now: c.now.map(|t| t.to_rfc3339()),
        }),
    }
}

/// The settings every provider is using, each read by the provider itself.
fn provider_settings(config: &crate::config::Config) -> Result<BTreeMap<String, String>> {
    let mut shown = BTreeMap::new();
    for kind in ProviderKind::all() {
        let name = kind.settings_name();
        for (key, value) in kind.settings_shown(&config.providers.get(name))? {
            shown.insert(format!("{name}_{key}"), value);
        }
    }
    Ok(shown)
}
