//! `tally import`: bank statement files into accounts, through the same reconciler as sync.
//! Each file is all or nothing; one bad file never stops the others.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use serde::Serialize;

use crate::categorize::Categorizer;
use crate::context::Ctx;
use crate::error::UserError;
use crate::import::profile::{self, DateOrder, Profile};
use crate::import::{self, AccountHint, Format, Statement};
use crate::model::AccountKind;
use crate::store::{accounts, raw};
use crate::sync::reconcile::{self, Effect};

/// Import bank statement files (OFX/QFX, CSV, QIF, CAMT.052/053)
///
/// The format is detected from the content. OFX and CAMT files name their accounts (CAMT by
/// IBAN, so a synced account is found), and QIF files may; CSV files go into --account. An
/// account tally does not know is created only after asking, or with --create-account. Rows already known — from an earlier import, an overlapping statement, or a
/// sync of the same account — are matched, not added again. A file with any error imports
/// nothing and says where the error is.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Statement files
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The account the rows belong to (name or id), overriding any the file names
    #[arg(long)]
    pub account: Option<String>,
    /// The file format (`--format` is the global table|csv|json flag, for the summary)
    #[arg(long = "file-format", value_enum, default_value_t = Format::Auto, value_name = "FORMAT")]
    pub file_format: Format,
    /// Show what would be imported (new, matched, unchanged) and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Create the account a file names when tally does not know it (a terminal asks instead)
    #[arg(long)]
    pub create_account: bool,
    /// A CSV profile: built in (us-checking, de-giro) or profiles/NAME.toml beside the config
    #[arg(long)]
    pub profile: Option<String>,
    /// For CSV dates like 03/04/2026: day first or month first
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// The currency of new accounts and of files that name none (QIF, most CSV)
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Show what tally detects in a CSV file and print a profile to save, instead of importing
    #[arg(long)]
    pub inspect: bool,
}

#[derive(Debug, Serialize)]
struct FileRow {
    file: String,
    account: Option<String>,
    new: u64,
    matched: u64,
    unchanged: u64,
    status: &'static str,
    error: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    if args.inspect {
        return inspect(ctx, &args);
    }
    let mut rows = Vec::new();
    for path in &args.files {
        match import_file(ctx, path, &args) {
            Ok(mut done) => rows.append(&mut done),
            Err(e) => {
                ctx.out.warn(&format!("{e:#}"));
                if let Some(hint) = crate::error::user_error(&e).and_then(|u| u.hint.as_deref()) {
                    ctx.out.hint(hint);
                }
                rows.push(FileRow {
                    file: import::display_name(path),
                    account: None,
                    new: 0,
                    matched: 0,
                    unchanged: 0,
                    status: "failed",
                    error: Some(format!("{e:#}")),
                });
            }
        }
    }
    ctx.out.rows(&rows)?;
    let failed = rows.iter().filter(|r| r.status == "failed").count();
    if failed > 0 {
        return Err(UserError::failure(format!(
            "{failed} of {} files failed; nothing from them was imported",
            args.files.len()
        ))
        .into());
    }
    Ok(())
}

fn head(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .take(64 * 1024)
        .read_to_end(&mut buf)?;
    if buf.iter().all(u8::is_ascii_whitespace) {
        anyhow::bail!("{} is empty", import::display_name(path));
    }
    Ok(buf)
}

fn format_of(path: &Path, head: &[u8], wanted: Format) -> Result<Format> {
    match wanted {
        Format::Auto => import::detect(head).ok_or_else(|| {
            UserError::failure(format!("cannot tell what kind of file {} is", import::display_name(path)))
                .hint("tally reads OFX/QFX and CSV; if it is one of those, say so with --format")
                .into()
        }),
        f => Ok(f),
    }
}

fn csv_profile(ctx: &Ctx, args: &Args, head: &[u8]) -> Result<Profile> {
    if let Some(name) = &args.profile {
        let dir = ctx.config.config_path.parent().unwrap_or(Path::new(".")).join("profiles");
        return profile::load(name, &dir);
    }
    match profile::detect(head, args.date_order) {
        Err(e) if asks_date_order(ctx, args, &e) => Ok(profile::detect(head, Some(ask_date_order(&e)?))?.profile),
        other => Ok(other?.profile),
    }
}

/// Whether to ask the person at the terminal which way round the dates are.
fn asks_date_order(ctx: &Ctx, args: &Args, e: &anyhow::Error) -> bool {
    args.date_order.is_none() && ctx.interactive() && e.to_string().contains("day-first or month-first")
}

fn ask_date_order(e: &anyhow::Error) -> Result<DateOrder> {
    let choice = dialoguer::Select::new()
        .with_prompt(format!("{e}. Which is it?"))
        .items(["day first (03/04 is the 3rd of April)", "month first (03/04 is March 4th)"])
        .default(0)
        .interact()?;
    Ok(if choice == 0 { DateOrder::Dmy } else { DateOrder::Mdy })
}

