//! `tally restore FILE`: read back the document `tally export --all` wrote into a database
//! that holds no data yet (created if missing), in one transaction.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::context::Ctx;

/// Restore everything from a `tally export --all` document into a new database
///
/// The database must hold no data yet (a new one is created if missing; `tally init --encrypt`
/// first to restore into an encrypted one). Ids are kept, so the restored database exports to
/// the same document. Tokens are never in an export: relink each connection afterwards
/// (`tally link --relink NAME`). A broken or foreign document is refused and changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file `tally export --all -o FILE` wrote (`-` for stdin)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let input: Box<dyn std::io::Read> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?)
    };
    let db_path = ctx.config.db_path.clone();
    let db = ctx.store_or_create()?.db();
    let found = crate::export::all::nonempty(db)?;
    if !found.is_empty() {
        return crate::error::usage(
            format!("the database {} already holds data ({})", db_path.display(), found.join(", ")),
            "restore into a new database: pass --db NEW.db (or TALLY_DB), or `tally purge` this one first",
        );
    }
    let counts = crate::export::all::restore(db, input)?;
    let connections = counts.get("connection").copied().unwrap_or_default();
    ctx.out.status(&format!(
        "restored {} accounts and {} transactions from {}",
        counts.get("account").copied().unwrap_or_default(),
        counts.get("transaction").copied().unwrap_or_default(),
        args.file.display()
    ));
    if connections > 0 {
        ctx.out.hint(&format!("{connections} connections need their tokens again: `tally link --relink NAME` each"));
    }
    Ok(())
}
