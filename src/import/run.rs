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

/// Rows that name their own account (a CSV's account column) each go to the account of that
/// name (matched without regard to case), or to a new one of that name with `create`.
#[derive(Debug, Clone)]
pub struct Routes {
    /// The column, for messages.
    pub column: String,
    /// Create the accounts tally does not know (`--create-account`).
    pub create: bool,
}

/// Where a file's rows go: statement `i` to `targets[i]`, or each row by the name it gives.
#[derive(Debug, Clone)]
pub enum Targets {
    Each(Vec<Target>),
    ByName(Routes),
}

/// One account's side of the file being applied: its rows waiting for their raw block.
struct Dest {
    id: i64,
    currency: Currency,
    claims: reconcile::Claims,
    counts: Counts,
    block: Vec<super::Row>,
    /// The blocks stored so far: a replay reads each account's blocks in this order.
    part: u32,
}

impl Dest {
    fn open(db: &Db, target: &Target, opened: (i64, String)) -> Result<Dest> {
        Ok(Dest {
            id: opened.0,
            currency: target.currency()?,
            claims: reconcile::Claims::for_account(db, opened.0)?,
            counts: Counts { account: opened.1, ..Default::default() },
            block: Vec::with_capacity(replay::BLOCK),
            part: 0,
        })
    }
}

/// What applying rows needs besides the rows.
struct Apply<'a> {
    db: &'a Db,
    provider: &'a str,
    categorizer: &'a Categorizer,
    now: DateTime<Utc>,
    /// Each account's rows span these dates: where transfers are looked for once all landed.
    spans: std::cell::RefCell<Vec<(i64, NaiveDate, NaiveDate)>>,
}

impl Apply<'_> {
    /// Store `dest`'s waiting rows as one raw block and apply them. `reader` says how to read
    /// the block again; it is taken after the block is read (a CSV's number style may have
    /// been decided by one of its rows).
    fn flush(&self, dest: &mut Dest, reader: replay::Reader) -> Result<()> {
        if dest.block.is_empty() {
            return Ok(());
        }
        let header = replay::Header { reader, currency: dest.currency.code().into(), part: dest.part };
        let body = replay::body(&header, &dest.block);
        let record = raw::RawRecord {
            connection_id: None,
            account_id: dest.id,
            provider: self.provider,
            external_id: None,
            body: &body,
        };
        let raw_id = raw::insert(self.db, &record, self.now)?;
        dest.part += 1;
        let mut spans = self.spans.borrow_mut();
        for r in &dest.block {
            let date = r.tx.booked_date;
            match spans.iter_mut().find(|s| s.0 == dest.id) {
                Some(s) => (s.1, s.2) = (s.1.min(date), s.2.max(date)),
                None => spans.push((dest.id, date, date)),
            }
        }
        drop(spans);
        let txs: Vec<&crate::model::NewTransaction> = dest.block.iter().map(|r| &r.tx).collect();
        let applied = reconcile::apply_imported_all(
            self.db,
            dest.id,
            &txs,
            Some(raw_id),
            self.categorizer,
            &mut dest.claims,
            self.now,
        )
        .map_err(|e| anyhow!("{}: {e:#}", block_location(&dest.block)))?;
        for a in applied {
            match a.effect {
                Effect::Added => {
                    dest.counts.new += 1;
                    dest.counts.categorized += u64::from(a.categorized);
                }
                Effect::Matched => dest.counts.matched += 1,
                _ => dest.counts.unchanged += 1,
            }
        }
        dest.block.clear();
        Ok(())
    }
}

/// Where a block's rows are, for an error while applying them: `file.csv:2` to `file.csv:1001`.
fn block_location(block: &[super::Row]) -> String {
    match block {
        [] => String::new(),
        [one] => one.location.clone(),
        [first, .., last] => format!("{} to {}", first.location, last.location),
    }
}

