//! Hidden `tally generate`: shell completions and man pages from the clap definition. The
//! committed `completions/` and `man/` come from [`render`]; a test keeps them fresh.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{CommandFactory as _, Subcommand};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::context::Ctx;

/// Generate completions and man pages (for packagers and the repository)
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the completion script for a shell
    Completions { shell: Shell },
    /// Write completions/ and man/ under DIR
    All { dir: PathBuf },
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    match cmd {
        Command::Completions { shell } => {
            let script = completion(shell)?;
            ctx.out.line(String::from_utf8_lossy(&script).trim_end())
        }
        Command::All { dir } => {
            for (path, bytes) in render()? {
                let path = dir.join(path);
                std::fs::create_dir_all(path.parent().expect("has a parent"))?;
                std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// The public command tree: the root's flags and its non-hidden subcommands, without clap's
/// `help` subcommand (clap has no "remove", so the root is rebuilt from its parts).
fn public_command() -> clap::Command {
    let full = Cli::command();
    let mut cmd = clap::Command::new("tally")
        .version(env!("CARGO_PKG_VERSION"))
        .about(full.get_about().cloned().unwrap_or_default())
        .long_about(full.get_long_about().cloned().unwrap_or_default())
        .after_long_help(full.get_after_long_help().cloned().unwrap_or_default())
        .max_term_width(100)
        .disable_help_subcommand(true)
        .args(full.get_arguments().filter(|a| !matches!(a.get_id().as_str(), "help" | "version")).cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    cmd.build();
    cmd
}

fn completion(shell: Shell) -> Result<Vec<u8>> {
    let mut cmd = public_command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tally", &mut buf);
    Ok(buf)
}

/// Every generated file, relative to the repository root.
pub fn render() -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    for (shell, name) in [(Shell::Bash, "tally.bash"), (Shell::Zsh, "_tally"), (Shell::Fish, "tally.fish")] {
        files.push((Path::new("completions").join(name), completion(shell)?));
    }
    man_pages(&public_command(), "tally", &mut files)?;
    Ok(files)
}

/// A page per command and subcommand: `tally.1`, `tally-tx-list.1`, …
fn man_pages(cmd: &clap::Command, name: &str, files: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_string())).render(&mut buf)?;
    files.push((Path::new("man").join(format!("{name}.1")), buf));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        man_pages(sub, &format!("{name}-{}", sub.get_name()), files)?;
    }
    Ok(())
}