fn inspect(ctx: &mut Ctx, args: &Args) -> Result<()> {
    for path in &args.files {
        let head = head(path)?;
        let format = format_of(path, &head, args.file_format)?;
        match format {
            Format::Camt | Format::Qif => {
                ctx.out.status(&format!(
                    "{}: {format:?}; it imports as it is, no profile needed",
                    import::display_name(path)
                ));
            }
            Format::Csv | Format::Auto => {
                let detected = profile::detect(&head, args.date_order)?;
                ctx.out.status(&format!("{}: CSV", import::display_name(path)));
                for note in &detected.notes {
                    ctx.out.status(&format!("  {note}"));
                }
                let dir = ctx.config.config_path.parent().unwrap_or(Path::new(".")).join("profiles");
                ctx.out.status(&format!("  save this as {}/NAME.toml and use --profile NAME:", dir.display()));
                ctx.out.line(toml::to_string(&detected.profile)?.trim_end())?;
            }
            Format::Ofx => {
                for s in import::ofx::read(path)? {
                    let n = s.rows.count();
                    ctx.out.status(&format!(
                        "{}: OFX statement for {} ({n} transactions)",
                        import::display_name(path),
                        s.account.identity.as_deref().unwrap_or("?")
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Where a statement goes: an account we have, or one to create in the file's transaction
/// (so a dry run or a failed file leaves no account behind).
enum Target {
    Existing(Box<accounts::Account>),
    New { name: String, identity: Option<String>, kind: AccountKind, currency: crate::money::Currency },
}

/// `--account`, else the file's identity, else a new account (only with --create-account or a
/// yes at the terminal).
fn target_for(ctx: &mut Ctx, args: &Args, path: &Path, hint: &AccountHint) -> Result<Target> {
    let db = ctx.store_or_create()?.db();
    if let Some(key) = &args.account {
        return super::accounts::resolve(db, key).map(|a| Target::Existing(Box::new(a)));
    }
    if let Some(found) = hint.identity.as_deref().map(|i| accounts::by_identity(db, i)).transpose()?.flatten() {
        return Ok(Target::Existing(Box::new(found)));
    }
    let file = import::display_name(path);
    let name = hint.name.clone().unwrap_or_else(|| file.rsplit_once('.').map_or(file.clone(), |(s, _)| s.to_string()));
    let what = hint.identity.as_deref().map_or(String::new(), |i| format!(" ({i})"));
    let create = args.create_account
        || (ctx.interactive()
            && dialoguer::Confirm::new()
                .with_prompt(format!("{file} is for an account tally does not know{what}. Create \"{name}\"?"))
                .interact()?);
    if !create {
        return Err(UserError::usage(format!("{file}: no account for this statement{what}"))
            .hint("import into an existing account with --account NAME, or add it with --create-account")
            .into());
    }
    let currency = match (hint.currency, &args.currency) {
        (Some(c), _) => c,
        (None, Some(code)) => crate::money::Currency::parse(code)?,
        (None, None) => {
            return Err(UserError::usage(format!("{file} names no currency for the new account"))
                .hint("say which with --currency CODE (or set `currency` in the CSV profile)")
                .into());
        }
    };
    Ok(Target::New {
        name,
        identity: hint.identity.clone(),
        kind: hint.kind.unwrap_or(AccountKind::Checking),
        currency,
    })
}

impl Target {
    fn currency(&self) -> String {
        match self {
            Target::Existing(a) => a.currency.clone(),
            Target::New { currency, .. } => currency.code().to_string(),
        }
    }

    /// The account's id and name, creating it now if it is new.
    fn open(&self, db: &rusqlite::Connection, now: chrono::DateTime<chrono::Utc>) -> Result<(i64, String)> {
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

/// How many of a file's rows share one raw record.
const RAW_BLOCK: usize = 1000;

/// A file read as far as it can be before its accounts are chosen; read once, applied once.
enum Parsed {
    /// OFX and CAMT: whole statements.
    Whole(Vec<Statement<'static>>),
    /// QIF: accounts whose rows wait for their target account's currency.
    Qif(Vec<import::qif::Account>),
    /// CSV: streamed inside the transaction, under the profile.
    Csv(Box<Profile>),
}

impl Parsed {
    /// Each statement's account hint and balance, in file order.
    fn hints(&self, args: &Args) -> Result<Vec<(AccountHint, Option<import::Balance>)>> {
        Ok(match self {
            Parsed::Whole(s) => s.iter().map(|s| (s.account.clone(), s.balance.clone())).collect(),
            Parsed::Qif(a) => a.iter().map(|a| (a.hint().clone(), None)).collect(),
            Parsed::Csv(p) => {
                let code = p.currency.as_deref().or(args.currency.as_deref());
                let currency = code.map(crate::money::Currency::parse).transpose()?;
                vec![(AccountHint { currency, ..Default::default() }, None)]
            }
        })
    }
}

/// A QIF file, asking for the date order at a terminal when the file cannot tell.
fn read_qif(ctx: &Ctx, args: &Args, path: &Path) -> Result<Vec<import::qif::Account>> {
    match import::qif::parse(path, args.date_order) {
        Err(e) if asks_date_order(ctx, args, &e) => import::qif::parse(path, Some(ask_date_order(&e)?)),
        other => other,
    }
}

fn import_file(ctx: &mut Ctx, path: &Path, args: &Args) -> Result<Vec<FileRow>> {
    let head = head(path)?;
    let format = format_of(path, &head, args.file_format)?;
    let file = import::display_name(path);
    let (provider, parsed) = match format {
        Format::Ofx => ("import:ofx", Parsed::Whole(import::ofx::read(path)?)),
        Format::Camt => {
            let (statements, warnings) = import::camt::read(path)?;
            for w in warnings {
                ctx.out.warn(&w);
            }
            ("import:camt", Parsed::Whole(statements))
        }
        Format::Qif => ("import:qif", Parsed::Qif(read_qif(ctx, args, path)?)),
        Format::Csv | Format::Auto => ("import:csv", Parsed::Csv(Box::new(csv_profile(ctx, args, &head)?))),
    };
    let statements = parsed.hints(args)?;
    let targets: Vec<Target> =
        statements.iter().map(|(hint, _)| target_for(ctx, args, path, hint)).collect::<Result<_>>()?;
    for ((hint, _), target) in statements.iter().zip(&targets) {
        if let (Some(c), Target::Existing(a)) = (hint.currency, target)
            && c.code() != a.currency
        {
            anyhow::bail!("{file} is in {c}, but account {:?} is in {}", a.name, a.currency);
        }
    }
    // All of the file or none of it.
    let now = ctx.now();
    let dry_run = args.dry_run;
    let store = ctx.store_or_create()?;
    let categorizer = Categorizer::for_provider(store.db(), provider)?;
    // Index inserts at random keys dominate a long import; a larger cache keeps them in memory
    // while the whole import stays under 100 MiB (benches/import.rs measures both).
    store.set_cache_mib(24)?;
    let mut parsed = parsed;
    let work = |db: &rusqlite::Transaction<'_>| -> Result<Vec<FileRow>> {
        let currency_of = |t: &Target| crate::money::Currency::parse(&t.currency());
        let streams: Vec<Statement<'_>> = match &mut parsed {
            Parsed::Whole(s) => std::mem::take(s),
            Parsed::Qif(accounts) => std::mem::take(accounts)
                .into_iter()
                .zip(&targets)
                .map(|(account, target)| Ok(account.statement(currency_of(target)?)))
                .collect::<Result<_>>()?,
            Parsed::Csv(p) => vec![import::csv::read(path, p, Some(currency_of(&targets[0])?))?],
        };
        let mut out = Vec::new();
        for ((statement, target), (_, balance)) in streams.into_iter().zip(&targets).zip(&statements) {
            let (account_id, account_name) = target.open(db, now)?;
            let mut claims = reconcile::Claims::for_account(db, account_id)?;
            let mut row = FileRow {
                file: file.clone(),
                account: Some(account_name),
                new: 0,
                matched: 0,
                unchanged: 0,
                status: if dry_run { "dry run" } else { "imported" },
                error: None,
            };
            // Raw lines are kept in blocks: one record per RAW_BLOCK rows, every line verbatim
            // with its location, and each row pointing at its block.
            let mut block: Vec<import::Row> = Vec::with_capacity(RAW_BLOCK);
            let mut rows = statement.rows.peekable();
            while let Some(r) = rows.next() {
                block.push(r?);
                if block.len() < RAW_BLOCK && rows.peek().is_some() {
                    continue;
                }
                let body: String = block.iter().map(|r| format!("{}\t{}\n", r.location, r.raw)).collect();
                let record =
                    raw::RawRecord { connection_id: None, account_id, provider, external_id: None, body: &body };
                let raw_id = raw::insert(db, &record, now)?;
                for r in block.drain(..) {
                    match reconcile::apply_imported(db, account_id, &r.tx, Some(raw_id), &categorizer, &mut claims, now)
                        .map_err(|e| anyhow!("{}: {e:#}", r.location))?
                    {
                        Effect::Added => row.new += 1,
                        Effect::Matched => row.matched += 1,
                        Effect::Modified | Effect::Unchanged | Effect::Removed => row.unchanged += 1,
                    }
                }
            }
            if let Some(b) = balance {
                accounts::set_balance_if_newer(db, account_id, b.amount, b.as_of)?;
            }
            out.push(row);
        }
        Ok(out)
    };
    if dry_run { store.rehearse(work) } else { store.atomic(work) }
}