/// The accounts rows are routed to by name, opened (or created) as their names come.
struct Router<'a> {
    routes: &'a Routes,
    /// Every account, to find one by name (loaded once).
    known: Vec<accounts::Account>,
    /// Lower-cased name → index in `dests`.
    by_name: std::collections::HashMap<String, usize>,
    dests: Vec<Dest>,
    /// Names tally does not know (without `create`), in the order they came.
    missing: Vec<String>,
}

impl Router<'_> {
    /// The destination of a row naming `name`, or `None` when it is missing.
    fn dest(&mut self, db: &Db, name: &str, row: &super::Row, now: DateTime<Utc>) -> Result<Option<usize>> {
        let key = name.to_lowercase();
        if let Some(&i) = self.by_name.get(&key) {
            return Ok(Some(i));
        }
        if self.missing.iter().any(|m| m.to_lowercase() == key) {
            return Ok(None);
        }
        let same: Vec<&accounts::Account> = self.known.iter().filter(|a| a.name.to_lowercase() == key).collect();
        let target = match same.as_slice() {
            [one] => Target::Existing(Box::new((*one).clone())),
            [] if self.routes.create => Target::New {
                name: crate::model::clip_name(name),
                identity: None,
                kind: AccountKind::Checking,
                currency: row.tx.currency,
            },
            [] => {
                self.missing.push(name.to_string());
                return Ok(None);
            }
            several => {
                return Err(UserError::usage(format!(
                    "{}: {} accounts are called {name:?} (ids {})",
                    row.location,
                    several.len(),
                    several.iter().map(|a| a.id.to_string()).collect::<Vec<_>>().join(", ")
                ))
                .hint("rename one (`tally accounts rename ID NAME`), or import every row into one with --account ID")
                .into());
            }
        };
        let opened = target.open(db, now)?;
        self.dests.push(Dest::open(db, &target, opened)?);
        self.by_name.insert(key, self.dests.len() - 1);
        Ok(Some(self.dests.len() - 1))
    }
}

/// Apply every statement of `importer` (the file called `file`) to its targets, in one
/// transaction; with `dry_run`, roll it back and only count. Transfers among the file's rows
/// and the accounts' other rows are paired once the rows land. Counts come per statement, or,
/// for rows routed by name, per account in the order the file first names them.
pub fn apply(
    store: &mut Store,
    file: &str,
    importer: &mut dyn Importer,
    targets: &Targets,
    dry_run: bool,
    transfers: &crate::transfers::Settings,
    now: DateTime<Utc>,
) -> Result<Vec<Counts>> {
    let statements = importer.statements();
    if let Targets::Each(targets) = targets {
        for ((hint, _), target) in statements.iter().zip(targets) {
            if let (Some(c), Target::Existing(a)) = (hint.currency, target)
                && c.code() != a.currency
            {
                bail!("{file} is in {c}, but account {:?} is in {}", a.name, a.currency);
            }
        }
    }
    let provider = format!("import:{}", importer.name());
    let categorizer = Categorizer::for_provider(store.db(), &provider)?;
    // Index inserts at random keys dominate a long import; a larger cache keeps them in memory
    // while the whole import stays under 100 MiB (benches/import.rs measures both).
    store.set_cache_mib(24)?;
    let work = |db: &rusqlite::Transaction<'_>| -> Result<Vec<Counts>> {
        let apply = Apply { db, provider: &provider, categorizer: &categorizer, now, spans: Default::default() };
        let counts = match targets {
            Targets::Each(targets) => each(&apply, file, importer, &statements, targets)?,
            Targets::ByName(routes) => by_name(&apply, file, importer, &statements, routes)?,
        };
        let found = crate::transfers::detect_between(db, transfers, &apply.spans.borrow(), now)?;
        tracing::debug!(?found, "transfers");
        Ok(counts)
    };
    let work = |db: &rusqlite::Transaction<'_>| {
        crate::store::search::deferred(db, || {
            let mut work = work;
            work(db)
        })
    };
    if dry_run { store.rehearse(work) } else { store.atomic(work) }
}

