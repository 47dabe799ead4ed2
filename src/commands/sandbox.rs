//! `tally sandbox serve`: run the built-in sandbox bank in the foreground.

use std::net::TcpListener;

use anyhow::{Context as _, Result};
use clap::Subcommand;

use crate::context::Ctx;
use crate::providers::sandbox::DEFAULT_PORT as DEFAULT_SANDBOX_PORT;
use crate::sandbox::{self, Options};

/// Run the built-in sandbox bank
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the sandbox bank on 127.0.0.1 until interrupted (Ctrl-C)
    ///
    /// It is a real OAuth 2.0 server and JSON API with deterministic synthetic data. Link it from
    /// another terminal with `tally link sandbox`. Its clock follows TALLY_NOW when set.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The port to listen on (0 picks a free one)
    #[arg(long, default_value_t = DEFAULT_SANDBOX_PORT)]
    pub port: u16,
    /// The seed of the synthetic data: the same seed, the same bank
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Multiply accounts and history (each step adds four accounts and two years of data)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub scale: u32,
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let Command::Serve(args) = cmd;
    let listener = TcpListener::bind(("127.0.0.1", args.port)).with_context(|| {
        format!("cannot listen on 127.0.0.1:{} (is another sandbox running? try --port 0)", args.port)
    })?;
    let bank = sandbox::serve(listener, Options { seed: args.seed, scale: args.scale, now: ctx.config.now })?;
    ctx.out.status(&format!("sandbox bank listening on {}", bank.url()));
    ctx.out.status(&format!(
        "sign in as {} / {}; link it with: TALLY_SANDBOX_URL={} tally link sandbox",
        sandbox::DEFAULT_USER,
        sandbox::DEFAULT_PASSWORD,
        bank.url()
    ));
    bank.wait();
    Ok(())
}
