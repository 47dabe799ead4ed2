//! One statement file into the store, after the caller has chosen where each of its
//! statements goes: the rows through the shared reconciler (`sync::reconcile`), kept as raw
//! records in blocks a replay can read again, all of the file or none of it. A statement's
//! closing balance goes beside the account's live balance, dated by the statement, never over
//! it. Asking the user anything is the caller's part; what a row means is the importer's.

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};

use super::{AccountHint, Balance, Importer, replay};
use crate::categorize::Categorizer;
use crate::error::UserError;
use crate::model::AccountKind;
use crate::money::Currency;
use crate::store::{Db, Store, accounts, raw};
use crate::sync::reconcile::{self, Effect};

/// Where a statement goes: an account we have, or one to create in the file's transaction
/// (so a dry run or a failed file leaves no account behind).
#[derive(Debug, Clone)]
pub enum Target {
    Existing(Box<accounts::Account>),
    New { name: String, identity: Option<String>, kind: AccountKind, currency: Currency },
}

impl Target {
    /// The account the file names by its stable identity, if tally has it.
    pub fn known(db: &Db, hint: &AccountHint) -> Result<Option<Target>> {
        let found = hint.identity.as_deref().map(|i| accounts::by_identity(db, i)).transpose()?.flatten();
        Ok(found.map(|a| Target::Existing(Box::new(a))))
    }

    /// A new account for a statement: the name the file gives, else the file's own name
    /// (`stem`, see [`super::Input::stem`]). `file` is the file's name for messages.
    pub fn new_account(file: &str, stem: &str, hint: &AccountHint, currency: Option<Currency>) -> Result<Target> {
        let Some(currency) = hint.currency.or(currency) else {
            return Err(UserError::usage(format!("{file} names no currency for the new account"))
                .hint("say which with --currency CODE (or set `currency` in the CSV profile)")
                .into());
        };
        Ok(Target::New {
            name: default_name(stem, hint),
            identity: hint.identity.clone(),
            kind: hint.kind.unwrap_or(AccountKind::Checking),
            currency,
        })
    }

    fn currency(&self) -> Result<Currency> {
        match self {
            Target::Existing(a) => Currency::parse(&a.currency),
            Target::New { currency, .. } => Ok(*currency),
        }
    }

    /// The account's id and name, creating it now if it is new.
    fn open(&self, db: &Db, now: DateTime<Utc>) -> Result<(i64, String)> {
        match self {
            Target::Existing(a) => Ok((a.id, a.name.clone())),
            Target::New { name, identity, kind, currency } => {
                let new = accounts::NewAccount {
                    connection_id: None,
                    external_id: identity.as_deref().unwrap_or(name),
                    identity: identity.as_deref(),
                    name,
                    official_name: None,
                    kind: kind.as_str(),
                    currency: currency.code(),
                    mask: None,
                    tracked: true,
                };
                Ok((accounts::insert(db, &new, now)?, name.clone()))
            }
        }
    }
}

/// The name a new account gets: the file's, else `stem` (the file name without its extension).
pub fn default_name(stem: &str, hint: &AccountHint) -> String {
    hint.name.clone().unwrap_or_else(|| stem.to_string())
}

/// What one statement did to its account.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub account: String,
    pub new: u64,
    /// New rows that got a category as they landed (from a rule, a model or the source's map).
    pub categorized: u64,
    pub matched: u64,
    pub unchanged: u64,
    /// What is worth telling about the statement (a balance dated in the future).
    pub notes: Vec<String>,
}

/// When a statement's balance counts as of: its own date, but never after `now` (a bank may
/// date a statement by the end of a period that has not ended yet), with a note saying so.
fn statement_date(file: &str, balance: &Balance, now: DateTime<Utc>) -> (DateTime<Utc>, Option<String>) {
    if balance.as_of <= now {
        return (balance.as_of, None);
    }
    let note = format!(
        "{file}: the statement's balance is dated {}, after today ({}); it is kept as of now",
        balance.as_of.date_naive(),
        now.date_naive()
    );
    (now, Some(note))
}

