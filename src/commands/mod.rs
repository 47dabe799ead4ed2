//! One dispatch `match` from the parsed command line to the command's `run`. Each command
//! lives in its own file (a folder per group) with its clap `Args`.

pub mod accounts;
pub mod alerts;
pub mod budget;
pub mod categories;
pub mod categorize;
pub mod config;
pub mod connections;
pub mod demo;
pub mod doctor;
pub mod encrypt;
pub mod export;
pub mod generate;
pub mod import;
pub mod init;
pub mod link;
pub mod purge;
pub mod rates;
pub mod recurring;
pub mod relink;
pub mod report;
pub mod restore;
pub mod review;
pub mod rules;
pub mod sandbox;
pub mod sync;
pub mod transfers;
pub mod tx;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Ctx;

pub fn run(cli: Cli) -> Result<()> {
    // Files we create (database, WAL, secrets, config) are ours alone.
    // SAFETY-free: umask is a plain syscall with no memory effects.
    set_private_umask();
    let mut ctx = Ctx::new(&cli.global)?;
    init_logging(ctx.config.log_filter.as_deref(), cli.global.verbose);
    let result = match cli.command {
        Command::Demo(args) => demo::run(&mut ctx, args),
        Command::Doctor(args) => doctor::run(&mut ctx, args),
        Command::Init(args) => init::run(&mut ctx, args),
        Command::Encrypt(args) => encrypt::encrypt(&mut ctx, args),
        Command::Decrypt(args) => encrypt::decrypt(&mut ctx, args),
        Command::Link(args) => link::run(&mut ctx, args),
        Command::Connections(args) => connections::run(&mut ctx, args),
        Command::Accounts(args) => accounts::run(&mut ctx, args),
        Command::Sync(args) => sync::run(&mut ctx, args),
        Command::Import(args) => import::run(&mut ctx, args),
        Command::Export(args) => export::run(&mut ctx, args),
        Command::Restore(args) => restore::run(&mut ctx, args),
        Command::Purge(args) => purge::run(&mut ctx, args),
        Command::Tx(cmd) => tx::run(&mut ctx, cmd),
        Command::Categories(args) => categories::run(&mut ctx, args),
        Command::Categorize(args) => categorize::run(&mut ctx, args),
        Command::Review(args) => review::run(&mut ctx, args),
        Command::Report(cmd) => report::run(&mut ctx, cmd),
        Command::Budget(cmd) => budget::run(&mut ctx, cmd),
        Command::Rates(cmd) => rates::run(&mut ctx, cmd),
        Command::Rules(cmd) => rules::run(&mut ctx, cmd),
        Command::Transfers(cmd) => transfers::run(&mut ctx, cmd),
        Command::Recurring(args) => recurring::run(&mut ctx, args),
        Command::Alerts(args) => alerts::run(&mut ctx, args),
        Command::Sandbox(cmd) => sandbox::run(&mut ctx, cmd),
        Command::Config(cmd) => config::run(&mut ctx, cmd),
        Command::Generate(cmd) => generate::run(&mut ctx, cmd),
    };
    // A broken or read-only database may show only at the first write or a damaged page.
    result.map_err(|e| crate::store::explain(e, &ctx.config.db_path))
}

fn set_private_umask() {
    #[allow(unsafe_code)]
    // SAFETY: umask(2) only swaps the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Logs go to stderr: `TALLY_LOG` sets the filter, `-v` raises it.
fn init_logging(filter: Option<&str>, verbose: u8) {
    use std::io::IsTerminal as _;
    let default = match verbose {
        // The verifier logs each refused certificate at ERROR; `providers::http` explains it.
        0 => "warn,rustls_platform_verifier=off",
        1 => "tally=debug",
        _ => "tally=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_new(filter.unwrap_or(default))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .try_init();
}
