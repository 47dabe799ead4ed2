//! `tally demo`: the main job end to end, offline, in seconds — start the sandbox bank
//! in-process, link it through the real OAuth flow (a robot plays the user on the consent
//! page), sync, and print accounts, recent transactions and a spending report.

use std::net::TcpListener;

use anyhow::{Context as _, Result};
use chrono::{Datelike as _, Months};

use crate::consent::Scripted;
use crate::context::Ctx;
use crate::output::Format;
use crate::providers::ProviderKind;
use crate::sandbox::{self, Options, robot};
use crate::secrets::Secrets;

/// Run tally end to end against the built-in sandbox bank, offline, in seconds
///
/// Uses a temporary database (or the one --db names, which it then keeps), starts the
/// sandbox bank on 127.0.0.1, links it through its OAuth consent page — the demo plays the
/// user and approves every account — syncs, and prints what you would see with your own bank.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &mut Ctx, _args: Args) -> Result<()> {
    let temp = if ctx.config.db_from_flag {
        None
    } else {
        let dir = tempfile::tempdir().context("cannot create a temporary directory for the demo")?;
        ctx.config.db_path = dir.path().join("demo.db");
        // Tokens for a throwaway database go nowhere permanent.
        ctx.set_secrets(Secrets::memory());
        Some(dir)
    };
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1 for the sandbox")?;
    let bank = sandbox::serve(listener, Options { now: ctx.config.now, ..Options::default() })?;
    ctx.config.providers.set_override(ProviderKind::Sandbox.settings_name(), "url", bank.url());
    ctx.out.status(&format!("Started the sandbox bank at {} (a fake bank on this machine).", bank.url()));
    ctx.out.status(&format!(
        "Linking over OAuth 2.0 with PKCE. The demo plays you on the bank's consent page: it signs in as \
         {} and approves every account.",
        sandbox::DEFAULT_USER
    ));

    let mut robot = Scripted::new().with_browser(robot::browser(robot::Decision::Approve));
    let args = super::link::Args {
        provider: Some(ProviderKind::Sandbox),
        name: Some("sandbox".into()),
        relink: None,
        no_browser: true,
        all: true,
        timeout: 30,
        token_file: None,
        country: None,
        bank: None,
        redirect_url_file: None,
        issuer: None,
        client_id: None,
        api: None,
        scope: None,
        application_id: None,
        cert: None,
        key: None,
    };
    let name = super::link::link(ctx, &args, &mut robot)?;

    section(ctx, "Sync");
    let synced = super::sync::sync_named(ctx, &[name], std::time::Duration::from_secs(60), false)?;
    super::sync::report(ctx, &synced)?;

    section(ctx, "Accounts");
    super::accounts::list(ctx)?;

    section(ctx, "Recent transactions");
    let recent = super::tx::Command::List(super::tx::list_args_recent(10));
    super::tx::run(ctx, recent)?;

    let today = ctx.now().date_naive();
    let from = today.with_day(1).and_then(|d| d.checked_sub_months(Months::new(2)));
    section(ctx, "Spending, last three months");
    super::report::run(ctx, super::report::spending_between(from, Some(today)))?;

    match temp {
        Some(_) => {
            ctx.out.status("\nThat was a temporary database; it is gone now. Link your own bank with `tally link`.")
        }
        None => ctx.out.status(&format!("\nThe demo's data is in {}.", ctx.config.db_path.display())),
    }
    Ok(())
}

/// A heading between the demo's parts: on stderr, so stdout holds only the listings.
fn section(ctx: &Ctx, title: &str) {
    if ctx.out.format() == Format::Table {
        ctx.out.status(&format!("\n== {title} =="));
    }
}
