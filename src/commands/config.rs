//! `tally config`: where the files are, what is in effect, and a commented default.

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;

use crate::context::Ctx;

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
    sandbox_url: &'a str,
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
            sandbox_url: &c.sandbox_url,
            now: c.now.map(|t| t.to_rfc3339()),
        }),
    }
}