/// Apply every statement of `importer` (the file called `file`) to its target (`targets[i]`
/// for statement `i`), in one transaction; with `dry_run`, roll it back and only count.
/// Transfers among the file's rows and the accounts' other rows are paired once the rows land.
pub fn apply(
    store: &mut Store,
    file: &str,
    importer: &mut dyn Importer,
    targets: &[Target],
    dry_run: bool,
    transfers: &crate::transfers::Settings,
    now: DateTime<Utc>,
) -> Result<Vec<Counts>> {
    let statements = importer.statements();
    for ((hint, _), target) in statements.iter().zip(targets) {
        if let (Some(c), Target::Existing(a)) = (hint.currency, target)
            && c.code() != a.currency
        {
            bail!("{file} is in {c}, but account {:?} is in {}", a.name, a.currency);
        }
    }
    let provider = format!("import:{}", importer.name());
    let categorizer = Categorizer::for_provider(store.db(), &provider)?;
    // Index inserts at random keys dominate a long import; a larger cache keeps them in memory
    // while the whole import stays under 100 MiB (benches/import.rs measures both).
    store.set_cache_mib(24)?;
    let work = |db: &rusqlite::Transaction<'_>| -> Result<Vec<Counts>> {
        let mut out = Vec::new();
        // Statements that go to one new account (`--account NEW --create-account` on a file
        // of several) create it once.
        let mut created: Vec<(&Target, (i64, String))> = Vec::new();
        // Each statement's account and the dates its rows span, where transfers are looked for.
        let mut spans: Vec<(i64, NaiveDate, NaiveDate)> = Vec::new();
        let same = |a: &Target, b: &Target| match (a, b) {
            (Target::New { name, identity, .. }, Target::New { name: n, identity: i, .. }) => {
                name == n && identity == i
            }
            _ => false,
        };
        for (index, ((_, balance), target)) in statements.iter().zip(targets).enumerate() {
            let (account_id, account) = match target {
                Target::New { .. } => match created.iter().find(|(t, _)| same(t, target)) {
                    Some((_, opened)) => opened.clone(),
                    None => {
                        let opened = target.open(db, now)?;
                        created.push((target, opened.clone()));
                        opened
                    }
                },
                Target::Existing(_) => target.open(db, now)?,
            };
            let currency = target.currency()?;
            let mut claims = reconcile::Claims::for_account(db, account_id)?;
            let mut counts = Counts { account, ..Default::default() };
            let mut rows = importer.rows(index, currency)?;
            let mut block = Vec::with_capacity(replay::BLOCK);
            let mut part = 0;
            loop {
                let next = rows.next().transpose()?;
                let done = next.is_none();
                block.extend(next);
                if block.len() < replay::BLOCK && !done {
                    continue;
                }
                if !block.is_empty() {
                    // The header is taken after the block is read: a CSV's number style may
                    // have been decided by one of its rows.
                    let header = replay::Header { reader: rows.reader(), currency: currency.code().into(), part };
                    let body = replay::body(&header, &block);
                    let record = raw::RawRecord {
                        connection_id: None,
                        account_id,
                        provider: &provider,
                        external_id: None,
                        body: &body,
                    };
                    let raw_id = raw::insert(db, &record, now)?;
                    part += 1;
                    for r in block.drain(..) {
                        let date = r.tx.booked_date;
                        match spans.iter_mut().find(|s| s.0 == account_id) {
                            Some(s) => (s.1, s.2) = (s.1.min(date), s.2.max(date)),
                            None => spans.push((account_id, date, date)),
                        }
                        let effect = reconcile::apply_imported(
                            db,
                            account_id,
                            &r.tx,
                            Some(raw_id),
                            &categorizer,
                            &mut claims,
                            now,
                        )
                        .map_err(|e| anyhow!("{}: {e:#}", r.location))?;
                        match effect {
                            Effect::Added => {
                                counts.new += 1;
                                counts.categorized += u64::from(categorizer.categorize_in(account_id, &r.tx).is_some());
                            }
                            Effect::Matched => counts.matched += 1,
                            _ => counts.unchanged += 1,
                        }
                    }
                }
                if done {
                    break;
                }
            }
            if let Some(b) = balance {
                let (as_of, note) = statement_date(file, b, now);
                accounts::set_statement_balance_if_newer(db, account_id, b.amount, as_of)?;
                counts.notes.extend(note);
            }
            out.push(counts);
        }
        let found = crate::transfers::detect_between(db, transfers, &spans, now)?;
        tracing::debug!(?found, "transfers");
        Ok(out)
    };
    if dry_run { store.rehearse(work) } else { store.atomic(work) }
}
