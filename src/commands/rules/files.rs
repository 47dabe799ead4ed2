//! `rules export` and `rules import`: the rules as TOML (`[[rule]]` tables with the keys of
//! `rules add`'s flags, in order), and hledger CSV rules read by `hledger.rs`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use super::args::RuleArgs;
use super::hledger;
use crate::context::Ctx;
use crate::error::UserError;
use crate::store::rules as store;

/// Read rules from a file and add them after the existing ones
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A TOML file written by `tally rules export`
    #[arg(required_unless_present = "hledger", conflicts_with = "hledger")]
    pub file: Option<PathBuf>,
    /// An hledger CSV rules file instead: its `if` blocks become rules (`account2` names the
    /// category, made when missing; `description` or `payee` renames the payee)
    #[arg(long, value_name = "FILE.rules")]
    pub hledger: Option<PathBuf>,
}

#[derive(Debug, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleArgs>,
}

const HEADER: &str = "# tally rules, in the order they are tried: the first rule that matches a row wins.\n\
                      # `tally rules import FILE` adds them after the rules a database has.\n\n";

pub fn export(ctx: &mut Ctx, file: Option<PathBuf>) -> Result<()> {
    let rules = store::list(ctx.store()?.db())?;
    let body = RuleFile { rule: rules.iter().map(RuleArgs::of).collect() };
    let text = format!("{HEADER}{}", toml::to_string(&body)?);
    match file {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            ctx.out.status(&format!("Wrote {} rules to {}.", rules.len(), path.display()));
            Ok(())
        }
        None => ctx.out.line(text.trim_end()),
    }
}

pub fn import(ctx: &mut Ctx, args: ImportArgs) -> Result<()> {
    let (path, hledger_file) = match (args.file, args.hledger) {
        (_, Some(path)) => (path, true),
        (Some(path), None) => (path, false),
        (None, None) => unreachable!("clap requires one"),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| UserError::usage(format!("cannot read {}: {e}", path.display())).hint("check the path"))?;
    let (entries, skipped) = if hledger_file {
        let parsed = hledger::parse(&text);
        (parsed.rules, parsed.skipped)
    } else {
        let file: RuleFile = toml::from_str(&text).map_err(|e| {
            UserError::usage(format!("{} is not a tally rules file: {}", path.display(), e.message()))
                .hint("`tally rules export` shows the format: [[rule]] tables with the keys of `rules add`'s flags")
        })?;
        (file.rule.into_iter().map(|r| (r, None)).collect(), Vec::new())
    };
    let now = ctx.now();
    let store = ctx.store_or_create()?;
    let count = entries.len();
    store.atomic(|tx| {
        for (i, (entry, kind)) in entries.iter().enumerate() {
            let mut entry = entry.clone();
            // hledger names accounts tally may not have: made on the way, of their kind.
            if let (Some(kind), Some(category)) = (kind, &entry.category) {
                entry.category = Some(store::ensure_category(tx, category, kind)?);
            }
            let rule = entry.to_rule(tx).with_context(|| format!("rule {} of {}", i + 1, path.display()))?;
            store::insert(tx, &rule, now)?;
        }
        Ok(())
    })?;
    for reason in &skipped {
        ctx.out.warn(&format!("skipped: {reason}"));
    }
    ctx.out.status(&format!("Imported {count} rules from {}.", path.display()));
    Ok(())
}
