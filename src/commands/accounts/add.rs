//! `tally accounts add`: an account that only statement files feed (no bank connection).

use anyhow::Result;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::{AccountKind, check_name};
use crate::money::Currency;
use crate::store::accounts;

/// Add an account by hand, for statements you import yourself
///
/// The account belongs to no connection: `tally import FILE --account NAME` fills it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Its name (must differ from every other account's)
    pub name: String,
    /// Its ISO 4217 currency, e.g. EUR
    #[arg(long, value_name = "CODE")]
    pub currency: String,
    /// What kind of account it is: checking, savings, credit, loan, investment or other
    #[arg(long, value_parser = AccountKind::parse, default_value_t = AccountKind::Checking)]
    pub kind: AccountKind,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    let name = check_name("an account", &args.name)?;
    let currency = Currency::parse(&args.currency)
        .or_else(|e| usage(format!("{e}"), "give an ISO 4217 code such as EUR, USD, GBP or JPY"))?;
    let now = ctx.now();
    let store = ctx.store_or_create()?;
    if accounts::list(store.db())?.iter().any(|a| a.name.eq_ignore_ascii_case(&name)) {
        return usage(
            format!("an account named {name:?} exists already"),
            "choose another name, or import into that one with --account",
        );
    }
    let new = accounts::NewAccount {
        connection_id: None,
        external_id: &format!("manual:{name}"),
        identity: None,
        name: &name,
        official_name: None,
        kind: args.kind.as_str(),
        currency: currency.code(),
        mask: None,
        tracked: true,
    };
    let id = store.atomic(|db| accounts::insert(db, &new, now))?;
    ctx.out.status(&format!(
        "Added account {id} {name:?} ({}, {currency}). Next: `tally import FILE --account {id}`.",
        args.kind.as_str()
    ));
    Ok(())
}