/// Statement `i` into `targets[i]`.
fn each(
    apply: &Apply<'_>,
    file: &str,
    importer: &mut dyn Importer,
    statements: &[(AccountHint, Option<Balance>)],
    targets: &[Target],
) -> Result<Vec<Counts>> {
    let db = apply.db;
    let mut out = Vec::new();
    // Statements that go to one new account (`--account NEW --create-account` on a file of
    // several) create it once.
    let mut created: Vec<(&Target, (i64, String))> = Vec::new();
    let same = |a: &Target, b: &Target| match (a, b) {
        (Target::New { name, identity, .. }, Target::New { name: n, identity: i, .. }) => name == n && identity == i,
        _ => false,
    };
    for (index, ((_, balance), target)) in statements.iter().zip(targets).enumerate() {
        let opened = match target {
            Target::New { .. } => match created.iter().find(|(t, _)| same(t, target)) {
                Some((_, opened)) => opened.clone(),
                None => {
                    let opened = target.open(db, apply.now)?;
                    created.push((target, opened.clone()));
                    opened
                }
            },
            Target::Existing(_) => target.open(db, apply.now)?,
        };
        let mut dest = Dest::open(db, target, opened)?;
        let mut rows = importer.rows(index, dest.currency)?;
        while let Some(row) = rows.next().transpose()? {
            dest.block.push(row);
            if dest.block.len() == replay::BLOCK {
                apply.flush(&mut dest, rows.reader())?;
            }
        }
        apply.flush(&mut dest, rows.reader())?;
        if let Some(b) = balance {
            let (as_of, note) = statement_date(file, b, apply.now);
            accounts::set_statement_balance_if_newer(db, dest.id, b.amount, as_of)?;
            dest.counts.notes.extend(note);
        }
        out.push(dest.counts);
    }
    Ok(out)
}

/// Each row into the account it names.
fn by_name(
    apply: &Apply<'_>,
    file: &str,
    importer: &mut dyn Importer,
    statements: &[(AccountHint, Option<Balance>)],
    routes: &Routes,
) -> Result<Vec<Counts>> {
    let db = apply.db;
    let mut router = Router {
        routes,
        known: accounts::list(db)?,
        by_name: Default::default(),
        dests: Vec::new(),
        missing: Vec::new(),
    };
    for (index, (hint, _)) in statements.iter().enumerate() {
        let mut rows = importer.own_rows(index, hint.currency)?;
        while let Some(row) = rows.next().transpose()? {
            let Some(name) = row.account.as_deref().filter(|n| !n.trim().is_empty()) else {
                return Err(UserError::failure(format!("{}: the {:?} column is empty", row.location, routes.column))
                    .hint("fill it in, or import every row into one account with --account NAME")
                    .into());
            };
            let Some(i) = router.dest(db, name, &row, apply.now)? else { continue };
            let dest = &mut router.dests[i];
            if row.tx.currency != dest.currency {
                bail!(
                    "{}: the row is in {}, but account {:?} is in {}",
                    row.location,
                    row.tx.currency,
                    dest.counts.account,
                    dest.currency
                );
            }
            dest.block.push(row);
            if dest.block.len() == replay::BLOCK {
                apply.flush(dest, rows.reader())?;
            }
        }
        let reader = rows.reader();
        for dest in &mut router.dests {
            apply.flush(dest, reader.clone())?;
        }
    }
    if !router.missing.is_empty() {
        let names: Vec<String> = router.missing.iter().map(|n| format!("{n:?}")).collect();
        return Err(UserError::usage(format!(
            "{file}: the {:?} column names {} account(s) tally does not know: {}",
            routes.column,
            names.len(),
            names.join(", ")
        ))
        .hint("create them as the file names them with --create-account, or import every row into one account with --account NAME")
        .into());
    }
    Ok(router.dests.into_iter().map(|d| d.counts).collect())
}
