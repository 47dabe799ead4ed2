//! `tally accounts remove`: delete an account and every row in it, after asking.

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::store::accounts;

/// Remove an account and all its transactions
///
/// Asks first at a terminal; scripts pass --yes. A linked account is no longer synced
/// afterwards (`tally link --relink CONNECTION` brings it back, without its old rows).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The account's name or id
    pub account: String,
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let account = super::resolve(ctx.store()?.db(), &args.account)?;
    let rows = crate::store::transactions::count(
        ctx.store()?.db(),
        &crate::store::transactions::TxFilter { account_id: Some(account.id), ..Default::default() },
    )?;
    let what = format!("account {} {:?} and its {rows} transactions", account.id, account.name);
    if !args.yes {
        if !ctx.interactive() {
            return usage(format!("removing {what} needs a yes"), "pass --yes to remove it without asking");
        }
        let sure = dialoguer::Confirm::new().with_prompt(format!("Remove {what}? This cannot be undone")).interact()?;
        if !sure {
            ctx.out.status("Nothing was removed.");
            return Ok(());
        }
    }
    let removed = ctx.store()?.atomic(|db| accounts::remove(db, account.id))?;
    ctx.out.status(&format!("Removed account {} {:?} and its {removed} transactions.", account.id, account.name));
    if let Some(connection) = &account.connection_name {
        ctx.out.hint(&format!(
            "it belonged to connection {connection}; it is no longer synced (`tally link --relink {connection}` adds it back)"
        ));
    }
    Ok(())
}
