//! `tally transfers`: the pairs of rows that move money between your own accounts — list
//! them, confirm a suggested one, unlink one that is not a transfer (remembered, so detection
//! never pairs those rows again), or look through rows already stored. Detection and the
//! decisions are `transfers`'; storage is `store::transfers`.

use anyhow::Result;
use clap::Subcommand;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::UserError;
use crate::model::TransferStatus;
use crate::money::{Currency, format_amount};
use crate::store::transfers::{self as store, Pair};

/// Money moved between your own accounts, which reports leave out of spending and income
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the transfers found (detected or confirmed) and the suggested ones
    List {
        /// Only the suggestions waiting for `tally transfers confirm`
        #[arg(long)]
        suggested: bool,
        /// Also list the pairs you unlinked
        #[arg(long, conflicts_with = "suggested")]
        all: bool,
    },
    /// Make a pair a transfer: a suggested one, or one you unlinked before
    Confirm {
        /// The transfer's id (`tally transfers list`)
        id: i64,
    },
    /// Say a pair is not a transfer: both rows count as spending and income again, for good
    Unlink {
        /// The transfer's id (`tally transfers list`)
        id: i64,
    },
    /// Look for transfers among every stored row (after an upgrade, `sync --replay`, or a config change)
    Detect,
}

/// One pair, as listed.
#[derive(Debug, Serialize, Default)]
struct Row {
    id: i64,
    status: String,
    confidence: u8,
    date: String,
    amount: String,
    currency: String,
    from_account: String,
    to_account: String,
    /// The row ids of the two legs (`tally tx show`).
    from_tx: Option<i64>,
    to_tx: Option<i64>,
    reason: String,
}

fn row(p: &Pair) -> Result<Row> {
    let currency = p.from.currency.as_deref().or(p.to.currency.as_deref()).unwrap_or_default();
    let amount = match (p.to.amount.or(p.from.amount.map(|a| -a)), Currency::parse(currency)) {
        (Some(a), Ok(c)) => format_amount(a.abs(), c),
        _ => String::new(),
    };
    Ok(Row {
        id: p.id,
        status: p.status.to_string(),
        confidence: p.confidence,
        date: p.from.date.or(p.to.date).map(|d| d.to_string()).unwrap_or_default(),
        amount,
        currency: currency.to_string(),
        from_account: p.from.account.clone(),
        to_account: p.to.account.clone(),
        from_tx: p.from.row,
        to_tx: p.to.row,
        reason: p.reason.clone(),
    })
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let now = ctx.now();
    match cmd {
        Command::List { suggested, all } => {
            let store = ctx.store()?;
            let status = suggested.then_some(TransferStatus::Suggested);
            let pairs: Vec<Pair> = store::list(store.db(), status)?
                .into_iter()
                .filter(|p| all || p.status != TransferStatus::Rejected)
                .collect();
            let rows = pairs.iter().map(row).collect::<Result<Vec<_>>>()?;
            ctx.out.rows(&rows)?;
            if !ctx.config.transfers.enabled {
                ctx.out.hint("transfer detection is off ([transfers] enabled = false in the config file)");
            }
            Ok(())
        }
        Command::Confirm { id } => {
            let p = ctx.store()?.atomic(|db| crate::transfers::confirm(db, id, now))?;
            ctx.out.status(&format!(
                "transfer {id} confirmed: {} to {} counts as a transfer, not spending or income",
                p.from.account, p.to.account
            ));
            Ok(())
        }
        Command::Unlink { id } => {
            let p = ctx.store()?.atomic(|db| crate::transfers::unlink(db, id, now))?;
            ctx.out.status(&format!(
                "transfer {id} unlinked: its rows in {} and {} count as spending and income again; \
                 detection will not pair them again",
                p.from.account, p.to.account
            ));
            Ok(())
        }
        Command::Detect => {
            let settings = ctx.config.transfers;
            if !settings.enabled {
                return Err(UserError::usage("transfer detection is off in the config file")
                    .hint("set `enabled = true` under [transfers] (`tally config path` shows the file)")
                    .into());
            }
            let found = ctx.store()?.atomic(|db| crate::transfers::detect_all(db, &settings, now))?;
            ctx.out.status(&format!(
                "{} new transfer(s) found, {} suggested for `tally transfers confirm`",
                found.detected, found.suggested
            ));
            Ok(())
        }
    }
}
